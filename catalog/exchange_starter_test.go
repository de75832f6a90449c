package catalog_test

import (
	"context"
	"testing"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/catalog"
	"github.com/billkit/billkit/directory"
	"github.com/billkit/billkit/store/storetest"
	"github.com/shopspring/decimal"
)

// TestStarterCatalogImportAndQuote imports the starter catalog a hoster
// begins with into an in-memory store, imports it again (nothing changes),
// and quotes a VPS with addons from it.
func TestStarterCatalogImportAndQuote(t *testing.T) {
	ctx := context.Background()
	st := storetest.NewMemory(t)
	clock := billkit.NewFakeClock(time.Date(2026, 2, 10, 9, 0, 0, 0, time.UTC))
	me := billkit.SystemActor("test")
	dir := directory.NewService(st.Directory(), directory.Config{Clock: clock})
	if err := dir.Bootstrap(ctx, me); err != nil {
		t.Fatal(err)
	}
	p, err := billing.NewService(st.Billing(), dir, billing.Config{Clock: clock}).CreateProvider(ctx, me, billing.CreateProviderParams{Name: "Hosting", Currency: "USD"})
	if err != nil {
		t.Fatal(err)
	}
	svc := catalog.NewService(st.Catalog(), dir, catalog.Config{Clock: clock})

	doc := parseFile(t, starterCatalog)
	doc.ProviderID = p.ID
	res, err := svc.ImportCatalog(ctx, me, doc, catalog.ImportOptions{})
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	// 5 types, 2 enumerations, 5 groups, 11 tariffs, 4 images, 2
	// agreements, 1 price version.
	if res.Created != 30 || res.Updated != 0 {
		t.Fatalf("first import: %+v", res)
	}
	if res, err := svc.ImportCatalog(ctx, me, doc, catalog.ImportOptions{}); err != nil || res.Changed() != 0 {
		t.Fatalf("second import: %+v, %v", res, err)
	}

	tariff, err := svc.GetTariffByCode(ctx, me, p.ID, "vps-pro")
	if err != nil {
		t.Fatal(err)
	}
	q, err := catalog.NewQuote(ctx, catalog.QuoteRequest{
		Tariff: tariff, Period: catalog.PeriodMonth, Currency: "USD", Date: billkit.DateOf(clock.Now()),
		AddonValues: map[string]catalog.AddonValue{
			"ram":   {Quantity: decimal.NewFromInt(8)},   // 4 included, 4 more at 2.00
			"disk":  {Quantity: decimal.NewFromInt(200)}, // 80 included, 120 more at 0.10
			"ipv4":  {Quantity: decimal.NewFromInt(3)},   // 1 included, 2 more at 2.50
			"os":    {Option: "windows-2022"},            // 15.00
			"panel": {Option: "cpanel"},                  // 20.00
		},
	})
	if err != nil {
		t.Fatalf("quote: %v", err)
	}
	// 24 + 8 + 12 + 5 + 15 + 20 = 84.00
	if want := billkit.MustParseMoney("84.00", "USD"); !q.Total.Equal(want) {
		t.Fatalf("total %s, want %s; lines %+v", q.Total, want, q.Lines)
	}

	// The price version of hosting-lite is in force from 2027.
	lite, err := svc.GetTariffByCode(ctx, me, p.ID, "hosting-lite")
	if err != nil {
		t.Fatal(err)
	}
	versions, err := svc.ListPriceVersions(ctx, me, catalog.PriceVersionFilter{TariffID: lite.ID})
	if err != nil {
		t.Fatal(err)
	}
	for date, want := range map[billkit.Date]string{billkit.MustDate(2026, 12, 31): "2.99", billkit.MustDate(2027, 1, 1): "3.49"} {
		q, err := catalog.NewQuote(ctx, catalog.QuoteRequest{Tariff: lite, Versions: versions.Items, Period: catalog.PeriodMonth, Date: date})
		if err != nil {
			t.Fatal(err)
		}
		if !q.Total.Equal(billkit.MustParseMoney(want, "USD")) {
			t.Errorf("hosting-lite on %s: %s, want %s", date, q.Total, want)
		}
	}
}
