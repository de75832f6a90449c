package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	"github.com/billkit/billkit/store/bunstore"
	"github.com/uptrace/bun"
)

// PostgresDSNEnv names the environment variable that points the tests at a
// PostgreSQL server ("postgres://postgres@127.0.0.1:5432/test?sslmode=disable").
const PostgresDSNEnv = "BILLKIT_TEST_POSTGRES_DSN"

// PostgresDSN returns the DSN of the test PostgreSQL server. When it is not
// set, the test is skipped, except in CI (CI=true), where it fails: CI must
// test PostgreSQL, and a missing database must not pass unnoticed.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(PostgresDSNEnv)
	if dsn == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("storetest: %s is not set: CI must test PostgreSQL", PostgresDSNEnv)
		}
		t.Skipf("storetest: %s is not set; skipping PostgreSQL", PostgresDSNEnv)
	}
	return dsn
}

// NewPostgres returns a migrated Store on a fresh database
// billkit_test_<random> created on the server PostgresDSN names, and drops
// the database when the test ends. Each call gets its own database, so tests
// may run in parallel.
func NewPostgres(t testing.TB) *bunstore.Store {
	st, _ := NewPostgresDSN(t)
	return st
}

// NewPostgresDSN is NewPostgres that also returns the new database's DSN,
// for another process to open.
func NewPostgresDSN(t testing.TB) (*bunstore.Store, string) {
	t.Helper()
	dsn := PostgresDSN(t)
	ctx := context.Background()
	admin, err := bunstore.Open(ctx, dsn, bunstore.Config{MaxOpenConns: 2})
	if err != nil {
		t.Fatalf("storetest: connecting to %s: %v", PostgresDSNEnv, err)
	}
	defer admin.Close()

	var rnd [8]byte
	_, _ = rand.Read(rnd[:])
	name := "billkit_test_" + hex.EncodeToString(rnd[:])
	if _, err := admin.DB().NewRaw("CREATE DATABASE ?", bun.Ident(name)).Exec(ctx); err != nil {
		t.Fatalf("storetest: creating database %s: %v", name, err)
	}
	t.Cleanup(func() {
		a, err := bunstore.Open(context.Background(), dsn, bunstore.Config{MaxOpenConns: 1})
		if err != nil {
			t.Errorf("storetest: connecting to drop %s: %v", name, err)
			return
		}
		defer a.Close()
		if _, err := a.DB().NewRaw("DROP DATABASE IF EXISTS ? WITH (FORCE)", bun.Ident(name)).Exec(context.Background()); err != nil {
			t.Errorf("storetest: dropping database %s: %v", name, err)
		}
	})

	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("storetest: %s is not a URL: %v", PostgresDSNEnv, err)
	}
	u.Path = "/" + name
	// Registered after the drop, so it runs before it (cleanups run last
	// first): the Store's connections close, then the database goes.
	return openMigrated(t, u.String()), u.String()
}
