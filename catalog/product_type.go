package catalog

import (
	"context"
	"strings"
	"time"

	"github.com/billkit/billkit"
)

// productTypeDoc is t as a document.
func productTypeDoc(t *ProductType) ProductTypeDoc {
	return ProductTypeDoc{
		Code: t.Code, Kind: t.Kind, Name: t.Name, Module: t.Module,
		ServiceNameTemplate: t.ServiceNameTemplate, Lifecycle: t.Lifecycle,
		AllowHourly: t.AllowHourly, DisplayOrder: t.DisplayOrder,
	}
}

// buildProductType checks d and returns the product type it describes over
// old (nil for a new one).
func buildProductType(v *billkit.FieldErrors, prefix string, provider billkit.ProviderID, d ProductTypeDoc, old *ProductType, now time.Time) *ProductType {
	var w billkit.FieldErrors
	t := &ProductType{
		ProviderID:          provider,
		Code:                strings.TrimSpace(d.Code),
		Kind:                d.Kind,
		Name:                checkLocalized(&w, "name", d.Name, 200, true),
		Module:              checkText(&w, "module", d.Module, 100, false),
		ServiceNameTemplate: checkText(&w, "service_name_template", d.ServiceNameTemplate, 500, false),
		Lifecycle:           d.Lifecycle,
		AllowHourly:         d.AllowHourly,
		DisplayOrder:        d.DisplayOrder,
	}
	checkCode(&w, "code", t.Code)
	if t.Kind == "" {
		t.Kind = KindCustom
	}
	w.Check(t.Kind.Valid(), "kind", "catalog.kind_unknown", "must be one of hosting, vps, dedicated, domain, ssl, dns, vps_reselling, licence, other, custom")
	if t.Lifecycle.ClientDelete == "" {
		t.Lifecycle.ClientDelete = ClientDeleteNever
	}
	w.Check(t.Lifecycle.ClientDelete.Valid(), "lifecycle.client_delete", "catalog.client_delete_unknown", "must be never, yes or at_period_end")
	w.Check(t.Lifecycle.ChangePolicy == "" || t.Lifecycle.ChangePolicy.Valid(), "lifecycle.change_policy", ReasonChangePolicyUnknown,
		"must be now or at_renewal")
	nonNegative(&w, "lifecycle.grace_days", t.Lifecycle.GraceDays)
	nonNegative(&w, "lifecycle.delete_after_days", t.Lifecycle.DeleteAfterDays)
	nonNegative(&w, "lifecycle.trial_days", t.Lifecycle.TrialDays)
	v.Merge(prefix, w.Err())
	if old == nil {
		t.ID = billkit.NewID[ProductType]()
	} else {
		t.ID = old.ID
	}
	t.CreatedAt, t.UpdatedAt = stamp(createdOf(old), old == nil, now)
	return t
}

func createdOf[T interface{ created() time.Time }](old T) time.Time {
	var zero T
	if any(old) == any(zero) {
		return time.Time{}
	}
	return old.created()
}

func (t *ProductType) created() time.Time { return t.CreatedAt }

// CreateProductType adds a product type to the provider's catalog. It needs
// catalog:create.
func (s *Service) CreateProductType(ctx context.Context, actor billkit.Actor, provider billkit.ProviderID, d ProductTypeDoc) (*ProductType, error) {
	var v billkit.FieldErrors
	checkProvider(&v, provider)
	if err := s.begin(ctx, actor, billkit.OpCreate, &v, nil, nil); err != nil {
		return nil, err
	}
	var out *ProductType
	err := s.write(ctx, provider, func(tx Store, sn *snapshot) error {
		now := s.now()
		t := buildProductType(&v, "", provider, d, nil, now)
		if err := v.Err(); err != nil {
			return err
		}
		if _, ok := sn.types[t.Code]; ok {
			return exists("product_type", t.Code)
		}
		out = t
		_, err := save(ctx, tx, actor, now, ObjectProductType, t.ID.String(), nil, t, false, tx.InsertProductType, tx.UpdateProductType)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// GetProductType returns a product type. It needs catalog:read.
func (s *Service) GetProductType(ctx context.Context, actor billkit.Actor, id ProductTypeID) (*ProductType, error) {
	if err := read(actor); err != nil {
		return nil, err
	}
	return s.store.GetProductType(ctx, id)
}

// ListProductTypes lists product types by display order and code. It needs
// catalog:read.
func (s *Service) ListProductTypes(ctx context.Context, actor billkit.Actor, f ProductTypeFilter) (billkit.Page[ProductType], error) {
	if err := read(actor); err != nil {
		return billkit.Page[ProductType]{}, err
	}
	if err := f.PageParams.Validate(); err != nil {
		return billkit.Page[ProductType]{}, err
	}
	return s.store.ListProductTypes(ctx, f)
}

// UpdateProductType replaces the product type's fields with d's. It needs
// catalog:edit. An update that changes nothing writes and records nothing.
func (s *Service) UpdateProductType(ctx context.Context, actor billkit.Actor, id ProductTypeID, d ProductTypeDoc) (*ProductType, error) {
	var v billkit.FieldErrors
	if err := s.begin(ctx, actor, billkit.OpEdit, &v, nil, nil); err != nil {
		return nil, err
	}
	old, err := s.store.GetProductType(ctx, id)
	if err != nil {
		return nil, err
	}
	var out *ProductType
	err = s.write(ctx, old.ProviderID, func(tx Store, sn *snapshot) error {
		old, ok := sn.typeByID[id]
		if !ok {
			return billkit.NotFound("product_type", id)
		}
		now := s.now()
		t := buildProductType(&v, "", old.ProviderID, d, old, now)
		if o, ok := sn.types[t.Code]; ok && o.ID != id {
			codeTaken(&v, "code", "product_type", t.Code, true)
		}
		// Hourly prices of its tariffs must stay allowed.
		if old.AllowHourly && !t.AllowHourly {
			for _, code := range sn.tariffOrder {
				tr := sn.tariffs[code]
				if tr.ProductTypeID != id {
					continue
				}
				if len(hourlyPrices(tr)) > 0 {
					v.Add("allow_hourly", ReasonPeriodNotAllowed, "tariff "+tr.Code+" has hourly prices")
				}
			}
		}
		if err := v.Err(); err != nil {
			return err
		}
		same := sameJSON(productTypeDoc(old), productTypeDoc(t))
		if same {
			out = old
			return nil
		}
		out = t
		_, err := save(ctx, tx, actor, now, ObjectProductType, t.ID.String(), old, t, false, tx.InsertProductType, tx.UpdateProductType)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// hourlyPrices lists a tariff's hourly prices, its addons' included.
func hourlyPrices(t *Tariff) []Price {
	var out []Price
	add := func(ps []Price) {
		for _, p := range ps {
			if p.Period == PeriodHour {
				out = append(out, p)
			}
		}
	}
	add(t.Prices)
	for _, a := range t.Addons {
		add(a.Prices)
		for _, o := range a.Options {
			add(o.Prices)
		}
	}
	return out
}

// DeleteProductType deletes a product type no tariff or OS image refers
// to; one in use is failed_precondition catalog.product_type_in_use. It
// needs catalog:delete.
func (s *Service) DeleteProductType(ctx context.Context, actor billkit.Actor, id ProductTypeID) error {
	if err := actor.Validate(); err != nil {
		return err
	}
	if err := authorize(actor, billkit.OpDelete); err != nil {
		return err
	}
	old, err := s.store.GetProductType(ctx, id)
	if err != nil {
		return err
	}
	return s.write(ctx, old.ProviderID, func(tx Store, sn *snapshot) error {
		t, ok := sn.typeByID[id]
		if !ok {
			return billkit.NotFound("product_type", id)
		}
		var users []string
		for _, code := range sn.tariffOrder {
			if sn.tariffs[code].ProductTypeID == id {
				users = append(users, "tariff "+code)
			}
		}
		for _, code := range sn.imageOrder {
			for _, pt := range sn.images[code].ProductTypeIDs {
				if pt == id {
					users = append(users, "os image "+code)
				}
			}
		}
		if len(users) > 0 {
			return inUse("product_type", t.Code, users)
		}
		if err := tx.DeleteProductType(ctx, id); err != nil {
			return err
		}
		return record(ctx, tx, actor, s.now(), ObjectProductType, "delete", id.String(), t, nil)
	})
}
