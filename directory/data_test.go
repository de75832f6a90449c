package directory

import (
	"strings"
	"testing"

	"github.com/billkit/billkit"
	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
)

func TestCountries(t *testing.T) {
	cs := Countries()
	if len(cs) != 249 {
		t.Fatalf("len = %d, want 249 (ISO 3166-1)", len(cs))
	}
	by := map[string]Country{}
	alpha3 := map[string]bool{}
	eu := 0
	for i, c := range cs {
		if i > 0 && cs[i-1].Code >= c.Code {
			t.Errorf("not ordered at %s", c.Code)
		}
		if len(c.Alpha3) != 3 || len(c.Numeric) != 3 || c.Name["en"] == "" || c.Name["ru"] == "" || !c.Enabled {
			t.Errorf("incomplete %+v", c)
		}
		if alpha3[c.Alpha3] {
			t.Errorf("alpha3 %s twice", c.Alpha3)
		}
		alpha3[c.Alpha3] = true
		if c.EU {
			eu++
		}
		by[c.Code] = c
	}
	if eu != 27 {
		t.Errorf("EU members = %d, want 27", eu)
	}
	for _, code := range []string{"XK", "DD", "SU", "YU", "AN", "AC", "EU", "UN", "ZZ", "UK", "QO"} {
		if _, ok := by[code]; ok {
			t.Errorf("%s is listed", code)
		}
	}
	tests := []struct {
		code, alpha3, numeric, en, ru string
		eu                            bool
	}{
		{"RU", "RUS", "643", "Russia", "Россия", false},
		{"US", "USA", "840", "United States", "Соединенные Штаты", false},
		{"DE", "DEU", "276", "Germany", "Германия", true},
		{"AX", "ALA", "248", "Åland Islands", "Аландские о-ва", false},
		{"SS", "SSD", "728", "South Sudan", "Южный Судан", false},
	}
	for _, tt := range tests {
		c := by[tt.code]
		got := []any{c.Alpha3, c.Numeric, c.Name["en"], c.Name["ru"], c.EU}
		want := []any{tt.alpha3, tt.numeric, tt.en, tt.ru, tt.eu}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.code, diff)
		}
	}
}

func TestSubdivisions(t *testing.T) {
	ss := Subdivisions()
	count := map[string]int{}
	kinds := map[string]int{}
	seen := map[string]bool{}
	for _, s := range ss {
		if seen[s.Code] {
			t.Errorf("%s twice", s.Code)
		}
		seen[s.Code] = true
		if !validSubdivisionCode(s.Code) || !strings.HasPrefix(s.Code, s.Country+"-") {
			t.Errorf("bad code %s", s.Code)
		}
		if err := s.Name.ValidateRequired(); err != nil || s.Name["en"] == "" || s.Name["ru"] == "" {
			t.Errorf("%s name %v: %v", s.Code, s.Name, err)
		}
		count[s.Country]++
		kinds[s.Country+"/"+s.Kind]++
	}
	want := map[string]int{
		"US/state": 50, "US/district": 1, "US/outlying_area": 6,
		"CA/province": 10, "CA/territory": 3,
	}
	if diff := cmp.Diff(want, kinds); diff != "" {
		t.Errorf("kinds (-want +got):\n%s", diff)
	}
	if !seen["US-CA"] || !seen["CA-QC"] || !seen["US-DC"] || !seen["US-PR"] {
		t.Error("missing spot checks")
	}
}

func TestISOCurrencies(t *testing.T) {
	cs := ISOCurrencies()
	if len(cs) < 150 {
		t.Fatalf("only %d currencies", len(cs))
	}
	by := map[string]Currency{}
	for _, c := range cs {
		if len(c.Numeric) != 3 || c.Symbol == "" || c.Custom || c.Enabled || c.Name["en"] == "" {
			t.Errorf("incomplete %+v", c)
		}
		if c.Digits < 0 || c.Digits > 4 {
			t.Errorf("%s digits %d", c.Code, c.Digits)
		}
		by[c.Code] = c
	}
	tests := []struct {
		code, numeric, symbol string
		digits                int
	}{
		{"USD", "840", "$", 2},
		{"EUR", "978", "€", 2},
		{"RUB", "643", "₽", 2},
		{"JPY", "392", "¥", 0},
		{"BHD", "048", "BHD", 3},
		{"CHF", "756", "CHF", 2},
		// ISO 4217 minor units, which CLDR's display rounding (0) differs from.
		{"IDR", "360", "IDR", 2},
		{"IQD", "368", "IQD", 3},
	}
	for _, tt := range tests {
		c := by[tt.code]
		if c.Numeric != tt.numeric || c.Symbol != tt.symbol || c.Digits != tt.digits {
			t.Errorf("%s = %s %q %d, want %s %q %d", tt.code, c.Numeric, c.Symbol, c.Digits, tt.numeric, tt.symbol, tt.digits)
		}
	}
	for _, code := range []string{"USD", "RUB", "XAF"} {
		if !IsISOCurrency(code) {
			t.Errorf("IsISOCurrency(%s) = false", code)
		}
	}
	for _, code := range []string{"usd", "BONUS", "XXX1", "", "ZZZ"} {
		if IsISOCurrency(code) {
			t.Errorf("IsISOCurrency(%q) = true", code)
		}
	}
}

func TestConvertUnit(t *testing.T) {
	units := map[string]Unit{}
	for _, u := range DefaultUnits() {
		units[u.Code] = u
	}
	tests := []struct {
		value, from, to, want string
	}{
		{"1", "GB", "MB", "1024"},
		{"1", "TB", "GB", "1024"},
		{"512", "MB", "GB", "0.5"},
		{"1", "MB", "GB", "0.0009765625"},
		{"1.5", "TB", "MB", "1572864"},
		{"2", "day", "hour", "48"},
		{"1", "month", "day", "30"},
		{"1", "hour", "month", "0.0013888888888889"},
		{"7", "piece", "piece", "7"},
		{"-3", "GB", "MB", "-3072"},
	}
	for _, tt := range tests {
		got, err := ConvertUnit(decimal.RequireFromString(tt.value), units[tt.from], units[tt.to])
		if err != nil {
			t.Errorf("%s %s→%s: %v", tt.value, tt.from, tt.to, err)
			continue
		}
		if !got.Equal(decimal.RequireFromString(tt.want)) {
			t.Errorf("%s %s→%s = %s, want %s", tt.value, tt.from, tt.to, got, tt.want)
		}
	}
	_, err := ConvertUnit(decimal.NewFromInt(1), units["GB"], units["hour"])
	if billkit.ErrorReason(err) != "unit.dimension_mismatch" || billkit.ErrorCode(err) != billkit.CodeInvalid {
		t.Errorf("GB→hour err = %v", err)
	}
	if d := Dimension("weight"); d.Valid() {
		t.Error("weight is valid")
	}
}

func TestNormalizeTLD(t *testing.T) {
	tests := []struct {
		in, unicode, ascii string
	}{
		{"com", "com", "com"},
		{".COM", "com", "com"},
		{"рф", "рф", "xn--p1ai"},
		{".РФ", "рф", "xn--p1ai"},
		{"xn--p1ai", "рф", "xn--p1ai"},
		{"XN--P1AI", "рф", "xn--p1ai"},
		{"co.uk", "co.uk", "co.uk"},
		{" москва ", "москва", "xn--80adxhks"},
	}
	for _, tt := range tests {
		u, a, err := NormalizeTLD(tt.in)
		if err != nil || u != tt.unicode || a != tt.ascii {
			t.Errorf("NormalizeTLD(%q) = %q, %q, %v; want %q, %q", tt.in, u, a, err, tt.unicode, tt.ascii)
		}
	}
	for _, bad := range []string{"", " ", ".", "-com", "com-", "a_b", "co..uk", "xn--zz", "a b", strings.Repeat("a", 64), "com."} {
		_, _, err := NormalizeTLD(bad)
		e, ok := err.(*billkit.Error)
		if !ok || e.Code != billkit.CodeInvalid {
			t.Errorf("NormalizeTLD(%q) err = %v", bad, err)
			continue
		}
		if _, ok := e.Field("name"); !ok {
			t.Errorf("NormalizeTLD(%q) does not name field name: %v", bad, err)
		}
	}
}

func TestDefaultLocales(t *testing.T) {
	ls, err := DefaultLocales(nil)
	if err != nil {
		t.Fatal(err)
	}
	by := map[string]Locale{}
	defaults := 0
	for _, l := range ls {
		by[l.Code] = l
		if l.Default {
			defaults++
		}
	}
	if defaults != 1 || !by["en"].Default || !by["en"].Enabled || !by["ru"].Enabled || by["de"].Enabled {
		t.Errorf("flags wrong: %+v", ls)
	}
	if by["ru"].Name != "Русский" || by["ru"].EnglishName != "Russian" || by["de"].Name != "Deutsch" {
		t.Errorf("names: %+v %+v", by["ru"], by["de"])
	}
	ls, err = DefaultLocales([]string{"RU", "pt-br"})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range ls {
		if (l.Code == "ru") != l.Default || (l.Code == "ru" || l.Code == "pt-BR") != l.Enabled {
			t.Errorf("%+v", l)
		}
	}
	_, err = DefaultLocales([]string{"en", "!!"})
	if e, ok := err.(*billkit.Error); !ok || len(e.Fields) != 1 || e.Fields[0].Field != "enabled_locales[1]" {
		t.Errorf("bad locale err = %v", err)
	}
}

func TestEffectiveRateAndCross(t *testing.T) {
	d := decimal.RequireFromString
	if got := EffectiveRate(d("90"), d("3")); !got.Equal(d("92.7")) {
		t.Errorf("EffectiveRate = %s", got)
	}
	if got := EffectiveRate(d("1.25"), decimal.Zero); !got.Equal(d("1.25")) {
		t.Errorf("EffectiveRate no margin = %s", got)
	}
	// EUR→USD 1.1216 and EUR→RUB 93.5: USD→RUB = 93.5 / 1.1216.
	eurUSD := legOf(&ExchangeRate{Base: "EUR", Quote: "USD", Rate: d("1.1216")}, "EUR")
	eurRUB := legOf(&ExchangeRate{Base: "EUR", Quote: "RUB", Rate: d("93.5")}, "EUR")
	if got, want := crossLegs(eurUSD, eurRUB), d("83.3630527817403709"); !got.Equal(want) {
		t.Errorf("cross = %s, want %s", got, want)
	}
	// The same through inverse legs (USD→EUR and RUB→EUR stored).
	usdEUR := legOf(&ExchangeRate{Base: "USD", Quote: "EUR", Rate: d("0.5")}, "EUR")
	rubEUR := legOf(&ExchangeRate{Base: "RUB", Quote: "EUR", Rate: d("0.01")}, "EUR")
	if got := crossLegs(usdEUR, rubEUR); !got.Equal(d("50")) {
		t.Errorf("cross of inverses = %s, want 50", got)
	}
	inv := legOf(&ExchangeRate{Base: "USD", Quote: "EUR", Rate: d("3")}, "EUR")
	if got := inv.value(); !got.Equal(d("0.3333333333333333")) {
		t.Errorf("inverse = %s", got)
	}
}

// The directory and Money.Round must agree on every ISO currency's digits, or
// an amount rounded by one would be "unrounded" to the other.
func TestISOCurrencyDigitsAgreeWithMoney(t *testing.T) {
	for _, c := range ISOCurrencies() {
		d, ok := billkit.CurrencyDigits(c.Code)
		if !ok || d != c.Digits {
			t.Errorf("%s: directory digits %d, billkit.CurrencyDigits %d (ok=%v)", c.Code, c.Digits, d, ok)
		}
	}
}

// Every ISO currency has an English and a Russian name, and currencyNames
// holds no code ISOCurrencies lacks.
func TestISOCurrencyNames(t *testing.T) {
	cs := ISOCurrencies()
	seen := map[string]bool{}
	by := map[string]Currency{}
	for _, c := range cs {
		seen[c.Code] = true
		by[c.Code] = c
		n, ok := currencyNames[c.Code]
		if !ok {
			t.Errorf("%s: no entry in currencyNames", c.Code)
			continue
		}
		if strings.TrimSpace(n[0]) == "" || strings.TrimSpace(n[1]) == "" {
			t.Errorf("%s: empty name %q", c.Code, n)
		}
		if c.Name["en"] != n[0] || c.Name["ru"] != n[1] || len(c.Name) != 2 {
			t.Errorf("%s: Name = %v, want en %q, ru %q", c.Code, c.Name, n[0], n[1])
		}
	}
	for code := range currencyNames {
		if !seen[code] {
			t.Errorf("currencyNames has %s, which ISOCurrencies lacks", code)
		}
	}
	tests := []struct{ code, en, ru string }{
		{"USD", "US Dollar", "Доллар США"},
		{"RUB", "Russian Ruble", "Российский рубль"},
		{"EUR", "Euro", "Евро"},
		{"JPY", "Japanese Yen", "Японская иена"},
	}
	for _, tt := range tests {
		c := by[tt.code]
		if c.Name["en"] != tt.en || c.Name["ru"] != tt.ru {
			t.Errorf("%s: Name = %v, want en %q, ru %q", tt.code, c.Name, tt.en, tt.ru)
		}
	}
}
