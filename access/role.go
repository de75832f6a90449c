package access

import (
	"fmt"

	"github.com/billkit/billkit"
)

// Role is what a customer user is in a client. Built-in roles carry fixed
// rights; RoleCustom carries the rights listed in the membership.
type Role string

// The customer roles.
const (
	// RoleOwner may do everything on the client's objects: all operations on
	// billing.client, billing.payer, billing.contract, and access.user to
	// manage the client's users (members and invites); and the money:
	// read and make payments, pay invoices, read invoices and expenses
	// (confirming, refunding and charging stay with staff); and the
	// services: order, pay and cancel orders, see, manage and delete
	// services, see their tasks.
	RoleOwner Role = "owner"
	// RoleBilling sees the client, manages its payers, reads its contracts,
	// has the owner's rights on the money and on orders, and sees the
	// services.
	RoleBilling Role = "billing"
	// RoleTechnical sees the client, its orders and its services, manages
	// the services (but does not delete them) and sees their tasks.
	RoleTechnical Role = "technical"
	// RoleSupport sees the client; it gains rights on tickets when billkit
	// has them.
	RoleSupport Role = "support"
	// RoleCustom holds exactly the rights listed in its membership, which
	// must be on client-scoped functions (RightsConfig.ClientFunctions).
	RoleCustom Role = "custom"
)

// Roles lists every role, in a fixed order.
func Roles() []Role { return []Role{RoleOwner, RoleBilling, RoleTechnical, RoleSupport, RoleCustom} }

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	switch r {
	case RoleOwner, RoleBilling, RoleTechnical, RoleSupport, RoleCustom:
		return true
	}
	return false
}

// allOps returns every operation on fn.
func allOps(fn string) []billkit.Right {
	out := make([]billkit.Right, 0, 4)
	for _, op := range billkit.Operations() {
		out = append(out, billkit.R(fn, op))
	}
	return out
}

// RoleRights returns the rights of a built-in role, and nil for RoleCustom
// and unknown roles.
func RoleRights(r Role) []billkit.Right {
	read := billkit.R(functionClient, billkit.OpRead)
	switch r {
	case RoleOwner:
		var out []billkit.Right
		for _, fn := range []string{functionClient, functionPayer, functionContract, FunctionUser} {
			out = append(out, allOps(fn)...)
		}
		out = append(out, moneyRights()...)
		out = append(out, orderRights()...)
		return append(out, append(serviceRights(), billkit.R(functionService, billkit.OpDelete))...)
	case RoleBilling:
		out := append([]billkit.Right{read, billkit.R(functionContract, billkit.OpRead)}, allOps(functionPayer)...)
		out = append(out, moneyRights()...)
		return append(out, orderRights()...)
	case RoleTechnical:
		return append([]billkit.Right{read, billkit.R(functionOrder, billkit.OpRead)}, serviceRights()...)
	case RoleSupport:
		return []billkit.Right{read}
	}
	return nil
}

// moneyRights are a paying customer's rights on its client's money: see
// and make payments (edit: cancel one's own, attach a receipt reference,
// forget a saved card, pay an invoice from the balance), see invoices,
// see expenses. Issuing, voiding and editing invoices stay with staff.
func moneyRights() []billkit.Right {
	return []billkit.Right{
		billkit.R(functionPayment, billkit.OpRead), billkit.R(functionPayment, billkit.OpCreate), billkit.R(functionPayment, billkit.OpEdit),
		billkit.R(functionInvoice, billkit.OpRead),
		billkit.R(functionExpense, billkit.OpRead),
	}
}

// orderRights are ordering for a client: see its orders, order, pay and
// cancel them.
func orderRights() []billkit.Right {
	return []billkit.Right{billkit.R(functionOrder, billkit.OpRead), billkit.R(functionOrder, billkit.OpCreate), billkit.R(functionOrder, billkit.OpEdit)}
}

// serviceRights are the owner's and the technical contact's rights on a
// client's services: see and manage them (renew, auto-renew, change,
// resume a suspension the client made) and see their tasks. What only
// staff may do (suspending for abuse, moving, special prices) the manager
// keeps for staff whatever the rights.
func serviceRights() []billkit.Right {
	return []billkit.Right{billkit.R(functionService, billkit.OpRead), billkit.R(functionService, billkit.OpEdit), billkit.R(functionTask, billkit.OpRead)}
}

// rightsOf returns the rights a membership gives: the role's, or the listed
// ones for a custom role.
func rightsOf(role Role, custom []billkit.Right) []billkit.Right {
	if role == RoleCustom {
		return custom
	}
	return RoleRights(role)
}

// validRole checks a role and, for RoleCustom, its rights; it returns the
// rights to store (none for built-in roles, whose rights are fixed).
func (s *Service) validRole(v *billkit.FieldErrors, role Role, rights []billkit.Right) []billkit.Right {
	if !v.Check(role.Valid(), "role", "access.role_unknown", fmt.Sprintf("unknown role %q", role)) {
		return nil
	}
	if role != RoleCustom {
		v.Check(len(rights) == 0, "rights", "access.rights_not_custom", "only the custom role takes a list of rights")
		return []billkit.Right{}
	}
	if !v.Check(len(rights) > 0, "rights", "required", "the custom role needs at least one right") {
		return nil
	}
	seen := map[billkit.Right]bool{}
	out := make([]billkit.Right, 0, len(rights))
	for i, r := range rights {
		field := fmt.Sprintf("rights[%d]", i)
		if !s.validRight(v, field, r) {
			continue
		}
		if !v.Check(s.clientFunction(r.Function), field, "access.right_not_client",
			r.String()+" is not a right on a client's objects") {
			continue
		}
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	return out
}
