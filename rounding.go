package billkit

import (
	"fmt"
	"math/big"

	"github.com/shopspring/decimal"
	"golang.org/x/text/currency"
)

// RoundingMode says which way to round an amount that falls between two
// representable values. The zero value is RoundHalfUp, the rounding people
// expect on a bill.
type RoundingMode int

// The rounding modes. Examples are to whole units.
const (
	// RoundHalfUp rounds to the nearest value, halves away from zero:
	// 2.5 → 3, -2.5 → -3, 2.4 → 2.
	RoundHalfUp RoundingMode = iota
	// RoundHalfEven rounds to the nearest value, halves to the even
	// neighbour (banker's rounding): 2.5 → 2, 3.5 → 4, -2.5 → -2. It does not
	// drift upwards when many amounts are rounded and summed.
	RoundHalfEven
	// RoundDown rounds toward zero (truncates): 2.9 → 2, -2.9 → -2.
	RoundDown
	// RoundUp rounds away from zero: 2.1 → 3, -2.1 → -3.
	RoundUp
	// RoundFloor rounds toward negative infinity: 2.9 → 2, -2.1 → -3.
	RoundFloor
	// RoundCeiling rounds toward positive infinity: 2.1 → 3, -2.9 → -2.
	RoundCeiling
)

var roundingModeNames = [...]string{
	RoundHalfUp:   "half_up",
	RoundHalfEven: "half_even",
	RoundDown:     "down",
	RoundUp:       "up",
	RoundFloor:    "floor",
	RoundCeiling:  "ceiling",
}

// Valid reports whether r is one of the defined modes.
func (r RoundingMode) Valid() bool { return r >= 0 && int(r) < len(roundingModeNames) }

// String returns the mode's stable name ("half_up", "half_even", "down",
// "up", "floor", "ceiling"), as used in configuration and JSON.
func (r RoundingMode) String() string {
	if !r.Valid() {
		return fmt.Sprintf("RoundingMode(%d)", int(r))
	}
	return roundingModeNames[r]
}

// ParseRoundingMode parses a mode's name as String writes it. An unknown
// name gives an invalid *Error on field "rounding_mode", reason
// "money.rounding_mode_unknown".
func ParseRoundingMode(s string) (RoundingMode, error) {
	for i, name := range roundingModeNames {
		if s == name {
			return RoundingMode(i), nil
		}
	}
	return 0, InvalidField("rounding_mode", "money.rounding_mode_unknown",
		fmt.Sprintf("%s is not a rounding mode (half_up, half_even, down, up, floor, ceiling)", quoteShort(s)))
}

// MarshalText implements encoding.TextMarshaler. An undefined mode is an
// error rather than a name that would not parse back.
func (r RoundingMode) MarshalText() ([]byte, error) {
	if !r.Valid() {
		return nil, InvalidField("rounding_mode", "money.rounding_mode_unknown", fmt.Sprintf("%d is not a rounding mode", int(r)))
	}
	return []byte(r.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (r *RoundingMode) UnmarshalText(b []byte) error {
	v, err := ParseRoundingMode(string(b))
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// maxRoundDigits bounds the digits RoundTo accepts, so that a wild argument
// cannot make it build an enormous number; it equals MaxAmountDigits.
const maxRoundDigits = MaxAmountDigits

// Round rounds m to its currency's standard number of decimals (2 for USD,
// 0 for JPY, 3 for BHD, per CurrencyDigits). Codes that ISO 4217 does not
// know round to 2 decimals; a custom currency with other needs uses RoundTo
// with its own digits. The result always has exactly that many decimals:
// "5 USD" rounds to "5.00 USD".
//
// An undefined mode rounds as RoundHalfUp; check modes that come from
// configuration with Valid or ParseRoundingMode. The zero Money is returned
// unchanged.
func (m Money) Round(mode RoundingMode) Money {
	if m.currency == "" {
		return m
	}
	return m.RoundTo(roundingDigits(m.currency), mode)
}

// RoundTo rounds m to digits decimals (negative digits round to tens,
// hundreds, ...), and gives the result exactly that many decimals. digits is
// clamped to ±MaxAmountDigits. An undefined mode rounds as RoundHalfUp.
func (m Money) RoundTo(digits int32, mode RoundingMode) Money {
	if m.currency == "" {
		return m
	}
	digits = min(max(digits, -maxRoundDigits), maxRoundDigits)
	return Money{amount: roundDecimal(m.amount, digits, 1, mode), currency: m.currency}
}

// RoundCash rounds m the way cash is paid in its currency, per CLDR (from
// golang.org/x/text/currency): CHF and CAD to 0.05, DKK to 0.50, SEK, CZK and
// HUF to whole units; other currencies as Round. Codes unknown to ISO 4217
// round as Round does. The zero Money is returned unchanged.
func (m Money) RoundCash(mode RoundingMode) Money {
	if m.currency == "" {
		return m
	}
	u, ok := isoUnit(m.currency)
	if !ok {
		return m.Round(mode)
	}
	scale, increment := currency.Cash.Rounding(u)
	return Money{amount: roundDecimal(m.amount, int32(scale), int64(increment), mode), currency: m.currency}
}

// roundDecimal rounds d to a multiple of increment × 10^-digits, and returns
// it with exponent -digits. It works on integers throughout, so it is exact
// for every amount and increment.
func roundDecimal(d decimal.Decimal, digits int32, increment int64, mode RoundingMode) decimal.Decimal {
	if increment < 1 {
		increment = 1
	}
	// d / (increment × 10^-digits) = coef × 10^(exp+digits) / increment.
	coef := d.Coefficient()
	shift := int64(d.Exponent()) + int64(digits)
	num, den := coef, big.NewInt(increment)
	if shift >= 0 {
		num = new(big.Int).Mul(coef, pow10(shift))
	} else {
		den = new(big.Int).Mul(den, pow10(-shift))
	}
	n := roundQuo(num, den, mode)
	if increment != 1 {
		n.Mul(n, big.NewInt(increment))
	}
	return decimal.NewFromBigInt(n, -digits)
}

// roundQuo returns num/den rounded to an integer by mode; den > 0.
func roundQuo(num, den *big.Int, mode RoundingMode) *big.Int {
	q, r := new(big.Int).QuoRem(num, den, new(big.Int))
	if r.Sign() == 0 {
		return q
	}
	sign := int64(num.Sign())
	// half compares the remainder with half the divisor: -1 below, 0 at, +1 above.
	half := new(big.Int).Abs(r)
	half.Lsh(half, 1)
	c := half.Cmp(den)
	away := false
	switch mode {
	case RoundDown:
	case RoundUp:
		away = true
	case RoundFloor:
		away = sign < 0
	case RoundCeiling:
		away = sign > 0
	case RoundHalfEven:
		away = c > 0 || (c == 0 && q.Bit(0) == 1)
	default: // RoundHalfUp, and undefined modes as documented.
		away = c >= 0
	}
	if away {
		q.Add(q, big.NewInt(sign))
	}
	return q
}
