package bunstore_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/billkit/billkit/store/bunstore"
	"github.com/billkit/billkit/store/storetest"
)

// TestInvoiceMigrationDownUp runs the invoices migration's down then up
// again on a migrated database: the tables go and come back.
func TestInvoiceMigrationDownUp(t *testing.T) {
	run := func(t *testing.T, st *bunstore.Store) {
		ctx := context.Background()
		exec := func(file string) {
			t.Helper()
			b, err := os.ReadFile(filepath.Join("migrations", string(st.Dialect()), "20261124000009_invoices."+file+".sql"))
			if err != nil {
				t.Fatal(err)
			}
			for _, stmt := range strings.Split(string(b), "--bun:split") {
				if strings.TrimSpace(stmt) == "" {
					continue
				}
				if _, err := st.DB().ExecContext(ctx, stmt); err != nil {
					t.Fatalf("%s: %v\n%s", file, err, stmt)
				}
			}
		}
		tables := func() int {
			t.Helper()
			n, err := st.DB().NewSelect().TableExpr("billkit_invoice_series").Count(ctx)
			if err != nil {
				return -1
			}
			return int(n)
		}
		exec("down")
		if tables() != -1 {
			t.Fatal("the down migration left the tables")
		}
		exec("up")
		if tables() != 0 {
			t.Fatal("the up migration did not make the tables again")
		}
	}
	t.Run("sqlite", func(t *testing.T) { run(t, storetest.NewMemory(t)) })
	t.Run("postgres", func(t *testing.T) { run(t, storetest.NewPostgres(t)) })
}
