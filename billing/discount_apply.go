package billing

import (
	"slices"
	"strings"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/catalog"
	"github.com/shopspring/decimal"
)

// AppliedDiscount is a discount an order got: one adjustment line of its
// quote.
type AppliedDiscount struct {
	DiscountID DiscountID `json:"discount_id"`
	Name       string     `json:"name"`
	// Code is the adjustment line's code, "discount:<id>".
	Code string `json:"code"`
	// Amount is the reduction, negative, in the quote's currency.
	Amount billkit.Money `json:"amount"`
}

// DiscountOrder is what ApplyDiscounts matches discounts against.
type DiscountOrder struct {
	ClientID billkit.ClientID `json:"client_id"`
	GroupID  ClientGroupID    `json:"group_id,omitzero"`
	TariffID catalog.TariffID `json:"tariff_id"`
	Period   catalog.Period   `json:"period"`
	Quantity int              `json:"quantity"`
	Date     billkit.Date     `json:"date"`
}

// AppliesTo reports whether the discount applies to the order priced in
// currency: in force on its date, for the client (everyone, the client, or
// its group), the tariff, the period and the quantity, and for a fixed
// discount in the currency.
func (d *Discount) AppliesTo(o DiscountOrder, currency string) bool {
	switch d.Scope {
	case DiscountClient:
		if d.ClientID != o.ClientID {
			return false
		}
	case DiscountGroup:
		if o.GroupID.IsZero() || d.GroupID != o.GroupID {
			return false
		}
	case DiscountEveryone:
	default:
		return false
	}
	return d.InForce(o.Date) &&
		(len(d.Tariffs) == 0 || slices.Contains(d.Tariffs, o.TariffID)) &&
		(len(d.Periods) == 0 || slices.Contains(d.Periods, o.Period)) &&
		o.Quantity >= d.MinQuantity &&
		(d.Fixed.Currency() == "" || d.Fixed.Currency() == currency)
}

// recurringBase is the sum of a quote's recurring lines: what discounts
// and promo codes reduce.
func recurringBase(q *catalog.Quote) decimal.Decimal {
	sum := decimal.Zero
	for i := range q.Lines {
		if q.Lines[i].Recurring {
			sum = sum.Add(q.Lines[i].Amount.Amount())
		}
	}
	return sum
}

// percentOf returns p percent of base rounded to the quote's digits by its
// rounding mode.
func percentOf(q *catalog.Quote, base, p decimal.Decimal) (billkit.Money, error) {
	m, err := billkit.NewMoney(base.Mul(p).Shift(-2), q.Currency)
	if err != nil {
		return billkit.Money{}, err
	}
	return m.RoundTo(q.Digits, q.Rounding), nil
}

// ApplyDiscounts adds to the quote the adjustment lines of the discounts
// that apply to the order (see Discount.AppliesTo), and returns them. Its
// rules:
//
//   - A discount reduces the recurring lines (the period and its addons,
//     and so every renewal), never the setup fees: a percentage of their
//     sum, rounded by the quote's rounding to its digits, or the fixed
//     amount per service (times o.Quantity).
//   - The stackable discounts add up, in creation order, each at most what
//     the others left; a discount that is not stackable applies alone. Of
//     "all the stackable ones" and "each one that is not", the option that
//     takes the most off wins; on a tie, the stackable ones, then the
//     earlier discount.
//   - The price never goes below zero, and a discount worth nothing adds
//     no line.
//
// Each line is recurring, with code "discount:<id>". It is a pure
// function of its arguments; the quote must have no adjustment yet.
func ApplyDiscounts(q *catalog.Quote, discounts []Discount, o DiscountOrder) ([]AppliedDiscount, error) {
	base := recurringBase(q)
	if !base.IsPositive() {
		return nil, nil
	}
	var candidates []Discount
	for _, d := range discounts {
		if d.AppliesTo(o, q.Currency) {
			candidates = append(candidates, d)
		}
	}
	slices.SortFunc(candidates, func(a, b Discount) int { return strings.Compare(a.ID.String(), b.ID.String()) })
	worth := func(d *Discount, left decimal.Decimal) (billkit.Money, error) {
		var m billkit.Money
		if d.Fixed.Currency() != "" {
			m = d.Fixed.MulInt(int64(o.Quantity))
		} else {
			var err error
			if m, err = percentOf(q, base, d.Percent); err != nil {
				return billkit.Money{}, err
			}
		}
		if m.Amount().GreaterThan(left) {
			return billkit.NewMoney(left, q.Currency)
		}
		return m, nil
	}
	var (
		stacked      []AppliedDiscount
		stackedTotal = decimal.Zero
		single       *AppliedDiscount
	)
	for i := range candidates {
		d := &candidates[i]
		if d.Stackable {
			m, err := worth(d, base.Sub(stackedTotal))
			if err != nil {
				return nil, err
			}
			if m.IsPositive() {
				stacked = append(stacked, appliedDiscount(d, m))
				stackedTotal = stackedTotal.Add(m.Amount())
			}
			continue
		}
		m, err := worth(d, base)
		if err != nil {
			return nil, err
		}
		if m.IsPositive() && (single == nil || m.Amount().GreaterThan(single.Amount.Amount().Neg())) {
			a := appliedDiscount(d, m)
			single = &a
		}
	}
	chosen := stacked
	if single != nil && single.Amount.Amount().Neg().GreaterThan(stackedTotal) {
		chosen = []AppliedDiscount{*single}
	}
	for _, a := range chosen {
		if err := q.AddAdjustment(a.Code, a.Amount, true); err != nil {
			return nil, err
		}
	}
	return chosen, nil
}

func appliedDiscount(d *Discount, off billkit.Money) AppliedDiscount {
	return AppliedDiscount{DiscountID: d.ID, Name: d.Name, Code: "discount:" + d.ID.String(), Amount: off.Neg()}
}
