package billing

import (
	"github.com/billkit/billkit"
	"github.com/shopspring/decimal"
)

// MonthPart is the part of a charge that falls in one calendar month.
type MonthPart struct {
	// Month is the month's first day.
	Month billkit.Date `json:"month"`
	// Days is how many days of the charged period fall in the month.
	Days int `json:"days"`
	// Amount is the month's share of the charge.
	Amount billkit.Money `json:"amount"`
}

// monthUnits is a multiple of every month's length (28, 29, 30 and 31
// days): a day of a month of n days weighs monthUnits/n, so a whole month
// weighs monthUnits whatever its length, in exact integers.
const monthUnits = 377580

// SplitByMonth splits a charge for the period [start, end) into one part
// per calendar month the period touches, for revenue by month and reports.
// Each month's share is proportional to the part of that month the period
// covers, by days, a whole month counting as one month whatever its length:
// a yearly charge from 2026-01-01 splits into 12 parts as equal as the
// currency's minor unit allows, and one from 2026-03-15 into 13 parts, the
// first for 17 of March's 31 days and the last for 14. The parts sum
// exactly to amount (largest remainder, billkit.Money.Allocate); a
// negative amount gives negative parts.
//
// Bad input is invalid: "amount" without a currency, "period_start" or
// "period_end" not a calendar date, "period_end"
// (expense.period_end_not_after_start) not after start.
func SplitByMonth(amount billkit.Money, start, end billkit.Date) ([]MonthPart, error) {
	var v billkit.FieldErrors
	v.Check(amount.Currency() != "", "amount", "required", "is required")
	v.Check(!start.IsZero(), "period_start", "required", "is required")
	v.Check(!end.IsZero(), "period_end", "required", "is required")
	if !start.IsZero() && !end.IsZero() {
		expensePeriod(&v, start, end)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var (
		parts  []MonthPart
		ratios []decimal.Decimal
	)
	for m := (billkit.Date{Year: start.Year, Month: start.Month, Day: 1}); m.Before(end); m = m.AddMonths(1) {
		next := m.AddMonths(1)
		from, to := m, next
		if start.After(from) {
			from = start
		}
		if end.Before(to) {
			to = end
		}
		days := from.DaysUntil(to)
		length := m.DaysUntil(next)
		parts = append(parts, MonthPart{Month: m, Days: days})
		ratios = append(ratios, decimal.NewFromInt(int64(days)*int64(monthUnits/length)))
	}
	shares, err := amount.Allocate(ratios...)
	if err != nil {
		return nil, err
	}
	for i := range parts {
		parts[i].Amount = shares[i]
	}
	return parts, nil
}

// SplitByMonth splits the expense's Amount over the calendar months of its
// period (see the function SplitByMonth); an expense without a period is
// invalid on "period_start".
func (x *Expense) SplitByMonth() ([]MonthPart, error) {
	return SplitByMonth(x.Amount, x.PeriodStart, x.PeriodEnd)
}
