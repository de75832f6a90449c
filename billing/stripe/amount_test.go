package stripe

import (
	"testing"

	"github.com/billkit/billkit"
)

func TestMinorUnits(t *testing.T) {
	for _, c := range []struct {
		amount, currency string
		minor            int64
		code             string
	}{
		{"12.34", "USD", 1234, "usd"},
		{"12.3", "USD", 1230, "usd"},
		{"500", "JPY", 500, "jpy"},
		{"500.000", "JPY", 500, "jpy"},
		{"1.230", "BHD", 1230, "bhd"},
		{"7", "KWD", 7000, "kwd"},
		{"1000", "MGA", 1000, "mga"},
		{"5000", "ISK", 500000, "isk"},
		{"999999.99", "USD", 99999999, "usd"},
		{"1500", "CLP", 1500, "clp"},
	} {
		n, code, err := MinorUnits(billkit.MustParseMoney(c.amount, c.currency))
		if err != nil || n != c.minor || code != c.code {
			t.Errorf("MinorUnits(%s %s) = %d %s %v, want %d %s", c.amount, c.currency, n, code, err, c.minor, c.code)
		}
		back, err := FromMinorUnits(n, code)
		if err != nil || !back.Equal(billkit.MustParseMoney(c.amount, c.currency)) || back.Currency() != c.currency {
			t.Errorf("FromMinorUnits(%d, %s) = %v, %v", n, code, back, err)
		}
	}
}

func TestFromMinorUnitsWritesISODecimals(t *testing.T) {
	for _, c := range []struct {
		minor    int64
		currency string
		want     string
	}{
		{1234, "usd", "12.34 USD"},
		{5, "USD", "0.05 USD"},
		{500, "jpy", "500 JPY"},
		{12340, "bhd", "12.340 BHD"},
		{500000, "isk", "5000 ISK"},
		{1000, "mga", "1000.00 MGA"},
	} {
		m, err := FromMinorUnits(c.minor, c.currency)
		if err != nil || m.String() != c.want {
			t.Errorf("FromMinorUnits(%d, %s) = %v, %v; want %s", c.minor, c.currency, m, err, c.want)
		}
	}
	if _, err := FromMinorUnits(1, "xx"); !billkit.IsCode(err, billkit.CodeInvalid) {
		t.Errorf("FromMinorUnits of a bad currency: %v", err)
	}
}

func TestCheckoutLocale(t *testing.T) {
	for in, want := range map[string]string{
		"": "", "ru": "ru", "en": "en", "en-GB": "en-GB", "en_gb": "en-GB", "en-US": "en",
		"pt_BR": "pt-BR", "pt-PT": "pt", "es-419": "es-419", "ZH-tw": "zh-TW", "uk": "auto", "kk-KZ": "auto",
	} {
		if got := checkoutLocale(in); got != want {
			t.Errorf("checkoutLocale(%q) = %q, want %q", in, got, want)
		}
	}
}
