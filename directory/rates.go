package directory

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/billkit/billkit"
	"github.com/shopspring/decimal"
)

// RatePrecision is the number of decimal places kept when a rate has to be
// divided: an inverse rate (1/rate), a cross rate (a quotient of two rates)
// and a unit conversion. Sixteen places keep the error far below the minor
// unit of any currency for any amount billkit handles; the converted amount is
// then rounded to the target currency's digits.
const RatePrecision = 16

var one = decimal.NewFromInt(1)

// maxSourceLen bounds the Source name stored with a rate.
const maxSourceLen = 64

// EffectiveRate returns the market rate with a margin, in percent, added:
// market × (1 + margin/100). The margin is divided by shifting the decimal
// point, so the result is exact.
func EffectiveRate(market, margin decimal.Decimal) decimal.Decimal {
	if margin.IsZero() {
		return market
	}
	return market.Mul(one.Add(margin.Shift(-2)))
}

// rateLeg is one stored rate read in a chosen direction: one unit of the first
// currency is worth num/den units of the second. Keeping the fraction lets a
// cross rate be computed with a single division.
type rateLeg struct {
	num, den decimal.Decimal
	rate     *ExchangeRate
}

// legOf reads r in the direction from → to, where r is either from→to or to→from.
func legOf(r *ExchangeRate, from string) rateLeg {
	if r.Base == from {
		return rateLeg{num: r.Rate, den: one, rate: r}
	}
	return rateLeg{num: one, den: r.Rate, rate: r}
}

// value returns num/den.
func (l rateLeg) value() decimal.Decimal { return divide(l.num, l.den) }

// crossLegs returns the rate from → to given a pivot P and the legs P → from
// and P → to: (to per P) / (from per P).
func crossLegs(pFrom, pTo rateLeg) decimal.Decimal {
	return divide(pTo.num.Mul(pFrom.den), pTo.den.Mul(pFrom.num))
}

// divide is a / b at RatePrecision, and exact (a itself) when b is 1.
func divide(a, b decimal.Decimal) decimal.Decimal {
	if b.Equal(one) {
		return a
	}
	return a.DivRound(b, RatePrecision)
}

// findLeg finds the rate of from → to on or before on, directly or as the
// inverse of to → from. It returns ok false when neither is stored.
func findLeg(ctx context.Context, st Store, from, to string, on billkit.Date) (rateLeg, bool, error) {
	r, err := st.FindExchangeRate(ctx, from, to, on)
	if err == nil {
		return legOf(r, from), true, nil
	}
	if !billkit.IsCode(err, billkit.CodeNotFound) {
		return rateLeg{}, false, err
	}
	r, err = st.FindExchangeRate(ctx, to, from, on)
	if err == nil {
		return legOf(r, from), true, nil
	}
	if !billkit.IsCode(err, billkit.CodeNotFound) {
		return rateLeg{}, false, err
	}
	return rateLeg{}, false, nil
}

// SetExchangeRate sets the rate of a pair on a date: it inserts the rate, or
// replaces the rate of the same pair and date, keeping its ID. Both currencies
// must exist (they need not be enabled).
func (s *Service) SetExchangeRate(ctx context.Context, actor billkit.Actor, p SetExchangeRateParams) (*ExchangeRate, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	var v billkit.FieldErrors
	base, err := normalizeCurrencyCode("base", p.Base)
	okBase := v.Merge("", err)
	quote, err := normalizeCurrencyCode("quote", p.Quote)
	okQuote := v.Merge("", err)
	if okBase && okQuote && base == quote {
		v.Add("quote", "rate.same_currency", "must differ from base")
		okQuote = false
	}
	v.Check(p.Rate.IsPositive(), "rate", "rate.not_positive", "must be greater than zero")
	validRateDate(&v, "date", p.Date)
	source := strings.TrimSpace(p.Source)
	if source == "" {
		source = RateSourceManual
	}
	v.Check(len(source) <= maxSourceLen, "source", "rate.source_too_long", fmt.Sprintf("must be at most %d bytes", maxSourceLen))
	if v.Len() > 0 && !okBase && !okQuote {
		return nil, v.Err()
	}
	if err := actor.Authorize(billkit.R(Function, billkit.OpEdit)); err != nil {
		return nil, err
	}
	var out *ExchangeRate
	err = s.store.InTx(ctx, func(tx Store) error {
		// Checked inside the transaction so that the error lists every bad
		// field at once, the missing currencies included.
		if okBase {
			if err := currencyExists(ctx, tx, &v, "base", base); err != nil {
				return err
			}
		}
		if okQuote {
			if err := currencyExists(ctx, tx, &v, "quote", quote); err != nil {
				return err
			}
		}
		if err := v.Err(); err != nil {
			return err
		}
		r, _, err := s.putRate(ctx, tx, actor, base, quote, p.Rate, p.Date, source)
		out = r
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// validRateDate requires a real, non-zero date.
func validRateDate(v *billkit.FieldErrors, field string, d billkit.Date) {
	if d.IsZero() {
		v.Add(field, "required", "is required")
		return
	}
	v.Check(d.Valid(), field, "date.out_of_range", fmt.Sprintf("%04d-%02d-%02d is not a calendar date", d.Year, int(d.Month), d.Day))
}

// currencyExists records an invalid field when code is not stored.
func currencyExists(ctx context.Context, st Store, v *billkit.FieldErrors, field, code string) error {
	_, err := st.GetCurrency(ctx, code)
	switch {
	case err == nil:
		return nil
	case billkit.IsCode(err, billkit.CodeNotFound):
		v.Add(field, "currency.not_found", fmt.Sprintf("currency %s does not exist", code))
		return nil
	default:
		return err
	}
}

// putRate inserts or replaces the rate of the pair and date, and records the
// change as actor's. It writes nothing when the stored rate is already the
// same, so repeating a refresh is free; changed says whether it wrote.
func (s *Service) putRate(ctx context.Context, tx Store, actor billkit.Actor, base, quote string, rate decimal.Decimal, date billkit.Date, source string) (*ExchangeRate, bool, error) {
	cur, err := tx.FindExchangeRate(ctx, base, quote, date)
	if err != nil && !billkit.IsCode(err, billkit.CodeNotFound) {
		return nil, false, err
	}
	now := s.now()
	if err == nil && cur.Date == date {
		if cur.Rate.Equal(rate) && cur.Source == source {
			return cur, false, nil
		}
		before := *cur
		cur.Rate = rate
		cur.Source = source
		cur.UpdatedAt = now
		if err := tx.UpdateExchangeRate(ctx, cur); err != nil {
			return nil, false, err
		}
		if err := s.record(ctx, tx, actor, "exchange_rate", "update", cur.ID.String(), before, cur); err != nil {
			return nil, false, err
		}
		return cur, true, nil
	}
	r := &ExchangeRate{
		ID:        billkit.NewID[ExchangeRate](),
		Base:      base,
		Quote:     quote,
		Rate:      rate,
		Date:      date,
		Source:    source,
		CreatedAt: now,
		UpdatedAt: now,
	}
	if err := tx.InsertExchangeRate(ctx, r); err != nil {
		return nil, false, err
	}
	if err := s.record(ctx, tx, actor, "exchange_rate", "create", r.ID.String(), nil, r); err != nil {
		return nil, false, err
	}
	return r, true, nil
}

// GetExchangeRate returns the rate with the ID.
func (s *Service) GetExchangeRate(ctx context.Context, id ExchangeRateID) (*ExchangeRate, error) {
	if id.IsZero() {
		return nil, billkit.InvalidField("id", "required", "is required")
	}
	return s.store.GetExchangeRate(ctx, id)
}

// ListExchangeRates lists rates newest date first, then by base and quote.
func (s *Service) ListExchangeRates(ctx context.Context, f ExchangeRateFilter) (billkit.Page[ExchangeRate], error) {
	var v billkit.FieldErrors
	v.Merge("", f.PageParams.Validate())
	if f.Base != "" {
		c, err := normalizeCurrencyCode("base", f.Base)
		v.Merge("", err)
		f.Base = c
	}
	if f.Quote != "" {
		c, err := normalizeCurrencyCode("quote", f.Quote)
		v.Merge("", err)
		f.Quote = c
	}
	if !f.From.IsZero() {
		validRateDate(&v, "from", f.From)
	}
	if !f.To.IsZero() {
		validRateDate(&v, "to", f.To)
	}
	if !f.From.IsZero() && !f.To.IsZero() && f.To.Before(f.From) {
		v.Add("to", "rate.range_reversed", "must not be before from")
	}
	if err := v.Err(); err != nil {
		return billkit.Page[ExchangeRate]{}, err
	}
	return s.store.ListExchangeRates(ctx, f)
}

// validateRateSet checks what a RateSource returned before anything is stored.
// A source that returns nonsense is a fault of the source, reported as
// invalid with the offending rate named.
func validateRateSet(rs RateSet) error {
	var v billkit.FieldErrors
	v.Check(isoCurrencyCode.MatchString(rs.Base), "base", "currency.code_malformed", fmt.Sprintf("%q is not a currency code", rs.Base))
	validRateDate(&v, "date", rs.Date)
	v.Check(len(rs.Rates) > 0, "rates", "rate.none", "the source published no rates")
	for code, r := range rs.Rates {
		field := "rates." + code
		if !customCurrencyCode.MatchString(code) {
			v.Add(field, "currency.code_malformed", fmt.Sprintf("%q is not a currency code", code))
			continue
		}
		v.Check(r.IsPositive(), field, "rate.not_positive", "must be greater than zero")
	}
	return v.Err()
}

// RefreshRates fetches the latest rates from src and stores, in one
// transaction, the rates whose base and quote currencies both exist and are
// enabled, with src.Name() as their Source. The fetch happens before the
// transaction opens, so a slow source never holds database locks. A rate set
// by hand for the same pair and date is kept: staff overrides win. Refreshing
// again with the same data writes nothing new. It returns how many rates of
// the set are stored as published.
func (s *Service) RefreshRates(ctx context.Context, actor billkit.Actor, src RateSource) (int, error) {
	if err := actor.Validate(); err != nil {
		return 0, err
	}
	if src == nil {
		return 0, billkit.InvalidField("source", "required", "is required")
	}
	name := strings.TrimSpace(src.Name())
	if name == "" || name == RateSourceManual || len(name) > maxSourceLen {
		return 0, billkit.InvalidField("source", "rate.source_invalid",
			fmt.Sprintf("a rate source needs a name of 1 to %d bytes other than %q", maxSourceLen, RateSourceManual))
	}
	// Checked before the fetch, so an actor without the right costs the
	// source nothing.
	if err := actor.Authorize(billkit.R(Function, billkit.OpEdit)); err != nil {
		return 0, err
	}
	rs, err := src.FetchRates(ctx)
	if err != nil {
		var be *billkit.Error
		if errors.As(err, &be) {
			return 0, err
		}
		return 0, billkit.WrapError(err, billkit.CodeUnavailable, "rate.source_unavailable", "fetching rates from "+name)
	}
	if err := validateRateSet(rs); err != nil {
		return 0, err
	}
	quotes := make([]string, 0, len(rs.Rates))
	for q := range rs.Rates {
		quotes = append(quotes, q)
	}
	sort.Strings(quotes)
	stored := 0
	err = s.store.InTx(ctx, func(tx Store) error {
		stored = 0
		ok, err := enabledCurrency(ctx, tx, rs.Base)
		if err != nil || !ok {
			return err
		}
		for _, q := range quotes {
			if q == rs.Base {
				continue
			}
			ok, err := enabledCurrency(ctx, tx, q)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			cur, err := tx.FindExchangeRate(ctx, rs.Base, q, rs.Date)
			if err != nil && !billkit.IsCode(err, billkit.CodeNotFound) {
				return err
			}
			if err == nil && cur.Date == rs.Date && cur.Source == RateSourceManual {
				continue
			}
			if _, _, err := s.putRate(ctx, tx, actor, rs.Base, q, rs.Rates[q], rs.Date, name); err != nil {
				return err
			}
			stored++
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return stored, nil
}

// enabledCurrency reports whether code exists and is enabled.
func enabledCurrency(ctx context.Context, st Store, code string) (bool, error) {
	c, err := st.GetCurrency(ctx, code)
	if err != nil {
		if billkit.IsCode(err, billkit.CodeNotFound) {
			return false, nil
		}
		return false, err
	}
	return c.Enabled, nil
}

// Convert converts m into the currency to with the rates in force on date on
// (today, in UTC, when on is zero). It uses, in order: rate 1 for the same
// currency; the direct rate m→to of the latest date on or before on; the
// inverse of the rate to→m; a cross rate through the first pivot currency
// (Config.Pivots) that has rates to both, in either direction. The target
// currency's margin is added to the market rate, and the result is rounded
// half-up to the target's digits. With no usable rate it returns
// failed_precondition with reason "rate.not_found".
func (s *Service) Convert(ctx context.Context, m billkit.Money, to string, on billkit.Date) (Conversion, error) {
	var v billkit.FieldErrors
	from, err := normalizeCurrencyCode("from", m.Currency())
	v.Merge("", err)
	target, err := normalizeCurrencyCode("to", to)
	v.Merge("", err)
	if on.IsZero() {
		on = s.today()
	}
	validRateDate(&v, "on", on)
	if err := v.Err(); err != nil {
		return Conversion{}, err
	}
	// Both currencies must exist; the target's digits and margin apply.
	var fromCur, toCur *Currency
	for _, c := range []struct {
		field, code string
		dst         **Currency
	}{{"from", from, &fromCur}, {"to", target, &toCur}} {
		cur, err := s.store.GetCurrency(ctx, c.code)
		if billkit.IsCode(err, billkit.CodeNotFound) {
			v.Add(c.field, "currency.not_found", fmt.Sprintf("currency %s does not exist", c.code))
			continue
		}
		if err != nil {
			return Conversion{}, err
		}
		*c.dst = cur
	}
	if err := v.Err(); err != nil {
		return Conversion{}, err
	}
	_ = fromCur

	conv := Conversion{From: m, RateDate: on, RateIDs: []ExchangeRateID{}}
	var market decimal.Decimal
	var leg rateLeg
	ok := false
	if from != target {
		if leg, ok, err = findLeg(ctx, s.store, from, target, on); err != nil {
			return Conversion{}, err
		}
	}
	switch {
	case from == target:
		market = one
	case ok:
		market = leg.value()
		conv.RateDate = leg.rate.Date
		conv.RateIDs = append(conv.RateIDs, leg.rate.ID)
	default:
		found := false
		for _, pivot := range s.cfg.Pivots {
			if pivot == from || pivot == target {
				continue
			}
			pFrom, ok1, err := findLeg(ctx, s.store, pivot, from, on)
			if err != nil {
				return Conversion{}, err
			}
			if !ok1 {
				continue
			}
			pTo, ok2, err := findLeg(ctx, s.store, pivot, target, on)
			if err != nil {
				return Conversion{}, err
			}
			if !ok2 {
				continue
			}
			market = crossLegs(pFrom, pTo)
			conv.Via = pivot
			conv.RateDate = pFrom.rate.Date
			if pTo.rate.Date.Before(conv.RateDate) {
				conv.RateDate = pTo.rate.Date
			}
			conv.RateIDs = append(conv.RateIDs, pFrom.rate.ID, pTo.rate.ID)
			found = true
			break
		}
		if !found {
			return Conversion{}, billkit.Errorf(billkit.CodeFailedPrecondition, "rate.not_found",
				"no exchange rate from %s to %s on or before %s", from, target, on)
		}
	}
	margin := decimal.Zero
	if from != target {
		margin = toCur.Margin
	}
	conv.MarketRate = market
	conv.Margin = margin
	conv.Rate = EffectiveRate(market, margin)
	// NewMoney on the unconverted amount checks the target code; the product
	// is then rounded once, half-up, to the target's minor unit.
	out, err := billkit.NewMoney(m.Amount(), target)
	if err != nil {
		return Conversion{}, err
	}
	conv.To = out.Mul(conv.Rate).RoundTo(int32(toCur.Digits), billkit.RoundHalfUp)
	return conv, nil
}
