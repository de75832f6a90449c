package catalog_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/catalog"
	"github.com/billkit/billkit/directory"
	"github.com/billkit/billkit/store/storetest"
)

// A tariff's stock is taken by what sells it (provisioning's orders, in
// their own transactions) and runs out; an edit that keeps the stock never
// writes it, so it cannot undo a sale made meanwhile; staff setting it
// wins.
func ExampleStore_TakeTariffStock() {
	ctx := context.Background()
	system := billkit.SystemActor("example")
	st := storetest.NewMemory(&testing.T{})
	dir := directory.NewService(st.Directory(), directory.Config{})
	if err := dir.Bootstrap(ctx, system); err != nil {
		panic(err)
	}
	prov, err := billing.NewService(st.Billing(), dir, billing.Config{}).CreateProvider(ctx, system,
		billing.CreateProviderParams{Name: "HostCo", Currency: "USD", Locale: "en", TimeZone: "UTC"})
	if err != nil {
		panic(err)
	}
	svc := catalog.NewService(st.Catalog(), dir, catalog.Config{})
	if _, err := svc.CreateProductType(ctx, system, prov.ID, catalog.ProductTypeDoc{Code: "dedicated", Kind: catalog.KindDedicated, Name: directory.Text{"en": "Dedicated"}}); err != nil {
		panic(err)
	}
	two := 2
	doc := catalog.TariffDoc{Code: "e-2388g", Name: directory.Text{"en": "E-2388G"}, ProductType: "dedicated", Currency: "USD",
		Prices: []catalog.Price{{Period: catalog.PeriodMonth, Currency: "USD", Amount: dec("119.00")}}, Stock: &two}
	t, err := svc.CreateTariff(ctx, system, prov.ID, doc)
	if err != nil {
		panic(err)
	}
	stock := func() int {
		t, err := svc.GetTariff(ctx, system, t.ID)
		if err != nil {
			panic(err)
		}
		return *t.Stock
	}

	ok, _ := st.Catalog().TakeTariffStock(ctx, t.ID, 2)
	fmt.Println("took 2:", ok, "left", stock())
	ok, _ = st.Catalog().TakeTariffStock(ctx, t.ID, 1)
	fmt.Println("took 1 more:", ok, "left", stock())

	// An edit that leaves the stock as it is never writes it.
	if _, err := svc.SetTariffStatus(ctx, system, t.ID, catalog.TariffHidden); err != nil {
		panic(err)
	}
	fmt.Println("after hiding it, left", stock())
	// Two servers came back: staff say so.
	doc.Stock = &two
	if _, err := svc.UpdateTariff(ctx, system, t.ID, doc); err != nil {
		panic(err)
	}
	fmt.Println("after setting it, left", stock())
	// Output:
	// took 2: true left 0
	// took 1 more: false left 0
	// after hiding it, left 0
	// after setting it, left 2
}
