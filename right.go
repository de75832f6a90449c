package billkit

import (
	"fmt"
	"slices"
	"strings"
)

// ClientID identifies a client account. It lives in the kernel because
// several packages refer to clients (access for customer users, support for
// tickets) without importing billing, which owns the Client type.
type ClientID = ID[clientRef]

// ProviderID identifies a provider (a brand or storefront). It lives in the
// kernel for the same reason as ClientID.
type ProviderID = ID[providerRef]

type (
	clientRef   struct{}
	providerRef struct{}
)

// Operation is what an actor does to a function's objects.
type Operation string

// The operations a right can grant.
const (
	OpRead   Operation = "read"
	OpCreate Operation = "create"
	OpEdit   Operation = "edit"
	OpDelete Operation = "delete"
)

// Operations lists every operation, in a fixed order.
func Operations() []Operation { return []Operation{OpRead, OpCreate, OpEdit, OpDelete} }

// Valid reports whether o is a known operation.
func (o Operation) Valid() bool {
	switch o {
	case OpRead, OpCreate, OpEdit, OpDelete:
		return true
	}
	return false
}

// Right is the permission to perform one operation on one function (a module
// of billkit: "directory", "billing.client", "access.staff"). Its text form is
// "function:operation" ("billing.client:edit").
type Right struct {
	Function string
	Op       Operation
}

// R returns the right to do op on function.
func R(function string, op Operation) Right { return Right{Function: function, Op: op} }

// String returns "function:operation".
func (r Right) String() string { return r.Function + ":" + string(r.Op) }

// ParseRight parses "function:operation".
func ParseRight(s string) (Right, error) {
	fn, op, ok := strings.Cut(s, ":")
	r := Right{Function: fn, Op: Operation(op)}
	if !ok || !validFunctionName(fn) || !r.Op.Valid() {
		return Right{}, InvalidField("right", "right.malformed",
			fmt.Sprintf("%q is not a right of the form function:operation (read, create, edit, delete)", s))
	}
	return r, nil
}

// validFunctionName accepts dotted lower-case names ("billing.client").
func validFunctionName(s string) bool {
	if s == "" || len(s) > 64 || s[0] == '.' || s[len(s)-1] == '.' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_') {
			return false
		}
	}
	return !strings.Contains(s, "..")
}

// MarshalText implements encoding.TextMarshaler.
func (r Right) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (r *Right) UnmarshalText(b []byte) error {
	v, err := ParseRight(string(b))
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// Permissions is what an authenticated actor may do. The access package
// implements it for staff users (rights of their departments and their own,
// or full rights), customer users (the rights of their role in each client
// they belong to) and API keys (the rights they are scoped to).
type Permissions interface {
	// Allows reports whether the actor may exercise r. client is the client
	// whose object is acted on, or the zero ClientID when the object belongs
	// to no client (a tariff, a currency).
	Allows(r Right, client ClientID) bool
	// Clients returns the clients whose objects the actor may see at all:
	// all=true for staff (subject to Allows), else the exact list, for
	// filtering lists.
	Clients() (ids []ClientID, all bool)
}

// Authorize returns nil when the actor may exercise r on objects that belong
// to no client, and a forbidden *Error naming the right otherwise. The
// system actor may do everything.
func (a Actor) Authorize(r Right) error {
	if a.allows(r, ClientID{}) {
		return nil
	}
	return a.denied(r)
}

// AuthorizeClient returns nil when the actor may exercise r on an object of
// client. A customer who does not belong to the client gets notFound, the
// very error a missing object gives, so object IDs cannot be probed; staff
// without the right get forbidden.
func (a Actor) AuthorizeClient(r Right, client ClientID, notFound error) error {
	if a.allows(r, client) {
		return nil
	}
	if a.Kind == ActorCustomer {
		if ids, all := a.clients(); !all && !containsID(ids, client) {
			return notFound
		}
	}
	return a.denied(r)
}

// VisibleClients returns the clients whose objects the actor may list:
// all=true when it is not limited to a list.
func (a Actor) VisibleClients() (ids []ClientID, all bool) { return a.clients() }

func (a Actor) allows(r Right, client ClientID) bool {
	if a.Permissions == nil {
		return a.Kind == ActorSystem
	}
	return a.Permissions.Allows(r, client)
}

func (a Actor) clients() ([]ClientID, bool) {
	if a.Permissions == nil {
		return nil, a.Kind == ActorSystem
	}
	return a.Permissions.Clients()
}

func (a Actor) denied(r Right) error {
	return &Error{Code: CodeForbidden, Reason: "access.denied", Message: "the right " + r.String() + " is required"}
}

func containsID(ids []ClientID, id ClientID) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// NewClientID returns a new ClientID.
func NewClientID() ClientID { return NewID[clientRef]() }

// ParseClientID parses the canonical string form of a ClientID.
func ParseClientID(s string) (ClientID, error) { return ParseID[clientRef](s) }

// NewProviderID returns a new ProviderID.
func NewProviderID() ProviderID { return NewID[providerRef]() }

// ParseProviderID parses the canonical string form of a ProviderID.
func ParseProviderID(s string) (ProviderID, error) { return ParseID[providerRef](s) }

// WithRights returns the actor, also allowed rights on client: for an
// operation the actor may do that implies moves it may not make by itself
// (confirming a payment posts to the ledger; ordering charges the
// balance). The moves keep the actor's identity in the ledger and the
// action log. An actor without permissions (the system actor, which may
// do everything) is returned as it is.
func (a Actor) WithRights(client ClientID, rights ...Right) Actor {
	if a.Permissions != nil {
		a.Permissions = lentRights{base: a.Permissions, client: client, rights: rights}
	}
	return a
}

// lentRights are permissions plus some rights on one client.
type lentRights struct {
	base   Permissions
	client ClientID
	rights []Right
}

func (p lentRights) Allows(r Right, c ClientID) bool {
	if c == p.client && slices.Contains(p.rights, r) {
		return true
	}
	return p.base.Allows(r, c)
}

func (p lentRights) Clients() ([]ClientID, bool) {
	ids, all := p.base.Clients()
	if all || slices.Contains(ids, p.client) {
		return ids, all
	}
	return append(slices.Clone(ids), p.client), false
}
