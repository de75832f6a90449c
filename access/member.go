package access

import (
	"context"
	"time"

	"github.com/billkit/billkit"
)

// Member says that a customer user belongs to a client, in a role. One user
// may be a member of several clients (one login reaches several accounts),
// and a client may have several users.
type Member struct {
	ClientID billkit.ClientID `json:"client_id" bun:"client_id,pk"`
	UserID   UserID           `json:"user_id" bun:"user_id,pk"`
	Role     Role             `json:"role" bun:"role,notnull"`
	// Rights are the rights of a RoleCustom membership; empty for the
	// built-in roles, whose rights are RoleRights(Role).
	Rights    []billkit.Right `json:"rights" bun:"rights,notnull"`
	CreatedAt time.Time       `json:"created_at" bun:"created_at,notnull"`
	UpdatedAt time.Time       `json:"updated_at" bun:"updated_at,notnull"`
}

// Allowed returns the rights the membership gives in its client.
func (m Member) Allowed() []billkit.Right { return rightsOf(m.Role, m.Rights) }

// MemberFilter selects memberships: of a client, of a user, in a role.
type MemberFilter struct {
	ClientID billkit.ClientID `json:"client_id,omitzero"`
	UserID   UserID           `json:"user_id,omitzero"`
	Role     Role             `json:"role,omitempty"`
	billkit.PageParams
}

// The rights that guard a client's memberships and invites. An owner holds
// them through its role; staff through grants.
var (
	rightReadMembers   = billkit.R(functionClient, billkit.OpRead)
	rightManageMembers = billkit.R(functionClient, billkit.OpEdit)
)

// clientNotFound is the error a customer gets for a client it does not
// belong to: the same as for a client that does not exist.
func clientNotFound(client billkit.ClientID) error { return billkit.NotFound("client", client) }

func memberKey(client billkit.ClientID, user UserID) string {
	return client.String() + "/" + user.String()
}

func validMemberKey(v *billkit.FieldErrors, client billkit.ClientID, user UserID) {
	v.Check(!client.IsZero(), "client_id", "required", "is required")
	v.Check(!user.IsZero(), "user_id", "required", "is required")
}

// AddMember makes a customer user a member of a client in a role (rights
// only for RoleCustom). It needs billing.client:edit on the client: staff
// with that right, or an owner of the client. A customer who does not
// belong to the client gets not_found "client.not_found". A staff user is
// invalid "user_id" (access.user_not_customer); a member already is conflict
// "member.exists".
func (s *Service) AddMember(ctx context.Context, actor billkit.Actor, client billkit.ClientID, user UserID, role Role, rights []billkit.Right) (*Member, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	var v billkit.FieldErrors
	validMemberKey(&v, client, user)
	stored := s.validRole(&v, role, rights)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := actor.AuthorizeClient(rightManageMembers, client, clientNotFound(client)); err != nil {
		return nil, err
	}
	now := s.now()
	m := &Member{ClientID: client, UserID: user, Role: role, Rights: stored, CreatedAt: now, UpdatedAt: now}
	err := s.store.InTx(ctx, func(tx Store) error {
		if err := requireCustomerUser(ctx, tx, user); err != nil {
			return err
		}
		return s.insertMember(ctx, tx, actor, m)
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// insertMember stores m and records it.
func (s *Service) insertMember(ctx context.Context, tx Store, actor billkit.Actor, m *Member) error {
	if err := tx.InsertMember(ctx, m); err != nil {
		return err
	}
	return s.recordRights(ctx, tx, actor, "access.member.create", "access.member", memberKey(m.ClientID, m.UserID), m.ClientID, nil, m)
}

// UpdateMember changes a member's role (and rights, for RoleCustom). It
// needs what AddMember needs. Making the last owner anything else is
// failed_precondition "access.last_owner".
func (s *Service) UpdateMember(ctx context.Context, actor billkit.Actor, client billkit.ClientID, user UserID, role Role, rights []billkit.Right) (*Member, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	var v billkit.FieldErrors
	validMemberKey(&v, client, user)
	stored := s.validRole(&v, role, rights)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := actor.AuthorizeClient(rightManageMembers, client, clientNotFound(client)); err != nil {
		return nil, err
	}
	var out *Member
	err := s.store.InTx(ctx, func(tx Store) error {
		m, err := tx.GetMember(ctx, client, user)
		if err != nil {
			return err
		}
		if m.Role == RoleOwner && role != RoleOwner {
			if err := lastOwner(ctx, tx, client); err != nil {
				return err
			}
		}
		before := *m
		m.Role, m.Rights, m.UpdatedAt = role, stored, s.now()
		if err := tx.UpdateMember(ctx, m); err != nil {
			return err
		}
		out = m
		return s.recordRights(ctx, tx, actor, "access.member.update", "access.member", memberKey(client, user), client, before, m)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// RemoveMember takes a user out of a client. It needs what AddMember needs.
// Removing the last owner is failed_precondition "access.last_owner".
func (s *Service) RemoveMember(ctx context.Context, actor billkit.Actor, client billkit.ClientID, user UserID) error {
	if err := actor.Validate(); err != nil {
		return err
	}
	var v billkit.FieldErrors
	validMemberKey(&v, client, user)
	if err := v.Err(); err != nil {
		return err
	}
	if err := actor.AuthorizeClient(rightManageMembers, client, clientNotFound(client)); err != nil {
		return err
	}
	return s.store.InTx(ctx, func(tx Store) error {
		m, err := tx.GetMember(ctx, client, user)
		if err != nil {
			return err
		}
		if m.Role == RoleOwner {
			if err := lastOwner(ctx, tx, client); err != nil {
				return err
			}
		}
		if err := tx.DeleteMember(ctx, client, user); err != nil {
			return err
		}
		return s.recordRights(ctx, tx, actor, "access.member.delete", "access.member", memberKey(client, user), client, m, nil)
	})
}

// lastOwner returns failed_precondition "access.last_owner" when the client
// has at most one owner.
func lastOwner(ctx context.Context, tx Store, client billkit.ClientID) error {
	p, err := tx.ListMembers(ctx, MemberFilter{ClientID: client, Role: RoleOwner, PageParams: billkit.PageParams{Limit: 2}})
	if err != nil {
		return err
	}
	if len(p.Items) <= 1 {
		return billkit.Errorf(billkit.CodeFailedPrecondition, "access.last_owner",
			"a client keeps at least one owner; make another member the owner first")
	}
	return nil
}

// ListMembers lists the members of a client, by user. It needs
// billing.client:read on the client; a customer of another client gets
// not_found "client.not_found".
func (s *Service) ListMembers(ctx context.Context, actor billkit.Actor, client billkit.ClientID) ([]Member, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	if client.IsZero() {
		return nil, billkit.InvalidField("client_id", "required", "is required")
	}
	if err := actor.AuthorizeClient(rightReadMembers, client, clientNotFound(client)); err != nil {
		return nil, err
	}
	return allPages(func(pp billkit.PageParams) (billkit.Page[Member], error) {
		return s.store.ListMembers(ctx, MemberFilter{ClientID: client, PageParams: pp})
	})
}

// ListClientsOf lists the memberships of a user: the clients its login
// reaches, and its role in each. A customer user may list its own; others
// need access.user:read, and see only the clients they may see themselves.
func (s *Service) ListClientsOf(ctx context.Context, actor billkit.Actor, user UserID) ([]Member, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	if user.IsZero() {
		return nil, billkit.InvalidField("user_id", "required", "is required")
	}
	self := actor.Kind == billkit.ActorCustomer && actor.ID == user.String()
	if !self {
		if err := actor.Authorize(billkit.R(FunctionUser, billkit.OpRead)); err != nil {
			return nil, err
		}
	}
	all, err := allPages(func(pp billkit.PageParams) (billkit.Page[Member], error) {
		return s.store.ListMembers(ctx, MemberFilter{UserID: user, PageParams: pp})
	})
	if err != nil {
		return nil, err
	}
	if self {
		return all, nil
	}
	ids, everyClient := actor.VisibleClients()
	if everyClient {
		return all, nil
	}
	visible := make(map[billkit.ClientID]bool, len(ids))
	for _, id := range ids {
		visible[id] = true
	}
	out := all[:0]
	for _, m := range all {
		if visible[m.ClientID] {
			out = append(out, m)
		}
	}
	return out, nil
}
