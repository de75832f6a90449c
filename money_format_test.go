package billkit_test

import (
	"strings"
	"testing"
)

func TestFormat(t *testing.T) {
	const nbsp = "\u00a0"
	tests := []struct {
		m, locale, want string
	}{
		// CLDR puts no-break spaces (U+00A0) in Russian grouping and before
		// the symbol: the bytes are exact, not ordinary spaces.
		{"1234.50 RUB", "ru", "1" + nbsp + "234,50" + nbsp + "₽"},
		{"1234.50 RUB", "ru-RU", "1" + nbsp + "234,50" + nbsp + "₽"},
		{"-1234.50 RUB", "ru", "-1" + nbsp + "234,50" + nbsp + "₽"},
		{"1234.50 USD", "en", "$1,234.50"},
		{"1234.50 USD", "en-US", "$1,234.50"},
		{"-1234.50 USD", "en", "-$1,234.50"},
		{"1234.50 EUR", "de", "1.234,50" + nbsp + "€"},
		{"1234.50 CHF", "de-CH", "CHF" + nbsp + "1'234.50"},
		{"1234.50 EUR", "fr", "1\u202f234,50" + nbsp + "€"},
		{"1234.50 RUB", "en", "RUB" + nbsp + "1,234.50"},
		// Never rounds; pads to the currency's decimals.
		{"1234.5 USD", "en", "$1,234.50"},
		{"1234 USD", "en", "$1,234.00"},
		{"0.125 USD", "en", "$0.125"},
		{"1234 JPY", "en", "¥1,234"},
		{"1234.5 JPY", "en", "¥1,234.5"},
		{"1.5 BHD", "en", "BHD" + nbsp + "1.500"},
		// Unknown and empty locales format as English.
		{"1234.50 USD", "", "$1,234.50"},
		{"1234.50 USD", "xx", "$1,234.50"},
		{"1234.50 USD", "no such locale!", "$1,234.50"},
		// Custom codes: the locale's number, the code where a currency goes,
		// the amount's own decimals.
		{"1500 BONUS", "en", "BONUS" + nbsp + "1,500"},
		{"1234.50 BONUS", "ru", "1" + nbsp + "234,50" + nbsp + "BONUS"},
		{"-1234.5 USDT", "de", "-1.234,5" + nbsp + "USDT"},
		{"1 BTC2", "en", "BTC2" + nbsp + "1"},
		// 30 digits format exactly.
		{"123456789012345678901234567890.12 USD", "en", "$123,456,789,012,345,678,901,234,567,890.12"},
		// Beyond the formatter's precision: the plain form, never a wrong number.
		{strings.Repeat("9", 45) + ".50 USD", "en", strings.Repeat("9", 45) + ".50 USD"},
	}
	for _, tt := range tests {
		if got := money(t, tt.m).Format(tt.locale); got != tt.want {
			t.Errorf("Format(%s, %q) = %q, want %q", tt.m, tt.locale, got, tt.want)
		}
	}
}

func TestString(t *testing.T) {
	for _, s := range []string{"1234.50 USD", "0.00 USD", "-0.5 EUR", "12 JPY", "1.500 BHD", "1000 BONUS"} {
		if got := money(t, s).String(); got != s {
			t.Errorf("String() = %q, want %q", got, s)
		}
	}
}
