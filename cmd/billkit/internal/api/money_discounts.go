package api

import (
	"context"
	"net/http"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/catalog"
	"github.com/danielgtaylor/huma/v2"
	"github.com/shopspring/decimal"
)

type listDiscountsInput struct {
	ProviderID string `query:"provider_id" maxLength:"64" doc:"Only the discounts of this provider."`
	Scope      string `query:"scope" enum:"everyone,client,group" doc:"Only discounts of this scope."`
	ClientID   string `query:"client_id" maxLength:"64" doc:"Only the discounts for this client (scope client)."`
	GroupID    string `query:"group_id" maxLength:"64" doc:"Only the discounts for this client group (scope group)."`
	PageInput
}

type createDiscountInput struct{ Body billing.DiscountParams }

type updateDiscountInput struct {
	IDPath
	Body billing.DiscountParams
}

type listPromoCodesInput struct {
	ProviderID string `query:"provider_id" maxLength:"64" doc:"Only the codes of this provider."`
	BatchID    string `query:"batch_id" maxLength:"64" doc:"Only the codes of this generated batch."`
	PageInput
}

type createPromoCodeInput struct{ Body billing.PromoCodeParams }

type updatePromoCodeInput struct {
	IDPath
	Body billing.PromoCodeParams
}

type generatePromoInput struct{ Body billing.GeneratePromoParams }

type validatePromoInput struct{ Body billing.ValidatePromoParams }

type listRedemptionsInput struct {
	IDPath
	ClientID string `query:"client_id" maxLength:"64" doc:"Only this client's uses."`
	PageInput
}

type priceOrderInput struct{ Body billing.OrderPriceParams }

// PromoCheck is what a client may learn of a promo code it entered: what
// it gives and until when, not how often others used it.
type PromoCheck struct {
	Code         string             `json:"code"`
	Kind         billing.PromoKind  `json:"kind" enum:"percent,fixed,free_setup"`
	Value        decimal.Decimal    `json:"value" doc:"The percentage, or the amount off in currency; 0 for free_setup."`
	Currency     string             `json:"currency,omitempty"`
	Tariffs      []catalog.TariffID `json:"tariffs" doc:"The tariffs the code is for; empty is any."`
	EveryRenewal bool               `json:"every_renewal" doc:"The reduction applies to every period, not only the first."`
	ValidFrom    billkit.Date       `json:"valid_from,omitzero"`
	ValidTo      billkit.Date       `json:"valid_to,omitzero" doc:"The first day the code no longer works."`
}

func promoCheck(pc *billing.PromoCode) PromoCheck {
	return PromoCheck{
		Code: pc.Code, Kind: pc.Kind, Value: pc.Value, Currency: pc.Currency, Tariffs: nonNil(pc.Tariffs),
		EveryRenewal: pc.EveryRenewal, ValidFrom: pc.ValidFrom, ValidTo: pc.ValidTo,
	}
}

func (h *handlers) registerDiscounts(api huma.API) {
	b := h.billing
	const tag = "Discounts"
	rule := func(op billkit.Operation) Rule { return Requires(billing.FunctionDiscount, op) }

	// Discounts.
	route(api, op("list-discounts", http.MethodGet, "/discounts", "List discounts", tag), rule(billkit.OpRead),
		func(ctx context.Context, in *listDiscountsInput) (*body[List[billing.Discount]], error) {
			return readList(ctx, func(a billkit.Actor) (billkit.Page[billing.Discount], error) {
				f := billing.DiscountFilter{Scope: billing.DiscountScope(in.Scope), PageParams: in.page()}
				var err error
				if f.ProviderID, err = optProviderID("provider_id", in.ProviderID); err != nil {
					return billkit.Page[billing.Discount]{}, err
				}
				if f.ClientID, err = optClientID("client_id", in.ClientID); err != nil {
					return billkit.Page[billing.Discount]{}, err
				}
				if f.GroupID, err = optID[billing.ClientGroup]("group_id", in.GroupID); err != nil {
					return billkit.Page[billing.Discount]{}, err
				}
				return b.ListDiscounts(ctx, a, f)
			})
		})
	route(api, op("create-discount", http.MethodPost, "/discounts", "Create a discount", tag, http.StatusConflict, http.StatusUnprocessableEntity), rule(billkit.OpCreate),
		func(ctx context.Context, in *createDiscountInput) (*body[*billing.Discount], error) {
			return write(ctx, func(a billkit.Actor) (*billing.Discount, error) { return b.CreateDiscount(ctx, a, in.Body) })
		})
	route(api, op("get-discount", http.MethodGet, "/discounts/{id}", "Get a discount", tag, http.StatusNotFound), rule(billkit.OpRead),
		func(ctx context.Context, in *IDPath) (*body[*billing.Discount], error) {
			return withID(ctx, in.ID, func(a billkit.Actor, id billing.DiscountID) (*billing.Discount, error) {
				return b.GetDiscount(ctx, a, id)
			})
		})
	route(api, op("update-discount", http.MethodPut, "/discounts/{id}", "Replace a discount (every field; its provider stays)", tag, http.StatusNotFound, http.StatusUnprocessableEntity),
		rule(billkit.OpEdit).described("and billing.discount:read; on the client too, for a client's discount"),
		func(ctx context.Context, in *updateDiscountInput) (*body[*billing.Discount], error) {
			return withID(ctx, in.ID, func(a billkit.Actor, id billing.DiscountID) (*billing.Discount, error) {
				return b.UpdateDiscount(ctx, a, id, in.Body)
			})
		})
	route(api, op("delete-discount", http.MethodDelete, "/discounts/{id}", "Delete a discount; prices already charged stay", tag, http.StatusNotFound), rule(billkit.OpDelete),
		func(ctx context.Context, in *IDPath) (*body[Done], error) {
			return withID(ctx, in.ID, func(a billkit.Actor, id billing.DiscountID) (Done, error) { return done(b.DeleteDiscount(ctx, a, id)) })
		})

	// Promo codes.
	route(api, op("list-promo-codes", http.MethodGet, "/promo-codes", "List promo codes", tag), rule(billkit.OpRead),
		func(ctx context.Context, in *listPromoCodesInput) (*body[List[billing.PromoCode]], error) {
			return readList(ctx, func(a billkit.Actor) (billkit.Page[billing.PromoCode], error) {
				f := billing.PromoCodeFilter{PageParams: in.page()}
				var err error
				if f.ProviderID, err = optProviderID("provider_id", in.ProviderID); err != nil {
					return billkit.Page[billing.PromoCode]{}, err
				}
				if f.BatchID, err = optID[billing.PromoBatch]("batch_id", in.BatchID); err != nil {
					return billkit.Page[billing.PromoCode]{}, err
				}
				return b.ListPromoCodes(ctx, a, f)
			})
		})
	route(api, op("create-promo-code", http.MethodPost, "/promo-codes", "Create a promo code", tag, http.StatusConflict, http.StatusUnprocessableEntity), rule(billkit.OpCreate),
		func(ctx context.Context, in *createPromoCodeInput) (*body[*billing.PromoCode], error) {
			return write(ctx, func(a billkit.Actor) (*billing.PromoCode, error) { return b.CreatePromoCode(ctx, a, in.Body) })
		})
	genOp := created(op("generate-promo-codes", http.MethodPost, "/promo-codes/generate", "Generate a batch of random one-time codes, all or none", tag, http.StatusConflict, http.StatusUnprocessableEntity))
	route(api, genOp, rule(billkit.OpCreate),
		func(ctx context.Context, in *generatePromoInput) (*body[*billing.PromoBatch], error) {
			return write(ctx, func(a billkit.Actor) (*billing.PromoBatch, error) { return b.GeneratePromoCodes(ctx, a, in.Body) })
		})
	validateOp := op("validate-promo-code", http.MethodPost, "/promo-codes/validate", "Check, without using it, that a code may be used", tag, http.StatusNotFound, http.StatusUnprocessableEntity)
	validateOp.Description = "Answers what the code gives, or 422 with the reason it cannot be used: promo.unknown, promo.not_yet_valid, promo.expired, " +
		"promo.exhausted, promo.client_exhausted, promo.not_applicable (another tariff). With client_id the client's own uses count too."
	route(api, validateOp, Requires(billing.FunctionClient, billkit.OpRead).described("on the client named in the body; without a client, billing.discount:read"),
		func(ctx context.Context, in *validatePromoInput) (*body[PromoCheck], error) {
			return write(ctx, func(a billkit.Actor) (PromoCheck, error) {
				pc, err := b.ValidatePromo(ctx, a, in.Body)
				if err != nil {
					return PromoCheck{}, err
				}
				return promoCheck(pc), nil
			})
		})
	route(api, op("get-promo-code", http.MethodGet, "/promo-codes/{id}", "Get a promo code", tag, http.StatusNotFound), rule(billkit.OpRead),
		func(ctx context.Context, in *IDPath) (*body[*billing.PromoCode], error) {
			return withID(ctx, in.ID, func(a billkit.Actor, id billing.PromoCodeID) (*billing.PromoCode, error) {
				return b.GetPromoCode(ctx, a, id)
			})
		})
	route(api, op("update-promo-code", http.MethodPut, "/promo-codes/{id}", "Replace what a code gives, when and how often (its text and uses stay)", tag, http.StatusNotFound, http.StatusUnprocessableEntity), rule(billkit.OpEdit),
		func(ctx context.Context, in *updatePromoCodeInput) (*body[*billing.PromoCode], error) {
			return withID(ctx, in.ID, func(a billkit.Actor, id billing.PromoCodeID) (*billing.PromoCode, error) {
				return b.UpdatePromoCode(ctx, a, id, in.Body)
			})
		})
	route(api, op("delete-promo-code", http.MethodDelete, "/promo-codes/{id}", "Delete a promo code", tag, http.StatusNotFound, http.StatusUnprocessableEntity), rule(billkit.OpDelete),
		func(ctx context.Context, in *IDPath) (*body[Done], error) {
			return withID(ctx, in.ID, func(a billkit.Actor, id billing.PromoCodeID) (Done, error) {
				return done(b.DeletePromoCode(ctx, a, id))
			})
		})
	route(api, op("list-promo-redemptions", http.MethodGet, "/promo-codes/{id}/redemptions", "List the uses of a promo code", tag), rule(billkit.OpRead),
		func(ctx context.Context, in *listRedemptionsInput) (*body[List[billing.PromoRedemption]], error) {
			return readList(ctx, func(a billkit.Actor) (billkit.Page[billing.PromoRedemption], error) {
				f := billing.PromoRedemptionFilter{PageParams: in.page()}
				var err error
				if f.PromoID, err = parseID[billing.PromoCode]("id", in.ID); err != nil {
					return billkit.Page[billing.PromoRedemption]{}, err
				}
				if f.ClientID, err = optClientID("client_id", in.ClientID); err != nil {
					return billkit.Page[billing.PromoRedemption]{}, err
				}
				return b.ListPromoRedemptions(ctx, a, f)
			})
		})

	// Order prices.
	priceOp := op("price-order", http.MethodPost, "/order-prices", "What an order costs a client: quote, discounts, promo code and taxes", tag, http.StatusNotFound, http.StatusUnprocessableEntity)
	priceOp.Description = "Prices an order exactly as the order and its invoice will: the catalog's quote in the client's currency, the client's discounts, " +
		"the promo code, then the taxes of the selling company for the client's payer. Nothing is stored and the promo code is not used."
	route(api, priceOp, Requires(billing.FunctionClient, billkit.OpRead).described("on the client named in the body"),
		func(ctx context.Context, in *priceOrderInput) (*body[*billing.OrderPrice], error) {
			return write(ctx, func(a billkit.Actor) (*billing.OrderPrice, error) { return b.PriceOrder(ctx, a, in.Body) })
		})
}
