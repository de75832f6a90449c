package billkit_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/billkit/billkit"
	"github.com/shopspring/decimal"
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// money parses "1234.50 USD".
func money(t testing.TB, s string) billkit.Money {
	t.Helper()
	var m billkit.Money
	if err := m.UnmarshalText([]byte(s)); err != nil {
		t.Fatalf("money(%q): %v", s, err)
	}
	return m
}

// wantInvalid checks that err is an invalid *billkit.Error with the reason
// and a FieldError naming field.
func wantInvalid(t testing.TB, err error, field, reason string) {
	t.Helper()
	var e *billkit.Error
	if !errors.As(err, &e) {
		t.Fatalf("error = %v (%T), want *billkit.Error", err, err)
	}
	if e.Code != billkit.CodeInvalid || e.Reason != reason {
		t.Fatalf("error = %v, want code invalid, reason %s", err, reason)
	}
	if _, ok := e.Field(field); !ok {
		t.Fatalf("error = %v, want a FieldError on %q; have %+v", err, field, e.Fields)
	}
}

// same reports whether a and b have the same currency and the same amount as
// written (exponent included), which Equal deliberately ignores.
func same(a, b billkit.Money) bool { return a.String() == b.String() }

func TestNewMoney(t *testing.T) {
	good := []string{"USD", "JPY", "BONUS", "USDT", "X1Y2Z3AB", "ABC"}
	for _, code := range good {
		m, err := billkit.NewMoney(dec("1.50"), code)
		if err != nil {
			t.Errorf("NewMoney(1.50, %q): %v", code, err)
			continue
		}
		if m.Currency() != code || m.String() != "1.50 "+code {
			t.Errorf("NewMoney(1.50, %q) = %s", code, m)
		}
	}
	bad := []string{"", "usd", "US", "USDOLLARS", "1USD", "US D", "ÜSD", "US-D", "USD "}
	for _, code := range bad {
		_, err := billkit.NewMoney(dec("1"), code)
		wantInvalid(t, err, "currency", "money.currency_malformed")
	}
	// 60 digits are accepted; 61 are not, however they are made.
	if _, err := billkit.NewMoney(dec(strings.Repeat("9", 60)), "USD"); err != nil {
		t.Errorf("60 digits: %v", err)
	}
	if _, err := billkit.NewMoney(dec("0."+strings.Repeat("1", 58)), "USD"); err != nil {
		t.Errorf("60 digits with a leading zero: %v", err)
	}
	for _, d := range []decimal.Decimal{
		dec(strings.Repeat("9", 61)),
		decimal.New(1, 60),
		decimal.New(1, -60),
		decimal.New(1, -2_000_000_000),
	} {
		_, err := billkit.NewMoney(d, "USD")
		wantInvalid(t, err, "amount", "money.amount_out_of_range")
	}
}

func TestValidCurrencyCode(t *testing.T) {
	for code, want := range map[string]bool{
		"USD": true, "BONUS": true, "A00": true, "ABCDEFGH": true,
		"": false, "AB": false, "ABCDEFGHI": false, "0AB": false, "Usd": false, "US_": false,
	} {
		if got := billkit.ValidCurrencyCode(code); got != want {
			t.Errorf("ValidCurrencyCode(%q) = %v, want %v", code, got, want)
		}
	}
}

func TestParseMoney(t *testing.T) {
	good := map[string]string{
		"1234.50": "1234.50",
		"-0.5":    "-0.5",
		"12":      "12",
		"0":       "0",
		"0.00":    "0.00",
		"-0":      "0",
		"-0.00":   "0.00",
		"0.001":   "0.001",
		"123456789012345678901234567890.123456789012345678901234567890": "123456789012345678901234567890.123456789012345678901234567890",
	}
	for in, want := range good {
		m, err := billkit.ParseMoney(in, "USD")
		if err != nil {
			t.Errorf("ParseMoney(%q): %v", in, err)
			continue
		}
		if got := m.String(); got != want+" USD" {
			t.Errorf("ParseMoney(%q) amount = %q, want %q", in, got, want)
		}
	}
	bad := []string{
		"", " 1", "1 ", "+1", "1,2.3", "1,234.50", "NaN", "nan", "Inf", "-Inf", "Infinity",
		"1e999", "1e3", "1E3", ".5", "5.", "-", "-.5", "007", "00", "-01", "1.2.3", "1..2",
		"١٢", "0x10", "1_000", "\x00", "12\n", "--1", "1-",
		strings.Repeat("1", 61),
		"0." + strings.Repeat("0", 60),
		strings.Repeat("9", 1<<20),
	}
	for _, in := range bad {
		_, err := billkit.ParseMoney(in, "USD")
		wantInvalid(t, err, "amount", "money.amount_malformed")
		if len(err.Error()) > 300 {
			t.Errorf("ParseMoney(%d bytes): error message of %d bytes", len(in), len(err.Error()))
		}
	}
	if _, err := billkit.ParseMoney(strings.Repeat("9", 60), "USD"); err != nil {
		t.Errorf("60 digits: %v", err)
	}
	_, err := billkit.ParseMoney("1", "usd")
	wantInvalid(t, err, "currency", "money.currency_malformed")
}

func TestMustParseMoney(t *testing.T) {
	if got := billkit.MustParseMoney("1.50", "EUR").String(); got != "1.50 EUR" {
		t.Errorf("got %q", got)
	}
	defer func() {
		if recover() == nil {
			t.Error("MustParseMoney of a bad amount did not panic")
		}
	}()
	billkit.MustParseMoney("x", "EUR")
}

func TestZero(t *testing.T) {
	z := billkit.Zero("JPY")
	if !z.IsZero() || z.Currency() != "JPY" || z.String() != "0 JPY" {
		t.Errorf("Zero(JPY) = %q", z)
	}
	if bad := billkit.Zero("jpy"); bad.Currency() != "" {
		t.Errorf("Zero(jpy) = %q, want the zero Money", bad)
	}
	sum, err := z.Add(money(t, "5 JPY"))
	if err != nil || sum.String() != "5 JPY" {
		t.Errorf("Zero + 5 = %v, %v", sum, err)
	}
}

func TestPredicates(t *testing.T) {
	tests := []struct {
		in             string
		zero, pos, neg bool
		sign           int
		neg1, abs      string
	}{
		{"1.50 USD", false, true, false, 1, "-1.50 USD", "1.50 USD"},
		{"-1.50 USD", false, false, true, -1, "1.50 USD", "1.50 USD"},
		{"0.00 USD", true, false, false, 0, "0.00 USD", "0.00 USD"},
	}
	for _, tt := range tests {
		m := money(t, tt.in)
		if m.IsZero() != tt.zero || m.IsPositive() != tt.pos || m.IsNegative() != tt.neg || m.Sign() != tt.sign {
			t.Errorf("%s: IsZero %v IsPositive %v IsNegative %v Sign %d", tt.in, m.IsZero(), m.IsPositive(), m.IsNegative(), m.Sign())
		}
		if got := m.Neg().String(); got != tt.neg1 {
			t.Errorf("%s.Neg() = %s, want %s", tt.in, got, tt.neg1)
		}
		if got := m.Abs().String(); got != tt.abs {
			t.Errorf("%s.Abs() = %s, want %s", tt.in, got, tt.abs)
		}
	}
}

func TestAddSub(t *testing.T) {
	tests := []struct{ a, b, sum, diff string }{
		{"1.50 USD", "2.25 USD", "3.75 USD", "-0.75 USD"},
		{"1.5 USD", "2.25 USD", "3.75 USD", "-0.75 USD"},
		{"100 JPY", "1 JPY", "101 JPY", "99 JPY"},
		{"0.001 BHD", "-0.001 BHD", "0.000 BHD", "0.002 BHD"},
		{"123456789012345678901234567890.12 USD", "0.01 USD", "123456789012345678901234567890.13 USD", "123456789012345678901234567890.11 USD"},
	}
	for _, tt := range tests {
		a, b := money(t, tt.a), money(t, tt.b)
		sum, err := a.Add(b)
		if err != nil || sum.String() != tt.sum {
			t.Errorf("%s + %s = %v, %v; want %s", tt.a, tt.b, sum, err, tt.sum)
		}
		diff, err := a.Sub(b)
		if err != nil || diff.String() != tt.diff {
			t.Errorf("%s - %s = %v, %v; want %s", tt.a, tt.b, diff, err, tt.diff)
		}
	}
	usd, eur := money(t, "1 USD"), money(t, "1 EUR")
	for _, pair := range [][2]billkit.Money{{usd, eur}, {usd, billkit.Money{}}, {billkit.Money{}, usd}, {{}, {}}} {
		_, err := pair[0].Add(pair[1])
		wantInvalid(t, err, "currency", "money.currency_mismatch")
		_, err = pair[0].Sub(pair[1])
		wantInvalid(t, err, "currency", "money.currency_mismatch")
		_, err = pair[0].Cmp(pair[1])
		wantInvalid(t, err, "currency", "money.currency_mismatch")
	}
}

func TestSum(t *testing.T) {
	got, err := billkit.Sum(money(t, "1.10 USD"), money(t, "2.20 USD"), money(t, "-0.30 USD"))
	if err != nil || got.String() != "3.00 USD" {
		t.Errorf("Sum = %v, %v", got, err)
	}
	got, err = billkit.Sum(money(t, "7 EUR"))
	if err != nil || got.String() != "7 EUR" {
		t.Errorf("Sum of one = %v, %v", got, err)
	}
	_, err = billkit.Sum(money(t, "1 USD"), money(t, "1 USD"), money(t, "1 EUR"))
	wantInvalid(t, err, "currency", "money.currency_mismatch")
	_, err = billkit.Sum(billkit.Money{})
	wantInvalid(t, err, "currency", "money.currency_mismatch")
}

func TestMul(t *testing.T) {
	tests := []struct{ m, factor, want string }{
		{"10.50 USD", "0.2", "2.100 USD"},
		{"10.50 USD", "3", "31.50 USD"},
		{"10.50 USD", "-1", "-10.50 USD"},
		{"0.01 USD", "0.333333", "0.00333333 USD"},
		{"123456789012345678901234567890 USD", "10", "1234567890123456789012345678900 USD"},
	}
	for _, tt := range tests {
		if got := money(t, tt.m).Mul(dec(tt.factor)).String(); got != tt.want {
			t.Errorf("%s × %s = %s, want %s", tt.m, tt.factor, got, tt.want)
		}
	}
	if got := money(t, "19.99 USD").MulInt(3).String(); got != "59.97 USD" {
		t.Errorf("MulInt = %s", got)
	}
	if got := money(t, "19.99 USD").MulInt(-2).String(); got != "-39.98 USD" {
		t.Errorf("MulInt(-2) = %s", got)
	}
}

func TestCmpEqual(t *testing.T) {
	tests := []struct {
		a, b  string
		cmp   int
		equal bool
	}{
		{"1.5 USD", "1.50 USD", 0, true},
		{"1.49 USD", "1.5 USD", -1, false},
		{"2 USD", "-3 USD", 1, false},
		{"0 USD", "0.00 USD", 0, true},
	}
	for _, tt := range tests {
		a, b := money(t, tt.a), money(t, tt.b)
		c, err := a.Cmp(b)
		if err != nil || c != tt.cmp {
			t.Errorf("Cmp(%s, %s) = %d, %v; want %d", tt.a, tt.b, c, err, tt.cmp)
		}
		if a.Equal(b) != tt.equal || b.Equal(a) != tt.equal {
			t.Errorf("Equal(%s, %s) = %v, want %v", tt.a, tt.b, a.Equal(b), tt.equal)
		}
	}
	if money(t, "0 USD").Equal(money(t, "0 EUR")) {
		t.Error("0 USD equals 0 EUR")
	}
	if !(billkit.Money{}).Equal(billkit.Money{}) {
		t.Error("two zero Moneys are not equal")
	}
	if (billkit.Money{}).Equal(billkit.Zero("USD")) {
		t.Error("the zero Money equals 0 USD")
	}
}

func TestZeroMoneyNeverPanics(t *testing.T) {
	var z billkit.Money
	if !z.IsZero() || z.IsPositive() || z.IsNegative() || z.Sign() != 0 || z.Currency() != "" || z.String() != "" {
		t.Errorf("zero Money predicates wrong: %q", z)
	}
	for name, got := range map[string]billkit.Money{
		"Neg": z.Neg(), "Abs": z.Abs(), "Mul": z.Mul(dec("2")), "MulInt": z.MulInt(3),
		"Round": z.Round(billkit.RoundHalfUp), "RoundCash": z.RoundCash(billkit.RoundHalfUp),
		"RoundTo": z.RoundTo(2, billkit.RoundHalfEven),
	} {
		if !got.Equal(z) {
			t.Errorf("%s of the zero Money = %q", name, got)
		}
	}
	if _, err := z.Allocate(dec("1")); err == nil {
		t.Error("Allocate of the zero Money: no error")
	}
	if _, err := z.Split(2); err == nil {
		t.Error("Split of the zero Money: no error")
	}
	if got := z.Format("en"); got != "" {
		t.Errorf("Format = %q", got)
	}
	if b, err := z.MarshalJSON(); err != nil || string(b) != "null" {
		t.Errorf("MarshalJSON = %s, %v", b, err)
	}
	if b, err := z.MarshalText(); err != nil || len(b) != 0 {
		t.Errorf("MarshalText = %q, %v", b, err)
	}
	if v, err := z.Value(); err != nil || v != nil {
		t.Errorf("Value = %v, %v", v, err)
	}
}
