package bunstore

import (
	"context"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/access"
	"github.com/uptrace/bun"
)

// The rights half of access.Store: departments, grants, full rights, client
// memberships and invites. The action log's queries live in
// access_rights_actions.go.

// cursorTime is an instant as a keyset cursor holds it: the text both
// dialects store and compare (bun writes instants in this form, in UTC, and
// PostgreSQL reads it back as a timestamptz).
func cursorTime(t time.Time) string {
	return t.UTC().Format("2006-01-02 15:04:05.999999-07:00")
}

// deleteRows deletes what where selects from table; none is not_found with
// kind and key.
func deleteRows(ctx context.Context, s *Store, table, kind string, key any, where string, args ...any) error {
	if err := s.usable(ctx); err != nil {
		return err
	}
	res, err := s.db.NewDelete().TableExpr(table).Where(where, args...).Exec(ctx)
	if err != nil {
		return mapError(ctx, err, target{kind: kind, key: key})
	}
	n, err := res.RowsAffected()
	if err != nil {
		return mapError(ctx, err, target{kind: kind, key: key})
	}
	if n == 0 {
		return billkit.NotFound(kind, key)
	}
	return nil
}

var departments = list[access.Department]{
	table: table[access.Department]{
		name: "billkit_departments",
		kind: "department",
		key:  func(d *access.Department) any { return d.ID },
		norm: func(d *access.Department) { instant(&d.CreatedAt); instant(&d.UpdatedAt) },
	},
	// Names are unique, so the name alone is a keyset.
	order: []keyCol{{expr: "?TableAlias.name"}},
	keyOf: func(d *access.Department) []string { return []string{d.Name} },
}

func (a accessStore) InsertDepartment(ctx context.Context, d *access.Department) error {
	if d != nil && d.ID.IsZero() {
		return billkit.InvalidField("id", "required", "is required")
	}
	return insertRow(ctx, a.s, departments.table, d)
}

func (a accessStore) GetDepartment(ctx context.Context, id access.DepartmentID) (*access.Department, error) {
	if id.IsZero() {
		return nil, billkit.NotFound("department", id)
	}
	return getRow(ctx, a.s, departments.table, id, byID(id))
}

func (a accessStore) UpdateDepartment(ctx context.Context, d *access.Department) error {
	return updateRow(ctx, a.s, departments.table, d)
}

// DeleteDepartment deletes the department; its memberships and grants go
// with it (ON DELETE CASCADE).
func (a accessStore) DeleteDepartment(ctx context.Context, id access.DepartmentID) error {
	return deleteRows(ctx, a.s, "billkit_departments", "department", id, "id = ?", id)
}

func (a accessStore) ListDepartments(ctx context.Context, f access.DepartmentFilter) (billkit.Page[access.Department], error) {
	return listRows(ctx, a.s, departments, f.PageParams, nil)
}

var departmentMembers = list[access.DepartmentMember]{
	table: table[access.DepartmentMember]{
		name: "billkit_department_members",
		kind: "department_member",
		key: func(m *access.DepartmentMember) any {
			return m.DepartmentID.String() + "/" + m.UserID.String()
		},
		norm: func(m *access.DepartmentMember) { instant(&m.CreatedAt) },
	},
	order: []keyCol{{expr: "?TableAlias.department_id"}, {expr: "?TableAlias.user_id"}},
	keyOf: func(m *access.DepartmentMember) []string {
		return []string{m.DepartmentID.String(), m.UserID.String()}
	},
}

func (a accessStore) InsertDepartmentMember(ctx context.Context, m *access.DepartmentMember) error {
	if m != nil && (m.DepartmentID.IsZero() || m.UserID.IsZero()) {
		return billkit.InvalidField("department_member", "required", "needs a department and a user")
	}
	return insertRow(ctx, a.s, departmentMembers.table, m)
}

func (a accessStore) DeleteDepartmentMember(ctx context.Context, department access.DepartmentID, user access.UserID) error {
	return deleteRows(ctx, a.s, "billkit_department_members", "department_member", department.String()+"/"+user.String(),
		"department_id = ? AND user_id = ?", department, user)
}

func (a accessStore) ListDepartmentMembers(ctx context.Context, f access.DepartmentMemberFilter) (billkit.Page[access.DepartmentMember], error) {
	return listRows(ctx, a.s, departmentMembers, f.PageParams, func(q *bun.SelectQuery) *bun.SelectQuery {
		if !f.DepartmentID.IsZero() {
			q = q.Where("?TableAlias.department_id = ?", f.DepartmentID)
		}
		if !f.UserID.IsZero() {
			q = q.Where("?TableAlias.user_id = ?", f.UserID)
		}
		return q
	})
}

var grants = list[access.Grant]{
	table: table[access.Grant]{
		name: "billkit_grants",
		kind: "grant",
		key:  func(g *access.Grant) any { return g.ID },
		norm: func(g *access.Grant) { instant(&g.CreatedAt) },
	},
	order: []keyCol{{expr: `?TableAlias."function"`}, {expr: "?TableAlias.op"}, {expr: "?TableAlias.id"}},
	keyOf: func(g *access.Grant) []string { return []string{g.Function, string(g.Op), g.ID.String()} },
}

// InsertGrant returns conflict "grant.exists" when the holder has the right
// already, and invalid when the grant names no holder or both.
func (a accessStore) InsertGrant(ctx context.Context, g *access.Grant) error {
	if g != nil && (g.ID.IsZero() || g.DepartmentID.IsZero() == g.UserID.IsZero()) {
		return billkit.InvalidField("grant", "access.grant_holder", "needs an ID and exactly one of a department and a user")
	}
	return insertRow(ctx, a.s, grants.table, g)
}

func (a accessStore) GetGrant(ctx context.Context, id access.GrantID) (*access.Grant, error) {
	if id.IsZero() {
		return nil, billkit.NotFound("grant", id)
	}
	return getRow(ctx, a.s, grants.table, id, byID(id))
}

func (a accessStore) DeleteGrant(ctx context.Context, id access.GrantID) error {
	return deleteRows(ctx, a.s, "billkit_grants", "grant", id, "id = ?", id)
}

func (a accessStore) ListGrants(ctx context.Context, f access.GrantFilter) (billkit.Page[access.Grant], error) {
	return listRows(ctx, a.s, grants, f.PageParams, func(q *bun.SelectQuery) *bun.SelectQuery {
		if !f.DepartmentID.IsZero() {
			q = q.Where("?TableAlias.department_id = ?", f.DepartmentID)
		}
		if !f.UserID.IsZero() {
			q = q.Where("?TableAlias.user_id = ?", f.UserID)
		}
		return q
	})
}

// ListUserRights returns, in one query, the distinct rights granted to the
// user in person or to its departments.
func (a accessStore) ListUserRights(ctx context.Context, user access.UserID) ([]billkit.Right, error) {
	if err := a.s.usable(ctx); err != nil {
		return nil, err
	}
	var rows []struct {
		Function string            `bun:"function"`
		Op       billkit.Operation `bun:"op"`
	}
	err := a.s.db.NewSelect().TableExpr("billkit_grants AS g").
		ColumnExpr(`DISTINCT g."function", g.op`).
		Where("g.user_id = ? OR g.department_id IN (SELECT dm.department_id FROM billkit_department_members AS dm WHERE dm.user_id = ?)", user, user).
		OrderExpr(`g."function" ASC, g.op ASC`).
		Scan(ctx, &rows)
	if err != nil {
		return nil, mapError(ctx, err, target{})
	}
	out := make([]billkit.Right, len(rows))
	for i, r := range rows {
		out[i] = billkit.R(r.Function, r.Op)
	}
	return out, nil
}

var fullRights = table[access.FullRights]{
	name: "billkit_full_rights",
	kind: "full_rights",
	key:  func(f *access.FullRights) any { return f.UserID },
	norm: func(f *access.FullRights) { instant(&f.CreatedAt) },
}

func (a accessStore) InsertFullRights(ctx context.Context, f *access.FullRights) error {
	if f != nil && f.UserID.IsZero() {
		return billkit.InvalidField("user_id", "required", "is required")
	}
	return insertRow(ctx, a.s, fullRights, f)
}

func (a accessStore) GetFullRights(ctx context.Context, user access.UserID) (*access.FullRights, error) {
	if user.IsZero() {
		return nil, billkit.NotFound("full_rights", user)
	}
	return getRow(ctx, a.s, fullRights, user, func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("?TableAlias.user_id = ?", user)
	})
}

func (a accessStore) DeleteFullRights(ctx context.Context, user access.UserID) error {
	return deleteRows(ctx, a.s, "billkit_full_rights", "full_rights", user, "user_id = ?", user)
}

func (a accessStore) ListFullRights(ctx context.Context) ([]access.FullRights, error) {
	if err := a.s.usable(ctx); err != nil {
		return nil, err
	}
	var out []access.FullRights
	err := a.s.db.NewSelect().Model(&out).ModelTableExpr(fullRights.expr(a.s)).
		OrderExpr("?TableAlias.created_at ASC, ?TableAlias.user_id ASC").Scan(ctx)
	if err != nil {
		return nil, mapError(ctx, err, target{})
	}
	for i := range out {
		fullRights.norm(&out[i])
	}
	return out, nil
}

// byID selects the row whose id column is id.
func byID(id any) func(*bun.SelectQuery) *bun.SelectQuery {
	return func(q *bun.SelectQuery) *bun.SelectQuery { return q.Where("?TableAlias.id = ?", id) }
}
