package riverjobs

import (
	"context"
	"database/sql"
	"log/slog"
	"sync"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/store/bunstore"
	"github.com/riverqueue/river/rivermigrate"
)

// migrateLockKey is the PostgreSQL advisory lock that serializes River's
// migrations between processes: "billkit" in ASCII, then 1.
const migrateLockKey int64 = 0x62696c6c6b6974_01

// migrating serializes Migrate within the process, where SQLite has no
// lock to take turns on.
var migrating sync.Mutex

// Migrate creates or updates River's tables (river_job and the others,
// beside billkit's) on st's database, applying only the migrations still
// missing, so running it again does nothing. `billkit migrate` and
// `billkit serve` call it after the store's own Store.Migrate.
//
// Calls that migrate at once take turns: within a process on a mutex, and
// between processes on PostgreSQL on an advisory lock. A nil st is invalid
// "store"; a store on a transaction is failed_precondition ReasonNeedsDB.
func Migrate(ctx context.Context, st *bunstore.Store) error {
	if ctx == nil {
		return billkit.InvalidField("ctx", "required", "is required")
	}
	if st == nil {
		return billkit.InvalidField("store", "required", "is required")
	}
	driver, err := driverFor(st)
	if err != nil {
		return err
	}
	db, err := sqlDB(st)
	if err != nil {
		return err
	}
	// Each applied version is an info line of River's; the caller reports
	// the migration itself, so only River's warnings go through.
	logger := slog.New(warnings{slog.Default().Handler()})
	m, err := rivermigrate.New(driver, &rivermigrate.Config{Logger: logger})
	if err != nil {
		return billkit.WrapError(err, billkit.CodeInternal, ReasonMigrate, "preparing River's migrations")
	}
	migrating.Lock()
	defer migrating.Unlock()
	if st.Dialect() == bunstore.DialectPostgres && db.Stats().MaxOpenConnections != 1 {
		unlock, err := lockMigrations(ctx, db)
		if err != nil {
			return err
		}
		defer unlock()
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return billkit.WrapError(err, billkit.CodeInternal, ReasonMigrate, "applying River's migrations")
	}
	return nil
}

// lockMigrations takes the migration lock on a connection of its own,
// waiting for another process's migration to end, and returns its release.
// The migrations themselves run on other connections of the pool (a pool
// of one connection skips the lock rather than wait for itself).
func lockMigrations(ctx context.Context, db *sql.DB) (func(), error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, billkit.WrapError(err, billkit.CodeUnavailable, "store.unreachable", "the database cannot be reached")
	}
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", migrateLockKey); err != nil {
		_ = conn.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, billkit.WrapError(err, billkit.CodeUnavailable, ReasonMigrate, "waiting for another process's River migration")
	}
	return func() {
		// Closing the connection would release the lock too, but the pool
		// keeps it open.
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", migrateLockKey)
		_ = conn.Close()
	}, nil
}

// warnings passes on the records of h at warning level and above.
type warnings struct{ slog.Handler }

// Enabled reports whether h handles level, which must be a warning or
// worse.
func (w warnings) Enabled(ctx context.Context, level slog.Level) bool {
	return level >= slog.LevelWarn && w.Handler.Enabled(ctx, level)
}

// WithAttrs keeps the filter on the derived handler.
func (w warnings) WithAttrs(attrs []slog.Attr) slog.Handler {
	return warnings{w.Handler.WithAttrs(attrs)}
}

// WithGroup keeps the filter on the derived handler.
func (w warnings) WithGroup(name string) slog.Handler { return warnings{w.Handler.WithGroup(name)} }
