package catalog

import (
	"fmt"
	"time"

	"github.com/billkit/billkit"
)

// Period is a billing period a tariff can be priced for.
//
// Periods of months (month, 3 and 6 months, 1 to 3 years) follow the
// calendar: a month from January 31st ends on February 28th (29th in a leap
// year), a year from February 29th on February 28th. Hour and day are fixed
// lengths.
//
// A period's text and JSON form is its name ("month", "3months"). Decoding
// keeps any name as it is, so that a document or a stored row with an
// unknown period reaches the validation that names its place; ParsePeriod
// and Valid are the checks.
type Period string

// The periods. Hourly prices exist only where the product type allows them.
const (
	PeriodHour    Period = "hour"
	PeriodDay     Period = "day"
	PeriodMonth   Period = "month"
	Period3Months Period = "3months"
	Period6Months Period = "6months"
	PeriodYear    Period = "year"
	Period2Years  Period = "2years"
	Period3Years  Period = "3years"
)

// Periods lists every period, shortest first.
func Periods() []Period {
	return []Period{PeriodHour, PeriodDay, PeriodMonth, Period3Months, Period6Months, PeriodYear, Period2Years, Period3Years}
}

// Valid reports whether p is a known period.
func (p Period) Valid() bool {
	return p.Months() > 0 || p.Hours() > 0
}

// ParsePeriod reads a period's name. An unknown name gives an invalid
// *billkit.Error on field "period", reason "catalog.period_unknown".
func ParsePeriod(s string) (Period, error) {
	p := Period(s)
	if !p.Valid() {
		return "", periodUnknown(s)
	}
	return p, nil
}

func periodUnknown(s string) *billkit.Error {
	const max = 40
	if len(s) > max {
		s = s[:max] + "…"
	}
	return billkit.InvalidField("period", "catalog.period_unknown",
		fmt.Sprintf("%q is not a period (hour, day, month, 3months, 6months, year, 2years, 3years)", s))
}

// Months returns the number of calendar months the period spans: 1 for
// month, 3, 6, 12, 24 and 36 for the longer ones, and 0 for hour, day and
// unknown periods.
func (p Period) Months() int {
	switch p {
	case PeriodMonth:
		return 1
	case Period3Months:
		return 3
	case Period6Months:
		return 6
	case PeriodYear:
		return 12
	case Period2Years:
		return 24
	case Period3Years:
		return 36
	}
	return 0
}

// Hours returns the fixed length of an hour or day period in hours (1 or
// 24), and 0 for the periods of months, whose length depends on the
// calendar, and for unknown periods.
func (p Period) Hours() int {
	switch p {
	case PeriodHour:
		return 1
	case PeriodDay:
		return 24
	}
	return 0
}

// AddTo returns the date one period after d: the day a period that starts
// on d ends (the first day of the next period). Periods of months clamp to
// the month's last day (2027-01-31 plus a month is 2027-02-28, 2028-02-29
// plus a year is 2029-02-28); a day adds one day; an hour, which does not
// move a date, returns d. An unknown period returns d.
func (p Period) AddTo(d billkit.Date) billkit.Date {
	return p.Advance(d, 1)
}

// Advance returns the date n periods after d (before it when n < 0),
// counted from d itself rather than period by period, so month ends do not
// drift: three months from 2027-01-31 end on 2027-04-30, and the second
// monthly period from 2027-01-31 ends on 2027-03-31, not on March 28th.
// Hours return d, as in AddTo.
func (p Period) Advance(d billkit.Date, n int) billkit.Date {
	if m := p.Months(); m > 0 {
		return d.AddMonths(m * n)
	}
	if p == PeriodDay {
		return d.AddDays(n)
	}
	return d
}

// AddToTime returns the instant one period after t. Periods of months add
// calendar months in t's location, clamping to the month's last day and
// keeping the clock time (2027-01-31 10:00 plus a month is 2027-02-28
// 10:00); a day adds one calendar day in t's location (23 or 25 hours across
// a daylight-saving change); an hour adds an hour. An unknown period
// returns t.
func (p Period) AddToTime(t time.Time) time.Time {
	switch {
	case p.Months() > 0:
		d := p.AddTo(billkit.DateOf(t))
		h, m, s := t.Clock()
		return time.Date(d.Year, d.Month, d.Day, h, m, s, t.Nanosecond(), t.Location())
	case p == PeriodDay:
		return t.AddDate(0, 0, 1)
	case p == PeriodHour:
		return t.Add(time.Hour)
	}
	return t
}

// String returns the period's name.
func (p Period) String() string { return string(p) }
