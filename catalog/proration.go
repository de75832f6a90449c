package catalog

import (
	"fmt"
	"math/big"
	"math/bits"
	"time"

	"github.com/billkit/billkit"
	"github.com/shopspring/decimal"
)

// Fraction is an exact ratio Num/Den, the share of a period a part of it is
// worth: 22/31 for 22 days of a 31-day month. It is kept as two integers so
// that a price times a fraction is exact and rounded once, however the
// fraction would be written as a decimal (1/3). Fractions made by this
// package are reduced and have Den > 0; the zero Fraction is zero.
type Fraction struct {
	Num int64 `json:"num"`
	Den int64 `json:"den"`
}

// NewFraction returns num/den reduced, with a positive denominator. A zero
// denominator gives an invalid *billkit.Error on field "den".
func NewFraction(num, den int64) (Fraction, error) {
	if den == 0 {
		return Fraction{}, billkit.InvalidField("den", "catalog.fraction_zero_denominator", "the denominator of a fraction cannot be zero")
	}
	return reduce(num, den), nil
}

// reduce returns num/den in lowest terms with den > 0; den must not be 0.
func reduce(num, den int64) Fraction {
	if den < 0 {
		num, den = -num, -den
	}
	g := gcd(num, den)
	if g > 1 {
		num, den = num/g, den/g
	}
	return Fraction{Num: num, Den: den}
}

func gcd(a, b int64) int64 {
	if a < 0 {
		a = -a
	}
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// IsZero reports whether f is zero.
func (f Fraction) IsZero() bool { return f.Num == 0 }

// IsOne reports whether f is exactly one: the whole period.
func (f Fraction) IsOne() bool { return f.Den != 0 && f.Num == f.Den }

// String returns "num/den" ("22/31"), or "0" for the zero Fraction.
func (f Fraction) String() string {
	if f.Den == 0 {
		return "0"
	}
	return fmt.Sprintf("%d/%d", f.Num, f.Den)
}

// Decimal returns f as a decimal rounded half-up to places decimals, for
// display: the price of a fraction comes from Of, never from this.
func (f Fraction) Decimal(places int32) decimal.Decimal {
	if f.Den == 0 {
		return decimal.Zero
	}
	return decimal.NewFromInt(f.Num).DivRound(decimal.NewFromInt(f.Den), places)
}

// Of returns m × f rounded once, by mode, to the number of decimals of m's
// currency (as billkit.Money.Round: ISO 4217 digits, 2 for other codes). The
// product is exact before that one rounding. The zero Money, or the zero
// Fraction's product with it, is returned as the zero Money.
func (f Fraction) Of(m billkit.Money, mode billkit.RoundingMode) billkit.Money {
	return f.OfTo(m, currencyDigits(m.Currency()), mode)
}

// OfTo is Of rounding to digits decimals, for a currency whose minor unit
// is not the ISO one (a custom currency's directory.Currency.Digits).
func (f Fraction) OfTo(m billkit.Money, digits int32, mode billkit.RoundingMode) billkit.Money {
	if m.Currency() == "" {
		return m
	}
	den := f.Den
	if den == 0 {
		den = 1 // the zero Fraction: 0/1
	}
	return mulDivRound(m, f.Num, den, digits, mode)
}

// currencyDigits is the number of decimals billkit.Money.Round uses.
func currencyDigits(code string) int32 {
	if d, ok := billkit.CurrencyDigits(code); ok {
		return int32(d)
	}
	return 2
}

// mulDivRound returns m × num / den (den > 0) rounded to digits decimals by
// mode, with that exponent, computed on integers so it is exact.
func mulDivRound(m billkit.Money, num, den int64, digits int32, mode billkit.RoundingMode) billkit.Money {
	amount := m.Amount()
	// m × num / den = coef × num × 10^(exp+digits) / den, in units of 10^-digits.
	coef := amount.Coefficient()
	shift := int64(amount.Exponent()) + int64(digits)
	n := new(big.Int).Mul(coef, big.NewInt(num))
	d := big.NewInt(den)
	if shift >= 0 {
		n.Mul(n, new(big.Int).Exp(big.NewInt(10), big.NewInt(shift), nil))
	} else {
		d.Mul(d, new(big.Int).Exp(big.NewInt(10), big.NewInt(-shift), nil))
	}
	q := roundQuo(n, d, mode)
	out, err := billkit.NewMoney(decimal.NewFromBigInt(q, -digits), m.Currency())
	if err != nil {
		// Only an amount of more than billkit.MaxAmountDigits digits gets
		// here; keep the exact value rather than lose the currency.
		return m.Mul(decimal.NewFromInt(num)).RoundTo(digits, mode)
	}
	return out
}

// roundQuo returns num/den rounded to an integer by mode; den > 0. It rounds
// exactly as billkit.Money.RoundTo does.
func roundQuo(num, den *big.Int, mode billkit.RoundingMode) *big.Int {
	q, r := new(big.Int).QuoRem(num, den, new(big.Int))
	if r.Sign() == 0 {
		return q
	}
	sign := int64(num.Sign())
	half := new(big.Int).Abs(r)
	half.Lsh(half, 1)
	c := half.Cmp(den)
	away := false
	switch mode {
	case billkit.RoundDown:
	case billkit.RoundUp:
		away = true
	case billkit.RoundFloor:
		away = sign < 0
	case billkit.RoundCeiling:
		away = sign > 0
	case billkit.RoundHalfEven:
		away = c > 0 || (c == 0 && q.Bit(0) == 1)
	default: // RoundHalfUp, and undefined modes as billkit documents.
		away = c >= 0
	}
	if away {
		q.Add(q, big.NewInt(sign))
	}
	return q
}

// ProrationUnit is what the parts of a period are counted in.
type ProrationUnit string

// The proration units.
const (
	// ProrateByDay counts calendar days, the usual unit for monthly and
	// longer periods.
	ProrateByDay ProrationUnit = "day"
	// ProrateByHour counts hours of elapsed time (a day across a
	// daylight-saving change has 23 or 25).
	ProrateByHour ProrationUnit = "hour"
	// ProrateBySecond counts seconds of elapsed time.
	ProrateBySecond ProrationUnit = "second"
)

// ProrationUnits lists the units, longest first.
func ProrationUnits() []ProrationUnit {
	return []ProrationUnit{ProrateByDay, ProrateByHour, ProrateBySecond}
}

// Valid reports whether u is a known unit.
func (u ProrationUnit) Valid() bool {
	return u == ProrateByDay || u == ProrateByHour || u == ProrateBySecond
}

// ParseProrationUnit reads a unit's name ("day", "hour", "second"). An
// unknown name gives an invalid *billkit.Error on field "unit", reason
// "catalog.proration_unit_unknown".
func ParseProrationUnit(s string) (ProrationUnit, error) {
	u := ProrationUnit(s)
	if !u.Valid() {
		if len(s) > 40 {
			s = s[:40] + "…"
		}
		return "", billkit.InvalidField("unit", "catalog.proration_unit_unknown",
			fmt.Sprintf("%q is not a proration unit (day, hour, second)", s))
	}
	return u, nil
}

// Proration is the price of a part of a period.
type Proration struct {
	// Unit is what Units and PeriodUnits count.
	Unit ProrationUnit `json:"unit"`
	// Units is the length of the part; PeriodUnits the length of the whole
	// period.
	Units       int64 `json:"units"`
	PeriodUnits int64 `json:"period_units"`
	// Fraction is Units/PeriodUnits, reduced.
	Fraction Fraction `json:"fraction"`
	// Amount is the period's price × Fraction, rounded once by the
	// currency's digits.
	Amount billkit.Money `json:"amount"`
}

// ProrationRequest asks for the price of the part [From, To) of the period
// [PeriodStart, PeriodEnd) whose whole price is Price.
//
// Instants are counted in Unit. An instant inside a unit counts that unit
// as begun: the part before it includes the unit and the part after it does
// not, so the parts of a period cut at any instants always add up to the
// whole period. Days are calendar days in PeriodStart's location (give the
// instants in the provider's time zone): a day runs from PeriodStart's clock
// time to the same clock time the next day, whatever its length in hours.
type ProrationRequest struct {
	// Price is the price of the whole period. It may be negative (a credit).
	Price       billkit.Money
	PeriodStart time.Time
	PeriodEnd   time.Time
	// From and To bound the part: PeriodStart ≤ From ≤ To ≤ PeriodEnd.
	From time.Time
	To   time.Time
	// Unit is what the period is counted in; "" counts days.
	Unit ProrationUnit
	// Rounding rounds the result once; the zero value is half-up.
	Rounding billkit.RoundingMode
	// Digits, when not nil, overrides the currency's number of decimals
	// (for a custom currency: its directory.Currency.Digits).
	Digits *int32
}

// Prorate returns the price of the part of a period that r describes.
//
// Bad input gives an invalid *billkit.Error naming each bad field: "price"
// (the zero Money), "unit", "rounding", "period_end" (not after
// PeriodStart), "from" and "to" (outside the period, or To before From).
func Prorate(r ProrationRequest) (Proration, error) {
	var v billkit.FieldErrors
	v.Check(r.Price.Currency() != "", "price", "catalog.price_required", "a price with a currency is required")
	unit := r.Unit
	if unit == "" {
		unit = ProrateByDay
	}
	v.Check(unit.Valid(), "unit", "catalog.proration_unit_unknown", fmt.Sprintf("%q is not a proration unit (day, hour, second)", string(r.Unit)))
	v.Check(r.Rounding.Valid(), "rounding", "money.rounding_mode_unknown", "is not a rounding mode")
	if r.Digits != nil {
		v.Check(*r.Digits >= 0 && *r.Digits <= 18, "digits", "catalog.digits_out_of_range", "must be between 0 and 18")
	}
	if v.Check(r.PeriodEnd.After(r.PeriodStart), "period_end", "catalog.period_empty", "must be after the period's start") {
		v.Check(!r.From.Before(r.PeriodStart) && !r.From.After(r.PeriodEnd), "from", "catalog.outside_period", "must be within the period")
		if v.Check(!r.To.Before(r.PeriodStart) && !r.To.After(r.PeriodEnd), "to", "catalog.outside_period", "must be within the period") {
			v.Check(!r.To.Before(r.From), "to", "catalog.part_reversed", "must not be before from")
		}
	}
	if err := v.Err(); err != nil {
		return Proration{}, err
	}
	pos := func(t time.Time) int64 { return position(r.PeriodStart, t, unit) }
	return prorate(r.Price, pos(r.To)-pos(r.From), pos(r.PeriodEnd), unit, r.Digits, r.Rounding), nil
}

// ProrateDates returns the price of the days [from, to) of the period of
// days [periodStart, periodEnd) whose whole price is price, rounded once by
// mode to the currency's digits. End dates are exclusive: a month from
// 2027-02-01 is [2027-02-01, 2027-03-01), 28 days, and the part from the
// 10th to its end is [2027-02-10, 2027-03-01), 19 days, worth 19/28.
//
// Bad input gives an invalid *billkit.Error as Prorate does, with date
// fields "period_start", "period_end", "from" and "to".
func ProrateDates(price billkit.Money, periodStart, periodEnd, from, to billkit.Date, mode billkit.RoundingMode) (Proration, error) {
	var v billkit.FieldErrors
	v.Check(price.Currency() != "", "price", "catalog.price_required", "a price with a currency is required")
	v.Check(mode.Valid(), "rounding", "money.rounding_mode_unknown", "is not a rounding mode")
	ok := true
	for _, d := range []struct {
		field string
		date  billkit.Date
	}{{"period_start", periodStart}, {"period_end", periodEnd}, {"from", from}, {"to", to}} {
		ok = v.Check(d.date.Valid(), d.field, "catalog.date_required", "must be a calendar date") && ok
	}
	if ok && v.Check(periodEnd.After(periodStart), "period_end", "catalog.period_empty", "must be after the period's start") {
		v.Check(!from.Before(periodStart) && !from.After(periodEnd), "from", "catalog.outside_period", "must be within the period")
		if v.Check(!to.Before(periodStart) && !to.After(periodEnd), "to", "catalog.outside_period", "must be within the period") {
			v.Check(!to.Before(from), "to", "catalog.part_reversed", "must not be before from")
		}
	}
	if err := v.Err(); err != nil {
		return Proration{}, err
	}
	return prorate(price, int64(from.DaysUntil(to)), int64(periodStart.DaysUntil(periodEnd)), ProrateByDay, nil, mode), nil
}

func prorate(price billkit.Money, units, periodUnits int64, unit ProrationUnit, digits *int32, mode billkit.RoundingMode) Proration {
	f := reduce(units, periodUnits)
	d := currencyDigits(price.Currency())
	if digits != nil {
		d = *digits
	}
	return Proration{Unit: unit, Units: units, PeriodUnits: periodUnits, Fraction: f, Amount: f.OfTo(price, d, mode)}
}

// position returns how many units of the period that starts at start have
// begun by t (t ≥ start): the ceiling of the elapsed units.
func position(start, t time.Time, unit ProrationUnit) int64 {
	switch unit {
	case ProrateBySecond, ProrateByHour:
		secs := t.Unix() - start.Unix()
		nanos := int64(t.Nanosecond()) - int64(start.Nanosecond())
		if nanos < 0 {
			secs--
			nanos += int64(time.Second)
		}
		if nanos > 0 {
			secs++ // a begun second
		}
		if unit == ProrateBySecond {
			return secs
		}
		return ceilDiv(secs, 3600)
	default:
		// The smallest d such that start plus d calendar days is not before t.
		loc := start.Location()
		tl := t.In(loc)
		d := billkit.DateOf(start).DaysUntil(billkit.DateOf(tl))
		if start.AddDate(0, 0, d).Before(tl) {
			d++
		}
		return int64(d)
	}
}

func ceilDiv(a, b int64) int64 {
	q, r := bits.Div64(0, uint64(a), uint64(b)) // a ≥ 0, b > 0
	if r != 0 {
		q++
	}
	return int64(q)
}

// ProRataDay is the default pro-rata day of AlignToCalendar: orders before
// the 15th run to the end of their month, orders on or after it to the end
// of the next month.
const ProRataDay = 15

// Alignment is the first period of a service aligned to calendar months by
// AlignToCalendar.
type Alignment struct {
	// Start is the day the service starts.
	Start billkit.Date `json:"start"`
	// End is the first day of a month on which the first period ends and
	// every later period starts (the first period is [Start, End)).
	End billkit.Date `json:"end"`
	// Fraction is the first period's length as a share of a full period:
	// whole months count as they are, and each day of Start's month as
	// 1/(the month's days). Below one for a short first period, above one
	// for a long one, exactly one when Start is the first of a month.
	Fraction Fraction `json:"fraction"`
}

// Price returns the first period's price: the full period's price ×
// Fraction, rounded once by mode to the currency's digits.
func (a Alignment) Price(full billkit.Money, mode billkit.RoundingMode) billkit.Money {
	return a.Fraction.Of(full, mode)
}

// AlignToCalendar aligns a service of a period of months that starts on
// start to calendar months with a "pro-rata day": a start before the day
// (ProRataDay, the 15th, when day is 0) shortens the first period to end on
// the first of the month the full period would end in; a start on or after
// it lengthens the first period to end on the first of the month after. A
// monthly service from January 10th runs to February 1st (22/31 of a
// month); from January 20th to March 1st (1 + 12/31). A start on the first
// of a month is already aligned: one full period. A pro-rata day beyond a
// month's last day (the 30th in February) counts every day of that month as
// before it.
//
// Bad input gives an invalid *billkit.Error: "start" (not a date),
// "period" (not a period of months, reason "catalog.period_not_monthly"),
// "day" (not 0 to 31).
func AlignToCalendar(start billkit.Date, p Period, day int) (Alignment, error) {
	var v billkit.FieldErrors
	v.Check(start.Valid(), "start", "catalog.date_required", "must be a calendar date")
	v.Check(p.Months() > 0, "period", "catalog.period_not_monthly", fmt.Sprintf("calendar alignment needs a period of months, not %q", string(p)))
	v.Check(day >= 0 && day <= 31, "day", "catalog.pro_rata_day_out_of_range", "must be between 1 and 31, or 0 for the 15th")
	if err := v.Err(); err != nil {
		return Alignment{}, err
	}
	if day == 0 {
		day = ProRataDay
	}
	k := p.Months()
	if start.Day == 1 {
		return Alignment{Start: start, End: start.AddMonths(k), Fraction: Fraction{Num: 1, Den: 1}}, nil
	}
	first := billkit.Date{Year: start.Year, Month: start.Month, Day: 1}
	nextFirst := first.AddMonths(1)
	// The full period would end in the month of start + k months; its first
	// day, or the first of the month after.
	end := first.AddMonths(k)
	if start.Day >= day {
		end = end.AddMonths(1)
	}
	dim := int64(billkit.DaysIn(start.Year, start.Month))
	partial := int64(start.DaysUntil(nextFirst))
	whole := int64(k - 1)
	if start.Day >= day {
		whole = int64(k)
	}
	return Alignment{Start: start, End: end, Fraction: reduce(whole*dim+partial, int64(k)*dim)}, nil
}
