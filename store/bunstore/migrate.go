package bunstore

import (
	"context"
	"embed"
	"io/fs"

	"github.com/billkit/billkit"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"
)

// The migrations, one folder per dialect. Both folders hold the same file
// names, so a migration has one name on every database.
//
//go:embed migrations/postgres/*.sql migrations/sqlite/*.sql
var migrationFiles embed.FS

// The tables that record applied migrations. They carry billkit's prefix so
// that an embedder's own bun migrations keep theirs.
const (
	migrationsTable     = "billkit_migrations"
	migrationLocksTable = "billkit_migration_locks"
)

// migrator returns bun's migrator for the Store's dialect. Migrations need
// the database itself, not a transaction: bun runs each one on its own
// connection.
func (s *Store) migrator(ctx context.Context) (*migrate.Migrator, error) {
	if err := s.usable(ctx); err != nil {
		return nil, err
	}
	db, ok := s.db.(*bun.DB)
	if !ok {
		return nil, billkit.Errorf(billkit.CodeFailedPrecondition, "store.migrate_in_tx",
			"migrations run on a database, not inside a transaction (%T)", s.db)
	}
	sub, err := fs.Sub(migrationFiles, "migrations/"+string(s.dialect))
	if err != nil {
		return nil, billkit.WrapError(err, billkit.CodeInternal, ReasonInternal, "reading the embedded migrations")
	}
	ms := migrate.NewMigrations()
	if err := ms.Discover(sub); err != nil {
		return nil, billkit.WrapError(err, billkit.CodeInternal, ReasonInternal, "reading the embedded migrations")
	}
	return migrate.NewMigrator(db, ms,
		migrate.WithTableName(migrationsTable),
		migrate.WithLocksTableName(migrationLocksTable),
		// A migration that fails is not recorded as applied, so fixing the
		// cause and migrating again runs it again.
		migrate.WithMarkAppliedOnSuccess(true),
	), nil
}

// Migrate applies the pending migrations and returns their names. It is an
// explicit call: Open never changes the schema. Concurrent Migrate calls on
// one database are serialized by a lock row; the loser gets unavailable.
func (s *Store) Migrate(ctx context.Context) ([]string, error) {
	m, err := s.migrator(ctx)
	if err != nil {
		return nil, err
	}
	if err := m.Init(ctx); err != nil {
		return nil, mapError(ctx, err, target{})
	}
	if err := m.Lock(ctx); err != nil {
		if ctxErr(ctx, err) {
			return nil, err
		}
		return nil, billkit.WrapError(err, billkit.CodeUnavailable, "store.migration_locked",
			"another process is migrating the database; try again")
	}
	defer func() { _ = m.Unlock(context.WithoutCancel(ctx)) }()
	group, err := m.Migrate(ctx)
	var names []string
	if group != nil {
		for _, mg := range group.Migrations {
			names = append(names, mg.String())
		}
	}
	if err != nil {
		if ctxErr(ctx, err) {
			return nil, err
		}
		return nil, billkit.WrapError(err, billkit.CodeInternal, "store.migration_failed", "migrating the database")
	}
	s.stmts.prepareAll(ctx)
	return names, nil
}

// MigrationStatus lists every migration and whether it is applied, oldest
// first.
func (s *Store) MigrationStatus(ctx context.Context) ([]Migration, error) {
	m, err := s.migrator(ctx)
	if err != nil {
		return nil, err
	}
	if err := m.Init(ctx); err != nil {
		return nil, mapError(ctx, err, target{})
	}
	ms, err := m.MigrationsWithStatus(ctx)
	if err != nil {
		return nil, mapError(ctx, err, target{})
	}
	out := make([]Migration, 0, len(ms))
	for _, mg := range ms {
		out = append(out, Migration{Name: mg.String(), Applied: mg.IsApplied()})
	}
	return out, nil
}

// Migration is one schema migration and whether it is applied.
type Migration struct {
	Name    string
	Applied bool
}
