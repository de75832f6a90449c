package bunstore

import (
	"context"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/access"
)

// accessStore is the access.Store on bun. The identity methods live in
// access_identity*.go, the rights methods in access_rights*.go.
type accessStore struct{ s *Store }

var _ access.Store = accessStore{}

// Access returns the access.Store of this Store.
func (s *Store) Access() access.Store { return accessStore{s: s} }

// InTx runs fn in one transaction, or in a savepoint when already in one.
func (a accessStore) InTx(ctx context.Context, fn func(tx access.Store) error) error {
	if fn == nil {
		return billkit.InvalidField("fn", "required", "is required")
	}
	return a.s.inTx(ctx, func(tx *Store) error { return fn(tx.Access()) })
}

// InsertAction appends to the action log.
func (a accessStore) InsertAction(ctx context.Context, act *billkit.Action) error {
	return a.s.insertAction(ctx, act)
}
