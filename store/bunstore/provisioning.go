package bunstore

import (
	"context"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/catalog"
	"github.com/billkit/billkit/provisioning"
)

// provisioningStore is the provisioning.Store on bun.
type provisioningStore struct{ s *Store }

var _ provisioning.Store = provisioningStore{}

// Provisioning returns the provisioning.Store of this Store.
func (s *Store) Provisioning() provisioning.Store { return provisioningStore{s: s} }

// InTx runs fn in one transaction, or in a savepoint when already in one.
func (p provisioningStore) InTx(ctx context.Context, fn func(tx provisioning.Store) error) error {
	if fn == nil {
		return billkit.InvalidField("fn", "required", "is required")
	}
	return p.s.inTx(ctx, func(tx *Store) error { return fn(tx.Provisioning()) })
}

// Billing returns billing's store on the same database or transaction, so
// that a renewal's charge commits with the renewal.
func (p provisioningStore) Billing() billing.Store { return p.s.Billing() }

// Catalog returns the catalog's store on the same database or transaction,
// so that the stock an order takes commits with the order.
func (p provisioningStore) Catalog() catalog.Store { return p.s.Catalog() }

// InsertAction appends to the action log.
func (p provisioningStore) InsertAction(ctx context.Context, act *billkit.Action) error {
	return p.s.insertAction(ctx, act)
}

// emptyPage is the first (and only) page of a list that selects nothing,
// as a filter with an empty ClientIDs does; pp is still checked.
func emptyPage[T any](pp billkit.PageParams) (billkit.Page[T], error) {
	if err := pp.Validate(); err != nil {
		return billkit.Page[T]{}, err
	}
	return billkit.Page[T]{Items: []T{}}, nil
}

// rowsAffected returns how many rows res changed, mapping a driver error.
func rowsAffected(ctx context.Context, res interface{ RowsAffected() (int64, error) }, t target) (int64, error) {
	n, err := res.RowsAffected()
	if err != nil {
		return 0, mapError(ctx, err, t)
	}
	return n, nil
}

// rowExists reports whether the table has a row with the id, for the
// conditional updates that tell "no such row" from "condition not met"
// only after they changed nothing.
func rowExists(ctx context.Context, s *Store, table, kind string, id any) (bool, error) {
	ok, err := s.db.NewSelect().TableExpr(table).Where("id = ?", id).Exists(ctx)
	if err != nil {
		return false, mapError(ctx, err, target{kind: kind, key: id})
	}
	return ok, nil
}

// emptyMap returns m, or an empty map for nil, so that JSON columns never
// hold null and read back as they were written.
func emptyMap[K comparable, V any](m map[K]V) map[K]V {
	if m == nil {
		return map[K]V{}
	}
	return m
}
