package bunstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/billkit/billkit"
	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
)

// Reasons of the errors the store itself produces. Domain reasons
// ("currency.exists", "currency.not_found") are passed in by the adapters.
const (
	ReasonDuplicate        = "store.duplicate"
	ReasonReferenceMissing = "store.reference_missing"
	ReasonBusy             = "store.busy"
	ReasonInternal         = "store.internal"
)

// SQLite result codes billkit tells apart. Extended codes carry the primary
// code in their low byte.
const (
	sqliteBusy             = 5
	sqliteLocked           = 6
	sqliteConstraintFK     = 787
	sqliteConstraintPK     = 1555
	sqliteConstraintUnique = 2067
)

// errKind is the class of a driver error, independent of the database.
type errKind int

const (
	errOther errKind = iota
	errNoRows
	errUnique
	errForeignKey
	errRetryable
	errContext
)

// classify looks through err's chain for what the drivers report.
func classify(err error) errKind {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return errContext
	}
	if errors.Is(err, sql.ErrNoRows) {
		return errNoRows
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		switch pg.Code {
		case "23505":
			return errUnique
		case "23503":
			return errForeignKey
		case "40001", "40P01": // serialization_failure, deadlock_detected
			return errRetryable
		}
		return errOther
	}
	var lite *sqlite.Error
	if errors.As(err, &lite) {
		switch code := lite.Code(); {
		case code == sqliteConstraintUnique, code == sqliteConstraintPK:
			return errUnique
		case code == sqliteConstraintFK:
			return errForeignKey
		case code&0xff == sqliteBusy, code&0xff == sqliteLocked:
			return errRetryable
		}
	}
	return errOther
}

// ctxErr reports whether err is the context's own end, which passes through
// unchanged so callers can test it with errors.Is.
func ctxErr(ctx context.Context, err error) bool {
	return classify(err) == errContext || (ctx != nil && ctx.Err() != nil)
}

// target names the object a statement works on, for the errors it maps to.
type target struct {
	// kind is the object's name in reasons ("currency", "exchange_rate").
	kind string
	// key is its key as shown in messages.
	key any
}

// mapError turns a driver error into a *billkit.Error, in one place for every
// adapter:
//
//   - nil stays nil, and a *billkit.Error is returned as is;
//   - context cancellation passes through unchanged;
//   - sql.ErrNoRows is not_found with reason "<kind>.not_found";
//   - a unique violation is conflict with reason "<kind>.exists", or
//     ReasonDuplicate when no kind is named;
//   - a foreign-key violation is failed_precondition;
//   - serialization failures, deadlocks and SQLite BUSY/LOCKED are
//     unavailable, since the same call may succeed later;
//   - anything else is internal, wrapping the cause.
func mapError(ctx context.Context, err error, t target) error {
	if err == nil {
		return nil
	}
	var be *billkit.Error
	if errors.As(err, &be) {
		return err
	}
	switch classify(err) {
	case errContext:
		return err
	case errNoRows:
		if t.kind == "" {
			return billkit.WrapError(err, billkit.CodeNotFound, "store.not_found", "not found")
		}
		nf := billkit.NotFound(t.kind, t.key)
		nf.Err = err
		return nf
	case errUnique:
		reason, msg := ReasonDuplicate, "the object already exists"
		if t.kind != "" {
			reason, msg = t.kind+".exists", t.kind+" "+keyString(t.key)+" already exists"
		}
		return billkit.WrapError(err, billkit.CodeConflict, reason, msg)
	case errForeignKey:
		return billkit.WrapError(err, billkit.CodeFailedPrecondition, ReasonReferenceMissing,
			"the object refers to one that does not exist, or is referred to by another")
	case errRetryable:
		return billkit.WrapError(err, billkit.CodeUnavailable, ReasonBusy, "the database is busy; try again")
	}
	if ctx != nil && ctx.Err() != nil {
		// The driver reported the cancellation in its own words.
		return ctx.Err()
	}
	return billkit.WrapError(err, billkit.CodeInternal, ReasonInternal, "database error")
}

func keyString(key any) string {
	switch k := key.(type) {
	case nil:
		return ""
	case string:
		return k
	case interface{ String() string }:
		return k.String()
	}
	return ""
}
