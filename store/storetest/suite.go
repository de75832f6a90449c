package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/access"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/catalog"
	"github.com/billkit/billkit/directory"
	"github.com/billkit/billkit/provisioning"
	"github.com/billkit/billkit/store/bunstore"
	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
	"github.com/uptrace/bun"
)

// Stores are the stores of one implementation under test, fresh and empty
// (migrated) for each call of the newStores function given to Run. It is a
// struct so that stores of later domain packages are added as fields.
type Stores struct {
	Directory directory.Store
	Access    access.Store
	Billing   billing.Store
	Catalog   catalog.Store
	// Provisioning, when nil, is taken from Bun (Bun.Provisioning()).
	Provisioning provisioning.Store
	// Bun, when set, is the bunstore.Store behind the stores. Run then also
	// checks that billkit's writes join a transaction owned by the caller
	// (bunstore.New(tx)).
	Bun *bunstore.Store
}

// Run is the conformance suite of the store contracts. Every implementation
// must pass it:
//
//	func TestConformance(t *testing.T) {
//		t.Run("sqlite", func(t *testing.T) {
//			storetest.Run(t, func(t testing.TB) storetest.Stores {
//				st := storetest.NewMemory(t)
//				return storetest.Stores{Directory: st.Directory(), Bun: st}
//			})
//		})
//	}
//
// newStores is called once per subtest, so subtests never see each other's
// data.
func Run(t *testing.T, newStores func(t testing.TB) Stores) {
	t.Helper()
	t.Run("directory", func(t *testing.T) { runDirectory(t, newStores) })
	t.Run("access/identity", func(t *testing.T) { runAccessIdentity(t, newStores) })
	t.Run("access/rights", func(t *testing.T) { runAccessRights(t, newStores) })
	t.Run("billing/accounts", func(t *testing.T) { runBillingAccounts(t, newStores) })
	t.Run("catalog", func(t *testing.T) { runCatalog(t, newStores) })
	t.Run("billing/ledger", func(t *testing.T) { runBillingLedger(t, newStores) })
	t.Run("billing/payments", func(t *testing.T) { runBillingPayments(t, newStores) })
	t.Run("billing/expenses", func(t *testing.T) { runBillingExpenses(t, newStores) })
	t.Run("billing/invoices", func(t *testing.T) { runBillingInvoices(t, newStores) })
	t.Run("billing/taxes", func(t *testing.T) { runBillingTaxes(t, newStores) })
	t.Run("billing/discounts", func(t *testing.T) { runBillingDiscounts(t, newStores) })
	t.Run("provisioning", func(t *testing.T) { runProvisioning(t, newStores) })
}

// cmpOpts compare the values billkit stores: decimals by value, IDs by value.
var cmpOpts = cmp.Options{
	cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) }),
	cmp.Comparer(func(a, b directory.ExchangeRateID) bool { return a == b }),
	cmp.Comparer(func(a, b billkit.Date) bool { return a == b }),
}

// wantCode fails the test unless err is a *billkit.Error with code and,
// when reason is not empty, reason.
func wantCode(t testing.TB, err error, code billkit.Code, reason string) {
	t.Helper()
	var be *billkit.Error
	if !errors.As(err, &be) {
		t.Fatalf("error = %v (%T), want a *billkit.Error with code %s", err, err, code)
	}
	if be.Code != code || (reason != "" && be.Reason != reason) {
		t.Fatalf("error = %v, want code %s reason %q", err, code, reason)
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func ptr[T any](v T) *T { return &v }

// t0 is an instant with nanoseconds and a zone, to see both normalized.
var t0 = time.Date(2026, 3, 29, 1, 30, 15, 123456789, time.FixedZone("MSK", 3*3600))

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func currency(code string, enabled, custom bool) directory.Currency {
	return directory.Currency{
		Code: code, Numeric: "", Name: directory.Text{"en": code + " money", "ru": "Валюта " + code},
		Symbol: code, Digits: 2, Custom: custom, Enabled: enabled, Margin: dec("0"),
		CreatedAt: t0, UpdatedAt: t0,
	}
}

func country(code string, eu, enabled bool, en, ru string) directory.Country {
	return directory.Country{
		Code: code, Alpha3: code + "X", Numeric: "001", Name: directory.Text{"en": en, "ru": ru},
		EU: eu, Enabled: enabled, UpdatedAt: t0,
	}
}

func rate(base, quote string, r string, on billkit.Date) directory.ExchangeRate {
	return directory.ExchangeRate{
		ID: billkit.NewID[directory.ExchangeRate](), Base: base, Quote: quote, Rate: dec(r), Date: on,
		Source: directory.RateSourceManual, CreatedAt: t0, UpdatedAt: t0,
	}
}

func unit(code string, dim directory.Dimension, factor string) directory.Unit {
	return directory.Unit{Code: code, Name: directory.Text{"en": code}, Dimension: dim, Factor: dec(factor), CreatedAt: t0, UpdatedAt: t0}
}

func tld(name, ascii string, enabled bool) directory.TLD {
	return directory.TLD{Name: name, ASCII: ascii, MinYears: 1, MaxYears: 10, Enabled: enabled, CreatedAt: t0, UpdatedAt: t0}
}

func locale(code string, enabled, def bool) directory.Locale {
	return directory.Locale{Code: code, Name: code, EnglishName: code, Enabled: enabled, Default: def, CreatedAt: t0, UpdatedAt: t0}
}

// stored returns v as a store gives it back: instants in UTC, microseconds.
func storedTime(t time.Time) time.Time { return billkit.Instant(t) }

// collect reads every page of a list with the given page size, and fails on
// a duplicate or a page larger than asked.
func collect[T any](t testing.TB, limit int, key func(T) string, list func(billkit.PageParams) (billkit.Page[T], error)) []T {
	t.Helper()
	var (
		all    []T
		seen   = map[string]bool{}
		cursor string
	)
	for pages := 0; ; pages++ {
		if pages > 1000 {
			t.Fatal("pagination does not end")
		}
		p, err := list(billkit.PageParams{Limit: limit, Cursor: cursor})
		must(t, err)
		if len(p.Items) > limit {
			t.Fatalf("page has %d items, limit %d", len(p.Items), limit)
		}
		for _, it := range p.Items {
			if seen[key(it)] {
				t.Fatalf("item %s appears twice", key(it))
			}
			seen[key(it)] = true
		}
		all = append(all, p.Items...)
		if p.NextCursor == "" {
			return all
		}
		if len(p.Items) == 0 {
			t.Fatal("an empty page has a next cursor")
		}
		cursor = p.NextCursor
	}
}

func keys[T any](items []T, key func(T) string) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = key(it)
	}
	return out
}

func runDirectory(t *testing.T, newStores func(t testing.TB) Stores) {
	ctx := context.Background()
	open := func(t *testing.T) directory.Store {
		t.Helper()
		s := newStores(t)
		if s.Directory == nil {
			t.Fatal("Stores.Directory is nil")
		}
		return s.Directory
	}

	t.Run("currency/crud", func(t *testing.T) {
		d := open(t)
		c := currency("USD", true, false)
		c.Margin = dec("3.25")
		must(t, d.InsertCurrency(ctx, &c))
		got, err := d.GetCurrency(ctx, "USD")
		must(t, err)
		want := c
		want.CreatedAt, want.UpdatedAt = storedTime(t0), storedTime(t0)
		if diff := cmp.Diff(&want, got, cmpOpts); diff != "" {
			t.Fatalf("GetCurrency (-want +got):\n%s", diff)
		}
		dup := currency("USD", false, false)
		wantCode(t, d.InsertCurrency(ctx, &dup), billkit.CodeConflict, "currency.exists")

		got.Symbol, got.Digits, got.Enabled, got.Margin = "$", 3, false, dec("0.5")
		got.UpdatedAt = t0.Add(time.Hour)
		must(t, d.UpdateCurrency(ctx, got))
		again, err := d.GetCurrency(ctx, "USD")
		must(t, err)
		if diff := cmp.Diff(got, again, cmpOpts); diff != "" {
			t.Fatalf("after UpdateCurrency (-want +got):\n%s", diff)
		}
		_, err = d.GetCurrency(ctx, "XXX")
		wantCode(t, err, billkit.CodeNotFound, "currency.not_found")
		missing := currency("XXX", true, true)
		wantCode(t, d.UpdateCurrency(ctx, &missing), billkit.CodeNotFound, "currency.not_found")
	})

	t.Run("currency/seed", func(t *testing.T) {
		d := open(t)
		cs := []directory.Currency{currency("EUR", true, false), currency("RUB", true, false), currency("USD", false, false)}
		n, err := d.SeedCurrencies(ctx, cs)
		must(t, err)
		if n != 3 {
			t.Fatalf("first seed inserted %d, want 3", n)
		}
		// Staff change a seeded currency; a later seed must not undo it.
		eur, err := d.GetCurrency(ctx, "EUR")
		must(t, err)
		eur.Symbol = "€"
		must(t, d.UpdateCurrency(ctx, eur))
		cs = append(cs, currency("JPY", false, false))
		n, err = d.SeedCurrencies(ctx, cs)
		must(t, err)
		if n != 1 {
			t.Fatalf("second seed inserted %d, want 1", n)
		}
		n, err = d.SeedCurrencies(ctx, cs)
		must(t, err)
		if n != 0 {
			t.Fatalf("third seed inserted %d, want 0", n)
		}
		eur, err = d.GetCurrency(ctx, "EUR")
		must(t, err)
		if eur.Symbol != "€" {
			t.Fatalf("seed overwrote EUR's symbol: %q", eur.Symbol)
		}
		if n, err := d.SeedCurrencies(ctx, nil); err != nil || n != 0 {
			t.Fatalf("empty seed = %d, %v", n, err)
		}
	})

	t.Run("currency/filters", func(t *testing.T) {
		d := open(t)
		cs := []directory.Currency{currency("EUR", true, false), currency("RUB", true, false), currency("USD", false, false), currency("BONUS", true, true)}
		cs[0].Name = directory.Text{"en": "Euro", "ru": "Евро"}
		cs[1].Name = directory.Text{"en": "Russian ruble", "ru": "Российский рубль"}
		cs[2].Name = directory.Text{"en": "US dollar", "ru": "Доллар США"}
		_, err := d.SeedCurrencies(ctx, cs)
		must(t, err)
		code := func(c directory.Currency) string { return c.Code }
		for _, tc := range []struct {
			name string
			f    directory.CurrencyFilter
			want []string
		}{
			{"all", directory.CurrencyFilter{}, []string{"BONUS", "EUR", "RUB", "USD"}},
			{"enabled", directory.CurrencyFilter{Enabled: ptr(true)}, []string{"BONUS", "EUR", "RUB"}},
			{"disabled", directory.CurrencyFilter{Enabled: ptr(false)}, []string{"USD"}},
			{"custom", directory.CurrencyFilter{Custom: ptr(true)}, []string{"BONUS"}},
			{"iso enabled", directory.CurrencyFilter{Custom: ptr(false), Enabled: ptr(true)}, []string{"EUR", "RUB"}},
			{"query code any case", directory.CurrencyFilter{Query: "usd"}, []string{"USD"}},
			{"query name any case", directory.CurrencyFilter{Query: "DOLLAR"}, []string{"USD"}},
			{"query name cyrillic", directory.CurrencyFilter{Query: "рубль"}, []string{"RUB"}},
			{"query locale key is not a name", directory.CurrencyFilter{Query: "ru\""}, nil},
			{"query wildcard is literal", directory.CurrencyFilter{Query: "%"}, nil},
			{"query no match", directory.CurrencyFilter{Query: "zzz"}, nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				p, err := d.ListCurrencies(ctx, tc.f)
				must(t, err)
				if diff := cmp.Diff(tc.want, keys(p.Items, code)); diff != "" && !(len(tc.want) == 0 && len(p.Items) == 0) {
					t.Fatalf("(-want +got):\n%s", diff)
				}
			})
		}
	})

	t.Run("country", func(t *testing.T) {
		d := open(t)
		cs := []directory.Country{
			country("DE", true, true, "Germany", "Германия"),
			country("RU", false, true, "Russia", "Россия"),
			country("FR", true, false, "France", "Франция"),
			country("US", false, false, "United States", "Соединённые Штаты"),
		}
		n, err := d.SeedCountries(ctx, cs)
		must(t, err)
		if n != 4 {
			t.Fatalf("seeded %d, want 4", n)
		}
		n, err = d.SeedCountries(ctx, append(cs, country("JP", false, true, "Japan", "Япония")))
		must(t, err)
		if n != 1 {
			t.Fatalf("second seed inserted %d, want 1", n)
		}
		got, err := d.GetCountry(ctx, "RU")
		must(t, err)
		want := cs[1]
		want.UpdatedAt = storedTime(t0)
		if diff := cmp.Diff(&want, got, cmpOpts); diff != "" {
			t.Fatalf("GetCountry (-want +got):\n%s", diff)
		}
		got.Name = directory.Text{"en": "Russian Federation", "ru": "Российская Федерация"}
		got.Enabled = false
		must(t, d.UpdateCountry(ctx, got))
		again, err := d.GetCountry(ctx, "RU")
		must(t, err)
		if diff := cmp.Diff(got, again, cmpOpts); diff != "" {
			t.Fatalf("after UpdateCountry (-want +got):\n%s", diff)
		}
		_, err = d.GetCountry(ctx, "ZZ")
		wantCode(t, err, billkit.CodeNotFound, "country.not_found")
		zz := country("ZZ", false, false, "Nowhere", "Нигде")
		wantCode(t, d.UpdateCountry(ctx, &zz), billkit.CodeNotFound, "country.not_found")

		code := func(c directory.Country) string { return c.Code }
		for _, tc := range []struct {
			name string
			f    directory.CountryFilter
			want []string
		}{
			{"all", directory.CountryFilter{}, []string{"DE", "FR", "JP", "RU", "US"}},
			{"enabled", directory.CountryFilter{Enabled: ptr(true)}, []string{"DE", "JP"}},
			{"eu", directory.CountryFilter{EU: ptr(true)}, []string{"DE", "FR"}},
			{"not eu disabled", directory.CountryFilter{EU: ptr(false), Enabled: ptr(false)}, []string{"RU", "US"}},
			{"query code", directory.CountryFilter{Query: "jp"}, []string{"JP"}},
			{"query english name", directory.CountryFilter{Query: "GERM"}, []string{"DE"}},
			{"query russian name", directory.CountryFilter{Query: "Франц"}, []string{"FR"}},
			{"query updated name", directory.CountryFilter{Query: "Federation"}, []string{"RU"}},
		} {
			t.Run("filter/"+tc.name, func(t *testing.T) {
				p, err := d.ListCountries(ctx, tc.f)
				must(t, err)
				if diff := cmp.Diff(tc.want, keys(p.Items, code)); diff != "" {
					t.Fatalf("(-want +got):\n%s", diff)
				}
			})
		}
	})

	t.Run("country/pagination", func(t *testing.T) {
		d := open(t)
		var cs []directory.Country
		var want []string
		for i := range 26 {
			c := string(rune('A'+i)) + string(rune('Z'-i))
			cs = append(cs, country(c, i%2 == 0, true, "Country "+c, "Страна "+c))
		}
		_, err := d.SeedCountries(ctx, cs)
		must(t, err)
		for _, c := range cs {
			want = append(want, c.Code)
		}
		// Codes were seeded out of order; the list is ordered by code.
		sortStrings(want)
		code := func(c directory.Country) string { return c.Code }
		for _, limit := range []int{1, 7, 26, 100} {
			t.Run(fmt.Sprint("limit=", limit), func(t *testing.T) {
				got := collect(t, limit, code, func(pp billkit.PageParams) (billkit.Page[directory.Country], error) {
					return d.ListCountries(ctx, directory.CountryFilter{PageParams: pp})
				})
				if diff := cmp.Diff(want, keys(got, code)); diff != "" {
					t.Fatalf("(-want +got):\n%s", diff)
				}
			})
		}
		t.Run("with filter", func(t *testing.T) {
			got := collect(t, 4, code, func(pp billkit.PageParams) (billkit.Page[directory.Country], error) {
				return d.ListCountries(ctx, directory.CountryFilter{EU: ptr(true), PageParams: pp})
			})
			if len(got) != 13 {
				t.Fatalf("got %d EU countries over pages, want 13", len(got))
			}
		})
		t.Run("bad cursor", func(t *testing.T) {
			_, err := d.ListCountries(ctx, directory.CountryFilter{PageParams: billkit.PageParams{Cursor: "not a cursor"}})
			wantCode(t, err, billkit.CodeInvalid, "")
			if _, ok := err.(*billkit.Error).Field("cursor"); !ok {
				t.Fatalf("error %v does not name field cursor", err)
			}
		})
		t.Run("bad limit", func(t *testing.T) {
			_, err := d.ListCountries(ctx, directory.CountryFilter{PageParams: billkit.PageParams{Limit: -1}})
			wantCode(t, err, billkit.CodeInvalid, "page.limit_out_of_range")
		})
	})

	t.Run("subdivision", func(t *testing.T) {
		d := open(t)
		_, err := d.SeedCountries(ctx, []directory.Country{country("US", false, true, "United States", "США"), country("CA", false, true, "Canada", "Канада")})
		must(t, err)
		subs := []directory.Subdivision{
			{Code: "US-CA", Country: "US", Kind: "state", Name: directory.Text{"en": "California", "ru": "Калифорния"}},
			{Code: "US-NY", Country: "US", Kind: "state", Name: directory.Text{"en": "New York"}},
			{Code: "CA-QC", Country: "CA", Kind: "province", Name: directory.Text{"en": "Quebec", "fr": "Québec"}},
		}
		n, err := d.SeedSubdivisions(ctx, subs)
		must(t, err)
		if n != 3 {
			t.Fatalf("seeded %d, want 3", n)
		}
		n, err = d.SeedSubdivisions(ctx, subs)
		must(t, err)
		if n != 0 {
			t.Fatalf("second seed inserted %d, want 0", n)
		}
		got, err := d.GetSubdivision(ctx, "CA-QC")
		must(t, err)
		if diff := cmp.Diff(&subs[2], got, cmpOpts); diff != "" {
			t.Fatalf("GetSubdivision (-want +got):\n%s", diff)
		}
		_, err = d.GetSubdivision(ctx, "US-XX")
		wantCode(t, err, billkit.CodeNotFound, "subdivision.not_found")
		_, err = d.SeedSubdivisions(ctx, []directory.Subdivision{{Code: "ZZ-A", Country: "ZZ", Kind: "state", Name: directory.Text{"en": "A"}}})
		wantCode(t, err, billkit.CodeFailedPrecondition, "")
		code := func(s directory.Subdivision) string { return s.Code }
		p, err := d.ListSubdivisions(ctx, directory.SubdivisionFilter{Country: "US"})
		must(t, err)
		if diff := cmp.Diff([]string{"US-CA", "US-NY"}, keys(p.Items, code)); diff != "" {
			t.Fatalf("by country (-want +got):\n%s", diff)
		}
		all := collect(t, 2, code, func(pp billkit.PageParams) (billkit.Page[directory.Subdivision], error) {
			return d.ListSubdivisions(ctx, directory.SubdivisionFilter{PageParams: pp})
		})
		if diff := cmp.Diff([]string{"CA-QC", "US-CA", "US-NY"}, keys(all, code)); diff != "" {
			t.Fatalf("all (-want +got):\n%s", diff)
		}
	})

	seedRateCurrencies := func(t *testing.T, d directory.Store) {
		t.Helper()
		_, err := d.SeedCurrencies(ctx, []directory.Currency{currency("EUR", true, false), currency("RUB", true, false), currency("USD", true, false)})
		must(t, err)
	}

	t.Run("exchange_rate/crud", func(t *testing.T) {
		d := open(t)
		seedRateCurrencies(t, d)
		r := rate("USD", "RUB", "123456789012345678901234.567890", billkit.MustDate(2026, 1, 15))
		must(t, d.InsertExchangeRate(ctx, &r))
		got, err := d.GetExchangeRate(ctx, r.ID)
		must(t, err)
		want := r
		want.CreatedAt, want.UpdatedAt = storedTime(t0), storedTime(t0)
		if diff := cmp.Diff(&want, got, cmpOpts); diff != "" {
			t.Fatalf("GetExchangeRate (-want +got):\n%s", diff)
		}
		if !got.Rate.Equal(dec("123456789012345678901234.56789")) || got.Rate.String() != "123456789012345678901234.56789" {
			t.Fatalf("30-digit rate came back as %s", got.Rate)
		}
		same := rate("USD", "RUB", "90", billkit.MustDate(2026, 1, 15))
		wantCode(t, d.InsertExchangeRate(ctx, &same), billkit.CodeConflict, "exchange_rate.exists")
		noCurrency := rate("USD", "GBP", "0.8", billkit.MustDate(2026, 1, 15))
		wantCode(t, d.InsertExchangeRate(ctx, &noCurrency), billkit.CodeFailedPrecondition, "")

		got.Rate = dec("0.000000000000000000000000000001")
		got.Source = "ecb"
		got.UpdatedAt = t0.Add(24 * time.Hour)
		must(t, d.UpdateExchangeRate(ctx, got))
		again, err := d.GetExchangeRate(ctx, r.ID)
		must(t, err)
		if diff := cmp.Diff(got, again, cmpOpts); diff != "" {
			t.Fatalf("after UpdateExchangeRate (-want +got):\n%s", diff)
		}
		_, err = d.GetExchangeRate(ctx, billkit.NewID[directory.ExchangeRate]())
		wantCode(t, err, billkit.CodeNotFound, "exchange_rate.not_found")
		ghost := rate("USD", "EUR", "1", billkit.MustDate(2026, 1, 1))
		wantCode(t, d.UpdateExchangeRate(ctx, &ghost), billkit.CodeNotFound, "exchange_rate.not_found")
	})

	t.Run("exchange_rate/find", func(t *testing.T) {
		d := open(t)
		seedRateCurrencies(t, d)
		for _, r := range []directory.ExchangeRate{
			rate("USD", "RUB", "90", billkit.MustDate(2026, 1, 10)),
			rate("USD", "RUB", "91", billkit.MustDate(2026, 1, 20)),
			rate("USD", "RUB", "92", billkit.MustDate(2026, 2, 1)),
			rate("EUR", "RUB", "100", billkit.MustDate(2026, 1, 15)),
		} {
			must(t, d.InsertExchangeRate(ctx, &r))
		}
		for _, tc := range []struct {
			on   billkit.Date
			want string
		}{
			{billkit.MustDate(2026, 1, 10), "90"},
			{billkit.MustDate(2026, 1, 19), "90"},
			{billkit.MustDate(2026, 1, 20), "91"},
			{billkit.MustDate(2026, 1, 31), "91"},
			{billkit.MustDate(2027, 1, 1), "92"},
		} {
			got, err := d.FindExchangeRate(ctx, "USD", "RUB", tc.on)
			must(t, err)
			if !got.Rate.Equal(dec(tc.want)) {
				t.Errorf("FindExchangeRate on %s = %s, want %s", tc.on, got.Rate, tc.want)
			}
		}
		_, err := d.FindExchangeRate(ctx, "USD", "RUB", billkit.MustDate(2026, 1, 9))
		wantCode(t, err, billkit.CodeNotFound, "exchange_rate.not_found")
		_, err = d.FindExchangeRate(ctx, "RUB", "USD", billkit.MustDate(2026, 3, 1))
		wantCode(t, err, billkit.CodeNotFound, "exchange_rate.not_found")
	})

	t.Run("exchange_rate/list", func(t *testing.T) {
		d := open(t)
		seedRateCurrencies(t, d)
		pairs := [][2]string{{"USD", "RUB"}, {"EUR", "RUB"}, {"USD", "EUR"}}
		var want []string
		for day := 5; day >= 1; day-- {
			for _, p := range [][2]string{{"EUR", "RUB"}, {"USD", "EUR"}, {"USD", "RUB"}} {
				want = append(want, fmt.Sprintf("2026-03-%02d %s/%s", day, p[0], p[1]))
			}
		}
		for day := 1; day <= 5; day++ {
			for _, p := range pairs {
				r := rate(p[0], p[1], fmt.Sprint(day), billkit.MustDate(2026, 3, day))
				must(t, d.InsertExchangeRate(ctx, &r))
			}
		}
		key := func(r directory.ExchangeRate) string { return r.Date.String() + " " + r.Base + "/" + r.Quote }
		for _, limit := range []int{1, 4, 15, 50} {
			t.Run(fmt.Sprint("limit=", limit), func(t *testing.T) {
				got := collect(t, limit, key, func(pp billkit.PageParams) (billkit.Page[directory.ExchangeRate], error) {
					return d.ListExchangeRates(ctx, directory.ExchangeRateFilter{PageParams: pp})
				})
				if diff := cmp.Diff(want, keys(got, key)); diff != "" {
					t.Fatalf("newest first, then pair (-want +got):\n%s", diff)
				}
			})
		}
		for _, tc := range []struct {
			name string
			f    directory.ExchangeRateFilter
			want []string
		}{
			{"base", directory.ExchangeRateFilter{Base: "EUR"}, []string{"2026-03-05 EUR/RUB", "2026-03-04 EUR/RUB", "2026-03-03 EUR/RUB", "2026-03-02 EUR/RUB", "2026-03-01 EUR/RUB"}},
			{"quote", directory.ExchangeRateFilter{Quote: "EUR", From: billkit.MustDate(2026, 3, 4)}, []string{"2026-03-05 USD/EUR", "2026-03-04 USD/EUR"}},
			{"pair and range", directory.ExchangeRateFilter{Base: "USD", Quote: "RUB", From: billkit.MustDate(2026, 3, 2), To: billkit.MustDate(2026, 3, 3)}, []string{"2026-03-03 USD/RUB", "2026-03-02 USD/RUB"}},
			{"to", directory.ExchangeRateFilter{To: billkit.MustDate(2026, 3, 1)}, []string{"2026-03-01 EUR/RUB", "2026-03-01 USD/EUR", "2026-03-01 USD/RUB"}},
			{"empty range", directory.ExchangeRateFilter{From: billkit.MustDate(2026, 4, 1)}, nil},
		} {
			t.Run("filter/"+tc.name, func(t *testing.T) {
				got := collect(t, 2, key, func(pp billkit.PageParams) (billkit.Page[directory.ExchangeRate], error) {
					f := tc.f
					f.PageParams = pp
					return d.ListExchangeRates(ctx, f)
				})
				if diff := cmp.Diff(tc.want, keys(got, key)); diff != "" && !(len(tc.want) == 0 && len(got) == 0) {
					t.Fatalf("(-want +got):\n%s", diff)
				}
			})
		}
	})

	t.Run("unit", func(t *testing.T) {
		d := open(t)
		us := []directory.Unit{
			unit("TB", directory.DimensionData, "1048576"),
			unit("MB", directory.DimensionData, "1"),
			unit("GB", directory.DimensionData, "1024"),
			unit("day", directory.DimensionTime, "24"),
			unit("hour", directory.DimensionTime, "1"),
			unit("month", directory.DimensionTime, "720"),
			unit("piece", directory.DimensionCount, "1"),
			unit("KB", directory.DimensionData, "0.0009765625"),
		}
		n, err := d.SeedUnits(ctx, us)
		must(t, err)
		if n != len(us) {
			t.Fatalf("seeded %d, want %d", n, len(us))
		}
		n, err = d.SeedUnits(ctx, us)
		must(t, err)
		if n != 0 {
			t.Fatalf("second seed inserted %d, want 0", n)
		}
		custom := unit("PB", directory.DimensionData, "1073741824")
		custom.Custom = true
		must(t, d.InsertUnit(ctx, &custom))
		wantCode(t, d.InsertUnit(ctx, &custom), billkit.CodeConflict, "unit.exists")
		got, err := d.GetUnit(ctx, "PB")
		must(t, err)
		want := custom
		want.CreatedAt, want.UpdatedAt = storedTime(t0), storedTime(t0)
		if diff := cmp.Diff(&want, got, cmpOpts); diff != "" {
			t.Fatalf("GetUnit (-want +got):\n%s", diff)
		}
		got.Name = directory.Text{"en": "petabyte", "ru": "петабайт"}
		must(t, d.UpdateUnit(ctx, got))
		again, err := d.GetUnit(ctx, "PB")
		must(t, err)
		if diff := cmp.Diff(got, again, cmpOpts); diff != "" {
			t.Fatalf("after UpdateUnit (-want +got):\n%s", diff)
		}
		_, err = d.GetUnit(ctx, "EB")
		wantCode(t, err, billkit.CodeNotFound, "unit.not_found")
		eb := unit("EB", directory.DimensionData, "1")
		wantCode(t, d.UpdateUnit(ctx, &eb), billkit.CodeNotFound, "unit.not_found")

		code := func(u directory.Unit) string { return u.Code }
		// Ordered by dimension, then factor by value (1024 after 24 would
		// be wrong), then code.
		wantAll := []string{"piece", "KB", "MB", "GB", "TB", "PB", "hour", "day", "month"}
		for _, limit := range []int{1, 2, 4, 50} {
			t.Run(fmt.Sprint("order/limit=", limit), func(t *testing.T) {
				got := collect(t, limit, code, func(pp billkit.PageParams) (billkit.Page[directory.Unit], error) {
					return d.ListUnits(ctx, directory.UnitFilter{PageParams: pp})
				})
				if diff := cmp.Diff(wantAll, keys(got, code)); diff != "" {
					t.Fatalf("(-want +got):\n%s", diff)
				}
			})
		}
		p, err := d.ListUnits(ctx, directory.UnitFilter{Dimension: directory.DimensionTime})
		must(t, err)
		if diff := cmp.Diff([]string{"hour", "day", "month"}, keys(p.Items, code)); diff != "" {
			t.Fatalf("filter/dimension (-want +got):\n%s", diff)
		}
	})

	t.Run("tld", func(t *testing.T) {
		d := open(t)
		for _, x := range []directory.TLD{tld("com", "com", true), tld("рф", "xn--p1ai", true), tld("co.uk", "co.uk", false), tld("net", "net", true)} {
			must(t, d.InsertTLD(ctx, &x))
		}
		dup := tld("com", "com2", true)
		wantCode(t, d.InsertTLD(ctx, &dup), billkit.CodeConflict, "tld.exists")
		dupASCII := tld("рф2", "xn--p1ai", true)
		wantCode(t, d.InsertTLD(ctx, &dupASCII), billkit.CodeConflict, "")
		got, err := d.GetTLD(ctx, "рф")
		must(t, err)
		if got.ASCII != "xn--p1ai" || !got.CreatedAt.Equal(storedTime(t0)) || got.CreatedAt.Location() != time.UTC {
			t.Fatalf("GetTLD = %+v", got)
		}
		got.Registrar, got.MaxYears = "rucenter", 5
		must(t, d.UpdateTLD(ctx, got))
		again, err := d.GetTLD(ctx, "рф")
		must(t, err)
		if diff := cmp.Diff(got, again, cmpOpts); diff != "" {
			t.Fatalf("after UpdateTLD (-want +got):\n%s", diff)
		}
		_, err = d.GetTLD(ctx, "org")
		wantCode(t, err, billkit.CodeNotFound, "tld.not_found")
		org := tld("org", "org", true)
		wantCode(t, d.UpdateTLD(ctx, &org), billkit.CodeNotFound, "tld.not_found")
		name := func(x directory.TLD) string { return x.Name }
		for _, tc := range []struct {
			name string
			f    directory.TLDFilter
			want []string
		}{
			{"all", directory.TLDFilter{}, []string{"co.uk", "com", "net", "рф"}},
			{"enabled", directory.TLDFilter{Enabled: ptr(true)}, []string{"com", "net", "рф"}},
			{"prefix", directory.TLDFilter{Query: "co"}, []string{"co.uk", "com"}},
			{"prefix any case", directory.TLDFilter{Query: "NE"}, []string{"net"}},
			{"not a prefix", directory.TLDFilter{Query: "om"}, nil},
			{"ascii prefix", directory.TLDFilter{Query: "xn--"}, []string{"рф"}},
			{"unicode prefix", directory.TLDFilter{Query: "р"}, []string{"рф"}},
			{"wildcard is literal", directory.TLDFilter{Query: "_"}, nil},
		} {
			t.Run("filter/"+tc.name, func(t *testing.T) {
				got := collect(t, 1, name, func(pp billkit.PageParams) (billkit.Page[directory.TLD], error) {
					f := tc.f
					f.PageParams = pp
					return d.ListTLDs(ctx, f)
				})
				if diff := cmp.Diff(tc.want, keys(got, name)); diff != "" && !(len(tc.want) == 0 && len(got) == 0) {
					t.Fatalf("(-want +got):\n%s", diff)
				}
			})
		}
	})

	t.Run("locale", func(t *testing.T) {
		d := open(t)
		ls := []directory.Locale{locale("en", true, true), locale("ru", true, false), locale("de", false, false)}
		ls[1].Name, ls[1].EnglishName = "Русский", "Russian"
		n, err := d.SeedLocales(ctx, ls)
		must(t, err)
		if n != 3 {
			t.Fatalf("seeded %d, want 3", n)
		}
		n, err = d.SeedLocales(ctx, ls)
		must(t, err)
		if n != 0 {
			t.Fatalf("second seed inserted %d, want 0", n)
		}
		pt := locale("pt-BR", false, false)
		must(t, d.InsertLocale(ctx, &pt))
		wantCode(t, d.InsertLocale(ctx, &pt), billkit.CodeConflict, "locale.exists")
		got, err := d.GetLocale(ctx, "ru")
		must(t, err)
		want := ls[1]
		want.CreatedAt, want.UpdatedAt = storedTime(t0), storedTime(t0)
		if diff := cmp.Diff(&want, got, cmpOpts); diff != "" {
			t.Fatalf("GetLocale (-want +got):\n%s", diff)
		}
		got.Default, got.Enabled = true, false
		must(t, d.UpdateLocale(ctx, got))
		again, err := d.GetLocale(ctx, "ru")
		must(t, err)
		if diff := cmp.Diff(got, again, cmpOpts); diff != "" {
			t.Fatalf("after UpdateLocale (-want +got):\n%s", diff)
		}
		_, err = d.GetLocale(ctx, "fr")
		wantCode(t, err, billkit.CodeNotFound, "locale.not_found")
		fr := locale("fr", true, false)
		wantCode(t, d.UpdateLocale(ctx, &fr), billkit.CodeNotFound, "locale.not_found")
		code := func(l directory.Locale) string { return l.Code }
		p, err := d.ListLocales(ctx, directory.LocaleFilter{Enabled: ptr(true)})
		must(t, err)
		if diff := cmp.Diff([]string{"en"}, keys(p.Items, code)); diff != "" {
			t.Fatalf("filter/enabled (-want +got):\n%s", diff)
		}
		all := collect(t, 3, code, func(pp billkit.PageParams) (billkit.Page[directory.Locale], error) {
			return d.ListLocales(ctx, directory.LocaleFilter{PageParams: pp})
		})
		if diff := cmp.Diff([]string{"de", "en", "pt-BR", "ru"}, keys(all, code)); diff != "" {
			t.Fatalf("all (-want +got):\n%s", diff)
		}
	})

	t.Run("roundtrip/text", func(t *testing.T) {
		d := open(t)
		c := currency("RUB", true, false)
		c.Name = directory.Text{"en": "Russian ruble", "ru": "Российский рубль", "uk": "Російський рубль «₽» \"quoted\" \\ back"}
		must(t, d.InsertCurrency(ctx, &c))
		got, err := d.GetCurrency(ctx, "RUB")
		must(t, err)
		if diff := cmp.Diff(c.Name, got.Name); diff != "" {
			t.Fatalf("Text (-want +got):\n%s", diff)
		}
	})

	t.Run("roundtrip/instant", func(t *testing.T) {
		d := open(t)
		for i, at := range []time.Time{
			t0,
			time.Date(1999, 12, 31, 23, 59, 59, 999999999, time.UTC),
			time.Date(2038, 1, 19, 3, 14, 8, 1000, time.FixedZone("", -7*3600-30*60)),
			time.Date(2026, 1, 1, 0, 0, 0, 0, time.Local),
		} {
			c := currency(fmt.Sprintf("T%02d", i), true, true)
			c.CreatedAt, c.UpdatedAt = at, at.Add(time.Microsecond)
			must(t, d.InsertCurrency(ctx, &c))
			got, err := d.GetCurrency(ctx, c.Code)
			must(t, err)
			want := at.UTC().Truncate(time.Microsecond)
			if !got.CreatedAt.Equal(want) || got.CreatedAt.Location() != time.UTC {
				t.Errorf("%v came back as %v, want %v in UTC", at, got.CreatedAt, want)
			}
			if !got.UpdatedAt.Equal(want.Add(time.Microsecond)) {
				t.Errorf("%v + 1µs came back as %v", at, got.UpdatedAt)
			}
		}
	})

	t.Run("roundtrip/decimal", func(t *testing.T) {
		d := open(t)
		for i, s := range []string{"0", "3.25", "-1.5", "123456789012345678901234.567890", "0.000000000000000000000000000001", "99999999999999999999999999999.9"} {
			u := unit(fmt.Sprintf("U%d", i), directory.DimensionCount, s)
			must(t, d.InsertUnit(ctx, &u))
			got, err := d.GetUnit(ctx, u.Code)
			must(t, err)
			if !got.Factor.Equal(dec(s)) {
				t.Errorf("%s came back as %s", s, got.Factor)
			}
		}
	})

	t.Run("tx/commit", func(t *testing.T) {
		d := open(t)
		must(t, d.InTx(ctx, func(tx directory.Store) error {
			c := currency("USD", true, false)
			if err := tx.InsertCurrency(ctx, &c); err != nil {
				return err
			}
			// The transaction sees its own writes.
			_, err := tx.GetCurrency(ctx, "USD")
			return err
		}))
		if _, err := d.GetCurrency(ctx, "USD"); err != nil {
			t.Fatalf("committed write is missing: %v", err)
		}
	})

	t.Run("tx/rollback", func(t *testing.T) {
		d := open(t)
		boom := errors.New("boom")
		err := d.InTx(ctx, func(tx directory.Store) error {
			c := currency("USD", true, false)
			if err := tx.InsertCurrency(ctx, &c); err != nil {
				return err
			}
			if _, err := tx.SeedLocales(ctx, []directory.Locale{locale("en", true, true)}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("InTx returned %v, want fn's error as is", err)
		}
		_, err = d.GetCurrency(ctx, "USD")
		wantCode(t, err, billkit.CodeNotFound, "currency.not_found")
		_, err = d.GetLocale(ctx, "en")
		wantCode(t, err, billkit.CodeNotFound, "locale.not_found")
	})

	t.Run("tx/nested", func(t *testing.T) {
		d := open(t)
		boom := errors.New("inner fails")
		must(t, d.InTx(ctx, func(tx directory.Store) error {
			usd := currency("USD", true, false)
			if err := tx.InsertCurrency(ctx, &usd); err != nil {
				return err
			}
			err := tx.InTx(ctx, func(inner directory.Store) error {
				eur := currency("EUR", true, false)
				if err := inner.InsertCurrency(ctx, &eur); err != nil {
					return err
				}
				return boom
			})
			if !errors.Is(err, boom) {
				return fmt.Errorf("inner InTx returned %v, want its error as is", err)
			}
			// A failed statement inside a savepoint must not poison the
			// outer transaction either.
			err = tx.InTx(ctx, func(inner directory.Store) error {
				again := currency("USD", true, false)
				return inner.InsertCurrency(ctx, &again)
			})
			if !billkit.IsCode(err, billkit.CodeConflict) {
				return fmt.Errorf("duplicate in savepoint = %v, want conflict", err)
			}
			return tx.InTx(ctx, func(inner directory.Store) error {
				rub := currency("RUB", true, false)
				return inner.InsertCurrency(ctx, &rub)
			})
		}))
		for code, want := range map[string]bool{"USD": true, "EUR": false, "RUB": true} {
			_, err := d.GetCurrency(ctx, code)
			if (err == nil) != want {
				t.Errorf("%s stored = %v, want %v", code, err == nil, want)
			}
		}
	})

	t.Run("tx/caller_owned", func(t *testing.T) {
		s := newStores(t)
		if s.Bun == nil {
			t.Skip("Stores.Bun is not set")
		}
		db, ok := s.Bun.DB().(*bun.DB)
		if !ok {
			t.Skipf("the store runs on %T, not a *bun.DB", s.Bun.DB())
		}
		for _, commit := range []bool{false, true} {
			tx, err := db.BeginTx(ctx, nil)
			must(t, err)
			d := bunstore.New(tx).Directory()
			code := "RBK"
			if commit {
				code = "CMT"
			}
			c := currency(code, true, true)
			if err := d.InsertCurrency(ctx, &c); err != nil {
				_ = tx.Rollback()
				t.Fatal(err)
			}
			// billkit's own transaction becomes a savepoint in the caller's.
			err = d.InTx(ctx, func(tx directory.Store) error {
				_, err := tx.SeedLocales(ctx, []directory.Locale{locale("x-"+code, true, false)})
				return err
			})
			if err != nil {
				_ = tx.Rollback()
				t.Fatal(err)
			}
			if commit {
				must(t, tx.Commit())
			} else {
				must(t, tx.Rollback())
			}
			_, err = s.Directory.GetCurrency(ctx, code)
			_, lerr := s.Directory.GetLocale(ctx, "x-"+code)
			if commit && (err != nil || lerr != nil) {
				t.Fatalf("after the caller committed: %v, %v", err, lerr)
			}
			if !commit && (!billkit.IsCode(err, billkit.CodeNotFound) || !billkit.IsCode(lerr, billkit.CodeNotFound)) {
				t.Fatalf("after the caller rolled back, billkit's writes remain: %v, %v", err, lerr)
			}
		}
	})
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}
