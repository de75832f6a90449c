package bunstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/billkit/billkit"
	"github.com/jackc/pgx/v5/pgconn"
)

func TestMapError(t *testing.T) {
	ctx := context.Background()
	cur := target{kind: "currency", key: "USD"}
	for _, tc := range []struct {
		name   string
		err    error
		t      target
		code   billkit.Code
		reason string
	}{
		{"unique", &pgconn.PgError{Code: "23505"}, cur, billkit.CodeConflict, "currency.exists"},
		{"unique without kind", &pgconn.PgError{Code: "23505"}, target{}, billkit.CodeConflict, ReasonDuplicate},
		{"foreign key", &pgconn.PgError{Code: "23503"}, cur, billkit.CodeFailedPrecondition, ReasonReferenceMissing},
		{"serialization", &pgconn.PgError{Code: "40001"}, cur, billkit.CodeUnavailable, ReasonBusy},
		{"deadlock", fmt.Errorf("wrapped: %w", &pgconn.PgError{Code: "40P01"}), cur, billkit.CodeUnavailable, ReasonBusy},
		{"no rows", fmt.Errorf("scan: %w", sql.ErrNoRows), cur, billkit.CodeNotFound, "currency.not_found"},
		{"other", errors.New("disk on fire"), cur, billkit.CodeInternal, ReasonInternal},
		{"billkit error passes", billkit.InvalidField("x", "r", "m"), cur, billkit.CodeInvalid, "r"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := mapError(ctx, tc.err, tc.t)
			if billkit.ErrorCode(got) != tc.code || billkit.ErrorReason(got) != tc.reason {
				t.Fatalf("mapError = %v, want %s (%s)", got, tc.code, tc.reason)
			}
			if tc.code != billkit.CodeInvalid && !errors.Is(got, tc.err) {
				t.Fatalf("mapError = %v does not wrap its cause", got)
			}
		})
	}
	if mapError(ctx, nil, cur) != nil {
		t.Fatal("nil is not nil")
	}
	if err := mapError(ctx, context.Canceled, cur); err != context.Canceled {
		t.Fatalf("cancellation became %v", err)
	}
}

func TestInTxRetriesThenUnavailable(t *testing.T) {
	s := newMemoryForTest(t)
	ctx := context.Background()
	attempts := 0
	err := s.inTx(ctx, func(*Store) error {
		attempts++
		return mapError(ctx, &pgconn.PgError{Code: "40001"}, target{})
	})
	if attempts != maxTxAttempts {
		t.Fatalf("ran %d times, want %d", attempts, maxTxAttempts)
	}
	if !billkit.IsCode(err, billkit.CodeUnavailable) {
		t.Fatalf("err = %v, want unavailable", err)
	}
	attempts = 0
	err = s.inTx(ctx, func(*Store) error {
		attempts++
		if attempts < 3 {
			return &pgconn.PgError{Code: "40P01"}
		}
		return nil
	})
	if err != nil || attempts != 3 {
		t.Fatalf("after two deadlocks: %v, %d attempts", err, attempts)
	}
	// Not retried inside an outer transaction: the outer one owns the retry.
	attempts = 0
	_ = s.inTx(ctx, func(tx *Store) error {
		_ = tx.inTx(ctx, func(*Store) error {
			attempts++
			return &pgconn.PgError{Code: "40001"}
		})
		return errors.New("stop")
	})
	if attempts != 1 {
		t.Fatalf("savepoint ran %d times, want 1", attempts)
	}
}

func TestSQLiteDSN(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
		not  []string
	}{
		{":memory:", []string{"foreign_keys", "busy_timeout"}, []string{"journal_mode"}},
		{"file:x?mode=memory&cache=shared", []string{"foreign_keys", "busy_timeout", "cache=shared"}, []string{"journal_mode"}},
		{"/tmp/a.db", []string{"foreign_keys", "busy_timeout", "journal_mode%28WAL%29"}, nil},
		{"file:/tmp/a.db?_pragma=foreign_keys(0)", []string{"foreign_keys(0)", "journal_mode"}, []string{"foreign_keys%281%29"}},
	} {
		got := sqliteDSN(tc.in)
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("sqliteDSN(%q) = %q, lacks %q", tc.in, got, w)
			}
		}
		for _, n := range tc.not {
			if strings.Contains(got, n) {
				t.Errorf("sqliteDSN(%q) = %q, has %q", tc.in, got, n)
			}
		}
	}
}

func TestCursor(t *testing.T) {
	c := encodeCursor([]string{"2026-01-01", "USD", "RUB"})
	got, err := decodeCursor(c, 3)
	if err != nil || strings.Join(got, ",") != "2026-01-01,USD,RUB" {
		t.Fatalf("decode = %v, %v", got, err)
	}
	for _, bad := range []string{"!!", encodeCursor([]string{"a"}), "e30"} {
		if _, err := decodeCursor(bad, 3); !billkit.IsCode(err, billkit.CodeInvalid) {
			t.Errorf("decodeCursor(%q) = %v, want invalid", bad, err)
		}
	}
}

func newMemoryForTest(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), ":memory:", Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
