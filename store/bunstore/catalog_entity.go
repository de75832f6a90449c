package bunstore

import (
	"context"

	"github.com/billkit/billkit"
	"github.com/uptrace/bun"
)

// catalogEntity is one kind of catalog entity to the generic row helpers:
// the catalogStore methods of every kind are the same but for the table.
type catalogEntity[T any] struct {
	// rows is the entity's table and list order.
	rows list[T]
	// id returns the row's ID.
	id func(*T) billkit.ID[T]
}

// insert inserts row, which must have an ID.
func (e catalogEntity[T]) insert(ctx context.Context, s *Store, row *T) error {
	if row != nil && e.id(row).IsZero() {
		return billkit.InvalidField("id", "required", "is required")
	}
	return insertRow(ctx, s, e.rows.table, row)
}

// get reads the row with the id; the zero ID is not_found.
func (e catalogEntity[T]) get(ctx context.Context, s *Store, id billkit.ID[T]) (*T, error) {
	if id.IsZero() {
		return nil, billkit.NotFound(e.rows.kind, id)
	}
	return getRow(ctx, s, e.rows.table, id, billingByID(id))
}

// getByCode reads the provider's row with the code.
func (e catalogEntity[T]) getByCode(ctx context.Context, s *Store, provider billkit.ProviderID, code string) (*T, error) {
	return getRow(ctx, s, e.rows.table, code, catalogByCode(provider, code))
}

func (e catalogEntity[T]) update(ctx context.Context, s *Store, row *T) error {
	return updateRow(ctx, s, e.rows.table, row)
}

func (e catalogEntity[T]) delete(ctx context.Context, s *Store, id billkit.ID[T]) error {
	return deleteRow(ctx, s, e.rows.table, id)
}

// list returns one page of the provider's rows (all providers' when provider
// is zero) that filter, when not nil, also selects.
func (e catalogEntity[T]) list(ctx context.Context, s *Store, pp billkit.PageParams, provider billkit.ProviderID, filter func(*bun.SelectQuery) *bun.SelectQuery) (billkit.Page[T], error) {
	return listRows(ctx, s, e.rows, pp, func(q *bun.SelectQuery) *bun.SelectQuery {
		q = catalogProvider(q, provider)
		if filter != nil {
			q = filter(q)
		}
		return q
	})
}
