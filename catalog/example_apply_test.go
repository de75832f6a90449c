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

// Applying a catalog document creates what is new; applying it again
// changes nothing. The storefront shows what is on sale.
func ExampleService_ApplyCatalog() {
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

	doc := catalog.Catalog{
		ProviderID:   prov.ID,
		ProductTypes: []catalog.ProductTypeDoc{{Code: "hosting", Kind: catalog.KindHosting, Name: directory.Text{"en": "Hosting"}}},
		Tariffs: []catalog.TariffDoc{{
			Code: "web-1", Name: directory.Text{"en": "Web 1", "ru": "Веб 1"}, ProductType: "hosting", Currency: "USD",
			Prices: []catalog.Price{
				{Period: catalog.PeriodMonth, Currency: "USD", Amount: dec("3.00")},
				{Period: catalog.PeriodYear, Currency: "USD", Amount: dec("30.00"), SetupFee: dec("5.00")},
			},
		}},
	}
	res, err := svc.ApplyCatalog(ctx, system, doc)
	if err != nil {
		panic(err)
	}
	fmt.Println("first:", res.Created, "created,", res.Unchanged, "unchanged")
	res, _ = svc.ApplyCatalog(ctx, system, doc)
	fmt.Println("again:", res.Created, "created,", res.Unchanged, "unchanged")

	sf, err := svc.PublicCatalog(ctx, prov.ID, "ru")
	if err != nil {
		panic(err)
	}
	for _, t := range sf.Tariffs {
		for _, p := range t.Prices {
			fmt.Println(t.Name, p.Period, p.Money(), "setup", p.SetupMoney())
		}
	}
	// Output:
	// first: 2 created, 0 unchanged
	// again: 0 created, 2 unchanged
	// Веб 1 month 3.00 USD setup 0 USD
	// Веб 1 year 30.00 USD setup 5.00 USD
}
