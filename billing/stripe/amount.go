package stripe

import (
	"fmt"
	"strings"

	"github.com/billkit/billkit"
	"github.com/shopspring/decimal"
)

// Stripe counts amounts in a currency's minor units, and for almost every
// currency those are ISO 4217's (billkit.CurrencyDigits): 2 decimals for
// USD, 0 for JPY, 3 for BHD. stripeDigits lists where Stripe differs from
// ISO:
//
//   - MGA: ISO gives it 2 decimals; Stripe treats it as zero-decimal.
//   - ISK: ISO gives it 0 decimals; Stripe keeps 2 for compatibility but
//     accepts only whole krónur (amounts divisible by 100).
//
// Stripe also requires amounts in its three-decimal currencies (BHD, JOD,
// KWD, OMR, TND) to end in 0, that is to be whole hundredths; see
// stripeMultiple. An amount that Stripe cannot take exactly is refused
// before any request rather than rounded: billkit never changes an amount
// silently.
var stripeDigits = map[string]int{
	"MGA": 0,
	"ISK": 2,
}

// stripeMultiple is, per currency, the number the minor amount must divide
// by.
var stripeMultiple = map[string]int64{
	"BHD": 10, "JOD": 10, "KWD": 10, "OMR": 10, "TND": 10,
	"ISK": 100,
}

// digitsOf returns the number of decimals Stripe's minor unit has in the
// currency (upper-case ISO code), and false for a currency ISO does not
// know, which Stripe does not take either.
func digitsOf(currency string) (int, bool) {
	iso, ok := billkit.CurrencyDigits(currency)
	if !ok {
		return 0, false
	}
	if d, ok := stripeDigits[currency]; ok {
		return d, true
	}
	return iso, true
}

// MinorUnits returns m in the minor units Stripe counts in ("12.34 USD" →
// 1234, "500 JPY" → 500, "1.230 BHD" → 1230) and Stripe's lower-case
// currency code. m must be positive and exact in those units; otherwise the
// error is an invalid *billkit.Error on field "amount" with reason
// ReasonAmountNotPositive, ReasonAmountPrecision, ReasonAmountTooLarge or
// ReasonCurrencyUnsupported.
func MinorUnits(m billkit.Money) (int64, string, error) {
	return minorUnits("amount", m)
}

func minorUnits(field string, m billkit.Money) (int64, string, error) {
	cur := m.Currency()
	if cur == "" {
		return 0, "", billkit.InvalidField(field, "required", "is required")
	}
	digits, ok := digitsOf(cur)
	if !ok {
		return 0, "", billkit.InvalidField(field, ReasonCurrencyUnsupported,
			fmt.Sprintf("%s is not an ISO 4217 currency, which Stripe requires", cur))
	}
	if !m.IsPositive() {
		return 0, "", billkit.InvalidField(field, ReasonAmountNotPositive, "must be more than zero")
	}
	scaled := m.Amount().Shift(int32(digits))
	if !scaled.IsInteger() {
		return 0, "", billkit.InvalidField(field, ReasonAmountPrecision,
			fmt.Sprintf("%s has more decimals than Stripe's %d for %s", m, digits, cur))
	}
	if scaled.GreaterThan(decimal.NewFromInt(maxMinor)) {
		return 0, "", billkit.InvalidField(field, ReasonAmountTooLarge,
			fmt.Sprintf("%s is more than Stripe takes in one payment", m))
	}
	n := scaled.IntPart()
	if k, ok := stripeMultiple[cur]; ok && n%k != 0 {
		return 0, "", billkit.InvalidField(field, ReasonAmountPrecision,
			fmt.Sprintf("Stripe takes %s only in steps of %s", cur, decimal.New(k, -int32(digits))))
	}
	return n, strings.ToLower(cur), nil
}

// maxMinor is Stripe's largest amount: eight digits of minor units
// (999,999.99 USD).
const maxMinor = 99_999_999

// FromMinorUnits is MinorUnits backwards: Stripe's amount and currency code
// (either case) as billkit.Money, written with the currency's ISO decimals
// when the amount allows ("1234", "usd" → 12.34 USD; ISK's 500000 → 5000
// ISK).
func FromMinorUnits(amount int64, currency string) (billkit.Money, error) {
	cur := strings.ToUpper(currency)
	digits, ok := digitsOf(cur)
	if !ok {
		return billkit.Money{}, billkit.InvalidField("currency", ReasonCurrencyUnsupported,
			fmt.Sprintf("%q is not an ISO 4217 currency", currency))
	}
	d := decimal.New(amount, -int32(digits))
	if iso, _ := billkit.CurrencyDigits(cur); iso < digits && d.Equal(d.Truncate(int32(iso))) {
		d = d.Truncate(int32(iso))
	} else if iso > digits {
		d = d.Round(int32(iso))
	}
	return billkit.NewMoney(d, cur)
}
