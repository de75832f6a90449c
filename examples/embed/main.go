// Command embed shows billkit inside another Go program: open a store, migrate
// it, seed the reference data and convert money with a rate set by hand.
package main

import (
	"context"
	"fmt"
	"log"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/directory"
	"github.com/billkit/billkit/store/bunstore"
	"github.com/shopspring/decimal"
)

func main() {
	ctx := context.Background()
	st, err := bunstore.Open(ctx, "file:embed?mode=memory&cache=shared", bunstore.Config{})
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		log.Fatal(err)
	}
	dir := directory.NewService(st.Directory(), directory.Config{})
	me := billkit.SystemActor("embed-example")
	if err := dir.Bootstrap(ctx, me); err != nil {
		log.Fatal(err)
	}
	today := billkit.DateOf(billkit.SystemClock().Now())
	rate := directory.SetExchangeRateParams{Base: "USD", Quote: "EUR", Rate: decimal.RequireFromString("0.92"), Date: today}
	if _, err := dir.SetExchangeRate(ctx, me, rate); err != nil {
		log.Fatal(err)
	}
	conv, err := dir.Convert(ctx, billkit.MustParseMoney("100.00", "USD"), "EUR", today)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(conv.From, "=", conv.To, "at", conv.Rate)
}
