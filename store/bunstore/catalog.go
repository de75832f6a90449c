package bunstore

import (
	"context"
	"strconv"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/catalog"
	"github.com/uptrace/bun"
)

// catalogStore is the catalog.Store on bun. The parts of an entity (prices,
// addons, enumeration values, reference lists) are JSON columns.
type catalogStore struct{ s *Store }

var _ catalog.Store = catalogStore{}

// Catalog returns the catalog.Store of this Store.
func (s *Store) Catalog() catalog.Store { return catalogStore{s: s} }

// InTx runs fn in one transaction, or in a savepoint when already in one.
func (c catalogStore) InTx(ctx context.Context, fn func(tx catalog.Store) error) error {
	if fn == nil {
		return billkit.InvalidField("fn", "required", "is required")
	}
	return c.s.inTx(ctx, func(tx *Store) error { return fn(tx.Catalog()) })
}

// InsertAction appends to the action log.
func (c catalogStore) InsertAction(ctx context.Context, act *billkit.Action) error {
	return c.s.insertAction(ctx, act)
}

// catalogByCode selects the provider's row with the code.
func catalogByCode(provider billkit.ProviderID, code string) func(*bun.SelectQuery) *bun.SelectQuery {
	return func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("?TableAlias.provider_id = ?", provider).Where("?TableAlias.code = ?", code)
	}
}

// catalogProvider keeps the provider's rows when provider is not zero.
func catalogProvider(q *bun.SelectQuery, provider billkit.ProviderID) *bun.SelectQuery {
	if provider.IsZero() {
		return q
	}
	return q.Where("?TableAlias.provider_id = ?", provider)
}

// deleteRow deletes the row with the id; none is not_found "<kind>.not_found".
func deleteRow[T any](ctx context.Context, s *Store, t table[T], id any) error {
	if err := s.usable(ctx); err != nil {
		return err
	}
	res, err := s.db.NewDelete().TableExpr(t.name).Where("id = ?", id).Exec(ctx)
	if err != nil {
		return mapError(ctx, err, target{kind: t.kind, key: id})
	}
	n, err := res.RowsAffected()
	if err != nil {
		return mapError(ctx, err, target{kind: t.kind, key: id})
	}
	if n == 0 {
		return billkit.NotFound(t.kind, id)
	}
	return nil
}

// The orders of catalog lists: display order, then code, then ID; or code,
// then ID.
var (
	catalogDisplayOrder = []keyCol{
		{expr: "?TableAlias.display_order", arg: "CAST(? AS INTEGER)"},
		{expr: "?TableAlias.code"},
		{expr: "?TableAlias.id"},
	}
	catalogCodeOrder = []keyCol{{expr: "?TableAlias.code"}, {expr: "?TableAlias.id"}}
)

func itoa(n int) string { return strconv.Itoa(n) }
