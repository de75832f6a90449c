package billing

import "github.com/billkit/billkit"

// TaxableLine is one line of a document or an order, before tax.
type TaxableLine struct {
	// Amount is the line's net amount, or its gross amount when its taxes
	// are inclusive (the tax is then extracted from it).
	Amount billkit.Money `json:"amount"`
	// Taxes are the taxes that apply to the line (TaxDecision.Taxes for its
	// product type); none for an exempt or reverse-charged line.
	Taxes []AppliedTax `json:"taxes,omitempty"`
}

// LineTax is one tax of one line.
type LineTax struct {
	Code   string        `json:"code"`
	Name   string        `json:"name"`
	Rate   string        `json:"rate"`
	Amount billkit.Money `json:"amount"`
}

// TaxedLine is a line with its taxes: Net + Tax = Gross exactly.
type TaxedLine struct {
	Net   billkit.Money `json:"net"`
	Tax   billkit.Money `json:"tax"`
	Gross billkit.Money `json:"gross"`
	Taxes []LineTax     `json:"taxes,omitempty"`
}

// TaxSummary is one tax over a whole document: its base and amount.
type TaxSummary struct {
	Code   string        `json:"code"`
	Name   string        `json:"name"`
	Rate   string        `json:"rate"`
	Base   billkit.Money `json:"base"`
	Amount billkit.Money `json:"amount"`
}

// TaxTotals are a document's lines with their taxes, and its totals: the
// lines sum exactly to Net, Tax and Gross, whichever the rounding.
type TaxTotals struct {
	Lines   []TaxedLine   `json:"lines"`
	Summary []TaxSummary  `json:"summary,omitempty"`
	Net     billkit.Money `json:"net"`
	Tax     billkit.Money `json:"tax"`
	Gross   billkit.Money `json:"gross"`
}

// CalculateTaxes computes the taxes of lines in one currency with digits
// decimals, rounding per line or per document. It is pure: invoices and
// order prices both use it, so a document and the order it bills agree to
// the cent.
func CalculateTaxes(lines []TaxableLine, rounding TaxRounding, digits int32) (TaxTotals, error) {
	return TaxTotals{}, billkit.Errorf(billkit.CodeInternal, "tax.not_implemented", "CalculateTaxes is not implemented yet")
}
