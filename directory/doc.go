// Package directory is billkit's reference data and localization: countries
// and their subdivisions, currencies and dated exchange rates, units of
// measure, top-level domains that can be sold, and the locales the
// installation speaks. Every other package reads it; staff change it through
// Service.
//
// # What it owns and what it does not
//
// It owns the rules (codes, validation, conversions) and the seed data.
// It does not store anything itself: a Store does (store/bunstore on
// PostgreSQL and SQLite). It makes no network calls: a RateSource fetches
// rates, and directory/ecb is the one for the European Central Bank. Prices
// of TLDs, taxes per country and registrars belong to other packages.
//
// # Seed data
//
// Service.Bootstrap inserts what is missing and never overwrites what staff
// changed, so it is safe at every start.
//
//   - Countries: all 249 ISO 3166-1 countries, derived at run time from the
//     CLDR data in golang.org/x/text (alpha-3 and numeric codes, English and
//     Russian names from golang.org/x/text/language/display). EU membership
//     is a short list kept by hand.
//   - Subdivisions: US states, DC and outlying areas, Canadian provinces and
//     territories, kept by hand in English and Russian (no library ships
//     ISO 3166-2 names).
//   - Currencies: every active ISO 4217 currency with its numeric code, its
//     minor-unit digits (JPY 0, BHD 3) and a symbol, all from
//     github.com/bojanz/currency. No library at hand carries currency names,
//     so names in English and Russian are kept by hand, following CLDR's
//     display names ({"en": "US Dollar", "ru": "Доллар США"}); staff may
//     rename them. Config.EnabledCurrencies are enabled at first seed.
//   - Units: MB, GB, TB (data, in MB), hour, day, month (time, in hours; a
//     month is 720 hours for metering only) and piece (count).
//   - Locales: en and ru enabled (en the default) and a handful of others
//     disabled, named by CLDR.
//
// # Exchange rates, margins and cross rates
//
// An ExchangeRate says that from its Date on, one Base is worth Rate Quote.
// There is one rate per pair and date; setting it again replaces it and keeps
// its ID. Service.Convert picks, for the date asked:
//
//  1. rate 1 for the same currency (no margin);
//  2. the direct rate from→to of the latest date on or before that date;
//  3. else the inverse of to→from, 1/rate;
//  4. else a cross rate through a pivot currency P (Config.Pivots, default
//     EUR then USD): (to per P) / (from per P), each leg direct or inverse.
//
// The effective rate is market × (1 + margin/100), where margin is the
// percentage set on the target currency. The converted amount is rounded
// half-up to the target currency's digits, once, at the end. Divisions
// (inverse and cross rates) are carried to RatePrecision (16) decimal places;
// nothing else is rounded. Every Conversion records the market and effective
// rates, the margin, the date of the oldest rate used, the pivot and the IDs
// of the stored rates, so a document can show them forever.
//
// Service.RefreshRates fetches from a RateSource outside any transaction,
// then stores in one transaction the rates whose currencies both exist and
// are enabled. Refreshing twice with the same data changes nothing; a rate
// set by hand for the same pair and date is kept. ParseECBRates reads the
// ECB's XML format and is pure, so it is fuzzed here; directory/ecb adds HTTP.
//
// # Texts
//
// Names a client sees are Text values: one string per BCP 47 locale, stored
// as a JSON object. Text.Get falls back from the locale to its parents and
// base language, then to English, then to any translation.
//
// # Errors
//
// Every method returns *billkit.Error. Bad input is invalid, with Fields
// naming each wrong field ("name.ru", "rate", "base"); a missing key is
// not_found; a duplicate is conflict; a conversion without rates is
// failed_precondition with reason "rate.not_found". A write with bad input
// writes nothing.
package directory
