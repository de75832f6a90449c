package billing_test

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/catalog"
	"github.com/billkit/billkit/directory"
	"github.com/billkit/billkit/store/bunstore"
	"github.com/shopspring/decimal"
)

// The final price of an order, assembled in one place: the catalog's
// quote, a discount for the client's group, a promo code, then VAT. The
// order redeems the code in its own transaction afterwards.
func ExampleService_PriceOrder() {
	ctx := context.Background()
	staff := billkit.SystemActor("example") // in a real program: the authenticated actor
	dec := decimal.RequireFromString
	st, err := bunstore.Open(ctx, "file:example_price_order?mode=memory&cache=shared", bunstore.Config{})
	if err != nil {
		panic(err)
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		panic(err)
	}
	clock := billkit.NewFakeClock(time.Date(2026, 3, 5, 9, 0, 0, 0, time.UTC))
	dir := directory.NewService(st.Directory(), directory.Config{Clock: clock})
	if err := dir.Bootstrap(ctx, staff); err != nil {
		panic(err)
	}
	cat := catalog.NewService(st.Catalog(), dir, catalog.Config{Clock: clock})
	svc := billing.NewService(st.Billing(), dir, billing.Config{Clock: clock, Catalog: cat})

	prov, err := svc.CreateProvider(ctx, staff, billing.CreateProviderParams{Name: "HostCo", Currency: "RUB", Locale: "ru", TimeZone: "Europe/Moscow"})
	if err != nil {
		panic(err)
	}
	_, err = cat.ApplyCatalog(ctx, staff, catalog.Catalog{
		ProviderID:   prov.ID,
		ProductTypes: []catalog.ProductTypeDoc{{Code: "vps", Kind: catalog.KindVPS, Name: directory.Text{"en": "VPS"}}},
		Tariffs: []catalog.TariffDoc{{Code: "vps-m", Name: directory.Text{"en": "VPS M"}, ProductType: "vps", Currency: "RUB",
			Prices: []catalog.Price{{Period: catalog.PeriodMonth, Currency: "RUB", Amount: dec("1200.00"), SetupFee: dec("300.00")}}}},
	})
	if err != nil {
		panic(err)
	}
	tariff, err := cat.GetTariffByCode(ctx, staff, prov.ID, "vps-m")
	if err != nil {
		panic(err)
	}
	company, err := svc.CreateCompany(ctx, staff, billing.CreateCompanyParams{LegalName: "HostCo LLC", Country: "RU", ProviderIDs: []billkit.ProviderID{prov.ID}})
	if err != nil {
		panic(err)
	}
	if _, err := svc.CreateTaxRule(ctx, staff, billing.TaxRuleParams{
		CompanyID: company.ID, Code: "vat", Name: directory.Text{"en": "VAT", "ru": "НДС"}, Country: "RU", Rate: dec("20"),
	}); err != nil {
		panic(err)
	}
	resellers, err := svc.CreateClientGroup(ctx, staff, billing.CreateClientGroupParams{ProviderID: prov.ID, Name: "Resellers"})
	if err != nil {
		panic(err)
	}
	if _, err := svc.CreateDiscount(ctx, staff, billing.DiscountParams{
		ProviderID: prov.ID, Name: "Resellers", Scope: billing.DiscountGroup, GroupID: resellers.ID, Percent: dec("10"),
	}); err != nil {
		panic(err)
	}
	if _, err := svc.CreatePromoCode(ctx, staff, billing.PromoCodeParams{
		ProviderID: prov.ID, Code: "START", Kind: billing.PromoFreeSetup, MaxUsesPerClient: 1,
	}); err != nil {
		panic(err)
	}
	client, err := svc.CreateClient(ctx, staff, billing.CreateClientParams{ProviderID: prov.ID, Name: "Acme", GroupID: resellers.ID})
	if err != nil {
		panic(err)
	}
	if _, err := svc.CreatePayer(ctx, staff, billing.CreatePayerParams{ClientID: client.ID, Kind: billing.PayerIndividual, Name: "Ivan", Country: "RU"}); err != nil {
		panic(err)
	}

	price, err := svc.PriceOrder(ctx, staff, billing.OrderPriceParams{
		ClientID: client.ID, TariffID: tariff.ID, Period: catalog.PeriodMonth, PromoCode: "start",
	})
	if err != nil {
		panic(err)
	}
	for _, l := range price.Quote.Lines {
		name := string(l.Kind)
		if l.Kind == catalog.LineAdjustment {
			name = l.Code
			if strings.HasPrefix(name, "discount:") {
				name = "discount"
			}
		}
		fmt.Printf("%-12s %9s\n", name, l.Amount.Amount().StringFixed(2))
	}
	fmt.Println("net:", price.Net)
	fmt.Println("VAT:", price.Tax)
	fmt.Println("total:", price.Total)
	fmt.Println("then monthly, before VAT:", price.Quote.Recurring)
	// Output:
	// period         1200.00
	// setup           300.00
	// discount       -120.00
	// promo:START    -300.00
	// net: 1080.00 RUB
	// VAT: 216.00 RUB
	// total: 1296.00 RUB
	// then monthly, before VAT: 1080.00 RUB
}
