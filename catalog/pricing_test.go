package catalog

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/directory"
	"github.com/shopspring/decimal"
)

// TestMulRoundMatchesMoney checks the int64 fast path against
// billkit.Money.RoundTo on random products, for every mode, including
// numbers too large for int64.
func TestMulRoundMatchesMoney(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	random := func() decimal.Decimal {
		var coef int64
		switch rng.IntN(4) {
		case 0:
			coef = rng.Int64N(1000)
		case 1:
			coef = rng.Int64N(1_000_000_000)
		case 2:
			coef = rng.Int64()
		default:
			coef = rng.Int64N(20) * 5 // halves
		}
		if rng.IntN(3) == 0 {
			coef = -coef
		}
		return decimal.New(coef, -int32(rng.IntN(12)))
	}
	modes := []billkit.RoundingMode{billkit.RoundHalfUp, billkit.RoundHalfEven, billkit.RoundDown, billkit.RoundUp, billkit.RoundFloor, billkit.RoundCeiling}
	for i := 0; i < 20000; i++ {
		a, b := random(), random()
		digits := int32(rng.IntN(6))
		mode := modes[rng.IntN(len(modes))]
		m, err := billkit.NewMoney(a.Mul(b), "USD")
		if err != nil {
			t.Fatal(err)
		}
		want := m.RoundTo(digits, mode).Amount()
		got := mulRound(a, b, digits, mode)
		if !got.Equal(want) || got.Exponent() != -digits {
			t.Fatalf("%s × %s to %d (%s) = %s, want %s", a, b, digits, mode, got, want)
		}
	}
}

func TestAdd64(t *testing.T) {
	const max, min = 1<<63 - 1, -1 << 63
	for _, tc := range []struct {
		a, b int64
		ok   bool
	}{{1, 2, true}, {max, 0, true}, {max, 1, false}, {min, -1, false}, {min, 0, true}, {-5, 3, true}} {
		if _, ok := add64(tc.a, tc.b); ok != tc.ok {
			t.Errorf("add64(%d, %d) ok = %v", tc.a, tc.b, ok)
		}
	}
}

// The directory's service is what DirectoryConverter adapts.
var _ DirectoryRates = (*directory.Service)(nil)

type fakeDirectory struct{ rate string }

func (f fakeDirectory) Convert(ctx context.Context, m billkit.Money, to string, on billkit.Date) (directory.Conversion, error) {
	if to == "XTS" {
		return directory.Conversion{}, billkit.Errorf(billkit.CodeFailedPrecondition, "rate.not_found", "no rate")
	}
	r := decimal.RequireFromString(f.rate)
	out, _ := billkit.NewMoney(m.Amount().Mul(r), to)
	return directory.Conversion{From: m, To: out.Round(billkit.RoundHalfUp), Rate: r, RateDate: on}, nil
}

func TestDirectoryConverter(t *testing.T) {
	conv := DirectoryConverter(fakeDirectory{rate: "0.9234"})
	ctx := context.Background()
	m, rate, err := conv.Convert(ctx, billkit.MustParseMoney("10.00", "USD"), "EUR", billkit.MustDate(2027, 1, 1))
	if err != nil || m.String() != "9.23 EUR" || rate.String() != "0.9234" {
		t.Fatalf("%s %s %v", m, rate, err)
	}
	if _, _, err := conv.Convert(ctx, billkit.MustParseMoney("1", "USD"), "XTS", billkit.MustDate(2027, 1, 1)); !billkit.HasReason(err, "rate.not_found") {
		t.Fatalf("error: %v", err)
	}
	q, err := NewQuote(ctx, QuoteRequest{Tariff: vpsTariff(), Period: PeriodYear, Currency: "EUR", Date: billkit.MustDate(2027, 1, 1), Converter: conv})
	if err != nil || q.Lines[0].UnitPrice.String() != "92.34 EUR" {
		t.Fatalf("%+v %v", q.Lines, err)
	}
}
