package billing_test

import (
	"context"
	"testing"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/catalog"
	"github.com/google/go-cmp/cmp"
)

func TestDiscountCRUD(t *testing.T) {
	e := newEnv(t)
	s := e.newShop(t, nil)
	c := e.client(t, "Acme")
	d, err := e.svc.CreateDiscount(ctx, system, billing.DiscountParams{
		ProviderID: e.prov.ID, Name: " Loyal ", Scope: billing.DiscountClient, ClientID: c.ID,
		Tariffs: []catalog.TariffID{s.vps.ID, s.vps.ID}, Periods: []catalog.Period{catalog.PeriodYear}, Percent: dec("15"),
		ValidFrom: billkit.MustDate(2024, 1, 1),
	})
	if err != nil {
		t.Fatal(err)
	}
	if d.Name != "Loyal" || len(d.Tariffs) != 1 || d.CreatedAt.IsZero() {
		t.Fatalf("created %+v", d)
	}
	if n := e.actions(t, "billing.discount.create", d.ID.String()); n != 1 {
		t.Fatalf("%d create actions", n)
	}
	got, err := e.svc.GetDiscount(ctx, staff(billkit.R(billing.FunctionDiscount, billkit.OpRead)), d.ID)
	if err != nil || !got.Percent.Equal(dec("15")) || got.ClientID != c.ID {
		t.Fatalf("GetDiscount = %+v, %v", got, err)
	}
	_, err = e.svc.GetDiscount(ctx, customer(billkit.NewClientID()), d.ID)
	wantCode(t, err, billkit.CodeNotFound, "discount.not_found")

	up, err := e.svc.UpdateDiscount(ctx, system, d.ID, billing.DiscountParams{Name: "Loyal", Scope: billing.DiscountEveryone,
		Fixed: rub("100"), MinQuantity: 2, Stackable: true})
	if err != nil {
		t.Fatal(err)
	}
	if up.Scope != billing.DiscountEveryone || !up.ClientID.IsZero() || !up.Fixed.Equal(rub("100")) || !up.Percent.IsZero() || !up.CreatedAt.Equal(d.CreatedAt) {
		t.Fatalf("updated %+v", up)
	}
	page, err := e.svc.ListDiscounts(ctx, system, billing.DiscountFilter{ProviderID: e.prov.ID, Scope: billing.DiscountEveryone})
	if err != nil || len(page.Items) != 1 || !page.Items[0].Fixed.Equal(rub("100")) {
		t.Fatalf("ListDiscounts = %+v, %v", page, err)
	}
	_, err = e.svc.ListDiscounts(ctx, system, billing.DiscountFilter{Scope: "some"})
	wantField(t, err, "scope", "discount.scope_unknown")
	_, err = e.svc.ListDiscounts(ctx, staff(), billing.DiscountFilter{})
	wantCode(t, err, billkit.CodeForbidden, "access.denied")
	other, err := e.svc.CreateProvider(ctx, system, billing.CreateProviderParams{Name: "Other", Currency: "RUB"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.UpdateDiscount(ctx, system, d.ID, billing.DiscountParams{ProviderID: other.ID, Name: "x", Scope: billing.DiscountEveryone, Percent: dec("1")})
	wantField(t, err, "provider_id", "discount.provider_immutable")
	wantCode(t, e.svc.DeleteDiscount(ctx, staff(billkit.R(billing.FunctionDiscount, billkit.OpEdit)), d.ID), billkit.CodeForbidden, "access.denied")
	if err := e.svc.DeleteDiscount(ctx, system, d.ID); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.GetDiscount(ctx, system, d.ID)
	wantCode(t, err, billkit.CodeNotFound, "discount.not_found")
}

func TestDiscountValidation(t *testing.T) {
	e := newEnv(t)
	s := e.newShop(t, nil)
	c := e.client(t, "Acme")
	other, err := e.svc.CreateProvider(ctx, system, billing.CreateProviderParams{Name: "Other", Currency: "RUB"})
	if err != nil {
		t.Fatal(err)
	}
	stranger, err := e.svc.CreateClient(ctx, system, billing.CreateClientParams{ProviderID: other.ID, Name: "Stranger"})
	if err != nil {
		t.Fatal(err)
	}
	ok := billing.DiscountParams{ProviderID: e.prov.ID, Name: "D", Scope: billing.DiscountEveryone, Percent: dec("10")}
	with := func(f func(p *billing.DiscountParams)) billing.DiscountParams {
		p := ok
		f(&p)
		return p
	}
	for _, tc := range []struct {
		p             billing.DiscountParams
		field, reason string
	}{
		{with(func(p *billing.DiscountParams) { p.ProviderID = billkit.ProviderID{} }), "provider_id", "required"},
		{with(func(p *billing.DiscountParams) { p.Name = "" }), "name", "required"},
		{with(func(p *billing.DiscountParams) { p.Scope = "vip" }), "scope", "discount.scope_unknown"},
		{with(func(p *billing.DiscountParams) { p.Scope = billing.DiscountClient }), "client_id", "required"},
		{with(func(p *billing.DiscountParams) { p.Scope = billing.DiscountGroup }), "group_id", "required"},
		{with(func(p *billing.DiscountParams) { p.ClientID = c.ID }), "client_id", "discount.scope_mismatch"},
		{with(func(p *billing.DiscountParams) { p.Percent = dec("0") }), "percent", "discount.percent_out_of_range"},
		{with(func(p *billing.DiscountParams) { p.Percent = dec("100.5") }), "percent", "discount.percent_out_of_range"},
		{with(func(p *billing.DiscountParams) { p.Fixed = rub("5") }), "fixed", "discount.percent_and_fixed"},
		{with(func(p *billing.DiscountParams) { p.Percent, p.Fixed = dec("0"), rub("-5") }), "fixed", "discount.fixed_not_positive"},
		{with(func(p *billing.DiscountParams) { p.Percent, p.Fixed = dec("0"), rub("5.001") }), "fixed", "discount.too_many_decimals"},
		{with(func(p *billing.DiscountParams) { p.Percent, p.Fixed = dec("0"), billkit.MustParseMoney("5", "JPY") }), "fixed", "currency.disabled"},
		{with(func(p *billing.DiscountParams) { p.Periods = []catalog.Period{"fortnight"} }), "periods[0]", catalog.ReasonPeriodUnknown},
		{with(func(p *billing.DiscountParams) { p.MinQuantity = -1 }), "min_quantity", "discount.min_quantity_out_of_range"},
		{with(func(p *billing.DiscountParams) { p.ValidFrom, p.ValidTo = taxToday, taxToday.AddDays(-1) }), "valid_to", "validity.empty"},
		{with(func(p *billing.DiscountParams) { p.Tariffs = []catalog.TariffID{{}} }), "tariffs[0]", "required"},
		{with(func(p *billing.DiscountParams) { p.Tariffs = []catalog.TariffID{billkit.NewID[catalog.Tariff]()} }), "tariffs[0]", "tariff.not_found"},
		{with(func(p *billing.DiscountParams) { p.ProviderID = other.ID; p.Tariffs = []catalog.TariffID{s.vps.ID} }), "tariffs[0]", "tariff.other_provider"},
		{with(func(p *billing.DiscountParams) { p.Scope, p.ClientID = billing.DiscountClient, billkit.NewClientID() }), "client_id", "client.not_found"},
		{with(func(p *billing.DiscountParams) { p.Scope, p.ClientID = billing.DiscountClient, stranger.ID }), "client_id", "client.other_provider"},
		{with(func(p *billing.DiscountParams) {
			p.Scope, p.GroupID = billing.DiscountGroup, billkit.NewID[billing.ClientGroup]()
		}), "group_id", "client_group.not_found"},
		{with(func(p *billing.DiscountParams) { p.ProviderID = unknownProviderID(t) }), "provider_id", "provider.not_found"},
	} {
		_, err := e.svc.CreateDiscount(ctx, system, tc.p)
		wantField(t, err, tc.field, tc.reason)
	}
	if n := e.count(t, "billkit_discounts", "1 = 1"); n != 0 {
		t.Fatalf("bad input stored %d discounts", n)
	}

	// Discounts by tariff need the catalog.
	bare := newEnv(t)
	_, err = bare.svc.CreateDiscount(ctx, system, billing.DiscountParams{ProviderID: bare.prov.ID, Name: "D", Scope: billing.DiscountEveryone,
		Percent: dec("10"), Tariffs: []catalog.TariffID{s.vps.ID}})
	wantCode(t, err, billkit.CodeFailedPrecondition, billing.ReasonCatalogMissing)
}

// quoteOf prices a tariff of the test's own making, without a database.
func quoteOf(t *testing.T, tariff *catalog.Tariff, period catalog.Period) catalog.Quote {
	t.Helper()
	q, err := catalog.NewQuote(context.Background(), catalog.QuoteRequest{Tariff: tariff, Period: period, Date: taxToday})
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func TestApplyDiscounts(t *testing.T) {
	tariff := &catalog.Tariff{ID: billkit.NewID[catalog.Tariff](), Code: "vps", Currency: "RUB",
		Prices: []catalog.Price{rubPrice(catalog.PeriodMonth, "1000.00", "500.00"), rubPrice(catalog.PeriodYear, "9999.99", "")}}
	client, group := billkit.NewClientID(), billkit.NewID[billing.ClientGroup]()
	order := billing.DiscountOrder{ClientID: client, GroupID: group, TariffID: tariff.ID, Period: catalog.PeriodMonth, Quantity: 1, Date: taxToday}
	disc := func(name string, f func(d *billing.Discount)) billing.Discount {
		d := billing.Discount{ID: billkit.NewID[billing.Discount](), Name: name, Scope: billing.DiscountEveryone}
		f(&d)
		return d
	}
	pct := func(p string) func(d *billing.Discount) { return func(d *billing.Discount) { d.Percent = dec(p) } }
	stack := func(f func(d *billing.Discount)) func(d *billing.Discount) {
		return func(d *billing.Discount) { f(d); d.Stackable = true }
	}
	type applied struct{ Name, Amount string }
	for _, tc := range []struct {
		name      string
		period    catalog.Period
		discounts []billing.Discount
		change    func(o *billing.DiscountOrder)
		want      []applied
		total     string
	}{
		{"none", "", nil, nil, []applied{}, "1500.00"},
		{"a percentage of the recurring price, not the setup fee", "", []billing.Discount{disc("10%", pct("10"))}, nil,
			[]applied{{"10%", "-100.00"}}, "1400.00"},
		{"rounded half up", catalog.PeriodYear, []billing.Discount{disc("5%", pct("5"))}, nil,
			[]applied{{"5%", "-500.00"}}, "9499.99"},
		{"fixed, per service", "", []billing.Discount{disc("fixed", func(d *billing.Discount) { d.Fixed = rub("300") })},
			func(o *billing.DiscountOrder) { o.Quantity = 2 }, []applied{{"fixed", "-600.00"}}, "900.00"},
		{"fixed in another currency is skipped", "", []billing.Discount{disc("usd", func(d *billing.Discount) { d.Fixed = billkit.MustParseMoney("5", "USD") })}, nil,
			[]applied{}, "1500.00"},
		{"never below zero", "", []billing.Discount{disc("big", func(d *billing.Discount) { d.Fixed = rub("5000") })}, nil,
			[]applied{{"big", "-1000.00"}}, "500.00"},
		{"the best single one wins", "", []billing.Discount{disc("10%", pct("10")), disc("25%", pct("25")), disc("20%", pct("20"))}, nil,
			[]applied{{"25%", "-250.00"}}, "1250.00"},
		{"stackable ones add up", "", []billing.Discount{disc("10%", stack(pct("10"))), disc("15%", stack(pct("15"))), disc("20%", pct("20"))}, nil,
			[]applied{{"10%", "-100.00"}, {"15%", "-150.00"}}, "1250.00"},
		{"a single one beats a smaller stack", "", []billing.Discount{disc("10%", stack(pct("10"))), disc("5%", stack(pct("5"))), disc("20%", pct("20"))}, nil,
			[]applied{{"20%", "-200.00"}}, "1300.00"},
		{"a stack never goes below zero", "", []billing.Discount{disc("60%", stack(pct("60"))), disc("70%", stack(pct("70")))}, nil,
			[]applied{{"60%", "-600.00"}, {"70%", "-400.00"}}, "500.00"},
		{"scopes", "", []billing.Discount{
			disc("mine", func(d *billing.Discount) {
				d.Scope, d.ClientID, d.Percent, d.Stackable = billing.DiscountClient, client, dec("1"), true
			}),
			disc("theirs", func(d *billing.Discount) {
				d.Scope, d.ClientID, d.Percent, d.Stackable = billing.DiscountClient, billkit.NewClientID(), dec("2"), true
			}),
			disc("my group", func(d *billing.Discount) {
				d.Scope, d.GroupID, d.Percent, d.Stackable = billing.DiscountGroup, group, dec("3"), true
			}),
			disc("other group", func(d *billing.Discount) {
				d.Scope, d.GroupID, d.Percent, d.Stackable = billing.DiscountGroup, billkit.NewID[billing.ClientGroup](), dec("4"), true
			}),
		}, nil, []applied{{"mine", "-10.00"}, {"my group", "-30.00"}}, "1460.00"},
		{"restrictions", "", []billing.Discount{
			disc("other tariff", func(d *billing.Discount) {
				d.Percent, d.Tariffs = dec("1"), []catalog.TariffID{billkit.NewID[catalog.Tariff]()}
			}),
			disc("yearly", func(d *billing.Discount) { d.Percent, d.Periods = dec("2"), []catalog.Period{catalog.PeriodYear} }),
			disc("bulk", func(d *billing.Discount) { d.Percent, d.MinQuantity = dec("3"), 2 }),
			disc("expired", func(d *billing.Discount) { d.Percent, d.ValidTo = dec("4"), taxToday }),
			disc("future", func(d *billing.Discount) { d.Percent, d.ValidFrom = dec("5"), taxToday.AddDays(1) }),
			disc("this tariff, monthly, taxToday", func(d *billing.Discount) {
				d.Percent, d.Tariffs, d.Periods, d.MinQuantity, d.ValidFrom, d.ValidTo = dec("0.5"), []catalog.TariffID{tariff.ID},
					[]catalog.Period{catalog.PeriodMonth}, 1, taxToday, taxToday.AddDays(1)
			}),
		}, nil, []applied{{"this tariff, monthly, taxToday", "-5.00"}}, "1495.00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			period := tc.period
			if period == "" {
				period = catalog.PeriodMonth
			}
			q := quoteOf(t, tariff, period)
			o := order
			o.Period = period
			if tc.change != nil {
				tc.change(&o)
			}
			got, err := billing.ApplyDiscounts(&q, tc.discounts, o)
			if err != nil {
				t.Fatal(err)
			}
			gotApplied := []applied{}
			for _, a := range got {
				gotApplied = append(gotApplied, applied{a.Name, a.Amount.Amount().StringFixed(2)})
				if a.Code != "discount:"+a.DiscountID.String() {
					t.Errorf("code %q", a.Code)
				}
			}
			// The order of equal-ranked discounts is their IDs' (creation).
			if diff := cmp.Diff(tc.want, gotApplied); diff != "" {
				t.Fatalf("applied (-want +got):\n%s", diff)
			}
			if q.Total.Amount().StringFixed(2) != tc.total || len(q.Lines) != 2-oneIf(period == catalog.PeriodYear)+len(got) {
				t.Fatalf("quote total %s with %d lines, want %s", q.Total, len(q.Lines), tc.total)
			}
			for _, l := range q.Lines[len(q.Lines)-len(got):] {
				if l.Kind != catalog.LineAdjustment || !l.Recurring {
					t.Fatalf("adjustment line %+v", l)
				}
			}
		})
	}
}

func oneIf(b bool) int {
	if b {
		return 1
	}
	return 0
}

// unknownProviderID makes a ProviderID no provider has.
func unknownProviderID(t *testing.T) billkit.ProviderID {
	var id billkit.ProviderID
	if err := id.UnmarshalText([]byte(billkit.NewID[struct{}]().String())); err != nil {
		t.Fatal(err)
	}
	return id
}
