package billing

import (
	"context"

	"github.com/billkit/billkit"
)

// Store keeps what billing owns. billkit's implementation is store/bunstore;
// store/storetest is its conformance suite. Error conventions are those of
// directory.Store.
type Store interface {
	// InTx runs fn in one transaction, or a savepoint when already in one.
	InTx(ctx context.Context, fn func(tx Store) error) error
	// InsertAction appends an entry to the action log; call it inside the
	// transaction of the change it records.
	InsertAction(ctx context.Context, a *billkit.Action) error
}
