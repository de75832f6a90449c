package catalog

import (
	"context"

	"github.com/billkit/billkit"
)

// snapshot is a provider's whole catalog in memory, indexed by code and ID.
// Writes build their entities against it (so references by code resolve
// the same way for one entity and for a whole document) and then store the
// ones that changed.
type snapshot struct {
	provider   billkit.ProviderID
	types      map[string]*ProductType
	typeByID   map[ProductTypeID]*ProductType
	groups     map[string]*TariffGroup
	groupByID  map[TariffGroupID]*TariffGroup
	enums      map[string]*Enumeration
	tariffs    map[string]*Tariff
	tariffByID map[TariffID]*Tariff
	images     map[string]*OSImage
	agreements map[string]*Agreement
	versions   map[versionKey]*PriceVersion
	// order keeps the entities of each kind in list order, for export.
	typeOrder, groupOrder, enumOrder, tariffOrder, imageOrder, agreementOrder []string
	versionOrder                                                              []versionKey
}

type versionKey struct {
	tariff TariffID
	date   billkit.Date
}

func newSnapshot(provider billkit.ProviderID) *snapshot {
	return &snapshot{
		provider:   provider,
		types:      map[string]*ProductType{},
		typeByID:   map[ProductTypeID]*ProductType{},
		groups:     map[string]*TariffGroup{},
		groupByID:  map[TariffGroupID]*TariffGroup{},
		enums:      map[string]*Enumeration{},
		tariffs:    map[string]*Tariff{},
		tariffByID: map[TariffID]*Tariff{},
		images:     map[string]*OSImage{},
		agreements: map[string]*Agreement{},
		versions:   map[versionKey]*PriceVersion{},
	}
}

// loadSnapshot reads the provider's catalog from st.
func loadSnapshot(ctx context.Context, st Store, provider billkit.ProviderID) (*snapshot, error) {
	sn := newSnapshot(provider)
	types, err := allPages(func(pp billkit.PageParams) (billkit.Page[ProductType], error) {
		return st.ListProductTypes(ctx, ProductTypeFilter{ProviderID: provider, PageParams: pp})
	})
	if err != nil {
		return nil, err
	}
	for i := range types {
		sn.putType(&types[i])
	}
	groups, err := allPages(func(pp billkit.PageParams) (billkit.Page[TariffGroup], error) {
		return st.ListTariffGroups(ctx, TariffGroupFilter{ProviderID: provider, PageParams: pp})
	})
	if err != nil {
		return nil, err
	}
	for i := range groups {
		sn.putGroup(&groups[i])
	}
	enums, err := allPages(func(pp billkit.PageParams) (billkit.Page[Enumeration], error) {
		return st.ListEnumerations(ctx, EnumerationFilter{ProviderID: provider, PageParams: pp})
	})
	if err != nil {
		return nil, err
	}
	for i := range enums {
		sn.putEnum(&enums[i])
	}
	tariffs, err := allPages(func(pp billkit.PageParams) (billkit.Page[Tariff], error) {
		return st.ListTariffs(ctx, TariffFilter{ProviderID: provider, PageParams: pp})
	})
	if err != nil {
		return nil, err
	}
	for i := range tariffs {
		sn.putTariff(&tariffs[i])
	}
	images, err := allPages(func(pp billkit.PageParams) (billkit.Page[OSImage], error) {
		return st.ListOSImages(ctx, OSImageFilter{ProviderID: provider, PageParams: pp})
	})
	if err != nil {
		return nil, err
	}
	for i := range images {
		sn.putImage(&images[i])
	}
	agreements, err := allPages(func(pp billkit.PageParams) (billkit.Page[Agreement], error) {
		return st.ListAgreements(ctx, AgreementFilter{ProviderID: provider, PageParams: pp})
	})
	if err != nil {
		return nil, err
	}
	for i := range agreements {
		sn.putAgreement(&agreements[i])
	}
	versions, err := allPages(func(pp billkit.PageParams) (billkit.Page[PriceVersion], error) {
		return st.ListPriceVersions(ctx, PriceVersionFilter{ProviderID: provider, PageParams: pp})
	})
	if err != nil {
		return nil, err
	}
	for i := range versions {
		sn.putVersion(&versions[i])
	}
	return sn, nil
}

// The put methods add or replace an entity (found by code; a new code of a
// known ID moves it).

func (sn *snapshot) putType(t *ProductType) {
	if old, ok := sn.typeByID[t.ID]; ok && old.Code != t.Code {
		delete(sn.types, old.Code)
	}
	if _, ok := sn.types[t.Code]; !ok {
		sn.typeOrder = append(sn.typeOrder, t.Code)
	}
	sn.types[t.Code], sn.typeByID[t.ID] = t, t
}

func (sn *snapshot) putGroup(g *TariffGroup) {
	if old, ok := sn.groupByID[g.ID]; ok && old.Code != g.Code {
		delete(sn.groups, old.Code)
	}
	if _, ok := sn.groups[g.Code]; !ok {
		sn.groupOrder = append(sn.groupOrder, g.Code)
	}
	sn.groups[g.Code], sn.groupByID[g.ID] = g, g
}

func (sn *snapshot) putEnum(e *Enumeration) {
	if _, ok := sn.enums[e.Code]; !ok {
		sn.enumOrder = append(sn.enumOrder, e.Code)
	}
	sn.enums[e.Code] = e
}

func (sn *snapshot) putTariff(t *Tariff) {
	if old, ok := sn.tariffByID[t.ID]; ok && old.Code != t.Code {
		delete(sn.tariffs, old.Code)
	}
	if _, ok := sn.tariffs[t.Code]; !ok {
		sn.tariffOrder = append(sn.tariffOrder, t.Code)
	}
	sn.tariffs[t.Code], sn.tariffByID[t.ID] = t, t
}

func (sn *snapshot) putImage(o *OSImage) {
	if _, ok := sn.images[o.Code]; !ok {
		sn.imageOrder = append(sn.imageOrder, o.Code)
	}
	sn.images[o.Code] = o
}

func (sn *snapshot) putAgreement(a *Agreement) {
	if _, ok := sn.agreements[a.Code]; !ok {
		sn.agreementOrder = append(sn.agreementOrder, a.Code)
	}
	sn.agreements[a.Code] = a
}

func (sn *snapshot) putVersion(pv *PriceVersion) {
	k := versionKey{pv.TariffID, pv.EffectiveDate}
	if _, ok := sn.versions[k]; !ok {
		sn.versionOrder = append(sn.versionOrder, k)
	}
	sn.versions[k] = pv
}

// enumMap is the enumerations by code, as ValidateTariff takes them.
func (sn *snapshot) enumMap() map[string]*Enumeration { return sn.enums }

// typeCode, groupCode and tariffCode name an ID's entity by code ("" for a
// zero or unknown ID).
func (sn *snapshot) typeCode(id ProductTypeID) string {
	if t, ok := sn.typeByID[id]; ok {
		return t.Code
	}
	return ""
}

func (sn *snapshot) groupCode(id TariffGroupID) string {
	if g, ok := sn.groupByID[id]; ok {
		return g.Code
	}
	return ""
}

func (sn *snapshot) tariffCode(id TariffID) string {
	if t, ok := sn.tariffByID[id]; ok {
		return t.Code
	}
	return ""
}
