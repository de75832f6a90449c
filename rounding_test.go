package billkit_test

import (
	"encoding/json"
	"testing"

	"github.com/billkit/billkit"
)

var allModes = []billkit.RoundingMode{
	billkit.RoundHalfUp, billkit.RoundHalfEven, billkit.RoundDown,
	billkit.RoundUp, billkit.RoundFloor, billkit.RoundCeiling,
}

func TestRoundingModeNames(t *testing.T) {
	want := []string{"half_up", "half_even", "down", "up", "floor", "ceiling"}
	for i, mode := range allModes {
		if !mode.Valid() || mode.String() != want[i] {
			t.Errorf("mode %d: Valid %v String %q, want %q", i, mode.Valid(), mode.String(), want[i])
		}
		back, err := billkit.ParseRoundingMode(want[i])
		if err != nil || back != mode {
			t.Errorf("ParseRoundingMode(%q) = %v, %v", want[i], back, err)
		}
	}
	if billkit.RoundingMode(0) != billkit.RoundHalfUp {
		t.Error("the zero RoundingMode is not RoundHalfUp")
	}
	bad := billkit.RoundingMode(42)
	if bad.Valid() || bad.String() != "RoundingMode(42)" {
		t.Errorf("mode 42: Valid %v String %q", bad.Valid(), bad.String())
	}
	if _, err := bad.MarshalText(); err == nil {
		t.Error("MarshalText of an undefined mode: no error")
	}
	_, err := billkit.ParseRoundingMode("HALF_UP")
	wantInvalid(t, err, "rounding_mode", "money.rounding_mode_unknown")

	var cfg struct {
		Mode billkit.RoundingMode `json:"mode"`
	}
	if err := json.Unmarshal([]byte(`{"mode":"half_even"}`), &cfg); err != nil || cfg.Mode != billkit.RoundHalfEven {
		t.Errorf("JSON config: %v, %v", cfg.Mode, err)
	}
	if b, err := json.Marshal(cfg); err != nil || string(b) != `{"mode":"half_even"}` {
		t.Errorf("JSON config out: %s, %v", b, err)
	}
	if err := json.Unmarshal([]byte(`{"mode":"sideways"}`), &cfg); err == nil {
		t.Error("JSON config with an unknown mode: no error")
	}
}

// roundCase lists the expected result for each mode, in allModes order:
// half_up, half_even, down, up, floor, ceiling.
type roundCase struct {
	in   string
	want [6]string
}

func checkRound(t *testing.T, name string, cases []roundCase, round func(billkit.Money, billkit.RoundingMode) billkit.Money) {
	t.Helper()
	for _, tt := range cases {
		m := money(t, tt.in)
		for i, mode := range allModes {
			got := round(m, mode)
			if got.String() != tt.want[i] {
				t.Errorf("%s(%s, %s) = %s, want %s", name, tt.in, mode, got, tt.want[i])
			}
		}
	}
}

func TestRound(t *testing.T) {
	checkRound(t, "Round", []roundCase{
		// USD: 2 decimals.
		{"2.345 USD", [6]string{"2.35 USD", "2.34 USD", "2.34 USD", "2.35 USD", "2.34 USD", "2.35 USD"}},
		{"2.355 USD", [6]string{"2.36 USD", "2.36 USD", "2.35 USD", "2.36 USD", "2.35 USD", "2.36 USD"}},
		{"-2.345 USD", [6]string{"-2.35 USD", "-2.34 USD", "-2.34 USD", "-2.35 USD", "-2.35 USD", "-2.34 USD"}},
		{"2.3449999 USD", [6]string{"2.34 USD", "2.34 USD", "2.34 USD", "2.35 USD", "2.34 USD", "2.35 USD"}},
		{"2.3450001 USD", [6]string{"2.35 USD", "2.35 USD", "2.34 USD", "2.35 USD", "2.34 USD", "2.35 USD"}},
		{"5 USD", [6]string{"5.00 USD", "5.00 USD", "5.00 USD", "5.00 USD", "5.00 USD", "5.00 USD"}},
		{"5.1 USD", [6]string{"5.10 USD", "5.10 USD", "5.10 USD", "5.10 USD", "5.10 USD", "5.10 USD"}},
		{"0.004 USD", [6]string{"0.00 USD", "0.00 USD", "0.00 USD", "0.01 USD", "0.00 USD", "0.01 USD"}},
		{"-0.004 USD", [6]string{"0.00 USD", "0.00 USD", "0.00 USD", "-0.01 USD", "-0.01 USD", "0.00 USD"}},
		// JPY: no decimals.
		{"2.5 JPY", [6]string{"3 JPY", "2 JPY", "2 JPY", "3 JPY", "2 JPY", "3 JPY"}},
		{"3.5 JPY", [6]string{"4 JPY", "4 JPY", "3 JPY", "4 JPY", "3 JPY", "4 JPY"}},
		{"-2.5 JPY", [6]string{"-3 JPY", "-2 JPY", "-2 JPY", "-3 JPY", "-3 JPY", "-2 JPY"}},
		{"1234.4 JPY", [6]string{"1234 JPY", "1234 JPY", "1234 JPY", "1235 JPY", "1234 JPY", "1235 JPY"}},
		// BHD: 3 decimals.
		{"1.0005 BHD", [6]string{"1.001 BHD", "1.000 BHD", "1.000 BHD", "1.001 BHD", "1.000 BHD", "1.001 BHD"}},
		{"-1.0015 BHD", [6]string{"-1.002 BHD", "-1.002 BHD", "-1.001 BHD", "-1.002 BHD", "-1.002 BHD", "-1.001 BHD"}},
		{"7 BHD", [6]string{"7.000 BHD", "7.000 BHD", "7.000 BHD", "7.000 BHD", "7.000 BHD", "7.000 BHD"}},
		// Codes unknown to ISO 4217 round to 2 decimals.
		{"1.005 BONUS", [6]string{"1.01 BONUS", "1.00 BONUS", "1.00 BONUS", "1.01 BONUS", "1.00 BONUS", "1.01 BONUS"}},
		// 30 digits round exactly.
		{"123456789012345678901234567890.125 USD", [6]string{
			"123456789012345678901234567890.13 USD", "123456789012345678901234567890.12 USD",
			"123456789012345678901234567890.12 USD", "123456789012345678901234567890.13 USD",
			"123456789012345678901234567890.12 USD", "123456789012345678901234567890.13 USD"}},
	}, billkit.Money.Round)
}

// TestRoundBankers checks that banker's rounding sends exact halves to the
// even neighbour both ways, so a column of halves sums without drift.
func TestRoundBankers(t *testing.T) {
	ins := []string{"0.005", "0.015", "0.025", "0.035", "0.045", "0.055", "0.065", "0.075", "0.085", "0.095"}
	wants := []string{"0.00", "0.02", "0.02", "0.04", "0.04", "0.06", "0.06", "0.08", "0.08", "0.10"}
	exact, rounded := billkit.Zero("EUR"), billkit.Zero("EUR")
	for i, in := range ins {
		m := money(t, in+" EUR")
		got := m.Round(billkit.RoundHalfEven)
		if got.String() != wants[i]+" EUR" {
			t.Errorf("Round(%s, half_even) = %s, want %s", in, got, wants[i])
		}
		exact, _ = exact.Add(m)
		rounded, _ = rounded.Add(got)
	}
	if !exact.Equal(rounded) {
		t.Errorf("sum of halves %s, sum of banker's-rounded halves %s", exact, rounded)
	}
}

func TestRoundCash(t *testing.T) {
	checkRound(t, "RoundCash", []roundCase{
		// CHF: cash in 0.05.
		{"1.025 CHF", [6]string{"1.05 CHF", "1.00 CHF", "1.00 CHF", "1.05 CHF", "1.00 CHF", "1.05 CHF"}},
		{"1.075 CHF", [6]string{"1.10 CHF", "1.10 CHF", "1.05 CHF", "1.10 CHF", "1.05 CHF", "1.10 CHF"}},
		{"1.02 CHF", [6]string{"1.00 CHF", "1.00 CHF", "1.00 CHF", "1.05 CHF", "1.00 CHF", "1.05 CHF"}},
		{"1.03 CHF", [6]string{"1.05 CHF", "1.05 CHF", "1.00 CHF", "1.05 CHF", "1.00 CHF", "1.05 CHF"}},
		{"-1.03 CHF", [6]string{"-1.05 CHF", "-1.05 CHF", "-1.00 CHF", "-1.05 CHF", "-1.05 CHF", "-1.00 CHF"}},
		{"1.05 CHF", [6]string{"1.05 CHF", "1.05 CHF", "1.05 CHF", "1.05 CHF", "1.05 CHF", "1.05 CHF"}},
		{"7 CHF", [6]string{"7.00 CHF", "7.00 CHF", "7.00 CHF", "7.00 CHF", "7.00 CHF", "7.00 CHF"}},
		// DKK: cash in 0.50.
		{"10.25 DKK", [6]string{"10.50 DKK", "10.00 DKK", "10.00 DKK", "10.50 DKK", "10.00 DKK", "10.50 DKK"}},
		// SEK: whole kronor in cash.
		{"10.50 SEK", [6]string{"11 SEK", "10 SEK", "10 SEK", "11 SEK", "10 SEK", "11 SEK"}},
		// JPY and BHD: cash as standard.
		{"2.5 JPY", [6]string{"3 JPY", "2 JPY", "2 JPY", "3 JPY", "2 JPY", "3 JPY"}},
		{"1.0005 BHD", [6]string{"1.001 BHD", "1.000 BHD", "1.000 BHD", "1.001 BHD", "1.000 BHD", "1.001 BHD"}},
		// Custom codes: as Round.
		{"1.005 BONUS", [6]string{"1.01 BONUS", "1.00 BONUS", "1.00 BONUS", "1.01 BONUS", "1.00 BONUS", "1.01 BONUS"}},
	}, billkit.Money.RoundCash)
}

func TestRoundTo(t *testing.T) {
	tests := []struct {
		in     string
		digits int32
		mode   billkit.RoundingMode
		want   string
	}{
		{"1.23456 BONUS", 4, billkit.RoundHalfUp, "1.2346 BONUS"},
		{"1.23456 BONUS", 0, billkit.RoundCeiling, "2 BONUS"},
		{"1.5 USD", 3, billkit.RoundDown, "1.500 USD"},
		{"1549 USD", -2, billkit.RoundHalfUp, "1500 USD"},
		{"1550 USD", -2, billkit.RoundHalfEven, "1600 USD"},
		{"1650 USD", -2, billkit.RoundHalfEven, "1600 USD"},
		{"-1550 USD", -2, billkit.RoundFloor, "-1600 USD"},
		{"5 USD", -3, billkit.RoundHalfUp, "0 USD"},
		{"1.5 USD", 1000, billkit.RoundHalfUp, "1." + "5" + zeros(59) + " USD"},
		{"1.5 USD", -1000, billkit.RoundDown, "0 USD"},
		// An undefined mode rounds half up, as documented.
		{"2.5 JPY", 0, billkit.RoundingMode(99), "3 JPY"},
	}
	for _, tt := range tests {
		if got := money(t, tt.in).RoundTo(tt.digits, tt.mode).String(); got != tt.want {
			t.Errorf("RoundTo(%s, %d, %s) = %s, want %s", tt.in, tt.digits, tt.mode, got, tt.want)
		}
	}
}

func zeros(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = '0'
	}
	return string(b)
}

func TestCurrencyDigits(t *testing.T) {
	tests := []struct {
		code   string
		digits int
		ok     bool
	}{
		{"USD", 2, true}, {"EUR", 2, true}, {"RUB", 2, true}, {"JPY", 0, true},
		{"KRW", 0, true}, {"BHD", 3, true}, {"KWD", 3, true}, {"CLF", 4, true},
		{"BONUS", 0, false}, {"ZZZ", 0, false}, {"usd", 0, false}, {"", 0, false}, {"US", 0, false},
	}
	for _, tt := range tests {
		d, ok := billkit.CurrencyDigits(tt.code)
		if d != tt.digits || ok != tt.ok {
			t.Errorf("CurrencyDigits(%q) = %d, %v; want %d, %v", tt.code, d, ok, tt.digits, tt.ok)
		}
	}
}
