package billkit_test

import (
	"fmt"

	"github.com/billkit/billkit"
	"github.com/shopspring/decimal"
)

func ExampleNewMoney() {
	price, err := billkit.NewMoney(decimal.RequireFromString("19.90"), "USD")
	if err != nil {
		fmt.Println(err)
		return
	}
	setup := billkit.MustParseMoney("5.00", "USD")
	total, err := price.Add(setup)
	fmt.Println(total, err)

	// Mixing currencies is an error, never a silent conversion.
	_, err = price.Add(billkit.MustParseMoney("5.00", "EUR"))
	fmt.Println(billkit.ErrorReason(err))

	// The currency code is checked.
	_, err = billkit.NewMoney(decimal.NewFromInt(1), "usd")
	fmt.Println(billkit.ErrorReason(err))
	// Output:
	// 24.90 USD <nil>
	// money.currency_mismatch
	// money.currency_malformed
}

func ExampleMoney_Allocate() {
	// A yearly payment spread over three services in proportion to their
	// prices: the parts always sum to the whole.
	paid := billkit.MustParseMoney("100.00", "USD")
	parts, err := paid.Allocate(decimal.NewFromInt(1), decimal.NewFromInt(1), decimal.NewFromInt(1))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(parts)
	// Output:
	// [33.34 USD 33.33 USD 33.33 USD]
}

func ExampleMoney_Round() {
	m := billkit.MustParseMoney("2.345", "USD")
	fmt.Println(m.Round(billkit.RoundHalfUp))
	fmt.Println(m.Round(billkit.RoundHalfEven))
	fmt.Println(billkit.MustParseMoney("2.5", "JPY").Round(billkit.RoundHalfEven))
	fmt.Println(billkit.MustParseMoney("1.03", "CHF").RoundCash(billkit.RoundHalfUp))
	// Output:
	// 2.35 USD
	// 2.34 USD
	// 2 JPY
	// 1.05 CHF
}

func ExampleMoney_Format() {
	fmt.Println(billkit.MustParseMoney("1234.50", "USD").Format("en"))
	// German and Russian put no-break spaces (U+00A0) before the symbol and,
	// in Russian, between groups of digits; %q shows them.
	fmt.Printf("%q\n", billkit.MustParseMoney("1234.50", "EUR").Format("de"))
	fmt.Printf("%q\n", billkit.MustParseMoney("1234.50", "RUB").Format("ru"))
	// Output:
	// $1,234.50
	// "1.234,50\u00a0€"
	// "1\u00a0234,50\u00a0₽"
}
