package catalog

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/billkit/billkit"
)

func (sn *snapshot) tariffDoc(t *Tariff) TariffDoc {
	return TariffDoc{
		Code: t.Code, Name: t.Name, Description: t.Description,
		ProductType: sn.typeCode(t.ProductTypeID), Group: sn.groupCode(t.GroupID),
		Status: t.Status, Currency: t.Currency, Prices: t.Prices, Addons: t.Addons,
		TrialDays: t.TrialDays, LimitPerClient: t.LimitPerClient, Stock: t.Stock,
		ClientGroupIDs: t.ClientGroupIDs, Datacenters: t.Datacenters, DisplayOrder: t.DisplayOrder,
	}
}

func (t *Tariff) created() time.Time { return t.CreatedAt }

// tariffRefs lists the currencies and units a tariff document uses.
func tariffRefs(prefix string, d TariffDoc) (currencies, units []ref) {
	currencies = append(currencies, ref{field: join(prefix, "currency"), code: d.Currency})
	currencies = append(currencies, priceRefs(join(prefix, "prices"), d.Prices)...)
	c, u := addonRefs(join(prefix, "addons"), d.Addons)
	return append(currencies, c...), u
}

// buildTariff checks d and returns the tariff over old, resolving its
// product type, group and enumerations by code in sn.
func (sn *snapshot) buildTariff(v *billkit.FieldErrors, prefix string, d TariffDoc, old *Tariff, now time.Time) *Tariff {
	var w billkit.FieldErrors
	t := &Tariff{
		ProviderID:     sn.provider,
		Code:           strings.TrimSpace(d.Code),
		Name:           d.Name,
		Description:    d.Description,
		Status:         d.Status,
		Currency:       d.Currency,
		Prices:         append([]Price{}, d.Prices...),
		TrialDays:      d.TrialDays,
		LimitPerClient: d.LimitPerClient,
		Stock:          d.Stock,
		ClientGroupIDs: append([]string{}, d.ClientGroupIDs...),
		Datacenters:    append([]string{}, d.Datacenters...),
		DisplayOrder:   d.DisplayOrder,
	}
	t.Addons = make([]Addon, len(d.Addons))
	for i, a := range d.Addons {
		a.Options = append([]AddonOption(nil), a.Options...)
		t.Addons[i] = a
	}
	var pt *ProductType
	if w.Require("product_type", d.ProductType) {
		var ok bool
		pt, ok = sn.types[d.ProductType]
		if w.Check(ok, "product_type", ReasonReferenceUnknown, fmt.Sprintf("%q is not a product type", d.ProductType)) {
			t.ProductTypeID = pt.ID
		}
	}
	if d.Group != "" {
		g, ok := sn.groups[d.Group]
		if w.Check(ok, "group", ReasonReferenceUnknown, fmt.Sprintf("%q is not a tariff group", d.Group)) {
			t.GroupID = g.ID
		}
	}
	validateTariff(&w, t, pt, sn.enumMap())
	v.Merge(prefix, w.Err())
	if old == nil {
		t.ID = billkit.NewID[Tariff]()
	} else {
		t.ID = old.ID
	}
	t.CreatedAt, t.UpdatedAt = stamp(createdOf(old), old == nil, now)
	return t
}

// CreateTariff adds a tariff. It needs catalog:create.
func (s *Service) CreateTariff(ctx context.Context, actor billkit.Actor, provider billkit.ProviderID, d TariffDoc) (*Tariff, error) {
	var v billkit.FieldErrors
	checkProvider(&v, provider)
	cs, us := tariffRefs("", d)
	if err := s.begin(ctx, actor, billkit.OpCreate, &v, cs, us); err != nil {
		return nil, err
	}
	var out *Tariff
	err := s.write(ctx, provider, func(tx Store, sn *snapshot) error {
		now := s.now()
		t := sn.buildTariff(&v, "", d, nil, now)
		if err := v.Err(); err != nil {
			return err
		}
		if _, ok := sn.tariffs[t.Code]; ok {
			return exists("tariff", t.Code)
		}
		out = t
		_, err := save(ctx, tx, actor, now, ObjectTariff, t.ID.String(), nil, t, false, tx.InsertTariff, tx.UpdateTariff)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// GetTariff returns a tariff. It needs catalog:read.
func (s *Service) GetTariff(ctx context.Context, actor billkit.Actor, id TariffID) (*Tariff, error) {
	if err := read(actor); err != nil {
		return nil, err
	}
	return s.store.GetTariff(ctx, id)
}

// GetTariffByCode returns the provider's tariff with the code. It needs
// catalog:read.
func (s *Service) GetTariffByCode(ctx context.Context, actor billkit.Actor, provider billkit.ProviderID, code string) (*Tariff, error) {
	if err := read(actor); err != nil {
		return nil, err
	}
	return s.store.GetTariffByCode(ctx, provider, code)
}

// ListTariffs lists tariffs by display order and code. It needs
// catalog:read.
func (s *Service) ListTariffs(ctx context.Context, actor billkit.Actor, f TariffFilter) (billkit.Page[Tariff], error) {
	if err := read(actor); err != nil {
		return billkit.Page[Tariff]{}, err
	}
	if err := f.PageParams.Validate(); err != nil {
		return billkit.Page[Tariff]{}, err
	}
	return s.store.ListTariffs(ctx, f)
}

// UpdateTariff replaces the tariff's fields, addons and prices with d's.
// Prices that change for existing services belong in a PriceVersion. It
// needs catalog:edit.
func (s *Service) UpdateTariff(ctx context.Context, actor billkit.Actor, id TariffID, d TariffDoc) (*Tariff, error) {
	var v billkit.FieldErrors
	cs, us := tariffRefs("", d)
	if err := s.begin(ctx, actor, billkit.OpEdit, &v, cs, us); err != nil {
		return nil, err
	}
	return s.updateTariff(ctx, actor, id, &v, func(sn *snapshot, old *Tariff) TariffDoc { return d })
}

// updateTariff rebuilds the tariff from the document edit makes of it.
func (s *Service) updateTariff(ctx context.Context, actor billkit.Actor, id TariffID, v *billkit.FieldErrors, edit func(sn *snapshot, old *Tariff) TariffDoc) (*Tariff, error) {
	cur, err := s.store.GetTariff(ctx, id)
	if err != nil {
		return nil, err
	}
	var out *Tariff
	err = s.write(ctx, cur.ProviderID, func(tx Store, sn *snapshot) error {
		old, ok := sn.tariffByID[id]
		if !ok {
			return billkit.NotFound("tariff", id)
		}
		now := s.now()
		d := edit(sn, old)
		if err := v.Err(); err != nil {
			return err
		}
		t := sn.buildTariff(v, "", d, old, now)
		if o, ok := sn.tariffs[t.Code]; ok && o.ID != id {
			codeTaken(v, "code", "tariff", t.Code, true)
		}
		if err := v.Err(); err != nil {
			return err
		}
		if sameJSON(sn.tariffDoc(old), sn.tariffDoc(t)) {
			out = old
			return nil
		}
		out = t
		update := func(ctx context.Context, t *Tariff) error { return updateTariffOver(ctx, tx, old, t) }
		_, err := save(ctx, tx, actor, now, ObjectTariff, t.ID.String(), old, t, false, tx.InsertTariff, update)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// updateTariffOver writes t over old, the tariff as the transaction read
// it: every field, and the stock only when t's differs from old's. Orders
// take stock meanwhile, so an edit that keeps the stock must not write
// back the one it read; one that sets it ("there are now 10") wins.
func updateTariffOver(ctx context.Context, tx Store, old, t *Tariff) error {
	if err := tx.UpdateTariff(ctx, t); err != nil {
		return err
	}
	if old != nil && sameStock(old.Stock, t.Stock) {
		return nil
	}
	return tx.SetTariffStock(ctx, t.ID, t.Stock)
}

// tariffUpdater is updateTariffOver for the tariffs of an applied
// document, each over the one stored.
func tariffUpdater(tx Store, items []applied[Tariff]) func(context.Context, *Tariff) error {
	old := make(map[TariffID]*Tariff, len(items))
	for _, it := range items {
		if it.old != nil {
			old[it.old.ID] = it.old
		}
	}
	return func(ctx context.Context, t *Tariff) error { return updateTariffOver(ctx, tx, old[t.ID], t) }
}

// sameStock reports whether two stocks are equal, nil (unlimited) included.
func sameStock(a, b *int) bool {
	return a == nil && b == nil || a != nil && b != nil && *a == *b
}

// SetTariffStatus puts a tariff on sale (active), hides it or archives it.
// It needs catalog:edit.
func (s *Service) SetTariffStatus(ctx context.Context, actor billkit.Actor, id TariffID, status TariffStatus) (*Tariff, error) {
	var v billkit.FieldErrors
	v.Check(status.Valid(), "status", "catalog.status_unknown", "must be active, hidden or archived")
	if err := s.begin(ctx, actor, billkit.OpEdit, &v, nil, nil); err != nil {
		return nil, err
	}
	return s.updateTariff(ctx, actor, id, &v, func(sn *snapshot, old *Tariff) TariffDoc {
		d := sn.tariffDoc(old)
		d.Status = status
		return d
	})
}

// DeleteTariff deletes a tariff and its price versions. A tariff an OS
// image offers or an agreement names is failed_precondition
// catalog.tariff_in_use. Tariffs that were sold are archived instead. It
// needs catalog:delete.
func (s *Service) DeleteTariff(ctx context.Context, actor billkit.Actor, id TariffID) error {
	if err := actor.Validate(); err != nil {
		return err
	}
	if err := authorize(actor, billkit.OpDelete); err != nil {
		return err
	}
	cur, err := s.store.GetTariff(ctx, id)
	if err != nil {
		return err
	}
	return s.write(ctx, cur.ProviderID, func(tx Store, sn *snapshot) error {
		var users []string
		for _, code := range sn.imageOrder {
			for _, t := range sn.images[code].TariffIDs {
				if t == id {
					users = append(users, "os image "+code)
				}
			}
		}
		for _, code := range sn.agreementOrder {
			if sn.agreements[code].Requires(id) {
				users = append(users, "agreement "+code)
			}
		}
		if len(users) > 0 {
			return inUse("tariff", cur.Code, users)
		}
		if err := tx.DeleteTariff(ctx, id); err != nil {
			return err
		}
		return record(ctx, tx, actor, s.now(), ObjectTariff, "delete", id.String(), cur, nil)
	})
}
