package billkit_test

import (
	"testing"

	"github.com/billkit/billkit"
	"github.com/shopspring/decimal"
)

// Run with: go test -run '^$' -bench 'Money' -benchmem .

var benchSink billkit.Money

func BenchmarkMoneyAdd(b *testing.B) {
	x, y := billkit.MustParseMoney("1234.50", "USD"), billkit.MustParseMoney("0.99", "USD")
	b.ReportAllocs()
	for b.Loop() {
		benchSink, _ = x.Add(y)
	}
}

func BenchmarkMoneyMul(b *testing.B) {
	x, f := billkit.MustParseMoney("1234.50", "USD"), decimal.RequireFromString("0.2")
	b.ReportAllocs()
	for b.Loop() {
		benchSink = x.Mul(f)
	}
}

func BenchmarkMoneyRound(b *testing.B) {
	x := billkit.MustParseMoney("1234.5678", "USD")
	b.ReportAllocs()
	for b.Loop() {
		benchSink = x.Round(billkit.RoundHalfEven)
	}
}

func BenchmarkMoneyAllocate12(b *testing.B) {
	x := billkit.MustParseMoney("1000.00", "USD")
	ratios := make([]decimal.Decimal, 12)
	for i := range ratios {
		ratios[i] = decimal.NewFromInt(int64(i + 1))
	}
	b.ReportAllocs()
	for b.Loop() {
		parts, _ := x.Allocate(ratios...)
		benchSink = parts[0]
	}
}

func BenchmarkMoneyParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		benchSink, _ = billkit.ParseMoney("1234.50", "USD")
	}
}

func BenchmarkMoneyFormat(b *testing.B) {
	x := billkit.MustParseMoney("1234.50", "RUB")
	var s string
	b.ReportAllocs()
	for b.Loop() {
		s = x.Format("ru")
	}
	_ = s
}
