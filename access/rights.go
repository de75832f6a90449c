package access

import (
	"context"
	"time"

	"github.com/billkit/billkit"
)

// FunctionDepartment is the function of departments in rights
// ("access.department:edit").
const FunctionDepartment = "access.department"

// The functions of billing, catalog and directory, named here because access
// does not import them. Customer roles are made of the client-scoped ones.
const (
	functionDirectory   = "directory"
	functionCatalog     = "catalog"
	functionProvider    = "billing.provider"
	functionCompany     = "billing.company"
	functionClient      = "billing.client"
	functionClientGroup = "billing.client_group"
	functionPayer       = "billing.payer"
	functionContract    = "billing.contract"
	// The money core's functions; payments, invoices and expenses belong
	// to clients.
	functionLedger        = "billing.ledger"
	functionPayment       = "billing.payment"
	functionPaymentMethod = "billing.payment_method"
	functionExpense       = "billing.expense"
	functionInvoice       = "billing.invoice"
	functionTax           = "billing.tax"
	functionDiscount      = "billing.discount"
	// The life of a service's functions; orders, services and their tasks
	// belong to clients.
	functionOrder      = "provisioning.order"
	functionService    = "provisioning.service"
	functionTask       = "provisioning.task"
	functionServer     = "provisioning.server"
	functionDatacenter = "provisioning.datacenter"
	functionCycle      = "provisioning.cycle"
)

// Functions lists the functions of package access, in a fixed order.
func Functions() []string {
	return []string{FunctionStaff, FunctionDepartment, FunctionUser, FunctionAPIKey, FunctionSession, FunctionActionLog}
}

// DefaultFunctions is RightsConfig.Functions's default: access's own
// functions, the directory, the catalog, and billing's functions (accounts
// and the money core).
func DefaultFunctions() []string {
	return append(Functions(), functionDirectory, functionCatalog,
		functionProvider, functionCompany, functionClient, functionClientGroup, functionPayer, functionContract,
		functionLedger, functionPayment, functionPaymentMethod, functionExpense, functionInvoice, functionTax, functionDiscount,
		functionOrder, functionService, functionTask, functionServer, functionDatacenter, functionCycle)
}

// DefaultClientFunctions is RightsConfig.ClientFunctions's default: the
// functions whose objects belong to a client, so that a customer role can
// hold rights on them.
func DefaultClientFunctions() []string {
	return []string{functionClient, functionPayer, functionContract, FunctionUser,
		functionPayment, functionInvoice, functionExpense, functionOrder, functionService, functionTask}
}

// DefaultInviteTTL is RightsConfig.InviteTTL's default.
const DefaultInviteTTL = 7 * 24 * time.Hour

// RightsConfig configures departments, rights and customer roles. The zero
// value works.
type RightsConfig struct {
	// Functions are the functions rights can be granted on; granting a right
	// on any other is an invalid "right". Default: DefaultFunctions(). An
	// embedder adding modules of its own lists them here.
	Functions []string
	// ClientFunctions are the functions whose objects belong to a client: the
	// ones a custom customer role may hold rights on. Default:
	// DefaultClientFunctions().
	ClientFunctions []string
	// InviteTTL is how long an invite to a client can be accepted. Default:
	// DefaultInviteTTL (7 days).
	InviteTTL time.Duration
}

func (c RightsConfig) withDefaults() RightsConfig {
	if len(c.Functions) == 0 {
		c.Functions = DefaultFunctions()
	}
	if len(c.ClientFunctions) == 0 {
		c.ClientFunctions = DefaultClientFunctions()
	}
	// Copies, so a caller changing its slices later does not change the
	// Service behind its back.
	c.Functions = append([]string(nil), c.Functions...)
	c.ClientFunctions = append([]string(nil), c.ClientFunctions...)
	if c.InviteTTL <= 0 {
		c.InviteTTL = DefaultInviteTTL
	}
	return c
}

// RightsStore keeps departments, grants, the full-rights role, client
// memberships, invites and the action log's queries.
//
// Errors follow directory.Store: Get, Update and Delete return a not_found
// *billkit.Error when the key does not exist ("department.not_found",
// "grant.not_found", "member.not_found", "invite.not_found",
// "department_member.not_found", "full_rights.not_found"); Insert returns
// conflict ("<kind>.exists") when it does; a reference to a missing user,
// client or department is failed_precondition (store.reference_missing).
type RightsStore interface {
	// InsertDepartment returns conflict "department.exists" when the ID or
	// the name is taken.
	InsertDepartment(ctx context.Context, d *Department) error
	GetDepartment(ctx context.Context, id DepartmentID) (*Department, error)
	UpdateDepartment(ctx context.Context, d *Department) error
	// DeleteDepartment deletes the department with its memberships and
	// grants.
	DeleteDepartment(ctx context.Context, id DepartmentID) error
	// ListDepartments lists departments ordered by name.
	ListDepartments(ctx context.Context, f DepartmentFilter) (billkit.Page[Department], error)

	// InsertDepartmentMember returns conflict "department_member.exists"
	// when the user is in the department already.
	InsertDepartmentMember(ctx context.Context, m *DepartmentMember) error
	DeleteDepartmentMember(ctx context.Context, department DepartmentID, user UserID) error
	// ListDepartmentMembers lists memberships ordered by department, then
	// user.
	ListDepartmentMembers(ctx context.Context, f DepartmentMemberFilter) (billkit.Page[DepartmentMember], error)

	// InsertGrant returns conflict "grant.exists" when the holder has the
	// right already.
	InsertGrant(ctx context.Context, g *Grant) error
	GetGrant(ctx context.Context, id GrantID) (*Grant, error)
	DeleteGrant(ctx context.Context, id GrantID) error
	// ListGrants lists grants ordered by function, operation, then ID.
	ListGrants(ctx context.Context, f GrantFilter) (billkit.Page[Grant], error)
	// ListUserRights returns the distinct rights granted to the user in
	// person or to any department the user is in, ordered by function and
	// operation.
	ListUserRights(ctx context.Context, user UserID) ([]billkit.Right, error)

	// InsertFullRights gives a staff user the full-rights role; conflict
	// "full_rights.exists" when the user has it.
	InsertFullRights(ctx context.Context, f *FullRights) error
	GetFullRights(ctx context.Context, user UserID) (*FullRights, error)
	DeleteFullRights(ctx context.Context, user UserID) error
	// ListFullRights lists the users with the full-rights role, oldest
	// first.
	ListFullRights(ctx context.Context) ([]FullRights, error)

	// InsertMember returns conflict "member.exists" when the user is a
	// member of the client already.
	InsertMember(ctx context.Context, m *Member) error
	GetMember(ctx context.Context, client billkit.ClientID, user UserID) (*Member, error)
	UpdateMember(ctx context.Context, m *Member) error
	DeleteMember(ctx context.Context, client billkit.ClientID, user UserID) error
	// ListMembers lists memberships ordered by client, then user.
	ListMembers(ctx context.Context, f MemberFilter) (billkit.Page[Member], error)

	// InsertInvite returns conflict "invite.exists" when the ID or the token
	// hash is taken.
	InsertInvite(ctx context.Context, inv *Invite) error
	GetInvite(ctx context.Context, id InviteID) (*Invite, error)
	// GetInviteByTokenHash finds an invite by the hash of its token.
	GetInviteByTokenHash(ctx context.Context, hash string) (*Invite, error)
	UpdateInvite(ctx context.Context, inv *Invite) error
	// ListInvites lists invites newest first.
	ListInvites(ctx context.Context, f InviteFilter) (billkit.Page[Invite], error)

	// ListActions lists the action log newest first (by At, then ID).
	ListActions(ctx context.Context, f ActionFilter) (billkit.Page[billkit.Action], error)
	// DeleteActionsBefore deletes the actions that happened before the
	// instant and returns how many it deleted.
	DeleteActionsBefore(ctx context.Context, before time.Time) (int, error)
}

// recordRights appends an action to the log in tx: actor did name to the
// object of objectType with key id, belonging to client (zero for none).
func (s *Service) recordRights(ctx context.Context, tx Store, actor billkit.Actor, name, objectType, id string, client billkit.ClientID, before, after any) error {
	return billkit.RecordAction(ctx, tx, actor, s.now(), name, objectType, id, client, before, after)
}

// knownFunction reports whether fn is one of the configured functions.
func (s *Service) knownFunction(fn string) bool {
	for _, f := range s.cfg.Rights.Functions {
		if f == fn {
			return true
		}
	}
	return false
}

// clientFunction reports whether fn is one of the client-scoped functions.
func (s *Service) clientFunction(fn string) bool {
	for _, f := range s.cfg.Rights.ClientFunctions {
		if f == fn {
			return true
		}
	}
	return false
}

// validRight checks that r names a configured function and an operation.
func (s *Service) validRight(v *billkit.FieldErrors, field string, r billkit.Right) bool {
	if !r.Op.Valid() || !s.knownFunction(r.Function) {
		v.Add(field, "access.right_unknown", "unknown right "+r.String())
		return false
	}
	return true
}

// allPages reads every page of a store list.
func allPages[T any](list func(billkit.PageParams) (billkit.Page[T], error)) ([]T, error) {
	var out []T
	pp := billkit.PageParams{Limit: billkit.MaxPageLimit}
	for {
		p, err := list(pp)
		if err != nil {
			return nil, err
		}
		out = append(out, p.Items...)
		if p.NextCursor == "" {
			return out, nil
		}
		pp.Cursor = p.NextCursor
	}
}

// requireStaffUser returns not_found "user.not_found" when the user does not
// exist, and invalid "user_id" (access.user_not_staff) when it is a customer
// user.
func requireStaffUser(ctx context.Context, st Store, id UserID) error {
	return requireUserKind(ctx, st, id, UserKindStaff, "access.user_not_staff", "must be a staff user")
}

// requireCustomerUser is requireStaffUser for customer users.
func requireCustomerUser(ctx context.Context, st Store, id UserID) error {
	return requireUserKind(ctx, st, id, UserKindCustomer, "access.user_not_customer", "must be a customer user")
}

func requireUserKind(ctx context.Context, st Store, id UserID, kind UserKind, reason, msg string) error {
	u, err := st.GetUser(ctx, id)
	if err != nil {
		return err
	}
	if u.Kind != kind {
		return billkit.InvalidField("user_id", reason, msg)
	}
	return nil
}
