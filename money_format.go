package billkit

import (
	"strings"

	bcurrency "github.com/bojanz/currency"
)

// formatPrecision is the most digits the CLDR formatter handles exactly;
// longer amounts are written in the plain String form rather than wrongly.
const formatPrecision = 39

// Format writes m for people reading the locale ("en", "ru", "de-CH"), per
// the CLDR data in github.com/bojanz/currency: separators, grouping, symbol
// and its position, and the spaces CLDR puts around them. Those spaces are
// no-break spaces (U+00A0), so "ru" gives "1\u00a0234,50\u00a0₽" (which reads
// "1 234,50 ₽"), "en" gives "$1,234.50" and "de" gives "1.234,50\u00a0€".
//
// Format never rounds: it shows at least the currency's standard decimals and
// more when the amount has them ("1234.5 USD" shows as "$1,234.50",
// "0.125 USD" as "$0.125"); round first where a rounded figure is wanted.
// An unknown or empty locale formats as "en". A currency that CLDR does not
// know (a custom one, such as "BONUS") is shown by its code where the locale
// puts a currency, with the amount's own decimals: "BONUS\u00a01,500" in "en".
// Amounts of more than 39 digits, beyond the formatter's precision, are
// written as String writes them. The zero Money gives "".
func (m Money) Format(locale string) string {
	if m.currency == "" {
		return ""
	}
	frac := max(-m.amount.Exponent(), 0)
	code := m.currency
	known := bcurrency.IsValid(code)
	minDigits := frac
	if known {
		minDigits = roundingDigits(code)
	}
	maxDigits := max(minDigits, frac)
	intDigits := max(plainDigits(m.amount)-int64(frac), 1)
	if intDigits+int64(maxDigits) > formatPrecision {
		return m.String()
	}
	f := bcurrency.NewFormatter(bcurrency.NewLocale(locale))
	f.MinDigits = uint8(minDigits)
	f.MaxDigits = uint8(maxDigits)
	if known {
		a, err := bcurrency.NewAmount(amountString(m.amount), code)
		if err != nil {
			return m.String()
		}
		return f.Format(a)
	}
	// The formatter only knows CLDR's currencies. A stand-in shown by its
	// code takes the place (and the spacing) a currency code has in the
	// locale, and is then replaced by the real code. The number itself holds
	// no Latin letters, so the replacement is unambiguous.
	f.CurrencyDisplay = bcurrency.DisplayCode
	a, err := bcurrency.NewAmount(amountString(m.amount), standIn)
	if err != nil {
		return m.String()
	}
	return strings.Replace(f.Format(a), standIn, code, 1)
}

// standIn is the currency the formatter is given for codes it does not know.
// Every CLDR locale has a pattern for it; with DisplayCode only its code,
// never its symbol, appears.
const standIn = "USD"
