package access

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/billkit/billkit"
)

// DepartmentID identifies a Department.
type DepartmentID = billkit.ID[Department]

// Department is a group of staff users. Rights granted to a department are
// held by every staff user in it; tickets are routed to departments.
type Department struct {
	ID          DepartmentID `json:"id" bun:"id,pk"`
	Name        string       `json:"name" bun:"name,notnull"`
	Description string       `json:"description" bun:"description,notnull"`
	CreatedAt   time.Time    `json:"created_at" bun:"created_at,notnull"`
	UpdatedAt   time.Time    `json:"updated_at" bun:"updated_at,notnull"`
}

// DepartmentMember says that a staff user is in a department.
type DepartmentMember struct {
	DepartmentID DepartmentID `json:"department_id" bun:"department_id,pk"`
	UserID       UserID       `json:"user_id" bun:"user_id,pk"`
	CreatedAt    time.Time    `json:"created_at" bun:"created_at,notnull"`
}

// DepartmentFilter selects departments. Lists are ordered by name.
type DepartmentFilter struct {
	billkit.PageParams
}

// DepartmentMemberFilter selects department memberships: those of one
// department, of one user, or all.
type DepartmentMemberFilter struct {
	DepartmentID DepartmentID `json:"department_id,omitzero"`
	UserID       UserID       `json:"user_id,omitzero"`
	billkit.PageParams
}

// CreateDepartmentParams creates a department.
type CreateDepartmentParams struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
}

// UpdateDepartmentParams changes a department; nil fields stay.
type UpdateDepartmentParams struct {
	Name        *string `json:"name,omitempty"`
	Description *string `json:"description,omitempty"`
}

// Limits of a department's texts, in characters.
const (
	maxDepartmentName        = 100
	maxDepartmentDescription = 1000
)

func validDepartmentName(v *billkit.FieldErrors, name string) {
	if v.Require("name", name) {
		v.Check(utf8.RuneCountInString(name) <= maxDepartmentName, "name", "department.name_too_long", "must be at most 100 characters")
	}
}

func validDepartmentDescription(v *billkit.FieldErrors, d string) {
	v.Check(utf8.RuneCountInString(d) <= maxDepartmentDescription, "description", "department.description_too_long", "must be at most 1000 characters")
}

// CreateDepartment creates a department. It needs access.department:create;
// a name that is taken is conflict "department.exists".
func (s *Service) CreateDepartment(ctx context.Context, actor billkit.Actor, p CreateDepartmentParams) (*Department, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	name, desc := strings.TrimSpace(p.Name), strings.TrimSpace(p.Description)
	var v billkit.FieldErrors
	validDepartmentName(&v, name)
	validDepartmentDescription(&v, desc)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := actor.Authorize(billkit.R(FunctionDepartment, billkit.OpCreate)); err != nil {
		return nil, err
	}
	now := s.now()
	d := &Department{ID: billkit.NewID[Department](), Name: name, Description: desc, CreatedAt: now, UpdatedAt: now}
	err := s.store.InTx(ctx, func(tx Store) error {
		if err := tx.InsertDepartment(ctx, d); err != nil {
			return err
		}
		return s.recordRights(ctx, tx, actor, FunctionDepartment+".create", FunctionDepartment, d.ID.String(), billkit.ClientID{}, nil, d)
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// UpdateDepartment renames a department or changes its description. It
// needs access.department:edit.
func (s *Service) UpdateDepartment(ctx context.Context, actor billkit.Actor, id DepartmentID, p UpdateDepartmentParams) (*Department, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	var v billkit.FieldErrors
	v.Check(!id.IsZero(), "id", "required", "is required")
	if p.Name != nil {
		validDepartmentName(&v, strings.TrimSpace(*p.Name))
	}
	if p.Description != nil {
		validDepartmentDescription(&v, strings.TrimSpace(*p.Description))
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := actor.Authorize(billkit.R(FunctionDepartment, billkit.OpEdit)); err != nil {
		return nil, err
	}
	var out *Department
	err := s.store.InTx(ctx, func(tx Store) error {
		d, err := tx.GetDepartment(ctx, id)
		if err != nil {
			return err
		}
		before := *d
		if p.Name != nil {
			d.Name = strings.TrimSpace(*p.Name)
		}
		if p.Description != nil {
			d.Description = strings.TrimSpace(*p.Description)
		}
		d.UpdatedAt = s.now()
		if err := tx.UpdateDepartment(ctx, d); err != nil {
			return err
		}
		out = d
		return s.recordRights(ctx, tx, actor, FunctionDepartment+".update", FunctionDepartment, id.String(), billkit.ClientID{}, before, d)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteDepartment deletes a department, its memberships and its grants:
// its staff lose the rights they held through it. It needs
// access.department:delete.
func (s *Service) DeleteDepartment(ctx context.Context, actor billkit.Actor, id DepartmentID) error {
	if err := actor.Validate(); err != nil {
		return err
	}
	if id.IsZero() {
		return billkit.InvalidField("id", "required", "is required")
	}
	if err := actor.Authorize(billkit.R(FunctionDepartment, billkit.OpDelete)); err != nil {
		return err
	}
	return s.store.InTx(ctx, func(tx Store) error {
		d, err := tx.GetDepartment(ctx, id)
		if err != nil {
			return err
		}
		if err := tx.DeleteDepartment(ctx, id); err != nil {
			return err
		}
		return s.recordRights(ctx, tx, actor, FunctionDepartment+".delete", FunctionDepartment, id.String(), billkit.ClientID{}, d, nil)
	})
}

// GetDepartment returns a department. It needs access.department:read.
func (s *Service) GetDepartment(ctx context.Context, actor billkit.Actor, id DepartmentID) (*Department, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	if err := actor.Authorize(billkit.R(FunctionDepartment, billkit.OpRead)); err != nil {
		return nil, err
	}
	return s.store.GetDepartment(ctx, id)
}

// ListDepartments lists departments by name. It needs
// access.department:read.
func (s *Service) ListDepartments(ctx context.Context, actor billkit.Actor, f DepartmentFilter) (billkit.Page[Department], error) {
	if err := actor.Validate(); err != nil {
		return billkit.Page[Department]{}, err
	}
	if err := f.PageParams.Validate(); err != nil {
		return billkit.Page[Department]{}, err
	}
	if err := actor.Authorize(billkit.R(FunctionDepartment, billkit.OpRead)); err != nil {
		return billkit.Page[Department]{}, err
	}
	return s.store.ListDepartments(ctx, f)
}

// ListDepartmentMembers lists who is in which department: filter by
// department, by user, or neither. It needs access.department:read.
func (s *Service) ListDepartmentMembers(ctx context.Context, actor billkit.Actor, f DepartmentMemberFilter) (billkit.Page[DepartmentMember], error) {
	if err := actor.Validate(); err != nil {
		return billkit.Page[DepartmentMember]{}, err
	}
	if err := f.PageParams.Validate(); err != nil {
		return billkit.Page[DepartmentMember]{}, err
	}
	if err := actor.Authorize(billkit.R(FunctionDepartment, billkit.OpRead)); err != nil {
		return billkit.Page[DepartmentMember]{}, err
	}
	return s.store.ListDepartmentMembers(ctx, f)
}

// AddDepartmentMember puts a staff user in a department. It needs
// access.department:edit. A customer user is invalid "user_id"
// (access.user_not_staff); one already in it is conflict
// "department_member.exists".
func (s *Service) AddDepartmentMember(ctx context.Context, actor billkit.Actor, department DepartmentID, user UserID) (*DepartmentMember, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	var v billkit.FieldErrors
	v.Check(!department.IsZero(), "department_id", "required", "is required")
	v.Check(!user.IsZero(), "user_id", "required", "is required")
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := actor.Authorize(billkit.R(FunctionDepartment, billkit.OpEdit)); err != nil {
		return nil, err
	}
	m := &DepartmentMember{DepartmentID: department, UserID: user, CreatedAt: s.now()}
	err := s.store.InTx(ctx, func(tx Store) error {
		if _, err := tx.GetDepartment(ctx, department); err != nil {
			return err
		}
		if err := requireStaffUser(ctx, tx, user); err != nil {
			return err
		}
		if err := tx.InsertDepartmentMember(ctx, m); err != nil {
			return err
		}
		return s.recordRights(ctx, tx, actor, FunctionDepartment+".add_member", FunctionDepartment, department.String(), billkit.ClientID{},
			nil, map[string]any{"user_id": user})
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// RemoveDepartmentMember takes a staff user out of a department. It needs
// access.department:edit.
func (s *Service) RemoveDepartmentMember(ctx context.Context, actor billkit.Actor, department DepartmentID, user UserID) error {
	if err := actor.Validate(); err != nil {
		return err
	}
	var v billkit.FieldErrors
	v.Check(!department.IsZero(), "department_id", "required", "is required")
	v.Check(!user.IsZero(), "user_id", "required", "is required")
	if err := v.Err(); err != nil {
		return err
	}
	if err := actor.Authorize(billkit.R(FunctionDepartment, billkit.OpEdit)); err != nil {
		return err
	}
	return s.store.InTx(ctx, func(tx Store) error {
		if err := tx.DeleteDepartmentMember(ctx, department, user); err != nil {
			return err
		}
		return s.recordRights(ctx, tx, actor, FunctionDepartment+".remove_member", FunctionDepartment, department.String(), billkit.ClientID{},
			map[string]any{"user_id": user}, nil)
	})
}
