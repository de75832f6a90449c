package render_test

import (
	"fmt"
	"strings"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/billing/render"
	"github.com/shopspring/decimal"
)

// An issued invoice (here built by hand; billing.Service.IssueInvoice
// makes them) rendered as Russian text; HTML and PDF take the same
// invoice and options.
func ExampleText() {
	vat := billing.AppliedTax{Code: "vat", Name: "НДС", Rate: decimal.RequireFromString("20"), Level: 1}
	amount := billkit.MustParseMoney("1500.00", "RUB")
	totals, err := billing.CalculateTaxes([]billing.TaxableLine{{Amount: amount, Taxes: []billing.AppliedTax{vat}}}, billing.TaxRoundPerLine, 2)
	if err != nil {
		panic(err)
	}
	line := totals.Lines[0]
	inv := &billing.Invoice{
		Type: billing.InvoiceFinal, Number: "INV-2026-00042", Status: billing.InvoiceIssued, Currency: "RUB", Locale: "ru",
		IssueDate: billkit.MustDate(2026, 3, 5), DueDate: billkit.MustDate(2026, 3, 19),
		Seller: &billing.InvoiceSeller{LegalName: "ООО «Хостинг»", Country: "RU", TaxIDs: []string{"7707083893"}},
		Buyer:  &billing.InvoiceBuyer{Name: "Иван Петров", Country: "RU"},
		Lines: []billing.InvoiceLine{{Position: 1, Description: "VDS L, март", Quantity: decimal.NewFromInt(1), UnitPrice: amount, Amount: amount,
			Net: line.Net, Tax: line.Tax, Gross: line.Gross, Taxes: line.Taxes}},
		Totals: billing.TaxTotals{Summary: totals.Summary, Net: totals.Net, Tax: totals.Tax, Gross: totals.Gross},
	}
	text, err := render.Text(inv, render.Options{})
	if err != nil {
		panic(err)
	}
	// Russian amounts use no-break spaces ("1 500,00 ₽"); plain ones here.
	fmt.Print(strings.ReplaceAll(text, "\u00a0", " "))
	// Output:
	// Счёт № INV-2026-00042
	// Дата: 05.03.2026
	// Оплатить до: 19.03.2026
	//
	// Продавец: ООО «Хостинг»
	//   RU
	//   ИНН: 7707083893
	//
	// Покупатель: Иван Петров
	//   RU
	//
	// №  Наименование  Кол-во  Цена        Без налога  Ставка  Налог     Всего
	// 1  VDS L, март   1       1 500,00 ₽  1 500,00 ₽  20 %    300,00 ₽  1 800,00 ₽
	//
	// Налоги:
	//   НДС 20 %: 300,00 ₽ (База 1 500,00 ₽)
	//
	// Итого без налога: 1 500,00 ₽
	// Итого налог: 300,00 ₽
	// Итого: 1 800,00 ₽
}
