package bunstore

import (
	"context"
	"reflect"

	"github.com/billkit/billkit"
	"github.com/uptrace/bun"
)

// seedBatch is how many rows one INSERT of a Seed call carries.
const seedBatch = 250

// table describes one of billkit's tables to the generic helpers below, which
// every adapter uses for its plain inserts, updates, gets, seeds and lists.
// Domain types carry bun tags but no bun.BaseModel (domain packages do not
// import bun), so the table name is given here.
type table[T any] struct {
	// name is the table ("billkit_currencies").
	name string
	// kind names the object in error reasons ("currency").
	kind string
	// key returns the row's key, for error messages.
	key func(*T) any
	// norm puts the row's instants in stored form: UTC, microseconds.
	norm func(*T)
}

// expr is the table with the alias bun gives T's columns.
func (t table[T]) expr(s *Store) string {
	info := s.db.Dialect().Tables().Get(reflect.TypeFor[T]())
	return t.name + " AS " + string(info.SQLAlias)
}

func (t table[T]) target(row *T) target {
	return target{kind: t.kind, key: t.key(row)}
}

// nilRow is the error for a nil row given to a write.
func (t table[T]) nilRow() error {
	return billkit.InvalidField(t.kind, "required", "is required")
}

// insertRow inserts row; a duplicate key is conflict "<kind>.exists". One
// statement is atomic, so it needs no transaction of its own.
func insertRow[T any](ctx context.Context, s *Store, t table[T], row *T) error {
	if err := s.usable(ctx); err != nil {
		return err
	}
	if row == nil {
		return t.nilRow()
	}
	t.norm(row)
	_, err := s.db.NewInsert().Model(row).ModelTableExpr(t.expr(s)).Exec(ctx)
	return mapError(ctx, err, t.target(row))
}

// updateRow writes every column of row by its primary key; no row is
// not_found "<kind>.not_found".
func updateRow[T any](ctx context.Context, s *Store, t table[T], row *T) error {
	if err := s.usable(ctx); err != nil {
		return err
	}
	if row == nil {
		return t.nilRow()
	}
	t.norm(row)
	res, err := s.db.NewUpdate().Model(row).ModelTableExpr(t.expr(s)).WherePK().Exec(ctx)
	if err != nil {
		return mapError(ctx, err, t.target(row))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return mapError(ctx, err, t.target(row))
	}
	if n == 0 {
		return billkit.NotFound(t.kind, t.key(row))
	}
	return nil
}

// getRow reads the one row that where selects; none is not_found with key.
func getRow[T any](ctx context.Context, s *Store, t table[T], key any, where func(*bun.SelectQuery) *bun.SelectQuery) (*T, error) {
	if err := s.usable(ctx); err != nil {
		return nil, err
	}
	row := new(T)
	q := s.db.NewSelect().Model(row).ModelTableExpr(t.expr(s))
	err := where(q).Limit(1).Scan(ctx)
	if err != nil {
		return nil, mapError(ctx, err, target{kind: t.kind, key: key})
	}
	t.norm(row)
	return row, nil
}

// seedRows inserts the rows whose keys are not stored yet, in batches, in
// one transaction, and returns how many it inserted. Stored rows are left
// untouched (ON CONFLICT DO NOTHING), which makes seeding idempotent.
func seedRows[T any](ctx context.Context, s *Store, t table[T], rows []T) (int, error) {
	if err := s.usable(ctx); err != nil {
		return 0, err
	}
	if len(rows) == 0 {
		return 0, nil
	}
	// Normalize a copy: the caller's slice is theirs.
	own := make([]T, len(rows))
	copy(own, rows)
	for i := range own {
		t.norm(&own[i])
	}
	var total int
	err := s.inTx(ctx, func(tx *Store) error {
		total = 0 // a retried transaction counts again
		for start := 0; start < len(own); start += seedBatch {
			batch := own[start:min(start+seedBatch, len(own))]
			res, err := tx.db.NewInsert().Model(&batch).ModelTableExpr(t.expr(tx)).
				On("CONFLICT DO NOTHING").Exec(ctx)
			if err != nil {
				return mapError(ctx, err, target{kind: t.kind})
			}
			n, err := res.RowsAffected()
			if err != nil {
				return mapError(ctx, err, target{kind: t.kind})
			}
			total += int(n)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return total, nil
}

// list describes one keyset-paginated list query.
type list[T any] struct {
	table[T]
	// order is the order of the list, and its keyset.
	order []keyCol
	// keyOf returns the row's values of order's columns, as text.
	keyOf func(*T) []string
}

// listRows returns one page of rows that filter selects, in l's order,
// continuing after pp.Cursor.
func listRows[T any](ctx context.Context, s *Store, l list[T], pp billkit.PageParams, filter func(*bun.SelectQuery) *bun.SelectQuery) (billkit.Page[T], error) {
	if err := s.usable(ctx); err != nil {
		return billkit.Page[T]{}, err
	}
	if err := pp.Validate(); err != nil {
		return billkit.Page[T]{}, err
	}
	after, err := decodeCursor(pp.Cursor, len(l.order))
	if err != nil {
		return billkit.Page[T]{}, err
	}
	limit := pp.EffectiveLimit()
	items := make([]T, 0, limit+1)
	q := s.db.NewSelect().Model(&items).ModelTableExpr(l.expr(s))
	if filter != nil {
		q = filter(q)
	}
	if after != nil {
		q = keysetWhere(q, l.order, after)
	}
	// One row more than the page tells whether another page follows.
	if err := orderBy(q, l.order).Limit(int64(limit + 1)).Scan(ctx); err != nil {
		return billkit.Page[T]{}, mapError(ctx, err, target{})
	}
	page := billkit.Page[T]{Items: items}
	if len(items) > limit {
		page.Items = items[:limit]
		page.NextCursor = encodeCursor(l.keyOf(&page.Items[limit-1]))
	}
	for i := range page.Items {
		l.norm(&page.Items[i])
	}
	return page, nil
}

// lockedGet is getRow that, on PostgreSQL, locks the row FOR UPDATE until
// the transaction ends. SQLite needs no row lock: the Store has one
// connection, so its transactions run one after another.
func lockedGet[T any](ctx context.Context, s *Store, t table[T], id any, lock bool) (*T, error) {
	return getRow(ctx, s, t, id, func(q *bun.SelectQuery) *bun.SelectQuery {
		q = q.Where("?TableAlias.id = ?", id)
		if lock && s.dialect == DialectPostgres {
			q = q.For("UPDATE")
		}
		return q
	})
}
