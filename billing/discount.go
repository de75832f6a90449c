package billing

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/catalog"
	"github.com/shopspring/decimal"
)

// The object types of the discount actions in the action log; their rights
// are those of FunctionDiscount. A redemption is recorded as
// "billing.promo_code.redeem" on its code, with the client.
const (
	ObjectDiscount  = "billing.discount"
	ObjectPromoCode = "billing.promo_code"
)

// DiscountID identifies a Discount.
type DiscountID = billkit.ID[Discount]

// DiscountScope says whom a discount is for.
type DiscountScope string

// The discount scopes.
const (
	// DiscountEveryone is for every client of the provider.
	DiscountEveryone DiscountScope = "everyone"
	// DiscountClient is for one client (Discount.ClientID).
	DiscountClient DiscountScope = "client"
	// DiscountGroup is for the clients of one group (Discount.GroupID).
	DiscountGroup DiscountScope = "group"
)

// Valid reports whether s is a known scope.
func (s DiscountScope) Valid() bool {
	return s == DiscountEveryone || s == DiscountClient || s == DiscountGroup
}

// Discount lowers the recurring price of a provider's tariffs (the period
// and its addons, not setup fees) for some clients: by a percentage, or by
// a fixed amount per period and service. PriceOrder applies the discounts
// in force on the order's date (see ApplyDiscounts).
type Discount struct {
	ID         DiscountID         `json:"id"`
	ProviderID billkit.ProviderID `json:"provider_id"`
	Name       string             `json:"name"`
	Scope      DiscountScope      `json:"scope"`
	// ClientID is the client of a DiscountClient discount; GroupID the
	// group of a DiscountGroup one.
	ClientID billkit.ClientID `json:"client_id,omitzero"`
	GroupID  ClientGroupID    `json:"group_id,omitzero"`
	// Tariffs and Periods restrict the discount to those tariffs and
	// billing periods; empty is any.
	Tariffs []catalog.TariffID `json:"tariffs"`
	Periods []catalog.Period   `json:"periods"`
	// MinQuantity is how many services an order needs at least for the
	// discount (0 or 1: any).
	MinQuantity int `json:"min_quantity,omitempty"`
	// Percent (more than 0, at most 100, at most 4 decimals), or Fixed: an
	// amount off each period of each service, which applies only to prices
	// in its currency (other orders skip the discount). Exactly one is set.
	Percent decimal.Decimal `json:"percent,omitzero"`
	Fixed   billkit.Money   `json:"fixed,omitzero"`
	// ValidFrom and ValidTo (exclusive) bound the order dates the discount
	// applies to; zero leaves a side open.
	ValidFrom billkit.Date `json:"valid_from,omitzero"`
	ValidTo   billkit.Date `json:"valid_to,omitzero"`
	// Stackable discounts add up with the other stackable ones; a discount
	// that is not stackable applies alone, when it is the best for the
	// client.
	Stackable bool      `json:"stackable,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// InForce reports whether the discount applies to orders of the date.
func (d *Discount) InForce(on billkit.Date) bool { return inValidity(d.ValidFrom, d.ValidTo, on) }

// DiscountParams are the fields of a discount, for CreateDiscount and
// UpdateDiscount (which replaces them all; the provider cannot change).
type DiscountParams struct {
	ProviderID  billkit.ProviderID `json:"provider_id"`
	Name        string             `json:"name"`
	Scope       DiscountScope      `json:"scope"`
	ClientID    billkit.ClientID   `json:"client_id,omitzero"`
	GroupID     ClientGroupID      `json:"group_id,omitzero"`
	Tariffs     []catalog.TariffID `json:"tariffs,omitempty"`
	Periods     []catalog.Period   `json:"periods,omitempty"`
	MinQuantity int                `json:"min_quantity,omitempty"`
	Percent     decimal.Decimal    `json:"percent,omitzero"`
	Fixed       billkit.Money      `json:"fixed,omitzero"`
	ValidFrom   billkit.Date       `json:"valid_from,omitzero"`
	ValidTo     billkit.Date       `json:"valid_to,omitzero"`
	Stackable   bool               `json:"stackable,omitempty"`
}

// DiscountFilter selects discounts; lists are in ID order.
type DiscountFilter struct {
	ProviderID billkit.ProviderID `json:"provider_id,omitzero"`
	Scope      DiscountScope      `json:"scope,omitempty"`
	ClientID   billkit.ClientID   `json:"client_id,omitzero"`
	GroupID    ClientGroupID      `json:"group_id,omitzero"`
	// ForClient keeps the discounts that may apply to that client: those
	// for everyone, for it, and for ForGroup (its group, when it has one).
	// It replaces Scope, ClientID and GroupID.
	ForClient billkit.ClientID `json:"for_client,omitzero"`
	ForGroup  ClientGroupID    `json:"for_group,omitzero"`
	billkit.PageParams
}

// maxRestrictions bounds the tariffs, periods and product types a
// discount, promo code or tax rule lists.
const maxRestrictions = 200

// checkPercent checks a percentage: more than 0 (or 0 too when zeroOK), at
// most 100, at most 4 decimals.
func checkPercent(v *billkit.FieldErrors, field, reason string, p decimal.Decimal, zeroOK bool) {
	ok := (p.IsPositive() || zeroOK && p.IsZero()) && p.LessThanOrEqual(decimal.NewFromInt(100)) && p.Round(4).Equal(p)
	v.Check(ok, field, reason, "must be a percentage from 0 to 100 with at most 4 decimals")
}

// checkValidity checks a validity window: real dates, and from before to
// when both are set.
func checkValidity(v *billkit.FieldErrors, from, to billkit.Date) {
	v.Check(from.IsZero() || from.Valid(), "valid_from", "date.invalid", "must be a calendar date")
	if v.Check(to.IsZero() || to.Valid(), "valid_to", "date.invalid", "must be a calendar date") {
		v.Check(from.IsZero() || to.IsZero() || from.Before(to), "valid_to", "validity.empty", "must be after valid_from")
	}
}

// checkTariffs checks and deduplicates a list of tariffs. They are checked
// against the catalog later, by tariffsOf.
func checkTariffs(v *billkit.FieldErrors, ids []catalog.TariffID) []catalog.TariffID {
	out := []catalog.TariffID{}
	v.Check(len(ids) <= maxRestrictions, "tariffs", "too_many", fmt.Sprintf("must list at most %d tariffs", maxRestrictions))
	for i, id := range ids {
		if !v.Check(!id.IsZero(), fmt.Sprintf("tariffs[%d]", i), "required", "is required") {
			continue
		}
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// tariffsOf checks, outside any transaction, that the tariffs are the
// provider's tariffs of the catalog. Without a Catalog a list of tariffs
// is failed_precondition billing.catalog_missing.
func (s *Service) tariffsOf(ctx context.Context, v *billkit.FieldErrors, provider billkit.ProviderID, ids []catalog.TariffID) error {
	if len(ids) == 0 || provider.IsZero() {
		return nil
	}
	if s.cfg.Catalog == nil {
		return catalogMissing()
	}
	for i, id := range ids {
		field := fmt.Sprintf("tariffs[%d]", i)
		t, err := s.cfg.Catalog.GetTariff(ctx, catalogReader, id)
		switch {
		case billkit.IsCode(err, billkit.CodeNotFound):
			v.Add(field, "tariff.not_found", "is not a tariff of the catalog")
		case err != nil:
			return err
		case t.ProviderID != provider:
			v.Add(field, "tariff.other_provider", "is a tariff of another provider")
		}
	}
	return nil
}

// catalogReader is the actor billing reads the catalog as: prices are
// public, and the caller's own rights were checked on billing's side.
var catalogReader = billkit.SystemActor("billing")

// ReasonCatalogMissing is the reason of the failed_precondition error of
// what needs Config.Catalog without it.
const ReasonCatalogMissing = "billing.catalog_missing"

func catalogMissing() error {
	return billkit.Errorf(billkit.CodeFailedPrecondition, ReasonCatalogMissing, "the billing service has no catalog (Config.Catalog)")
}

// checkDiscount validates p and returns the discount it describes, without
// its ID, provider checks or times.
func (s *Service) checkDiscount(ctx context.Context, p DiscountParams) (*Discount, error) {
	var v billkit.FieldErrors
	d := &Discount{
		ProviderID: p.ProviderID, Name: text(&v, "name", p.Name, 200, true), Scope: p.Scope,
		ClientID: p.ClientID, GroupID: p.GroupID, Tariffs: checkTariffs(&v, p.Tariffs), Periods: []catalog.Period{},
		MinQuantity: p.MinQuantity, Percent: p.Percent, Fixed: p.Fixed,
		ValidFrom: p.ValidFrom, ValidTo: p.ValidTo, Stackable: p.Stackable,
	}
	v.Check(!p.ProviderID.IsZero(), "provider_id", "required", "is required")
	if v.Check(p.Scope.Valid(), "scope", "discount.scope_unknown", "must be everyone, client or group") {
		switch p.Scope {
		case DiscountClient:
			v.Check(!p.ClientID.IsZero(), "client_id", "required", "is required for a client's discount")
			v.Check(p.GroupID.IsZero(), "group_id", "discount.scope_mismatch", "is only for a group's discount")
		case DiscountGroup:
			v.Check(!p.GroupID.IsZero(), "group_id", "required", "is required for a group's discount")
			v.Check(p.ClientID.IsZero(), "client_id", "discount.scope_mismatch", "is only for a client's discount")
		default:
			v.Check(p.ClientID.IsZero(), "client_id", "discount.scope_mismatch", "is only for a client's discount")
			v.Check(p.GroupID.IsZero(), "group_id", "discount.scope_mismatch", "is only for a group's discount")
		}
	}
	v.Check(len(p.Periods) <= maxRestrictions, "periods", "too_many", fmt.Sprintf("must list at most %d periods", maxRestrictions))
	for i, pe := range p.Periods {
		if v.Check(pe.Valid(), fmt.Sprintf("periods[%d]", i), catalog.ReasonPeriodUnknown, fmt.Sprintf("%q is not a period", string(pe))) &&
			!slices.Contains(d.Periods, pe) {
			d.Periods = append(d.Periods, pe)
		}
	}
	v.Check(p.MinQuantity >= 0 && p.MinQuantity <= maxOrderQuantity, "min_quantity", "discount.min_quantity_out_of_range",
		fmt.Sprintf("must be from 0 to %d", maxOrderQuantity))
	hasFixed := p.Fixed.Currency() != ""
	switch {
	case hasFixed && !p.Percent.IsZero():
		v.Add("fixed", "discount.percent_and_fixed", "a discount is a percentage or a fixed amount, not both")
	case hasFixed:
		if v.Check(p.Fixed.IsPositive(), "fixed", "discount.fixed_not_positive", "must be more than zero") {
			before := v.Len()
			cur, err := s.currency(ctx, &v, "fixed", p.Fixed.Currency())
			if err != nil {
				return nil, err
			}
			if v.Len() == before {
				digits, err := currencyDigits(ctx, s.store, cur)
				if err != nil {
					return nil, err
				}
				v.Check(p.Fixed.Amount().Round(digits).Equal(p.Fixed.Amount()), "fixed", "discount.too_many_decimals",
					fmt.Sprintf("must have at most %d decimals for %s", digits, cur))
			}
		}
	default:
		checkPercent(&v, "percent", "discount.percent_out_of_range", p.Percent, false)
	}
	checkValidity(&v, p.ValidFrom, p.ValidTo)
	if err := s.tariffsOf(ctx, &v, p.ProviderID, d.Tariffs); err != nil {
		return nil, err
	}
	return d, v.Err()
}

// discountAudience checks, in tx, that the discount's client or group is
// the provider's.
func discountAudience(ctx context.Context, tx Store, d *Discount) error {
	if _, err := tx.GetProvider(ctx, d.ProviderID); billkit.IsCode(err, billkit.CodeNotFound) {
		return billkit.InvalidField("provider_id", "provider.not_found", "is not a provider")
	} else if err != nil {
		return err
	}
	switch d.Scope {
	case DiscountClient:
		c, err := tx.GetClient(ctx, d.ClientID)
		if billkit.IsCode(err, billkit.CodeNotFound) {
			return billkit.InvalidField("client_id", "client.not_found", "is not a client")
		}
		if err != nil {
			return err
		}
		if c.ProviderID != d.ProviderID {
			return billkit.InvalidField("client_id", "client.other_provider", "is a client of another provider")
		}
	case DiscountGroup:
		return groupOf(ctx, tx, d.ProviderID, d.GroupID)
	}
	return nil
}

// authorizeDiscount checks that the actor may do op on the discount: on
// its client for a client's discount, on discounts otherwise.
func authorizeDiscount(actor billkit.Actor, d *Discount, op billkit.Operation) error {
	r := billkit.R(FunctionDiscount, op)
	if d.Scope == DiscountClient {
		return actor.AuthorizeClient(r, d.ClientID, billkit.NotFound("discount", d.ID))
	}
	return actor.Authorize(r)
}

// CreateDiscount creates a discount. It needs billing.discount:create (on
// the client, for a client's discount). A list of tariffs needs
// Config.Catalog, which checks that they are the provider's.
func (s *Service) CreateDiscount(ctx context.Context, actor billkit.Actor, p DiscountParams) (*Discount, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	d, err := s.checkDiscount(ctx, p)
	if err != nil {
		return nil, err
	}
	newID(&d.ID)
	if err := authorizeDiscount(actor, d, billkit.OpCreate); err != nil {
		return nil, err
	}
	now := s.now()
	d.CreatedAt, d.UpdatedAt = now, now
	err = s.store.InTx(ctx, func(tx Store) error {
		if err := discountAudience(ctx, tx, d); err != nil {
			return err
		}
		if err := tx.InsertDiscount(ctx, d); err != nil {
			return err
		}
		return record(ctx, tx, actor, now, ObjectDiscount, "create", d.ID.String(), d.ClientID, nil, d)
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// GetDiscount returns a discount. It needs billing.discount:read (on the
// client, for a client's discount).
func (s *Service) GetDiscount(ctx context.Context, actor billkit.Actor, id DiscountID) (*Discount, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	d, err := s.store.GetDiscount(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := authorizeDiscount(actor, d, billkit.OpRead); err != nil {
		return nil, err
	}
	return d, nil
}

// ListDiscounts lists discounts in creation order. It needs
// billing.discount:read.
func (s *Service) ListDiscounts(ctx context.Context, actor billkit.Actor, f DiscountFilter) (billkit.Page[Discount], error) {
	if f.Scope != "" && !f.Scope.Valid() {
		return billkit.Page[Discount]{}, billkit.InvalidField("scope", "discount.scope_unknown", "must be everyone, client or group")
	}
	return readList(actor, FunctionDiscount, f.PageParams, func() (billkit.Page[Discount], error) { return s.store.ListDiscounts(ctx, f) })
}

// UpdateDiscount replaces a discount's fields. It needs
// billing.discount:edit (on the client, for a client's discount, before
// and after). p.ProviderID must be zero or the discount's provider.
func (s *Service) UpdateDiscount(ctx context.Context, actor billkit.Actor, id DiscountID, p DiscountParams) (*Discount, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	cur, err := s.GetDiscount(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if p.ProviderID.IsZero() {
		p.ProviderID = cur.ProviderID
	} else if p.ProviderID != cur.ProviderID {
		return nil, billkit.InvalidField("provider_id", "discount.provider_immutable", "a discount stays with its provider")
	}
	next, err := s.checkDiscount(ctx, p)
	if err != nil {
		return nil, err
	}
	next.ID = id
	for _, d := range []*Discount{cur, next} {
		if err := authorizeDiscount(actor, d, billkit.OpEdit); err != nil {
			return nil, err
		}
	}
	err = s.store.InTx(ctx, func(tx Store) error {
		before, err := tx.GetDiscount(ctx, id)
		if err != nil {
			return err
		}
		if err := discountAudience(ctx, tx, next); err != nil {
			return err
		}
		now := s.now()
		next.CreatedAt, next.UpdatedAt = before.CreatedAt, now
		if err := tx.UpdateDiscount(ctx, next); err != nil {
			return err
		}
		return record(ctx, tx, actor, now, ObjectDiscount, "update", id.String(), next.ClientID, before, next)
	})
	if err != nil {
		return nil, err
	}
	return next, nil
}

// DeleteDiscount deletes a discount: orders priced afterwards no longer
// get it; prices already charged stay. It needs billing.discount:delete.
func (s *Service) DeleteDiscount(ctx context.Context, actor billkit.Actor, id DiscountID) error {
	if err := actor.Validate(); err != nil {
		return err
	}
	d, err := s.store.GetDiscount(ctx, id)
	if err != nil {
		return err
	}
	if err := authorizeDiscount(actor, d, billkit.OpDelete); err != nil {
		return err
	}
	return s.store.InTx(ctx, func(tx Store) error {
		before, err := tx.GetDiscount(ctx, id)
		if err != nil {
			return err
		}
		if err := tx.DeleteDiscount(ctx, id); err != nil {
			return err
		}
		return record(ctx, tx, actor, s.now(), ObjectDiscount, "delete", id.String(), before.ClientID, before, nil)
	})
}
