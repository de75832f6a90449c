package billing

import (
	"time"

	"github.com/billkit/billkit"
	"github.com/shopspring/decimal"
)

// TaxRuleID identifies a TaxRule.
type TaxRuleID = billkit.ID[TaxRule]

// TaxRule is one tax a company charges.
type TaxRule struct {
	ID TaxRuleID `json:"id"`
}

// TaxRounding is where taxes are rounded to the currency's digits.
type TaxRounding string

// The tax roundings a company chooses from.
const (
	// TaxRoundPerLine rounds each line's tax, and the document's tax is
	// their sum.
	TaxRoundPerLine TaxRounding = "line"
	// TaxRoundPerDocument sums the exact taxes of the lines per rate, rounds
	// once per rate, and gives the lines their shares by largest remainder,
	// so the lines still sum exactly to the total.
	TaxRoundPerDocument TaxRounding = "document"
)

// TaxSubject is what a tax decision depends on.
type TaxSubject struct {
	CompanyID CompanyID        `json:"company_id"`
	ClientID  billkit.ClientID `json:"client_id"`
	// PayerID is the payer billed; zero means the client's default payer.
	PayerID PayerID `json:"payer_id,omitzero"`
	// ProductType is the catalog product type's code of what is sold ("vds",
	// "domain"); empty for a top-up or a manual line.
	ProductType string `json:"product_type,omitempty"`
	// Date is the date of supply: rules in force that day apply.
	Date billkit.Date `json:"date"`
}

// AppliedTax is one tax that applies to a line.
type AppliedTax struct {
	RuleID TaxRuleID `json:"rule_id"`
	// Code names the tax on documents ("vat", "gst", "state").
	Code string `json:"code"`
	Name string `json:"name"`
	// Rate is a percentage: 20 for 20 %.
	Rate decimal.Decimal `json:"rate"`
	// Level is 1 or 2: a country's second level (a state's or a city's tax)
	// adds up with the first.
	Level int `json:"level"`
	// Compound taxes are computed on the net amount plus the first level's
	// tax (Quebec's former QST); others on the net amount.
	Compound bool `json:"compound,omitempty"`
	// Inclusive: prices already include this tax, which is extracted from
	// them; otherwise it is added on top.
	Inclusive bool `json:"inclusive,omitempty"`
}

// TaxDecision is which taxes apply to a sale and why.
type TaxDecision struct {
	Taxes []AppliedTax `json:"taxes"`
	// ReverseCharge: the buyer accounts for the VAT (a business with a valid
	// EU VAT ID in another EU country); Taxes is then empty and documents
	// carry the reverse-charge mention.
	ReverseCharge bool `json:"reverse_charge,omitempty"`
	// Exempt: the client or its group is exempt; Taxes is empty.
	Exempt bool `json:"exempt,omitempty"`
	// Note says why in words, for documents and staff ("Reverse charge:
	// VAT ID DE123456789").
	Note string `json:"note,omitempty"`
	// Evidence is the VAT ID check behind a reverse charge.
	Evidence *VATCheck `json:"evidence,omitempty"`
	// Rounding is the company's choice of where to round taxes.
	Rounding TaxRounding `json:"rounding"`
}

// VATCheck is a VATChecker's answer, kept as evidence of a reverse charge.
type VATCheck struct {
	CountryCode string `json:"country_code"`
	Number      string `json:"number"`
	// Valid is the authority's answer; Confirmed is false when no checker
	// was asked and only the syntax was checked.
	Valid     bool   `json:"valid"`
	Confirmed bool   `json:"confirmed"`
	Name      string `json:"name,omitempty"`
	Address   string `json:"address,omitempty"`
	// Reference is the authority's consultation number, when it gives one.
	Reference string    `json:"reference,omitempty"`
	CheckedAt time.Time `json:"checked_at"`
}
