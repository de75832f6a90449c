package catalog

import (
	"github.com/billkit/billkit"
	"github.com/billkit/billkit/directory"
)

// Catalog is a provider's whole catalog as one document: what export writes
// and ApplyCatalog (import) applies. Entities refer to each other by Code,
// never by ID, so a document moves between installations and lives in
// version control.
//
// Applying a document upserts every entity it lists by its code (creating
// the missing ones, updating the ones that differ, leaving equal ones
// untouched) and deletes nothing: an entity that should go away is archived
// (tariffs) or deleted through the service. Applying the same document twice
// changes nothing the second time.
type Catalog struct {
	// ProviderID is the provider the catalog belongs to. ApplyCatalog uses
	// it when the caller does not name one.
	ProviderID   billkit.ProviderID `json:"provider_id,omitzero" yaml:"provider_id,omitempty"`
	ProductTypes []ProductTypeDoc   `json:"product_types,omitempty" yaml:"product_types,omitempty"`
	Enumerations []EnumerationDoc   `json:"enumerations,omitempty" yaml:"enumerations,omitempty"`
	Groups       []TariffGroupDoc   `json:"groups,omitempty" yaml:"groups,omitempty"`
	Tariffs      []TariffDoc        `json:"tariffs,omitempty" yaml:"tariffs,omitempty"`
	OSImages     []OSImageDoc       `json:"os_images,omitempty" yaml:"os_images,omitempty"`
	Agreements   []AgreementDoc     `json:"agreements,omitempty" yaml:"agreements,omitempty"`
	// PriceVersions are keyed by tariff code and effective date.
	PriceVersions []PriceVersionDoc `json:"price_versions,omitempty" yaml:"price_versions,omitempty"`
}

// ProductTypeDoc is a ProductType in a Catalog.
type ProductTypeDoc struct {
	Code                string         `json:"code" yaml:"code"`
	Kind                Kind           `json:"kind" yaml:"kind"`
	Name                directory.Text `json:"name" yaml:"name"`
	Module              string         `json:"module,omitempty" yaml:"module,omitempty"`
	ServiceNameTemplate string         `json:"service_name_template,omitempty" yaml:"service_name_template,omitempty"`
	Lifecycle           Lifecycle      `json:"lifecycle" yaml:"lifecycle"`
	AllowHourly         bool           `json:"allow_hourly,omitempty" yaml:"allow_hourly,omitempty"`
	DisplayOrder        int            `json:"display_order,omitempty" yaml:"display_order,omitempty"`
}

// EnumerationDoc is an Enumeration in a Catalog.
type EnumerationDoc struct {
	Code   string         `json:"code" yaml:"code"`
	Name   directory.Text `json:"name" yaml:"name"`
	Values []EnumValue    `json:"values" yaml:"values"`
}

// TariffGroupDoc is a TariffGroup in a Catalog; ChangeToGroups are codes.
type TariffGroupDoc struct {
	Code              string         `json:"code" yaml:"code"`
	Name              directory.Text `json:"name" yaml:"name"`
	DisplayOrder      int            `json:"display_order,omitempty" yaml:"display_order,omitempty"`
	ChangeWithinGroup bool           `json:"change_within_group,omitempty" yaml:"change_within_group,omitempty"`
	ChangeToGroups    []string       `json:"change_to_groups,omitempty" yaml:"change_to_groups,omitempty"`
}

// TariffDoc is a Tariff in a Catalog: ProductType and Group are codes;
// addons name their enumeration by code already.
type TariffDoc struct {
	Code           string         `json:"code" yaml:"code"`
	Name           directory.Text `json:"name" yaml:"name"`
	Description    directory.Text `json:"description,omitempty" yaml:"description,omitempty"`
	ProductType    string         `json:"product_type" yaml:"product_type"`
	Group          string         `json:"group,omitempty" yaml:"group,omitempty"`
	Status         TariffStatus   `json:"status,omitempty" yaml:"status,omitempty"`
	Currency       string         `json:"currency" yaml:"currency"`
	Prices         []Price        `json:"prices" yaml:"prices"`
	Addons         []Addon        `json:"addons,omitempty" yaml:"addons,omitempty"`
	TrialDays      *int           `json:"trial_days,omitempty" yaml:"trial_days,omitempty"`
	LimitPerClient int            `json:"limit_per_client,omitempty" yaml:"limit_per_client,omitempty"`
	Stock          *int           `json:"stock,omitempty" yaml:"stock,omitempty"`
	ClientGroupIDs []string       `json:"client_group_ids,omitempty" yaml:"client_group_ids,omitempty"`
	Datacenters    []string       `json:"datacenters,omitempty" yaml:"datacenters,omitempty"`
	DisplayOrder   int            `json:"display_order,omitempty" yaml:"display_order,omitempty"`
}

// OSImageDoc is an OSImage in a Catalog; Tariffs and ProductTypes are codes.
type OSImageDoc struct {
	Code         string   `json:"code" yaml:"code"`
	Name         string   `json:"name" yaml:"name"`
	Family       string   `json:"family,omitempty" yaml:"family,omitempty"`
	Version      string   `json:"version,omitempty" yaml:"version,omitempty"`
	Tariffs      []string `json:"tariffs,omitempty" yaml:"tariffs,omitempty"`
	ProductTypes []string `json:"product_types,omitempty" yaml:"product_types,omitempty"`
}

// AgreementDoc is an Agreement in a Catalog; Tariffs are codes. Version is
// written by export and ignored by ApplyCatalog, which bumps the version
// when Text changes.
type AgreementDoc struct {
	Code    string         `json:"code" yaml:"code"`
	Title   directory.Text `json:"title" yaml:"title"`
	Text    directory.Text `json:"text" yaml:"text"`
	Version int            `json:"version,omitempty" yaml:"version,omitempty"`
	Tariffs []string       `json:"tariffs,omitempty" yaml:"tariffs,omitempty"`
}

// PriceVersionDoc is a PriceVersion in a Catalog; Tariff is a code.
type PriceVersionDoc struct {
	Tariff        string        `json:"tariff" yaml:"tariff"`
	EffectiveDate billkit.Date  `json:"effective_date" yaml:"effective_date"`
	Prices        []Price       `json:"prices,omitempty" yaml:"prices,omitempty"`
	AddonPrices   []AddonPrices `json:"addon_prices,omitempty" yaml:"addon_prices,omitempty"`
	Policy        PricePolicy   `json:"policy" yaml:"policy"`
	KeepPeriods   int           `json:"keep_periods,omitempty" yaml:"keep_periods,omitempty"`
	Note          string        `json:"note,omitempty" yaml:"note,omitempty"`
}

// ApplyResult counts what ApplyCatalog did, per entity kind.
type ApplyResult struct {
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	// Changes lists "<kind> <code>: created|updated", in the order applied.
	Changes []string `json:"changes,omitempty"`
}
