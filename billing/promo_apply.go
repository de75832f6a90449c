package billing

import (
	"github.com/billkit/billkit"
	"github.com/billkit/billkit/catalog"
	"github.com/shopspring/decimal"
)

// AppliedPromo is the promo code an order got.
type AppliedPromo struct {
	PromoID PromoCodeID `json:"promo_id"`
	Code    string      `json:"code"`
	Kind    PromoKind   `json:"kind"`
	// Amount is the reduction, negative (zero when there was nothing to
	// reduce, and then the quote has no line for it).
	Amount billkit.Money `json:"amount"`
	// Recurring is true when the reduction applies to every period.
	Recurring bool `json:"recurring"`
}

// ApplyPromo adds to the quote the adjustment line of a promo code, with
// code "promo:<CODE>", and returns it:
//
//   - PromoPercent takes Value percent of the recurring lines (after the
//     discounts), rounded by the quote's rounding to its digits;
//   - PromoFixed takes Value per service (times quantity), at most the
//     recurring lines' sum; a code in another currency than the quote's is
//     failed_precondition ReasonPromoNotApplicable;
//   - PromoFreeSetup takes off every setup line: the order pays no setup
//     fee.
//
// The line is recurring for a code with EveryRenewal (not for
// PromoFreeSetup). A renewal (renewal true) skips a code without
// EveryRenewal, which gives only the first period: ApplyPromo then returns
// nil and changes nothing. It does not check the code's validity or limits
// (see ValidatePromo); it is a pure function.
func ApplyPromo(q *catalog.Quote, pc *PromoCode, quantity int, renewal bool) (*AppliedPromo, error) {
	if pc == nil || renewal && !pc.EveryRenewal {
		return nil, nil
	}
	a := &AppliedPromo{PromoID: pc.ID, Code: pc.Code, Kind: pc.Kind, Recurring: pc.EveryRenewal && pc.Kind != PromoFreeSetup}
	base := recurringBase(q)
	if base.IsNegative() {
		base = decimal.Zero
	}
	var off billkit.Money
	var err error
	switch pc.Kind {
	case PromoPercent:
		off, err = percentOf(q, base, pc.Value)
	case PromoFixed:
		if pc.Currency != q.Currency {
			return nil, billkit.Errorf(billkit.CodeFailedPrecondition, ReasonPromoNotApplicable,
				"code %s is in %s, the order in %s", pc.Code, pc.Currency, q.Currency)
		}
		amount := decimal.Min(pc.Value.Mul(decimal.NewFromInt(int64(quantity))), base)
		off, err = billkit.NewMoney(amount, q.Currency)
	case PromoFreeSetup:
		setup := decimal.Zero
		for i := range q.Lines {
			if q.Lines[i].Kind == catalog.LineSetup {
				setup = setup.Add(q.Lines[i].Amount.Amount())
			}
		}
		off, err = billkit.NewMoney(setup, q.Currency)
	default:
		return nil, billkit.Errorf(billkit.CodeInternal, "promo.kind_unknown", "code %s has an unknown kind %q", pc.Code, pc.Kind)
	}
	if err != nil {
		return nil, err
	}
	a.Amount = off.Neg()
	if off.IsZero() {
		a.Amount = billkit.Zero(q.Currency)
		return a, nil
	}
	if err := q.AddAdjustment("promo:"+pc.Code, a.Amount, a.Recurring); err != nil {
		return nil, err
	}
	return a, nil
}
