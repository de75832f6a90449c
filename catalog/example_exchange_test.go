package catalog_test

import (
	"fmt"
	"os"
	"strings"

	"github.com/billkit/billkit/catalog"
)

// A catalog document is read strictly, checked whole, and written back
// sorted by code, in YAML or JSON.
func ExampleParseCatalog() {
	doc := `
tariffs:
  - code: web-pro
    name: {en: Web Pro}
    product_type: hosting
    currency: USD
    prices: [{period: month, currency: USD, amount: 9.90}]
  - code: web-lite
    name: {en: Web Lite}
    product_type: hosting
    currency: USD
    prices: [{period: month, currency: USD, amount: 2.90}]
product_types:
  - {code: hosting, kind: hosting, name: {en: Hosting}, lifecycle: {client_delete: never}}
`
	c, err := catalog.ParseCatalog(strings.NewReader(doc), catalog.FormatYAML)
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := catalog.ValidateCatalog(c); err != nil {
		fmt.Println(err)
		return
	}
	for _, t := range catalog.SortCatalog(c).Tariffs {
		fmt.Println(t.Code, t.Prices[0].Money())
	}
	// Output:
	// web-lite 2.90 USD
	// web-pro 9.90 USD
}

// A document with a bad row is refused whole; the error names the row, the
// entity's code and the field.
func ExampleValidateCatalog() {
	doc := `{
  "product_types": [{"code": "vps", "kind": "vps", "name": {"en": "VPS"}, "lifecycle": {"client_delete": "never"}}],
  "tariffs": [
    {"code": "vps-1", "name": {"en": "VPS 1"}, "product_type": "vps", "currency": "USD",
     "prices": [{"period": "month", "currency": "USD", "amount": "-5.00"}]}
  ]
}`
	c, err := catalog.ParseCatalog(strings.NewReader(doc), catalog.FormatJSON)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(catalog.ValidateCatalog(c))
	// Output:
	// invalid (catalog.price_negative): invalid input: tariffs[0].prices.month.USD.amount: tariff vps-1: must be zero or more
}

// ExportCatalog writes a stable, diff-friendly document.
func ExampleExportCatalog() {
	c := catalog.Catalog{Enumerations: []catalog.EnumerationDoc{
		{Code: "panel", Name: map[string]string{"en": "Control panel"}, Values: []catalog.EnumValue{{Code: "none", Name: map[string]string{"en": "None"}}}},
	}}
	if err := catalog.ExportCatalog(os.Stdout, c, catalog.FormatYAML); err != nil {
		fmt.Println(err)
	}
	// Output:
	// enumerations:
	//   - code: panel
	//     name:
	//       en: Control panel
	//     values:
	//       - code: none
	//         name:
	//           en: None
}
