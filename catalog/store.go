package catalog

import (
	"context"

	"github.com/billkit/billkit"
)

// Store keeps the catalog. billkit's implementation is store/bunstore
// (PostgreSQL and SQLite); store/storetest is the conformance suite every
// implementation must pass.
//
// Errors follow directory.Store: Get and Update methods return a not_found
// *billkit.Error ("tariff.not_found", "product_type.not_found", ...) when
// the key does not exist; Insert and Update methods return conflict
// ("tariff.exists") for a taken ID or a code the provider already uses for
// that kind of entity (a price version: a date the tariff already has); a
// reference to a missing row (a provider, a product type, a currency) or a
// Delete of a row others refer to (a product type with tariffs) is
// failed_precondition; anything else from the database is unavailable or
// internal. Update methods write every stored field of the value given
// (UpdateTariff all but the stock). Delete methods return not_found when
// there was no row; deleting a tariff deletes its price versions.
//
// The parts of an entity (a tariff's prices and addons, an enumeration's
// values, the reference lists) are stored with it and read back whole, in
// the order given; nil lists read back empty.
//
// Lists are keyset pages in the order their filter documents.
type Store interface {
	// InTx runs fn in one transaction, or a savepoint when already in one.
	InTx(ctx context.Context, fn func(tx Store) error) error
	// InsertAction appends an entry to the action log; call it inside the
	// transaction of the change it records.
	InsertAction(ctx context.Context, a *billkit.Action) error

	InsertProductType(ctx context.Context, t *ProductType) error
	GetProductType(ctx context.Context, id ProductTypeID) (*ProductType, error)
	GetProductTypeByCode(ctx context.Context, provider billkit.ProviderID, code string) (*ProductType, error)
	UpdateProductType(ctx context.Context, t *ProductType) error
	DeleteProductType(ctx context.Context, id ProductTypeID) error
	// ListProductTypes lists types by display order, then code, then ID.
	ListProductTypes(ctx context.Context, f ProductTypeFilter) (billkit.Page[ProductType], error)

	InsertTariff(ctx context.Context, t *Tariff) error
	GetTariff(ctx context.Context, id TariffID) (*Tariff, error)
	GetTariffByCode(ctx context.Context, provider billkit.ProviderID, code string) (*Tariff, error)
	// UpdateTariff writes every field except Stock, which only the three
	// stock methods below move: an edit read before an order took a unit
	// must not write the old stock back.
	UpdateTariff(ctx context.Context, t *Tariff) error
	DeleteTariff(ctx context.Context, id TariffID) error
	// ListTariffs lists tariffs by display order, then code, then ID.
	ListTariffs(ctx context.Context, f TariffFilter) (billkit.Page[Tariff], error)
	// TakeTariffStock takes n (at least 1) from the tariff's stock when
	// at least n is left, in one conditional update, atomically under
	// concurrency, and reports true; it reports false and changes nothing
	// when less is left. A tariff without stock (nil: unlimited) reports
	// true and is not changed.
	TakeTariffStock(ctx context.Context, id TariffID, n int) (bool, error)
	// ReturnTariffStock adds n (at least 1) back to the tariff's stock; a
	// tariff without stock stays unlimited.
	ReturnTariffStock(ctx context.Context, id TariffID, n int) error
	// SetTariffStock sets the tariff's stock (nil: unlimited; never
	// negative), whatever orders took meanwhile.
	SetTariffStock(ctx context.Context, id TariffID, stock *int) error

	InsertTariffGroup(ctx context.Context, g *TariffGroup) error
	GetTariffGroup(ctx context.Context, id TariffGroupID) (*TariffGroup, error)
	GetTariffGroupByCode(ctx context.Context, provider billkit.ProviderID, code string) (*TariffGroup, error)
	UpdateTariffGroup(ctx context.Context, g *TariffGroup) error
	DeleteTariffGroup(ctx context.Context, id TariffGroupID) error
	// ListTariffGroups lists groups by display order, then code, then ID.
	ListTariffGroups(ctx context.Context, f TariffGroupFilter) (billkit.Page[TariffGroup], error)

	InsertEnumeration(ctx context.Context, e *Enumeration) error
	GetEnumeration(ctx context.Context, id EnumerationID) (*Enumeration, error)
	GetEnumerationByCode(ctx context.Context, provider billkit.ProviderID, code string) (*Enumeration, error)
	UpdateEnumeration(ctx context.Context, e *Enumeration) error
	DeleteEnumeration(ctx context.Context, id EnumerationID) error
	// ListEnumerations lists enumerations by code, then ID.
	ListEnumerations(ctx context.Context, f EnumerationFilter) (billkit.Page[Enumeration], error)

	InsertOSImage(ctx context.Context, o *OSImage) error
	GetOSImage(ctx context.Context, id OSImageID) (*OSImage, error)
	GetOSImageByCode(ctx context.Context, provider billkit.ProviderID, code string) (*OSImage, error)
	UpdateOSImage(ctx context.Context, o *OSImage) error
	DeleteOSImage(ctx context.Context, id OSImageID) error
	// ListOSImages lists images by code, then ID.
	ListOSImages(ctx context.Context, f OSImageFilter) (billkit.Page[OSImage], error)

	InsertAgreement(ctx context.Context, a *Agreement) error
	GetAgreement(ctx context.Context, id AgreementID) (*Agreement, error)
	GetAgreementByCode(ctx context.Context, provider billkit.ProviderID, code string) (*Agreement, error)
	UpdateAgreement(ctx context.Context, a *Agreement) error
	DeleteAgreement(ctx context.Context, id AgreementID) error
	// ListAgreements lists agreements by code, then ID.
	ListAgreements(ctx context.Context, f AgreementFilter) (billkit.Page[Agreement], error)

	// InsertPriceVersion returns conflict "price_version.exists" when the
	// tariff has a version on that date.
	InsertPriceVersion(ctx context.Context, v *PriceVersion) error
	GetPriceVersion(ctx context.Context, id PriceVersionID) (*PriceVersion, error)
	UpdatePriceVersion(ctx context.Context, v *PriceVersion) error
	DeletePriceVersion(ctx context.Context, id PriceVersionID) error
	// ListPriceVersions lists versions by tariff ID, then effective date,
	// then ID.
	ListPriceVersions(ctx context.Context, f PriceVersionFilter) (billkit.Page[PriceVersion], error)
}

// ProductTypeFilter selects product types.
type ProductTypeFilter struct {
	ProviderID billkit.ProviderID `json:"provider_id,omitzero"`
	Kind       Kind               `json:"kind,omitempty"`
	billkit.PageParams
}

// TariffFilter selects tariffs.
type TariffFilter struct {
	ProviderID    billkit.ProviderID `json:"provider_id,omitzero"`
	ProductTypeID ProductTypeID      `json:"product_type_id,omitzero"`
	GroupID       TariffGroupID      `json:"group_id,omitzero"`
	// Statuses, when not empty, keeps tariffs in one of them.
	Statuses []TariffStatus `json:"statuses,omitempty"`
	billkit.PageParams
}

// TariffGroupFilter selects tariff groups.
type TariffGroupFilter struct {
	ProviderID billkit.ProviderID `json:"provider_id,omitzero"`
	billkit.PageParams
}

// EnumerationFilter selects enumerations.
type EnumerationFilter struct {
	ProviderID billkit.ProviderID `json:"provider_id,omitzero"`
	billkit.PageParams
}

// OSImageFilter selects OS images.
type OSImageFilter struct {
	ProviderID billkit.ProviderID `json:"provider_id,omitzero"`
	Family     string             `json:"family,omitempty"`
	billkit.PageParams
}

// AgreementFilter selects agreements.
type AgreementFilter struct {
	ProviderID billkit.ProviderID `json:"provider_id,omitzero"`
	billkit.PageParams
}

// PriceVersionFilter selects price versions.
type PriceVersionFilter struct {
	ProviderID billkit.ProviderID `json:"provider_id,omitzero"`
	TariffID   TariffID           `json:"tariff_id,omitzero"`
	billkit.PageParams
}
