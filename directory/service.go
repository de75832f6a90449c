package directory

import (
	"context"

	"github.com/billkit/billkit"
	"github.com/shopspring/decimal"
)

// Config configures a Service. The zero value works.
type Config struct {
	// Clock tells the time. Default: billkit.SystemClock().
	Clock billkit.Clock
	// EnabledCurrencies are enabled when Bootstrap first seeds currencies.
	// Default: USD, EUR, RUB.
	EnabledCurrencies []string
	// EnabledLocales are enabled when Bootstrap first seeds locales; the first
	// is the default. Default: en, ru.
	EnabledLocales []string
}

// Service is the directory: reference data every other package reads, and the
// writes staff make to it. It is safe for concurrent use.
type Service struct {
	store Store
	clock billkit.Clock
	cfg   Config
}

// NewService returns a Service on store.
func NewService(store Store, cfg Config) *Service {
	if cfg.Clock == nil {
		cfg.Clock = billkit.SystemClock()
	}
	return &Service{store: store, clock: cfg.Clock, cfg: cfg}
}

var errTODO = billkit.Errorf(billkit.CodeInternal, "todo", "not implemented yet")

// Bootstrap seeds the reference data that is missing: countries, subdivisions,
// ISO currencies, units and locales. It is idempotent and never overwrites what
// staff changed. It runs in one transaction.
func (s *Service) Bootstrap(ctx context.Context, actor billkit.Actor) error { return errTODO }

// Countries.

func (s *Service) ListCountries(ctx context.Context, f CountryFilter) (billkit.Page[Country], error) {
	return billkit.Page[Country]{}, errTODO
}
func (s *Service) GetCountry(ctx context.Context, code string) (*Country, error) { return nil, errTODO }

// UpdateCountryParams changes a country; nil fields stay as they are.
type UpdateCountryParams struct {
	Name    Text  `json:"name,omitempty"`
	Enabled *bool `json:"enabled,omitempty"`
}

func (s *Service) UpdateCountry(ctx context.Context, actor billkit.Actor, code string, p UpdateCountryParams) (*Country, error) {
	return nil, errTODO
}

// Subdivisions.

func (s *Service) ListSubdivisions(ctx context.Context, f SubdivisionFilter) (billkit.Page[Subdivision], error) {
	return billkit.Page[Subdivision]{}, errTODO
}
func (s *Service) GetSubdivision(ctx context.Context, code string) (*Subdivision, error) {
	return nil, errTODO
}

// Currencies.

func (s *Service) ListCurrencies(ctx context.Context, f CurrencyFilter) (billkit.Page[Currency], error) {
	return billkit.Page[Currency]{}, errTODO
}
func (s *Service) GetCurrency(ctx context.Context, code string) (*Currency, error) {
	return nil, errTODO
}

// CreateCurrencyParams creates a custom currency.
type CreateCurrencyParams struct {
	Code    string          `json:"code"`
	Name    Text            `json:"name"`
	Symbol  string          `json:"symbol,omitempty"`
	Digits  int             `json:"digits"`
	Margin  decimal.Decimal `json:"margin,omitzero"`
	Enabled bool            `json:"enabled"`
}

func (s *Service) CreateCurrency(ctx context.Context, actor billkit.Actor, p CreateCurrencyParams) (*Currency, error) {
	return nil, errTODO
}

// UpdateCurrencyParams changes a currency; nil fields stay as they are. Digits
// can change only for custom currencies.
type UpdateCurrencyParams struct {
	Name    Text             `json:"name,omitempty"`
	Symbol  *string          `json:"symbol,omitempty"`
	Digits  *int             `json:"digits,omitempty"`
	Margin  *decimal.Decimal `json:"margin,omitempty"`
	Enabled *bool            `json:"enabled,omitempty"`
}

func (s *Service) UpdateCurrency(ctx context.Context, actor billkit.Actor, code string, p UpdateCurrencyParams) (*Currency, error) {
	return nil, errTODO
}

// Exchange rates.

// SetExchangeRateParams sets the rate of a pair on a date.
type SetExchangeRateParams struct {
	Base  string          `json:"base"`
	Quote string          `json:"quote"`
	Rate  decimal.Decimal `json:"rate"`
	Date  billkit.Date    `json:"date"`
	// Source defaults to RateSourceManual.
	Source string `json:"source,omitempty"`
}

func (s *Service) SetExchangeRate(ctx context.Context, actor billkit.Actor, p SetExchangeRateParams) (*ExchangeRate, error) {
	return nil, errTODO
}
func (s *Service) GetExchangeRate(ctx context.Context, id ExchangeRateID) (*ExchangeRate, error) {
	return nil, errTODO
}
func (s *Service) ListExchangeRates(ctx context.Context, f ExchangeRateFilter) (billkit.Page[ExchangeRate], error) {
	return billkit.Page[ExchangeRate]{}, errTODO
}

// RefreshRates fetches the latest rates from src (outside any transaction) and
// stores those of enabled currencies in one transaction. It returns how many
// rates it stored.
func (s *Service) RefreshRates(ctx context.Context, actor billkit.Actor, src RateSource) (int, error) {
	return 0, errTODO
}

// Convert converts m into the currency to with the rates in force on date on.
func (s *Service) Convert(ctx context.Context, m billkit.Money, to string, on billkit.Date) (Conversion, error) {
	return Conversion{}, errTODO
}

// Units.

func (s *Service) ListUnits(ctx context.Context, f UnitFilter) (billkit.Page[Unit], error) {
	return billkit.Page[Unit]{}, errTODO
}
func (s *Service) GetUnit(ctx context.Context, code string) (*Unit, error) { return nil, errTODO }

// CreateUnitParams creates a custom unit.
type CreateUnitParams struct {
	Code      string          `json:"code"`
	Name      Text            `json:"name"`
	Dimension Dimension       `json:"dimension"`
	Factor    decimal.Decimal `json:"factor"`
}

func (s *Service) CreateUnit(ctx context.Context, actor billkit.Actor, p CreateUnitParams) (*Unit, error) {
	return nil, errTODO
}

// UpdateUnitParams changes a unit; nil fields stay. Factor can change only for
// custom units.
type UpdateUnitParams struct {
	Name   Text             `json:"name,omitempty"`
	Factor *decimal.Decimal `json:"factor,omitempty"`
}

func (s *Service) UpdateUnit(ctx context.Context, actor billkit.Actor, code string, p UpdateUnitParams) (*Unit, error) {
	return nil, errTODO
}

// ConvertUnits converts value from one unit to another of the same dimension.
func (s *Service) ConvertUnits(ctx context.Context, value decimal.Decimal, from, to string) (decimal.Decimal, error) {
	return decimal.Zero, errTODO
}

// TLDs.

func (s *Service) ListTLDs(ctx context.Context, f TLDFilter) (billkit.Page[TLD], error) {
	return billkit.Page[TLD]{}, errTODO
}

// GetTLD accepts the Unicode or the ASCII (punycode) name, with or without a
// leading dot.
func (s *Service) GetTLD(ctx context.Context, name string) (*TLD, error) { return nil, errTODO }

// CreateTLDParams creates a TLD. Name may be given in Unicode or punycode.
type CreateTLDParams struct {
	Name      string `json:"name"`
	MinYears  int    `json:"min_years,omitempty"` // default 1
	MaxYears  int    `json:"max_years,omitempty"` // default 10
	Registrar string `json:"registrar,omitempty"`
	Enabled   bool   `json:"enabled"`
}

func (s *Service) CreateTLD(ctx context.Context, actor billkit.Actor, p CreateTLDParams) (*TLD, error) {
	return nil, errTODO
}

// UpdateTLDParams changes a TLD; nil fields stay.
type UpdateTLDParams struct {
	MinYears  *int    `json:"min_years,omitempty"`
	MaxYears  *int    `json:"max_years,omitempty"`
	Registrar *string `json:"registrar,omitempty"`
	Enabled   *bool   `json:"enabled,omitempty"`
}

func (s *Service) UpdateTLD(ctx context.Context, actor billkit.Actor, name string, p UpdateTLDParams) (*TLD, error) {
	return nil, errTODO
}

// Locales.

func (s *Service) ListLocales(ctx context.Context, f LocaleFilter) (billkit.Page[Locale], error) {
	return billkit.Page[Locale]{}, errTODO
}
func (s *Service) GetLocale(ctx context.Context, code string) (*Locale, error) { return nil, errTODO }

// CreateLocaleParams adds a language. Names default to those CLDR knows.
type CreateLocaleParams struct {
	Code    string `json:"code"`
	Enabled bool   `json:"enabled"`
}

func (s *Service) CreateLocale(ctx context.Context, actor billkit.Actor, p CreateLocaleParams) (*Locale, error) {
	return nil, errTODO
}

// UpdateLocaleParams changes a locale; nil fields stay. Making a locale the
// default clears the flag on the previous default; the default cannot be
// disabled.
type UpdateLocaleParams struct {
	Enabled *bool `json:"enabled,omitempty"`
	Default *bool `json:"default,omitempty"`
}

func (s *Service) UpdateLocale(ctx context.Context, actor billkit.Actor, code string, p UpdateLocaleParams) (*Locale, error) {
	return nil, errTODO
}

// RateSource gives the latest exchange rates from somewhere outside billkit
// (a central bank, a payment provider). Implementations live outside this
// package because they make network calls; directory/ecb is one.
type RateSource interface {
	// Name identifies the source; it is stored as the Source of its rates.
	Name() string
	// FetchRates returns the latest rates the source publishes.
	FetchRates(ctx context.Context) (RateSet, error)
}

// RateSet is what a RateSource publishes: on Date, one unit of Base is worth
// Rates[code] units of each other currency.
type RateSet struct {
	Base  string
	Date  billkit.Date
	Rates map[string]decimal.Decimal
}
