package bunstore

import (
	"context"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
)

// billingStore is the billing.Store on bun.
type billingStore struct{ s *Store }

var _ billing.Store = billingStore{}

// Billing returns the billing.Store of this Store.
func (s *Store) Billing() billing.Store { return billingStore{s: s} }

// InTx runs fn in one transaction, or in a savepoint when already in one.
func (b billingStore) InTx(ctx context.Context, fn func(tx billing.Store) error) error {
	if fn == nil {
		return billkit.InvalidField("fn", "required", "is required")
	}
	return b.s.inTx(ctx, func(tx *Store) error { return fn(tx.Billing()) })
}

// InsertAction appends to the action log.
func (b billingStore) InsertAction(ctx context.Context, act *billkit.Action) error {
	return b.s.insertAction(ctx, act)
}
