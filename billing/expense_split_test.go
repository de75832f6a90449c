package billing_test

import (
	"strings"
	"testing"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/shopspring/decimal"
)

// splitBrief writes parts as "2026-03:17:54.84 ...".
func splitBrief(parts []billing.MonthPart) string {
	var b strings.Builder
	for i, p := range parts {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(p.Month.String()[:7] + ":" + decimal.NewFromInt(int64(p.Days)).String() + ":" + p.Amount.Amount().StringFixed(p.Amount.Amount().Exponent()*-1))
	}
	return b.String()
}

func TestSplitByMonth(t *testing.T) {
	d := billkit.MustDate
	for _, tc := range []struct {
		name       string
		amount     billkit.Money
		start, end billkit.Date
		want       string
	}{
		{"a year from mid-March: 17/31 and 14/31 of a month at the ends",
			rub("1200.00"), d(2026, 3, 15), d(2027, 3, 15),
			"2026-03:17:54.84 2026-04:30:100.00 2026-05:31:100.00 2026-06:30:100.00 2026-07:31:100.00 2026-08:31:100.00 " +
				"2026-09:30:100.00 2026-10:31:100.00 2026-11:30:100.00 2026-12:31:100.00 2027-01:31:100.00 2027-02:28:100.00 2027-03:14:45.16"},
		{"a calendar year: twelve equal parts whatever the months' lengths",
			rub("1000.00"), d(2026, 1, 1), d(2027, 1, 1),
			"2026-01:31:83.34 2026-02:28:83.34 2026-03:31:83.34 2026-04:30:83.34 2026-05:31:83.33 2026-06:30:83.33 " +
				"2026-07:31:83.33 2026-08:31:83.33 2026-09:30:83.33 2026-10:31:83.33 2026-11:30:83.33 2026-12:31:83.33"},
		{"within one month", rub("10.00"), d(2026, 2, 3), d(2026, 2, 10), "2026-02:7:10.00"},
		{"a whole month", rub("999.99"), d(2024, 2, 1), d(2024, 3, 1), "2024-02:29:999.99"},
		{"a month from the 31st", rub("100.00"), d(2026, 1, 31), d(2026, 2, 28),
			"2026-01:1:3.24 2026-02:27:96.76"},
		{"one day across a year end", rub("1.00"), d(2026, 12, 31), d(2027, 1, 2), "2026-12:1:0.50 2027-01:1:0.50"},
		{"yen have no minor unit", billkit.MustParseMoney("1000", "JPY"), d(2026, 3, 15), d(2026, 5, 15),
			"2026-03:17:274 2026-04:30:500 2026-05:14:226"},
		{"a refund splits negative", rub("-30.00"), d(2026, 3, 1), d(2026, 6, 1), "2026-03:31:-10.00 2026-04:30:-10.00 2026-05:31:-10.00"},
		{"zero", rub("0.00"), d(2026, 3, 1), d(2026, 5, 1), "2026-03:31:0.00 2026-04:30:0.00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			parts, err := billing.SplitByMonth(tc.amount, tc.start, tc.end)
			if err != nil {
				t.Fatal(err)
			}
			if got := splitBrief(parts); got != tc.want {
				t.Fatalf("SplitByMonth =\n%s\nwant\n%s", got, tc.want)
			}
			checkSplit(t, tc.amount, tc.start, tc.end, parts)
		})
	}

	x := billing.Expense{Amount: rub("31.00"), PeriodStart: d(2026, 1, 1), PeriodEnd: d(2026, 2, 1)}
	if parts, err := x.SplitByMonth(); err != nil || splitBrief(parts) != "2026-01:31:31.00" {
		t.Fatalf("Expense.SplitByMonth = %v, %v", parts, err)
	}
	_, err := (&billing.Expense{Amount: rub("1")}).SplitByMonth()
	wantField(t, err, "period_start", "required")
	_, err = billing.SplitByMonth(billkit.Money{}, d(2026, 1, 1), d(2026, 2, 1))
	wantField(t, err, "amount", "required")
	_, err = billing.SplitByMonth(rub("1"), d(2026, 2, 1), d(2026, 2, 1))
	wantField(t, err, "period_end", "expense.period_end_not_after_start")
	_, err = billing.SplitByMonth(rub("1"), billkit.Date{Year: 2026, Month: 2, Day: 30}, d(2026, 4, 1))
	wantField(t, err, "period_start", "date.out_of_range")
}

// checkSplit checks what every split must be: one part per month touched,
// in order, days that add up to the period, parts that sum exactly to the
// amount, none of the other sign.
func checkSplit(t *testing.T, amount billkit.Money, start, end billkit.Date, parts []billing.MonthPart) {
	t.Helper()
	sum, days := decimal.Zero, 0
	month := billkit.Date{Year: start.Year, Month: start.Month, Day: 1}
	for i, p := range parts {
		if p.Month != month {
			t.Fatalf("part %d is for %s, want %s", i, p.Month, month)
		}
		month = month.AddMonths(1)
		if p.Days < 1 || p.Days > 31 {
			t.Fatalf("part %d has %d days", i, p.Days)
		}
		if p.Amount.Currency() != amount.Currency() || p.Amount.Sign()*amount.Sign() < 0 {
			t.Fatalf("part %d = %s of %s", i, p.Amount, amount)
		}
		sum = sum.Add(p.Amount.Amount())
		days += p.Days
	}
	if !sum.Equal(amount.Amount()) {
		t.Fatalf("parts sum to %s, want %s", sum, amount)
	}
	if want := start.DaysUntil(end); days != want {
		t.Fatalf("parts have %d days, the period %d", days, want)
	}
	if !month.After(end.AddDays(-1)) || parts[len(parts)-1].Month.After(end) {
		t.Fatalf("parts end at %s for a period ending %s", month, end)
	}
}

// FuzzSplitByMonth checks that any split sums exactly to its amount, with
// no part of the wrong sign, one per month.
func FuzzSplitByMonth(f *testing.F) {
	f.Add(int64(120000), int32(2), 2026, 3, 15, 365)
	f.Add(int64(1), int32(2), 2024, 2, 29, 1)
	f.Add(int64(-999), int32(0), 2026, 12, 31, 400)
	f.Add(int64(7), int32(3), 2026, 1, 31, 59)
	f.Fuzz(func(t *testing.T, units int64, exp int32, year, month, day, days int) {
		start, err := billkit.NewDate(year%9000+1, 1, 1)
		if err != nil {
			t.Skip()
		}
		start = start.AddMonths((month%12 + 12) % 12).AddDays((day%31 + 31) % 31)
		days = (days%4000+4000)%4000 + 1
		end := start.AddDays(days)
		if !end.Valid() {
			t.Skip()
		}
		if units > 1e15 || units < -1e15 {
			units %= 1e15
		}
		amount, err := billkit.NewMoney(decimal.New(units, -((exp%4+4)%4)), "RUB")
		if err != nil {
			t.Skip()
		}
		parts, err := billing.SplitByMonth(amount, start, end)
		if err != nil {
			t.Fatalf("SplitByMonth(%s, %s, %s): %v", amount, start, end, err)
		}
		checkSplit(t, amount, start, end, parts)
	})
}
