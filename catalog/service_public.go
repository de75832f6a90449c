package catalog

import (
	"context"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/directory"
)

// PublicCatalog returns the storefront view of the provider's catalog (see
// Storefront) with names in locale ("" for English). It needs no actor:
// what it shows is public. Prices are those in force on today's date (UTC).
func (s *Service) PublicCatalog(ctx context.Context, provider billkit.ProviderID, locale string) (*Storefront, error) {
	if provider.IsZero() {
		return nil, billkit.InvalidField("provider_id", "required", "is required")
	}
	if locale == "" {
		locale = directory.FallbackLocale
	}
	var sn *snapshot
	err := s.store.InTx(ctx, func(tx Store) error {
		var err error
		sn, err = loadSnapshot(ctx, tx, provider)
		return err
	})
	if err != nil {
		return nil, err
	}
	today := billkit.DateOf(s.clock.Now().UTC())
	out := &Storefront{ProviderID: provider, Locale: locale, Groups: []StorefrontGroup{}, Tariffs: []PublicTariff{}}
	versions := map[TariffID][]PriceVersion{}
	for _, k := range sn.versionOrder {
		versions[k.tariff] = append(versions[k.tariff], *sn.versions[k])
	}
	shown := map[TariffGroupID]bool{}
	for _, code := range sn.tariffOrder {
		t := sn.tariffs[code]
		if t.Status != TariffActive || len(t.ClientGroupIDs) > 0 {
			continue
		}
		priced := t.PriceAt(versions[t.ID], today)
		pt := sn.typeByID[t.ProductTypeID]
		p := PublicTariff{
			Code: t.Code, Name: t.Name.Get(locale), Description: t.Description.Get(locale),
			Group: sn.groupCode(t.GroupID), Currency: t.Currency, Prices: priced.Prices,
			InStock: t.Stock == nil || *t.Stock > 0, Addons: []PublicAddon{},
			Agreements: []PublicAgreement{}, OSImages: []PublicOSImage{}, Datacenters: append([]string{}, t.Datacenters...),
		}
		if pt != nil {
			p.ProductType, p.Kind, p.TrialDays = pt.Code, pt.Kind, pt.Lifecycle.TrialDays
		}
		if t.TrialDays != nil {
			p.TrialDays = *t.TrialDays
		}
		for i := range priced.Addons {
			a := &priced.Addons[i]
			pa := PublicAddon{
				Code: a.Code, Name: a.Name.Get(locale), BillingType: a.BillingType, Unit: a.Unit,
				Min: a.Min, Max: a.Max, Step: a.Step, Included: a.Included, Default: a.DefaultValue(),
				Prices: a.Prices, Changeable: a.Changeable,
			}
			e := sn.enums[a.Enumeration]
			for _, o := range a.Options {
				name := o.Value
				if e != nil {
					if ev, ok := e.Value(o.Value); ok {
						name = ev.Name.Get(locale)
					}
				}
				pa.Options = append(pa.Options, PublicOption{Value: o.Value, Name: name, Prices: o.Prices})
			}
			p.Addons = append(p.Addons, pa)
		}
		for _, ac := range sn.agreementOrder {
			a := sn.agreements[ac]
			if a.Requires(t.ID) {
				p.Agreements = append(p.Agreements, PublicAgreement{Code: a.Code, Title: a.Title.Get(locale), Text: a.Text.Get(locale), Version: a.Version})
			}
		}
		for _, ic := range sn.imageOrder {
			o := sn.images[ic]
			if o.Offers(t) {
				p.OSImages = append(p.OSImages, PublicOSImage{Code: o.Code, Name: o.Name, Family: o.Family, Version: o.Version})
			}
		}
		out.Tariffs = append(out.Tariffs, p)
		shown[t.GroupID] = true
	}
	for _, code := range sn.groupOrder {
		g := sn.groups[code]
		if shown[g.ID] {
			out.Groups = append(out.Groups, StorefrontGroup{Code: g.Code, Name: g.Name.Get(locale), DisplayOrder: g.DisplayOrder})
		}
	}
	return out, nil
}
