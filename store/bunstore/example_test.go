package bunstore_test

import (
	"context"
	"fmt"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/directory"
	"github.com/billkit/billkit/store/bunstore"
	"github.com/shopspring/decimal"
)

// Open an in-memory SQLite store, migrate it, and keep a currency and a rate.
func ExampleOpen() {
	ctx := context.Background()
	st, err := bunstore.Open(ctx, ":memory:", bunstore.Config{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer st.Close()
	applied, err := st.Migrate(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("first migration applied:", applied[0])

	dir := st.Directory()
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	err = dir.InTx(ctx, func(tx directory.Store) error {
		for _, code := range []string{"USD", "RUB"} {
			c := &directory.Currency{Code: code, Name: directory.Text{"en": code}, Symbol: code, Digits: 2, Enabled: true, CreatedAt: now, UpdatedAt: now}
			if err := tx.InsertCurrency(ctx, c); err != nil {
				return err
			}
		}
		return tx.InsertExchangeRate(ctx, &directory.ExchangeRate{
			ID: billkit.NewID[directory.ExchangeRate](), Base: "USD", Quote: "RUB",
			Rate: decimal.RequireFromString("81.2345"), Date: billkit.MustDate(2026, 11, 1),
			Source: directory.RateSourceManual, CreatedAt: now, UpdatedAt: now,
		})
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	r, err := dir.FindExchangeRate(ctx, "USD", "RUB", billkit.MustDate(2026, 11, 24))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.Base, r.Quote, r.Rate, r.Date)

	_, err = dir.GetCurrency(ctx, "EUR")
	fmt.Println(billkit.ErrorCode(err), billkit.ErrorReason(err))
	// Output:
	// first migration applied: 20261124000001_directory
	// USD RUB 81.2345 2026-11-01
	// not_found currency.not_found
}
