package billkit_test

import (
	"testing"

	"github.com/billkit/billkit"
)

// FuzzParseMoney checks that ParseMoney never panics, and that whatever it
// accepts survives String and the text, JSON and SQL forms unchanged.
func FuzzParseMoney(f *testing.F) {
	for _, seed := range [][2]string{
		{"1234.50", "USD"}, {"-0.5", "EUR"}, {"12", "JPY"}, {"0.000", "BHD"},
		{"1e3", "USD"}, {"+1", "USD"}, {"NaN", "USD"}, {"", ""}, {"1", "usd"},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, amount, currency string) {
		m, err := billkit.ParseMoney(amount, currency)
		if err != nil {
			if billkit.ErrorCode(err) != billkit.CodeInvalid {
				t.Fatalf("ParseMoney(%q, %q): error %v is not invalid", amount, currency, err)
			}
			return
		}
		var back billkit.Money
		if err := back.UnmarshalText([]byte(m.String())); err != nil {
			t.Fatalf("ParseMoney(%q, %q) = %q, which does not parse back: %v", amount, currency, m, err)
		}
		if back.String() != m.String() || !back.Equal(m) {
			t.Fatalf("parse → String → parse: %q became %q", m, back)
		}
		b, err := m.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		var fromJSON billkit.Money
		if err := fromJSON.UnmarshalJSON(b); err != nil || fromJSON.String() != m.String() {
			t.Fatalf("JSON round trip of %q via %s = %q, %v", m, b, fromJSON, err)
		}
		// Operations on any accepted amount must not panic.
		_ = m.Round(billkit.RoundHalfEven)
		_ = m.RoundCash(billkit.RoundHalfUp)
		_ = m.Format("ru")
		if _, err := m.Split(3); err != nil {
			t.Fatal(err)
		}
	})
}
