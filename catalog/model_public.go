package catalog

import (
	"github.com/billkit/billkit"
	"github.com/shopspring/decimal"
)

// Storefront is the public, read-only view of what a provider sells, for
// storefronts and order forms: the active tariffs every client may order
// (not hidden, not archived, not limited to client groups), at the prices in
// force today, with names in one locale.
type Storefront struct {
	ProviderID billkit.ProviderID `json:"provider_id"`
	// Locale is the locale the names are in (with directory.Text's
	// fallbacks).
	Locale  string            `json:"locale"`
	Groups  []StorefrontGroup `json:"groups"`
	Tariffs []PublicTariff    `json:"tariffs"`
}

// StorefrontGroup is a tariff group of a Storefront.
type StorefrontGroup struct {
	Code         string `json:"code"`
	Name         string `json:"name"`
	DisplayOrder int    `json:"display_order"`
}

// PublicTariff is a tariff of a Storefront.
type PublicTariff struct {
	Code        string `json:"code"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	ProductType string `json:"product_type"`
	Kind        Kind   `json:"kind"`
	Group       string `json:"group,omitempty"`
	Currency    string `json:"currency"`
	// Prices are the prices in force today.
	Prices []Price       `json:"prices"`
	Addons []PublicAddon `json:"addons"`
	// TrialDays is the trial length (the tariff's, else its type's).
	TrialDays int `json:"trial_days"`
	// InStock is false when the tariff's stock is used up.
	InStock    bool              `json:"in_stock"`
	Agreements []PublicAgreement `json:"agreements"`
	OSImages   []PublicOSImage   `json:"os_images"`
	// Datacenters are the codes of the datacenters the client may choose
	// from when ordering; empty, it does not choose.
	Datacenters []string `json:"datacenters"`
}

// PublicAddon is an addon of a PublicTariff.
type PublicAddon struct {
	Code        string          `json:"code"`
	Name        string          `json:"name"`
	BillingType BillingType     `json:"billing_type"`
	Unit        string          `json:"unit,omitempty"`
	Min         decimal.Decimal `json:"min,omitzero"`
	Max         decimal.Decimal `json:"max,omitzero"`
	Step        decimal.Decimal `json:"step,omitzero"`
	Included    decimal.Decimal `json:"included,omitzero"`
	Default     AddonValue      `json:"default"`
	Prices      []Price         `json:"prices,omitempty"`
	Options     []PublicOption  `json:"options,omitempty"`
	Changeable  bool            `json:"changeable,omitempty"`
}

// PublicOption is an option of an enum PublicAddon.
type PublicOption struct {
	Value  string  `json:"value"`
	Name   string  `json:"name"`
	Prices []Price `json:"prices"`
}

// PublicAgreement is an agreement a PublicTariff requires.
type PublicAgreement struct {
	Code    string `json:"code"`
	Title   string `json:"title"`
	Text    string `json:"text"`
	Version int    `json:"version"`
}

// PublicOSImage is an OS image a PublicTariff offers.
type PublicOSImage struct {
	Code    string `json:"code"`
	Name    string `json:"name"`
	Family  string `json:"family,omitempty"`
	Version string `json:"version,omitempty"`
}
