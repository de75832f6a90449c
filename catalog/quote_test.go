package catalog

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/billkit/billkit"
	"github.com/shopspring/decimal"
)

func vpsVersions(t *Tariff) []PriceVersion {
	vid := func(n int) PriceVersionID {
		return billkit.MustParseID[PriceVersion](fmt.Sprintf("0190a000-0000-7000-8000-00000000%04d", n))
	}
	return []PriceVersion{
		// Out of order on purpose: the engine picks by date.
		{ID: vid(2), TariffID: t.ID, EffectiveDate: billkit.MustDate(2028, 6, 1), Policy: PolicyNextRenewal,
			AddonPrices: []AddonPrices{
				{Addon: "ram", Prices: priceList("USD", "hour:0.0025", "day:0.06", "month:1.75", "3months:5.25",
					"6months:10.50", "year:18.90", "2years:37.80", "3years:56.70")},
				{Addon: "panel", Option: "cpanel", Prices: priceList("USD", "hour:0.028", "day:0.60", "month:17.99+10.00",
					"3months:53.97+10.00", "6months:107.94", "year:199.88", "2years:399.76", "3years:599.64")},
			}},
		{ID: vid(3), TariffID: t.ID, EffectiveDate: billkit.MustDate(2030, 1, 1), Policy: PolicyNow,
			Prices: priceList("USD", "month:99.00")},
		{ID: vid(1), TariffID: t.ID, EffectiveDate: billkit.MustDate(2028, 2, 29), Policy: PolicyKeepForPeriods, KeepPeriods: 2,
			Prices: append(priceList("USD", "hour:0.018", "day:0.42", "month:12.00+5.00", "3months:34.50+5.00",
				"6months:66.00", "year:120.00", "2years:228.00", "3years:324.00"), priceList("EUR", "month:11.40+4.50")...)},
	}
}

// storageTariff has a quantity addon priced in fractions of a cent, for
// the rounding modes.
func storageTariff() *Tariff {
	return &Tariff{
		Code: "storage", Currency: "USD", Status: TariffActive,
		Prices: priceList("USD", "month:3.00"),
		Addons: []Addon{{Code: "disk", BillingType: BillingQuantity, Unit: "GB", Min: dec("0"), Max: dec("100"), Step: dec("1"),
			Prices: priceList("USD", "month:0.125")}},
	}
}

func values(kv ...any) map[string]AddonValue {
	out := map[string]AddonValue{}
	for i := 0; i < len(kv); i += 2 {
		switch v := kv[i+1].(type) {
		case string:
			out[kv[i].(string)] = AddonValue{Option: v}
		case int:
			out[kv[i].(string)] = AddonValue{Quantity: decimal.NewFromInt(int64(v))}
		}
	}
	return out
}

// discount takes 10% off the recurring lines every period and, with a
// promo code, 5.00 off the first one.
var discount = AdjusterFunc(func(ctx context.Context, q *Quote) error {
	off := q.Recurring.Mul(dec("-0.10")).RoundTo(q.Digits, q.Rounding)
	if err := q.AddAdjustment("discount:loyal", off, true); err != nil {
		return err
	}
	promo, err := billkit.NewMoney(dec("-5"), q.Currency)
	if err != nil {
		return err
	}
	return q.AddAdjustment("promo:WELCOME", promo.RoundTo(q.Digits, q.Rounding), false)
})

func TestQuoteGolden(t *testing.T) {
	vps := vpsTariff()
	versions := vpsVersions(vps)
	d := billkit.MustDate
	all := values("ram", 8, "panel", "cpanel", "ipv4", 2)
	var b bytes.Buffer
	fmt.Fprintln(&b, "# Quotes of vps-start (one addon of each billing type: location none, ipv4 fixed,")
	fmt.Fprintln(&b, "# panel enum, ram quantity with 2 GB included, traffic metered with 1000 GB included)")
	fmt.Fprintln(&b, "# and storage (a quantity addon at 0.125 a GB). Columns: line, unit price × quantity = amount.")
	fmt.Fprintln(&b)
	for _, tc := range []struct {
		name string
		r    QuoteRequest
	}{
		{"month from jan 31, defaults", QuoteRequest{Tariff: vps, Period: PeriodMonth, Date: d(2027, 1, 31)}},
		{"month from jan 31 of a leap year", QuoteRequest{Tariff: vps, Period: PeriodMonth, Date: d(2028, 1, 31)}},
		{"month from mar 31 (april has 30 days)", QuoteRequest{Tariff: vps, Period: PeriodMonth, Date: d(2027, 3, 31), AddonValues: all}},
		{"month, every addon chosen", QuoteRequest{Tariff: vps, Period: PeriodMonth, Date: d(2027, 5, 15), AddonValues: all}},
		{"month, ram below what is included", QuoteRequest{Tariff: vps, Period: PeriodMonth, Date: d(2027, 5, 15), AddonValues: values("ram", 1, "panel", "ispmanager")}},
		{"month, fixed ipv4 set to 0", QuoteRequest{Tariff: vps, Period: PeriodMonth, Date: d(2027, 5, 15), AddonValues: values("ipv4", 0)}},
		{"hour", QuoteRequest{Tariff: vps, Period: PeriodHour, Date: d(2027, 5, 15), AddonValues: all}},
		{"day on a leap day", QuoteRequest{Tariff: vps, Period: PeriodDay, Date: d(2028, 2, 28), AddonValues: all}},
		{"3 months from nov 30 (to feb 29)", QuoteRequest{Tariff: vps, Period: Period3Months, Date: d(2027, 11, 30), AddonValues: all}},
		{"6 months from aug 31", QuoteRequest{Tariff: vps, Period: Period6Months, Date: d(2027, 8, 31), AddonValues: all}},
		{"year from a leap day, before any version", QuoteRequest{Tariff: vps, Period: PeriodYear, Date: d(2028, 2, 29), AddonValues: all}},
		{"2 years from dec 31", QuoteRequest{Tariff: vps, Period: Period2Years, Date: d(2027, 12, 31), AddonValues: all}},
		{"3 years from feb 28", QuoteRequest{Tariff: vps, Period: Period3Years, Date: d(2029, 2, 28), AddonValues: all}},
		{"versions: the day before the first", QuoteRequest{Tariff: vps, Versions: versions, Period: PeriodMonth, Date: d(2028, 2, 28), AddonValues: all}},
		{"versions: the first, on a leap day", QuoteRequest{Tariff: vps, Versions: versions, Period: PeriodMonth, Date: d(2028, 2, 29), AddonValues: all}},
		{"versions: the second (addon prices only)", QuoteRequest{Tariff: vps, Versions: versions, Period: PeriodMonth, Date: d(2028, 6, 1), AddonValues: all}},
		{"versions: the second, yearly", QuoteRequest{Tariff: vps, Versions: versions, Period: PeriodYear, Date: d(2029, 12, 31), AddonValues: all}},
		{"EUR: tariff priced in EUR, addons converted", QuoteRequest{Tariff: vps, Period: PeriodMonth, Currency: "EUR", Date: d(2027, 5, 15), AddonValues: all, Converter: fakeRates}},
		{"EUR: ispmanager priced in EUR too", QuoteRequest{Tariff: vps, Period: PeriodMonth, Currency: "EUR", Date: d(2027, 5, 15), AddonValues: values("panel", "ispmanager"), Converter: fakeRates}},
		{"EUR: a version's EUR price", QuoteRequest{Tariff: vps, Versions: versions, Period: PeriodMonth, Currency: "EUR", Date: d(2028, 3, 1), Converter: fakeRates}},
		{"RUB: everything converted", QuoteRequest{Tariff: vps, Period: PeriodMonth, Currency: "RUB", Date: d(2027, 5, 15), AddonValues: all, Converter: fakeRates}},
		{"JPY: converted, no decimals", QuoteRequest{Tariff: vps, Period: PeriodYear, Currency: "JPY", Date: d(2027, 5, 15), AddonValues: all, Converter: fakeRates}},
		{"BHD: converted, three decimals", QuoteRequest{Tariff: vps, Period: PeriodMonth, Currency: "BHD", Date: d(2027, 5, 15), AddonValues: all, Converter: fakeRates}},
		{"adjuster: discount and promo", QuoteRequest{Tariff: vps, Period: PeriodMonth, Date: d(2027, 5, 15), AddonValues: all, Adjuster: discount}},
		{"adjuster in RUB", QuoteRequest{Tariff: vps, Period: PeriodMonth, Currency: "RUB", Date: d(2027, 5, 15), AddonValues: all, Converter: fakeRates, Adjuster: discount}},
		{"storage 1 GB, half_up", QuoteRequest{Tariff: storageTariff(), Period: PeriodMonth, Date: d(2027, 5, 15), AddonValues: values("disk", 1)}},
		{"storage 1 GB, half_even", QuoteRequest{Tariff: storageTariff(), Period: PeriodMonth, Date: d(2027, 5, 15), AddonValues: values("disk", 1), Rounding: billkit.RoundHalfEven}},
		{"storage 3 GB, half_even", QuoteRequest{Tariff: storageTariff(), Period: PeriodMonth, Date: d(2027, 5, 15), AddonValues: values("disk", 3), Rounding: billkit.RoundHalfEven}},
		{"storage 1 GB, up", QuoteRequest{Tariff: storageTariff(), Period: PeriodMonth, Date: d(2027, 5, 15), AddonValues: values("disk", 1), Rounding: billkit.RoundUp}},
	} {
		q, err := NewQuote(context.Background(), tc.r)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		checkTotals(t, tc.name, q)
		writeQuote(&b, tc.name, q)
	}
	golden(t, "quotes.golden", b.Bytes())
}

// checkTotals asserts the totals are the sums of the lines, and every
// amount is its rounded unit price × quantity.
func checkTotals(t *testing.T, name string, q Quote) {
	t.Helper()
	total, recurring := decimal.Zero, decimal.Zero
	for i, l := range q.Lines {
		if l.Amount.Currency() != q.Currency || l.UnitPrice.Currency() != q.Currency {
			t.Errorf("%s: line %d in %s/%s, quote in %s", name, i, l.UnitPrice.Currency(), l.Amount.Currency(), q.Currency)
		}
		if l.Kind != LineAdjustment {
			want := l.UnitPrice.Mul(l.Quantity).RoundTo(q.Digits, q.Rounding)
			if !l.Amount.Equal(want) {
				t.Errorf("%s: line %d amount %s, want %s", name, i, l.Amount, want)
			}
		}
		if l.Amount.Amount().Exponent() != -q.Digits {
			t.Errorf("%s: line %d amount %s not written with %d decimals", name, i, l.Amount, q.Digits)
		}
		total = total.Add(l.Amount.Amount())
		if l.Recurring {
			recurring = recurring.Add(l.Amount.Amount())
		}
	}
	if !q.Total.Amount().Equal(total) || !q.Recurring.Amount().Equal(recurring) {
		t.Errorf("%s: totals %s / %s, lines add up to %s / %s", name, q.Total, q.Recurring, total, recurring)
	}
}

func TestQuoteEveryPeriodAndCurrency(t *testing.T) {
	vps := vpsTariff()
	for _, p := range Periods() {
		for _, cur := range []string{"USD", "EUR", "RUB", "JPY", "BHD"} {
			for _, panel := range []string{"none", "cpanel", "ispmanager"} {
				r := QuoteRequest{Tariff: vps, Versions: vpsVersions(vps), Period: p, Currency: cur, Date: billkit.MustDate(2028, 7, 1),
					AddonValues: values("panel", panel, "ram", 64), Converter: fakeRates, Adjuster: discount}
				q, err := NewQuote(context.Background(), r)
				if err != nil {
					t.Fatalf("%s %s %s: %v", p, cur, panel, err)
				}
				checkTotals(t, fmt.Sprint(p, cur, panel), q)
				if n := len(q.Lines); n < 6 {
					t.Errorf("%s %s %s: %d lines", p, cur, panel, n)
				}
			}
		}
	}
}

func TestQuoteAsksTheConverterOnce(t *testing.T) {
	calls := 0
	conv := ConverterFunc(func(ctx context.Context, m billkit.Money, to string, on billkit.Date) (billkit.Money, decimal.Decimal, error) {
		calls++
		if !m.Equal(billkit.MustParseMoney("1", "USD")) || on != billkit.MustDate(2027, 5, 15) {
			t.Errorf("asked to convert %s on %s", m, on)
		}
		return fakeRates(ctx, m, to, on)
	})
	q, err := NewQuote(context.Background(), QuoteRequest{Tariff: vpsTariff(), Period: PeriodMonth, Currency: "RUB",
		Date: billkit.MustDate(2027, 5, 15), AddonValues: values("panel", "cpanel"), Converter: conv})
	if err != nil {
		t.Fatal(err)
	}
	if calls != 1 || q.RateFrom != "USD" || q.Rate.String() != "92.3456" {
		t.Fatalf("%d calls, rate %s %s", calls, q.RateFrom, q.Rate)
	}
	// No conversion needed: no call, no rate.
	calls = 0
	q, err = NewQuote(context.Background(), QuoteRequest{Tariff: vpsTariff(), Period: PeriodMonth,
		Date: billkit.MustDate(2027, 5, 15), Converter: conv})
	if err != nil || calls != 0 || q.RateFrom != "" || !q.Rate.IsZero() {
		t.Fatalf("%d calls, rate %q %s, %v", calls, q.RateFrom, q.Rate, err)
	}
}

func TestQuoteConverterErrors(t *testing.T) {
	ctx := context.Background()
	r := QuoteRequest{Tariff: vpsTariff(), Period: PeriodYear, Currency: "EUR", Date: billkit.MustDate(2027, 5, 15)}
	_, err := NewQuote(ctx, r)
	if !billkit.IsCode(err, billkit.CodeFailedPrecondition) || !billkit.HasReason(err, "catalog.converter_missing") {
		t.Fatalf("no converter: %v", err)
	}
	r.Currency = "CHF"
	r.Converter = fakeRates
	if _, err := NewQuote(ctx, r); !billkit.HasReason(err, "rate.not_found") {
		t.Fatalf("no rate: %v", err)
	}
	r.Converter = ConverterFunc(func(context.Context, billkit.Money, string, billkit.Date) (billkit.Money, decimal.Decimal, error) {
		return billkit.Money{}, decimal.Zero, nil
	})
	if _, err := NewQuote(ctx, r); !billkit.HasReason(err, "catalog.rate_invalid") {
		t.Fatalf("zero rate: %v", err)
	}
}

func TestQuoteBadInput(t *testing.T) {
	ctx := context.Background()
	vps := vpsTariff()
	today := billkit.MustDate(2027, 5, 15)
	bad := int32(-1)
	other := vpsVersions(vps)[:1]
	other[0].TariffID = billkit.NewID[Tariff]()
	for _, tc := range []struct {
		name   string
		r      QuoteRequest
		fields []string
	}{
		{"no tariff", QuoteRequest{Period: PeriodMonth, Date: today}, []string{"tariff"}},
		{"everything", QuoteRequest{Tariff: vps, Period: "week", Currency: "usd", Rounding: 17, Digits: &bad}, []string{"currency", "date", "digits", "period", "rounding"}},
		{"other tariff's version", QuoteRequest{Tariff: vps, Versions: other, Period: PeriodMonth, Date: today}, []string{"versions[0].tariff_id"}},
		{"addon values", QuoteRequest{Tariff: vps, Period: PeriodMonth, Date: today,
			AddonValues: map[string]AddonValue{"ram": {Quantity: dec("65")}, "panel": {Option: "plesk"}, "traffic": {Quantity: dec("1")}, "gpu": {}}},
			[]string{"addons[gpu]", "addons[panel].option", "addons[ram].quantity", "addons[traffic]"}},
		{"period not priced", QuoteRequest{Tariff: storageTariff(), Period: PeriodYear, Date: today}, []string{"period"}},
	} {
		q, err := NewQuote(ctx, tc.r)
		checkFields(t, tc.name, err, tc.fields...)
		if len(q.Lines) != 0 {
			t.Errorf("%s: a quote came with the error", tc.name)
		}
	}
	// An addon priced, but not for the period.
	st := storageTariff()
	st.Prices = append(st.Prices, priceList("USD", "year:30.00")...)
	_, err := NewQuote(ctx, QuoteRequest{Tariff: st, Period: PeriodYear, Date: today})
	checkFields(t, "addon not priced", err, "addons[disk].prices")
	if !billkit.HasReason(err, ReasonNoPrice) {
		t.Errorf("reason: %v", err)
	}
}

func TestQuoteAdjuster(t *testing.T) {
	ctx := context.Background()
	r := QuoteRequest{Tariff: vpsTariff(), Period: PeriodMonth, Date: billkit.MustDate(2027, 5, 15)}
	plain, err := NewQuote(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	r.Adjuster = Adjusters(nil, discount, AdjusterFunc(func(ctx context.Context, q *Quote) error {
		seen = len(q.Lines) // runs after the discount, on its result
		return nil
	}))
	q, err := NewQuote(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	if seen != len(plain.Lines)+2 || len(q.Lines) != seen {
		t.Fatalf("the chain saw %d lines, the quote has %d, without adjustments %d", seen, len(q.Lines), len(plain.Lines))
	}
	// 10.00 + 5.00 setup + 2.00 + 1.00 setup: recurring 12.00, -1.20 a
	// period; -5.00 once.
	if q.Recurring.String() != "10.80 USD" || q.Total.String() != "11.80 USD" {
		t.Fatalf("recurring %s, total %s", q.Recurring, q.Total)
	}
	checkTotals(t, "adjusted", q)

	// Errors: the adjuster's own, and lines the quote cannot add up.
	boom := errors.New("tax service down")
	r.Adjuster = AdjusterFunc(func(context.Context, *Quote) error { return boom })
	if _, err := NewQuote(ctx, r); !errors.Is(err, boom) {
		t.Fatalf("adjuster error: %v", err)
	}
	for name, m := range map[string]billkit.Money{
		"other currency": billkit.MustParseMoney("-1.00", "EUR"),
		"unrounded":      billkit.MustParseMoney("-1.005", "USD"),
	} {
		r.Adjuster = AdjusterFunc(func(ctx context.Context, q *Quote) error { return q.AddAdjustment("x", m, false) })
		if _, err := NewQuote(ctx, r); !billkit.IsCode(err, billkit.CodeInvalid) {
			t.Errorf("%s: %v", name, err)
		}
		r.Adjuster = AdjusterFunc(func(ctx context.Context, q *Quote) error {
			q.Lines[0].Amount = m // changed in place, behind the quote's back
			return nil
		})
		if _, err := NewQuote(ctx, r); !billkit.HasReason(err, "catalog.quote_adjustment_invalid") {
			t.Errorf("%s in place: %v", name, err)
		}
	}
	// Trailing zeros beyond the digits are fine: 1.500 is rounded.
	q = plain
	if err := q.AddAdjustment("x", billkit.MustParseMoney("-1.500", "USD"), true); err != nil || q.Total.String() != "16.50 USD" {
		t.Fatalf("AddAdjustment: %s %v", q.Total, err)
	}
}

func TestQuoteDigitsOverride(t *testing.T) {
	st := storageTariff()
	st.Currency = "BONUS"
	for i := range st.Prices {
		st.Prices[i].Currency = "BONUS"
	}
	st.Addons[0].Prices[0].Currency = "BONUS"
	zero := int32(0)
	q, err := NewQuote(context.Background(), QuoteRequest{Tariff: st, Period: PeriodMonth, Date: billkit.MustDate(2027, 1, 1),
		AddonValues: values("disk", 7), Digits: &zero})
	if err != nil {
		t.Fatal(err)
	}
	checkTotals(t, "bonus", q)
	if q.Total.String() != "4 BONUS" { // 3 + round(0.875)
		t.Fatalf("total %s", q.Total)
	}
}

func TestVersionInForce(t *testing.T) {
	vs := vpsVersions(vpsTariff())
	for _, tc := range []struct {
		date billkit.Date
		want int
	}{
		{billkit.MustDate(2028, 2, 28), -1},
		{billkit.MustDate(2028, 2, 29), 2},
		{billkit.MustDate(2028, 5, 31), 2},
		{billkit.MustDate(2028, 6, 1), 0},
		{billkit.MustDate(2035, 1, 1), 1},
	} {
		if got := versionInForce(vs, tc.date); got != tc.want {
			t.Errorf("on %s: %d, want %d", tc.date, got, tc.want)
		}
	}
}
