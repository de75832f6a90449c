package access

import (
	"context"

	"github.com/billkit/billkit"
)

// rightSet is a set of rights. A lookup hashes the two strings of the right
// and allocates nothing.
type rightSet map[billkit.Right]struct{}

func newRightSet(rights []billkit.Right) rightSet {
	s := make(rightSet, len(rights))
	for _, r := range rights {
		s[r] = struct{}{}
	}
	return s
}

func (s rightSet) has(r billkit.Right) bool {
	_, ok := s[r]
	return ok
}

// publicRead is what anyone signed in may do outside a client: read the
// directory.
var publicRead = billkit.R(functionDirectory, billkit.OpRead)

// staffPermissions are a staff user's: everything with full rights, else the
// granted rights, on objects of any client.
type staffPermissions struct {
	full   bool
	rights rightSet
}

func (p *staffPermissions) Allows(r billkit.Right, _ billkit.ClientID) bool {
	return p.full || p.rights.has(r)
}

func (p *staffPermissions) Clients() ([]billkit.ClientID, bool) { return nil, true }

// customerPermissions are a customer user's: in each client it is a member
// of, the rights of its role there; outside clients, only public reads.
type customerPermissions struct {
	byClient map[billkit.ClientID]rightSet
	ids      []billkit.ClientID
}

func (p *customerPermissions) Allows(r billkit.Right, client billkit.ClientID) bool {
	if client.IsZero() {
		return r == publicRead
	}
	return p.byClient[client].has(r)
}

func (p *customerPermissions) Clients() ([]billkit.ClientID, bool) {
	return append([]billkit.ClientID(nil), p.ids...), false
}

// apiKeyPermissions are an API key's: the rights it is scoped to, and only
// those its owner holds, now.
type apiKeyPermissions struct {
	owner  billkit.Permissions
	scopes rightSet
}

func (p *apiKeyPermissions) Allows(r billkit.Right, client billkit.ClientID) bool {
	return p.scopes.has(r) && p.owner != nil && p.owner.Allows(r, client)
}

func (p *apiKeyPermissions) Clients() ([]billkit.ClientID, bool) {
	if p.owner == nil {
		return nil, false
	}
	return p.owner.Clients()
}

// PermissionsForStaff returns what a staff user may do, as of now: every
// right with the full-rights role, else the union of the user's own grants
// and those of its departments, on objects of every client. A user that does
// not exist is not_found; a customer user is invalid "user_id". Build it once
// per request (or session) and put it in billkit.Actor.Permissions.
func (s *Service) PermissionsForStaff(ctx context.Context, user UserID) (billkit.Permissions, error) {
	r, err := s.staffRights(ctx, s.store, user)
	if err != nil {
		return nil, err
	}
	return &staffPermissions{full: r.FullRights, rights: newRightSet(r.Rights)}, nil
}

// PermissionsForCustomer returns what a customer user may do, as of now: in
// each client it is a member of, the rights of its role there; outside any
// client (the zero ClientID), only directory:read. Clients() lists its
// clients, so lists show only their objects. A user that does not exist is
// not_found; a staff user is invalid "user_id".
func (s *Service) PermissionsForCustomer(ctx context.Context, user UserID) (billkit.Permissions, error) {
	if err := requireCustomerUser(ctx, s.store, user); err != nil {
		return nil, err
	}
	members, err := allPages(func(pp billkit.PageParams) (billkit.Page[Member], error) {
		return s.store.ListMembers(ctx, MemberFilter{UserID: user, PageParams: pp})
	})
	if err != nil {
		return nil, err
	}
	p := &customerPermissions{byClient: make(map[billkit.ClientID]rightSet, len(members)), ids: make([]billkit.ClientID, 0, len(members))}
	for _, m := range members {
		p.byClient[m.ClientID] = newRightSet(m.Allowed())
		p.ids = append(p.ids, m.ClientID)
	}
	return p, nil
}

// PermissionsForAPIKey returns what an API key may do: the rights in scopes
// that its owner's permissions allow, on the clients the owner may see. A
// key never exceeds its owner: when the owner loses a right, so do its
// keys. A nil owner allows nothing.
func PermissionsForAPIKey(owner billkit.Permissions, scopes []billkit.Right) billkit.Permissions {
	return &apiKeyPermissions{owner: owner, scopes: newRightSet(scopes)}
}
