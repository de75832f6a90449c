package bunstore_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/directory"
	"github.com/billkit/billkit/store/bunstore"
	"github.com/billkit/billkit/store/storetest"
	"github.com/shopspring/decimal"
)

// BenchmarkStore measures single-row writes and reads of the directory on
// each database:
//
//	BILLKIT_TEST_POSTGRES_DSN=postgres://postgres@127.0.0.1:5432/test?sslmode=disable \
//		go test ./store/bunstore -run '^$' -bench . -benchmem
func BenchmarkStore(b *testing.B) {
	b.Run("sqlite-memory", func(b *testing.B) { benchStore(b, storetest.NewMemory(b)) })
	b.Run("sqlite-file", func(b *testing.B) { benchStore(b, storetest.NewFile(b)) })
	b.Run("postgres", func(b *testing.B) {
		if os.Getenv(storetest.PostgresDSNEnv) == "" {
			b.Skip(storetest.PostgresDSNEnv + " is not set")
		}
		benchStore(b, storetest.NewPostgres(b))
	})
}

func benchStore(b *testing.B, st *bunstore.Store) {
	ctx := context.Background()
	d := st.Directory()
	now := time.Now()
	for _, code := range []string{"USD", "RUB"} {
		c := &directory.Currency{Code: code, Name: directory.Text{"en": code}, Symbol: code, Digits: 2, Enabled: true, CreatedAt: now, UpdatedAt: now}
		if err := d.InsertCurrency(ctx, c); err != nil {
			b.Fatal(err)
		}
	}
	rate := decimal.RequireFromString("81.234567")
	start := billkit.MustDate(2000, 1, 1)
	var lastID directory.ExchangeRateID

	b.Run("InsertExchangeRate", func(b *testing.B) {
		day := 0
		for b.Loop() {
			r := &directory.ExchangeRate{
				ID: billkit.NewID[directory.ExchangeRate](), Base: "USD", Quote: "RUB", Rate: rate,
				Date: start.AddDays(day), Source: directory.RateSourceManual, CreatedAt: now, UpdatedAt: now,
			}
			day++
			if err := d.InsertExchangeRate(ctx, r); err != nil {
				b.Fatal(err)
			}
			lastID = r.ID
		}
	})
	b.Run("GetExchangeRate", func(b *testing.B) {
		for b.Loop() {
			if _, err := d.GetExchangeRate(ctx, lastID); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("FindExchangeRate", func(b *testing.B) {
		for b.Loop() {
			if _, err := d.FindExchangeRate(ctx, "USD", "RUB", billkit.MustDate(9999, 1, 1)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("InsertCurrency", func(b *testing.B) {
		i := 0
		for b.Loop() {
			c := &directory.Currency{Code: fmt.Sprintf("C%07d", i), Name: directory.Text{"en": "Bench"}, Symbol: "B", Digits: 2, Custom: true, CreatedAt: now, UpdatedAt: now}
			i++
			if err := d.InsertCurrency(ctx, c); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("GetCurrency", func(b *testing.B) {
		for b.Loop() {
			if _, err := d.GetCurrency(ctx, "USD"); err != nil {
				b.Fatal(err)
			}
		}
	})
}
