package bunstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/billkit/billkit"
	"github.com/uptrace/bun"
)

// maxTxAttempts bounds how often a top-level transaction is run when the
// database asks for a retry (a serialization failure, a deadlock, SQLite
// BUSY). After that the caller gets unavailable.
const maxTxAttempts = 5

// inTx runs fn in one transaction with a Store bound to it. It is the one
// transaction helper every adapter uses, so that "one write is one
// transaction" and savepoint nesting behave the same in every domain:
//
//   - on a database, it begins a transaction, commits when fn returns nil and
//     rolls back otherwise; when the database asks for a retry it runs fn
//     again, up to maxTxAttempts times, then returns unavailable;
//   - on a transaction (an embedder's via New(tx), or an outer inTx), it runs
//     fn inside a savepoint, and a failing fn rolls back only that savepoint.
//     It does not retry there: the outer transaction owns the retry.
//
// An error from fn is returned as is.
func (s *Store) inTx(ctx context.Context, fn func(tx *Store) error) error {
	if err := s.usable(ctx); err != nil {
		return err
	}
	switch db := s.db.(type) {
	case bun.Tx:
		return s.savepoint(ctx, db, fn)
	case *bun.Tx:
		return s.savepoint(ctx, *db, fn)
	}
	b, ok := s.db.(interface {
		BeginTx(context.Context, *sql.TxOptions) (bun.Tx, error)
	})
	if !ok {
		return billkit.Errorf(billkit.CodeFailedPrecondition, "store.no_transactions",
			"the database handle %T cannot begin transactions", s.db)
	}
	var err error
	for attempt := 1; ; attempt++ {
		err = s.once(ctx, b, fn)
		if err == nil || classify(err) != errRetryable && !billkit.HasReason(err, ReasonBusy) {
			return err
		}
		if attempt == maxTxAttempts {
			break
		}
		if werr := backoff(ctx, attempt); werr != nil {
			return werr
		}
	}
	return billkit.WrapError(err, billkit.CodeUnavailable, ReasonBusy, "the database stayed busy; try again later")
}

// once runs one attempt of a top-level transaction.
func (s *Store) once(ctx context.Context, b interface {
	BeginTx(context.Context, *sql.TxOptions) (bun.Tx, error)
}, fn func(tx *Store) error) (err error) {
	tx, err := b.BeginTx(ctx, nil)
	if err != nil {
		return mapError(ctx, err, target{})
	}
	done := false
	defer func() {
		if !done {
			// A panic in fn must not leave the connection in a transaction.
			_ = tx.Rollback()
		}
	}()
	if err := fn(s.bound(tx)); err != nil {
		done = true
		_ = tx.Rollback()
		return err
	}
	done = true
	if err := tx.Commit(); err != nil {
		return mapError(ctx, err, target{})
	}
	return nil
}

// savepoint runs fn inside a savepoint of tx. bun's Tx.BeginTx on a Tx issues
// SAVEPOINT with a random unique name, and its Commit and Rollback release and
// roll back to it.
func (s *Store) savepoint(ctx context.Context, tx bun.Tx, fn func(tx *Store) error) error {
	sp, err := tx.BeginTx(ctx, nil)
	if err != nil {
		return mapError(ctx, err, target{})
	}
	done := false
	defer func() {
		if !done {
			_ = sp.Rollback()
		}
	}()
	if err := fn(s.bound(sp)); err != nil {
		done = true
		if rerr := sp.Rollback(); rerr != nil && !ctxErr(ctx, rerr) {
			return errors.Join(err, mapError(ctx, rerr, target{}))
		}
		return err
	}
	done = true
	if err := sp.Commit(); err != nil {
		return mapError(ctx, err, target{})
	}
	return nil
}

// bound returns a Store like s that runs on tx.
func (s *Store) bound(tx bun.Tx) *Store {
	return &Store{db: tx, dialect: s.dialect, stmts: s.stmts}
}

// backoff waits a little before the next attempt, longer each time, so that
// transactions that collided do not collide again at once. It returns early
// with the context's error when ctx ends.
func backoff(ctx context.Context, attempt int) error {
	d := time.Duration(attempt*attempt) * 5 * time.Millisecond
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
