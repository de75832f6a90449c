package billkit_test

import (
	"context"
	"database/sql"
	"os"
	"testing"

	"github.com/billkit/billkit"
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"
)

// TestSQLRoundTrip stores Money in one text column of a real database and
// reads it back unchanged, 30-digit amounts and trailing zeros included. It
// runs on SQLite always and on PostgreSQL when BILLKIT_TEST_POSTGRES_DSN is
// set.
func TestSQLRoundTrip(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		db, err := sql.Open("sqlite", ":memory:")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		db.SetMaxOpenConns(1)
		sqlRoundTrip(t, db, "?")
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := os.Getenv("BILLKIT_TEST_POSTGRES_DSN")
		if dsn == "" {
			t.Skip("BILLKIT_TEST_POSTGRES_DSN is not set")
		}
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		sqlRoundTrip(t, db, "$1")
	})
}

func sqlRoundTrip(t *testing.T, db *sql.DB, placeholder string) {
	ctx := context.Background()
	// A temporary table lives in this session only, so parallel runs on one
	// database do not meet. One connection keeps the session.
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `CREATE TEMPORARY TABLE money_round_trip (m TEXT)`); err != nil {
		t.Fatal(err)
	}
	for _, s := range append(thirtyDigits, "") {
		var in billkit.Money
		if s != "" {
			in = money(t, s)
		}
		if _, err := conn.ExecContext(ctx, `DELETE FROM money_round_trip`); err != nil {
			t.Fatal(err)
		}
		if _, err := conn.ExecContext(ctx, `INSERT INTO money_round_trip (m) VALUES (`+placeholder+`)`, in); err != nil {
			t.Fatalf("insert %s: %v", s, err)
		}
		var out billkit.Money
		var isNull bool
		if err := conn.QueryRowContext(ctx, `SELECT m, m IS NULL FROM money_round_trip`).Scan(&out, &isNull); err != nil {
			t.Fatalf("select %s: %v", s, err)
		}
		if !same(in, out) || isNull != (s == "") {
			t.Errorf("SQL round trip of %q = %q (NULL %v)", s, out, isNull)
		}
	}
}
