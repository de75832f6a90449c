package directory

import (
	"time"

	"github.com/billkit/billkit"
	"github.com/shopspring/decimal"
)

// Country is an ISO 3166-1 country or territory. The list is seeded from the
// Unicode CLDR data that ships with golang.org/x/text; an installation may
// rename a country or disable it (a disabled country cannot be chosen for new
// addresses, but existing ones keep it).
type Country struct {
	// Code is the ISO 3166-1 alpha-2 code ("RU", "US"). It is the key.
	Code string `json:"code" bun:"code,pk"`
	// Alpha3 is the ISO 3166-1 alpha-3 code ("RUS").
	Alpha3 string `json:"alpha3" bun:"alpha3,notnull"`
	// Numeric is the ISO 3166-1 numeric code, three digits ("643").
	Numeric string `json:"numeric" bun:"numeric,notnull"`
	// Name is the country's name per locale; English and Russian at least.
	Name Text `json:"name" bun:"name,notnull"`
	// EU is set for members of the European Union (for VAT rules).
	EU bool `json:"eu" bun:"eu,notnull"`
	// Enabled says whether the country may be chosen for new addresses.
	Enabled   bool      `json:"enabled" bun:"enabled,notnull"`
	UpdatedAt time.Time `json:"updated_at" bun:"updated_at,notnull"`
}

// Subdivision is an ISO 3166-2 subdivision (a US state, a Canadian province),
// kept for countries whose taxes depend on it.
type Subdivision struct {
	// Code is the ISO 3166-2 code ("US-CA", "CA-QC"). It is the key.
	Code string `json:"code" bun:"code,pk"`
	// Country is the alpha-2 code of the country.
	Country string `json:"country" bun:"country,notnull"`
	// Kind says what the subdivision is: state, province, territory, district.
	Kind string `json:"kind" bun:"kind,notnull"`
	Name Text   `json:"name" bun:"name,notnull"`
}

// Currency is an ISO 4217 currency or a custom one (bonus points, a crypto
// coin). ISO currencies are seeded disabled, except the ones the installation
// enables; custom currencies are created by staff.
type Currency struct {
	// Code is the key: the ISO 4217 code, or for a custom currency 3 to 8
	// upper-case letters and digits starting with a letter.
	Code string `json:"code" bun:"code,pk"`
	// Numeric is the ISO 4217 numeric code ("643"); empty for custom currencies.
	Numeric string `json:"numeric" bun:"numeric,notnull"`
	Name    Text   `json:"name" bun:"name,notnull"`
	// Symbol is the display symbol ("₽", "$"); the code when there is none.
	Symbol string `json:"symbol" bun:"symbol,notnull"`
	// Digits is the number of decimals of the minor unit (2 for USD, 0 for
	// JPY, 3 for BHD). Amounts in this currency are rounded to it.
	Digits int `json:"digits" bun:"digits,notnull"`
	// Custom is set for currencies that are not in ISO 4217.
	Custom bool `json:"custom" bun:"custom,notnull"`
	// Enabled says whether prices, balances and payments may use the currency.
	Enabled bool `json:"enabled" bun:"enabled,notnull"`
	// Margin is a percentage added to every conversion into this currency
	// (3 means the converted amount is 3% larger). Zero means none.
	Margin    decimal.Decimal `json:"margin" bun:"margin,notnull"`
	CreatedAt time.Time       `json:"created_at" bun:"created_at,notnull"`
	UpdatedAt time.Time       `json:"updated_at" bun:"updated_at,notnull"`
}

// ExchangeRateID identifies an ExchangeRate.
type ExchangeRateID = billkit.ID[ExchangeRate]

// ExchangeRate says that on Date and after (until a later rate), one unit of
// Base is worth Rate units of Quote. There is at most one rate per pair and
// date; setting it again replaces it.
type ExchangeRate struct {
	ID    ExchangeRateID  `json:"id" bun:"id,pk"`
	Base  string          `json:"base" bun:"base,notnull"`
	Quote string          `json:"quote" bun:"quote,notnull"`
	Rate  decimal.Decimal `json:"rate" bun:"rate,notnull"`
	Date  billkit.Date    `json:"date" bun:"date,notnull"`
	// Source is "manual" for rates set by hand, or the name of the RateSource.
	Source    string    `json:"source" bun:"source,notnull"`
	CreatedAt time.Time `json:"created_at" bun:"created_at,notnull"`
	UpdatedAt time.Time `json:"updated_at" bun:"updated_at,notnull"`
}

// RateSourceManual is the Source of rates set by hand.
const RateSourceManual = "manual"

// Conversion is the result of converting money between currencies. It records
// the rate used so that a document or a ledger entry can show it forever.
type Conversion struct {
	// From is the amount converted.
	From billkit.Money `json:"from"`
	// To is the converted amount, rounded to the target currency's digits
	// (half-up).
	To billkit.Money `json:"to"`
	// Rate is the effective rate applied: MarketRate plus Margin percent.
	Rate decimal.Decimal `json:"rate"`
	// MarketRate is the rate from the stored rates, before the margin.
	MarketRate decimal.Decimal `json:"market_rate"`
	// Margin is the percentage of the target currency applied.
	Margin decimal.Decimal `json:"margin"`
	// RateDate is the date of the (oldest) stored rate used.
	RateDate billkit.Date `json:"rate_date"`
	// Via names the currency of a cross rate ("EUR" for USD→RUB through EUR
	// rates), or "" for a direct or inverse rate.
	Via string `json:"via,omitempty"`
	// RateIDs are the stored rates used: one, or two for a cross rate.
	RateIDs []ExchangeRateID `json:"rate_ids"`
}

// Dimension is what a unit measures. Units convert only within a dimension.
type Dimension string

// The dimensions.
const (
	DimensionData  Dimension = "data"  // base unit: MB
	DimensionTime  Dimension = "time"  // base unit: hour
	DimensionCount Dimension = "count" // base unit: piece
)

// Unit is a unit of measure for addons and metered usage. Factor says how many
// base units of its dimension one unit is: GB has factor 1024 (in MB), day has
// 24 (in hours). A month counts as 30 days (720 hours) for metering; billing
// periods are calendar months and never use this factor.
type Unit struct {
	// Code is the key ("MB", "GB", "hour", "piece").
	Code      string          `json:"code" bun:"code,pk"`
	Name      Text            `json:"name" bun:"name,notnull"`
	Dimension Dimension       `json:"dimension" bun:"dimension,notnull"`
	Factor    decimal.Decimal `json:"factor" bun:"factor,notnull"`
	// Custom is set for units created by staff rather than seeded.
	Custom    bool      `json:"custom" bun:"custom,notnull"`
	CreatedAt time.Time `json:"created_at" bun:"created_at,notnull"`
	UpdatedAt time.Time `json:"updated_at" bun:"updated_at,notnull"`
}

// TLD is a top-level domain that can be sold ("com", "рф", "co.uk").
type TLD struct {
	// Name is the Unicode form without a leading dot ("рф"). It is the key.
	Name string `json:"name" bun:"name,pk"`
	// ASCII is the IDNA (punycode) form ("xn--p1ai"); equal to Name for
	// ASCII TLDs.
	ASCII string `json:"ascii" bun:"ascii,notnull,unique"`
	// MinYears and MaxYears bound the registration period (1 to 10).
	MinYears int `json:"min_years" bun:"min_years,notnull"`
	MaxYears int `json:"max_years" bun:"max_years,notnull"`
	// Registrar references the registrar module that sells the TLD; "" until
	// registrars exist.
	Registrar string    `json:"registrar" bun:"registrar,notnull"`
	Enabled   bool      `json:"enabled" bun:"enabled,notnull"`
	CreatedAt time.Time `json:"created_at" bun:"created_at,notnull"`
	UpdatedAt time.Time `json:"updated_at" bun:"updated_at,notnull"`
}

// Locale is a language the installation can speak to people in.
type Locale struct {
	// Code is a BCP 47 tag ("en", "ru", "pt-BR"). It is the key.
	Code string `json:"code" bun:"code,pk"`
	// Name is the language's name in itself ("Русский").
	Name string `json:"name" bun:"name,notnull"`
	// EnglishName is its name in English ("Russian").
	EnglishName string `json:"english_name" bun:"english_name,notnull"`
	Enabled     bool   `json:"enabled" bun:"enabled,notnull"`
	// Default marks the one locale texts fall back to. Exactly one enabled
	// locale is the default.
	Default   bool      `json:"default" bun:"is_default,notnull"`
	CreatedAt time.Time `json:"created_at" bun:"created_at,notnull"`
	UpdatedAt time.Time `json:"updated_at" bun:"updated_at,notnull"`
}
