package catalog

import (
	"encoding/json"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/directory"
	"github.com/shopspring/decimal"
)

// Every catalog entity belongs to one provider and has a Code: a stable key,
// unique per provider and entity kind, that documents (see Catalog) use to
// refer to it. Codes are 1 to 64 characters of lower-case ASCII letters,
// digits, '.', '_' and '-', starting with a letter or digit ("vps-start",
// "ssl.dv"). IDs are made by the application as everywhere in billkit.
//
// Prices, addons, enumeration values and the lists of references (allowed
// client groups, tariffs of an OS image or an agreement) are parts of their
// entity: a store keeps them with it (bunstore as JSON columns, amounts as
// strings) and reads and writes them whole.

// ProductTypeID identifies a ProductType.
type ProductTypeID = billkit.ID[ProductType]

// TariffID identifies a Tariff.
type TariffID = billkit.ID[Tariff]

// TariffGroupID identifies a TariffGroup.
type TariffGroupID = billkit.ID[TariffGroup]

// EnumerationID identifies an Enumeration.
type EnumerationID = billkit.ID[Enumeration]

// OSImageID identifies an OSImage.
type OSImageID = billkit.ID[OSImage]

// AgreementID identifies an Agreement.
type AgreementID = billkit.ID[Agreement]

// PriceVersionID identifies a PriceVersion.
type PriceVersionID = billkit.ID[PriceVersion]

// Kind is the built-in kind of a product type; KindCustom is any other.
type Kind string

// The kinds.
const (
	KindHosting      Kind = "hosting"
	KindVPS          Kind = "vps"
	KindDedicated    Kind = "dedicated"
	KindDomain       Kind = "domain"
	KindSSL          Kind = "ssl"
	KindDNS          Kind = "dns"
	KindVPSReselling Kind = "vps_reselling"
	KindLicence      Kind = "licence"
	KindOther        Kind = "other"
	KindCustom       Kind = "custom"
)

// Kinds lists every kind.
func Kinds() []Kind {
	return []Kind{KindHosting, KindVPS, KindDedicated, KindDomain, KindSSL, KindDNS, KindVPSReselling, KindLicence, KindOther, KindCustom}
}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool {
	for _, x := range Kinds() {
		if k == x {
			return true
		}
	}
	return false
}

// ClientDelete says whether clients may delete their services of a type.
type ClientDelete string

// The client-delete policies.
const (
	// ClientDeleteNever: only staff delete services.
	ClientDeleteNever ClientDelete = "never"
	// ClientDeleteYes: a client's delete takes effect at once.
	ClientDeleteYes ClientDelete = "yes"
	// ClientDeleteAtPeriodEnd: a client's delete takes effect when the paid
	// period ends.
	ClientDeleteAtPeriodEnd ClientDelete = "at_period_end"
)

// Valid reports whether d is a known policy.
func (d ClientDelete) Valid() bool {
	return d == ClientDeleteNever || d == ClientDeleteYes || d == ClientDeleteAtPeriodEnd
}

// ChangePolicy says when a change of a service's tariff, period or addons
// takes effect.
type ChangePolicy string

// The change policies.
const (
	// ChangeNow applies a change at once: the unused part of the paid
	// period is credited at the old price and charged at the new one.
	ChangeNow ChangePolicy = "now"
	// ChangeAtRenewal keeps a change pending until the service's next
	// renewal, which charges the new price; nothing is charged before.
	ChangeAtRenewal ChangePolicy = "at_renewal"
)

// Valid reports whether c is a known policy. The empty policy is not one,
// though a Lifecycle may leave it empty to mean ChangeNow.
func (c ChangePolicy) Valid() bool {
	return c == ChangeNow || c == ChangeAtRenewal
}

// Lifecycle is the policy the lifecycle of a type's services follows.
type Lifecycle struct {
	// GraceDays is how many days an unpaid service keeps running before it
	// is suspended (0: suspended on the day it expires).
	GraceDays int `json:"grace_days,omitempty" yaml:"grace_days,omitempty"`
	// DeleteAfterDays is how many days a suspended service waits before it
	// is deleted (0: never deleted automatically).
	DeleteAfterDays int `json:"delete_after_days,omitempty" yaml:"delete_after_days,omitempty"`
	// ClientDelete says whether clients may delete services. Default never.
	ClientDelete ClientDelete `json:"client_delete,omitempty" yaml:"client_delete,omitempty"`
	// NoSuspendOnWeekends moves a suspension that falls on a Saturday or a
	// Sunday (in the provider's time zone) to the next Monday.
	NoSuspendOnWeekends bool `json:"no_suspend_on_weekends,omitempty" yaml:"no_suspend_on_weekends,omitempty"`
	// TrialDays is the length of a trial of the type's tariffs, unless a
	// tariff sets its own (0: no trial).
	TrialDays int `json:"trial_days,omitempty" yaml:"trial_days,omitempty"`
	// ChangePolicy says when a change of tariff, period or addons takes
	// effect: now (the default when empty) or at the next renewal.
	ChangePolicy ChangePolicy `json:"change_policy,omitempty" yaml:"change_policy,omitempty"`
	// RenewOnSystem says that a paid period must also be renewed on the
	// system the module drives: a domain at its registry, a licence at its
	// vendor. Each renewal then queues a renew operation for the module,
	// which brings the system's expiry to the service's. Off, a renewal
	// is billing's alone, as for a server that runs while it is paid.
	RenewOnSystem bool `json:"renew_on_system,omitempty" yaml:"renew_on_system,omitempty"`
}

// EffectiveChangePolicy is ChangePolicy with the empty policy read as
// ChangeNow.
func (l Lifecycle) EffectiveChangePolicy() ChangePolicy {
	if l.ChangePolicy == "" {
		return ChangeNow
	}
	return l.ChangePolicy
}

// ProductType (item type) is a kind of thing sold: it names the processing
// module that provisions its services and sets their lifecycle policy.
type ProductType struct {
	ID         ProductTypeID      `json:"id" bun:"id,pk"`
	ProviderID billkit.ProviderID `json:"provider_id" bun:"provider_id,notnull"`
	Code       string             `json:"code" bun:"code,notnull"`
	Kind       Kind               `json:"kind" bun:"kind,notnull"`
	Name       directory.Text     `json:"name" bun:"name,notnull"`
	// Module is the name of the processing module ("" for none yet).
	Module string `json:"module" bun:"module,notnull"`
	// ServiceNameTemplate names new services, with {placeholders} the
	// lifecycle fills in ("{tariff} #{number}", "{domain}").
	ServiceNameTemplate string    `json:"service_name_template" bun:"service_name_template,notnull"`
	Lifecycle           Lifecycle `json:"lifecycle" bun:"lifecycle,notnull"`
	// AllowHourly allows hourly prices on the type's tariffs.
	AllowHourly  bool      `json:"allow_hourly" bun:"allow_hourly,notnull"`
	DisplayOrder int       `json:"display_order" bun:"display_order,notnull"`
	CreatedAt    time.Time `json:"created_at" bun:"created_at,notnull"`
	UpdatedAt    time.Time `json:"updated_at" bun:"updated_at,notnull"`
}

// AllowsPeriod reports whether the type's tariffs may be priced for p.
func (t *ProductType) AllowsPeriod(p Period) bool {
	return p.Valid() && (p != PeriodHour || t.AllowHourly)
}

// TariffStatus is whether a tariff is on sale.
type TariffStatus string

// The tariff statuses.
const (
	// TariffActive is on sale and shown in the public catalog.
	TariffActive TariffStatus = "active"
	// TariffHidden is orderable by staff or by a direct link, not listed.
	TariffHidden TariffStatus = "hidden"
	// TariffArchived is no longer sold; existing services keep it.
	TariffArchived TariffStatus = "archived"
)

// Valid reports whether s is a known status.
func (s TariffStatus) Valid() bool {
	return s == TariffActive || s == TariffHidden || s == TariffArchived
}

// Price is what one period costs in one currency: Amount every period, and
// SetupFee once when a service is ordered for that period. What Amount is
// the price of depends on where the price is: a tariff's period; a fixed or
// enum addon's period; one unit of a quantity addon for a period; one unit of
// a metered addon's overage. Amounts are exact decimals in Currency (a code
// of a directory currency), at least zero.
type Price struct {
	Period   Period          `json:"period" yaml:"period"`
	Currency string          `json:"currency" yaml:"currency"`
	Amount   decimal.Decimal `json:"amount" yaml:"amount"`
	SetupFee decimal.Decimal `json:"setup_fee,omitzero" yaml:"setup_fee,omitempty"`
}

// Money returns Amount as Money.
func (p Price) Money() billkit.Money { return moneyOf(p.Amount, p.Currency) }

// SetupMoney returns SetupFee as Money.
func (p Price) SetupMoney() billkit.Money { return moneyOf(p.SetupFee, p.Currency) }

func moneyOf(d decimal.Decimal, currency string) billkit.Money {
	m, err := billkit.NewMoney(d, currency)
	if err != nil {
		return billkit.Money{}
	}
	return m
}

// FindPrice returns the price of the period in the currency.
func FindPrice(prices []Price, period Period, currency string) (Price, bool) {
	for _, p := range prices {
		if p.Period == period && p.Currency == currency {
			return p, true
		}
	}
	return Price{}, false
}

// Tariff (plan) is what a client orders: a product type sold at prices per
// period and currency, with addons.
//
// Prices in Currency are the tariff's own; when a client pays in another
// currency the pricing engine converts them by the directory's rates, unless
// the tariff has a price in that currency for the period.
type Tariff struct {
	ID            TariffID           `json:"id" bun:"id,pk"`
	ProviderID    billkit.ProviderID `json:"provider_id" bun:"provider_id,notnull"`
	Code          string             `json:"code" bun:"code,notnull"`
	Name          directory.Text     `json:"name" bun:"name,notnull"`
	Description   directory.Text     `json:"description" bun:"description,notnull"`
	ProductTypeID ProductTypeID      `json:"product_type_id" bun:"product_type_id,notnull"`
	// GroupID is the tariff group; zero for none.
	GroupID TariffGroupID `json:"group_id,omitzero" bun:"group_id,nullzero"`
	Status  TariffStatus  `json:"status" bun:"status,notnull"`
	// Currency is the tariff's own currency: an enabled directory currency.
	Currency string `json:"currency" bun:"currency,notnull"`
	// Prices are the prices per period and currency, at most one per pair.
	// Every period priced in another currency is priced in Currency too.
	Prices []Price `json:"prices" bun:"prices,notnull"`
	Addons []Addon `json:"addons" bun:"addons,notnull"`
	// TrialDays overrides the product type's trial length; nil keeps it.
	TrialDays *int `json:"trial_days,omitempty" bun:"trial_days"`
	// LimitPerClient is the most services of the tariff one client may
	// have (0: no limit).
	LimitPerClient int `json:"limit_per_client" bun:"limit_per_client,notnull"`
	// Stock is how many more services may be ordered; nil is unlimited.
	Stock *int `json:"stock,omitempty" bun:"stock"`
	// ClientGroupIDs are the IDs (billing.ClientGroupID in text form) of the
	// client groups that may order the tariff; empty lets everyone.
	ClientGroupIDs []string `json:"client_group_ids" bun:"client_group_ids,notnull"`
	// Datacenters are the codes of the datacenters a client may choose
	// from when ordering the tariff; empty, the client does not choose and
	// the service goes where there is room. Datacenters belong to
	// provisioning: a code here that names none of the provider's
	// enabled datacenters is simply not offered.
	Datacenters  []string  `json:"datacenters" bun:"datacenters,notnull"`
	DisplayOrder int       `json:"display_order" bun:"display_order,notnull"`
	CreatedAt    time.Time `json:"created_at" bun:"created_at,notnull"`
	UpdatedAt    time.Time `json:"updated_at" bun:"updated_at,notnull"`
}

// Price returns the tariff's price for the period in the currency, or false
// when there is none (the pricing engine then converts the price in the
// tariff's own currency).
func (t *Tariff) Price(period Period, currency string) (Price, bool) {
	return FindPrice(t.Prices, period, currency)
}

// Periods lists the periods the tariff is priced for in its own currency,
// shortest first.
func (t *Tariff) Periods() []Period {
	var out []Period
	for _, p := range Periods() {
		if _, ok := t.Price(p, t.Currency); ok {
			out = append(out, p)
		}
	}
	return out
}

// Addon returns the tariff's addon with the code.
func (t *Tariff) Addon(code string) (*Addon, bool) {
	for i := range t.Addons {
		if t.Addons[i].Code == code {
			return &t.Addons[i], true
		}
	}
	return nil, false
}

// AllowsClientGroup reports whether clients of the group (an ID in text
// form, "" for clients in no group) may order the tariff.
func (t *Tariff) AllowsClientGroup(group string) bool {
	if len(t.ClientGroupIDs) == 0 {
		return true
	}
	for _, g := range t.ClientGroupIDs {
		if g == group {
			return true
		}
	}
	return false
}

// BillingType is how an addon is billed.
type BillingType string

// The billing types.
const (
	// BillingNone: the addon describes the tariff and is not billed.
	BillingNone BillingType = "none"
	// BillingFixed: the value is fixed by the order (Default unless the
	// order says otherwise) and the addon costs its Prices per period.
	BillingFixed BillingType = "fixed"
	// BillingEnum: the client chooses one of Options, each with its own
	// prices per period.
	BillingEnum BillingType = "enum"
	// BillingQuantity: the client chooses a quantity between Min and Max in
	// Steps from Min; Included units are free, each further unit costs
	// Prices per period.
	BillingQuantity BillingType = "quantity"
	// BillingMetered: usage is measured; Included units per period are free,
	// each further unit costs Prices (the overage price).
	BillingMetered BillingType = "metered"
)

// BillingTypes lists every billing type.
func BillingTypes() []BillingType {
	return []BillingType{BillingNone, BillingFixed, BillingEnum, BillingQuantity, BillingMetered}
}

// Valid reports whether b is a known billing type.
func (b BillingType) Valid() bool {
	for _, x := range BillingTypes() {
		if b == x {
			return true
		}
	}
	return false
}

// Addon (resource) is a measurable or choosable part of a tariff: RAM, disk,
// IPs, a control panel, an OS. Its Code is unique within the tariff.
type Addon struct {
	Code        string         `json:"code" yaml:"code"`
	Name        directory.Text `json:"name" yaml:"name"`
	BillingType BillingType    `json:"billing_type" yaml:"billing_type"`
	// Unit is the code of a directory unit ("GB", "piece") for quantity and
	// metered addons.
	Unit string `json:"unit,omitempty" yaml:"unit,omitempty"`
	// Min, Max and Step bound a quantity addon's value: Min ≤ value ≤ Max,
	// (value − Min) a multiple of Step. Step divides Max − Min.
	Min  decimal.Decimal `json:"min,omitzero" yaml:"min,omitempty"`
	Max  decimal.Decimal `json:"max,omitzero" yaml:"max,omitempty"`
	Step decimal.Decimal `json:"step,omitzero" yaml:"step,omitempty"`
	// Included is the amount the tariff's price includes (quantity, between
	// Min and Max; metered, per period, at least zero).
	Included decimal.Decimal `json:"included,omitzero" yaml:"included,omitempty"`
	// Default is the value an order gets when it says nothing: a quantity
	// (quantity, fixed) between Min and Max for quantity addons.
	Default decimal.Decimal `json:"default,omitzero" yaml:"default,omitempty"`
	// Enumeration is the code of the enumeration an enum addon's options
	// come from.
	Enumeration string `json:"enumeration,omitempty" yaml:"enumeration,omitempty"`
	// Options are the values an enum addon offers (each a value code of the
	// enumeration) with their prices; DefaultOption is the one an order
	// gets when it says nothing ("" : the first).
	Options       []AddonOption `json:"options,omitempty" yaml:"options,omitempty"`
	DefaultOption string        `json:"default_option,omitempty" yaml:"default_option,omitempty"`
	// Prices are the addon's prices per period and currency (see Price);
	// none for BillingNone and BillingEnum.
	Prices []Price `json:"prices,omitempty" yaml:"prices,omitempty"`
	// Changeable lets the client change the value after the order, within
	// the limits above (quantity and enum addons).
	Changeable bool `json:"changeable,omitempty" yaml:"changeable,omitempty"`
}

// Option returns the enum addon's option with the value code.
func (a *Addon) Option(value string) (*AddonOption, bool) {
	for i := range a.Options {
		if a.Options[i].Value == value {
			return &a.Options[i], true
		}
	}
	return nil, false
}

// AddonOption is one value of an enum addon and its prices.
type AddonOption struct {
	// Value is the code of a value of the addon's enumeration.
	Value  string  `json:"value" yaml:"value"`
	Prices []Price `json:"prices,omitempty" yaml:"prices,omitempty"`
}

// AddonValue is the value an order (or a change after it) gives an addon:
// Quantity for quantity and fixed addons, Option for enum addons.
type AddonValue struct {
	Quantity decimal.Decimal `json:"quantity,omitzero" yaml:"quantity,omitempty"`
	Option   string          `json:"option,omitempty" yaml:"option,omitempty"`
}

// Enumeration is a list of values a client chooses from (control panels,
// locations). Enum addons offer some of its values.
type Enumeration struct {
	ID         EnumerationID      `json:"id" bun:"id,pk"`
	ProviderID billkit.ProviderID `json:"provider_id" bun:"provider_id,notnull"`
	Code       string             `json:"code" bun:"code,notnull"`
	Name       directory.Text     `json:"name" bun:"name,notnull"`
	Values     []EnumValue        `json:"values" bun:"enum_values,notnull"`
	CreatedAt  time.Time          `json:"created_at" bun:"created_at,notnull"`
	UpdatedAt  time.Time          `json:"updated_at" bun:"updated_at,notnull"`
}

// Value returns the value with the code.
func (e *Enumeration) Value(code string) (EnumValue, bool) {
	for _, v := range e.Values {
		if v.Code == code {
			return v, true
		}
	}
	return EnumValue{}, false
}

// EnumValue is one value of an enumeration; Code is unique within it.
type EnumValue struct {
	Code string         `json:"code" yaml:"code"`
	Name directory.Text `json:"name" yaml:"name"`
}

// OSImage is a template servers are installed from.
type OSImage struct {
	ID         OSImageID          `json:"id" bun:"id,pk"`
	ProviderID billkit.ProviderID `json:"provider_id" bun:"provider_id,notnull"`
	Code       string             `json:"code" bun:"code,notnull"`
	Name       string             `json:"name" bun:"name,notnull"`
	// Family is the OS family ("linux", "windows", "bsd").
	Family  string `json:"family" bun:"family,notnull"`
	Version string `json:"version" bun:"version,notnull"`
	// TariffIDs and ProductTypeIDs say where the image is offered: on those
	// tariffs, and on every tariff of those types.
	TariffIDs      []TariffID      `json:"tariff_ids" bun:"tariff_ids,notnull"`
	ProductTypeIDs []ProductTypeID `json:"product_type_ids" bun:"product_type_ids,notnull"`
	CreatedAt      time.Time       `json:"created_at" bun:"created_at,notnull"`
	UpdatedAt      time.Time       `json:"updated_at" bun:"updated_at,notnull"`
}

// Offers reports whether the image is offered on the tariff.
func (o *OSImage) Offers(t *Tariff) bool {
	for _, id := range o.TariffIDs {
		if id == t.ID {
			return true
		}
	}
	for _, id := range o.ProductTypeIDs {
		if id == t.ProductTypeID {
			return true
		}
	}
	return false
}

// TariffGroup groups tariffs for display and says which changes between
// tariffs (upgrades, downgrades) are allowed.
type TariffGroup struct {
	ID           TariffGroupID      `json:"id" bun:"id,pk"`
	ProviderID   billkit.ProviderID `json:"provider_id" bun:"provider_id,notnull"`
	Code         string             `json:"code" bun:"code,notnull"`
	Name         directory.Text     `json:"name" bun:"name,notnull"`
	DisplayOrder int                `json:"display_order" bun:"display_order,notnull"`
	// ChangeWithinGroup allows changes between the group's tariffs.
	ChangeWithinGroup bool `json:"change_within_group" bun:"change_within_group,notnull"`
	// ChangeToGroups are the other groups whose tariffs the group's tariffs
	// may change to.
	ChangeToGroups []TariffGroupID `json:"change_to_groups" bun:"change_to_groups,notnull"`
	CreatedAt      time.Time       `json:"created_at" bun:"created_at,notnull"`
	UpdatedAt      time.Time       `json:"updated_at" bun:"updated_at,notnull"`
}

// Agreement is terms a client must accept to order the tariffs that require
// it. Version starts at 1 and grows by one each time Text changes.
type Agreement struct {
	ID         AgreementID        `json:"id" bun:"id,pk"`
	ProviderID billkit.ProviderID `json:"provider_id" bun:"provider_id,notnull"`
	Code       string             `json:"code" bun:"code,notnull"`
	Title      directory.Text     `json:"title" bun:"title,notnull"`
	Text       directory.Text     `json:"text" bun:"text,notnull"`
	Version    int                `json:"version" bun:"version,notnull"`
	// TariffIDs are the tariffs that require the agreement.
	TariffIDs []TariffID `json:"tariff_ids" bun:"tariff_ids,notnull"`
	CreatedAt time.Time  `json:"created_at" bun:"created_at,notnull"`
	UpdatedAt time.Time  `json:"updated_at" bun:"updated_at,notnull"`
}

// Requires reports whether the agreement must be accepted to order t.
func (a *Agreement) Requires(t TariffID) bool {
	for _, id := range a.TariffIDs {
		if id == t {
			return true
		}
	}
	return false
}

// PricePolicy says what a price version does to existing services.
type PricePolicy string

// The price policies.
const (
	// PolicyKeepForPeriods: existing services keep the old prices for
	// KeepPeriods more periods, then move.
	PolicyKeepForPeriods PricePolicy = "keep_for_periods"
	// PolicyNextRenewal: existing services move at their next renewal.
	PolicyNextRenewal PricePolicy = "next_renewal"
	// PolicyNow: existing services move on the effective date (the running
	// period is recalculated).
	PolicyNow PricePolicy = "now"
)

// Valid reports whether p is a known policy.
func (p PricePolicy) Valid() bool {
	return p == PolicyKeepForPeriods || p == PolicyNextRenewal || p == PolicyNow
}

// PriceVersion changes a tariff's prices from EffectiveDate (a calendar
// date in the provider's time zone). New orders on or after the date pay
// the new prices; Policy says when existing services move. There is at most
// one version per tariff and date.
//
// Prices, when not empty, replace the tariff's prices whole; each
// AddonPrices entry replaces the prices of one addon (or one option of an
// enum addon). What a version does not name keeps the prices before it.
type PriceVersion struct {
	ID            PriceVersionID     `json:"id" bun:"id,pk"`
	ProviderID    billkit.ProviderID `json:"provider_id" bun:"provider_id,notnull"`
	TariffID      TariffID           `json:"tariff_id" bun:"tariff_id,notnull"`
	EffectiveDate billkit.Date       `json:"effective_date" bun:"effective_date,notnull"`
	Prices        []Price            `json:"prices" bun:"prices,notnull"`
	AddonPrices   []AddonPrices      `json:"addon_prices" bun:"addon_prices,notnull"`
	Policy        PricePolicy        `json:"policy" bun:"policy,notnull"`
	// KeepPeriods is the N of PolicyKeepForPeriods (at least 1); 0 otherwise.
	KeepPeriods int       `json:"keep_periods" bun:"keep_periods,notnull"`
	Note        string    `json:"note" bun:"note,notnull"`
	CreatedAt   time.Time `json:"created_at" bun:"created_at,notnull"`
	UpdatedAt   time.Time `json:"updated_at" bun:"updated_at,notnull"`
}

// AddonPrices are new prices of one addon, or of one option of an enum
// addon, in a PriceVersion.
type AddonPrices struct {
	Addon  string  `json:"addon" yaml:"addon"`
	Option string  `json:"option,omitempty" yaml:"option,omitempty"`
	Prices []Price `json:"prices" yaml:"prices"`
}

// priceWire is Price as JSON, with amounts written as strings that keep
// their decimals ("5.00", not "5").
type priceWire struct {
	Period   Period `json:"period"`
	Currency string `json:"currency"`
	Amount   string `json:"amount"`
	SetupFee string `json:"setup_fee,omitempty"`
}

// MarshalJSON writes the amounts as decimal strings with their exponent
// kept, so a stored or exported "5.00" reads back as "5.00".
func (p Price) MarshalJSON() ([]byte, error) {
	w := priceWire{Period: p.Period, Currency: p.Currency, Amount: exactString(p.Amount)}
	if !p.SetupFee.IsZero() {
		w.SetupFee = exactString(p.SetupFee)
	}
	return json.Marshal(w)
}

// exactString writes d with all its decimals.
func exactString(d decimal.Decimal) string {
	if e := d.Exponent(); e < 0 {
		return d.StringFixed(-e)
	}
	return d.String()
}
