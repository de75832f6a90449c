package bunstore

import (
	"context"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/catalog"
	"github.com/billkit/billkit/directory"
	"github.com/uptrace/bun"
)

var catalogProductTypes = list[catalog.ProductType]{
	table: table[catalog.ProductType]{
		name: "billkit_catalog_product_types",
		kind: "product_type",
		key:  func(t *catalog.ProductType) any { return t.ID },
		norm: func(t *catalog.ProductType) {
			instant(&t.CreatedAt)
			instant(&t.UpdatedAt)
			if t.Name == nil {
				t.Name = directory.Text{}
			}
		},
	},
	order: catalogDisplayOrder,
	keyOf: func(t *catalog.ProductType) []string { return []string{itoa(t.DisplayOrder), t.Code, t.ID.String()} },
}

var productTypes = catalogEntity[catalog.ProductType]{rows: catalogProductTypes, id: func(t *catalog.ProductType) catalog.ProductTypeID { return t.ID }}

func (c catalogStore) InsertProductType(ctx context.Context, t *catalog.ProductType) error {
	return productTypes.insert(ctx, c.s, t)
}

func (c catalogStore) GetProductType(ctx context.Context, id catalog.ProductTypeID) (*catalog.ProductType, error) {
	return productTypes.get(ctx, c.s, id)
}

func (c catalogStore) GetProductTypeByCode(ctx context.Context, provider billkit.ProviderID, code string) (*catalog.ProductType, error) {
	return productTypes.getByCode(ctx, c.s, provider, code)
}

func (c catalogStore) UpdateProductType(ctx context.Context, t *catalog.ProductType) error {
	return productTypes.update(ctx, c.s, t)
}

func (c catalogStore) DeleteProductType(ctx context.Context, id catalog.ProductTypeID) error {
	return productTypes.delete(ctx, c.s, id)
}

func (c catalogStore) ListProductTypes(ctx context.Context, f catalog.ProductTypeFilter) (billkit.Page[catalog.ProductType], error) {
	return productTypes.list(ctx, c.s, f.PageParams, f.ProviderID, productTypeWhere(f))
}

// productTypeWhere selects the filter's product types but for the provider.
func productTypeWhere(f catalog.ProductTypeFilter) func(*bun.SelectQuery) *bun.SelectQuery {
	return func(q *bun.SelectQuery) *bun.SelectQuery {
		if f.Kind != "" {
			q = q.Where("?TableAlias.kind = ?", f.Kind)
		}
		return q
	}
}

var catalogTariffGroups = list[catalog.TariffGroup]{
	table: table[catalog.TariffGroup]{
		name: "billkit_catalog_tariff_groups",
		kind: "tariff_group",
		key:  func(t *catalog.TariffGroup) any { return t.ID },
		norm: func(t *catalog.TariffGroup) {
			instant(&t.CreatedAt)
			instant(&t.UpdatedAt)
			if t.Name == nil {
				t.Name = directory.Text{}
			}
			if t.ChangeToGroups == nil {
				t.ChangeToGroups = []catalog.TariffGroupID{}
			}
		},
	},
	order: catalogDisplayOrder,
	keyOf: func(t *catalog.TariffGroup) []string { return []string{itoa(t.DisplayOrder), t.Code, t.ID.String()} },
}

var tariffGroups = catalogEntity[catalog.TariffGroup]{rows: catalogTariffGroups, id: func(t *catalog.TariffGroup) catalog.TariffGroupID { return t.ID }}

func (c catalogStore) InsertTariffGroup(ctx context.Context, t *catalog.TariffGroup) error {
	return tariffGroups.insert(ctx, c.s, t)
}

func (c catalogStore) GetTariffGroup(ctx context.Context, id catalog.TariffGroupID) (*catalog.TariffGroup, error) {
	return tariffGroups.get(ctx, c.s, id)
}

func (c catalogStore) GetTariffGroupByCode(ctx context.Context, provider billkit.ProviderID, code string) (*catalog.TariffGroup, error) {
	return tariffGroups.getByCode(ctx, c.s, provider, code)
}

func (c catalogStore) UpdateTariffGroup(ctx context.Context, t *catalog.TariffGroup) error {
	return tariffGroups.update(ctx, c.s, t)
}

func (c catalogStore) DeleteTariffGroup(ctx context.Context, id catalog.TariffGroupID) error {
	return tariffGroups.delete(ctx, c.s, id)
}

func (c catalogStore) ListTariffGroups(ctx context.Context, f catalog.TariffGroupFilter) (billkit.Page[catalog.TariffGroup], error) {
	return tariffGroups.list(ctx, c.s, f.PageParams, f.ProviderID, nil)
}

var catalogEnumerations = list[catalog.Enumeration]{
	table: table[catalog.Enumeration]{
		name: "billkit_catalog_enumerations",
		kind: "enumeration",
		key:  func(t *catalog.Enumeration) any { return t.ID },
		norm: func(t *catalog.Enumeration) {
			instant(&t.CreatedAt)
			instant(&t.UpdatedAt)
			if t.Name == nil {
				t.Name = directory.Text{}
			}
			if t.Values == nil {
				t.Values = []catalog.EnumValue{}
			}
		},
	},
	order: catalogCodeOrder,
	keyOf: func(t *catalog.Enumeration) []string { return []string{t.Code, t.ID.String()} },
}

var enumerations = catalogEntity[catalog.Enumeration]{rows: catalogEnumerations, id: func(t *catalog.Enumeration) catalog.EnumerationID { return t.ID }}

func (c catalogStore) InsertEnumeration(ctx context.Context, t *catalog.Enumeration) error {
	return enumerations.insert(ctx, c.s, t)
}

func (c catalogStore) GetEnumeration(ctx context.Context, id catalog.EnumerationID) (*catalog.Enumeration, error) {
	return enumerations.get(ctx, c.s, id)
}

func (c catalogStore) GetEnumerationByCode(ctx context.Context, provider billkit.ProviderID, code string) (*catalog.Enumeration, error) {
	return enumerations.getByCode(ctx, c.s, provider, code)
}

func (c catalogStore) UpdateEnumeration(ctx context.Context, t *catalog.Enumeration) error {
	return enumerations.update(ctx, c.s, t)
}

func (c catalogStore) DeleteEnumeration(ctx context.Context, id catalog.EnumerationID) error {
	return enumerations.delete(ctx, c.s, id)
}

func (c catalogStore) ListEnumerations(ctx context.Context, f catalog.EnumerationFilter) (billkit.Page[catalog.Enumeration], error) {
	return enumerations.list(ctx, c.s, f.PageParams, f.ProviderID, nil)
}

var catalogTariffs = list[catalog.Tariff]{
	table: table[catalog.Tariff]{
		name: "billkit_catalog_tariffs",
		kind: "tariff",
		key:  func(t *catalog.Tariff) any { return t.ID },
		norm: func(t *catalog.Tariff) {
			instant(&t.CreatedAt)
			instant(&t.UpdatedAt)
			if t.Name == nil {
				t.Name = directory.Text{}
			}
			if t.Description == nil {
				t.Description = directory.Text{}
			}
			if t.Prices == nil {
				t.Prices = []catalog.Price{}
			}
			if t.Addons == nil {
				t.Addons = []catalog.Addon{}
			}
			if t.ClientGroupIDs == nil {
				t.ClientGroupIDs = []string{}
			}
			if t.Datacenters == nil {
				t.Datacenters = []string{}
			}
		},
	},
	order: catalogDisplayOrder,
	keyOf: func(t *catalog.Tariff) []string { return []string{itoa(t.DisplayOrder), t.Code, t.ID.String()} },
}

var tariffs = catalogEntity[catalog.Tariff]{rows: catalogTariffs, id: func(t *catalog.Tariff) catalog.TariffID { return t.ID }}

func (c catalogStore) InsertTariff(ctx context.Context, t *catalog.Tariff) error {
	return tariffs.insert(ctx, c.s, t)
}

func (c catalogStore) GetTariff(ctx context.Context, id catalog.TariffID) (*catalog.Tariff, error) {
	return tariffs.get(ctx, c.s, id)
}

func (c catalogStore) GetTariffByCode(ctx context.Context, provider billkit.ProviderID, code string) (*catalog.Tariff, error) {
	return tariffs.getByCode(ctx, c.s, provider, code)
}

// UpdateTariff writes every column but stock (see updateTariff).
func (c catalogStore) UpdateTariff(ctx context.Context, t *catalog.Tariff) error {
	return updateTariff(ctx, c.s, t)
}

func (c catalogStore) DeleteTariff(ctx context.Context, id catalog.TariffID) error {
	return tariffs.delete(ctx, c.s, id)
}

func (c catalogStore) ListTariffs(ctx context.Context, f catalog.TariffFilter) (billkit.Page[catalog.Tariff], error) {
	return tariffs.list(ctx, c.s, f.PageParams, f.ProviderID, tariffWhere(f))
}

// tariffWhere selects the filter's tariffs but for the provider.
func tariffWhere(f catalog.TariffFilter) func(*bun.SelectQuery) *bun.SelectQuery {
	return func(q *bun.SelectQuery) *bun.SelectQuery {
		if !f.ProductTypeID.IsZero() {
			q = q.Where("?TableAlias.product_type_id = ?", f.ProductTypeID)
		}
		if !f.GroupID.IsZero() {
			q = q.Where("?TableAlias.group_id = ?", f.GroupID)
		}
		if len(f.Statuses) > 0 {
			q = q.Where("?TableAlias.status IN (?)", bun.In(f.Statuses))
		}
		return q
	}
}

var catalogOSImages = list[catalog.OSImage]{
	table: table[catalog.OSImage]{
		name: "billkit_catalog_os_images",
		kind: "os_image",
		key:  func(t *catalog.OSImage) any { return t.ID },
		norm: func(t *catalog.OSImage) {
			instant(&t.CreatedAt)
			instant(&t.UpdatedAt)
			if t.TariffIDs == nil {
				t.TariffIDs = []catalog.TariffID{}
			}
			if t.ProductTypeIDs == nil {
				t.ProductTypeIDs = []catalog.ProductTypeID{}
			}
		},
	},
	order: catalogCodeOrder,
	keyOf: func(t *catalog.OSImage) []string { return []string{t.Code, t.ID.String()} },
}

var osImages = catalogEntity[catalog.OSImage]{rows: catalogOSImages, id: func(t *catalog.OSImage) catalog.OSImageID { return t.ID }}

func (c catalogStore) InsertOSImage(ctx context.Context, t *catalog.OSImage) error {
	return osImages.insert(ctx, c.s, t)
}

func (c catalogStore) GetOSImage(ctx context.Context, id catalog.OSImageID) (*catalog.OSImage, error) {
	return osImages.get(ctx, c.s, id)
}

func (c catalogStore) GetOSImageByCode(ctx context.Context, provider billkit.ProviderID, code string) (*catalog.OSImage, error) {
	return osImages.getByCode(ctx, c.s, provider, code)
}

func (c catalogStore) UpdateOSImage(ctx context.Context, t *catalog.OSImage) error {
	return osImages.update(ctx, c.s, t)
}

func (c catalogStore) DeleteOSImage(ctx context.Context, id catalog.OSImageID) error {
	return osImages.delete(ctx, c.s, id)
}

func (c catalogStore) ListOSImages(ctx context.Context, f catalog.OSImageFilter) (billkit.Page[catalog.OSImage], error) {
	return osImages.list(ctx, c.s, f.PageParams, f.ProviderID, osImageWhere(f))
}

// osImageWhere selects the filter's OS images but for the provider.
func osImageWhere(f catalog.OSImageFilter) func(*bun.SelectQuery) *bun.SelectQuery {
	return func(q *bun.SelectQuery) *bun.SelectQuery {
		if f.Family != "" {
			q = q.Where("?TableAlias.family = ?", f.Family)
		}
		return q
	}
}

var catalogAgreements = list[catalog.Agreement]{
	table: table[catalog.Agreement]{
		name: "billkit_catalog_agreements",
		kind: "agreement",
		key:  func(t *catalog.Agreement) any { return t.ID },
		norm: func(t *catalog.Agreement) {
			instant(&t.CreatedAt)
			instant(&t.UpdatedAt)
			if t.Title == nil {
				t.Title = directory.Text{}
			}
			if t.Text == nil {
				t.Text = directory.Text{}
			}
			if t.TariffIDs == nil {
				t.TariffIDs = []catalog.TariffID{}
			}
		},
	},
	order: catalogCodeOrder,
	keyOf: func(t *catalog.Agreement) []string { return []string{t.Code, t.ID.String()} },
}

var agreements = catalogEntity[catalog.Agreement]{rows: catalogAgreements, id: func(t *catalog.Agreement) catalog.AgreementID { return t.ID }}

func (c catalogStore) InsertAgreement(ctx context.Context, t *catalog.Agreement) error {
	return agreements.insert(ctx, c.s, t)
}

func (c catalogStore) GetAgreement(ctx context.Context, id catalog.AgreementID) (*catalog.Agreement, error) {
	return agreements.get(ctx, c.s, id)
}

func (c catalogStore) GetAgreementByCode(ctx context.Context, provider billkit.ProviderID, code string) (*catalog.Agreement, error) {
	return agreements.getByCode(ctx, c.s, provider, code)
}

func (c catalogStore) UpdateAgreement(ctx context.Context, t *catalog.Agreement) error {
	return agreements.update(ctx, c.s, t)
}

func (c catalogStore) DeleteAgreement(ctx context.Context, id catalog.AgreementID) error {
	return agreements.delete(ctx, c.s, id)
}

func (c catalogStore) ListAgreements(ctx context.Context, f catalog.AgreementFilter) (billkit.Page[catalog.Agreement], error) {
	return agreements.list(ctx, c.s, f.PageParams, f.ProviderID, nil)
}

var catalogPriceVersions = list[catalog.PriceVersion]{
	table: table[catalog.PriceVersion]{
		name: "billkit_catalog_price_versions",
		kind: "price_version",
		key:  func(t *catalog.PriceVersion) any { return t.ID },
		norm: func(t *catalog.PriceVersion) {
			instant(&t.CreatedAt)
			instant(&t.UpdatedAt)
			if t.Prices == nil {
				t.Prices = []catalog.Price{}
			}
			if t.AddonPrices == nil {
				t.AddonPrices = []catalog.AddonPrices{}
			}
		},
	},
	order: []keyCol{{expr: "?TableAlias.tariff_id"}, {expr: "?TableAlias.effective_date"}, {expr: "?TableAlias.id"}},
	keyOf: func(t *catalog.PriceVersion) []string {
		return []string{t.TariffID.String(), t.EffectiveDate.String(), t.ID.String()}
	},
}

var priceVersions = catalogEntity[catalog.PriceVersion]{rows: catalogPriceVersions, id: func(t *catalog.PriceVersion) catalog.PriceVersionID { return t.ID }}

func (c catalogStore) InsertPriceVersion(ctx context.Context, t *catalog.PriceVersion) error {
	return priceVersions.insert(ctx, c.s, t)
}

func (c catalogStore) GetPriceVersion(ctx context.Context, id catalog.PriceVersionID) (*catalog.PriceVersion, error) {
	return priceVersions.get(ctx, c.s, id)
}

func (c catalogStore) UpdatePriceVersion(ctx context.Context, t *catalog.PriceVersion) error {
	return priceVersions.update(ctx, c.s, t)
}

func (c catalogStore) DeletePriceVersion(ctx context.Context, id catalog.PriceVersionID) error {
	return priceVersions.delete(ctx, c.s, id)
}

func (c catalogStore) ListPriceVersions(ctx context.Context, f catalog.PriceVersionFilter) (billkit.Page[catalog.PriceVersion], error) {
	return priceVersions.list(ctx, c.s, f.PageParams, f.ProviderID, priceVersionWhere(f))
}

// priceVersionWhere selects the filter's price versions but for the
// provider.
func priceVersionWhere(f catalog.PriceVersionFilter) func(*bun.SelectQuery) *bun.SelectQuery {
	return func(q *bun.SelectQuery) *bun.SelectQuery {
		if !f.TariffID.IsZero() {
			q = q.Where("?TableAlias.tariff_id = ?", f.TariffID)
		}
		return q
	}
}
