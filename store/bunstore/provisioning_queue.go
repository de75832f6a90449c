package bunstore

import (
	"database/sql"
	"fmt"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/provisioning"
	"github.com/uptrace/bun"
)

// Reasons of SQLTx's errors.
const (
	// ReasonForeignStore: the store given is not one of this package's.
	ReasonForeignStore = "store.foreign"
	// ReasonNotInTx: the store given is not bound to a transaction.
	ReasonNotInTx = "store.not_in_tx"
)

// SQLTx returns the *sql.Tx under st, a provisioning store of this package
// bound to a transaction: the one provisioning.Store.InTx hands its
// function (a savepoint's included, which lives on the same *sql.Tx), or
// one made by New on a bun.Tx. A job queue writes its job on it, so that
// the job commits, or rolls back, with the task that asked for it.
//
// A nil st, or one of another implementation, is an invalid error naming
// field "store" (reason "required" or [ReasonForeignStore]); a store of
// this package outside a transaction is failed_precondition
// [ReasonNotInTx].
func SQLTx(st provisioning.Store) (*sql.Tx, error) {
	if st == nil {
		return nil, billkit.InvalidField("store", "required", "is required")
	}
	p, ok := st.(provisioningStore)
	if !ok || p.s == nil {
		return nil, billkit.InvalidField("store", ReasonForeignStore,
			fmt.Sprintf("is a %T, not a provisioning store of bunstore", st))
	}
	if err := p.s.err; err != nil {
		return nil, err
	}
	switch db := p.s.db.(type) {
	case bun.Tx:
		if db.Tx != nil {
			return db.Tx, nil
		}
	case *bun.Tx:
		if db != nil && db.Tx != nil {
			return db.Tx, nil
		}
	}
	return nil, billkit.Errorf(billkit.CodeFailedPrecondition, ReasonNotInTx,
		"the provisioning store is not in a transaction: call it from the function InTx runs")
}
