package catalog_test

import (
	"context"
	"fmt"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/catalog"
	"github.com/shopspring/decimal"
)

// A VPS tariff with a setup fee, a control panel to choose and RAM beyond
// the 2 GB included, quoted for a month; a 10% discount comes from the
// Adjuster, as billing's discounts and taxes do.
func ExampleNewQuote() {
	usd := func(period catalog.Period, amount, setup string) catalog.Price {
		return catalog.Price{Period: period, Currency: "USD",
			Amount: decimal.RequireFromString(amount), SetupFee: decimal.RequireFromString(setup)}
	}
	tariff := &catalog.Tariff{
		Code: "vps-start", Currency: "USD",
		Prices: []catalog.Price{usd(catalog.PeriodMonth, "10.00", "5.00")},
		Addons: []catalog.Addon{
			{Code: "panel", BillingType: catalog.BillingEnum, Enumeration: "panels", Options: []catalog.AddonOption{
				{Value: "none"},
				{Value: "cpanel", Prices: []catalog.Price{usd(catalog.PeriodMonth, "15.99", "0")}},
			}},
			{Code: "ram", BillingType: catalog.BillingQuantity, Unit: "GB",
				Min: decimal.NewFromInt(1), Max: decimal.NewFromInt(64), Step: decimal.NewFromInt(1),
				Included: decimal.NewFromInt(2), Prices: []catalog.Price{usd(catalog.PeriodMonth, "1.50", "0")}},
			{Code: "traffic", BillingType: catalog.BillingMetered, Unit: "GB", Included: decimal.NewFromInt(1000),
				Prices: []catalog.Price{usd(catalog.PeriodMonth, "0.005", "0")}},
		},
	}
	discount := catalog.AdjusterFunc(func(ctx context.Context, q *catalog.Quote) error {
		off := q.Recurring.Mul(decimal.RequireFromString("-0.10")).RoundTo(q.Digits, q.Rounding)
		return q.AddAdjustment("discount", off, true)
	})
	q, err := catalog.NewQuote(context.Background(), catalog.QuoteRequest{
		Tariff: tariff,
		Period: catalog.PeriodMonth,
		AddonValues: map[string]catalog.AddonValue{
			"panel": {Option: "cpanel"},
			"ram":   {Quantity: decimal.NewFromInt(8)},
		},
		Date:     billkit.MustDate(2028, 1, 31),
		Adjuster: discount,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s to %s\n", q.Start, q.End)
	for _, l := range q.Lines {
		fmt.Printf("%-10s %-8s %9s × %-2s = %s\n", l.Kind, l.Addon+l.Code, l.UnitPrice, l.Quantity, l.Amount)
	}
	fmt.Println("every month:", q.Recurring)
	fmt.Println("to order:", q.Total)
	// Output:
	// 2028-01-31 to 2028-02-29
	// period              10.00 USD × 1  = 10.00 USD
	// setup                5.00 USD × 1  = 5.00 USD
	// addon      panel    15.99 USD × 1  = 15.99 USD
	// addon      ram       1.50 USD × 6  = 9.00 USD
	// addon      traffic  0.005 USD × 0  = 0.00 USD
	// adjustment discount -3.50 USD × 1  = -3.50 USD
	// every month: 31.49 USD
	// to order: 36.49 USD
}

// A client leaves on February 10th of a leap year: the rest of the month,
// 20 of its 29 days, is worth 20/29 of the price, rounded once.
func ExampleProrateDates() {
	p, err := catalog.ProrateDates(billkit.MustParseMoney("10.00", "USD"),
		billkit.MustDate(2028, 2, 1), billkit.MustDate(2028, 3, 1), // the period, end exclusive
		billkit.MustDate(2028, 2, 10), billkit.MustDate(2028, 3, 1), // the part
		billkit.RoundHalfUp)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Units, "of", p.PeriodUnits, "days:", p.Fraction, "=", p.Amount)
	// Output: 20 of 29 days: 20/29 = 6.90 USD
}

// With a pro-rata day of the 15th, a monthly service ordered on January
// 10th runs to February 1st; one ordered on the 20th runs to March 1st.
func ExampleAlignToCalendar() {
	for _, day := range []int{10, 20} {
		a, err := catalog.AlignToCalendar(billkit.MustDate(2027, 1, day), catalog.PeriodMonth, 0)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("[%s, %s) is %s of a month: %s\n", a.Start, a.End, a.Fraction,
			a.Price(billkit.MustParseMoney("10.00", "USD"), billkit.RoundHalfUp))
	}
	// Output:
	// [2027-01-10, 2027-02-01) is 22/31 of a month: 7.10 USD
	// [2027-01-20, 2027-03-01) is 43/31 of a month: 13.87 USD
}
