package catalog

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/billkit/billkit"
)

// VersionInForce returns the version of versions (of one tariff) in force
// on the date: the one with the latest EffectiveDate on or before on; nil
// when none is (the tariff's own prices are).
func VersionInForce(versions []PriceVersion, on billkit.Date) *PriceVersion {
	var best *PriceVersion
	for i := range versions {
		pv := &versions[i]
		if pv.EffectiveDate.After(on) {
			continue
		}
		if best == nil || pv.EffectiveDate.After(best.EffectiveDate) {
			best = pv
		}
	}
	return best
}

// WithVersion returns a copy of the tariff with the version's prices in
// place of its own (see PriceVersion); the tariff itself is not changed.
func (t Tariff) WithVersion(pv *PriceVersion) Tariff {
	if pv == nil {
		return t
	}
	if len(pv.Prices) > 0 {
		t.Prices = append([]Price{}, pv.Prices...)
	}
	addons := make([]Addon, len(t.Addons))
	for i, a := range t.Addons {
		a.Options = append([]AddonOption(nil), a.Options...)
		addons[i] = a
	}
	t.Addons = addons
	for _, ap := range pv.AddonPrices {
		a, ok := t.Addon(ap.Addon)
		if !ok {
			continue
		}
		if ap.Option == "" {
			a.Prices = append([]Price{}, ap.Prices...)
			continue
		}
		if o, ok := a.Option(ap.Option); ok {
			o.Prices = append([]Price{}, ap.Prices...)
		}
	}
	return t
}

// PriceAt returns the tariff as priced on the date: with the version in
// force applied.
func (t Tariff) PriceAt(versions []PriceVersion, on billkit.Date) Tariff {
	return t.WithVersion(VersionInForce(versions, on))
}

func (sn *snapshot) versionDoc(pv *PriceVersion) PriceVersionDoc {
	return PriceVersionDoc{
		Tariff: sn.tariffCode(pv.TariffID), EffectiveDate: pv.EffectiveDate, Prices: pv.Prices,
		AddonPrices: pv.AddonPrices, Policy: pv.Policy, KeepPeriods: pv.KeepPeriods, Note: pv.Note,
	}
}

func (pv *PriceVersion) created() time.Time { return pv.CreatedAt }

// versionRefs lists the currencies a version document uses.
func versionRefs(prefix string, d PriceVersionDoc) []ref {
	out := priceRefs(join(prefix, "prices"), d.Prices)
	for i, ap := range d.AddonPrices {
		out = append(out, priceRefs(join(prefix, fmt.Sprintf("addon_prices[%d].prices", i)), ap.Prices)...)
	}
	return out
}

// buildVersion checks d and returns the version over old.
func (sn *snapshot) buildVersion(v *billkit.FieldErrors, prefix string, d PriceVersionDoc, old *PriceVersion, now time.Time) *PriceVersion {
	var w billkit.FieldErrors
	pv := &PriceVersion{
		ProviderID:    sn.provider,
		EffectiveDate: d.EffectiveDate,
		Policy:        d.Policy,
		KeepPeriods:   d.KeepPeriods,
		Note:          checkText(&w, "note", d.Note, 1000, false),
		AddonPrices:   []AddonPrices{},
	}
	w.Check(!d.EffectiveDate.IsZero() && d.EffectiveDate.Valid(), "effective_date", "required", "is required")
	if w.Check(pv.Policy.Valid(), "policy", "catalog.policy_unknown", "must be keep_for_periods, next_renewal or now") {
		if pv.Policy == PolicyKeepForPeriods {
			w.Check(pv.KeepPeriods >= 1, "keep_periods", "catalog.keep_periods_missing", "must be at least 1")
		} else {
			w.Check(pv.KeepPeriods == 0, "keep_periods", "catalog.keep_periods_not_allowed", "is only for keep_for_periods")
		}
	}
	w.Check(len(d.Prices) > 0 || len(d.AddonPrices) > 0, "prices", ReasonNoPrice, "a price version changes at least one price")
	var t *Tariff
	var pt *ProductType
	if w.Require("tariff", d.Tariff) {
		var ok bool
		t, ok = sn.tariffs[d.Tariff]
		if w.Check(ok, "tariff", ReasonReferenceUnknown, fmt.Sprintf("%q is not a tariff", d.Tariff)) {
			pv.TariffID = t.ID
			pt = sn.typeByID[t.ProductTypeID]
		}
	}
	pv.Prices = checkPrices(&w, "prices", d.Prices, pt)
	if t != nil && len(pv.Prices) > 0 {
		hasBase := false
		for _, p := range pv.Prices {
			hasBase = hasBase || p.Currency == t.Currency
		}
		w.Check(hasBase, "prices", ReasonNoBasePrice, "needs prices in the tariff's currency "+t.Currency)
	}
	for i, ap := range d.AddonPrices {
		f := fmt.Sprintf("addon_prices[%d]", i)
		ap.Addon, ap.Option = strings.TrimSpace(ap.Addon), strings.TrimSpace(ap.Option)
		if t != nil && w.Require(f+".addon", ap.Addon) {
			a, ok := t.Addon(ap.Addon)
			switch {
			case !ok:
				w.Add(f+".addon", ReasonAddonUnknown, fmt.Sprintf("tariff %s has no addon %q", t.Code, ap.Addon))
			case a.BillingType == BillingNone:
				w.Add(f+".addon", ReasonPricesNotAllowed, "an addon that is not billed has no prices")
			case a.BillingType == BillingEnum:
				_, ok := a.Option(ap.Option)
				w.Check(ok, f+".option", ReasonValueUnknown, fmt.Sprintf("%q is not an option of addon %s", ap.Option, a.Code))
			default:
				w.Check(ap.Option == "", f+".option", "catalog.option_not_allowed", "only enum addons have options")
			}
		}
		ap.Prices = checkPrices(&w, f+".prices", ap.Prices, pt)
		pv.AddonPrices = append(pv.AddonPrices, ap)
	}
	v.Merge(prefix, w.Err())
	if old == nil {
		pv.ID = billkit.NewID[PriceVersion]()
	} else {
		pv.ID = old.ID
	}
	pv.CreatedAt, pv.UpdatedAt = stamp(createdOf(old), old == nil, now)
	return pv
}

// CreatePriceVersion schedules new prices of a tariff (named by code in d)
// from a date. It needs catalog:create.
func (s *Service) CreatePriceVersion(ctx context.Context, actor billkit.Actor, provider billkit.ProviderID, d PriceVersionDoc) (*PriceVersion, error) {
	var v billkit.FieldErrors
	checkProvider(&v, provider)
	if err := s.begin(ctx, actor, billkit.OpCreate, &v, versionRefs("", d), nil); err != nil {
		return nil, err
	}
	var out *PriceVersion
	err := s.write(ctx, provider, func(tx Store, sn *snapshot) error {
		now := s.now()
		pv := sn.buildVersion(&v, "", d, nil, now)
		if err := v.Err(); err != nil {
			return err
		}
		if _, ok := sn.versions[versionKey{pv.TariffID, pv.EffectiveDate}]; ok {
			return exists("price_version", d.Tariff+" "+pv.EffectiveDate.String())
		}
		out = pv
		_, err := save(ctx, tx, actor, now, ObjectPriceVersion, pv.ID.String(), nil, pv, false, tx.InsertPriceVersion, tx.UpdatePriceVersion)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// GetPriceVersion returns a price version. It needs catalog:read.
func (s *Service) GetPriceVersion(ctx context.Context, actor billkit.Actor, id PriceVersionID) (*PriceVersion, error) {
	if err := read(actor); err != nil {
		return nil, err
	}
	return s.store.GetPriceVersion(ctx, id)
}

// ListPriceVersions lists versions by tariff and date. It needs
// catalog:read.
func (s *Service) ListPriceVersions(ctx context.Context, actor billkit.Actor, f PriceVersionFilter) (billkit.Page[PriceVersion], error) {
	if err := read(actor); err != nil {
		return billkit.Page[PriceVersion]{}, err
	}
	if err := f.PageParams.Validate(); err != nil {
		return billkit.Page[PriceVersion]{}, err
	}
	return s.store.ListPriceVersions(ctx, f)
}

// UpdatePriceVersion replaces the version's fields with d's. It needs
// catalog:edit.
func (s *Service) UpdatePriceVersion(ctx context.Context, actor billkit.Actor, id PriceVersionID, d PriceVersionDoc) (*PriceVersion, error) {
	var v billkit.FieldErrors
	if err := s.begin(ctx, actor, billkit.OpEdit, &v, versionRefs("", d), nil); err != nil {
		return nil, err
	}
	cur, err := s.store.GetPriceVersion(ctx, id)
	if err != nil {
		return nil, err
	}
	var out *PriceVersion
	err = s.write(ctx, cur.ProviderID, func(tx Store, sn *snapshot) error {
		old, ok := sn.versions[versionKey{cur.TariffID, cur.EffectiveDate}]
		if !ok || old.ID != id {
			return billkit.NotFound("price_version", id)
		}
		now := s.now()
		pv := sn.buildVersion(&v, "", d, old, now)
		if x, ok := sn.versions[versionKey{pv.TariffID, pv.EffectiveDate}]; ok && x.ID != id {
			v.Add("effective_date", ReasonCodeDuplicate, "the tariff has another price version on this date")
		}
		if err := v.Err(); err != nil {
			return err
		}
		if sameJSON(sn.versionDoc(old), sn.versionDoc(pv)) {
			out = old
			return nil
		}
		out = pv
		_, err := save(ctx, tx, actor, now, ObjectPriceVersion, pv.ID.String(), old, pv, false, tx.InsertPriceVersion, tx.UpdatePriceVersion)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeletePriceVersion deletes a price version. It needs catalog:delete.
func (s *Service) DeletePriceVersion(ctx context.Context, actor billkit.Actor, id PriceVersionID) error {
	if err := actor.Validate(); err != nil {
		return err
	}
	if err := authorize(actor, billkit.OpDelete); err != nil {
		return err
	}
	return s.store.InTx(ctx, func(tx Store) error {
		cur, err := tx.GetPriceVersion(ctx, id)
		if err != nil {
			return err
		}
		if err := tx.DeletePriceVersion(ctx, id); err != nil {
			return err
		}
		return record(ctx, tx, actor, s.now(), ObjectPriceVersion, "delete", id.String(), cur, nil)
	})
}
