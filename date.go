package billkit

import (
	"database/sql/driver"
	"fmt"
	"time"
)

// Date is a calendar date with no time and no zone: a period start, an expiry,
// the day a rate applies. The dates that bill are calendar dates in the
// provider's time zone, so a DST change or a UTC midnight never shifts them.
//
// The zero Date is "no date". Dates encode as "2006-01-02" in JSON, text and
// SQL. Valid years are 1 to 9999.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the calendar date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{Year: y, Month: m, Day: d}
}

// DateIn returns the calendar date of t in loc.
func DateIn(t time.Time, loc *time.Location) Date { return DateOf(t.In(loc)) }

// NewDate returns the date, or an invalid error naming field "date" when it
// does not exist on the calendar (February 30th) or is outside years 1 to 9999.
func NewDate(year int, month time.Month, day int) (Date, error) {
	d := Date{Year: year, Month: month, Day: day}
	if !d.Valid() {
		return Date{}, InvalidField("date", "date.out_of_range", fmt.Sprintf("%04d-%02d-%02d is not a calendar date between 0001-01-01 and 9999-12-31", year, int(month), day))
	}
	return d, nil
}

// MustDate is NewDate that panics, for tests and constants.
func MustDate(year int, month time.Month, day int) Date {
	d, err := NewDate(year, month, day)
	if err != nil {
		panic(err)
	}
	return d
}

// ParseDate parses "2006-01-02".
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil || len(s) != 10 {
		return Date{}, InvalidField("date", "date.malformed", fmt.Sprintf("%q is not a date in the form YYYY-MM-DD", s))
	}
	return NewDate(t.Year(), t.Month(), t.Day())
}

// Valid reports whether d is a real calendar date between years 1 and 9999.
func (d Date) Valid() bool {
	if d.Year < 1 || d.Year > 9999 || d.Month < time.January || d.Month > time.December || d.Day < 1 {
		return false
	}
	return d.Day <= DaysIn(d.Year, d.Month)
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// DaysIn returns the number of days in the month.
func DaysIn(year int, month time.Month) int {
	return time.Date(year, month+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// String returns "2006-01-02", or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// In returns the instant at which the date starts in loc.
func (d Date) In(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// AddDays returns the date n days later (earlier when n < 0).
func (d Date) AddDays(n int) Date { return DateOf(d.In(time.UTC).AddDate(0, 0, n)) }

// AddMonths returns the date n months later, clamped to the last day of the
// target month (January 31st plus one month is February 28th or 29th), which is
// what a monthly billing period expects.
func (d Date) AddMonths(n int) Date {
	total := d.Year*12 + int(d.Month) - 1 + n
	y, m := total/12, time.Month(total%12+1)
	day := min(d.Day, DaysIn(y, m))
	return Date{Year: y, Month: m, Day: day}
}

// Before reports whether d is before e.
func (d Date) Before(e Date) bool { return d.Compare(e) < 0 }

// After reports whether d is after e.
func (d Date) After(e Date) bool { return d.Compare(e) > 0 }

// Compare returns -1, 0 or +1 as d is before, equal to or after e.
func (d Date) Compare(e Date) int {
	switch {
	case d.Year != e.Year:
		return cmpInt(d.Year, e.Year)
	case d.Month != e.Month:
		return cmpInt(int(d.Month), int(e.Month))
	default:
		return cmpInt(d.Day, e.Day)
	}
}

// DaysUntil returns the number of days from d to e (negative when e is before d).
// It counts in Unix seconds rather than a time.Duration, which cannot hold
// more than about 292 years.
func (d Date) DaysUntil(e Date) int {
	return int((e.In(time.UTC).Unix() - d.In(time.UTC).Unix()) / (24 * 60 * 60))
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// MarshalText implements encoding.TextMarshaler.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler; empty text is the zero Date.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Value implements driver.Valuer; the zero Date is NULL.
func (d Date) Value() (driver.Value, error) {
	if d.IsZero() {
		return nil, nil
	}
	return d.String(), nil
}

// Scan implements sql.Scanner. It accepts the text form and a time.Time (as
// PostgreSQL drivers return DATE columns), taking the time's calendar date.
func (d *Date) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d = Date{}
		return nil
	case time.Time:
		*d = DateOf(v)
		return nil
	case string:
		return d.scanText(v)
	case []byte:
		return d.scanText(string(v))
	default:
		return fmt.Errorf("billkit: cannot scan %T into a Date", src)
	}
}

func (d *Date) scanText(s string) error {
	if len(s) > 10 {
		s = s[:10] // "2006-01-02T00:00:00Z" or "2006-01-02 00:00:00"
	}
	return d.UnmarshalText([]byte(s))
}
