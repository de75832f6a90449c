package bunstore

import (
	"context"
	"database/sql"

	"github.com/billkit/billkit/directory"
	"github.com/uptrace/bun"
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

// Store is billkit's storage on bun. It implements every domain package's
// Store interface through an adapter per package (Directory, ...).
type Store struct {
	db      bun.IDB
	owned   *bun.DB // set when Open created the database handle
	dialect Dialect
}

// Open connects to the database named by dsn: "postgres://" or
// "postgresql://" URLs for PostgreSQL; "file:" URIs, ":memory:" or a path
// ending in .db/.sqlite for SQLite. It does not migrate.
func Open(ctx context.Context, dsn string, cfg Config) (*Store, error) { panic("todo") }

// New returns a Store on an existing bun database or transaction. When db is a
// bun.Tx, billkit's writes commit with it, and billkit's own transactions
// become savepoints inside it.
func New(db bun.IDB) *Store { panic("todo") }

// Close closes the database if Open opened it.
func (s *Store) Close() error { panic("todo") }

// DB returns the bun handle the Store runs on.
func (s *Store) DB() bun.IDB { return s.db }

// SQLDB returns the underlying *sql.DB when the Store owns it, else nil.
func (s *Store) SQLDB() *sql.DB { panic("todo") }

// Dialect returns the database kind.
func (s *Store) Dialect() Dialect { return s.dialect }

// Ping checks the connection.
func (s *Store) Ping(ctx context.Context) error { panic("todo") }

// Migration is one schema migration and whether it is applied.
type Migration struct {
	Name    string
	Applied bool
}

// Migrate applies the pending migrations and returns their names.
func (s *Store) Migrate(ctx context.Context) ([]string, error) { panic("todo") }

// MigrationStatus lists every migration and whether it is applied.
func (s *Store) MigrationStatus(ctx context.Context) ([]Migration, error) { panic("todo") }

// Directory returns the directory.Store of this Store.
func (s *Store) Directory() directory.Store { panic("todo") }
