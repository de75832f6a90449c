package catalog

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/billkit/billkit"
)

func (sn *snapshot) imageDoc(o *OSImage) OSImageDoc {
	d := OSImageDoc{Code: o.Code, Name: o.Name, Family: o.Family, Version: o.Version}
	for _, id := range o.TariffIDs {
		d.Tariffs = append(d.Tariffs, sn.tariffCode(id))
	}
	for _, id := range o.ProductTypeIDs {
		d.ProductTypes = append(d.ProductTypes, sn.typeCode(id))
	}
	return d
}

func (o *OSImage) created() time.Time { return o.CreatedAt }

// resolveTariffs turns tariff codes into IDs, reporting unknown ones.
func (sn *snapshot) resolveTariffs(w *billkit.FieldErrors, field string, codes []string) []TariffID {
	out := []TariffID{}
	seen := map[string]bool{}
	for i, c := range codes {
		t, ok := sn.tariffs[c]
		if w.Check(ok, fmt.Sprintf("%s[%d]", field, i), ReasonReferenceUnknown, fmt.Sprintf("%q is not a tariff", c)) && !seen[c] {
			out = append(out, t.ID)
			seen[c] = true
		}
	}
	return out
}

func (sn *snapshot) buildImage(v *billkit.FieldErrors, prefix string, d OSImageDoc, old *OSImage, now time.Time) *OSImage {
	var w billkit.FieldErrors
	o := &OSImage{
		ProviderID:     sn.provider,
		Code:           strings.TrimSpace(d.Code),
		Name:           checkText(&w, "name", d.Name, 200, true),
		Family:         strings.ToLower(checkText(&w, "family", d.Family, 50, false)),
		Version:        checkText(&w, "version", d.Version, 50, false),
		TariffIDs:      sn.resolveTariffs(&w, "tariffs", d.Tariffs),
		ProductTypeIDs: []ProductTypeID{},
	}
	checkCode(&w, "code", o.Code)
	seen := map[string]bool{}
	for i, c := range d.ProductTypes {
		t, ok := sn.types[c]
		if w.Check(ok, fmt.Sprintf("product_types[%d]", i), ReasonReferenceUnknown, fmt.Sprintf("%q is not a product type", c)) && !seen[c] {
			o.ProductTypeIDs = append(o.ProductTypeIDs, t.ID)
			seen[c] = true
		}
	}
	v.Merge(prefix, w.Err())
	if old == nil {
		o.ID = billkit.NewID[OSImage]()
	} else {
		o.ID = old.ID
	}
	o.CreatedAt, o.UpdatedAt = stamp(createdOf(old), old == nil, now)
	return o
}

// CreateOSImage adds an OS image. It needs catalog:create.
func (s *Service) CreateOSImage(ctx context.Context, actor billkit.Actor, provider billkit.ProviderID, d OSImageDoc) (*OSImage, error) {
	var v billkit.FieldErrors
	checkProvider(&v, provider)
	if err := s.begin(ctx, actor, billkit.OpCreate, &v, nil, nil); err != nil {
		return nil, err
	}
	var out *OSImage
	err := s.write(ctx, provider, func(tx Store, sn *snapshot) error {
		now := s.now()
		o := sn.buildImage(&v, "", d, nil, now)
		if err := v.Err(); err != nil {
			return err
		}
		if _, ok := sn.images[o.Code]; ok {
			return exists("os_image", o.Code)
		}
		out = o
		_, err := save(ctx, tx, actor, now, ObjectOSImage, o.ID.String(), nil, o, false, tx.InsertOSImage, tx.UpdateOSImage)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// GetOSImage returns an OS image. It needs catalog:read.
func (s *Service) GetOSImage(ctx context.Context, actor billkit.Actor, id OSImageID) (*OSImage, error) {
	if err := read(actor); err != nil {
		return nil, err
	}
	return s.store.GetOSImage(ctx, id)
}

// ListOSImages lists OS images by code. It needs catalog:read.
func (s *Service) ListOSImages(ctx context.Context, actor billkit.Actor, f OSImageFilter) (billkit.Page[OSImage], error) {
	if err := read(actor); err != nil {
		return billkit.Page[OSImage]{}, err
	}
	if err := f.PageParams.Validate(); err != nil {
		return billkit.Page[OSImage]{}, err
	}
	return s.store.ListOSImages(ctx, f)
}

// UpdateOSImage replaces the image's fields with d's. It needs catalog:edit.
func (s *Service) UpdateOSImage(ctx context.Context, actor billkit.Actor, id OSImageID, d OSImageDoc) (*OSImage, error) {
	var v billkit.FieldErrors
	if err := s.begin(ctx, actor, billkit.OpEdit, &v, nil, nil); err != nil {
		return nil, err
	}
	cur, err := s.store.GetOSImage(ctx, id)
	if err != nil {
		return nil, err
	}
	var out *OSImage
	err = s.write(ctx, cur.ProviderID, func(tx Store, sn *snapshot) error {
		old, ok := sn.images[cur.Code]
		if !ok || old.ID != id {
			return billkit.NotFound("os_image", id)
		}
		now := s.now()
		o := sn.buildImage(&v, "", d, old, now)
		if x, ok := sn.images[o.Code]; ok && x.ID != id {
			codeTaken(&v, "code", "os_image", o.Code, true)
		}
		if err := v.Err(); err != nil {
			return err
		}
		if sameJSON(sn.imageDoc(old), sn.imageDoc(o)) {
			out = old
			return nil
		}
		out = o
		_, err := save(ctx, tx, actor, now, ObjectOSImage, o.ID.String(), old, o, false, tx.InsertOSImage, tx.UpdateOSImage)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteOSImage deletes an OS image. It needs catalog:delete.
func (s *Service) DeleteOSImage(ctx context.Context, actor billkit.Actor, id OSImageID) error {
	if err := actor.Validate(); err != nil {
		return err
	}
	if err := authorize(actor, billkit.OpDelete); err != nil {
		return err
	}
	return s.store.InTx(ctx, func(tx Store) error {
		cur, err := tx.GetOSImage(ctx, id)
		if err != nil {
			return err
		}
		if err := tx.DeleteOSImage(ctx, id); err != nil {
			return err
		}
		return record(ctx, tx, actor, s.now(), ObjectOSImage, "delete", id.String(), cur, nil)
	})
}
