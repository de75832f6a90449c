package catalog

import (
	"context"
	"testing"
	"time"

	"github.com/billkit/billkit"
)

// BenchmarkQuote quotes a tariff with five addons, one of each billing type
// (none, fixed, enum, quantity, metered), every addon given a value:
//
//	go test ./catalog -run '^$' -bench 'Quote|Prorate|Align' -benchmem
func BenchmarkQuote(b *testing.B) {
	ctx := context.Background()
	vps := vpsTariff()
	for _, bc := range []struct {
		name string
		r    QuoteRequest
	}{
		{"USD", QuoteRequest{Tariff: vps, Period: PeriodMonth, Date: billkit.MustDate(2027, 5, 15),
			AddonValues: values("ram", 8, "panel", "cpanel", "ipv4", 2)}},
		{"USD/defaults", QuoteRequest{Tariff: vps, Period: PeriodMonth, Date: billkit.MustDate(2027, 5, 15)}},
		{"USD/versions", QuoteRequest{Tariff: vps, Versions: vpsVersions(vps), Period: PeriodYear, Date: billkit.MustDate(2028, 7, 1),
			AddonValues: values("ram", 8, "panel", "cpanel", "ipv4", 2)}},
		{"RUB/converted", QuoteRequest{Tariff: vps, Period: PeriodMonth, Currency: "RUB", Date: billkit.MustDate(2027, 5, 15),
			AddonValues: values("ram", 8, "panel", "cpanel", "ipv4", 2), Converter: fakeRates}},
		{"USD/adjusted", QuoteRequest{Tariff: vps, Period: PeriodMonth, Date: billkit.MustDate(2027, 5, 15),
			AddonValues: values("ram", 8, "panel", "cpanel", "ipv4", 2), Adjuster: discount}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := NewQuote(ctx, bc.r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkProrate(b *testing.B) {
	b.Run("dates", func(b *testing.B) {
		d := billkit.MustDate
		b.ReportAllocs()
		for b.Loop() {
			if _, err := ProrateDates(usd("10.00"), d(2027, 1, 1), d(2027, 2, 1), d(2027, 1, 10), d(2027, 2, 1), billkit.RoundHalfUp); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("seconds", func(b *testing.B) {
		start := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
		r := ProrationRequest{Price: usd("10.00"), PeriodStart: start, PeriodEnd: start.AddDate(0, 1, 0),
			From: start.Add(1000 * time.Second), To: start.AddDate(0, 1, 0), Unit: ProrateBySecond}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Prorate(r); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkAlignToCalendar(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		a, err := AlignToCalendar(billkit.MustDate(2027, 1, 20), PeriodMonth, 0)
		if err != nil {
			b.Fatal(err)
		}
		_ = a.Price(usd("10.00"), billkit.RoundHalfUp)
	}
}
