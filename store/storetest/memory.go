package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/billkit/billkit/store/bunstore"
)

// memoryCount makes database names unique within the process even when two
// tests share a name (a subtest run twice, -count=2).
var memoryCount atomic.Int64

// NewMemory returns a migrated Store on a fresh in-memory SQLite database
// that no other test sees, and closes it when the test ends. It is the one
// line any test needs for a working billkit store:
//
//	st := storetest.NewMemory(t)
//	svc := directory.NewService(st.Directory(), directory.Config{})
//
// The database is a uniquely named shared-cache database
// ("file:<name>?mode=memory&cache=shared"), so every connection of the Store
// sees the same data; it disappears when the Store is closed.
func NewMemory(t testing.TB) *bunstore.Store {
	t.Helper()
	dsn := "file:" + uniqueName(t) + "?mode=memory&cache=shared"
	return openMigrated(t, dsn)
}

// NewFile returns a migrated Store on an SQLite file in the test's temporary
// directory (with WAL), and closes it when the test ends. Use it where a test
// needs what only a file has: reopening, or another process.
func NewFile(t testing.TB) *bunstore.Store {
	st, _ := NewFileDSN(t)
	return st
}

// NewFileDSN is NewFile that also returns the file's DSN, for another
// process (a command under test, a child process) to open.
func NewFileDSN(t testing.TB) (*bunstore.Store, string) {
	t.Helper()
	dsn := t.TempDir() + "/billkit.db"
	return openMigrated(t, dsn), dsn
}

func openMigrated(t testing.TB, dsn string) *bunstore.Store {
	t.Helper()
	ctx := context.Background()
	s, err := bunstore.Open(ctx, dsn, bunstore.Config{})
	if err != nil {
		t.Fatalf("storetest: opening %s: %v", dsn, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("storetest: closing %s: %v", dsn, err)
		}
	})
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatalf("storetest: migrating %s: %v", dsn, err)
	}
	return s
}

// uniqueName returns a name made of the test's name, a counter and random
// bytes, safe in a URI and in a PostgreSQL identifier once lowercased.
func uniqueName(t testing.TB) string {
	var b strings.Builder
	for _, r := range strings.ToLower(t.Name()) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
		if b.Len() >= 24 {
			break
		}
	}
	var rnd [6]byte
	_, _ = rand.Read(rnd[:]) // crypto/rand never fails on supported systems
	n := memoryCount.Add(1)
	return "billkit_" + b.String() + "_" + hex.EncodeToString(rnd[:]) + "_" + itoa(n)
}

func itoa(n int64) string {
	if n == 0 {
		return "0"
	}
	var d []byte
	for ; n > 0; n /= 10 {
		d = append([]byte{byte('0' + n%10)}, d...)
	}
	return string(d)
}
