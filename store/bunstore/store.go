package bunstore

import (
	"context"
	"database/sql"
	"net/url"
	"strings"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/directory"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"

	// The pure-Go SQLite driver registers itself as "sqlite". It is imported
	// directly rather than through a shim so that no cgo driver is ever picked.
	_ "modernc.org/sqlite"
)

// Dialect names the database a Store runs on.
type Dialect string

// The supported databases.
const (
	DialectPostgres Dialect = "postgres"
	DialectSQLite   Dialect = "sqlite"
)

// Config configures Open. The zero value works.
type Config struct {
	// MaxOpenConns caps PostgreSQL connections. Default: 20. SQLite always
	// uses one connection (one writer).
	MaxOpenConns int
}

// defaultMaxOpenConns is Config.MaxOpenConns's default.
const defaultMaxOpenConns = 20

// Store is billkit's storage on bun. It implements every domain package's
// Store interface through an adapter per package (Directory, ...).
type Store struct {
	db      bun.IDB
	owned   *bun.DB // set when Open created the database handle
	dialect Dialect
	stmts   *hotStatements
	// err is set when New was given something billkit cannot run on; every
	// call then returns it instead of failing deep inside a query.
	err error
}

// Open connects to the database named by dsn: "postgres://" or
// "postgresql://" URLs for PostgreSQL; "file:" URIs, ":memory:" or a path
// ending in .db, .sqlite or .sqlite3 for SQLite. It does not migrate.
//
// SQLite connections get the pragmas billkit relies on when the DSN does not
// set them: foreign_keys(1), busy_timeout(5000) and, for files,
// journal_mode(WAL). SQLite uses a single connection, since it has one writer.
//
// A DSN of no known form is an invalid error naming field "dsn"; a database
// that cannot be reached is unavailable.
func Open(ctx context.Context, dsn string, cfg Config) (*Store, error) {
	if ctx == nil {
		return nil, billkit.InvalidField("ctx", "required", "is required")
	}
	if cfg.MaxOpenConns < 0 {
		return nil, billkit.InvalidField("max_open_conns", "store.max_open_conns_negative", "must not be negative")
	}
	var (
		db  *bun.DB
		err error
	)
	switch kindOfDSN(dsn) {
	case DialectPostgres:
		db, err = openPostgres(dsn, cfg)
	case DialectSQLite:
		db, err = openSQLite(dsn)
	default:
		return nil, billkit.InvalidField("dsn", "store.dsn_unknown",
			`must be a "postgres://" or "postgresql://" URL, a "file:" URI, ":memory:", or a path ending in .db, .sqlite or .sqlite3`)
	}
	if err != nil {
		return nil, err
	}
	s := New(db)
	s.owned = db
	if err := s.Ping(ctx); err != nil {
		_ = db.Close()
		return nil, err
	}
	s.stmts.prepareAll(ctx)
	return s, nil
}

// kindOfDSN says which database dsn names, or "" when it is of no known form.
func kindOfDSN(dsn string) Dialect {
	lower := strings.ToLower(strings.TrimSpace(dsn))
	switch {
	case lower == "":
		return ""
	case strings.HasPrefix(lower, "postgres://"), strings.HasPrefix(lower, "postgresql://"):
		return DialectPostgres
	case strings.HasPrefix(lower, "file:"), lower == ":memory:", strings.HasPrefix(lower, ":memory:?"):
		return DialectSQLite
	case strings.Contains(lower, "://"):
		return "" // another scheme: mysql://, sqlserver://, ...
	}
	path, _, _ := strings.Cut(lower, "?")
	for _, ext := range []string{".db", ".sqlite", ".sqlite3"} {
		if strings.HasSuffix(path, ext) && len(path) > len(ext) {
			return DialectSQLite
		}
	}
	return ""
}

func openPostgres(dsn string, cfg Config) (*bun.DB, error) {
	pc, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, &billkit.Error{
			Code: billkit.CodeInvalid, Reason: "store.dsn_malformed", Message: "invalid input",
			Fields: []billkit.FieldError{{Field: "dsn", Reason: "store.dsn_malformed", Message: "is not a valid PostgreSQL URL"}},
			Err:    err,
		}
	}
	// bun formats queries itself, so the simple protocol saves the round trip
	// of preparing each statement and works through transaction poolers.
	pc.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	sqldb := stdlib.OpenDB(*pc)
	n := cfg.MaxOpenConns
	if n == 0 {
		n = defaultMaxOpenConns
	}
	sqldb.SetMaxOpenConns(n)
	return bun.NewDB(sqldb, pgdialect.New()), nil
}

func openSQLite(dsn string) (*bun.DB, error) {
	dsn = sqliteDSN(strings.TrimSpace(dsn))
	sqldb, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, billkit.WrapError(err, billkit.CodeInternal, "store.open_failed", "opening SQLite")
	}
	// SQLite has one writer; one connection makes writers queue in the pool
	// rather than fail with SQLITE_BUSY, and keeps an in-memory database
	// alive for as long as the Store is open.
	sqldb.SetMaxOpenConns(1)
	sqldb.SetMaxIdleConns(1)
	sqldb.SetConnMaxLifetime(0)
	sqldb.SetConnMaxIdleTime(0)
	return bun.NewDB(sqldb, sqlitedialect.New()), nil
}

// sqliteDSN adds the pragmas billkit relies on when dsn does not set them.
// They go in the DSN because the driver runs them on every new connection.
func sqliteDSN(dsn string) string {
	base, query, _ := strings.Cut(dsn, "?")
	values, err := url.ParseQuery(query)
	if err != nil {
		values = url.Values{}
	}
	has := func(name string) bool {
		for _, p := range values["_pragma"] {
			if strings.HasPrefix(strings.ToLower(strings.TrimSpace(p)), name) {
				return true
			}
		}
		return false
	}
	var add []string
	if !has("foreign_keys") {
		add = append(add, "foreign_keys(1)")
	}
	if !has("busy_timeout") {
		add = append(add, "busy_timeout(5000)")
	}
	if !has("journal_mode") && !isMemoryDSN(base, values) {
		add = append(add, "journal_mode(WAL)")
	}
	if len(add) == 0 {
		return dsn
	}
	var b strings.Builder
	b.WriteString(dsn)
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
		if strings.HasSuffix(dsn, "?") || strings.HasSuffix(dsn, "&") {
			sep = ""
		}
	}
	for _, p := range add {
		b.WriteString(sep)
		b.WriteString("_pragma=")
		b.WriteString(url.QueryEscape(p))
		sep = "&"
	}
	return b.String()
}

// isMemoryDSN reports whether the SQLite DSN names an in-memory database,
// where WAL does not apply.
func isMemoryDSN(base string, q url.Values) bool {
	return base == ":memory:" || base == "file::memory:" || strings.HasPrefix(base, "file::memory:") ||
		q.Get("mode") == "memory" || base == "" || base == "file:"
}

// New returns a Store on an existing bun database or transaction. When db is a
// bun.Tx, billkit's writes commit with it, and billkit's own transactions
// become savepoints inside it.
//
// db must use bun's PostgreSQL or SQLite dialect; for any other db (or nil)
// the Store is returned anyway and every call on it fails with a
// failed_precondition error, so that New itself never panics.
func New(db bun.IDB) *Store {
	s := &Store{db: db}
	if db == nil {
		s.err = billkit.Errorf(billkit.CodeFailedPrecondition, "store.no_database", "bunstore.New was given a nil database")
		return s
	}
	switch db.Dialect().Name() {
	case dialect.PG:
		s.dialect = DialectPostgres
	case dialect.SQLite:
		s.dialect = DialectSQLite
	default:
		s.err = billkit.Errorf(billkit.CodeFailedPrecondition, "store.dialect_unsupported",
			"bunstore supports PostgreSQL and SQLite, not %s", db.Dialect().Name())
	}
	s.stmts = newHotStatements(db, s.dialect)
	return s
}

// Close closes the database if Open opened it; a Store made by New leaves
// closing to whoever opened the database.
func (s *Store) Close() error {
	if s == nil || s.owned == nil {
		return nil
	}
	s.stmts.close()
	if err := s.owned.Close(); err != nil {
		return billkit.WrapError(err, billkit.CodeInternal, "store.close_failed", "closing the database")
	}
	return nil
}

// DB returns the bun handle the Store runs on.
func (s *Store) DB() bun.IDB { return s.db }

// SQLDB returns the underlying *sql.DB when the Store owns it, else nil.
func (s *Store) SQLDB() *sql.DB {
	if s == nil || s.owned == nil {
		return nil
	}
	s.stmts.close()
	return s.owned.DB
}

// Dialect returns the database kind.
func (s *Store) Dialect() Dialect { return s.dialect }

// Ping checks the connection. A database that cannot be reached is
// unavailable.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.usable(ctx); err != nil {
		return err
	}
	var one int
	if err := s.db.NewRaw("SELECT 1").Scan(ctx, &one); err != nil {
		if ctxErr(ctx, err) {
			return err
		}
		return billkit.WrapError(err, billkit.CodeUnavailable, "store.unreachable", "the database cannot be reached")
	}
	return nil
}

// usable returns the error every call fails with when the Store cannot run.
func (s *Store) usable(ctx context.Context) error {
	if s == nil {
		return billkit.Errorf(billkit.CodeFailedPrecondition, "store.no_database", "nil *bunstore.Store")
	}
	if ctx == nil {
		return billkit.InvalidField("ctx", "required", "is required")
	}
	return s.err
}

// Directory returns the directory.Store of this Store.
func (s *Store) Directory() directory.Store { return directoryStore{s: s} }
