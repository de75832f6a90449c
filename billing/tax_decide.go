package billing

import (
	"context"
	"fmt"

	"github.com/billkit/billkit"
)

// DecideTax decides, in tx, which taxes apply to a sale to subj: the
// company's rules for the payer's country and region, the product type and
// the date; an exemption of the client or its group; a reverse charge. The
// decision carries the company's tax rounding.
//
// The payer is subj.PayerID (it must be the client's), else the client's
// default payer. A client without any payer is taxed by the rules for any
// country only (Country ""): nothing says where it is.
//
// In this order:
//
//  1. An exemption of the client, or of its group, in force on subj.Date
//     (for the company or for every company) makes the sale Exempt, with
//     the exemption's reason in Note.
//  2. The EU reverse charge applies when the company's settings allow it
//     (TaxSettings.ReverseCharge), the company's country is in the EU, the
//     payer is a company or a sole proprietor of another EU country, and
//     its tax ID is a well-formed EU VAT ID of that country. With
//     Config.VATChecker set, it also needs the latest stored check of that
//     number (CheckPayerVAT) to be valid and at most VATCheckMaxAge old,
//     which becomes the Evidence; without a checker the syntax is enough
//     and the Evidence says it was not confirmed.
//  3. Otherwise the company's rules apply as SelectTaxRules picks them,
//     named in the client's locale.
//
// It takes no actor and checks no right: callers (invoices, PriceOrder)
// checked theirs. A missing client, company or payer is not_found; subj
// without company, client or date is invalid.
func (s *Service) DecideTax(ctx context.Context, tx Store, subj TaxSubject) (TaxDecision, error) {
	if tx == nil {
		return TaxDecision{}, billkit.InvalidField("tx", "required", "is required")
	}
	var v billkit.FieldErrors
	v.Check(!subj.CompanyID.IsZero(), "company_id", "required", "is required")
	v.Check(!subj.ClientID.IsZero(), "client_id", "required", "is required")
	v.Check(!subj.Date.IsZero() && subj.Date.Valid(), "date", "required", "must be a calendar date")
	v.Check(len(subj.ProductType) <= 64, "product_type", "too_long", "must be at most 64 bytes")
	if err := v.Err(); err != nil {
		return TaxDecision{}, err
	}
	c, err := tx.GetClient(ctx, subj.ClientID)
	if err != nil {
		return TaxDecision{}, err
	}
	co, err := tx.GetCompany(ctx, subj.CompanyID)
	if err != nil {
		return TaxDecision{}, err
	}
	settings, err := taxSettingsOf(ctx, tx, co)
	if err != nil {
		return TaxDecision{}, err
	}
	dec := TaxDecision{Taxes: []AppliedTax{}, Rounding: settings.Rounding}
	py, err := payerOf(ctx, tx, c.ID, subj.PayerID)
	if err != nil {
		return TaxDecision{}, err
	}

	x, err := exemptionOf(ctx, tx, c, co.ID, subj.Date)
	if err != nil {
		return TaxDecision{}, err
	}
	if x != nil {
		dec.Exempt = true
		dec.Note = "Exempt from tax: " + x.Reason
		if x.Certificate != "" {
			dec.Note += " (certificate " + x.Certificate + ")"
		}
		return dec, nil
	}

	if settings.ReverseCharge {
		ev, err := s.reverseCharge(ctx, tx, co, py)
		if err != nil {
			return TaxDecision{}, err
		}
		if ev != nil {
			dec.ReverseCharge, dec.Evidence = true, ev
			dec.Note = fmt.Sprintf("Reverse charge: VAT ID %s%s", ev.CountryCode, ev.Number)
			return dec, nil
		}
	}

	rules, err := allTaxRules(ctx, tx, TaxRuleFilter{CompanyID: co.ID})
	if err != nil {
		return TaxDecision{}, err
	}
	q := TaxQuery{ProductType: subj.ProductType, Date: subj.Date}
	if py != nil {
		q.Country, q.Region = py.Country, py.Region
	}
	dec.Taxes = AppliedTaxes(SelectTaxRules(rules, q), c.Locale)
	return dec, nil
}

// payerOf returns the payer billed: id (which must be the client's), or
// the client's default payer; nil when id is zero and the client has none.
func payerOf(ctx context.Context, tx Store, client billkit.ClientID, id PayerID) (*Payer, error) {
	if !id.IsZero() {
		py, err := tx.GetPayer(ctx, id)
		if err != nil {
			return nil, err
		}
		if py.ClientID != client {
			return nil, billkit.InvalidField("payer_id", "payer.other_client", "is a payer of another client")
		}
		return py, nil
	}
	f := PayerFilter{ClientID: client, PageParams: billkit.PageParams{Limit: billkit.MaxPageLimit}}
	for {
		page, err := tx.ListPayers(ctx, f)
		if err != nil {
			return nil, err
		}
		for i := range page.Items {
			if page.Items[i].Default {
				return &page.Items[i], nil
			}
		}
		if page.NextCursor == "" {
			return nil, nil
		}
		f.Cursor = page.NextCursor
	}
}

// exemptionOf returns an exemption of the client or of its group in force
// on the date for the company, or nil.
func exemptionOf(ctx context.Context, tx Store, c *Client, company CompanyID, on billkit.Date) (*TaxExemption, error) {
	f := TaxExemptionFilter{ClientID: c.ID, GroupID: c.GroupID, PageParams: billkit.PageParams{Limit: billkit.MaxPageLimit}}
	for {
		page, err := tx.ListTaxExemptions(ctx, f)
		if err != nil {
			return nil, err
		}
		for i := range page.Items {
			x := &page.Items[i]
			if x.InForce(on) && (x.CompanyID.IsZero() || x.CompanyID == company) {
				return x, nil
			}
		}
		if page.NextCursor == "" {
			return nil, nil
		}
		f.Cursor = page.NextCursor
	}
}

// reverseCharge returns the evidence of a reverse charge of a sale by the
// company to the payer, or nil when the sale is not reverse-charged (see
// DecideTax).
func (s *Service) reverseCharge(ctx context.Context, tx Store, co *Company, py *Payer) (*VATCheck, error) {
	if py == nil || py.Kind != PayerCompany && py.Kind != PayerSoleProprietor || py.Country == co.Country {
		return nil, nil
	}
	prefix, number, ok := euVATOf(py)
	if !ok {
		return nil, nil
	}
	for _, country := range []string{co.Country, py.Country} {
		eu, err := tx.CountryEU(ctx, country)
		if err != nil || !eu {
			return nil, err
		}
	}
	now := s.now()
	if s.cfg.VATChecker == nil {
		return &VATCheck{PayerID: py.ID, CountryCode: prefix, Number: number, Valid: true, CheckedAt: now}, nil
	}
	f := VATCheckFilter{PayerID: py.ID, PageParams: billkit.PageParams{Limit: 100}}
	for {
		page, err := tx.ListVATChecks(ctx, f)
		if err != nil {
			return nil, err
		}
		for i := range page.Items {
			c := &page.Items[i]
			if c.CountryCode != prefix || c.Number != number {
				continue // a check of the payer's former VAT ID
			}
			// The latest check of the number decides.
			if c.Valid && c.Confirmed && !c.CheckedAt.Before(now.Add(-VATCheckMaxAge)) {
				return c, nil
			}
			return nil, nil
		}
		if page.NextCursor == "" {
			return nil, nil
		}
		f.Cursor = page.NextCursor
	}
}
