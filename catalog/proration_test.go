package catalog

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/billkit/billkit"
)

func usd(s string) billkit.Money { return billkit.MustParseMoney(s, "USD") }

func TestFractionOfRoundsOnce(t *testing.T) {
	for _, tc := range []struct {
		price    billkit.Money
		num, den int64
		mode     billkit.RoundingMode
		want     string
	}{
		{usd("10.00"), 1, 3, billkit.RoundHalfUp, "3.33 USD"},
		{usd("10.00"), 2, 3, billkit.RoundHalfUp, "6.67 USD"},
		{usd("10.00"), 2, 3, billkit.RoundDown, "6.66 USD"},
		{usd("0.05"), 1, 2, billkit.RoundHalfUp, "0.03 USD"},   // 0.025
		{usd("0.05"), 1, 2, billkit.RoundHalfEven, "0.02 USD"}, // 0.025
		{usd("0.07"), 1, 2, billkit.RoundHalfEven, "0.04 USD"}, // 0.035
		{usd("-10.00"), 1, 3, billkit.RoundFloor, "-3.34 USD"},
		{usd("-10.00"), 1, 3, billkit.RoundCeiling, "-3.33 USD"},
		{usd("-10.00"), 1, 3, billkit.RoundUp, "-3.34 USD"},
		{usd("9.99"), 31, 31, billkit.RoundHalfUp, "9.99 USD"},
		{usd("9.99"), 0, 31, billkit.RoundHalfUp, "0.00 USD"},
		{usd("5"), 1, 1, billkit.RoundHalfUp, "5.00 USD"},
		// A rounding per step would differ: 1/3 of 0.01 three times.
		{usd("0.01"), 1, 3, billkit.RoundHalfUp, "0.00 USD"},
		{billkit.MustParseMoney("1000", "JPY"), 22, 31, billkit.RoundHalfUp, "710 JPY"},
		{billkit.MustParseMoney("10.000", "BHD"), 22, 31, billkit.RoundHalfUp, "7.097 BHD"},
		{billkit.MustParseMoney("10", "BONUS"), 1, 3, billkit.RoundHalfUp, "3.33 BONUS"},
		{usd("123456789012345678901234567890.12"), 1, 7, billkit.RoundHalfUp, "17636684144620811271604938270.02 USD"},
	} {
		f, err := NewFraction(tc.num, tc.den)
		if err != nil {
			t.Fatal(err)
		}
		if got := f.Of(tc.price, tc.mode); got.String() != tc.want {
			t.Errorf("%s × %d/%d (%s) = %s, want %s", tc.price, tc.num, tc.den, tc.mode, got, tc.want)
		}
	}
	if got := (Fraction{Num: 1, Den: 3}).OfTo(billkit.MustParseMoney("10", "BONUS"), 0, billkit.RoundHalfUp); got.String() != "3 BONUS" {
		t.Errorf("OfTo 0 digits = %s", got)
	}
	if got := (Fraction{}).Of(usd("10.00"), billkit.RoundHalfUp); got.String() != "0.00 USD" {
		t.Errorf("zero fraction = %s", got)
	}
	if got := (Fraction{Num: 1, Den: 2}).Of(billkit.Money{}, billkit.RoundHalfUp); got.Currency() != "" {
		t.Errorf("zero money = %s", got)
	}
}

func TestNewFraction(t *testing.T) {
	f, err := NewFraction(-62, -93)
	if err != nil || f != (Fraction{2, 3}) || f.String() != "2/3" || f.Decimal(4).String() != "0.6667" {
		t.Fatalf("NewFraction = %v %v", f, err)
	}
	if _, err := NewFraction(1, 0); !billkit.HasReason(err, "catalog.fraction_zero_denominator") {
		t.Fatalf("zero denominator: %v", err)
	}
	if !(Fraction{31, 31}).IsOne() || (Fraction{}).IsOne() || !(Fraction{}).IsZero() {
		t.Fatal("IsOne/IsZero")
	}
}

// TestProrationPartsAddUp cuts periods at arbitrary instants: the parts
// always count to the whole period, in every unit.
func TestProrationPartsAddUp(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip("no time zone data:", err)
	}
	start := time.Date(2027, 3, 1, 14, 0, 0, 0, berlin)
	end := PeriodMonth.AddToTime(start)
	cuts := []time.Time{
		start.Add(time.Nanosecond), start.Add(90 * time.Minute),
		time.Date(2027, 3, 28, 2, 30, 0, 0, time.UTC), // across the spring change
		time.Date(2027, 3, 31, 13, 59, 59, 999, berlin),
	}
	for _, unit := range ProrationUnits() {
		whole, err := Prorate(ProrationRequest{Price: usd("100.00"), PeriodStart: start, PeriodEnd: end, From: start, To: end, Unit: unit})
		if err != nil {
			t.Fatal(err)
		}
		if !whole.Fraction.IsOne() || whole.Amount.String() != "100.00 USD" {
			t.Errorf("%s: whole period = %+v", unit, whole)
		}
		prev := start
		var sum int64
		for _, c := range append(cuts, end) {
			p, err := Prorate(ProrationRequest{Price: usd("100.00"), PeriodStart: start, PeriodEnd: end, From: prev, To: c, Unit: unit})
			if err != nil {
				t.Fatal(err)
			}
			sum += p.Units
			prev = c
		}
		if sum != whole.PeriodUnits {
			t.Errorf("%s: parts count %d units, the period %d", unit, sum, whole.PeriodUnits)
		}
	}
}

func TestProrationBadInput(t *testing.T) {
	t0 := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	t1 := t0.AddDate(0, 1, 0)
	for _, tc := range []struct {
		name   string
		r      ProrationRequest
		fields []string
	}{
		{"no price", ProrationRequest{PeriodStart: t0, PeriodEnd: t1, From: t0, To: t1}, []string{"price"}},
		{"bad unit", ProrationRequest{Price: usd("1"), PeriodStart: t0, PeriodEnd: t1, From: t0, To: t1, Unit: "minute"}, []string{"unit"}},
		{"bad mode", ProrationRequest{Price: usd("1"), PeriodStart: t0, PeriodEnd: t1, From: t0, To: t1, Rounding: 42}, []string{"rounding"}},
		{"empty period", ProrationRequest{Price: usd("1"), PeriodStart: t1, PeriodEnd: t0, From: t0, To: t1}, []string{"period_end"}},
		{"outside", ProrationRequest{Price: usd("1"), PeriodStart: t0, PeriodEnd: t1, From: t0.Add(-time.Second), To: t1.Add(time.Second)}, []string{"from", "to"}},
		{"reversed", ProrationRequest{Price: usd("1"), PeriodStart: t0, PeriodEnd: t1, From: t1, To: t0}, []string{"to"}},
	} {
		_, err := Prorate(tc.r)
		checkFields(t, tc.name, err, tc.fields...)
	}
	d := billkit.MustDate
	_, err := ProrateDates(usd("1"), d(2027, 1, 1), d(2027, 2, 1), d(2026, 12, 31), billkit.Date{}, billkit.RoundHalfUp)
	checkFields(t, "dates", err, "to")
	_, err = ProrateDates(billkit.Money{}, d(2027, 2, 1), d(2027, 1, 1), d(2027, 1, 1), d(2027, 1, 1), billkit.RoundingMode(9))
	checkFields(t, "dates 2", err, "period_end", "price", "rounding")
}

// checkFields asserts err is invalid and names exactly the fields.
func checkFields(t *testing.T, name string, err error, fields ...string) {
	t.Helper()
	e, ok := err.(*billkit.Error)
	if !ok || e.Code != billkit.CodeInvalid {
		t.Errorf("%s: err = %v, want invalid", name, err)
		return
	}
	var got []string
	for _, f := range e.Fields {
		got = append(got, f.Field)
	}
	if fmt.Sprint(got) != fmt.Sprint(fields) {
		t.Errorf("%s: fields %v, want %v (%v)", name, got, fields, err)
	}
}

func TestAlignToCalendarBadInput(t *testing.T) {
	_, err := AlignToCalendar(billkit.Date{}, PeriodDay, 32)
	checkFields(t, "all", err, "day", "period", "start")
	_, err = AlignToCalendar(billkit.MustDate(2027, 1, 1), PeriodHour, 0)
	if !billkit.HasReason(err, "catalog.period_not_monthly") {
		t.Errorf("hour: %v", err)
	}
}

func TestAlignToCalendarEndsOnFirsts(t *testing.T) {
	// Every start of four years (two of them leap years), every period of
	// months and a few pro-rata days: the end is the first of a month, the
	// fraction is positive and at most k+1 months, and from the 1st exactly 1.
	start := billkit.MustDate(2027, 1, 1)
	for day := 0; day < 4*366; day++ {
		s := start.AddDays(day)
		for _, p := range Periods() {
			if p.Months() == 0 {
				continue
			}
			for _, prd := range []int{0, 1, 15, 28, 31} {
				a, err := AlignToCalendar(s, p, prd)
				if err != nil {
					t.Fatal(err)
				}
				if a.End.Day != 1 || !a.End.After(s) {
					t.Fatalf("%s %s day %d: end %s", s, p, prd, a.End)
				}
				f := a.Fraction
				if f.Num <= 0 || f.Num*int64(p.Months()) > f.Den*int64(p.Months()+1) {
					t.Fatalf("%s %s day %d: fraction %s", s, p, prd, f)
				}
				if s.Day == 1 && (!f.IsOne() || a.End != p.AddTo(s)) {
					t.Fatalf("%s %s: %+v", s, p, a)
				}
			}
		}
	}
}

// TestProrationGolden writes a table of prorations and calendar alignments
// to testdata/proration.golden.
func TestProrationGolden(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip("no time zone data:", err)
	}
	d := billkit.MustDate
	var b bytes.Buffer
	fmt.Fprintln(&b, "# Prorations by date: [from, to) of the period [start, end); ends are exclusive.")
	fmt.Fprintln(&b, "# case | price | period | part | units | fraction | amount")
	for _, tc := range []struct {
		name                 string
		price                billkit.Money
		start, end, from, to billkit.Date
		mode                 billkit.RoundingMode
	}{
		{"january, from the 10th", usd("10.00"), d(2027, 1, 1), d(2027, 2, 1), d(2027, 1, 10), d(2027, 2, 1), 0},
		{"january, first 9 days", usd("10.00"), d(2027, 1, 1), d(2027, 2, 1), d(2027, 1, 1), d(2027, 1, 10), 0},
		{"february 2027 (28 days)", usd("10.00"), d(2027, 2, 1), d(2027, 3, 1), d(2027, 2, 10), d(2027, 3, 1), 0},
		{"february 2028 (leap, 29 days)", usd("10.00"), d(2028, 2, 1), d(2028, 3, 1), d(2028, 2, 10), d(2028, 3, 1), 0},
		{"leap day only", usd("29.00"), d(2028, 2, 1), d(2028, 3, 1), d(2028, 2, 29), d(2028, 3, 1), 0},
		{"april (30 days), last day", usd("9.99"), d(2027, 4, 1), d(2027, 5, 1), d(2027, 4, 30), d(2027, 5, 1), 0},
		{"month from jan 31 (clamped)", usd("10.00"), d(2027, 1, 31), PeriodMonth.AddTo(d(2027, 1, 31)), d(2027, 2, 14), PeriodMonth.AddTo(d(2027, 1, 31)), 0},
		{"month from jan 30, leap", usd("10.00"), d(2028, 1, 30), PeriodMonth.AddTo(d(2028, 1, 30)), d(2028, 2, 1), PeriodMonth.AddTo(d(2028, 1, 30)), 0},
		{"month from mar 31 (april 30)", usd("10.00"), d(2027, 3, 31), PeriodMonth.AddTo(d(2027, 3, 31)), d(2027, 4, 15), PeriodMonth.AddTo(d(2027, 3, 31)), 0},
		{"month from may 29", usd("10.00"), d(2027, 5, 29), PeriodMonth.AddTo(d(2027, 5, 29)), d(2027, 6, 1), PeriodMonth.AddTo(d(2027, 5, 29)), 0},
		{"year with a leap day", usd("120.00"), d(2028, 1, 1), d(2029, 1, 1), d(2028, 3, 1), d(2029, 1, 1), 0},
		{"year without", usd("120.00"), d(2027, 1, 1), d(2028, 1, 1), d(2027, 3, 1), d(2028, 1, 1), 0},
		{"year from feb 29", usd("120.00"), d(2028, 2, 29), PeriodYear.AddTo(d(2028, 2, 29)), d(2028, 8, 29), PeriodYear.AddTo(d(2028, 2, 29)), 0},
		{"3 years, one month", usd("300.00"), d(2027, 1, 1), d(2030, 1, 1), d(2027, 1, 1), d(2027, 2, 1), 0},
		{"whole period", usd("10.00"), d(2027, 1, 1), d(2027, 2, 1), d(2027, 1, 1), d(2027, 2, 1), 0},
		{"empty part", usd("10.00"), d(2027, 1, 1), d(2027, 2, 1), d(2027, 1, 20), d(2027, 1, 20), 0},
		{"credit (negative)", usd("-10.00"), d(2027, 1, 1), d(2027, 2, 1), d(2027, 1, 10), d(2027, 2, 1), 0},
		{"half, half_up", usd("0.05"), d(2027, 2, 1), d(2027, 3, 1), d(2027, 2, 1), d(2027, 2, 15), billkit.RoundHalfUp},
		{"half, half_even", usd("0.05"), d(2027, 2, 1), d(2027, 3, 1), d(2027, 2, 1), d(2027, 2, 15), billkit.RoundHalfEven},
		{"third, down", usd("10.00"), d(2027, 4, 1), d(2027, 5, 1), d(2027, 4, 21), d(2027, 5, 1), billkit.RoundDown},
		{"third, up", usd("10.00"), d(2027, 4, 1), d(2027, 5, 1), d(2027, 4, 21), d(2027, 5, 1), billkit.RoundUp},
		{"JPY (0 digits)", billkit.MustParseMoney("1000", "JPY"), d(2027, 1, 1), d(2027, 2, 1), d(2027, 1, 10), d(2027, 2, 1), 0},
		{"BHD (3 digits)", billkit.MustParseMoney("10.000", "BHD"), d(2027, 1, 1), d(2027, 2, 1), d(2027, 1, 10), d(2027, 2, 1), 0},
		{"RUB", billkit.MustParseMoney("990", "RUB"), d(2027, 2, 1), d(2027, 3, 1), d(2027, 2, 17), d(2027, 3, 1), 0},
	} {
		p, err := ProrateDates(tc.price, tc.start, tc.end, tc.from, tc.to, tc.mode)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		fmt.Fprintf(&b, "%-30s | %14s | [%s, %s) | [%s, %s) %-9s | %3d/%-3d %s | %-7s | %s\n",
			tc.name, tc.price, tc.start, tc.end, tc.from, tc.to, tc.mode, p.Units, p.PeriodUnits, p.Unit, p.Fraction, p.Amount)
	}

	fmt.Fprintln(&b)
	fmt.Fprintln(&b, "# Prorations by instant (the period of a month from its start, in its zone).")
	fmt.Fprintln(&b, "# case | unit | price | period | part | units | fraction | amount")
	const layout = "2006-01-02 15:04:05.999 MST"
	for _, tc := range []struct {
		name     string
		unit     ProrationUnit
		price    billkit.Money
		start    time.Time
		from, to time.Time
	}{
		{"hourly vps, 10 hours", ProrateByHour, usd("7.44"), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 5, 8, 0, 0, 0, time.UTC), time.Date(2027, 1, 5, 18, 0, 0, 0, time.UTC)},
		{"a begun hour counts", ProrateByHour, usd("7.44"), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 1, 0, 0, 1, 0, time.UTC)},
		{"march in berlin by hour (743 h)", ProrateByHour, usd("10.00"), time.Date(2027, 3, 1, 0, 0, 0, 0, berlin), time.Date(2027, 3, 27, 0, 0, 0, 0, berlin), time.Date(2027, 3, 29, 0, 0, 0, 0, berlin)},
		{"march in berlin by day", ProrateByDay, usd("10.00"), time.Date(2027, 3, 1, 0, 0, 0, 0, berlin), time.Date(2027, 3, 27, 0, 0, 0, 0, berlin), time.Date(2027, 3, 29, 0, 0, 0, 0, berlin)},
		{"october in berlin by hour (745 h)", ProrateByHour, usd("10.00"), time.Date(2027, 10, 1, 0, 0, 0, 0, berlin), time.Date(2027, 10, 30, 0, 0, 0, 0, berlin), time.Date(2027, 11, 1, 0, 0, 0, 0, berlin)},
		{"day from 14:00, cut at 09:00", ProrateByDay, usd("31.00"), time.Date(2027, 1, 1, 14, 0, 0, 0, time.UTC), time.Date(2027, 1, 1, 14, 0, 0, 0, time.UTC), time.Date(2027, 1, 3, 9, 0, 0, 0, time.UTC)},
		{"day from 14:00, rest after 09:00", ProrateByDay, usd("31.00"), time.Date(2027, 1, 1, 14, 0, 0, 0, time.UTC), time.Date(2027, 1, 3, 9, 0, 0, 0, time.UTC), time.Date(2027, 2, 1, 14, 0, 0, 0, time.UTC)},
		{"by second, leap february", ProrateBySecond, usd("29.00"), time.Date(2028, 2, 1, 0, 0, 0, 0, time.UTC), time.Date(2028, 2, 29, 12, 0, 0, 0, time.UTC), time.Date(2028, 3, 1, 0, 0, 0, 0, time.UTC)},
		{"by second, one second", ProrateBySecond, usd("2678.40"), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 1, 0, 0, 0, 500, time.UTC)},
	} {
		end := PeriodMonth.AddToTime(tc.start)
		p, err := Prorate(ProrationRequest{Price: tc.price, PeriodStart: tc.start, PeriodEnd: end, From: tc.from, To: tc.to, Unit: tc.unit})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		fmt.Fprintf(&b, "%-33s | %-6s | %10s | [%s, %s) | [%s, %s) | %7d/%-7d | %-13s | %s\n",
			tc.name, tc.unit, tc.price, tc.start.Format(layout), end.Format(layout), tc.from.In(tc.start.Location()).Format(layout), tc.to.In(tc.start.Location()).Format(layout), p.Units, p.PeriodUnits, p.Fraction, p.Amount)
	}

	fmt.Fprintln(&b)
	fmt.Fprintln(&b, "# Calendar alignment: start, period, pro-rata day (0 = the 15th) -> first period [start, end), fraction, price of 10.00 USD a period.")
	for _, tc := range []struct {
		start billkit.Date
		p     Period
		day   int
	}{
		{d(2027, 1, 1), PeriodMonth, 0},
		{d(2027, 1, 10), PeriodMonth, 0},
		{d(2027, 1, 14), PeriodMonth, 0},
		{d(2027, 1, 15), PeriodMonth, 0},
		{d(2027, 1, 20), PeriodMonth, 0},
		{d(2027, 1, 31), PeriodMonth, 0},
		{d(2027, 2, 14), PeriodMonth, 0},
		{d(2027, 2, 28), PeriodMonth, 0},
		{d(2028, 2, 28), PeriodMonth, 0},
		{d(2028, 2, 29), PeriodMonth, 0},
		{d(2027, 4, 30), PeriodMonth, 0},
		{d(2027, 12, 20), PeriodMonth, 0},
		{d(2027, 1, 10), PeriodMonth, 1},
		{d(2027, 1, 10), PeriodMonth, 10},
		{d(2027, 1, 10), PeriodMonth, 11},
		{d(2027, 2, 28), PeriodMonth, 30},
		{d(2027, 3, 30), PeriodMonth, 30},
		{d(2027, 3, 31), PeriodMonth, 31},
		{d(2027, 1, 10), Period3Months, 0},
		{d(2027, 11, 20), Period3Months, 0},
		{d(2027, 8, 31), Period6Months, 0},
		{d(2027, 1, 10), PeriodYear, 0},
		{d(2028, 2, 29), PeriodYear, 0},
		{d(2028, 2, 14), Period2Years, 0},
		{d(2027, 6, 16), Period3Years, 0},
	} {
		a, err := AlignToCalendar(tc.start, tc.p, tc.day)
		if err != nil {
			t.Fatalf("%+v: %v", tc, err)
		}
		fmt.Fprintf(&b, "%s %-7s day %2d -> [%s, %s) %7s = %-9s | %s\n",
			tc.start, tc.p, tc.day, a.Start, a.End, a.Fraction, a.Fraction.Decimal(4), a.Price(usd("10.00"), billkit.RoundHalfUp))
	}
	golden(t, "proration.golden", b.Bytes())
}
