package catalog

import (
	"context"
	"fmt"
	"math"
	"math/big"
	"math/bits"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/directory"
	"github.com/shopspring/decimal"
)

// Converter converts an amount into another currency at the rate of a date.
// It returns the converted amount and the rate applied (the amount in to
// per unit of m's currency, margins included). The pricing engine asks it
// once per quote, for one unit of the tariff's currency, and applies the
// rate to every price it converts.
//
// DirectoryConverter adapts directory.Service, whose dated rates are the
// ones a quote should use; tests pass a ConverterFunc.
type Converter interface {
	Convert(ctx context.Context, m billkit.Money, to string, on billkit.Date) (billkit.Money, decimal.Decimal, error)
}

// ConverterFunc is a function that is a Converter.
type ConverterFunc func(ctx context.Context, m billkit.Money, to string, on billkit.Date) (billkit.Money, decimal.Decimal, error)

// Convert calls f.
func (f ConverterFunc) Convert(ctx context.Context, m billkit.Money, to string, on billkit.Date) (billkit.Money, decimal.Decimal, error) {
	return f(ctx, m, to, on)
}

// DirectoryRates is what DirectoryConverter needs of the directory: its
// *directory.Service satisfies it.
type DirectoryRates interface {
	Convert(ctx context.Context, m billkit.Money, to string, on billkit.Date) (directory.Conversion, error)
}

// DirectoryConverter returns a Converter over the directory's dated
// exchange rates (directory.Service.Convert): the rate of the latest stored
// rate on or before the date, with the target currency's margin.
func DirectoryConverter(rates DirectoryRates) Converter {
	return ConverterFunc(func(ctx context.Context, m billkit.Money, to string, on billkit.Date) (billkit.Money, decimal.Decimal, error) {
		c, err := rates.Convert(ctx, m, to, on)
		if err != nil {
			return billkit.Money{}, decimal.Decimal{}, err
		}
		return c.To, c.Rate, nil
	})
}

// Adjuster changes a quote after the catalog has priced it: discounts,
// promo codes and taxes are applied here, in one place, so that the final
// price is assembled once. It may add lines (AddAdjustment) or change the
// amounts of existing ones; every line must stay in the quote's currency and
// rounded to Quote.Digits. The engine checks that and recomputes the totals
// after it, so totals always equal the sum of the lines.
type Adjuster interface {
	Adjust(ctx context.Context, q *Quote) error
}

// AdjusterFunc is a function that is an Adjuster.
type AdjusterFunc func(ctx context.Context, q *Quote) error

// Adjust calls f.
func (f AdjusterFunc) Adjust(ctx context.Context, q *Quote) error { return f(ctx, q) }

// Adjusters chains adjusters: each runs on the quote the previous one left,
// in order (discounts, then promo codes, then taxes), and the first error
// stops the chain. Nil adjusters are skipped.
func Adjusters(list ...Adjuster) Adjuster {
	return AdjusterFunc(func(ctx context.Context, q *Quote) error {
		for _, a := range list {
			if a == nil {
				continue
			}
			if err := a.Adjust(ctx, q); err != nil {
				return err
			}
		}
		return nil
	})
}

// versionInForce returns the index of the price version in force on date:
// the one with the latest effective date on or before it, or -1.
func versionInForce(versions []PriceVersion, date billkit.Date) int {
	best := -1
	for i := range versions {
		e := versions[i].EffectiveDate
		if e.After(date) {
			continue
		}
		if best < 0 || e.After(versions[best].EffectiveDate) {
			best = i
		}
	}
	return best
}

// tariffPricesOn returns the tariff's prices on date: those of the latest
// version on or before it that sets prices, or the tariff's own.
func tariffPricesOn(t *Tariff, versions []PriceVersion, date billkit.Date) []Price {
	best := -1
	for i := range versions {
		pv := &versions[i]
		if len(pv.Prices) == 0 || pv.EffectiveDate.After(date) {
			continue
		}
		if best < 0 || pv.EffectiveDate.After(versions[best].EffectiveDate) {
			best = i
		}
	}
	if best < 0 {
		return t.Prices
	}
	return versions[best].Prices
}

// addonPricesOn returns the prices of an addon (option "") or of one option
// of an enum addon on date: those of the latest version on or before it
// that names them, or base.
func addonPricesOn(versions []PriceVersion, date billkit.Date, addon, option string, base []Price) []Price {
	var out []Price
	var at billkit.Date
	found := false
	for i := range versions {
		pv := &versions[i]
		if pv.EffectiveDate.After(date) || (found && !pv.EffectiveDate.After(at)) {
			continue
		}
		for j := range pv.AddonPrices {
			ap := &pv.AddonPrices[j]
			if ap.Addon == addon && ap.Option == option {
				out, at, found = ap.Prices, pv.EffectiveDate, true
				break
			}
		}
	}
	if !found {
		return base
	}
	return out
}

// pricer resolves prices of one quote in its currency.
type pricer struct {
	ctx      context.Context
	tariff   *Tariff
	currency string
	date     billkit.Date
	digits   int32
	mode     billkit.RoundingMode
	conv     Converter
	// rate converts the tariff's currency into currency, once asked.
	rate    decimal.Decimal
	hasRate bool
}

// pick returns the price of the quote's period in the quote's currency
// from prices: the one in that currency, or the one in the tariff's
// currency converted. ok is false when neither exists.
func (p *pricer) pick(prices []Price, period Period) (amount, setup decimal.Decimal, converted, ok bool, err error) {
	if pr, found := FindPrice(prices, period, p.currency); found {
		return pr.Amount, pr.SetupFee, false, true, nil
	}
	if p.currency == p.tariff.Currency {
		return decimal.Decimal{}, decimal.Decimal{}, false, false, nil
	}
	pr, found := FindPrice(prices, period, p.tariff.Currency)
	if !found {
		return decimal.Decimal{}, decimal.Decimal{}, false, false, nil
	}
	if err := p.needRate(); err != nil {
		return decimal.Decimal{}, decimal.Decimal{}, false, false, err
	}
	return p.convert(pr.Amount), p.convert(pr.SetupFee), true, true, nil
}

// needRate asks the converter for the rate from the tariff's currency to
// the quote's, once.
func (p *pricer) needRate() error {
	if p.hasRate {
		return nil
	}
	if p.conv == nil {
		return billkit.Errorf(billkit.CodeFailedPrecondition, "catalog.converter_missing",
			"tariff %s has no price in %s and no converter was given to convert its %s prices", p.tariff.Code, p.currency, p.tariff.Currency)
	}
	unit, err := billkit.NewMoney(decimal.NewFromInt(1), p.tariff.Currency)
	if err != nil {
		return billkit.InvalidField("tariff.currency", "money.currency_malformed", fmt.Sprintf("%q is not a currency code", p.tariff.Currency))
	}
	_, rate, err := p.conv.Convert(p.ctx, unit, p.currency, p.date)
	if err != nil {
		return err
	}
	if !rate.IsPositive() {
		return billkit.Errorf(billkit.CodeInternal, "catalog.rate_invalid", "the converter gave the rate %s from %s to %s", rate, p.tariff.Currency, p.currency)
	}
	p.rate, p.hasRate = rate, true
	return nil
}

// convert converts a price of the tariff's currency with the rate. The
// result keeps the target currency's decimals, plus as many as the price
// had beyond its own currency's (a 0.005 USD overage price stays precise in
// another currency too), rounded by the quote's mode.
func (p *pricer) convert(d decimal.Decimal) decimal.Decimal {
	if d.IsZero() {
		return d
	}
	places := p.digits
	if extra := -d.Exponent() - currencyDigits(p.tariff.Currency); extra > 0 {
		places += extra
	}
	return mulRound(d, p.rate, places, p.mode)
}

// amount returns unit × qty in the quote's currency, rounded once.
func (p *pricer) amount(unit, qty decimal.Decimal) (billkit.Money, error) {
	return billkit.NewMoney(mulRound(unit, qty, p.digits, p.mode), p.currency)
}

var quantityOne = decimal.NewFromInt(1)

// mulRound returns a × b rounded by mode to digits decimals, with exponent
// -digits: exactly what billkit.Money.RoundTo gives for the product. Prices
// and quantities are small numbers, so it works on int64 whenever the
// product fits, and on big integers otherwise.
func mulRound(a, b decimal.Decimal, digits int32, mode billkit.RoundingMode) decimal.Decimal {
	if q, ok := mulRound64(a, b, digits, mode); ok {
		return decimal.New(q, -digits)
	}
	return roundBig(a.Mul(b), digits, mode)
}

// roundBig rounds d to digits decimals by mode on big integers.
func roundBig(d decimal.Decimal, digits int32, mode billkit.RoundingMode) decimal.Decimal {
	coef := d.Coefficient()
	shift := int64(d.Exponent()) + int64(digits)
	den := big.NewInt(1)
	if shift >= 0 {
		coef.Mul(coef, new(big.Int).Exp(big.NewInt(10), big.NewInt(shift), nil))
	} else {
		den.Exp(big.NewInt(10), big.NewInt(-shift), nil)
	}
	return decimal.NewFromBigInt(roundQuo(coef, den, mode), -digits)
}

// pow10s are the powers of ten an int64 holds.
var pow10s = func() [19]int64 {
	var t [19]int64
	t[0] = 1
	for i := 1; i < len(t); i++ {
		t[i] = t[i-1] * 10
	}
	return t
}()

// mulRound64 is mulRound on int64; ok is false when a number does not fit.
func mulRound64(a, b decimal.Decimal, digits int32, mode billkit.RoundingMode) (int64, bool) {
	if a.NumDigits() > 18 || b.NumDigits() > 18 {
		return 0, false
	}
	ac, bc := a.CoefficientInt64(), b.CoefficientInt64()
	neg := (ac < 0) != (bc < 0)
	hi, lo := bits.Mul64(abs64(ac), abs64(bc))
	if hi != 0 || lo > math.MaxInt64 {
		return 0, false
	}
	prod := int64(lo)
	shift := int64(a.Exponent()) + int64(b.Exponent()) + int64(digits)
	switch {
	case shift >= 0:
		if shift > 18 {
			return 0, false
		}
		hi, lo := bits.Mul64(uint64(prod), uint64(pow10s[shift]))
		if hi != 0 || lo > math.MaxInt64 {
			return 0, false
		}
		prod = int64(lo)
	case shift < -18:
		return 0, false
	default:
		p := pow10s[-shift]
		q, r := prod/p, prod%p
		if r != 0 {
			away := false
			switch c := cmp2(r, p); mode {
			case billkit.RoundDown:
			case billkit.RoundUp:
				away = true
			case billkit.RoundFloor:
				away = neg
			case billkit.RoundCeiling:
				away = !neg
			case billkit.RoundHalfEven:
				away = c > 0 || (c == 0 && q%2 == 1)
			default:
				away = c >= 0
			}
			if away {
				q++
			}
		}
		prod = q
	}
	if neg {
		prod = -prod
	}
	return prod, true
}

// cmp2 compares 2r with p (0 ≤ r < p ≤ 10^18, so 2r does not overflow).
func cmp2(r, p int64) int {
	switch r2 := 2 * r; {
	case r2 < p:
		return -1
	case r2 > p:
		return 1
	}
	return 0
}

func abs64(x int64) uint64 {
	if x < 0 {
		return uint64(-x)
	}
	return uint64(x)
}
