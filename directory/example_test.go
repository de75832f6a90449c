package directory_test

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/directory"
	"github.com/billkit/billkit/store/bunstore"
	"github.com/shopspring/decimal"
)

func ExampleText_Get() {
	name := directory.Text{"en": "Russia", "ru": "Россия", "pt": "Rússia"}
	fmt.Println(name.Get("ru"))
	fmt.Println(name.Get("pt-BR")) // falls back to the base language
	fmt.Println(name.Get("de"))    // falls back to English
	// Output:
	// Россия
	// Rússia
	// Russia
}

func ExampleParseECBRates() {
	doc := `<?xml version="1.0" encoding="UTF-8"?>
<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">
	<Cube>
		<Cube time="2024-03-15">
			<Cube currency="USD" rate="1.0887"/>
			<Cube currency="JPY" rate="162.09"/>
		</Cube>
	</Cube>
</gesmes:Envelope>`
	rs, err := directory.ParseECBRates(strings.NewReader(doc))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(rs.Base, rs.Date, rs.Rates["USD"], rs.Rates["JPY"])

	_, err = directory.ParseECBRates(strings.NewReader(strings.Replace(doc, "1.0887", "-1", 1)))
	fmt.Println(billkit.ErrorReason(err))
	// Output:
	// EUR 2024-03-15 1.0887 162.09
	// ecb.rate_malformed
}

func ExampleService_Convert() {
	ctx := context.Background()
	st, err := bunstore.Open(ctx, "file:example_convert?mode=memory&cache=shared", bunstore.Config{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	svc := directory.NewService(st.Directory(), directory.Config{})
	// The system may do everything; a staff actor needs directory:create
	// and directory:edit in its Permissions (access builds them).
	admin := billkit.SystemActor("setup")
	if err := svc.Bootstrap(ctx, admin); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	day := billkit.MustDate(2024, 3, 15)
	for _, r := range []struct{ quote, rate string }{{"USD", "1.0887"}, {"RUB", "99.5"}} {
		_, err := svc.SetExchangeRate(ctx, admin, directory.SetExchangeRateParams{
			Base: "EUR", Quote: r.quote, Rate: decimal.RequireFromString(r.rate), Date: day,
		})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return
		}
	}
	// USD→RUB has no rate of its own: it goes through EUR.
	c, err := svc.Convert(ctx, billkit.MustParseMoney("100", "USD"), "RUB", day)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	fmt.Println(c.To.Amount().StringFixed(2), c.To.Currency(), "via", c.Via, "on", c.RateDate)
	// Output:
	// 9139.34 RUB via EUR on 2024-03-15
}
