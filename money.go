package billkit

import (
	"fmt"
	bcurrency "github.com/bojanz/currency"
	"math/big"

	"github.com/shopspring/decimal"
	"golang.org/x/text/currency"
)

// MaxAmountDigits is the most digits an amount may have when it is written
// out in full ("1234.50" has six). It bounds what billkit accepts from outside
// (API input, stored text), so that a hostile or corrupt value cannot make a
// single amount cost megabytes, while leaving room far beyond any real price
// or balance: 30-digit amounts round-trip unchanged.
const MaxAmountDigits = 60

// defaultDigits is the number of decimals used for currencies that ISO 4217
// does not know (custom currencies such as bonus points). Two matches most
// real currencies; a custom currency with other needs uses RoundTo with its
// own digits (directory.Currency.Digits).
const defaultDigits = 2

// Money is an exact amount in one currency: a decimal (never a float) and a
// currency code.
//
// The amount keeps its exponent: "1.50 USD" stays "1.50 USD" through every
// encoding, and Equal treats 1.5 and 1.50 as equal. Arithmetic between two
// currencies is an error, never a silent conversion.
//
// The zero Money has no currency. It stands for "no money given" rather than
// for zero in some currency (use Zero for that): it is IsZero, and Neg, Abs,
// Mul, MulInt and the Round methods return it unchanged, but Add, Sub, Cmp,
// Sum, Allocate and Split report a currency mismatch, because the currency of
// the result cannot be known. Two zero Moneys are Equal. It encodes as JSON
// null, empty text and SQL NULL.
//
// Compare Money with Equal or Cmp, never with ==: the decimal inside holds a
// pointer.
//
// IsZero reports a zero amount, as money arithmetic expects. encoding/json's
// omitzero option calls IsZero too, so it would drop "0.00 USD" from a
// document: leave omitzero off Money fields (the zero Money is written as
// null either way).
type Money struct {
	amount   decimal.Decimal
	currency string
}

// NewMoney returns amount in currency.
//
// The currency code is an ISO 4217 code ("USD") or a custom one: 3 to 8
// upper-case ASCII letters and digits, starting with a letter ("BONUS",
// "USDT"). A malformed code gives an invalid *Error on field "currency"
// (reason "money.currency_malformed"); an amount of more than MaxAmountDigits
// digits gives one on field "amount" (reason "money.amount_out_of_range").
func NewMoney(amount decimal.Decimal, currency string) (Money, error) {
	if !ValidCurrencyCode(currency) {
		return Money{}, currencyMalformed(currency)
	}
	if n := plainDigits(amount); n > MaxAmountDigits {
		return Money{}, InvalidField("amount", "money.amount_out_of_range",
			fmt.Sprintf("has %d digits, more than the %d allowed", n, MaxAmountDigits))
	}
	return Money{amount: amount, currency: currency}, nil
}

// ParseMoney parses an amount written as a plain decimal and a currency code.
//
// The amount grammar is strict, because amounts arrive from APIs, files and
// databases and a lenient parser hides corrupt data: an optional leading
// minus, digits with no leading zeros (a single "0" before the point is
// fine), and optionally a point followed by at least one digit. So "1234.50",
// "-0.5", "12" and "0" parse; "+1" (a sign that carries nothing), " 1",
// "1,234.50", ".5", "5.", "007", "1e3", "NaN", "Inf" and "" do not, nor does
// anything of more than MaxAmountDigits digits. Those give an invalid *Error
// on field "amount", reason "money.amount_malformed". The exponent is kept:
// "1.50" stays "1.50". The currency is checked as in NewMoney.
func ParseMoney(amount, currency string) (Money, error) {
	if err := checkAmountSyntax(amount); err != nil {
		return Money{}, err
	}
	if !ValidCurrencyCode(currency) {
		return Money{}, currencyMalformed(currency)
	}
	d, err := decimal.NewFromString(amount)
	if err != nil {
		// Unreachable after checkAmountSyntax; kept so that a change in the
		// decimal library cannot turn into a panic or a wrong value.
		return Money{}, InvalidField("amount", "money.amount_malformed", fmt.Sprintf("%s is not a decimal amount", quoteShort(amount)))
	}
	return Money{amount: d, currency: currency}, nil
}

// MustParseMoney is ParseMoney that panics on error, for tests, examples and
// constants written in code.
func MustParseMoney(amount, currency string) Money {
	m, err := ParseMoney(amount, currency)
	if err != nil {
		panic(err)
	}
	return m
}

// Zero returns zero in currency. A malformed code gives the zero Money (no
// currency), which every binary operation then reports as a currency
// mismatch; validate codes that come from outside with ValidCurrencyCode or
// NewMoney first.
func Zero(currency string) Money {
	if !ValidCurrencyCode(currency) {
		return Money{}
	}
	return Money{currency: currency}
}

// Sum returns the sum of the amounts, which must all be in the same
// currency; otherwise it returns an invalid *Error with reason
// "money.currency_mismatch". Taking first separately makes the currency of an
// empty sum a question the caller answers (Zero) rather than one Sum guesses.
func Sum(first Money, rest ...Money) (Money, error) {
	if first.currency == "" {
		return Money{}, noCurrency()
	}
	total := first.amount
	for _, m := range rest {
		if m.currency != first.currency {
			return Money{}, mismatch(first, m)
		}
		total = total.Add(m.amount)
	}
	return Money{amount: total, currency: first.currency}, nil
}

// ValidCurrencyCode reports whether code has the syntax of a currency code:
// 3 to 8 upper-case ASCII letters and digits, the first a letter. ISO 4217
// codes are three letters; the longer form leaves room for custom currencies.
// It does not say whether the currency exists.
func ValidCurrencyCode(code string) bool {
	if len(code) < 3 || len(code) > 8 {
		return false
	}
	for i := 0; i < len(code); i++ {
		c := code[i]
		switch {
		case c >= 'A' && c <= 'Z':
		case c >= '0' && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// CurrencyDigits returns the number of decimals of the ISO 4217 currency's
// minor unit (2 for USD, 0 for JPY, 3 for BHD, 2 for IDR), from the ISO data in
// github.com/bojanz/currency. The directory seeds its currencies from the same
// data, so Money.Round and a directory Currency always agree. ok is false for
// codes ISO does not list, custom currencies included.
func CurrencyDigits(code string) (digits int, ok bool) {
	if len(code) != 3 || !ValidCurrencyCode(code) || !bcurrency.IsValid(code) {
		return 0, false
	}
	d, ok := bcurrency.GetDigits(code)
	return int(d), ok
}

// isoUnit looks code up in x/text's ISO 4217 table. The syntax check comes
// first because ParseISO folds case, and "usd" is not a code billkit accepts.
func isoUnit(code string) (currency.Unit, bool) {
	if len(code) != 3 || !ValidCurrencyCode(code) {
		return currency.Unit{}, false
	}
	u, err := currency.ParseISO(code)
	if err != nil {
		return currency.Unit{}, false
	}
	return u, true
}

// roundingDigits is the number of decimals Round uses for code.
func roundingDigits(code string) int32 {
	if d, ok := CurrencyDigits(code); ok {
		return int32(d)
	}
	return defaultDigits
}

// Amount returns the decimal amount.
func (m Money) Amount() decimal.Decimal { return m.amount }

// Currency returns the currency code, or "" for the zero Money.
func (m Money) Currency() string { return m.currency }

// IsZero reports whether the amount is zero (in any currency, or none).
func (m Money) IsZero() bool { return m.amount.IsZero() }

// IsPositive reports whether the amount is greater than zero.
func (m Money) IsPositive() bool { return m.amount.IsPositive() }

// IsNegative reports whether the amount is less than zero.
func (m Money) IsNegative() bool { return m.amount.IsNegative() }

// Sign returns -1, 0 or +1 as the amount is negative, zero or positive.
func (m Money) Sign() int { return m.amount.Sign() }

// Add returns m + o. Different currencies (or a zero Money on either side)
// give an invalid *Error with reason "money.currency_mismatch".
func (m Money) Add(o Money) (Money, error) {
	if err := sameCurrency(m, o); err != nil {
		return Money{}, err
	}
	return Money{amount: m.amount.Add(o.amount), currency: m.currency}, nil
}

// Sub returns m - o, with the same currency rule as Add.
func (m Money) Sub(o Money) (Money, error) {
	if err := sameCurrency(m, o); err != nil {
		return Money{}, err
	}
	return Money{amount: m.amount.Sub(o.amount), currency: m.currency}, nil
}

// Neg returns -m.
func (m Money) Neg() Money { return Money{amount: m.amount.Neg(), currency: m.currency} }

// Abs returns |m|.
func (m Money) Abs() Money { return Money{amount: m.amount.Abs(), currency: m.currency} }

// Mul returns m times factor, exactly: the result has as many decimals as
// both operands together ("10.50" × "0.2" = "2.100"). factor is a quantity
// or a ratio; round the result at the point where the business rule says so.
// The product is not bounded by MaxAmountDigits: an exact product is what
// later rounding needs.
func (m Money) Mul(factor decimal.Decimal) Money {
	return Money{amount: m.amount.Mul(factor), currency: m.currency}
}

// MulInt returns m times n, exactly.
func (m Money) MulInt(n int64) Money {
	return Money{amount: m.amount.Mul(decimal.NewFromInt(n)), currency: m.currency}
}

// Cmp returns -1, 0 or +1 as m is less than, equal to or greater than o.
// Different currencies give an invalid *Error with reason
// "money.currency_mismatch": there is no order between them.
func (m Money) Cmp(o Money) (int, error) {
	if err := sameCurrency(m, o); err != nil {
		return 0, err
	}
	return m.amount.Cmp(o.amount), nil
}

// Equal reports whether m and o have the same currency and numerically equal
// amounts: "1.5 USD" equals "1.50 USD"; "0 USD" does not equal "0 EUR".
func (m Money) Equal(o Money) bool {
	return m.currency == o.currency && m.amount.Equal(o.amount)
}

// String returns the amount as stored, a space and the currency code:
// "1234.50 USD". It is the text form (MarshalText) and the SQL form (Value).
// The zero Money gives "".
func (m Money) String() string {
	if m.currency == "" {
		return ""
	}
	return amountString(m.amount) + " " + m.currency
}

// amountString writes d in full with all the decimals its exponent holds:
// the decimal library's own String drops trailing zeros, and "1.50" must stay
// "1.50" through every encoding.
func amountString(d decimal.Decimal) string {
	if e := d.Exponent(); e < 0 {
		return d.StringFixed(-e)
	}
	return d.String()
}

// checkAmountSyntax enforces ParseMoney's grammar without allocating.
func checkAmountSyntax(s string) error {
	bad := func(why string) error {
		return InvalidField("amount", "money.amount_malformed", fmt.Sprintf("%s is not a plain decimal amount: %s", quoteShort(s), why))
	}
	if s == "" {
		return bad("it is empty")
	}
	i := 0
	if s[0] == '-' {
		i = 1
	}
	digits, start := 0, i
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
		digits++
	}
	switch {
	case digits == 0:
		return bad("it must start with a digit or a minus and a digit")
	case digits > 1 && s[start] == '0':
		return bad("leading zeros are not allowed")
	}
	if i < len(s) && s[i] == '.' {
		i++
		frac := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			frac++
		}
		if frac == 0 {
			return bad("a point must be followed by digits")
		}
		digits += frac
	}
	if i != len(s) {
		return bad("only digits, one point and a leading minus are allowed")
	}
	if digits > MaxAmountDigits {
		return bad(fmt.Sprintf("more than %d digits", MaxAmountDigits))
	}
	return nil
}

// plainDigits returns the number of digits of d written out in full, the way
// String writes it: "1234.50" has 6, "0.05" has 3, "1000" has 4.
func plainDigits(d decimal.Decimal) int64 {
	if d.IsZero() && d.Exponent() >= 0 {
		return 1 // written "0" whatever the exponent
	}
	n, exp := int64(d.NumDigits()), int64(d.Exponent())
	if exp >= 0 {
		return n + exp
	}
	frac := -exp
	return max(n-frac, 1) + frac // "0.05": one integer digit, two decimals
}

// pow10 returns 10^n for n >= 0. The result may be shared: callers must not
// modify it.
func pow10(n int64) *big.Int {
	if n < int64(len(smallPow10)) {
		return smallPow10[n]
	}
	return new(big.Int).Exp(big.NewInt(10), big.NewInt(n), nil)
}

// smallPow10 holds the powers of ten that rounding and allocation use every
// time, so that they are not recomputed; it is never written after start-up.
var smallPow10 = func() [2*MaxAmountDigits + 1]*big.Int {
	var t [2*MaxAmountDigits + 1]*big.Int
	p := big.NewInt(1)
	for i := range t {
		t[i] = new(big.Int).Set(p)
		p.Mul(p, big.NewInt(10))
	}
	return t
}()

func sameCurrency(m, o Money) error {
	if m.currency == "" || o.currency == "" {
		return noCurrency()
	}
	if m.currency != o.currency {
		return mismatch(m, o)
	}
	return nil
}

func mismatch(m, o Money) *Error {
	return InvalidField("currency", "money.currency_mismatch",
		fmt.Sprintf("cannot combine %s with %s", m.currency, o.currency))
}

func noCurrency() *Error {
	return InvalidField("currency", "money.currency_mismatch", "an amount has no currency (the zero Money)")
}

func currencyMalformed(code string) *Error {
	return InvalidField("currency", "money.currency_malformed",
		fmt.Sprintf("%s is not a currency code: 3 to 8 upper-case letters and digits, starting with a letter", quoteShort(code)))
}

// quoteShort quotes s for an error message, cut to a length a person reads:
// input may be arbitrarily long, and an error message should not be.
func quoteShort(s string) string {
	const limit = 40
	if len(s) > limit {
		return fmt.Sprintf("%q… (%d bytes)", s[:limit], len(s))
	}
	return fmt.Sprintf("%q", s)
}
