package bunstore_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/directory"
	"github.com/billkit/billkit/store/bunstore"
	"github.com/billkit/billkit/store/storetest"
	"github.com/shopspring/decimal"
	"github.com/uptrace/bun"
)

// eachDB runs fn on SQLite in memory, on an SQLite file, and on PostgreSQL
// when it is configured.
func eachDB(t *testing.T, fn func(t *testing.T, st *bunstore.Store)) {
	t.Run("sqlite-memory", func(t *testing.T) { fn(t, storetest.NewMemory(t)) })
	t.Run("sqlite-file", func(t *testing.T) { fn(t, storetest.NewFile(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, storetest.NewPostgres(t)) })
}

func TestOpenBadDSN(t *testing.T) {
	ctx := context.Background()
	for _, dsn := range []string{"", "   ", "mysql://root@localhost/db", "billkit", "/tmp/billkit.txt", "postgres://%zz"} {
		t.Run(dsn, func(t *testing.T) {
			st, err := bunstore.Open(ctx, dsn, bunstore.Config{})
			if err == nil {
				st.Close()
				t.Fatalf("Open(%q) succeeded", dsn)
			}
			e, ok := err.(*billkit.Error)
			if !ok || e.Code != billkit.CodeInvalid {
				t.Fatalf("Open(%q) = %v, want invalid", dsn, err)
			}
			if _, ok := e.Field("dsn"); !ok {
				t.Fatalf("Open(%q) = %v, does not name field dsn", dsn, err)
			}
		})
	}
	t.Run("negative max conns", func(t *testing.T) {
		_, err := bunstore.Open(ctx, ":memory:", bunstore.Config{MaxOpenConns: -1})
		if !billkit.IsCode(err, billkit.CodeInvalid) {
			t.Fatalf("err = %v, want invalid", err)
		}
	})
	t.Run("unreachable postgres", func(t *testing.T) {
		_, err := bunstore.Open(ctx, "postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=2", bunstore.Config{})
		if !billkit.IsCode(err, billkit.CodeUnavailable) {
			t.Fatalf("err = %v, want unavailable", err)
		}
	})
}

func TestOpenSQLiteForms(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for _, dsn := range []string{
		":memory:",
		"file::memory:",
		"file:forms?mode=memory&cache=shared",
		filepath.Join(dir, "plain.db"),
		filepath.Join(dir, "plain.sqlite"),
		"file:" + filepath.Join(dir, "uri.db"),
		"file:" + filepath.Join(dir, "own.db") + "?_pragma=busy_timeout(100)",
	} {
		t.Run(dsn, func(t *testing.T) {
			st, err := bunstore.Open(ctx, dsn, bunstore.Config{})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			if st.Dialect() != bunstore.DialectSQLite || st.SQLDB() == nil {
				t.Fatalf("dialect %q, SQLDB %v", st.Dialect(), st.SQLDB())
			}
			if got := st.SQLDB().Stats().MaxOpenConnections; got != 1 {
				t.Fatalf("MaxOpenConnections = %d, want 1", got)
			}
			var fk int
			if err := st.DB().NewRaw("PRAGMA foreign_keys").Scan(ctx, &fk); err != nil || fk != 1 {
				t.Fatalf("foreign_keys = %d, %v", fk, err)
			}
			var mode string
			if err := st.DB().NewRaw("PRAGMA journal_mode").Scan(ctx, &mode); err != nil {
				t.Fatal(err)
			}
			if memory := strings.Contains(dsn, "memory"); memory == (mode == "wal") {
				t.Fatalf("journal_mode = %q for %s", mode, dsn)
			}
			if _, err := st.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestMigrate(t *testing.T) {
	eachDB(t, func(t *testing.T, st *bunstore.Store) {
		ctx := context.Background()
		// storetest migrated already: a second run applies nothing.
		names, err := st.Migrate(ctx)
		if err != nil || len(names) != 0 {
			t.Fatalf("second Migrate = %v, %v", names, err)
		}
		ms, err := st.MigrationStatus(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) == 0 || ms[0].Name != "20261124000001_directory" || !ms[0].Applied {
			t.Fatalf("MigrationStatus = %+v", ms)
		}
		for _, table := range []string{"billkit_migrations", "billkit_migration_locks", "billkit_countries", "billkit_subdivisions", "billkit_currencies", "billkit_exchange_rates", "billkit_units", "billkit_tlds", "billkit_locales"} {
			var n int
			if err := st.DB().NewRaw("SELECT count(*) FROM ?", bun.Ident(table)).Scan(ctx, &n); err != nil {
				t.Errorf("table %s: %v", table, err)
			}
		}
	})
}

func TestMigrateInTxIsRefused(t *testing.T) {
	ctx := context.Background()
	st := storetest.NewMemory(t)
	tx, err := st.DB().BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	_, err = bunstore.New(tx).Migrate(ctx)
	if !billkit.IsCode(err, billkit.CodeFailedPrecondition) {
		t.Fatalf("Migrate in a tx = %v, want failed_precondition", err)
	}
}

func TestNewNil(t *testing.T) {
	st := bunstore.New(nil)
	ctx := context.Background()
	if err := st.Ping(ctx); !billkit.IsCode(err, billkit.CodeFailedPrecondition) {
		t.Fatalf("Ping = %v", err)
	}
	if _, err := st.Directory().GetCurrency(ctx, "USD"); !billkit.IsCode(err, billkit.CodeFailedPrecondition) {
		t.Fatalf("GetCurrency = %v", err)
	}
	if err := st.Directory().InTx(ctx, func(directory.Store) error { return nil }); !billkit.IsCode(err, billkit.CodeFailedPrecondition) {
		t.Fatalf("InTx = %v", err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestMigrationFoldersMatch keeps one migration name per version on every
// database.
func TestMigrationFoldersMatch(t *testing.T) {
	list := func(dir string) []string {
		var names []string
		err := fs.WalkDir(os.DirFS(dir), ".", func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				names = append(names, p)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return names
	}
	pg, lite := list("migrations/postgres"), list("migrations/sqlite")
	if len(pg) == 0 || !slices.Equal(pg, lite) {
		t.Fatalf("migrations/postgres %v and migrations/sqlite %v differ", pg, lite)
	}
	for _, name := range pg {
		if !strings.HasSuffix(name, ".up.sql") && !strings.HasSuffix(name, ".down.sql") {
			t.Errorf("%s is neither .up.sql nor .down.sql", name)
		}
	}
}

// TestMoneyRoundTrip stores billkit.Money in one text column, as an embedder
// may, and reads it back unchanged.
func TestMoneyRoundTrip(t *testing.T) {
	eachDB(t, func(t *testing.T, st *bunstore.Store) {
		ctx := context.Background()
		if _, err := st.DB().NewRaw("CREATE TABLE test_money (id integer PRIMARY KEY, m text)").Exec(ctx); err != nil {
			t.Fatal(err)
		}
		for i, s := range []string{"1234.50", "0", "-0.01", "123456789012345678901234.567890"} {
			m, err := billkit.NewMoney(decimal.RequireFromString(s), "USD")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := st.DB().NewRaw("INSERT INTO test_money (id, m) VALUES (?, ?)", i, m).Exec(ctx); err != nil {
				t.Fatal(err)
			}
			var got billkit.Money
			if err := st.DB().NewRaw("SELECT m FROM test_money WHERE id = ?", i).Scan(ctx, &got); err != nil {
				t.Fatal(err)
			}
			if got.Currency() != "USD" || !got.Amount().Equal(m.Amount()) {
				t.Fatalf("%v came back as %v", m, got)
			}
		}
	})
}

// TestDecimalRoundTrip stores 30-digit decimals in NUMERIC (PostgreSQL) or
// TEXT (SQLite) and reads them back exactly.
func TestDecimalRoundTrip(t *testing.T) {
	eachDB(t, func(t *testing.T, st *bunstore.Store) {
		ctx := context.Background()
		typ := "TEXT"
		if st.Dialect() == bunstore.DialectPostgres {
			typ = "NUMERIC"
		}
		if _, err := st.DB().NewRaw("CREATE TABLE test_dec (id integer PRIMARY KEY, v " + typ + " NOT NULL)").Exec(ctx); err != nil {
			t.Fatal(err)
		}
		for i, s := range []string{"123456789012345678901234.567890", "-0.000000000000000000000000000001", "999999999999999999999999999999", "0.1"} {
			in := decimal.RequireFromString(s)
			if _, err := st.DB().NewRaw("INSERT INTO test_dec (id, v) VALUES (?, ?)", i, in).Exec(ctx); err != nil {
				t.Fatal(err)
			}
			var got decimal.Decimal
			if err := st.DB().NewRaw("SELECT v FROM test_dec WHERE id = ?", i).Scan(ctx, &got); err != nil {
				t.Fatal(err)
			}
			if !got.Equal(in) {
				t.Fatalf("%s came back as %s", s, got)
			}
		}
	})
}

// TestConcurrentInsertSameKey races inserts of one currency on PostgreSQL:
// exactly one wins and the others get conflict.
func TestConcurrentInsertSameKey(t *testing.T) {
	st := storetest.NewPostgres(t)
	ctx := context.Background()
	d := st.Directory()
	const n = 8
	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
		errs  = make([]error, n)
	)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			c := directory.Currency{Code: "RACE", Name: directory.Text{"en": "Race"}, Symbol: "R", Digits: 2, Custom: true}
			errs[i] = d.InTx(ctx, func(tx directory.Store) error { return tx.InsertCurrency(ctx, &c) })
		}()
	}
	close(start)
	wg.Wait()
	wins := 0
	for _, err := range errs {
		switch {
		case err == nil:
			wins++
		case billkit.IsCode(err, billkit.CodeConflict) && billkit.HasReason(err, "currency.exists"):
		default:
			t.Errorf("unexpected error %v", err)
		}
	}
	if wins != 1 {
		t.Fatalf("%d inserts won, want 1", wins)
	}
}
