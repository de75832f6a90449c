package catalog

import (
	"context"
	"fmt"

	"github.com/billkit/billkit"
	"github.com/shopspring/decimal"
)

// QuoteRequest asks what a tariff costs for a period, with addon values, in
// a currency, on a date.
type QuoteRequest struct {
	// Tariff is the tariff quoted (required).
	Tariff *Tariff
	// Versions are the tariff's price versions, in any order; the engine
	// applies those in force on Date (see NewQuote).
	Versions []PriceVersion
	// Period is the billing period quoted (required).
	Period Period
	// AddonValues are the order's values of the tariff's addons by addon
	// code, as ValidateAddonValues checks them; addons left out take their
	// DefaultValue.
	AddonValues map[string]AddonValue
	// Currency is the currency the client pays in; "" is the tariff's.
	Currency string
	// Date is the day the prices are those of (required): the order date,
	// or the date an existing service's price is held at.
	Date billkit.Date
	// Converter converts the tariff's prices into Currency when the tariff
	// has none in it; nil when no conversion may happen.
	Converter Converter
	// Adjuster, when not nil, runs last: discounts, promo codes, taxes.
	Adjuster Adjuster
	// Rounding rounds every line's amount (and converted prices); the zero
	// value is half-up.
	Rounding billkit.RoundingMode
	// Digits, when not nil, overrides the number of decimals of Currency
	// (ISO 4217's, 2 for other codes): set it from directory.Currency.Digits
	// for a custom currency.
	Digits *int32
}

// LineKind says what a quote line charges for.
type LineKind string

// The kinds of quote lines.
const (
	// LinePeriod is the tariff's price for the period.
	LinePeriod LineKind = "period"
	// LineSetup is a setup fee, charged once: the tariff's (Addon empty)
	// or an addon's.
	LineSetup LineKind = "setup"
	// LineAddon is an addon's price for the period.
	LineAddon LineKind = "addon"
	// LineAdjustment is added by an Adjuster: a discount, a promo code, a
	// tax.
	LineAdjustment LineKind = "adjustment"
)

// QuoteLine is one line of a quote: UnitPrice × Quantity, rounded once to
// Amount.
type QuoteLine struct {
	Kind LineKind `json:"kind"`
	// Addon is the code of the addon the line is for ("" for the tariff's
	// own lines and for adjustments); Option the enum addon's chosen value.
	Addon       string      `json:"addon,omitempty"`
	Option      string      `json:"option,omitempty"`
	BillingType BillingType `json:"billing_type,omitempty"`
	// Code names an adjustment ("discount", "promo:SPRING", "vat").
	Code string `json:"code,omitempty"`
	// UnitPrice is the exact price of one unit, in the quote's currency,
	// converted where the tariff had no price in it. For a metered addon
	// it is the overage price per unit.
	UnitPrice billkit.Money `json:"unit_price"`
	// Quantity is how many units the line charges: 1 for a period, a fee,
	// a fixed or an enum addon; the units beyond Included of a quantity
	// addon; 0 for a metered addon, whose usage is billed after the period.
	Quantity decimal.Decimal `json:"quantity"`
	// Amount is UnitPrice × Quantity rounded to the quote's digits.
	Amount billkit.Money `json:"amount"`
	// Value is the order's value of a quantity or fixed addon.
	Value decimal.Decimal `json:"value,omitzero"`
	// Included is the amount the tariff includes free (quantity, metered).
	Included decimal.Decimal `json:"included,omitzero"`
	// Recurring is true for what is charged every period, false for what
	// is charged once (setup fees, first-period adjustments).
	Recurring bool `json:"recurring"`
	// Converted is true when UnitPrice was converted from the tariff's
	// currency.
	Converted bool `json:"converted,omitempty"`
}

// Quote is the price of a tariff for a period: its lines, and totals that
// always equal the sum of the lines.
type Quote struct {
	TariffID TariffID     `json:"tariff_id"`
	Period   Period       `json:"period"`
	Currency string       `json:"currency"`
	Date     billkit.Date `json:"date"`
	// Start and End bound the period a service ordered on Date would run:
	// [Date, Period.AddTo(Date)), month ends clamped (a month from January
	// 31st ends on February 28th or 29th). For an hour both are Date.
	Start billkit.Date `json:"start"`
	End   billkit.Date `json:"end"`
	// PriceVersionID is the price version in force on Date; zero when the
	// tariff's own prices are.
	PriceVersionID PriceVersionID `json:"price_version_id,omitzero"`
	// Rate is the rate the tariff's currency was converted at, when any
	// price was; zero otherwise. RateFrom is the currency converted from.
	Rate     decimal.Decimal `json:"rate,omitzero"`
	RateFrom string          `json:"rate_from,omitempty"`
	// Digits and Rounding are how every amount is rounded.
	Digits   int32                `json:"digits"`
	Rounding billkit.RoundingMode `json:"rounding"`
	Lines    []QuoteLine          `json:"lines"`
	// Recurring is the sum of the recurring lines: what each following
	// period costs. Total is the sum of every line: what the order costs.
	Recurring billkit.Money `json:"recurring"`
	Total     billkit.Money `json:"total"`
}

// AddAdjustment appends an adjustment line (a discount is negative) and
// updates the totals. amount must be in the quote's currency and rounded
// to its digits; otherwise it returns an invalid *billkit.Error on field
// "amount" and changes nothing.
func (q *Quote) AddAdjustment(code string, amount billkit.Money, recurring bool) error {
	if err := q.checkAmount("amount", amount); err != nil {
		return err
	}
	amount = q.normalize(amount)
	q.Lines = append(q.Lines, QuoteLine{
		Kind: LineAdjustment, Code: code, UnitPrice: amount, Quantity: quantityOne,
		Amount: amount, Recurring: recurring,
	})
	return q.sum()
}

// checkAmount reports an amount that is not in the quote's currency or not
// rounded to its digits.
func (q *Quote) checkAmount(field string, m billkit.Money) error {
	if m.Currency() != q.Currency {
		return billkit.InvalidField(field, "catalog.quote_currency_mismatch",
			fmt.Sprintf("%s is not in the quote's currency %s", m, q.Currency))
	}
	if m.Amount().Exponent() < -q.Digits && !m.RoundTo(q.Digits, billkit.RoundDown).Equal(m) {
		return billkit.InvalidField(field, "catalog.quote_amount_unrounded",
			fmt.Sprintf("%s is not rounded to %d decimals", m, q.Digits))
	}
	return nil
}

// normalize writes a rounded amount with exactly Digits decimals ("1.500"
// as "1.50", "2" as "2.00"); the value does not change.
func (q *Quote) normalize(m billkit.Money) billkit.Money {
	if m.Amount().Exponent() == -q.Digits {
		return m
	}
	return m.RoundTo(q.Digits, billkit.RoundDown)
}

// sum recomputes the totals from the lines.
func (q *Quote) sum() error {
	total, recurring, ok := q.sum64()
	if !ok {
		total, recurring = decimal.Zero, decimal.Zero
		for i := range q.Lines {
			a := q.Lines[i].Amount.Amount()
			total = total.Add(a)
			if q.Lines[i].Recurring {
				recurring = recurring.Add(a)
			}
		}
		total, recurring = total.Round(q.Digits), recurring.Round(q.Digits)
	}
	var err error
	if q.Total, err = billkit.NewMoney(total, q.Currency); err != nil {
		return err
	}
	q.Recurring, err = billkit.NewMoney(recurring, q.Currency)
	return err
}

// sum64 adds the lines' amounts, all with exponent -Digits, on int64; ok
// is false when one does not fit or a sum would overflow.
func (q *Quote) sum64() (total, recurring decimal.Decimal, ok bool) {
	var t, r int64
	for i := range q.Lines {
		a := q.Lines[i].Amount.Amount()
		if a.Exponent() != -q.Digits || a.NumDigits() > 18 {
			return total, recurring, false
		}
		c := a.CoefficientInt64()
		if t, ok = add64(t, c); !ok {
			return total, recurring, false
		}
		if q.Lines[i].Recurring {
			if r, ok = add64(r, c); !ok {
				return total, recurring, false
			}
		}
	}
	return decimal.New(t, -q.Digits), decimal.New(r, -q.Digits), true
}

func add64(a, b int64) (int64, bool) {
	s := a + b
	if (s > a) != (b > 0) {
		return 0, false
	}
	return s, true
}

// NewQuote prices r.Tariff for r.Period on r.Date in r.Currency.
//
// The lines are, in order: the period's price; the tariff's setup fee for
// the period (when not zero); then each addon in the tariff's order, with
// its setup fee after it when it has one: a fixed addon's price for the
// period; the chosen option's price of an enum addon; the units of a
// quantity addon beyond Included times the unit price (a setup fee of a
// quantity addon is per unit too); a metered addon's overage price per
// unit, with no amount up front. Addons that are not billed have no line;
// an addon without any price is free (a line of zero).
//
// Prices are those in force on Date: the tariff's prices, or those of the
// latest price version effective on or before Date that sets them, and for
// each addon (and enum option) the latest version that names it. Prices
// come in r.Currency when the tariff has a price in it for the period,
// otherwise the tariff's own currency's are converted with r.Converter.
//
// Every line's amount is rounded once, by r.Rounding, to the currency's
// digits; totals are sums of the rounded lines, so they always equal the
// sum of the lines. r.Adjuster runs last, and the totals are recomputed
// after it.
//
// Bad input gives an invalid *billkit.Error naming each bad field: "tariff",
// "period" (unknown, or not priced: reason catalog.price_missing),
// "currency", "date", "rounding", "digits", "versions[i].tariff_id" (a
// version of another tariff), the addon values' fields as
// ValidateAddonValues names them, and "addons[<code>].prices" for an addon
// priced, but not for the period. A needed conversion without a Converter
// is failed_precondition (catalog.converter_missing); the Converter's and
// the Adjuster's errors are returned as they are.
func NewQuote(ctx context.Context, r QuoteRequest) (Quote, error) {
	var v billkit.FieldErrors
	t := r.Tariff
	if t == nil {
		v.Add("tariff", "required", "is required")
		return Quote{}, v.Err()
	}
	v.Check(r.Period.Valid(), "period", ReasonPeriodUnknown, fmt.Sprintf("%q is not a period", string(r.Period)))
	cur := r.Currency
	if cur == "" {
		cur = t.Currency
	}
	v.Check(billkit.ValidCurrencyCode(cur), "currency", "money.currency_malformed", fmt.Sprintf("%q is not a currency code", cur))
	v.Check(r.Date.Valid(), "date", "catalog.date_required", "must be a calendar date")
	v.Check(r.Rounding.Valid(), "rounding", "money.rounding_mode_unknown", "is not a rounding mode")
	digits := currencyDigits(cur)
	if r.Digits != nil {
		digits = *r.Digits
		v.Check(digits >= 0 && digits <= 18, "digits", "catalog.digits_out_of_range", "must be between 0 and 18")
	}
	for i := range r.Versions {
		if id := r.Versions[i].TariffID; !id.IsZero() && id != t.ID {
			v.Add(fmt.Sprintf("versions[%d].tariff_id", i), "catalog.version_other_tariff", "is a price version of another tariff")
		}
	}
	if len(r.AddonValues) > 0 {
		v.Merge("", ValidateAddonValues(*t, r.AddonValues))
	}
	if err := v.Err(); err != nil {
		return Quote{}, err
	}

	p := pricer{ctx: ctx, tariff: t, currency: cur, date: r.Date, digits: digits, mode: r.Rounding, conv: r.Converter}
	q := Quote{
		TariffID: t.ID, Period: r.Period, Currency: cur, Date: r.Date,
		Start: r.Date, End: r.Period.AddTo(r.Date),
		Digits: digits, Rounding: r.Rounding,
		Lines: make([]QuoteLine, 0, 2+2*len(t.Addons)),
	}
	if i := versionInForce(r.Versions, r.Date); i >= 0 {
		q.PriceVersionID = r.Versions[i].ID
	}

	amount, setup, converted, ok, err := p.pick(tariffPricesOn(t, r.Versions, r.Date), r.Period)
	if err != nil {
		return Quote{}, err
	}
	if !ok {
		return Quote{}, billkit.InvalidField("period", ReasonNoPrice,
			fmt.Sprintf("tariff %s has no %s price in %s or %s", t.Code, r.Period, cur, t.Currency))
	}
	if err := q.addLine(&p, QuoteLine{Kind: LinePeriod, Recurring: true, Converted: converted}, amount, quantityOne); err != nil {
		return Quote{}, err
	}
	if !setup.IsZero() {
		if err := q.addLine(&p, QuoteLine{Kind: LineSetup, Converted: converted}, setup, quantityOne); err != nil {
			return Quote{}, err
		}
	}

	for i := range t.Addons {
		a := &t.Addons[i]
		if a.BillingType == BillingNone || !a.BillingType.Valid() {
			continue
		}
		val, given := r.AddonValues[a.Code]
		if !given {
			val = a.DefaultValue()
		}
		line := QuoteLine{Kind: LineAddon, Addon: a.Code, BillingType: a.BillingType, Recurring: true}
		base := a.Prices
		option := ""
		if a.BillingType == BillingEnum {
			option = val.Option
			line.Option = option
			base = nil
			if o, ok := a.Option(option); ok {
				base = o.Prices
			}
		}
		prices := addonPricesOn(r.Versions, r.Date, a.Code, option, base)
		unit, setup := decimal.New(0, -digits), decimal.Decimal{}
		if len(prices) > 0 {
			var ok bool
			unit, setup, line.Converted, ok, err = p.pick(prices, r.Period)
			if err != nil {
				return Quote{}, err
			}
			if !ok {
				return Quote{}, billkit.InvalidField(fmt.Sprintf("addons[%s].prices", a.Code), ReasonNoPrice,
					fmt.Sprintf("addon %s of tariff %s has no %s price in %s or %s", a.Code, t.Code, r.Period, cur, t.Currency))
			}
		}
		qty := quantityOne
		switch a.BillingType {
		case BillingFixed:
			line.Value = val.Quantity
		case BillingQuantity:
			line.Value, line.Included = val.Quantity, a.Included
			qty = val.Quantity.Sub(a.Included)
			if qty.IsNegative() {
				qty = decimal.Zero
			}
		case BillingMetered:
			line.Included = a.Included
			qty = decimal.Zero
		}
		if err := q.addLine(&p, line, unit, qty); err != nil {
			return Quote{}, err
		}
		if !setup.IsZero() {
			sq := quantityOne
			if a.BillingType == BillingQuantity {
				sq = qty
			}
			if sq.IsPositive() {
				s := QuoteLine{Kind: LineSetup, Addon: a.Code, Option: line.Option, BillingType: a.BillingType, Converted: line.Converted}
				if err := q.addLine(&p, s, setup, sq); err != nil {
					return Quote{}, err
				}
			}
		}
	}
	if p.hasRate {
		q.Rate, q.RateFrom = p.rate, t.Currency
	}
	if err := q.sum(); err != nil {
		return Quote{}, err
	}

	if r.Adjuster != nil {
		if err := r.Adjuster.Adjust(ctx, &q); err != nil {
			return Quote{}, err
		}
		for i := range q.Lines {
			if err := q.checkAmount(fmt.Sprintf("lines[%d].amount", i), q.Lines[i].Amount); err != nil {
				return Quote{}, billkit.WrapError(err, billkit.CodeInternal, "catalog.quote_adjustment_invalid", "an adjuster left a line the quote cannot add up")
			}
			q.Lines[i].Amount = q.normalize(q.Lines[i].Amount)
		}
		if err := q.sum(); err != nil {
			return Quote{}, err
		}
	}
	return q, nil
}

// addLine completes a line with its unit price, quantity and rounded
// amount, and appends it.
func (q *Quote) addLine(p *pricer, l QuoteLine, unit, qty decimal.Decimal) error {
	um, err := billkit.NewMoney(unit, p.currency)
	if err != nil {
		return err
	}
	l.UnitPrice, l.Quantity = um, qty
	if l.Amount, err = p.amount(unit, qty); err != nil {
		return err
	}
	q.Lines = append(q.Lines, l)
	return nil
}
