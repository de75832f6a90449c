package directory

import (
	"context"
	"time"

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
	// Pivots are the currencies Convert tries, in order, for a cross rate
	// when a pair has neither a direct nor an inverse rate. Default: EUR, USD.
	Pivots []string
}

// Defaults of Config.
var (
	DefaultEnabledCurrencies = []string{"USD", "EUR", "RUB"}
	DefaultEnabledLocales    = []string{"en", "ru"}
	DefaultPivots            = []string{"EUR", "USD"}
)

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
	if len(cfg.EnabledCurrencies) == 0 {
		cfg.EnabledCurrencies = DefaultEnabledCurrencies
	}
	if len(cfg.EnabledLocales) == 0 {
		cfg.EnabledLocales = DefaultEnabledLocales
	}
	if len(cfg.Pivots) == 0 {
		cfg.Pivots = DefaultPivots
	}
	// Copies, so a caller changing its slices later does not change the
	// Service behind its back.
	cfg.EnabledCurrencies = append([]string(nil), cfg.EnabledCurrencies...)
	cfg.EnabledLocales = append([]string(nil), cfg.EnabledLocales...)
	cfg.Pivots = append([]string(nil), cfg.Pivots...)
	return &Service{store: store, clock: cfg.Clock, cfg: cfg}
}

// Function is the directory's name in rights ("directory:edit") and in the
// action log. Writes need directory:create (Create*, Seed and Bootstrap) or
// directory:edit (Update*, SetExchangeRate, RefreshRates); reads are public.
const Function = "directory"

// Functions lists the functions of this package, for access's
// RightsConfig.Functions.
func Functions() []string { return []string{Function} }

// record appends to the action log, in tx, that actor did verb to the object
// of kind ("currency") with key id. Its name is "directory.<kind>.<verb>" and
// its object type "directory.<kind>".
func (s *Service) record(ctx context.Context, tx Store, actor billkit.Actor, kind, verb, id string, before, after any) error {
	return billkit.RecordAction(ctx, tx, actor, s.now(), Function+"."+kind+"."+verb, Function+"."+kind, id, billkit.ClientID{}, before, after)
}

// now is the service's clock in the form billkit stores instants.
func (s *Service) now() time.Time { return billkit.Instant(s.clock.Now()) }

// today is the calendar date of now in UTC, the zone exchange rates are
// published in.
func (s *Service) today() billkit.Date { return billkit.DateOf(s.now()) }

// UpdateCountryParams changes a country; nil fields stay as they are.
type UpdateCountryParams struct {
	Name    Text  `json:"name,omitempty"`
	Enabled *bool `json:"enabled,omitempty"`
}

// CreateCurrencyParams creates a custom currency.
type CreateCurrencyParams struct {
	Code    string          `json:"code"`
	Name    Text            `json:"name"`
	Symbol  string          `json:"symbol,omitempty"`
	Digits  int             `json:"digits"`
	Margin  decimal.Decimal `json:"margin,omitzero"`
	Enabled bool            `json:"enabled,omitempty"`
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

// SetExchangeRateParams sets the rate of a pair on a date.
type SetExchangeRateParams struct {
	Base  string          `json:"base"`
	Quote string          `json:"quote"`
	Rate  decimal.Decimal `json:"rate"`
	Date  billkit.Date    `json:"date"`
	// Source defaults to RateSourceManual.
	Source string `json:"source,omitempty"`
}

// CreateUnitParams creates a custom unit.
type CreateUnitParams struct {
	Code      string          `json:"code"`
	Name      Text            `json:"name"`
	Dimension Dimension       `json:"dimension"`
	Factor    decimal.Decimal `json:"factor"`
}

// UpdateUnitParams changes a unit; nil fields stay. Factor can change only for
// custom units.
type UpdateUnitParams struct {
	Name   Text             `json:"name,omitempty"`
	Factor *decimal.Decimal `json:"factor,omitempty"`
}

// CreateTLDParams creates a TLD. Name may be given in Unicode or punycode.
type CreateTLDParams struct {
	Name      string `json:"name"`
	MinYears  int    `json:"min_years,omitempty"` // default 1
	MaxYears  int    `json:"max_years,omitempty"` // default 10
	Registrar string `json:"registrar,omitempty"`
	Enabled   bool   `json:"enabled,omitempty"`
}

// UpdateTLDParams changes a TLD; nil fields stay.
type UpdateTLDParams struct {
	MinYears  *int    `json:"min_years,omitempty"`
	MaxYears  *int    `json:"max_years,omitempty"`
	Registrar *string `json:"registrar,omitempty"`
	Enabled   *bool   `json:"enabled,omitempty"`
}

// CreateLocaleParams adds a language. Names default to those CLDR knows.
type CreateLocaleParams struct {
	Code    string `json:"code"`
	Enabled bool   `json:"enabled,omitempty"`
}

// UpdateLocaleParams changes a locale; nil fields stay. Making a locale the
// default clears the flag on the previous default; the default cannot be
// disabled.
type UpdateLocaleParams struct {
	Enabled *bool `json:"enabled,omitempty"`
	Default *bool `json:"default,omitempty"`
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
