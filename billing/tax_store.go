package billing

import (
	"context"

	"github.com/billkit/billkit"
)

// TaxStore is the part of Store that keeps taxes: rules, company settings,
// exemptions and the evidence of VAT ID checks.
type TaxStore interface {
	// InsertTaxRule returns conflict "tax_rule.exists" for a taken ID and
	// failed_precondition for a missing company.
	InsertTaxRule(ctx context.Context, r *TaxRule) error
	GetTaxRule(ctx context.Context, id TaxRuleID) (*TaxRule, error)
	UpdateTaxRule(ctx context.Context, r *TaxRule) error
	// DeleteTaxRule deletes a rule; not_found when there is none.
	DeleteTaxRule(ctx context.Context, id TaxRuleID) error
	// ListTaxRules lists rules in ID (creation) order.
	ListTaxRules(ctx context.Context, f TaxRuleFilter) (billkit.Page[TaxRule], error)
	// LockTaxRules makes concurrent writers of a company's rules wait for
	// each other until the transaction ends, so that the overlap check and
	// the write are atomic. Call it in the transaction that writes; a
	// missing company is not_found "company.not_found".
	LockTaxRules(ctx context.Context, company CompanyID) error

	// GetTaxSettings returns a company's stored settings; not_found
	// "tax_settings.not_found" when it never set them.
	GetTaxSettings(ctx context.Context, company CompanyID) (*TaxSettings, error)
	// PutTaxSettings inserts or replaces a company's settings;
	// failed_precondition for a missing company.
	PutTaxSettings(ctx context.Context, st *TaxSettings) error

	// InsertTaxExemption returns conflict "tax_exemption.exists" for a
	// taken ID and failed_precondition for a missing client, group or
	// company.
	InsertTaxExemption(ctx context.Context, x *TaxExemption) error
	GetTaxExemption(ctx context.Context, id TaxExemptionID) (*TaxExemption, error)
	UpdateTaxExemption(ctx context.Context, x *TaxExemption) error
	// DeleteTaxExemption deletes an exemption; not_found when there is
	// none.
	DeleteTaxExemption(ctx context.Context, id TaxExemptionID) error
	// ListTaxExemptions lists exemptions in ID order. With both ClientID
	// and GroupID set it lists the exemptions of either.
	ListTaxExemptions(ctx context.Context, f TaxExemptionFilter) (billkit.Page[TaxExemption], error)

	// InsertVATCheck stores a check (its ID and PayerID set); checks are
	// evidence and are never changed. failed_precondition for a missing
	// payer.
	InsertVATCheck(ctx context.Context, c *VATCheck) error
	// ListVATChecks lists checks newest first (CheckedAt, then ID,
	// descending).
	ListVATChecks(ctx context.Context, f VATCheckFilter) (billkit.Page[VATCheck], error)

	// CountryEU reads, in the store's transaction, whether a directory
	// country is a member of the European Union; not_found
	// "country.not_found" when there is no such country.
	CountryEU(ctx context.Context, code string) (bool, error)
}
