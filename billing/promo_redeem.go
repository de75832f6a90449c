package billing

import (
	"context"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/catalog"
)

// ValidatePromoParams ask whether a code may be used.
type ValidatePromoParams struct {
	// ProviderID is the storefront's provider; it defaults to the client's.
	ProviderID billkit.ProviderID `json:"provider_id,omitzero"`
	Code       string             `json:"code"`
	// ClientID, when set, also checks the client's share of the code.
	ClientID billkit.ClientID `json:"client_id,omitzero"`
	// TariffID, when set, also checks that the code is for the tariff.
	TariffID catalog.TariffID `json:"tariff_id,omitzero"`
	// Date is the day of use; zero is today in the provider's time zone.
	Date billkit.Date `json:"date,omitzero"`
}

// promoUsable returns nil when the code may be used on the date by a
// client who used it clientUses times (-1: no client), and the
// failed_precondition error that says why not otherwise.
func promoUsable(pc *PromoCode, on billkit.Date, clientUses int) error {
	switch {
	case !pc.ValidFrom.IsZero() && on.Before(pc.ValidFrom):
		return billkit.Errorf(billkit.CodeFailedPrecondition, ReasonPromoNotYetValid, "code %s is valid from %s", pc.Code, pc.ValidFrom)
	case !pc.ValidTo.IsZero() && !on.Before(pc.ValidTo):
		return billkit.Errorf(billkit.CodeFailedPrecondition, ReasonPromoExpired, "code %s expired on %s", pc.Code, pc.ValidTo)
	case pc.MaxUses > 0 && pc.Uses >= pc.MaxUses:
		return promoExhausted(pc.Code)
	case pc.MaxUsesPerClient > 0 && clientUses >= pc.MaxUsesPerClient:
		return promoClientExhausted(pc.Code)
	}
	return nil
}

func promoExhausted(code string) error {
	return billkit.Errorf(billkit.CodeFailedPrecondition, ReasonPromoExhausted, "code %s has been used as often as it may", code)
}

func promoClientExhausted(code string) error {
	return billkit.Errorf(billkit.CodeFailedPrecondition, ReasonPromoClientExhausted, "the client has used code %s as often as it may", code)
}

func promoUnknown(code string) error {
	return billkit.Errorf(billkit.CodeFailedPrecondition, ReasonPromoUnknown, "there is no promo code %s", code)
}

// findPromo reads a provider's code; an unknown code is
// failed_precondition ReasonPromoUnknown.
func findPromo(ctx context.Context, st Store, provider billkit.ProviderID, code string) (*PromoCode, error) {
	pc, err := st.GetPromoCodeByCode(ctx, provider, code)
	if billkit.IsCode(err, billkit.CodeNotFound) {
		return nil, promoUnknown(code)
	}
	return pc, err
}

// ValidatePromo checks, without using it, that a code may be used: for a
// storefront that tells a client at once. It returns the code, or the
// failed_precondition error of RedeemPromoTx (ReasonPromoUnknown,
// ReasonPromoNotYetValid, ReasonPromoExpired, ReasonPromoExhausted,
// ReasonPromoClientExhausted) or ReasonPromoNotApplicable for another
// tariff. With a client it needs billing.client:read on it (customers:
// their own); without, billing.discount:read.
func (s *Service) ValidatePromo(ctx context.Context, actor billkit.Actor, p ValidatePromoParams) (*PromoCode, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	var v billkit.FieldErrors
	code := checkPromoCode(&v, "code", p.Code)
	v.Check(!p.ProviderID.IsZero() || !p.ClientID.IsZero(), "provider_id", "required", "is required without client_id")
	v.Check(p.Date.IsZero() || p.Date.Valid(), "date", "date.invalid", "must be a calendar date")
	if err := v.Err(); err != nil {
		return nil, err
	}
	clientUses := -1
	provider := p.ProviderID
	if !p.ClientID.IsZero() {
		c, err := s.clientFor(ctx, s.store, actor, p.ClientID, billkit.OpRead)
		if err != nil {
			return nil, err
		}
		if provider.IsZero() {
			provider = c.ProviderID
		} else if provider != c.ProviderID {
			return nil, billkit.InvalidField("client_id", "client.other_provider", "is a client of another provider")
		}
	} else if err := actor.Authorize(billkit.R(FunctionDiscount, billkit.OpRead)); err != nil {
		return nil, err
	}
	pr, err := s.store.GetProvider(ctx, provider)
	if billkit.IsCode(err, billkit.CodeNotFound) {
		return nil, billkit.InvalidField("provider_id", "provider.not_found", "is not a provider")
	} else if err != nil {
		return nil, err
	}
	on := p.Date
	if on.IsZero() {
		on = pr.Today(s.now())
	}
	pc, err := findPromo(ctx, s.store, provider, code)
	if err != nil {
		return nil, err
	}
	if !p.ClientID.IsZero() {
		if clientUses, err = s.store.CountPromoRedemptions(ctx, pc.ID, p.ClientID); err != nil {
			return nil, err
		}
	}
	if err := promoUsable(pc, on, clientUses); err != nil {
		return nil, err
	}
	if !p.TariffID.IsZero() && !pc.AllowsTariff(p.TariffID) {
		return nil, billkit.Errorf(billkit.CodeFailedPrecondition, ReasonPromoNotApplicable, "code %s is not for this tariff", pc.Code)
	}
	return pc, nil
}

// RedeemPromoTx uses a promo code for a client, in the caller's
// transaction (orders call it in theirs, after PriceOrder priced the order
// with the code): it checks the code's validity on today's date (in the
// provider's time zone) and its limits, records a redemption with ref (an
// order's ID) and counts the use, atomically: concurrent redemptions never
// exceed MaxUses or MaxUsesPerClient. A code that cannot be used is
// failed_precondition (ReasonPromoUnknown, ReasonPromoNotYetValid,
// ReasonPromoExpired, ReasonPromoExhausted, ReasonPromoClientExhausted) and
// writes nothing; it runs in a savepoint, so the caller's transaction stays
// usable. It does not check the code's tariffs: PriceOrder did when it
// priced the order. It needs billing.client:edit on the client (customers:
// their own).
func (s *Service) RedeemPromoTx(ctx context.Context, tx Store, actor billkit.Actor, code string, client billkit.ClientID, ref string) (*PromoRedemption, error) {
	if tx == nil {
		return nil, billkit.InvalidField("tx", "required", "is required")
	}
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	var v billkit.FieldErrors
	code = checkPromoCode(&v, "code", code)
	v.Check(!client.IsZero(), "client_id", "required", "is required")
	ref = text(&v, "ref", ref, 128, false)
	if err := v.Err(); err != nil {
		return nil, err
	}
	var out *PromoRedemption
	err := tx.InTx(ctx, func(tx Store) error {
		c, err := s.clientFor(ctx, tx, actor, client, billkit.OpEdit)
		if err != nil {
			return err
		}
		pr, err := tx.GetProvider(ctx, c.ProviderID)
		if err != nil {
			return err
		}
		now := s.now()
		pc, err := findPromo(ctx, tx, c.ProviderID, code)
		if err != nil {
			return err
		}
		// The limits are checked again, atomically, by RedeemPromoCode.
		if err := promoUsable(pc, pr.Today(now), -1); err != nil {
			return err
		}
		red := &PromoRedemption{
			PromoID: pc.ID, Code: pc.Code, ClientID: c.ID, Ref: ref,
			ActorKind: actor.Kind, ActorID: actor.ID, RedeemedAt: now,
		}
		newID(&red.ID)
		if err := tx.RedeemPromoCode(ctx, red, pc.MaxUsesPerClient); err != nil {
			return err
		}
		out = red
		return record(ctx, tx, actor, now, ObjectPromoCode, "redeem", pc.ID.String(), c.ID, nil, red)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
