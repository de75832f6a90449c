package billkit_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/billkit/billkit"
	"github.com/shopspring/decimal"
)

func decs(ss ...string) []decimal.Decimal {
	out := make([]decimal.Decimal, len(ss))
	for i, s := range ss {
		out[i] = dec(s)
	}
	return out
}

func joinMoney(ms []billkit.Money) string {
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = m.String()
	}
	return strings.Join(parts, ", ")
}

func TestAllocate(t *testing.T) {
	tests := []struct {
		m      string
		ratios []string
		want   string
	}{
		{"100.00 USD", []string{"1", "1", "1"}, "33.34 USD, 33.33 USD, 33.33 USD"},
		{"-100.00 USD", []string{"1", "1", "1"}, "-33.34 USD, -33.33 USD, -33.33 USD"},
		{"100 USD", []string{"1", "1", "1"}, "33.34 USD, 33.33 USD, 33.33 USD"},
		{"0.01 USD", []string{"1", "1", "1"}, "0.01 USD, 0.00 USD, 0.00 USD"},
		{"-0.01 USD", []string{"1", "1", "1"}, "-0.01 USD, 0.00 USD, 0.00 USD"},
		{"0.02 USD", []string{"1", "1", "1"}, "0.01 USD, 0.01 USD, 0.00 USD"},
		{"0.00 USD", []string{"1", "2"}, "0.00 USD, 0.00 USD"},
		// Largest remainder, not the first parts: 0.05 by 1:3:6 has exact
		// shares 0.005, 0.015, 0.030.
		{"0.05 USD", []string{"1", "3", "6"}, "0.01 USD, 0.01 USD, 0.03 USD"},
		{"10.00 USD", []string{"0.5", "0.25", "0.25"}, "5.00 USD, 2.50 USD, 2.50 USD"},
		{"10.00 USD", []string{"70", "20", "10"}, "7.00 USD, 2.00 USD, 1.00 USD"},
		{"10.00 USD", []string{"1", "0", "1"}, "5.00 USD, 0.00 USD, 5.00 USD"},
		{"0.01 USD", []string{"0", "1", "1"}, "0.00 USD, 0.01 USD, 0.00 USD"},
		{"100 JPY", []string{"1", "1", "1"}, "34 JPY, 33 JPY, 33 JPY"},
		{"1.000 BHD", []string{"1", "1", "1"}, "0.334 BHD, 0.333 BHD, 0.333 BHD"},
		// Finer than the currency: kept finer.
		{"0.005 USD", []string{"1", "1"}, "0.003 USD, 0.002 USD"},
		{"7 BONUS", []string{"1", "1"}, "3.50 BONUS, 3.50 BONUS"},
		{"1.00 USD", []string{"1"}, "1.00 USD"},
		{"123456789012345678901234567890.00 USD", []string{"1", "1", "1"},
			"41152263004115226300411522630.00 USD, 41152263004115226300411522630.00 USD, 41152263004115226300411522630.00 USD"},
	}
	for _, tt := range tests {
		got, err := money(t, tt.m).Allocate(decs(tt.ratios...)...)
		if err != nil {
			t.Errorf("Allocate(%s, %v): %v", tt.m, tt.ratios, err)
			continue
		}
		if s := joinMoney(got); s != tt.want {
			t.Errorf("Allocate(%s, %v) = %s, want %s", tt.m, tt.ratios, s, tt.want)
		}
	}

	// 1200.00 over twelve months is 100.00 a month.
	months := make([]decimal.Decimal, 12)
	for i := range months {
		months[i] = decimal.NewFromInt(1)
	}
	got, err := money(t, "1200.00 USD").Allocate(months...)
	if err != nil || len(got) != 12 {
		t.Fatalf("Allocate 1200.00 by 12: %v, %v", got, err)
	}
	for _, p := range got {
		if p.String() != "100.00 USD" {
			t.Errorf("1200.00 / 12: part %s", p)
		}
	}
}

func TestAllocateErrors(t *testing.T) {
	m := money(t, "10.00 USD")
	_, err := m.Allocate()
	wantInvalid(t, err, "ratios", "money.ratios_empty")
	_, err = m.Allocate(decs("0", "0")...)
	wantInvalid(t, err, "ratios", "money.ratios_zero")
	_, err = m.Allocate(decs("1", "-1")...)
	wantInvalid(t, err, "ratios[1]", "money.ratio_negative")
	_, err = m.Allocate(decimal.NewFromInt(1), decimal.New(1, 100))
	wantInvalid(t, err, "ratios[1]", "money.ratio_out_of_range")
	_, err = billkit.Money{}.Allocate(decs("1")...)
	wantInvalid(t, err, "currency", "money.currency_mismatch")
}

func TestSplit(t *testing.T) {
	tests := []struct {
		m    string
		n    int
		want string
	}{
		{"100.00 USD", 3, "33.34 USD, 33.33 USD, 33.33 USD"},
		{"-100.00 USD", 3, "-33.34 USD, -33.33 USD, -33.33 USD"},
		{"0.05 USD", 3, "0.02 USD, 0.02 USD, 0.01 USD"},
		{"10 JPY", 4, "3 JPY, 3 JPY, 2 JPY, 2 JPY"},
		{"1.00 USD", 1, "1.00 USD"},
		{"0.01 USD", 2, "0.01 USD, 0.00 USD"},
	}
	for _, tt := range tests {
		got, err := money(t, tt.m).Split(tt.n)
		if err != nil {
			t.Errorf("Split(%s, %d): %v", tt.m, tt.n, err)
			continue
		}
		if s := joinMoney(got); s != tt.want {
			t.Errorf("Split(%s, %d) = %s, want %s", tt.m, tt.n, s, tt.want)
		}
	}
	for _, n := range []int{0, -1, billkit.MaxSplitParts + 1} {
		_, err := money(t, "1 USD").Split(n)
		wantInvalid(t, err, "n", "money.split_count_out_of_range")
	}
	_, err := billkit.Money{}.Split(2)
	wantInvalid(t, err, "currency", "money.currency_mismatch")
}

// TestAllocateProperties checks, on random amounts and ratios, what every
// allocation must satisfy: the parts sum exactly to the whole, each part is
// within one unit of its exact share, zero ratios get zero, parts share the
// whole's sign, and the same input gives the same output.
func TestAllocateProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	codes := []string{"USD", "JPY", "BHD", "BONUS"}
	for iter := 0; iter < 2000; iter++ {
		code := codes[rng.IntN(len(codes))]
		scale := int32(rng.IntN(5))
		amount := decimal.New(rng.Int64N(2_000_000_001)-1_000_000_000, -scale)
		if rng.IntN(10) == 0 {
			// Now and then a huge amount.
			amount = amount.Mul(decimal.New(1, 20))
		}
		m, err := billkit.NewMoney(amount, code)
		if err != nil {
			t.Fatal(err)
		}
		n := 1 + rng.IntN(15)
		ratios := make([]decimal.Decimal, n)
		for i := range ratios {
			switch rng.IntN(4) {
			case 0:
				ratios[i] = decimal.Zero
			default:
				ratios[i] = decimal.New(rng.Int64N(100000), -int32(rng.IntN(4)))
			}
		}
		ratioSum := decimal.Sum(decimal.Zero, ratios...)
		if ratioSum.IsZero() {
			ratios[0] = decimal.NewFromInt(1)
			ratioSum = decimal.NewFromInt(1)
		}
		parts, err := m.Allocate(ratios...)
		if err != nil {
			t.Fatalf("Allocate(%s, %v): %v", m, ratios, err)
		}
		desc := fmt.Sprintf("Allocate(%s, %v) = %s", m, ratios, joinMoney(parts))
		if len(parts) != n {
			t.Fatalf("%s: %d parts", desc, len(parts))
		}
		total, err := billkit.Sum(parts[0], parts[1:]...)
		if err != nil || !total.Equal(m) {
			t.Fatalf("%s: parts sum to %s", desc, total)
		}
		digits, ok := billkit.CurrencyDigits(code)
		if !ok {
			digits = 2
		}
		digits = max(digits, int(-amount.Exponent()))
		unit := decimal.New(1, -int32(digits))
		for i, p := range parts {
			if int(-p.Amount().Exponent()) != digits {
				t.Fatalf("%s: part %d has exponent %d", desc, i, p.Amount().Exponent())
			}
			exact := amount.Mul(ratios[i]).DivRound(ratioSum, 40)
			if p.Amount().Sub(exact).Abs().GreaterThanOrEqual(unit) {
				t.Fatalf("%s: part %d is %s, exact share %s", desc, i, p, exact)
			}
			if ratios[i].IsZero() && !p.IsZero() {
				t.Fatalf("%s: part %d has ratio 0", desc, i)
			}
			if p.Sign()*m.Sign() < 0 {
				t.Fatalf("%s: part %d has the wrong sign", desc, i)
			}
		}
		again, _ := m.Allocate(ratios...)
		if joinMoney(again) != joinMoney(parts) {
			t.Fatalf("%s: second run gave %s", desc, joinMoney(again))
		}
		neg, _ := m.Neg().Allocate(ratios...)
		for i := range neg {
			if !neg[i].Equal(parts[i].Neg()) {
				t.Fatalf("%s: negated whole gave part %d = %s", desc, i, neg[i])
			}
		}
	}
}
