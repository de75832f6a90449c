package catalog

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/billkit/billkit"
	"github.com/shopspring/decimal"
)

// priceList builds prices in one currency from "period:amount[+setup]"
// items: priceList("USD", "month:10.00+5.00", "year:100.00").
func priceList(currency string, items ...string) []Price {
	out := make([]Price, 0, len(items))
	for _, it := range items {
		period, rest, _ := strings.Cut(it, ":")
		amount, setup, _ := strings.Cut(rest, "+")
		p := Price{Period: Period(period), Currency: currency, Amount: decimal.RequireFromString(amount)}
		if setup != "" {
			p.SetupFee = decimal.RequireFromString(setup)
		}
		out = append(out, p)
	}
	return out
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// vpsTariff is a VPS tariff with one addon of each billing type, priced in
// USD for every period from an hour to three years, and in EUR for the
// month.
func vpsTariff() *Tariff {
	id := billkit.MustParseID[Tariff]("0190a000-0000-7000-8000-000000000001")
	return &Tariff{
		ID: id, Code: "vps-start", Currency: "USD", Status: TariffActive,
		Prices: append(priceList("USD",
			"hour:0.015", "day:0.35", "month:10.00+5.00", "3months:28.50+5.00",
			"6months:55.00", "year:100.00", "2years:190.00", "3years:270.00"),
			priceList("EUR", "month:9.50+4.50")...),
		Addons: []Addon{
			{Code: "location", BillingType: BillingNone},
			{Code: "ipv4", BillingType: BillingFixed, Default: dec("1"),
				Prices: priceList("USD", "hour:0.003", "day:0.07", "month:2.00+1.00", "3months:6.00+1.00",
					"6months:12.00", "year:20.00", "2years:40.00", "3years:60.00")},
			{Code: "panel", BillingType: BillingEnum, Enumeration: "panels", DefaultOption: "none", Changeable: true,
				Options: []AddonOption{
					{Value: "none"},
					{Value: "cpanel", Prices: priceList("USD", "hour:0.025", "day:0.55", "month:15.99+10.00",
						"3months:47.97+10.00", "6months:95.94", "year:179.88", "2years:359.76", "3years:539.64")},
					{Value: "ispmanager", Prices: append(priceList("USD", "hour:0.008", "day:0.17", "month:5.00",
						"3months:15.00", "6months:30.00", "year:54.00", "2years:108.00", "3years:162.00"),
						priceList("EUR", "month:4.75")...)},
				}},
			{Code: "ram", BillingType: BillingQuantity, Unit: "GB", Min: dec("1"), Max: dec("64"), Step: dec("1"),
				Included: dec("2"), Default: dec("2"), Changeable: true,
				Prices: priceList("USD", "hour:0.0021", "day:0.05", "month:1.50", "3months:4.50",
					"6months:9.00", "year:16.20", "2years:32.40", "3years:48.60")},
			{Code: "traffic", BillingType: BillingMetered, Unit: "GB", Included: dec("1000"),
				Prices: priceList("USD", "hour:0.005", "day:0.005", "month:0.005", "3months:0.005",
					"6months:0.005", "year:0.004", "2years:0.004", "3years:0.004")},
		},
	}
}

// fakeRates converts from USD at fixed rates, rounding as the directory
// does (half-up to the target's digits).
var fakeRates = ConverterFunc(func(ctx context.Context, m billkit.Money, to string, on billkit.Date) (billkit.Money, decimal.Decimal, error) {
	rates := map[string]string{"EUR": "0.9234", "RUB": "92.3456", "JPY": "151.237", "BHD": "0.37702"}
	r, ok := rates[to]
	if m.Currency() != "USD" || !ok {
		return billkit.Money{}, decimal.Decimal{}, billkit.Errorf(billkit.CodeFailedPrecondition, "rate.not_found", "no rate from %s to %s", m.Currency(), to)
	}
	rate := dec(r)
	out, err := billkit.NewMoney(m.Amount().Mul(rate), to)
	return out.Round(billkit.RoundHalfUp), rate, err
})

// writeQuote writes a quote as a table for golden files.
func writeQuote(w io.Writer, name string, q Quote) {
	fmt.Fprintf(w, "== %s\n", name)
	fmt.Fprintf(w, "   %s %s on %s: [%s, %s), %s, rounding %s to %d", q.Currency, q.Period, q.Date, q.Start, q.End, versionName(q), q.Rounding, q.Digits)
	if q.RateFrom != "" {
		fmt.Fprintf(w, ", rate %s→%s %s", q.RateFrom, q.Currency, q.Rate)
	}
	fmt.Fprintln(w)
	for _, l := range q.Lines {
		what := string(l.Kind)
		switch {
		case l.Code != "":
			what += " " + l.Code
		case l.Addon != "":
			what += " " + l.Addon
			if l.Option != "" {
				what += "=" + l.Option
			}
			what += " (" + string(l.BillingType) + ")"
		}
		var extra []string
		if !l.Value.IsZero() {
			extra = append(extra, "value "+l.Value.String())
		}
		if !l.Included.IsZero() {
			extra = append(extra, "included "+l.Included.String())
		}
		if l.Recurring {
			extra = append(extra, "recurring")
		}
		if l.Converted {
			extra = append(extra, "converted")
		}
		fmt.Fprintf(w, "   %-34s %16s × %-4s = %14s  %s\n", what, l.UnitPrice, l.Quantity, l.Amount, strings.Join(extra, ", "))
	}
	fmt.Fprintf(w, "   %-34s %40s\n", "recurring", q.Recurring)
	fmt.Fprintf(w, "   %-34s %40s\n", "total", q.Total)
}

func versionName(q Quote) string {
	if q.PriceVersionID.IsZero() {
		return "tariff prices"
	}
	return "version " + q.PriceVersionID.String()[len(q.PriceVersionID.String())-4:]
}
