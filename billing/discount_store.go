package billing

import (
	"context"

	"github.com/billkit/billkit"
)

// DiscountStore is the part of Store that keeps discounts, promo codes and
// their redemptions.
type DiscountStore interface {
	// InsertDiscount returns conflict "discount.exists" for a taken ID and
	// failed_precondition for a missing provider, client, group or
	// currency.
	InsertDiscount(ctx context.Context, d *Discount) error
	GetDiscount(ctx context.Context, id DiscountID) (*Discount, error)
	UpdateDiscount(ctx context.Context, d *Discount) error
	// DeleteDiscount deletes a discount; not_found when there is none.
	DeleteDiscount(ctx context.Context, id DiscountID) error
	// ListDiscounts lists discounts in ID (creation) order.
	ListDiscounts(ctx context.Context, f DiscountFilter) (billkit.Page[Discount], error)

	// InsertPromoCodes inserts codes (one, or a generated batch) in one
	// transaction: all or none. A code the provider already has (codes are
	// compared upper-cased) is conflict "promo_code.exists".
	InsertPromoCodes(ctx context.Context, codes []PromoCode) error
	GetPromoCode(ctx context.Context, id PromoCodeID) (*PromoCode, error)
	// GetPromoCodeByCode finds a provider's code (upper-case); not_found
	// "promo_code.not_found" when there is none.
	GetPromoCodeByCode(ctx context.Context, provider billkit.ProviderID, code string) (*PromoCode, error)
	// UpdatePromoCode writes every field but Uses, which only
	// RedeemPromoCode changes.
	UpdatePromoCode(ctx context.Context, p *PromoCode) error
	// DeletePromoCode deletes a code and nothing else; failed_precondition
	// when redemptions refer to it.
	DeletePromoCode(ctx context.Context, id PromoCodeID) error
	// ListPromoCodes lists codes in ID (creation) order.
	ListPromoCodes(ctx context.Context, f PromoCodeFilter) (billkit.Page[PromoCode], error)
	// PromoCodesTaken returns those of codes (upper-case) the provider
	// already has.
	PromoCodesTaken(ctx context.Context, provider billkit.ProviderID, codes []string) ([]string, error)

	// RedeemPromoCode records a redemption of r.PromoID by r.ClientID and
	// counts one more use of the code, atomically, in the store's
	// transaction (a savepoint when already in one): one conditional
	// UPDATE (uses < max_uses) takes the use and locks the code until the
	// transaction ends, so concurrent redemptions never exceed MaxUses;
	// then, when perClient is positive, the client's earlier redemptions
	// are counted under that lock. A code used up is failed_precondition
	// ReasonPromoExhausted, a client's share used up
	// ReasonPromoClientExhausted, and neither writes anything.
	RedeemPromoCode(ctx context.Context, r *PromoRedemption, perClient int) error
	// CountPromoRedemptions counts the redemptions of a code by a client.
	CountPromoRedemptions(ctx context.Context, promo PromoCodeID, client billkit.ClientID) (int, error)
	// ListPromoRedemptions lists redemptions in ID (creation) order.
	ListPromoRedemptions(ctx context.Context, f PromoRedemptionFilter) (billkit.Page[PromoRedemption], error)
}
