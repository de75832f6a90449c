package billing_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/catalog"
	"github.com/billkit/billkit/directory"
)

// pricesBy returns a Repricer that prices the expenses by description,
// leaving the others alone.
func pricesBy(prices map[string]string) billing.Repricer {
	return billing.RepricerFunc(func(_ context.Context, x billing.Expense) (billkit.Money, bool, error) {
		p, ok := prices[x.Description]
		if !ok {
			return billkit.Money{}, false, nil
		}
		return billkit.MustParseMoney(p, x.Amount.Currency()), true, nil
	})
}

// recalcRows counts what a recalculation writes: ledger entries,
// recalculations and their actions.
func (e *env) recalcRows(t *testing.T) [3]int {
	t.Helper()
	return [3]int{e.count(t, "billkit_ledger_entries", "1 = 1"), e.count(t, "billkit_recalculations", "1 = 1"),
		e.count(t, "billkit_actions", "name = ?", "billing.expense.recalculate")}
}

// recalcBrief writes a recalculation's lines as "charged adjusted correct
// difference" and its total.
func recalcBrief(r *billing.Recalculation) string {
	var b strings.Builder
	for _, l := range r.Lines {
		b.WriteString(l.Charged.Amount().String() + " " + l.Adjusted.Amount().String() + " " + l.Correct.Amount().String() + " " + l.Difference.Amount().String() + "; ")
	}
	b.WriteString("total " + r.Total.String())
	return b.String()
}

func TestRecalculationPreviewApply(t *testing.T) {
	e := newEnv(t)
	c := e.client(t, "Acme")
	e.xPay(t, c.ID, "1000")
	e.xCharge(t, c.ID, "100", func(p *billing.ChargeParams) {
		p.Description, p.PeriodStart, p.PeriodEnd = "march", billkit.MustDate(2024, 3, 1), billkit.MustDate(2024, 4, 1)
	})
	april := e.xCharge(t, c.ID, "100", func(p *billing.ChargeParams) {
		p.Description, p.PeriodStart, p.PeriodEnd = "april", billkit.MustDate(2024, 4, 1), billkit.MustDate(2024, 5, 1)
	})
	setup := e.xCharge(t, c.ID, "50", func(p *billing.ChargeParams) { p.Description = "setup" }) // charged on the 15th
	e.xCharge(t, c.ID, "10", func(p *billing.ChargeParams) { p.Description = "not priced" })

	// From the 15th: April's period and the setup charged that day; not
	// March, whose period started before.
	params := billing.RecalcParams{ClientID: c.ID, From: billkit.MustDate(2024, 3, 15), Memo: "price error",
		Repricer: pricesBy(map[string]string{"march": "1", "april": "80", "setup": "65.50"})}
	rows := e.recalcRows(t)
	preview, err := e.svc.PreviewRecalculation(ctx, system, params)
	if err != nil {
		t.Fatal(err)
	}
	if got := recalcBrief(preview); got != "100 0 80 -20; 50 0 65.5 15.5; total -4.50 RUB" {
		t.Fatalf("preview = %s", got)
	}
	if preview.Applied || preview.ID.IsZero() || preview.Lines[0].ExpenseID != april.ID || preview.Lines[1].ExpenseID != setup.ID || !preview.Lines[0].LedgerEntryID.IsZero() {
		t.Fatalf("preview = %+v", preview)
	}
	if got := e.recalcRows(t); got != rows {
		t.Fatalf("a preview wrote %v, had %v", got, rows)
	}
	e.wantBalance(t, c.ID, "740")

	applied, err := e.svc.ApplyRecalculation(ctx, system, preview)
	if err != nil {
		t.Fatal(err)
	}
	if !applied.Applied || applied.ID != preview.ID || recalcBrief(applied) != recalcBrief(preview) || applied.Memo != "price error" {
		t.Fatalf("applied = %+v (%s)", applied, recalcBrief(applied))
	}
	for i, l := range applied.Lines {
		if l.ExpenseID != preview.Lines[i].ExpenseID || l.LedgerEntryID.IsZero() {
			t.Fatalf("applied line %d = %+v", i, l)
		}
		le, err := e.st.Billing().GetLedgerEntry(ctx, l.LedgerEntryID)
		if err != nil {
			t.Fatal(err)
		}
		if le.Kind != billing.LedgerAdjustment || le.CauseType != billing.CauseRecalculation || le.CauseID != l.ExpenseID.String() || !le.Amount.Equal(l.Difference.Neg()) {
			t.Fatalf("adjustment = %+v", le)
		}
	}
	e.wantBalance(t, c.ID, "744.50")
	if got := e.recalcRows(t); got != [3]int{rows[0] + 2, 1, 1} {
		t.Fatalf("apply wrote %v, had %v", got, rows)
	}
	// The expenses themselves are never edited.
	e.xCovered(t, april.ID, "100")
	if x, _ := e.svc.GetExpense(ctx, system, april.ID); !x.Amount.Equal(rub("100")) {
		t.Fatalf("april = %+v", x)
	}

	// Applying it again changes nothing.
	again, err := e.svc.ApplyRecalculation(ctx, system, preview)
	if err != nil {
		t.Fatal(err)
	}
	if recalcBrief(again) != recalcBrief(applied) || again.Lines[0].LedgerEntryID != applied.Lines[0].LedgerEntryID {
		t.Fatalf("applied twice = %s", recalcBrief(again))
	}
	if got := e.recalcRows(t); got != [3]int{rows[0] + 2, 1, 1} {
		t.Fatalf("a second apply wrote %v", got)
	}
	e.wantBalance(t, c.ID, "744.50")
	stored, err := e.svc.GetRecalculation(ctx, system, preview.ID)
	if err != nil || recalcBrief(stored) != recalcBrief(applied) {
		t.Fatalf("GetRecalculation = %+v, %v", stored, err)
	}

	// The same prices again: nothing left to post.
	e.clock.Advance(time.Hour)
	same, err := e.svc.PreviewRecalculation(ctx, system, params)
	if err != nil {
		t.Fatal(err)
	}
	if got := recalcBrief(same); got != "100 -20 80 0; 50 15.5 65.5 0; total 0.00 RUB" {
		t.Fatalf("preview after apply = %s", got)
	}
	// Another price: the difference is net of what was already adjusted.
	params.Repricer = pricesBy(map[string]string{"april": "90", "setup": "65.50"})
	second, err := e.svc.Recalculate(ctx, system, params)
	if err != nil {
		t.Fatal(err)
	}
	if got := recalcBrief(second); got != "100 -20 90 10; 50 15.5 65.5 0; total 10.00 RUB" {
		t.Fatalf("second recalculation = %s", got)
	}
	if !second.Lines[1].LedgerEntryID.IsZero() {
		t.Fatal("a zero difference posted an adjustment")
	}
	e.wantBalance(t, c.ID, "734.50")
	page, err := e.svc.ListRecalculations(ctx, system, billing.RecalculationFilter{ClientID: c.ID})
	if err != nil || len(page.Items) != 2 || page.Items[0].ID != preview.ID || page.Items[1].ID != second.ID {
		t.Fatalf("ListRecalculations = %+v, %v", page.Items, err)
	}
}

func TestRecalculationStalePreview(t *testing.T) {
	e := newEnv(t)
	c := e.client(t, "Acme")
	e.xCharge(t, c.ID, "100", belowLimit, func(p *billing.ChargeParams) { p.Description = "vps" })
	params := billing.RecalcParams{ClientID: c.ID, From: billkit.MustDate(2024, 1, 1), Repricer: pricesBy(map[string]string{"vps": "70"})}
	p1, err := e.svc.PreviewRecalculation(ctx, system, params)
	if err != nil {
		t.Fatal(err)
	}
	p2, err := e.svc.PreviewRecalculation(ctx, system, params)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.ApplyRecalculation(ctx, system, p1); err != nil {
		t.Fatal(err)
	}
	// The second preview did not see the first's adjustment: applying it
	// would credit the client twice.
	rows := e.recalcRows(t)
	_, err = e.svc.ApplyRecalculation(ctx, system, p2)
	wantCode(t, err, billkit.CodeFailedPrecondition, billing.ReasonRecalculationStale)
	if got := e.recalcRows(t); got != rows {
		t.Fatalf("a stale apply wrote %v, had %v", got, rows)
	}
	// The credit paid the client's debt: 100 charged, 30 given back.
	e.wantBalance(t, c.ID, "-70")
	e.xDebt(t, c.ID, "70", "vps")
}

func TestRecalculationBadInput(t *testing.T) {
	e := newEnv(t)
	c, other := e.client(t, "Acme"), e.client(t, "Other")
	x := e.xCharge(t, c.ID, "100", belowLimit, func(p *billing.ChargeParams) { p.Description = "vps" })
	theirs := e.xCharge(t, other.ID, "5", belowLimit, func(p *billing.ChargeParams) { p.Description = "vps" })
	from := billkit.MustDate(2024, 1, 1)
	ok := billing.RecalcParams{ClientID: c.ID, From: from, Repricer: pricesBy(map[string]string{"vps": "70"})}
	rows := e.recalcRows(t)

	for _, tc := range []struct {
		name          string
		p             billing.RecalcParams
		field, reason string
	}{
		{"no client", billing.RecalcParams{From: from}, "client_id", "required"},
		{"no date", billing.RecalcParams{ClientID: c.ID}, "from", "required"},
		{"bad date", billing.RecalcParams{ClientID: c.ID, From: billkit.Date{Year: 2024, Month: 2, Day: 30}}, "from", "date.out_of_range"},
		{"long memo", billing.RecalcParams{ClientID: c.ID, From: from, Memo: strings.Repeat("x", 1001)}, "memo", "too_long"},
	} {
		_, err := e.svc.PreviewRecalculation(ctx, system, tc.p)
		wantField(t, err, tc.field, tc.reason)
	}
	for name, r := range map[string]billing.Repricer{
		"currency": pricesByMoney(billkit.MustParseMoney("70", "USD")),
		"negative": pricesByMoney(rub("-1")),
		"decimals": pricesByMoney(rub("1.001")),
	} {
		p := ok
		p.Repricer = r
		_, err := e.svc.PreviewRecalculation(ctx, system, p)
		if billkit.ErrorCode(err) != billkit.CodeFailedPrecondition || billkit.ErrorReason(err) != billing.ReasonRecalculationPrice {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	// Without a Repricer the catalog prices; there is none.
	_, err := e.svc.PreviewRecalculation(ctx, system, billing.RecalcParams{ClientID: c.ID, From: from})
	wantCode(t, err, billkit.CodeFailedPrecondition, "billing.catalog_missing")
	// Rights: billing.expense:edit, and customers only their own clients.
	_, err = e.svc.PreviewRecalculation(ctx, staff(billkit.R(billing.FunctionExpense, billkit.OpRead)), ok)
	wantCode(t, err, billkit.CodeForbidden, "")
	_, err = e.svc.PreviewRecalculation(ctx, customer(other.ID), ok)
	wantCode(t, err, billkit.CodeNotFound, "client.not_found")

	preview, err := e.svc.PreviewRecalculation(ctx, system, ok)
	if err != nil {
		t.Fatal(err)
	}
	tamper := func(f func(r *billing.Recalculation)) *billing.Recalculation {
		r := *preview
		r.Lines = append([]billing.RecalcLine(nil), preview.Lines...)
		f(&r)
		return &r
	}
	_, err = e.svc.ApplyRecalculation(ctx, system, nil)
	wantField(t, err, "recalculation", "required")
	_, err = e.svc.ApplyRecalculation(ctx, system, tamper(func(r *billing.Recalculation) { r.ID = billing.RecalculationID{} }))
	wantField(t, err, "id", "required")
	_, err = e.svc.ApplyRecalculation(ctx, system, tamper(func(r *billing.Recalculation) { r.Lines = append(r.Lines, r.Lines[0]) }))
	wantField(t, err, "lines[1].expense_id", "recalculation.expense_duplicate")
	_, err = e.svc.ApplyRecalculation(ctx, system, tamper(func(r *billing.Recalculation) { r.Lines[0].ExpenseID = theirs.ID }))
	wantField(t, err, "lines[0].expense_id", "expense.not_found")
	_, err = e.svc.ApplyRecalculation(ctx, system, tamper(func(r *billing.Recalculation) { r.Lines[0].Correct = billkit.MustParseMoney("70", "USD") }))
	wantField(t, err, "lines[0].correct", billing.ReasonRecalculationPrice)
	_, err = e.svc.ApplyRecalculation(ctx, system, tamper(func(r *billing.Recalculation) { r.Lines[0].Correct = billkit.Money{} }))
	wantField(t, err, "lines[0].correct", "required")
	_, err = e.svc.ApplyRecalculation(ctx, system, tamper(func(r *billing.Recalculation) { r.Lines[0].Correct = rub("60") }))
	wantCode(t, err, billkit.CodeFailedPrecondition, billing.ReasonRecalculationStale)
	_, err = e.svc.ApplyRecalculation(ctx, staff(billkit.R(billing.FunctionExpense, billkit.OpRead)), preview)
	wantCode(t, err, billkit.CodeForbidden, "")
	if got := e.recalcRows(t); got != rows {
		t.Fatalf("bad input wrote %v, had %v", got, rows)
	}
	e.xCovered(t, x.ID, "0")
	_, err = e.svc.GetRecalculation(ctx, system, preview.ID)
	wantCode(t, err, billkit.CodeNotFound, "recalculation.not_found")
	_, err = e.svc.ListRecalculations(ctx, system, billing.RecalculationFilter{})
	wantField(t, err, "client_id", "required")
}

// pricesByMoney returns a Repricer that prices every expense at m.
func pricesByMoney(m billkit.Money) billing.Repricer {
	return billing.RepricerFunc(func(context.Context, billing.Expense) (billkit.Money, bool, error) { return m, true, nil })
}

func TestRecalculationFromCatalog(t *testing.T) {
	e := newEnv(t)
	cat := catalog.NewService(e.st.Catalog(), e.dir, catalog.Config{Clock: e.clock})
	e.svc = billing.NewService(e.st.Billing(), e.dir, billing.Config{Clock: e.clock, Catalog: cat})
	txt := func(s string) directory.Text { return directory.Text{"en": s} }
	price := func(p catalog.Period, amount, setup string) catalog.Price {
		pr := catalog.Price{Period: p, Currency: "RUB", Amount: dec(amount)}
		if setup != "" {
			pr.SetupFee = dec(setup)
		}
		return pr
	}
	_, err := cat.ApplyCatalog(ctx, system, catalog.Catalog{
		ProviderID:   e.prov.ID,
		ProductTypes: []catalog.ProductTypeDoc{{Code: "vps", Kind: catalog.KindVPS, Name: txt("VPS")}},
		Tariffs: []catalog.TariffDoc{{Code: "vps-1", Name: txt("VPS 1"), ProductType: "vps", Currency: "RUB",
			Prices: []catalog.Price{price(catalog.PeriodMonth, "1000.00", "500.00")}}},
		// From April, 1200 a month, for existing services from their next
		// renewal.
		PriceVersions: []catalog.PriceVersionDoc{{Tariff: "vps-1", EffectiveDate: billkit.MustDate(2024, 4, 1), Policy: catalog.PolicyNextRenewal,
			Prices: []catalog.Price{price(catalog.PeriodMonth, "1200.00", "500.00")}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	vps, err := cat.GetTariffByCode(ctx, system, e.prov.ID, "vps-1")
	if err != nil {
		t.Fatal(err)
	}
	c := e.client(t, "Acme")
	ordered := billkit.MustDate(2024, 1, 10)
	period := func(desc string, start billkit.Date, qty string) func(*billing.ChargeParams) {
		return func(p *billing.ChargeParams) {
			p.Kind, p.Description, p.TariffID, p.Period, p.PriceDate = billing.ExpensePeriod, desc, vps.ID, catalog.PeriodMonth, ordered
			p.PeriodStart, p.PeriodEnd = start, start.AddMonths(1)
			if qty != "" {
				p.Quantity = dec(qty)
			}
		}
	}
	e.xCharge(t, c.ID, "1000", belowLimit, period("march", billkit.MustDate(2024, 3, 10), ""))
	e.xCharge(t, c.ID, "1000", belowLimit, period("april", billkit.MustDate(2024, 4, 10), ""))
	e.xCharge(t, c.ID, "300", belowLimit, period("half of may", billkit.MustDate(2024, 5, 10), "0.5"))
	e.xCharge(t, c.ID, "400", belowLimit, func(p *billing.ChargeParams) {
		p.Kind, p.Description, p.TariffID, p.Period, p.PriceDate = billing.ExpenseSetup, "setup", vps.ID, catalog.PeriodMonth, ordered
	})
	e.xCharge(t, c.ID, "5", belowLimit, func(p *billing.ChargeParams) { p.Description = "manual" })

	r, err := e.svc.PreviewRecalculation(ctx, system, billing.RecalcParams{ClientID: c.ID, From: billkit.MustDate(2024, 1, 1)})
	if err != nil {
		t.Fatal(err)
	}
	// March stays at 1000; April's renewal is at 1200; half of May is 600;
	// the setup fee is 500; the manual charge has no pricing reference.
	if got := recalcBrief(r); got != "1000 0 1000 0; 1000 0 1200 200; 300 0 600 300; 400 0 500 100; total 600.00 RUB" {
		t.Fatalf("preview = %s", got)
	}
	if _, err := e.svc.ApplyRecalculation(ctx, system, r); err != nil {
		t.Fatal(err)
	}
	e.wantBalance(t, c.ID, "-3305")
	e.xDebt(t, c.ID, "3305", "march", "april", "half of may", "setup", "manual", "recalculation "+r.ID.String(),
		"recalculation "+r.ID.String(), "recalculation "+r.ID.String())

	// A tariff the catalog does not have cannot be priced.
	e.xCharge(t, c.ID, "1", belowLimit, func(p *billing.ChargeParams) {
		p.Kind, p.Description, p.TariffID, p.Period, p.PriceDate = billing.ExpenseSetup, "gone", billkit.NewID[catalog.Tariff](), catalog.PeriodMonth, ordered
	})
	_, err = e.svc.PreviewRecalculation(ctx, system, billing.RecalcParams{ClientID: c.ID, From: billkit.MustDate(2024, 1, 1)})
	wantCode(t, err, billkit.CodeFailedPrecondition, "recalculation.price_missing")
	// Nor a period the tariff has no price for.
	_, _, err = e.svc.CatalogRepricer().Reprice(ctx, billing.Expense{Kind: billing.ExpensePeriod, Amount: rub("1"), TariffID: vps.ID,
		Period: catalog.PeriodYear, PeriodStart: billkit.MustDate(2024, 3, 1)})
	wantCode(t, err, billkit.CodeFailedPrecondition, "recalculation.price_missing")
}
