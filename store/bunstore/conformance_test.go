package bunstore_test

import (
	"testing"

	"github.com/billkit/billkit/store/storetest"
)

// TestConformance runs the exported conformance suite on SQLite always, and
// on PostgreSQL when BILLKIT_TEST_POSTGRES_DSN is set (required in CI).
func TestConformance(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		storetest.Run(t, func(t testing.TB) storetest.Stores {
			st := storetest.NewMemory(t)
			return storetest.Stores{Directory: st.Directory(), Access: st.Access(), Billing: st.Billing(), Catalog: st.Catalog(), Bun: st}
		})
	})
	t.Run("postgres", func(t *testing.T) {
		storetest.PostgresDSN(t) // skips (or fails in CI) before the suite starts
		storetest.Run(t, func(t testing.TB) storetest.Stores {
			st := storetest.NewPostgres(t)
			return storetest.Stores{Directory: st.Directory(), Access: st.Access(), Billing: st.Billing(), Catalog: st.Catalog(), Bun: st}
		})
	})
}
