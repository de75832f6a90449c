package billing_test

import (
	"strings"
	"testing"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/catalog"
	"github.com/billkit/billkit/directory"
	"github.com/google/go-cmp/cmp"
)

// quoteLines describes a quote's lines as "kind[:addon or code] amount".
func quoteLines(q catalog.Quote) []string {
	out := []string{}
	for _, l := range q.Lines {
		name := string(l.Kind)
		switch {
		case l.Addon != "":
			name += ":" + l.Addon
		case l.Code != "":
			code, _, _ := strings.Cut(l.Code, ":")
			if code == "promo" {
				code = l.Code
			}
			name = code
		}
		if l.Kind == catalog.LineAdjustment && !l.Recurring {
			name += " (once)"
		}
		out = append(out, name+" "+l.Amount.Amount().StringFixed(2))
	}
	return out
}

func TestPriceOrder(t *testing.T) {
	e := newEnv(t)
	s := e.newShop(t, nil)
	if _, err := e.dir.SetExchangeRate(ctx, system, directory.SetExchangeRateParams{Base: "USD", Quote: "RUB", Rate: dec("90"), Date: taxToday.AddDays(-1)}); err != nil {
		t.Fatal(err)
	}
	// A company per tax setting, all selling to the provider's clients.
	company := func(name string, rule billing.TaxRuleParams, rounding billing.TaxRounding) billing.CompanyID {
		co := e.taxCompany(t, name, "RU")
		rule.CompanyID, rule.Code, rule.Country = co.ID, "vat", "RU"
		e.taxRule(t, rule)
		if _, err := e.svc.SetTaxSettings(ctx, system, co.ID, billing.SetTaxSettingsParams{Rounding: &rounding}); err != nil {
			t.Fatal(err)
		}
		return co.ID
	}
	vat20 := company("VAT 20", billing.TaxRuleParams{Rate: dec("20")}, billing.TaxRoundPerLine)
	perLine := company("Per line", billing.TaxRuleParams{Rate: dec("9.975")}, billing.TaxRoundPerLine)
	perDoc := company("Per document", billing.TaxRuleParams{Rate: dec("9.975")}, billing.TaxRoundPerDocument)
	inclusive := company("Inclusive", billing.TaxRuleParams{Rate: dec("20"), Inclusive: true}, billing.TaxRoundPerLine)

	type setup struct {
		discounts []billing.DiscountParams
		promo     *billing.PromoCodeParams
	}
	ram := func(gb string) map[string]catalog.AddonValue {
		return map[string]catalog.AddonValue{"ram": {Quantity: dec(gb)}}
	}
	for _, tc := range []struct {
		name    string
		setup   setup
		p       billing.OrderPriceParams
		lines   []string
		net     string
		tax     string
		total   string
		recurs  string
		noPromo bool
	}{
		{
			name:  "the catalog's price and the tax",
			p:     billing.OrderPriceParams{CompanyID: vat20},
			lines: []string{"period 1000.00", "setup 500.00", "addon:ip 150.00", "addon:ram 0.00"},
			net:   "1650.00", tax: "330.00", total: "1980.00", recurs: "1150.00",
		},
		{
			name: "discount, then promo code, then tax",
			setup: setup{
				discounts: []billing.DiscountParams{{Name: "Loyal", Percent: dec("10")}},
				promo:     &billing.PromoCodeParams{Code: "TWENTY", Kind: billing.PromoPercent, Value: dec("20"), EveryRenewal: true},
			},
			p:     billing.OrderPriceParams{CompanyID: vat20, PromoCode: "twenty"},
			lines: []string{"period 1000.00", "setup 500.00", "addon:ip 150.00", "addon:ram 0.00", "discount -115.00", "promo:TWENTY -207.00"},
			net:   "1328.00", tax: "265.60", total: "1593.60", recurs: "828.00",
		},
		{
			name:  "a free setup, once",
			setup: setup{promo: &billing.PromoCodeParams{Code: "NOSETUP", Kind: billing.PromoFreeSetup}},
			p:     billing.OrderPriceParams{CompanyID: vat20, PromoCode: "NOSETUP"},
			lines: []string{"period 1000.00", "setup 500.00", "addon:ip 150.00", "addon:ram 0.00", "promo:NOSETUP (once) -500.00"},
			net:   "1150.00", tax: "230.00", total: "1380.00", recurs: "1150.00",
		},
		{
			name:  "a first-period code on a new order",
			setup: setup{promo: &billing.PromoCodeParams{Code: "FIRST", Kind: billing.PromoFixed, Value: dec("200")}},
			p:     billing.OrderPriceParams{CompanyID: vat20, PromoCode: "FIRST", Period: catalog.PeriodYear},
			lines: []string{"period 10000.00", "addon:ip 1500.00", "addon:ram 0.00", "promo:FIRST (once) -200.00"},
			net:   "11300.00", tax: "2260.00", total: "13560.00", recurs: "11500.00",
		},
		{
			name:  "a renewal skips the setup fee and a first-period code",
			setup: setup{promo: &billing.PromoCodeParams{Code: "WELCOME", Kind: billing.PromoPercent, Value: dec("50")}},
			p:     billing.OrderPriceParams{CompanyID: vat20, PromoCode: "WELCOME", Renewal: true},
			lines: []string{"period 1000.00", "addon:ip 150.00", "addon:ram 0.00"},
			net:   "1150.00", tax: "230.00", total: "1380.00", recurs: "1150.00", noPromo: true,
		},
		{
			name:  "quantity, with a bulk discount per service",
			setup: setup{discounts: []billing.DiscountParams{{Name: "Bulk", Fixed: rub("100"), MinQuantity: 3}, {Name: "Bigger bulk", Fixed: rub("1000"), MinQuantity: 4}}},
			p:     billing.OrderPriceParams{CompanyID: vat20, Quantity: 3},
			lines: []string{"period 3000.00", "setup 1500.00", "addon:ip 450.00", "addon:ram 0.00", "discount -300.00"},
			net:   "4650.00", tax: "930.00", total: "5580.00", recurs: "3150.00",
		},
		{
			name:  "per-line rounding",
			p:     billing.OrderPriceParams{CompanyID: perLine, Addons: ram("2")},
			lines: []string{"period 1000.00", "setup 500.00", "addon:ip 150.00", "addon:ram 100.00"},
			net:   "1750.00", tax: "174.57", total: "1924.57", recurs: "1250.00",
		},
		{
			name:  "per-document rounding",
			p:     billing.OrderPriceParams{CompanyID: perDoc, Addons: ram("2")},
			lines: []string{"period 1000.00", "setup 500.00", "addon:ip 150.00", "addon:ram 100.00"},
			net:   "1750.00", tax: "174.56", total: "1924.56", recurs: "1250.00",
		},
		{
			name:  "inclusive taxes",
			p:     billing.OrderPriceParams{CompanyID: inclusive},
			lines: []string{"period 1000.00", "setup 500.00", "addon:ip 150.00", "addon:ram 0.00"},
			net:   "1375.00", tax: "275.00", total: "1650.00", recurs: "1150.00",
		},
		{
			name:  "converted from the tariff's dollars",
			p:     billing.OrderPriceParams{CompanyID: vat20, TariffID: s.usd.ID},
			lines: []string{"period 900.00"},
			net:   "900.00", tax: "180.00", total: "1080.00", recurs: "900.00",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := e.client(t, tc.name)
			e.payerIn(t, c.ID, "RU", "", "")
			for _, d := range tc.setup.discounts {
				d.ProviderID, d.Scope, d.ClientID = e.prov.ID, billing.DiscountClient, c.ID
				if _, err := e.svc.CreateDiscount(ctx, system, d); err != nil {
					t.Fatal(err)
				}
			}
			if tc.setup.promo != nil {
				e.promo(t, *tc.setup.promo)
			}
			p := tc.p
			p.ClientID = c.ID
			if p.TariffID.IsZero() {
				p.TariffID = s.vps.ID
			}
			if p.Period == "" {
				p.Period = catalog.PeriodMonth
			}
			got, err := e.svc.PriceOrder(ctx, customer(c.ID), p)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.lines, quoteLines(got.Quote)); diff != "" {
				t.Fatalf("quote lines (-want +got):\n%s", diff)
			}
			money := func(m billkit.Money) string { return m.Amount().StringFixed(2) + " " + m.Currency() }
			if diff := cmp.Diff([]string{tc.net + " RUB", tc.tax + " RUB", tc.total + " RUB", tc.recurs + " RUB"},
				[]string{money(got.Net), money(got.Tax), money(got.Total), money(got.Quote.Recurring)}); diff != "" {
				t.Fatalf("net, tax, total, recurring (-want +got):\n%s", diff)
			}
			// The parts agree: the taxed lines are the quote's lines, and
			// the quote's total is the net, or the gross with inclusive taxes.
			if len(got.Totals.Lines) != len(got.Quote.Lines) {
				t.Fatalf("%d taxed lines for %d quote lines", len(got.Totals.Lines), len(got.Quote.Lines))
			}
			base := got.Net
			if p.CompanyID == inclusive {
				base = got.Total
			}
			if !got.Quote.Total.Equal(base) {
				t.Fatalf("quote total %s, net %s, gross %s", got.Quote.Total, got.Net, got.Total)
			}
			if tc.setup.promo != nil && (got.Promo == nil) != tc.noPromo {
				t.Fatalf("promo = %+v", got.Promo)
			}
			if len(got.Discounts) != len(quoteAdjustments(got.Quote, "discount:")) {
				t.Fatalf("discounts %+v for lines %v", got.Discounts, quoteLines(got.Quote))
			}
		})
	}
	if n := e.count(t, "billkit_promo_redemptions", "1 = 1"); n != 0 {
		t.Fatalf("PriceOrder redeemed %d codes", n)
	}
}

func quoteAdjustments(q catalog.Quote, prefix string) []catalog.QuoteLine {
	var out []catalog.QuoteLine
	for _, l := range q.Lines {
		if strings.HasPrefix(l.Code, prefix) {
			out = append(out, l)
		}
	}
	return out
}

func TestPriceOrderTaxDecision(t *testing.T) {
	vies := &fakeVAT{valid: map[string]bool{"DE136695976": true}}
	e := newEnv(t)
	s := e.newShop(t, vies)
	co := e.taxCompany(t, "HostCo SAS", "FR")
	e.taxRule(t, billing.TaxRuleParams{CompanyID: co.ID, Code: "vat", Rate: dec("20")})
	e.taxRule(t, billing.TaxRuleParams{CompanyID: co.ID, Code: "vat", Rate: dec("19"), Country: "DE"})
	e.taxRule(t, billing.TaxRuleParams{CompanyID: co.ID, Code: "vat", Rate: dec("5.5"), Country: "DE", ProductTypes: []string{"domain"}})
	c := e.client(t, "Kunde")
	person := e.payerIn(t, c.ID, "DE", "", "")
	business := e.payerIn(t, c.ID, "DE", "", "DE136695976")
	price := func(payer billing.PayerID, tariff catalog.TariffID, period catalog.Period) *billing.OrderPrice {
		t.Helper()
		got, err := e.svc.PriceOrder(ctx, system, billing.OrderPriceParams{ClientID: c.ID, TariffID: tariff, Period: period, PayerID: payer, CompanyID: co.ID})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	if got := price(person.ID, s.vps.ID, catalog.PeriodMonth); !got.Tax.Equal(rub("313.50")) || got.TaxDecision.ReverseCharge {
		t.Fatalf("a German individual pays German VAT: %+v", got.TaxDecision)
	}
	if got := price(person.ID, s.domain.ID, catalog.PeriodYear); !got.Tax.Equal(rub("54.45")) {
		t.Fatalf("a domain at the reduced rate: tax %s", got.Tax)
	}
	if got := price(business.ID, s.vps.ID, catalog.PeriodMonth); got.TaxDecision.ReverseCharge || !got.Tax.Equal(rub("313.50")) {
		t.Fatalf("an unconfirmed VAT ID with a checker configured: %+v", got.TaxDecision)
	}
	if _, err := e.svc.CheckPayerVAT(ctx, system, business.ID); err != nil {
		t.Fatal(err)
	}
	got := price(business.ID, s.vps.ID, catalog.PeriodMonth)
	if !got.TaxDecision.ReverseCharge || !got.Tax.IsZero() || !got.Total.Equal(rub("1650.00")) || got.TaxDecision.Evidence == nil {
		t.Fatalf("a confirmed German business: %+v, tax %s", got.TaxDecision, got.Tax)
	}

	// Two levels add up: a federal tax and a provincial one.
	ca := e.taxCompany(t, "HostCo Canada", "CA")
	e.taxRule(t, billing.TaxRuleParams{CompanyID: ca.ID, Code: "gst", Country: "CA", Rate: dec("5")})
	e.taxRule(t, billing.TaxRuleParams{CompanyID: ca.ID, Code: "qst", Country: "CA", Region: "CA-QC", Level: 2, Rate: dec("9.975")})
	quebec := e.payerIn(t, c.ID, "CA", "CA-QC", "")
	got, err := e.svc.PriceOrder(ctx, system, billing.OrderPriceParams{ClientID: c.ID, TariffID: s.vps.ID, Period: catalog.PeriodMonth, PayerID: quebec.ID, CompanyID: ca.ID})
	if err != nil {
		t.Fatal(err)
	}
	var summary []string
	for _, x := range got.Totals.Summary {
		summary = append(summary, x.Code+" "+x.Amount.Amount().StringFixed(2))
	}
	if diff := cmp.Diff([]string{"gst 82.50", "qst 164.59"}, summary); diff != "" {
		t.Fatalf("taxes of a Quebec payer (-want +got):\n%s", diff)
	}
	if !got.Tax.Equal(rub("247.09")) || !got.Total.Equal(rub("1897.09")) {
		t.Fatalf("tax %s, total %s", got.Tax, got.Total)
	}
}

func TestPriceOrderErrors(t *testing.T) {
	e := newEnv(t)
	c := e.client(t, "Acme")
	_, err := e.svc.PriceOrder(ctx, system, billing.OrderPriceParams{ClientID: c.ID, TariffID: billkit.NewID[catalog.Tariff](), Period: catalog.PeriodMonth})
	wantCode(t, err, billkit.CodeFailedPrecondition, billing.ReasonCatalogMissing)

	s := e.newShop(t, nil)
	co := e.taxCompany(t, "HostCo", "RU")
	ok := billing.OrderPriceParams{ClientID: c.ID, TariffID: s.vps.ID, Period: catalog.PeriodMonth}
	if _, err := e.svc.PriceOrder(ctx, system, ok); err != nil {
		t.Fatalf("the provider's one company is the default: %v", err)
	}
	with := func(f func(p *billing.OrderPriceParams)) billing.OrderPriceParams {
		p := ok
		f(&p)
		return p
	}
	other, err := e.svc.CreateProvider(ctx, system, billing.CreateProviderParams{Name: "Other", Currency: "RUB"})
	if err != nil {
		t.Fatal(err)
	}
	stranger, err := e.svc.CreateCompany(ctx, system, billing.CreateCompanyParams{LegalName: "Stranger", Country: "RU", ProviderIDs: []billkit.ProviderID{other.ID}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		p             billing.OrderPriceParams
		field, reason string
	}{
		{with(func(p *billing.OrderPriceParams) { p.ClientID = billkit.ClientID{} }), "client_id", "required"},
		{with(func(p *billing.OrderPriceParams) { p.TariffID = catalog.TariffID{} }), "tariff_id", "required"},
		{with(func(p *billing.OrderPriceParams) { p.Period = "decade" }), "period", catalog.ReasonPeriodUnknown},
		{with(func(p *billing.OrderPriceParams) { p.Quantity = 1001 }), "quantity", "order.quantity_out_of_range"},
		{with(func(p *billing.OrderPriceParams) { p.PromoCode = "no spaces" }), "promo_code", "promo.code_malformed"},
		{with(func(p *billing.OrderPriceParams) { p.Date = billkit.Date{Year: 2024, Month: 13, Day: 1} }), "date", "date.invalid"},
		{with(func(p *billing.OrderPriceParams) { p.TariffID = billkit.NewID[catalog.Tariff]() }), "tariff_id", "tariff.not_found"},
		{with(func(p *billing.OrderPriceParams) { p.CompanyID = stranger.ID }), "company_id", "company.other_provider"},
		{with(func(p *billing.OrderPriceParams) { p.CompanyID = billkit.NewID[billing.Company]() }), "company_id", "company.not_found"},
		{with(func(p *billing.OrderPriceParams) { p.Period = catalog.PeriodDay }), "period", catalog.ReasonNoPrice},
		{with(func(p *billing.OrderPriceParams) {
			p.Addons = map[string]catalog.AddonValue{"ram": {Quantity: dec("99")}}
		}), "", ""},
	} {
		_, err := e.svc.PriceOrder(ctx, system, tc.p)
		if tc.field == "" {
			wantCode(t, err, billkit.CodeInvalid, "")
			continue
		}
		wantField(t, err, tc.field, tc.reason)
	}

	e.taxCompany(t, "Second", "RU")
	_, err = e.svc.PriceOrder(ctx, system, ok)
	wantField(t, err, "company_id", "required")
	ok.CompanyID = co.ID

	e.promo(t, billing.PromoCodeParams{Code: "DOMAINS", Kind: billing.PromoFreeSetup, Tariffs: []catalog.TariffID{s.domain.ID}})
	e.promo(t, billing.PromoCodeParams{Code: "DOLLARS", Kind: billing.PromoFixed, Value: dec("5"), Currency: "USD"})
	e.promo(t, billing.PromoCodeParams{Code: "OLD", Kind: billing.PromoFreeSetup, ValidTo: taxToday})
	for code, reason := range map[string]string{
		"NONE": billing.ReasonPromoUnknown, "DOMAINS": billing.ReasonPromoNotApplicable,
		"DOLLARS": billing.ReasonPromoNotApplicable, "OLD": billing.ReasonPromoExpired,
	} {
		_, err := e.svc.PriceOrder(ctx, system, with(func(p *billing.OrderPriceParams) { p.CompanyID, p.PromoCode = co.ID, code }))
		wantCode(t, err, billkit.CodeFailedPrecondition, reason)
	}
	// The code of yesterday's order is priced as of yesterday.
	if _, err := e.svc.PriceOrder(ctx, system, with(func(p *billing.OrderPriceParams) {
		p.CompanyID, p.PromoCode, p.Date = co.ID, "OLD", taxToday.AddDays(-1)
	})); err != nil {
		t.Fatal(err)
	}

	_, err = e.svc.PriceOrder(ctx, customer(billkit.NewClientID()), ok)
	wantCode(t, err, billkit.CodeNotFound, "client.not_found")
	_, err = e.svc.PriceOrder(ctx, billkit.Actor{}, ok)
	wantField(t, err, "actor.kind", "")
}
