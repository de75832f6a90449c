package directory

import (
	"context"

	"github.com/billkit/billkit"
)

// Store keeps the directory. billkit's implementation is store/bunstore (on
// PostgreSQL and SQLite); store/storetest is the conformance suite every
// implementation must pass.
//
// Errors: Get and Update methods return a not_found *billkit.Error when the key
// does not exist; Insert methods return a conflict *billkit.Error when it does;
// anything else from the database comes back as unavailable or internal.
// Update methods write every stored field of the value given and return
// not_found when there was no row.
type Store interface {
	// InTx runs fn in one transaction, with a Store bound to it. When the Store
	// is already in a transaction (an embedder's, or an outer InTx), fn runs in
	// a savepoint instead. An error from fn rolls back and is returned as is.
	InTx(ctx context.Context, fn func(tx Store) error) error
	// InsertAction appends an entry to the action log. Call it inside the
	// transaction of the change it records, so both commit or neither does.
	InsertAction(ctx context.Context, a *billkit.Action) error

	// SeedCountries inserts the countries that are not stored yet and leaves
	// the others untouched. It returns how many it inserted.
	SeedCountries(ctx context.Context, countries []Country) (int, error)
	GetCountry(ctx context.Context, code string) (*Country, error)
	UpdateCountry(ctx context.Context, c *Country) error
	ListCountries(ctx context.Context, f CountryFilter) (billkit.Page[Country], error)

	SeedSubdivisions(ctx context.Context, subdivisions []Subdivision) (int, error)
	GetSubdivision(ctx context.Context, code string) (*Subdivision, error)
	ListSubdivisions(ctx context.Context, f SubdivisionFilter) (billkit.Page[Subdivision], error)

	SeedCurrencies(ctx context.Context, currencies []Currency) (int, error)
	InsertCurrency(ctx context.Context, c *Currency) error
	GetCurrency(ctx context.Context, code string) (*Currency, error)
	UpdateCurrency(ctx context.Context, c *Currency) error
	ListCurrencies(ctx context.Context, f CurrencyFilter) (billkit.Page[Currency], error)

	// InsertExchangeRate returns conflict when a rate for the same base, quote
	// and date exists.
	InsertExchangeRate(ctx context.Context, r *ExchangeRate) error
	GetExchangeRate(ctx context.Context, id ExchangeRateID) (*ExchangeRate, error)
	UpdateExchangeRate(ctx context.Context, r *ExchangeRate) error
	// FindExchangeRate returns the rate of the pair with the latest date on or
	// before on, or not_found.
	FindExchangeRate(ctx context.Context, base, quote string, on billkit.Date) (*ExchangeRate, error)
	// ListExchangeRates lists rates newest date first, then by base and quote.
	ListExchangeRates(ctx context.Context, f ExchangeRateFilter) (billkit.Page[ExchangeRate], error)

	SeedUnits(ctx context.Context, units []Unit) (int, error)
	InsertUnit(ctx context.Context, u *Unit) error
	GetUnit(ctx context.Context, code string) (*Unit, error)
	UpdateUnit(ctx context.Context, u *Unit) error
	ListUnits(ctx context.Context, f UnitFilter) (billkit.Page[Unit], error)

	InsertTLD(ctx context.Context, t *TLD) error
	GetTLD(ctx context.Context, name string) (*TLD, error)
	UpdateTLD(ctx context.Context, t *TLD) error
	ListTLDs(ctx context.Context, f TLDFilter) (billkit.Page[TLD], error)

	SeedLocales(ctx context.Context, locales []Locale) (int, error)
	InsertLocale(ctx context.Context, l *Locale) error
	GetLocale(ctx context.Context, code string) (*Locale, error)
	UpdateLocale(ctx context.Context, l *Locale) error
	ListLocales(ctx context.Context, f LocaleFilter) (billkit.Page[Locale], error)
}

// CountryFilter selects countries. Lists are ordered by Code.
type CountryFilter struct {
	// Enabled, when set, keeps only enabled (true) or disabled (false) ones.
	Enabled *bool `json:"enabled,omitempty"`
	// EU, when set, keeps only EU members (true) or non-members (false).
	EU *bool `json:"eu,omitempty"`
	// Query matches the code or a name in any locale, case-insensitively
	// (ASCII case folding; Cyrillic matches as typed).
	Query string `json:"query,omitempty"`
	billkit.PageParams
}

// SubdivisionFilter selects subdivisions. Lists are ordered by Code.
type SubdivisionFilter struct {
	// Country, when set, keeps only that country's subdivisions.
	Country string `json:"country,omitempty"`
	billkit.PageParams
}

// CurrencyFilter selects currencies. Lists are ordered by Code.
type CurrencyFilter struct {
	Enabled *bool `json:"enabled,omitempty"`
	Custom  *bool `json:"custom,omitempty"`
	// Query matches the code or a name, as in CountryFilter.
	Query string `json:"query,omitempty"`
	billkit.PageParams
}

// ExchangeRateFilter selects exchange rates.
type ExchangeRateFilter struct {
	Base  string `json:"base,omitempty"`
	Quote string `json:"quote,omitempty"`
	// From and To bound Date, inclusive; zero means unbounded.
	From billkit.Date `json:"from,omitzero"`
	To   billkit.Date `json:"to,omitzero"`
	billkit.PageParams
}

// UnitFilter selects units. Lists are ordered by Dimension, then Factor.
type UnitFilter struct {
	Dimension Dimension `json:"dimension,omitempty"`
	billkit.PageParams
}

// TLDFilter selects TLDs. Lists are ordered by Name.
type TLDFilter struct {
	Enabled *bool `json:"enabled,omitempty"`
	// Query matches the start of Name or ASCII.
	Query string `json:"query,omitempty"`
	billkit.PageParams
}

// LocaleFilter selects locales. Lists are ordered by Code.
type LocaleFilter struct {
	Enabled *bool `json:"enabled,omitempty"`
	billkit.PageParams
}
