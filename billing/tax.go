package billing

import (
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/directory"
	"github.com/shopspring/decimal"
)

// The object types of the tax actions in the action log; their rights are
// those of FunctionTax ("billing.tax_rule.create" needs billing.tax:create).
const (
	ObjectTaxRule      = "billing.tax_rule"
	ObjectTaxExemption = "billing.tax_exemption"
	ObjectTaxSettings  = "billing.tax_settings"
	ObjectVATCheck     = "billing.vat_check"
)

// Reasons of tax errors.
const (
	// ReasonTaxRuleOverlap: a rule that would apply on the same day to the
	// same sales as another rule of the same company, code, country,
	// region and level.
	ReasonTaxRuleOverlap = "tax_rule.overlap"
	// ReasonVATCheckerMissing: CheckPayerVAT without Config.VATChecker.
	ReasonVATCheckerMissing = "tax.vat_checker_missing"
	// ReasonNotEUVAT: CheckPayerVAT on a payer without an EU VAT ID.
	ReasonNotEUVAT = "tax.not_eu_vat"
	// ReasonVATCheckFailed: the VATChecker could not answer; nothing was
	// stored, and the check may be tried again.
	ReasonVATCheckFailed = "tax.vat_check_failed"
)

// TaxRuleID identifies a TaxRule.
type TaxRuleID = billkit.ID[TaxRule]

// TaxRule is one tax a company charges: a rate for sales to payers of a
// country (or of any), a region of it (or all of it), some product types
// (or all), over a validity window. DecideTax picks the rules of a sale
// (see SelectTaxRules).
type TaxRule struct {
	ID        TaxRuleID `json:"id" bun:"id,pk"`
	CompanyID CompanyID `json:"company_id" bun:"company_id,notnull"`
	// Code names the tax on documents: 1 to 32 lower-case ASCII letters,
	// digits, '_' and '-' ("vat", "gst", "state").
	Code string `json:"code" bun:"code,notnull"`
	// Name is the tax's name per locale ("VAT", "НДС"); documents show it
	// in the client's locale.
	Name directory.Text `json:"name" bun:"name,notnull"`
	// Country is the payer's ISO 3166-1 country the rule is for; "" is any
	// country (and sales to clients without a payer).
	Country string `json:"country" bun:"country,notnull"`
	// Region is the payer's ISO 3166-2 subdivision ("US-CA"); "" is the
	// whole country. It needs Country.
	Region string `json:"region" bun:"region,notnull"`
	// ProductTypes are the codes of the catalog product types the rule
	// taxes; empty is every product, and sales of no product (top-ups,
	// manual lines).
	ProductTypes []string `json:"product_types" bun:"product_types,notnull"`
	// Rate is a percentage from 0 to 100 with at most 4 decimals: 20 for
	// 20 %.
	Rate decimal.Decimal `json:"rate" bun:"rate,notnull"`
	// Inclusive: prices already include the tax, which is extracted from
	// them; otherwise it is added on top.
	Inclusive bool `json:"inclusive" bun:"inclusive,notnull"`
	// Level is 1 (a country's tax) or 2 (a state's, a province's): a sale
	// gets at most one rule per code and level, and the levels add up.
	Level int `json:"level" bun:"level,notnull"`
	// Compound (level 2 only) computes the tax on the net amount plus the
	// first level's tax.
	Compound bool `json:"compound" bun:"compound,notnull"`
	// ValidFrom and ValidTo bound the dates of supply the rule applies to;
	// ValidTo is exclusive, and a zero date leaves that side open.
	ValidFrom billkit.Date `json:"valid_from,omitzero" bun:"valid_from,nullzero"`
	ValidTo   billkit.Date `json:"valid_to,omitzero" bun:"valid_to,nullzero"`
	// Priority decides between rules that could both apply for one code
	// and level (a rule for any country and one for the payer's): the
	// higher wins, then the more specific one.
	Priority  int       `json:"priority" bun:"priority,notnull"`
	CreatedAt time.Time `json:"created_at" bun:"created_at,notnull"`
	UpdatedAt time.Time `json:"updated_at" bun:"updated_at,notnull"`
}

// InForce reports whether the rule applies to a supply on the date.
func (r *TaxRule) InForce(on billkit.Date) bool { return inValidity(r.ValidFrom, r.ValidTo, on) }

// inValidity reports whether on is in [from, to), a zero bound being open.
func inValidity(from, to, on billkit.Date) bool {
	return (from.IsZero() || !on.Before(from)) && (to.IsZero() || on.Before(to))
}

// validitiesOverlap reports whether [af, at) and [bf, bt) share a day, zero
// bounds being open.
func validitiesOverlap(af, at, bf, bt billkit.Date) bool {
	startsBeforeBEnds := at.IsZero() || bf.IsZero() || bf.Before(at)
	bStartsBeforeAEnds := bt.IsZero() || af.IsZero() || af.Before(bt)
	return startsBeforeBEnds && bStartsBeforeAEnds
}

// TaxRuleParams are the fields of a tax rule, for CreateTaxRule and
// UpdateTaxRule (which replaces them all).
type TaxRuleParams struct {
	CompanyID    CompanyID       `json:"company_id"`
	Code         string          `json:"code"`
	Name         directory.Text  `json:"name"`
	Country      string          `json:"country,omitempty"`
	Region       string          `json:"region,omitempty"`
	ProductTypes []string        `json:"product_types,omitempty"`
	Rate         decimal.Decimal `json:"rate"`
	Inclusive    bool            `json:"inclusive,omitempty"`
	// Level defaults to 1.
	Level     int          `json:"level,omitempty"`
	Compound  bool         `json:"compound,omitempty"`
	ValidFrom billkit.Date `json:"valid_from,omitzero"`
	ValidTo   billkit.Date `json:"valid_to,omitzero"`
	Priority  int          `json:"priority,omitempty"`
}

// TaxRuleFilter selects tax rules; lists are in ID (creation) order.
type TaxRuleFilter struct {
	CompanyID CompanyID `json:"company_id,omitzero"`
	Code      string    `json:"code,omitempty"`
	billkit.PageParams
}

// TaxSettings are a company's choices about taxes. A company that never
// set them has the defaults: rounding per line, and the EU reverse charge
// when the company's country is in the EU.
type TaxSettings struct {
	CompanyID CompanyID `json:"company_id" bun:"company_id,pk"`
	// Rounding is where taxes are rounded: per line (the default) or per
	// document.
	Rounding TaxRounding `json:"rounding" bun:"rounding,notnull"`
	// ReverseCharge lets DecideTax apply the EU reverse charge to business
	// payers with a valid VAT ID of another member state. It only works for
	// a company in the EU.
	ReverseCharge bool `json:"reverse_charge" bun:"reverse_charge,notnull"`
	// UpdatedAt is when they were last set; zero for the defaults.
	UpdatedAt time.Time `json:"updated_at,omitzero" bun:"updated_at,notnull"`
}

// Valid reports whether r is a known rounding.
func (r TaxRounding) Valid() bool { return r == TaxRoundPerLine || r == TaxRoundPerDocument }

// SetTaxSettingsParams change a company's tax settings; nil fields keep
// their current (or default) value.
type SetTaxSettingsParams struct {
	Rounding      *TaxRounding `json:"rounding,omitempty"`
	ReverseCharge *bool        `json:"reverse_charge,omitempty"`
}

// TaxExemptionID identifies a TaxExemption.
type TaxExemptionID = billkit.ID[TaxExemption]

// TaxExemption frees a client, or every client of a group, from taxes
// over a validity window: a charity, a diplomatic mission, a reseller with
// a resale certificate.
type TaxExemption struct {
	ID TaxExemptionID `json:"id" bun:"id,pk"`
	// ClientID or GroupID (exactly one) is who is exempt.
	ClientID billkit.ClientID `json:"client_id,omitzero" bun:"client_id,nullzero"`
	GroupID  ClientGroupID    `json:"group_id,omitzero" bun:"group_id,nullzero"`
	// CompanyID limits the exemption to one company's sales; zero is every
	// company's.
	CompanyID CompanyID `json:"company_id,omitzero" bun:"company_id,nullzero"`
	// Reason says why, on documents ("Charity, art. 261 CGI").
	Reason string `json:"reason" bun:"reason,notnull"`
	// Certificate is the number of the exemption certificate, if any.
	Certificate string `json:"certificate,omitempty" bun:"certificate,notnull"`
	// ValidFrom and ValidTo (exclusive) bound the dates of supply it
	// covers; zero leaves a side open.
	ValidFrom billkit.Date `json:"valid_from,omitzero" bun:"valid_from,nullzero"`
	ValidTo   billkit.Date `json:"valid_to,omitzero" bun:"valid_to,nullzero"`
	CreatedAt time.Time    `json:"created_at" bun:"created_at,notnull"`
	UpdatedAt time.Time    `json:"updated_at" bun:"updated_at,notnull"`
}

// InForce reports whether the exemption covers a supply on the date.
func (x *TaxExemption) InForce(on billkit.Date) bool { return inValidity(x.ValidFrom, x.ValidTo, on) }

// TaxExemptionParams are the fields of an exemption, for
// CreateTaxExemption and UpdateTaxExemption (which replaces them all but
// the client or group).
type TaxExemptionParams struct {
	ClientID    billkit.ClientID `json:"client_id,omitzero"`
	GroupID     ClientGroupID    `json:"group_id,omitzero"`
	CompanyID   CompanyID        `json:"company_id,omitzero"`
	Reason      string           `json:"reason"`
	Certificate string           `json:"certificate,omitempty"`
	ValidFrom   billkit.Date     `json:"valid_from,omitzero"`
	ValidTo     billkit.Date     `json:"valid_to,omitzero"`
}

// TaxExemptionFilter selects exemptions; lists are in ID order.
type TaxExemptionFilter struct {
	ClientID billkit.ClientID `json:"client_id,omitzero"`
	GroupID  ClientGroupID    `json:"group_id,omitzero"`
	// ClientIDs restricts to those clients' exemptions when not nil, as in
	// ClientFilter.
	ClientIDs []billkit.ClientID `json:"-"`
	billkit.PageParams
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

// VATCheckID identifies a stored VATCheck.
type VATCheckID = billkit.ID[VATCheck]

// VATCheck is a VATChecker's answer, kept as evidence of a reverse charge.
type VATCheck struct {
	// ID is set on a stored check (CheckPayerVAT), PayerID on a stored
	// check and on the evidence of a decision; a checker leaves both zero.
	ID      VATCheckID `json:"id,omitzero"`
	PayerID PayerID    `json:"payer_id,omitzero"`
	// CountryCode is the VAT prefix ("DE"; "EL" for Greece) and Number the
	// national part ("123456789").
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

// VATCheckFilter selects stored VAT checks; lists are newest first.
type VATCheckFilter struct {
	PayerID PayerID `json:"payer_id,omitzero"`
	billkit.PageParams
}

// VATCheckMaxAge is how old a stored confirmation may be for a reverse
// charge when Config.VATChecker is set.
const VATCheckMaxAge = 30 * 24 * time.Hour
