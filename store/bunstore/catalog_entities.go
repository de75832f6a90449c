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

func (c catalogStore) InsertProductType(ctx context.Context, t *catalog.ProductType) error {
	if t != nil && t.ID.IsZero() {
		return billkit.InvalidField("id", "required", "is required")
	}
	return insertRow(ctx, c.s, catalogProductTypes.table, t)
}

func (c catalogStore) GetProductType(ctx context.Context, id catalog.ProductTypeID) (*catalog.ProductType, error) {
	if id.IsZero() {
		return nil, billkit.NotFound("product_type", id)
	}
	return getRow(ctx, c.s, catalogProductTypes.table, id, billingByID(id))
}

func (c catalogStore) GetProductTypeByCode(ctx context.Context, provider billkit.ProviderID, code string) (*catalog.ProductType, error) {
	return getRow(ctx, c.s, catalogProductTypes.table, code, catalogByCode(provider, code))
}

func (c catalogStore) UpdateProductType(ctx context.Context, t *catalog.ProductType) error {
	return updateRow(ctx, c.s, catalogProductTypes.table, t)
}

func (c catalogStore) DeleteProductType(ctx context.Context, id catalog.ProductTypeID) error {
	return deleteRow(ctx, c.s, catalogProductTypes.table, id)
}

func (c catalogStore) ListProductTypes(ctx context.Context, f catalog.ProductTypeFilter) (billkit.Page[catalog.ProductType], error) {
	return listRows(ctx, c.s, catalogProductTypes, f.PageParams, func(q *bun.SelectQuery) *bun.SelectQuery {
		q = catalogProvider(q, f.ProviderID)
		if f.Kind != "" {
			q = q.Where("?TableAlias.kind = ?", f.Kind)
		}
		return q
	})
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

func (c catalogStore) InsertTariffGroup(ctx context.Context, t *catalog.TariffGroup) error {
	if t != nil && t.ID.IsZero() {
		return billkit.InvalidField("id", "required", "is required")
	}
	return insertRow(ctx, c.s, catalogTariffGroups.table, t)
}

func (c catalogStore) GetTariffGroup(ctx context.Context, id catalog.TariffGroupID) (*catalog.TariffGroup, error) {
	if id.IsZero() {
		return nil, billkit.NotFound("tariff_group", id)
	}
	return getRow(ctx, c.s, catalogTariffGroups.table, id, billingByID(id))
}

func (c catalogStore) GetTariffGroupByCode(ctx context.Context, provider billkit.ProviderID, code string) (*catalog.TariffGroup, error) {
	return getRow(ctx, c.s, catalogTariffGroups.table, code, catalogByCode(provider, code))
}

func (c catalogStore) UpdateTariffGroup(ctx context.Context, t *catalog.TariffGroup) error {
	return updateRow(ctx, c.s, catalogTariffGroups.table, t)
}

func (c catalogStore) DeleteTariffGroup(ctx context.Context, id catalog.TariffGroupID) error {
	return deleteRow(ctx, c.s, catalogTariffGroups.table, id)
}

func (c catalogStore) ListTariffGroups(ctx context.Context, f catalog.TariffGroupFilter) (billkit.Page[catalog.TariffGroup], error) {
	return listRows(ctx, c.s, catalogTariffGroups, f.PageParams, func(q *bun.SelectQuery) *bun.SelectQuery { return catalogProvider(q, f.ProviderID) })
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

func (c catalogStore) InsertEnumeration(ctx context.Context, t *catalog.Enumeration) error {
	if t != nil && t.ID.IsZero() {
		return billkit.InvalidField("id", "required", "is required")
	}
	return insertRow(ctx, c.s, catalogEnumerations.table, t)
}

func (c catalogStore) GetEnumeration(ctx context.Context, id catalog.EnumerationID) (*catalog.Enumeration, error) {
	if id.IsZero() {
		return nil, billkit.NotFound("enumeration", id)
	}
	return getRow(ctx, c.s, catalogEnumerations.table, id, billingByID(id))
}

func (c catalogStore) GetEnumerationByCode(ctx context.Context, provider billkit.ProviderID, code string) (*catalog.Enumeration, error) {
	return getRow(ctx, c.s, catalogEnumerations.table, code, catalogByCode(provider, code))
}

func (c catalogStore) UpdateEnumeration(ctx context.Context, t *catalog.Enumeration) error {
	return updateRow(ctx, c.s, catalogEnumerations.table, t)
}

func (c catalogStore) DeleteEnumeration(ctx context.Context, id catalog.EnumerationID) error {
	return deleteRow(ctx, c.s, catalogEnumerations.table, id)
}

func (c catalogStore) ListEnumerations(ctx context.Context, f catalog.EnumerationFilter) (billkit.Page[catalog.Enumeration], error) {
	return listRows(ctx, c.s, catalogEnumerations, f.PageParams, func(q *bun.SelectQuery) *bun.SelectQuery { return catalogProvider(q, f.ProviderID) })
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
		},
	},
	order: catalogDisplayOrder,
	keyOf: func(t *catalog.Tariff) []string { return []string{itoa(t.DisplayOrder), t.Code, t.ID.String()} },
}

func (c catalogStore) InsertTariff(ctx context.Context, t *catalog.Tariff) error {
	if t != nil && t.ID.IsZero() {
		return billkit.InvalidField("id", "required", "is required")
	}
	return insertRow(ctx, c.s, catalogTariffs.table, t)
}

func (c catalogStore) GetTariff(ctx context.Context, id catalog.TariffID) (*catalog.Tariff, error) {
	if id.IsZero() {
		return nil, billkit.NotFound("tariff", id)
	}
	return getRow(ctx, c.s, catalogTariffs.table, id, billingByID(id))
}

func (c catalogStore) GetTariffByCode(ctx context.Context, provider billkit.ProviderID, code string) (*catalog.Tariff, error) {
	return getRow(ctx, c.s, catalogTariffs.table, code, catalogByCode(provider, code))
}

func (c catalogStore) UpdateTariff(ctx context.Context, t *catalog.Tariff) error {
	return updateRow(ctx, c.s, catalogTariffs.table, t)
}

func (c catalogStore) DeleteTariff(ctx context.Context, id catalog.TariffID) error {
	return deleteRow(ctx, c.s, catalogTariffs.table, id)
}

func (c catalogStore) ListTariffs(ctx context.Context, f catalog.TariffFilter) (billkit.Page[catalog.Tariff], error) {
	return listRows(ctx, c.s, catalogTariffs, f.PageParams, func(q *bun.SelectQuery) *bun.SelectQuery {
		q = catalogProvider(q, f.ProviderID)
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
	})
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

func (c catalogStore) InsertOSImage(ctx context.Context, t *catalog.OSImage) error {
	if t != nil && t.ID.IsZero() {
		return billkit.InvalidField("id", "required", "is required")
	}
	return insertRow(ctx, c.s, catalogOSImages.table, t)
}

func (c catalogStore) GetOSImage(ctx context.Context, id catalog.OSImageID) (*catalog.OSImage, error) {
	if id.IsZero() {
		return nil, billkit.NotFound("os_image", id)
	}
	return getRow(ctx, c.s, catalogOSImages.table, id, billingByID(id))
}

func (c catalogStore) GetOSImageByCode(ctx context.Context, provider billkit.ProviderID, code string) (*catalog.OSImage, error) {
	return getRow(ctx, c.s, catalogOSImages.table, code, catalogByCode(provider, code))
}

func (c catalogStore) UpdateOSImage(ctx context.Context, t *catalog.OSImage) error {
	return updateRow(ctx, c.s, catalogOSImages.table, t)
}

func (c catalogStore) DeleteOSImage(ctx context.Context, id catalog.OSImageID) error {
	return deleteRow(ctx, c.s, catalogOSImages.table, id)
}

func (c catalogStore) ListOSImages(ctx context.Context, f catalog.OSImageFilter) (billkit.Page[catalog.OSImage], error) {
	return listRows(ctx, c.s, catalogOSImages, f.PageParams, func(q *bun.SelectQuery) *bun.SelectQuery {
		q = catalogProvider(q, f.ProviderID)
		if f.Family != "" {
			q = q.Where("?TableAlias.family = ?", f.Family)
		}
		return q
	})
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

func (c catalogStore) InsertAgreement(ctx context.Context, t *catalog.Agreement) error {
	if t != nil && t.ID.IsZero() {
		return billkit.InvalidField("id", "required", "is required")
	}
	return insertRow(ctx, c.s, catalogAgreements.table, t)
}

func (c catalogStore) GetAgreement(ctx context.Context, id catalog.AgreementID) (*catalog.Agreement, error) {
	if id.IsZero() {
		return nil, billkit.NotFound("agreement", id)
	}
	return getRow(ctx, c.s, catalogAgreements.table, id, billingByID(id))
}

func (c catalogStore) GetAgreementByCode(ctx context.Context, provider billkit.ProviderID, code string) (*catalog.Agreement, error) {
	return getRow(ctx, c.s, catalogAgreements.table, code, catalogByCode(provider, code))
}

func (c catalogStore) UpdateAgreement(ctx context.Context, t *catalog.Agreement) error {
	return updateRow(ctx, c.s, catalogAgreements.table, t)
}

func (c catalogStore) DeleteAgreement(ctx context.Context, id catalog.AgreementID) error {
	return deleteRow(ctx, c.s, catalogAgreements.table, id)
}

func (c catalogStore) ListAgreements(ctx context.Context, f catalog.AgreementFilter) (billkit.Page[catalog.Agreement], error) {
	return listRows(ctx, c.s, catalogAgreements, f.PageParams, func(q *bun.SelectQuery) *bun.SelectQuery { return catalogProvider(q, f.ProviderID) })
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

func (c catalogStore) InsertPriceVersion(ctx context.Context, t *catalog.PriceVersion) error {
	if t != nil && t.ID.IsZero() {
		return billkit.InvalidField("id", "required", "is required")
	}
	return insertRow(ctx, c.s, catalogPriceVersions.table, t)
}

func (c catalogStore) GetPriceVersion(ctx context.Context, id catalog.PriceVersionID) (*catalog.PriceVersion, error) {
	if id.IsZero() {
		return nil, billkit.NotFound("price_version", id)
	}
	return getRow(ctx, c.s, catalogPriceVersions.table, id, billingByID(id))
}

func (c catalogStore) UpdatePriceVersion(ctx context.Context, t *catalog.PriceVersion) error {
	return updateRow(ctx, c.s, catalogPriceVersions.table, t)
}

func (c catalogStore) DeletePriceVersion(ctx context.Context, id catalog.PriceVersionID) error {
	return deleteRow(ctx, c.s, catalogPriceVersions.table, id)
}

func (c catalogStore) ListPriceVersions(ctx context.Context, f catalog.PriceVersionFilter) (billkit.Page[catalog.PriceVersion], error) {
	return listRows(ctx, c.s, catalogPriceVersions, f.PageParams, func(q *bun.SelectQuery) *bun.SelectQuery {
		q = catalogProvider(q, f.ProviderID)
		if !f.TariffID.IsZero() {
			q = q.Where("?TableAlias.tariff_id = ?", f.TariffID)
		}
		return q
	})
}
