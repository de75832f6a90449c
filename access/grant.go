package access

import (
	"context"
	"time"

	"github.com/billkit/billkit"
)

// GrantID identifies a Grant.
type GrantID = billkit.ID[Grant]

// Grant gives one right to a department or to one staff user: exactly one of
// DepartmentID and UserID is set. Staff are denied everything they hold no
// grant for.
type Grant struct {
	ID           GrantID      `json:"id" bun:"id,pk"`
	DepartmentID DepartmentID `json:"department_id,omitzero" bun:"department_id,nullzero"`
	UserID       UserID       `json:"user_id,omitzero" bun:"user_id,nullzero"`
	// Function and Op are the right ("billing.client", "edit").
	Function  string            `json:"function" bun:"function,notnull"`
	Op        billkit.Operation `json:"op" bun:"op,notnull"`
	CreatedAt time.Time         `json:"created_at" bun:"created_at,notnull"`
}

// Right returns the right the grant gives.
func (g Grant) Right() billkit.Right { return billkit.R(g.Function, g.Op) }

// GrantFilter selects grants: those of one department, of one user (in
// person, not through departments), or all.
type GrantFilter struct {
	DepartmentID DepartmentID `json:"department_id,omitzero"`
	UserID       UserID       `json:"user_id,omitzero"`
	billkit.PageParams
}

// GrantParams grants Right to a department or to a staff user: set exactly
// one of DepartmentID and UserID.
type GrantParams struct {
	DepartmentID DepartmentID  `json:"department_id,omitzero"`
	UserID       UserID        `json:"user_id,omitzero"`
	Right        billkit.Right `json:"right"`
}

// FullRights marks a staff user who may do everything.
type FullRights struct {
	UserID    UserID    `json:"user_id" bun:"user_id,pk"`
	CreatedAt time.Time `json:"created_at" bun:"created_at,notnull"`
}

// StaffRights are what a staff user may do: everything when FullRights is
// set, else Rights, the union of the user's own grants and those of the
// user's departments.
type StaffRights struct {
	UserID     UserID          `json:"user_id"`
	FullRights bool            `json:"full_rights"`
	Rights     []billkit.Right `json:"rights"`
}

// grantRight is the right needed to change the grants of a department or of
// a staff user, with op.
func grantRight(p GrantParams, op billkit.Operation) billkit.Right {
	if !p.DepartmentID.IsZero() {
		return billkit.R(FunctionDepartment, op)
	}
	return billkit.R(FunctionStaff, op)
}

// Grant gives a right to a department (needs access.department:edit) or to a
// staff user in person (needs access.staff:edit). The actor must hold the
// right itself, so that nobody hands out more than they have. A right on a
// function not in RightsConfig.Functions is invalid "right"; one the holder
// has already is conflict "grant.exists".
func (s *Service) Grant(ctx context.Context, actor billkit.Actor, p GrantParams) (*Grant, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	var v billkit.FieldErrors
	if p.DepartmentID.IsZero() == p.UserID.IsZero() {
		v.Add("department_id", "access.grant_holder", "set exactly one of department_id and user_id")
	}
	s.validRight(&v, "right", p.Right)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := actor.Authorize(grantRight(p, billkit.OpEdit)); err != nil {
		return nil, err
	}
	if err := actor.Authorize(p.Right); err != nil {
		return nil, err
	}
	g := &Grant{
		ID: billkit.NewID[Grant](), DepartmentID: p.DepartmentID, UserID: p.UserID,
		Function: p.Right.Function, Op: p.Right.Op, CreatedAt: s.now(),
	}
	err := s.store.InTx(ctx, func(tx Store) error {
		if !p.DepartmentID.IsZero() {
			if _, err := tx.GetDepartment(ctx, p.DepartmentID); err != nil {
				return err
			}
		} else if err := requireStaffUser(ctx, tx, p.UserID); err != nil {
			return err
		}
		if err := tx.InsertGrant(ctx, g); err != nil {
			return err
		}
		fn, id := grantHolder(g)
		return s.recordRights(ctx, tx, actor, fn+".grant", fn, id, billkit.ClientID{}, nil, g)
	})
	if err != nil {
		return nil, err
	}
	return g, nil
}

// grantHolder returns the function and key of the holder of g, as the
// action log names them.
func grantHolder(g *Grant) (string, string) {
	if !g.DepartmentID.IsZero() {
		return FunctionDepartment, g.DepartmentID.String()
	}
	return FunctionStaff, g.UserID.String()
}

// Revoke deletes a grant. It needs the same rights as Grant.
func (s *Service) Revoke(ctx context.Context, actor billkit.Actor, id GrantID) error {
	if err := actor.Validate(); err != nil {
		return err
	}
	if id.IsZero() {
		return billkit.InvalidField("id", "required", "is required")
	}
	return s.store.InTx(ctx, func(tx Store) error {
		g, err := tx.GetGrant(ctx, id)
		if err != nil {
			return err
		}
		p := GrantParams{DepartmentID: g.DepartmentID, UserID: g.UserID, Right: g.Right()}
		if err := actor.Authorize(grantRight(p, billkit.OpEdit)); err != nil {
			return err
		}
		if err := actor.Authorize(p.Right); err != nil {
			return err
		}
		if err := tx.DeleteGrant(ctx, id); err != nil {
			return err
		}
		fn, key := grantHolder(g)
		return s.recordRights(ctx, tx, actor, fn+".revoke", fn, key, billkit.ClientID{}, g, nil)
	})
}

// ListGrants lists grants, of a department (needs access.department:read),
// of a user in person or all of them (needs access.staff:read).
func (s *Service) ListGrants(ctx context.Context, actor billkit.Actor, f GrantFilter) (billkit.Page[Grant], error) {
	if err := actor.Validate(); err != nil {
		return billkit.Page[Grant]{}, err
	}
	if err := f.PageParams.Validate(); err != nil {
		return billkit.Page[Grant]{}, err
	}
	r := billkit.R(FunctionStaff, billkit.OpRead)
	if !f.DepartmentID.IsZero() && f.UserID.IsZero() {
		r = billkit.R(FunctionDepartment, billkit.OpRead)
	}
	if err := actor.Authorize(r); err != nil {
		return billkit.Page[Grant]{}, err
	}
	return s.store.ListGrants(ctx, f)
}

// EffectiveRights returns what a staff user may do. Staff users may read
// their own; anyone else needs access.staff:read.
func (s *Service) EffectiveRights(ctx context.Context, actor billkit.Actor, user UserID) (*StaffRights, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	if user.IsZero() {
		return nil, billkit.InvalidField("user_id", "required", "is required")
	}
	if !(actor.Kind == billkit.ActorStaff && actor.ID == user.String()) {
		if err := actor.Authorize(billkit.R(FunctionStaff, billkit.OpRead)); err != nil {
			return nil, err
		}
	}
	return s.staffRights(ctx, s.store, user)
}

// staffRights reads a staff user's full-rights role and granted rights.
func (s *Service) staffRights(ctx context.Context, st Store, user UserID) (*StaffRights, error) {
	if err := requireStaffUser(ctx, st, user); err != nil {
		return nil, err
	}
	out := &StaffRights{UserID: user, Rights: []billkit.Right{}}
	if _, err := st.GetFullRights(ctx, user); err == nil {
		out.FullRights = true
	} else if !billkit.IsCode(err, billkit.CodeNotFound) {
		return nil, err
	}
	rights, err := st.ListUserRights(ctx, user)
	if err != nil {
		return nil, err
	}
	if rights != nil {
		out.Rights = rights
	}
	return out, nil
}

// SetFullRights gives a staff user the full-rights role (on) or takes it
// away. Only the system or a staff user who has full rights may; anyone else
// is forbidden. Taking it from the last user who has it is failed_precondition
// "access.last_full_rights", so the installation keeps an administrator.
// Setting what is already set changes nothing and records nothing.
func (s *Service) SetFullRights(ctx context.Context, actor billkit.Actor, user UserID, on bool) error {
	if err := actor.Validate(); err != nil {
		return err
	}
	if user.IsZero() {
		return billkit.InvalidField("user_id", "required", "is required")
	}
	return s.store.InTx(ctx, func(tx Store) error {
		if err := s.requireFullRights(ctx, tx, actor); err != nil {
			return err
		}
		if err := requireStaffUser(ctx, tx, user); err != nil {
			return err
		}
		_, err := tx.GetFullRights(ctx, user)
		has := err == nil
		if err != nil && !billkit.IsCode(err, billkit.CodeNotFound) {
			return err
		}
		if has == on {
			return nil
		}
		if on {
			if err := tx.InsertFullRights(ctx, &FullRights{UserID: user, CreatedAt: s.now()}); err != nil {
				return err
			}
		} else {
			all, err := tx.ListFullRights(ctx)
			if err != nil {
				return err
			}
			if len(all) <= 1 {
				return billkit.Errorf(billkit.CodeFailedPrecondition, "access.last_full_rights",
					"the last staff user with full rights cannot lose them; give them to another first")
			}
			if err := tx.DeleteFullRights(ctx, user); err != nil {
				return err
			}
		}
		return s.recordRights(ctx, tx, actor, FunctionStaff+".full_rights", FunctionStaff, user.String(), billkit.ClientID{},
			map[string]bool{"full_rights": has}, map[string]bool{"full_rights": on})
	})
}

// requireFullRights returns forbidden unless actor is the system or a staff
// user with the full-rights role (as stored now, not as remembered by its
// Permissions).
func (s *Service) requireFullRights(ctx context.Context, tx Store, actor billkit.Actor) error {
	denied := &billkit.Error{Code: billkit.CodeForbidden, Reason: "access.denied", Message: "only the system or a staff user with full rights may do this"}
	switch actor.Kind {
	case billkit.ActorSystem:
		if actor.Permissions == nil {
			return nil
		}
		return denied
	case billkit.ActorStaff:
		id, err := billkit.ParseID[User](actor.ID)
		if err != nil {
			return denied
		}
		if _, err := tx.GetFullRights(ctx, id); err != nil {
			if billkit.IsCode(err, billkit.CodeNotFound) {
				return denied
			}
			return err
		}
		return nil
	}
	return denied
}
