package directory_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/directory"
	"github.com/billkit/billkit/store/storetest"
	"github.com/shopspring/decimal"
)

var (
	ctx   = context.Background()
	staff = billkit.Actor{Kind: billkit.ActorStaff, ID: "alice", Name: "alice@example.com", Permissions: rights{"directory:create", "directory:edit"}}
	start = time.Date(2024, 3, 15, 12, 0, 0, 0, time.UTC)
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }
func ptr[T any](v T) *T            { return &v }

// newService returns a bootstrapped Service on a fresh in-memory store.
func newService(t *testing.T, cfg directory.Config) (*directory.Service, *billkit.FakeClock) {
	t.Helper()
	st := storetest.NewMemory(t)
	clock := billkit.NewFakeClock(start)
	cfg.Clock = clock
	svc := directory.NewService(st.Directory(), cfg)
	if err := svc.Bootstrap(ctx, billkit.SystemActor("test")); err != nil {
		t.Fatalf("Bootstrap: %v", err)
	}
	return svc, clock
}

// wantField checks that err is an invalid *billkit.Error naming field with
// reason (any reason when reason is "").
func wantField(t *testing.T, err error, field, reason string) {
	t.Helper()
	var e *billkit.Error
	if !errors.As(err, &e) || e.Code != billkit.CodeInvalid {
		t.Fatalf("err = %v, want invalid on %s", err, field)
	}
	f, ok := e.Field(field)
	if !ok {
		t.Fatalf("err = %v, want field %q", err, field)
	}
	if reason != "" && f.Reason != reason {
		t.Fatalf("field %s reason = %q, want %q (%v)", field, f.Reason, reason, err)
	}
}

func wantCode(t *testing.T, err error, code billkit.Code, reason string) {
	t.Helper()
	if billkit.ErrorCode(err) != code || (reason != "" && billkit.ErrorReason(err) != reason) {
		t.Fatalf("err = %v, want %s (%s)", err, code, reason)
	}
}

func countAll[T any](t *testing.T, list func(billkit.PageParams) (billkit.Page[T], error)) int {
	t.Helper()
	n := 0
	p := billkit.PageParams{Limit: billkit.MaxPageLimit}
	for {
		page, err := list(p)
		if err != nil {
			t.Fatal(err)
		}
		n += len(page.Items)
		if page.NextCursor == "" {
			return n
		}
		p.Cursor = page.NextCursor
	}
}

func TestBootstrap(t *testing.T) {
	svc, _ := newService(t, directory.Config{})
	res, err := svc.Seed(ctx, billkit.SystemActor("test"))
	if err != nil {
		t.Fatal(err)
	}
	if res.Total() != 0 {
		t.Errorf("second seed inserted %+v", res)
	}
	countries := countAll(t, func(p billkit.PageParams) (billkit.Page[directory.Country], error) {
		return svc.ListCountries(ctx, directory.CountryFilter{PageParams: p})
	})
	currencies := countAll(t, func(p billkit.PageParams) (billkit.Page[directory.Currency], error) {
		return svc.ListCurrencies(ctx, directory.CurrencyFilter{PageParams: p})
	})
	enabled := countAll(t, func(p billkit.PageParams) (billkit.Page[directory.Currency], error) {
		return svc.ListCurrencies(ctx, directory.CurrencyFilter{Enabled: ptr(true), PageParams: p})
	})
	subs := countAll(t, func(p billkit.PageParams) (billkit.Page[directory.Subdivision], error) {
		return svc.ListSubdivisions(ctx, directory.SubdivisionFilter{Country: "us", PageParams: p})
	})
	units := countAll(t, func(p billkit.PageParams) (billkit.Page[directory.Unit], error) {
		return svc.ListUnits(ctx, directory.UnitFilter{PageParams: p})
	})
	if countries != 249 || currencies != len(directory.ISOCurrencies()) || enabled != 3 || subs != 57 || units != 7 {
		t.Errorf("countries %d, currencies %d (%d enabled), US subdivisions %d, units %d", countries, currencies, enabled, subs, units)
	}
	en, err := svc.GetLocale(ctx, "en")
	if err != nil || !en.Default || !en.Enabled {
		t.Errorf("en = %+v, %v", en, err)
	}
	sub, err := svc.GetSubdivision(ctx, "ca-qc")
	if err != nil || sub.Name.Get("ru") != "Квебек" || sub.Kind != directory.SubdivisionProvince {
		t.Errorf("CA-QC = %+v, %v", sub, err)
	}
}

func TestBootstrapKeepsStaffChanges(t *testing.T) {
	svc, _ := newService(t, directory.Config{EnabledCurrencies: []string{"usd", "JPY"}, EnabledLocales: []string{"ru"}})
	if c, _ := svc.GetCurrency(ctx, "JPY"); !c.Enabled {
		t.Error("JPY not enabled by config")
	}
	if c, _ := svc.GetCurrency(ctx, "EUR"); c.Enabled {
		t.Error("EUR enabled without config")
	}
	if l, _ := svc.GetLocale(ctx, "ru"); !l.Default {
		t.Error("ru is not the default")
	}
	if _, err := svc.UpdateCountry(ctx, staff, "RU", directory.UpdateCountryParams{Name: directory.Text{"en": "Russian Federation"}, Enabled: ptr(false)}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.UpdateCurrency(ctx, staff, "JPY", directory.UpdateCurrencyParams{Enabled: ptr(false)}); err != nil {
		t.Fatal(err)
	}
	if err := svc.Bootstrap(ctx, staff); err != nil {
		t.Fatal(err)
	}
	ru, _ := svc.GetCountry(ctx, "ru")
	jpy, _ := svc.GetCurrency(ctx, "jpy")
	if ru.Name.Get("en") != "Russian Federation" || ru.Enabled || ru.Name["ru"] != "" || jpy.Enabled {
		t.Errorf("staff changes lost: %+v %+v", ru, jpy)
	}
}

func TestBootstrapBadInput(t *testing.T) {
	st := storetest.NewMemory(t)
	svc := directory.NewService(st.Directory(), directory.Config{EnabledCurrencies: []string{"USD", "BONUS"}})
	wantField(t, svc.Bootstrap(ctx, staff), "config.enabled_currencies[1]", "currency.not_iso")
	wantField(t, directory.NewService(st.Directory(), directory.Config{}).Bootstrap(ctx, billkit.Actor{}), "actor.kind", "")
	page, err := svc.ListCountries(ctx, directory.CountryFilter{})
	if err != nil || len(page.Items) != 0 {
		t.Errorf("bad bootstrap wrote %d countries, %v", len(page.Items), err)
	}
}

func TestCountries(t *testing.T) {
	svc, clock := newService(t, directory.Config{})
	de, err := svc.GetCountry(ctx, "de")
	if err != nil || de.Alpha3 != "DEU" || !de.EU || de.Name.Get("ru") != "Германия" {
		t.Fatalf("DE = %+v, %v", de, err)
	}
	eu := countAll(t, func(p billkit.PageParams) (billkit.Page[directory.Country], error) {
		return svc.ListCountries(ctx, directory.CountryFilter{EU: ptr(true), PageParams: p})
	})
	if eu != 27 {
		t.Errorf("EU countries = %d", eu)
	}
	clock.Advance(time.Hour)
	up, err := svc.UpdateCountry(ctx, staff, "de", directory.UpdateCountryParams{Name: directory.Text{"en": "Germany", "ru": "Германия", "DE": "Deutschland"}})
	if err != nil || up.Name["de"] != "Deutschland" || !up.UpdatedAt.Equal(start.Add(time.Hour)) {
		t.Fatalf("update = %+v, %v", up, err)
	}

	bad := []struct {
		name   string
		actor  billkit.Actor
		code   string
		p      directory.UpdateCountryParams
		field  string
		reason string
	}{
		{"actor", billkit.Actor{Kind: "robot", ID: "x"}, "DE", directory.UpdateCountryParams{Enabled: ptr(false)}, "actor.kind", "actor.kind_unknown"},
		{"code", staff, "DEU", directory.UpdateCountryParams{Enabled: ptr(false)}, "code", "country.code_malformed"},
		{"blank name", staff, "DE", directory.UpdateCountryParams{Name: directory.Text{"en": "Germany", "ru": " "}}, "name.ru", "text.empty"},
		{"bad locale", staff, "DE", directory.UpdateCountryParams{Name: directory.Text{"??": "x"}}, "name.??", "text.locale_invalid"},
	}
	for _, tt := range bad {
		_, err := svc.UpdateCountry(ctx, tt.actor, tt.code, tt.p)
		wantField(t, err, tt.field, tt.reason)
	}
	_, err = svc.UpdateCountry(ctx, staff, "QQ", directory.UpdateCountryParams{Enabled: ptr(false)})
	wantCode(t, err, billkit.CodeNotFound, "")
	after, _ := svc.GetCountry(ctx, "DE")
	if !after.Enabled || after.Name["de"] != "Deutschland" {
		t.Errorf("bad updates changed DE: %+v", after)
	}
}

func TestCurrencies(t *testing.T) {
	svc, _ := newService(t, directory.Config{})
	c, err := svc.CreateCurrency(ctx, staff, directory.CreateCurrencyParams{
		Code: "bonus", Name: directory.Text{"en": "Bonus points", "ru": "Бонусы"}, Digits: 0, Margin: dec("0"), Enabled: true,
	})
	if err != nil || c.Code != "BONUS" || !c.Custom || c.Symbol != "BONUS" {
		t.Fatalf("create = %+v, %v", c, err)
	}
	name := directory.Text{"en": "x"}
	bad := []struct {
		name   string
		p      directory.CreateCurrencyParams
		field  string
		reason string
	}{
		{"iso", directory.CreateCurrencyParams{Code: "USD", Name: name}, "code", "currency.code_reserved"},
		{"malformed", directory.CreateCurrencyParams{Code: "1AB", Name: name}, "code", "currency.code_malformed"},
		{"long", directory.CreateCurrencyParams{Code: "ABCDEFGHI", Name: name}, "code", "currency.code_malformed"},
		{"no code", directory.CreateCurrencyParams{Name: name}, "code", "required"},
		{"negative digits", directory.CreateCurrencyParams{Code: "PTS", Name: name, Digits: -1}, "digits", "currency.digits_out_of_range"},
		{"many digits", directory.CreateCurrencyParams{Code: "PTS", Name: name, Digits: 9}, "digits", "currency.digits_out_of_range"},
		{"margin 100", directory.CreateCurrencyParams{Code: "PTS", Name: name, Margin: dec("100")}, "margin", "currency.margin_out_of_range"},
		{"margin negative", directory.CreateCurrencyParams{Code: "PTS", Name: name, Margin: dec("-0.5")}, "margin", "currency.margin_out_of_range"},
		{"no name", directory.CreateCurrencyParams{Code: "PTS"}, "name", "required"},
	}
	for _, tt := range bad {
		_, err := svc.CreateCurrency(ctx, staff, tt.p)
		wantField(t, err, tt.field, tt.reason)
	}
	if _, err := svc.GetCurrency(ctx, "PTS"); !billkit.IsCode(err, billkit.CodeNotFound) {
		t.Errorf("a bad create wrote PTS: %v", err)
	}
	_, err = svc.CreateCurrency(ctx, staff, directory.CreateCurrencyParams{Code: "BONUS", Name: name})
	wantCode(t, err, billkit.CodeConflict, "")

	_, err = svc.UpdateCurrency(ctx, staff, "JPY", directory.UpdateCurrencyParams{Digits: ptr(2)})
	wantField(t, err, "digits", "currency.digits_fixed")
	_, err = svc.UpdateCurrency(ctx, staff, "JPY", directory.UpdateCurrencyParams{Margin: ptr(dec("100"))})
	wantField(t, err, "margin", "currency.margin_out_of_range")
	jpy, err := svc.UpdateCurrency(ctx, staff, "JPY", directory.UpdateCurrencyParams{Enabled: ptr(true), Margin: ptr(dec("2.5"))})
	if err != nil || !jpy.Enabled || !jpy.Margin.Equal(dec("2.5")) || jpy.Digits != 0 {
		t.Fatalf("JPY = %+v, %v", jpy, err)
	}
	b, err := svc.UpdateCurrency(ctx, staff, "BONUS", directory.UpdateCurrencyParams{Digits: ptr(2), Symbol: ptr("★")})
	if err != nil || b.Digits != 2 || b.Symbol != "★" {
		t.Fatalf("BONUS = %+v, %v", b, err)
	}
}

func TestSetExchangeRate(t *testing.T) {
	svc, clock := newService(t, directory.Config{})
	d := billkit.MustDate(2024, 3, 15)
	r1, err := svc.SetExchangeRate(ctx, staff, directory.SetExchangeRateParams{Base: "eur", Quote: "USD", Rate: dec("1.0887"), Date: d})
	if err != nil || r1.Source != directory.RateSourceManual || r1.Base != "EUR" {
		t.Fatalf("set = %+v, %v", r1, err)
	}
	clock.Advance(time.Minute)
	r2, err := svc.SetExchangeRate(ctx, staff, directory.SetExchangeRateParams{Base: "EUR", Quote: "USD", Rate: dec("1.09"), Date: d})
	if err != nil || r2.ID != r1.ID || !r2.Rate.Equal(dec("1.09")) {
		t.Fatalf("replace = %+v, %v", r2, err)
	}
	got, err := svc.GetExchangeRate(ctx, r1.ID)
	if err != nil || !got.Rate.Equal(dec("1.09")) {
		t.Fatalf("get = %+v, %v", got, err)
	}
	bad := []struct {
		name   string
		p      directory.SetExchangeRateParams
		field  string
		reason string
	}{
		{"unknown base", directory.SetExchangeRateParams{Base: "XYZ", Quote: "USD", Rate: dec("1"), Date: d}, "base", "currency.not_found"},
		{"unknown quote", directory.SetExchangeRateParams{Base: "EUR", Quote: "QQQ", Rate: dec("1"), Date: d}, "quote", "currency.not_found"},
		{"same", directory.SetExchangeRateParams{Base: "EUR", Quote: "eur", Rate: dec("1"), Date: d}, "quote", "rate.same_currency"},
		{"zero rate", directory.SetExchangeRateParams{Base: "EUR", Quote: "RUB", Rate: dec("0"), Date: d}, "rate", "rate.not_positive"},
		{"negative rate", directory.SetExchangeRateParams{Base: "EUR", Quote: "RUB", Rate: dec("-1"), Date: d}, "rate", "rate.not_positive"},
		{"no date", directory.SetExchangeRateParams{Base: "EUR", Quote: "RUB", Rate: dec("1")}, "date", "required"},
		{"bad date", directory.SetExchangeRateParams{Base: "EUR", Quote: "RUB", Rate: dec("1"), Date: billkit.Date{Year: 2024, Month: 2, Day: 30}}, "date", "date.out_of_range"},
		{"malformed base", directory.SetExchangeRateParams{Base: "€", Quote: "RUB", Rate: dec("1"), Date: d}, "base", "currency.code_malformed"},
	}
	for _, tt := range bad {
		_, err := svc.SetExchangeRate(ctx, staff, tt.p)
		wantField(t, err, tt.field, tt.reason)
	}
	_, err = svc.SetExchangeRate(ctx, billkit.Actor{Kind: billkit.ActorStaff}, directory.SetExchangeRateParams{Base: "EUR", Quote: "RUB", Rate: dec("1"), Date: d})
	wantField(t, err, "actor.id", "required")
	page, err := svc.ListExchangeRates(ctx, directory.ExchangeRateFilter{})
	if err != nil || len(page.Items) != 1 {
		t.Errorf("rates after bad input: %d, %v", len(page.Items), err)
	}
	_, err = svc.ListExchangeRates(ctx, directory.ExchangeRateFilter{From: d, To: d.AddDays(-1)})
	wantField(t, err, "to", "rate.range_reversed")
}

func TestConvert(t *testing.T) {
	svc, _ := newService(t, directory.Config{EnabledCurrencies: []string{"USD", "EUR", "RUB", "JPY", "BHD", "GBP"}})
	set := func(base, quote, rate string, d billkit.Date) directory.ExchangeRateID {
		t.Helper()
		r, err := svc.SetExchangeRate(ctx, staff, directory.SetExchangeRateParams{Base: base, Quote: quote, Rate: dec(rate), Date: d})
		if err != nil {
			t.Fatal(err)
		}
		return r.ID
	}
	d1, d2 := billkit.MustDate(2024, 3, 14), billkit.MustDate(2024, 3, 15)
	eurUSDOld := set("EUR", "USD", "1.0890", d1)
	eurUSD := set("EUR", "USD", "1.0887", d2)
	eurRUB := set("EUR", "RUB", "99.5", d1)
	usdJPY := set("USD", "JPY", "149.123", d2)
	gbpUSD := set("GBP", "USD", "1.27", d2)

	money := func(a, c string) billkit.Money { return billkit.MustParseMoney(a, c) }
	tests := []struct {
		name   string
		m      billkit.Money
		to     string
		on     billkit.Date
		want   string
		market string
		via    string
		date   billkit.Date
		ids    []directory.ExchangeRateID
	}{
		{"direct", money("100", "EUR"), "USD", d2, "108.87", "1.0887", "", d2, []directory.ExchangeRateID{eurUSD}},
		{"direct older", money("100", "EUR"), "USD", d1, "108.90", "1.0890", "", d1, []directory.ExchangeRateID{eurUSDOld}},
		{"later date uses latest", money("100", "EUR"), "USD", billkit.MustDate(2024, 4, 1), "108.87", "1.0887", "", d2, []directory.ExchangeRateID{eurUSD}},
		{"inverse", money("108.87", "USD"), "EUR", d2, "100.00", "0.918526683200147", "", d2, []directory.ExchangeRateID{eurUSD}},
		{"zero digits", money("10", "USD"), "JPY", d2, "1491", "149.123", "", d2, []directory.ExchangeRateID{usdJPY}},
		{"cross via EUR", money("100", "USD"), "RUB", d2, "9139.34", "91.3934049784146229", "EUR", d1, []directory.ExchangeRateID{eurUSD, eurRUB}},
		{"cross via USD", money("1", "GBP"), "JPY", d2, "189", "189.38621", "USD", d2, []directory.ExchangeRateID{gbpUSD, usdJPY}},
		{"same", money("1.5", "EUR"), "EUR", d2, "1.50", "1", "", d2, []directory.ExchangeRateID{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := svc.Convert(ctx, tt.m, tt.to, tt.on)
			if err != nil {
				t.Fatal(err)
			}
			if c.To.Currency() != tt.to || !c.To.Amount().Equal(dec(tt.want)) || !c.MarketRate.Equal(dec(tt.market)) ||
				c.Via != tt.via || c.RateDate != tt.date || len(c.RateIDs) != len(tt.ids) {
				t.Fatalf("got To %s %s market %s via %q date %s ids %v", c.To.Amount(), c.To.Currency(), c.MarketRate, c.Via, c.RateDate, c.RateIDs)
			}
			for i := range tt.ids {
				if c.RateIDs[i] != tt.ids[i] {
					t.Errorf("rate id %d = %s, want %s", i, c.RateIDs[i], tt.ids[i])
				}
			}
			if !c.From.Equal(tt.m) {
				t.Errorf("From = %v", c.From)
			}
		})
	}

	// A margin on the target currency raises the effective rate.
	if _, err := svc.UpdateCurrency(ctx, staff, "USD", directory.UpdateCurrencyParams{Margin: ptr(dec("3"))}); err != nil {
		t.Fatal(err)
	}
	c, err := svc.Convert(ctx, money("100", "EUR"), "USD", d2)
	if err != nil || !c.To.Amount().Equal(dec("112.14")) || !c.Rate.Equal(dec("1.121361")) || !c.Margin.Equal(dec("3")) || !c.MarketRate.Equal(dec("1.0887")) {
		t.Fatalf("with margin: %+v, %v", c, err)
	}
	// Half-up rounding to three digits (BHD).
	set("EUR", "BHD", "0.41045", d2)
	c, err = svc.Convert(ctx, money("1", "EUR"), "BHD", d2)
	if err != nil || !c.To.Amount().Equal(dec("0.410")) {
		t.Fatalf("BHD: %v, %v", c.To, err)
	}
	c, err = svc.Convert(ctx, money("10", "EUR"), "BHD", d2)
	if err != nil || !c.To.Amount().Equal(dec("4.105")) {
		t.Fatalf("BHD half-up: %v, %v", c.To, err)
	}

	_, err = svc.Convert(ctx, money("1", "EUR"), "USD", billkit.MustDate(2024, 1, 1))
	wantCode(t, err, billkit.CodeFailedPrecondition, "rate.not_found")
	_, err = svc.Convert(ctx, money("1", "EUR"), "KZT", d2)
	wantCode(t, err, billkit.CodeFailedPrecondition, "rate.not_found")
	_, err = svc.Convert(ctx, money("1", "EUR"), "QQQ", d2)
	wantField(t, err, "to", "currency.not_found")
	_, err = svc.Convert(ctx, billkit.Money{}, "USD", d2)
	wantField(t, err, "from", "required")
}

type fakeSource struct {
	name string
	rs   directory.RateSet
	err  error
}

func (f fakeSource) Name() string { return f.name }
func (f fakeSource) FetchRates(context.Context) (directory.RateSet, error) {
	return f.rs, f.err
}

func TestRefreshRates(t *testing.T) {
	svc, _ := newService(t, directory.Config{})
	d := billkit.MustDate(2024, 3, 15)
	if _, err := svc.SetExchangeRate(ctx, staff, directory.SetExchangeRateParams{Base: "EUR", Quote: "RUB", Rate: dec("100"), Date: d}); err != nil {
		t.Fatal(err)
	}
	src := fakeSource{name: "bank", rs: directory.RateSet{Base: "EUR", Date: d, Rates: map[string]decimal.Decimal{
		"USD": dec("1.0887"), "RUB": dec("99.1"), "JPY": dec("162.09"), "XYZ": dec("5"),
	}}}
	for i := 0; i < 2; i++ {
		n, err := svc.RefreshRates(ctx, billkit.SystemActor("scheduler"), src)
		if err != nil || n != 1 {
			t.Fatalf("refresh %d = %d, %v; want 1 (USD; JPY disabled, XYZ unknown, RUB manual)", i, n, err)
		}
	}
	page, err := svc.ListExchangeRates(ctx, directory.ExchangeRateFilter{})
	if err != nil || len(page.Items) != 2 {
		t.Fatalf("rates = %+v, %v", page.Items, err)
	}
	for _, r := range page.Items {
		switch r.Quote {
		case "USD":
			if r.Source != "bank" || !r.Rate.Equal(dec("1.0887")) {
				t.Errorf("USD = %+v", r)
			}
		case "RUB":
			if r.Source != directory.RateSourceManual || !r.Rate.Equal(dec("100")) {
				t.Errorf("manual RUB overwritten: %+v", r)
			}
		}
	}
	_, err = svc.RefreshRates(ctx, staff, fakeSource{name: "bank", err: errors.New("connection refused")})
	wantCode(t, err, billkit.CodeUnavailable, "rate.source_unavailable")
	_, err = svc.RefreshRates(ctx, staff, fakeSource{name: "bank", rs: directory.RateSet{Base: "EUR", Date: d, Rates: map[string]decimal.Decimal{"USD": dec("-1")}}})
	wantField(t, err, "rates.USD", "rate.not_positive")
	_, err = svc.RefreshRates(ctx, staff, nil)
	wantField(t, err, "source", "required")
	_, err = svc.RefreshRates(ctx, staff, fakeSource{name: "manual", rs: src.rs})
	wantField(t, err, "source", "rate.source_invalid")
}

func TestUnits(t *testing.T) {
	svc, _ := newService(t, directory.Config{})
	got, err := svc.ConvertUnits(ctx, dec("2"), "GB", "MB")
	if err != nil || !got.Equal(dec("2048")) {
		t.Fatalf("2 GB = %s MB, %v", got, err)
	}
	_, err = svc.ConvertUnits(ctx, dec("1"), "GB", "hour")
	wantField(t, err, "to", "unit.dimension_mismatch")
	_, err = svc.ConvertUnits(ctx, dec("1"), "GB", "PB")
	wantField(t, err, "to", "unit.not_found")

	ip, err := svc.CreateUnit(ctx, staff, directory.CreateUnitParams{Code: "week", Name: directory.Text{"en": "week", "ru": "неделя"}, Dimension: directory.DimensionTime, Factor: dec("168")})
	if err != nil || !ip.Custom {
		t.Fatalf("create = %+v, %v", ip, err)
	}
	got, err = svc.ConvertUnits(ctx, dec("1"), "week", "day")
	if err != nil || !got.Equal(dec("7")) {
		t.Fatalf("1 week = %s days, %v", got, err)
	}
	bad := []struct {
		p             directory.CreateUnitParams
		field, reason string
	}{
		{directory.CreateUnitParams{Code: "", Name: directory.Text{"en": "x"}, Dimension: directory.DimensionTime, Factor: dec("1")}, "code", "required"},
		{directory.CreateUnitParams{Code: "1x", Name: directory.Text{"en": "x"}, Dimension: directory.DimensionTime, Factor: dec("1")}, "code", "unit.code_malformed"},
		{directory.CreateUnitParams{Code: "x", Dimension: directory.DimensionTime, Factor: dec("1")}, "name", "required"},
		{directory.CreateUnitParams{Code: "x", Name: directory.Text{"en": "x"}, Dimension: "weight", Factor: dec("1")}, "dimension", "unit.dimension_unknown"},
		{directory.CreateUnitParams{Code: "x", Name: directory.Text{"en": "x"}, Dimension: directory.DimensionTime, Factor: dec("0")}, "factor", "unit.factor_not_positive"},
	}
	for _, tt := range bad {
		_, err := svc.CreateUnit(ctx, staff, tt.p)
		wantField(t, err, tt.field, tt.reason)
	}
	_, err = svc.CreateUnit(ctx, staff, directory.CreateUnitParams{Code: "week", Name: directory.Text{"en": "x"}, Dimension: directory.DimensionTime, Factor: dec("1")})
	wantCode(t, err, billkit.CodeConflict, "")
	_, err = svc.UpdateUnit(ctx, staff, "GB", directory.UpdateUnitParams{Factor: ptr(dec("1000"))})
	wantField(t, err, "factor", "unit.factor_fixed")
	u, err := svc.UpdateUnit(ctx, staff, "GB", directory.UpdateUnitParams{Name: directory.Text{"en": "gibibyte"}})
	if err != nil || u.Name.Get("ru") != "gibibyte" || !u.Factor.Equal(dec("1024")) {
		t.Fatalf("rename = %+v, %v", u, err)
	}
	u, err = svc.UpdateUnit(ctx, staff, "week", directory.UpdateUnitParams{Factor: ptr(dec("169"))})
	if err != nil || !u.Factor.Equal(dec("169")) {
		t.Fatalf("custom factor = %+v, %v", u, err)
	}
}

func TestTLDs(t *testing.T) {
	svc, _ := newService(t, directory.Config{})
	rf, err := svc.CreateTLD(ctx, staff, directory.CreateTLDParams{Name: ".РФ", Enabled: true})
	if err != nil || rf.Name != "рф" || rf.ASCII != "xn--p1ai" || rf.MinYears != 1 || rf.MaxYears != 10 {
		t.Fatalf("create = %+v, %v", rf, err)
	}
	for _, name := range []string{"рф", "xn--p1ai", ".XN--P1AI"} {
		got, err := svc.GetTLD(ctx, name)
		if err != nil || got.Name != "рф" {
			t.Errorf("GetTLD(%q) = %+v, %v", name, got, err)
		}
	}
	_, err = svc.CreateTLD(ctx, staff, directory.CreateTLDParams{Name: "xn--p1ai"})
	wantCode(t, err, billkit.CodeConflict, "")
	if _, err := svc.CreateTLD(ctx, staff, directory.CreateTLDParams{Name: "co.uk", MinYears: 1, MaxYears: 2}); err != nil {
		t.Fatal(err)
	}
	bad := []struct {
		p             directory.CreateTLDParams
		field, reason string
	}{
		{directory.CreateTLDParams{Name: ""}, "name", "required"},
		{directory.CreateTLDParams{Name: "a_b"}, "name", "tld.name_invalid"},
		{directory.CreateTLDParams{Name: "net", MinYears: 11}, "min_years", "tld.years_out_of_range"},
		{directory.CreateTLDParams{Name: "net", MaxYears: -1}, "max_years", "tld.years_out_of_range"},
		{directory.CreateTLDParams{Name: "net", MinYears: 5, MaxYears: 2}, "max_years", "tld.years_reversed"},
	}
	for _, tt := range bad {
		_, err := svc.CreateTLD(ctx, staff, tt.p)
		wantField(t, err, tt.field, tt.reason)
	}
	if _, err := svc.GetTLD(ctx, "net"); !billkit.IsCode(err, billkit.CodeNotFound) {
		t.Errorf("a bad create wrote net: %v", err)
	}
	_, err = svc.UpdateTLD(ctx, staff, "co.uk", directory.UpdateTLDParams{MinYears: ptr(3)})
	wantField(t, err, "max_years", "tld.years_reversed")
	up, err := svc.UpdateTLD(ctx, staff, "CO.UK", directory.UpdateTLDParams{MaxYears: ptr(5), MinYears: ptr(3), Registrar: ptr("nominet"), Enabled: ptr(true)})
	if err != nil || up.MinYears != 3 || up.MaxYears != 5 || up.Registrar != "nominet" || !up.Enabled {
		t.Fatalf("update = %+v, %v", up, err)
	}
}

func TestLocales(t *testing.T) {
	svc, _ := newService(t, directory.Config{})
	_, err := svc.UpdateLocale(ctx, staff, "de", directory.UpdateLocaleParams{Default: ptr(true)})
	wantField(t, err, "default", "locale.default_disabled")
	_, err = svc.UpdateLocale(ctx, staff, "en", directory.UpdateLocaleParams{Enabled: ptr(false)})
	wantField(t, err, "enabled", "locale.default_disable")
	_, err = svc.UpdateLocale(ctx, staff, "en", directory.UpdateLocaleParams{Default: ptr(false)})
	wantField(t, err, "default", "locale.default_required")

	de, err := svc.UpdateLocale(ctx, staff, "DE", directory.UpdateLocaleParams{Enabled: ptr(true), Default: ptr(true)})
	if err != nil || !de.Default || !de.Enabled || de.Name != "Deutsch" {
		t.Fatalf("de = %+v, %v", de, err)
	}
	en, _ := svc.GetLocale(ctx, "en")
	if en.Default {
		t.Error("en is still the default")
	}
	if _, err := svc.UpdateLocale(ctx, staff, "en", directory.UpdateLocaleParams{Enabled: ptr(false)}); err != nil {
		t.Fatal(err)
	}
	pt, err := svc.CreateLocale(ctx, staff, directory.CreateLocaleParams{Code: "pt-br", Enabled: true})
	if err != nil || pt.Code != "pt-BR" || pt.EnglishName != "Brazilian Portuguese" {
		t.Fatalf("pt-BR = %+v, %v", pt, err)
	}
	_, err = svc.CreateLocale(ctx, staff, directory.CreateLocaleParams{Code: "pt-BR"})
	wantCode(t, err, billkit.CodeConflict, "")
	_, err = svc.CreateLocale(ctx, staff, directory.CreateLocaleParams{Code: "not a tag"})
	wantField(t, err, "code", "locale.code_malformed")
	defaults := 0
	page, _ := svc.ListLocales(ctx, directory.LocaleFilter{})
	for _, l := range page.Items {
		if l.Default {
			defaults++
		}
	}
	if defaults != 1 {
		t.Errorf("%d defaults", defaults)
	}
	// Bootstrap again: en is back only if missing, and the default stays de.
	if err := svc.Bootstrap(ctx, staff); err != nil {
		t.Fatal(err)
	}
	if l, _ := svc.GetLocale(ctx, "de"); !l.Default {
		t.Error("bootstrap moved the default")
	}
}
