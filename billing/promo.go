package billing

import (
	"context"
	"crypto/rand"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/catalog"
	"github.com/shopspring/decimal"
)

// Reasons of promo code errors. A code that cannot be used is
// failed_precondition with one of them, so a storefront can say why.
const (
	// ReasonPromoUnknown: the provider has no such code.
	ReasonPromoUnknown = "promo.unknown"
	// ReasonPromoNotYetValid: the code's validity starts later.
	ReasonPromoNotYetValid = "promo.not_yet_valid"
	// ReasonPromoExpired: the code's validity has ended.
	ReasonPromoExpired = "promo.expired"
	// ReasonPromoExhausted: the code was used MaxUses times.
	ReasonPromoExhausted = "promo.exhausted"
	// ReasonPromoClientExhausted: the client used the code
	// MaxUsesPerClient times.
	ReasonPromoClientExhausted = "promo.client_exhausted"
	// ReasonPromoNotApplicable: the code is not for the tariff ordered, or
	// a fixed code is not in the order's currency.
	ReasonPromoNotApplicable = "promo.not_applicable"
)

// PromoCodeID identifies a PromoCode.
type PromoCodeID = billkit.ID[PromoCode]

// PromoBatchID identifies a batch of generated one-time codes.
type PromoBatchID = billkit.ID[PromoBatch]

// PromoKind is what a promo code gives.
type PromoKind string

// The promo code kinds.
const (
	// PromoPercent takes Value percent off the recurring price (after
	// discounts).
	PromoPercent PromoKind = "percent"
	// PromoFixed takes Value (in Currency) off the recurring price of each
	// service, never below zero.
	PromoFixed PromoKind = "fixed"
	// PromoFreeSetup waives the setup fees.
	PromoFreeSetup PromoKind = "free_setup"
)

// Valid reports whether k is a known kind.
func (k PromoKind) Valid() bool { return k == PromoPercent || k == PromoFixed || k == PromoFreeSetup }

// PromoCode is a code a client enters when ordering. Its uses are counted
// by RedeemPromoTx, which orders call in their transaction.
type PromoCode struct {
	ID         PromoCodeID        `json:"id" bun:"id,pk"`
	ProviderID billkit.ProviderID `json:"provider_id" bun:"provider_id,notnull"`
	// Code is what clients type: 1 to 64 characters A-Z, 0-9, '-' and
	// '_', kept upper-case and unique per provider (entered in any case).
	Code string    `json:"code" bun:"code,notnull"`
	Kind PromoKind `json:"kind" bun:"kind,notnull"`
	// Value is the percentage (PromoPercent: more than 0, at most 100) or
	// the amount in Currency (PromoFixed); zero for PromoFreeSetup.
	Value    decimal.Decimal `json:"value" bun:"value,notnull"`
	Currency string          `json:"currency,omitempty" bun:"currency,nullzero"`
	// Tariffs restricts the code to those tariffs; empty is any.
	Tariffs []catalog.TariffID `json:"tariffs" bun:"tariffs,notnull"`
	// EveryRenewal keeps the reduction on every period; otherwise it
	// applies to the first period only (and renewals skip the code).
	EveryRenewal bool `json:"every_renewal" bun:"every_renewal,notnull"`
	// ValidFrom and ValidTo (exclusive) bound the days the code may be
	// used; zero leaves a side open.
	ValidFrom billkit.Date `json:"valid_from,omitzero" bun:"valid_from,nullzero"`
	ValidTo   billkit.Date `json:"valid_to,omitzero" bun:"valid_to,nullzero"`
	// MaxUses is how many redemptions the code allows in all, and
	// MaxUsesPerClient how many per client; 0 is unlimited.
	MaxUses          int `json:"max_uses" bun:"max_uses,notnull"`
	MaxUsesPerClient int `json:"max_uses_per_client" bun:"max_uses_per_client,notnull"`
	// Uses counts the redemptions.
	Uses int `json:"uses" bun:"uses,notnull"`
	// BatchID is the batch of a generated one-time code.
	BatchID   PromoBatchID `json:"batch_id,omitzero" bun:"batch_id,nullzero"`
	CreatedAt time.Time    `json:"created_at" bun:"created_at,notnull"`
	UpdatedAt time.Time    `json:"updated_at" bun:"updated_at,notnull"`
}

// InForce reports whether the code may be used on the date.
func (p *PromoCode) InForce(on billkit.Date) bool { return inValidity(p.ValidFrom, p.ValidTo, on) }

// AllowsTariff reports whether the code applies to the tariff.
func (p *PromoCode) AllowsTariff(id catalog.TariffID) bool {
	return len(p.Tariffs) == 0 || slices.Contains(p.Tariffs, id)
}

// PromoBatch is a batch of generated one-time codes.
type PromoBatch struct {
	ID    PromoBatchID `json:"id"`
	Codes []PromoCode  `json:"codes"`
}

// PromoRedemptionID identifies a PromoRedemption.
type PromoRedemptionID = billkit.ID[PromoRedemption]

// PromoRedemption is one use of a promo code by a client.
type PromoRedemption struct {
	ID       PromoRedemptionID `json:"id" bun:"id,pk"`
	PromoID  PromoCodeID       `json:"promo_id" bun:"promo_id,notnull"`
	Code     string            `json:"code" bun:"code,notnull"`
	ClientID billkit.ClientID  `json:"client_id" bun:"client_id,notnull"`
	// Ref names what the code was used for (an order's ID).
	Ref        string            `json:"ref,omitempty" bun:"ref,notnull"`
	ActorKind  billkit.ActorKind `json:"actor_kind" bun:"actor_kind,notnull"`
	ActorID    string            `json:"actor_id" bun:"actor_id,notnull"`
	RedeemedAt time.Time         `json:"redeemed_at" bun:"redeemed_at,notnull"`
}

// PromoCodeParams are the fields of a promo code, for CreatePromoCode and
// UpdatePromoCode (which replaces them all but the provider and the code).
type PromoCodeParams struct {
	ProviderID billkit.ProviderID `json:"provider_id"`
	Code       string             `json:"code"`
	Kind       PromoKind          `json:"kind"`
	Value      decimal.Decimal    `json:"value,omitzero"`
	// Currency of a fixed code defaults to the provider's.
	Currency         string             `json:"currency,omitempty"`
	Tariffs          []catalog.TariffID `json:"tariffs,omitempty"`
	EveryRenewal     bool               `json:"every_renewal,omitempty"`
	ValidFrom        billkit.Date       `json:"valid_from,omitzero"`
	ValidTo          billkit.Date       `json:"valid_to,omitzero"`
	MaxUses          int                `json:"max_uses,omitempty"`
	MaxUsesPerClient int                `json:"max_uses_per_client,omitempty"`
}

// GeneratePromoParams generate a batch of one-time codes (MaxUses 1).
type GeneratePromoParams struct {
	ProviderID billkit.ProviderID `json:"provider_id"`
	// Count is how many codes: 1 to MaxPromoBatch.
	Count int `json:"count"`
	// Prefix starts every code ("SPRING-"); A-Z, 0-9, '-' and '_'.
	Prefix string `json:"prefix,omitempty"`
	// Length is the number of random characters after the prefix: 6 to
	// 32, default 10.
	Length       int                `json:"length,omitempty"`
	Kind         PromoKind          `json:"kind"`
	Value        decimal.Decimal    `json:"value,omitzero"`
	Currency     string             `json:"currency,omitempty"`
	Tariffs      []catalog.TariffID `json:"tariffs,omitempty"`
	EveryRenewal bool               `json:"every_renewal,omitempty"`
	ValidFrom    billkit.Date       `json:"valid_from,omitzero"`
	ValidTo      billkit.Date       `json:"valid_to,omitzero"`
}

// PromoCodeFilter selects promo codes; lists are in ID order.
type PromoCodeFilter struct {
	ProviderID billkit.ProviderID `json:"provider_id,omitzero"`
	BatchID    PromoBatchID       `json:"batch_id,omitzero"`
	billkit.PageParams
}

// PromoRedemptionFilter selects redemptions; lists are in ID order.
type PromoRedemptionFilter struct {
	PromoID  PromoCodeID      `json:"promo_id,omitzero"`
	ClientID billkit.ClientID `json:"client_id,omitzero"`
	billkit.PageParams
}

// MaxPromoBatch is the most codes one GeneratePromoCodes call makes.
const MaxPromoBatch = 10000

// promoAlphabet is what generated codes are made of: no 0 and O, no 1, I
// and L, which people confuse when they read a code aloud or type it.
const promoAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// NormalizePromoCode returns a code as it is stored: trimmed and
// upper-case. It does not check it.
func NormalizePromoCode(code string) string { return strings.ToUpper(strings.TrimSpace(code)) }

// validPromoChars reports whether s is made of A-Z, 0-9, '-' and '_'.
func validPromoChars(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// checkPromoCode checks a code typed by a person or a program.
func checkPromoCode(v *billkit.FieldErrors, field, code string) string {
	c := NormalizePromoCode(code)
	if v.Require(field, c) {
		v.Check(len(c) <= 64 && validPromoChars(c), field, "promo.code_malformed", "must be 1 to 64 characters A-Z, 0-9, '-' and '_'")
	}
	return c
}

// checkPromoTerms validates what a code gives and when, and fills p.
func (s *Service) checkPromoTerms(ctx context.Context, v *billkit.FieldErrors, provider *Provider, p *PromoCode) error {
	if !v.Check(p.Kind.Valid(), "kind", "promo.kind_unknown", "must be percent, fixed or free_setup") {
		return nil
	}
	switch p.Kind {
	case PromoPercent:
		checkPercent(v, "value", "promo.value_out_of_range", p.Value, false)
		v.Check(p.Currency == "", "currency", "promo.currency_unexpected", "only a fixed code has a currency")
	case PromoFreeSetup:
		v.Check(p.Value.IsZero(), "value", "promo.value_unexpected", "a free-setup code has no value")
		v.Check(p.Currency == "", "currency", "promo.currency_unexpected", "only a fixed code has a currency")
	case PromoFixed:
		if p.Currency == "" && provider != nil {
			p.Currency = provider.Currency
		}
		before := v.Len()
		cur, err := s.currency(ctx, v, "currency", p.Currency)
		if err != nil {
			return err
		}
		p.Currency = cur
		known := v.Len() == before
		if v.Check(p.Value.IsPositive(), "value", "promo.value_out_of_range", "must be more than zero") && known {
			digits, err := currencyDigits(ctx, s.store, cur)
			if err != nil {
				return err
			}
			v.Check(p.Value.Round(digits).Equal(p.Value), "value", "promo.too_many_decimals",
				fmt.Sprintf("must have at most %d decimals for %s", digits, cur))
		}
	}
	checkValidity(v, p.ValidFrom, p.ValidTo)
	v.Check(p.MaxUses >= 0, "max_uses", "promo.max_uses_negative", "must be 0 (unlimited) or more")
	v.Check(p.MaxUsesPerClient >= 0, "max_uses_per_client", "promo.max_uses_negative", "must be 0 (unlimited) or more")
	return s.tariffsOf(ctx, v, p.ProviderID, p.Tariffs)
}

// promoProvider reads the provider of new codes for validation; a missing
// one is a field error.
func (s *Service) promoProvider(ctx context.Context, v *billkit.FieldErrors, id billkit.ProviderID) (*Provider, error) {
	if !v.Check(!id.IsZero(), "provider_id", "required", "is required") {
		return nil, nil
	}
	pr, err := s.store.GetProvider(ctx, id)
	if billkit.IsCode(err, billkit.CodeNotFound) {
		v.Add("provider_id", "provider.not_found", "is not a provider")
		return nil, nil
	}
	return pr, err
}

// CreatePromoCode creates a promo code. It needs billing.discount:create.
// A code the provider has already (in any case) is conflict
// "promo_code.exists".
func (s *Service) CreatePromoCode(ctx context.Context, actor billkit.Actor, p PromoCodeParams) (*PromoCode, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	var v billkit.FieldErrors
	pc := &PromoCode{
		ProviderID: p.ProviderID, Code: checkPromoCode(&v, "code", p.Code), Kind: p.Kind, Value: p.Value,
		Currency: strings.ToUpper(strings.TrimSpace(p.Currency)), Tariffs: checkTariffs(&v, p.Tariffs), EveryRenewal: p.EveryRenewal,
		ValidFrom: p.ValidFrom, ValidTo: p.ValidTo, MaxUses: p.MaxUses, MaxUsesPerClient: p.MaxUsesPerClient,
	}
	pr, err := s.promoProvider(ctx, &v, p.ProviderID)
	if err != nil {
		return nil, err
	}
	if err := s.checkPromoTerms(ctx, &v, pr, pc); err != nil {
		return nil, err
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := actor.Authorize(billkit.R(FunctionDiscount, billkit.OpCreate)); err != nil {
		return nil, err
	}
	newID(&pc.ID)
	now := s.now()
	pc.CreatedAt, pc.UpdatedAt = now, now
	err = s.store.InTx(ctx, func(tx Store) error {
		if err := tx.InsertPromoCodes(ctx, []PromoCode{*pc}); err != nil {
			return err
		}
		return record(ctx, tx, actor, now, ObjectPromoCode, "create", pc.ID.String(), billkit.ClientID{}, nil, pc)
	})
	if err != nil {
		return nil, err
	}
	return pc, nil
}

// GeneratePromoCodes makes a batch of p.Count random one-time codes
// (MaxUses 1), all or none in one transaction, and records one action for
// the batch. Codes are the prefix and p.Length characters drawn with
// crypto/rand from an alphabet without look-alikes (no 0/O, 1/I/L). It
// needs billing.discount:create. In the unlikely case that a concurrent
// call takes one of the codes meanwhile, it fails with conflict
// "promo_code.exists" and may be retried.
func (s *Service) GeneratePromoCodes(ctx context.Context, actor billkit.Actor, p GeneratePromoParams) (*PromoBatch, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	var v billkit.FieldErrors
	if p.Length == 0 {
		p.Length = 10
	}
	prefix := NormalizePromoCode(p.Prefix)
	v.Check(len(prefix) <= 32 && validPromoChars(prefix), "prefix", "promo.code_malformed", "must be at most 32 characters A-Z, 0-9, '-' and '_'")
	v.Check(p.Length >= 6 && p.Length <= 32, "length", "promo.length_out_of_range", "must be from 6 to 32")
	v.Check(p.Count >= 1 && p.Count <= MaxPromoBatch, "count", "promo.count_out_of_range", fmt.Sprintf("must be from 1 to %d", MaxPromoBatch))
	tpl := PromoCode{
		ProviderID: p.ProviderID, Kind: p.Kind, Value: p.Value, Currency: strings.ToUpper(strings.TrimSpace(p.Currency)),
		Tariffs: checkTariffs(&v, p.Tariffs), EveryRenewal: p.EveryRenewal, ValidFrom: p.ValidFrom, ValidTo: p.ValidTo, MaxUses: 1,
	}
	newID(&tpl.BatchID)
	pr, err := s.promoProvider(ctx, &v, p.ProviderID)
	if err != nil {
		return nil, err
	}
	if err := s.checkPromoTerms(ctx, &v, pr, &tpl); err != nil {
		return nil, err
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := actor.Authorize(billkit.R(FunctionDiscount, billkit.OpCreate)); err != nil {
		return nil, err
	}
	batch := &PromoBatch{ID: tpl.BatchID}
	now := s.now()
	tpl.CreatedAt, tpl.UpdatedAt = now, now
	err = s.store.InTx(ctx, func(tx Store) error {
		codes, err := uniqueCodes(ctx, tx, p.ProviderID, prefix, p.Length, p.Count)
		if err != nil {
			return err
		}
		batch.Codes = make([]PromoCode, len(codes))
		for i, c := range codes {
			pc := tpl
			pc.Code = c
			pc.Tariffs = slices.Clone(tpl.Tariffs)
			newID(&pc.ID)
			batch.Codes[i] = pc
		}
		if err := tx.InsertPromoCodes(ctx, batch.Codes); err != nil {
			return err
		}
		summary := struct {
			BatchID PromoBatchID `json:"batch_id"`
			Count   int          `json:"count"`
			Prefix  string       `json:"prefix,omitempty"`
			Terms   PromoCode    `json:"terms"`
		}{batch.ID, len(codes), prefix, tpl}
		return record(ctx, tx, actor, now, ObjectPromoCode, "generate", batch.ID.String(), billkit.ClientID{}, nil, summary)
	})
	if err != nil {
		return nil, err
	}
	return batch, nil
}

// uniqueCodes draws n distinct codes that the provider does not have yet.
func uniqueCodes(ctx context.Context, tx Store, provider billkit.ProviderID, prefix string, length, n int) ([]string, error) {
	seen := make(map[string]bool, n)
	out := make([]string, 0, n)
	for attempt := 0; len(out) < n; attempt++ {
		if attempt == 10 {
			return nil, billkit.Errorf(billkit.CodeFailedPrecondition, "promo.codes_exhausted",
				"could not draw %d unused codes with prefix %q and %d random characters; use more characters", n, prefix, length)
		}
		var fresh []string
		for len(out)+len(fresh) < n {
			c, err := randomCode(prefix, length)
			if err != nil {
				return nil, err
			}
			if !seen[c] {
				seen[c] = true
				fresh = append(fresh, c)
			}
		}
		taken := map[string]bool{}
		for start := 0; start < len(fresh); start += 500 {
			t, err := tx.PromoCodesTaken(ctx, provider, fresh[start:min(start+500, len(fresh))])
			if err != nil {
				return nil, err
			}
			for _, c := range t {
				taken[c] = true
			}
		}
		for _, c := range fresh {
			if !taken[c] {
				out = append(out, c)
			}
		}
	}
	return out, nil
}

// randomCode returns prefix and length characters of promoAlphabet drawn
// uniformly with crypto/rand.
func randomCode(prefix string, length int) (string, error) {
	b := make([]byte, 0, len(prefix)+length)
	b = append(b, prefix...)
	max := big.NewInt(int64(len(promoAlphabet)))
	for i := 0; i < length; i++ {
		n, err := rand.Int(rand.Reader, max)
		if err != nil {
			return "", billkit.WrapError(err, billkit.CodeUnavailable, "promo.random_unavailable", "the system's random source failed")
		}
		b = append(b, promoAlphabet[n.Int64()])
	}
	return string(b), nil
}

// GetPromoCode returns a promo code. It needs billing.discount:read.
func (s *Service) GetPromoCode(ctx context.Context, actor billkit.Actor, id PromoCodeID) (*PromoCode, error) {
	return read(actor, FunctionDiscount, func() (*PromoCode, error) { return s.store.GetPromoCode(ctx, id) })
}

// ListPromoCodes lists promo codes in creation order. It needs
// billing.discount:read.
func (s *Service) ListPromoCodes(ctx context.Context, actor billkit.Actor, f PromoCodeFilter) (billkit.Page[PromoCode], error) {
	return readList(actor, FunctionDiscount, f.PageParams, func() (billkit.Page[PromoCode], error) { return s.store.ListPromoCodes(ctx, f) })
}

// ListPromoRedemptions lists the redemptions of codes in creation order.
// It needs billing.discount:read.
func (s *Service) ListPromoRedemptions(ctx context.Context, actor billkit.Actor, f PromoRedemptionFilter) (billkit.Page[PromoRedemption], error) {
	return readList(actor, FunctionDiscount, f.PageParams, func() (billkit.Page[PromoRedemption], error) {
		return s.store.ListPromoRedemptions(ctx, f)
	})
}

// UpdatePromoCode replaces what a code gives, when and how often; its
// provider, its text and its count of uses stay. Lowering MaxUses below
// Uses simply ends its redemptions. It needs billing.discount:edit.
func (s *Service) UpdatePromoCode(ctx context.Context, actor billkit.Actor, id PromoCodeID, p PromoCodeParams) (*PromoCode, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	cur, err := s.store.GetPromoCode(ctx, id)
	if err != nil {
		return nil, err
	}
	var v billkit.FieldErrors
	v.Check(p.ProviderID.IsZero() || p.ProviderID == cur.ProviderID, "provider_id", "promo.provider_immutable", "a code stays with its provider")
	v.Check(p.Code == "" || NormalizePromoCode(p.Code) == cur.Code, "code", "promo.code_immutable", "a code's text cannot change; create another code")
	next := *cur
	next.Kind, next.Value, next.Currency = p.Kind, p.Value, strings.ToUpper(strings.TrimSpace(p.Currency))
	next.Tariffs, next.EveryRenewal = checkTariffs(&v, p.Tariffs), p.EveryRenewal
	next.ValidFrom, next.ValidTo, next.MaxUses, next.MaxUsesPerClient = p.ValidFrom, p.ValidTo, p.MaxUses, p.MaxUsesPerClient
	pr, err := s.store.GetProvider(ctx, cur.ProviderID)
	if err != nil {
		return nil, err
	}
	if err := s.checkPromoTerms(ctx, &v, pr, &next); err != nil {
		return nil, err
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := actor.Authorize(billkit.R(FunctionDiscount, billkit.OpEdit)); err != nil {
		return nil, err
	}
	var out *PromoCode
	err = s.store.InTx(ctx, func(tx Store) error {
		before, err := tx.GetPromoCode(ctx, id)
		if err != nil {
			return err
		}
		now := s.now()
		next.Uses, next.UpdatedAt = before.Uses, now
		if err := tx.UpdatePromoCode(ctx, &next); err != nil {
			return err
		}
		out = &next
		return record(ctx, tx, actor, now, ObjectPromoCode, "update", id.String(), billkit.ClientID{}, before, &next)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeletePromoCode deletes a code that was never redeemed; a redeemed code
// is kept as the history of its redemptions (failed_precondition
// "promo.redeemed": end its validity instead). It needs
// billing.discount:delete.
func (s *Service) DeletePromoCode(ctx context.Context, actor billkit.Actor, id PromoCodeID) error {
	if err := actor.Validate(); err != nil {
		return err
	}
	if err := actor.Authorize(billkit.R(FunctionDiscount, billkit.OpDelete)); err != nil {
		return err
	}
	return s.store.InTx(ctx, func(tx Store) error {
		before, err := tx.GetPromoCode(ctx, id)
		if err != nil {
			return err
		}
		used, err := tx.ListPromoRedemptions(ctx, PromoRedemptionFilter{PromoID: id, PageParams: billkit.PageParams{Limit: 1}})
		if err != nil {
			return err
		}
		if before.Uses > 0 || len(used.Items) > 0 {
			return billkit.Errorf(billkit.CodeFailedPrecondition, "promo.redeemed",
				"code %s was redeemed; end its validity instead of deleting it", before.Code)
		}
		if err := tx.DeletePromoCode(ctx, id); err != nil {
			return err
		}
		return record(ctx, tx, actor, s.now(), ObjectPromoCode, "delete", id.String(), billkit.ClientID{}, before, nil)
	})
}
