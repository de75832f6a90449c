package catalog

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/billkit/billkit"
)

// applied is one entity of an applied document: what it was, and what the
// document makes it.
type applied[T any] struct {
	old, next *T
	same      bool
	label     string
}

// ApplyCatalog applies a whole catalog document to the provider
// c.ProviderID in one transaction: every entity it lists is created when
// its code is new, updated when it differs, and left alone when equal;
// nothing is deleted (see Catalog). The whole document is validated before
// anything is written: a bad row is an invalid error naming it
// ("tariffs[3].prices.month.USD.amount") and nothing is stored. Entities
// may refer to entities of the document or already stored ones. Applying
// the same document twice changes nothing the second time. Every created
// or updated entity is recorded in the action log. It needs catalog:create
// and catalog:edit.
func (s *Service) ApplyCatalog(ctx context.Context, actor billkit.Actor, c Catalog) (ApplyResult, error) {
	if err := actor.Validate(); err != nil {
		return ApplyResult{}, err
	}
	var v billkit.FieldErrors
	checkProvider(&v, c.ProviderID)
	dupes(&v, "product_types", len(c.ProductTypes), func(i int) string { return c.ProductTypes[i].Code })
	dupes(&v, "enumerations", len(c.Enumerations), func(i int) string { return c.Enumerations[i].Code })
	dupes(&v, "groups", len(c.Groups), func(i int) string { return c.Groups[i].Code })
	dupes(&v, "tariffs", len(c.Tariffs), func(i int) string { return c.Tariffs[i].Code })
	dupes(&v, "os_images", len(c.OSImages), func(i int) string { return c.OSImages[i].Code })
	dupes(&v, "agreements", len(c.Agreements), func(i int) string { return c.Agreements[i].Code })
	dupes(&v, "price_versions", len(c.PriceVersions), func(i int) string {
		return c.PriceVersions[i].Tariff + " " + c.PriceVersions[i].EffectiveDate.String()
	})
	var currencies, units []ref
	for i, d := range c.Tariffs {
		cs, us := tariffRefs(fmt.Sprintf("tariffs[%d]", i), d)
		currencies, units = append(currencies, cs...), append(units, us...)
	}
	for i, d := range c.PriceVersions {
		currencies = append(currencies, versionRefs(fmt.Sprintf("price_versions[%d]", i), d)...)
	}
	if err := s.checkDirectory(ctx, &v, currencies, units); err != nil {
		return ApplyResult{}, err
	}
	if err := authorize(actor, billkit.OpCreate); err != nil {
		return ApplyResult{}, err
	}
	if err := authorize(actor, billkit.OpEdit); err != nil {
		return ApplyResult{}, err
	}
	var res ApplyResult
	err := s.write(ctx, c.ProviderID, func(tx Store, sn *snapshot) error {
		res = ApplyResult{}
		now := s.now()
		// Build everything first, against the snapshot with the document's
		// entities put in, so that references resolve in any order.
		types := make([]applied[ProductType], len(c.ProductTypes))
		for i, d := range c.ProductTypes {
			old := sn.types[strings.TrimSpace(d.Code)]
			t := buildProductType(&v, fmt.Sprintf("product_types[%d]", i), c.ProviderID, d, old, now)
			types[i] = applied[ProductType]{old: old, next: t, label: "product_type " + t.Code}
			if old != nil {
				types[i].same = sameJSON(productTypeDoc(old), productTypeDoc(t))
			}
			sn.putType(t)
		}
		enums := make([]applied[Enumeration], len(c.Enumerations))
		for i, d := range c.Enumerations {
			old := sn.enums[strings.TrimSpace(d.Code)]
			e := buildEnumeration(&v, fmt.Sprintf("enumerations[%d]", i), c.ProviderID, d, old, now)
			enums[i] = applied[Enumeration]{old: old, next: e, label: "enumeration " + e.Code}
			if old != nil {
				enums[i].same = sameJSON(enumerationDoc(old), enumerationDoc(e))
			}
			sn.putEnum(e)
		}
		groups := make([]applied[TariffGroup], len(c.Groups))
		for i, d := range c.Groups {
			code := strings.TrimSpace(d.Code)
			groups[i].old = sn.groups[code]
			if groups[i].old == nil && ValidCode(code) {
				sn.putGroup(&TariffGroup{ID: billkit.NewID[TariffGroup](), ProviderID: c.ProviderID, Code: code})
			}
		}
		for i, d := range c.Groups {
			old := groups[i].old
			placeholder := sn.groups[strings.TrimSpace(d.Code)]
			g := sn.buildGroup(&v, fmt.Sprintf("groups[%d]", i), d, old, now)
			if old == nil && placeholder != nil {
				g.ID = placeholder.ID
			}
			groups[i].next, groups[i].label = g, "tariff_group "+g.Code
		}
		for i := range groups {
			g := groups[i].next
			if groups[i].old != nil {
				groups[i].same = sameJSON(sn.groupDoc(groups[i].old), sn.groupDoc(g))
			}
			sn.putGroup(g)
		}
		tariffs := make([]applied[Tariff], len(c.Tariffs))
		for i, d := range c.Tariffs {
			old := sn.tariffs[strings.TrimSpace(d.Code)]
			t := sn.buildTariff(&v, fmt.Sprintf("tariffs[%d]", i), d, old, now)
			tariffs[i] = applied[Tariff]{old: old, next: t, label: "tariff " + t.Code}
			if old != nil {
				tariffs[i].same = sameJSON(sn.tariffDoc(old), sn.tariffDoc(t))
			}
			sn.putTariff(t)
		}
		for _, e := range enums {
			checkEnumUsers(&v, "enumerations", sn, e.next)
		}
		images := make([]applied[OSImage], len(c.OSImages))
		for i, d := range c.OSImages {
			old := sn.images[strings.TrimSpace(d.Code)]
			o := sn.buildImage(&v, fmt.Sprintf("os_images[%d]", i), d, old, now)
			images[i] = applied[OSImage]{old: old, next: o, label: "os_image " + o.Code}
			if old != nil {
				images[i].same = sameJSON(sn.imageDoc(old), sn.imageDoc(o))
			}
			sn.putImage(o)
		}
		agreements := make([]applied[Agreement], len(c.Agreements))
		for i, d := range c.Agreements {
			old := sn.agreements[strings.TrimSpace(d.Code)]
			a := sn.buildAgreement(&v, fmt.Sprintf("agreements[%d]", i), d, old, now)
			agreements[i] = applied[Agreement]{old: old, next: a, label: "agreement " + a.Code}
			if old != nil {
				agreements[i].same = sn.sameAgreement(old, a)
			}
			sn.putAgreement(a)
		}
		versions := make([]applied[PriceVersion], len(c.PriceVersions))
		for i, d := range c.PriceVersions {
			var old *PriceVersion
			if t, ok := sn.tariffs[d.Tariff]; ok {
				old = sn.versions[versionKey{t.ID, d.EffectiveDate}]
			}
			pv := sn.buildVersion(&v, fmt.Sprintf("price_versions[%d]", i), d, old, now)
			versions[i] = applied[PriceVersion]{old: old, next: pv, label: "price_version " + d.Tariff + " " + d.EffectiveDate.String()}
			if old != nil {
				versions[i].same = sameJSON(sn.versionDoc(old), sn.versionDoc(pv))
			}
			sn.putVersion(pv)
		}
		if err := v.Err(); err != nil {
			return err
		}
		// Then write, parents first.
		w := applyWriter{ctx: ctx, tx: tx, actor: actor, now: s.now(), res: &res}
		if err := applyAll(w, ObjectProductType, types, func(t *ProductType) string { return t.ID.String() }, tx.InsertProductType, tx.UpdateProductType); err != nil {
			return err
		}
		if err := applyAll(w, ObjectEnumeration, enums, func(e *Enumeration) string { return e.ID.String() }, tx.InsertEnumeration, tx.UpdateEnumeration); err != nil {
			return err
		}
		if err := applyAll(w, ObjectTariffGroup, groups, func(g *TariffGroup) string { return g.ID.String() }, tx.InsertTariffGroup, tx.UpdateTariffGroup); err != nil {
			return err
		}
		if err := applyAll(w, ObjectTariff, tariffs, func(t *Tariff) string { return t.ID.String() }, tx.InsertTariff, tariffUpdater(tx, tariffs)); err != nil {
			return err
		}
		if err := applyAll(w, ObjectOSImage, images, func(o *OSImage) string { return o.ID.String() }, tx.InsertOSImage, tx.UpdateOSImage); err != nil {
			return err
		}
		if err := applyAll(w, ObjectAgreement, agreements, func(a *Agreement) string { return a.ID.String() }, tx.InsertAgreement, tx.UpdateAgreement); err != nil {
			return err
		}
		return applyAll(w, ObjectPriceVersion, versions, func(pv *PriceVersion) string { return pv.ID.String() }, tx.InsertPriceVersion, tx.UpdatePriceVersion)
	})
	if err != nil {
		return ApplyResult{}, err
	}
	return res, nil
}

type applyWriter struct {
	ctx   context.Context
	tx    Store
	actor billkit.Actor
	now   time.Time
	res   *ApplyResult
}

func applyAll[T any](w applyWriter, object string, items []applied[T], id func(*T) string, insert, update func(context.Context, *T) error) error {
	for _, it := range items {
		o, err := save(w.ctx, w.tx, w.actor, w.now, object, id(it.next), it.old, it.next, it.same, insert, update)
		if err != nil {
			return err
		}
		switch o {
		case created:
			w.res.Created++
			w.res.Changes = append(w.res.Changes, it.label+": created")
		case updated:
			w.res.Updated++
			w.res.Changes = append(w.res.Changes, it.label+": updated")
		default:
			w.res.Unchanged++
		}
	}
	return nil
}

// dupes reports codes used twice in a list of a document.
func dupes(v *billkit.FieldErrors, list string, n int, code func(int) string) {
	seen := map[string]bool{}
	for i := 0; i < n; i++ {
		c := strings.TrimSpace(code(i))
		if c == "" {
			continue
		}
		v.Check(!seen[c], fmt.Sprintf("%s[%d].code", list, i), ReasonCodeDuplicate, fmt.Sprintf("%q is listed twice", c))
		seen[c] = true
	}
}

// ExportCatalog returns the provider's whole catalog as a document that
// ApplyCatalog takes back unchanged. It needs catalog:read.
func (s *Service) ExportCatalog(ctx context.Context, actor billkit.Actor, provider billkit.ProviderID) (Catalog, error) {
	if err := read(actor); err != nil {
		return Catalog{}, err
	}
	var sn *snapshot
	err := s.store.InTx(ctx, func(tx Store) error {
		var err error
		sn, err = loadSnapshot(ctx, tx, provider)
		return err
	})
	if err != nil {
		return Catalog{}, err
	}
	return sn.document(), nil
}

// document is the snapshot as a Catalog.
func (sn *snapshot) document() Catalog {
	c := Catalog{ProviderID: sn.provider}
	for _, code := range sn.typeOrder {
		c.ProductTypes = append(c.ProductTypes, productTypeDoc(sn.types[code]))
	}
	for _, code := range sn.enumOrder {
		c.Enumerations = append(c.Enumerations, enumerationDoc(sn.enums[code]))
	}
	for _, code := range sn.groupOrder {
		c.Groups = append(c.Groups, sn.groupDoc(sn.groups[code]))
	}
	for _, code := range sn.tariffOrder {
		c.Tariffs = append(c.Tariffs, sn.tariffDoc(sn.tariffs[code]))
	}
	for _, code := range sn.imageOrder {
		c.OSImages = append(c.OSImages, sn.imageDoc(sn.images[code]))
	}
	for _, code := range sn.agreementOrder {
		c.Agreements = append(c.Agreements, sn.agreementDoc(sn.agreements[code]))
	}
	for _, k := range sn.versionOrder {
		c.PriceVersions = append(c.PriceVersions, sn.versionDoc(sn.versions[k]))
	}
	return c
}
