package billing

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/directory"
)

// validTaxCode reports whether s is 1 to 32 lower-case ASCII letters,
// digits, '_' and '-'.
func validTaxCode(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// validProductTypeCode reports whether s has the form of a catalog code: 1
// to 64 lower-case ASCII letters, digits, '.', '_' and '-', starting with a
// letter or digit.
func validProductTypeCode(s string) bool {
	if s == "" || len(s) > 64 || s[0] == '.' || s[0] == '_' || s[0] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// checkLocalizedName checks a name per locale: at least one translation,
// well-formed locales, at most 200 bytes each.
func checkLocalizedName(v *billkit.FieldErrors, field string, t directory.Text) directory.Text {
	v.Merge(field, t.ValidateRequired())
	out := t.Normalize()
	for k, s := range out {
		v.Check(len(s) <= 200, field+"."+k, "too_long", "must be at most 200 bytes")
	}
	if out == nil {
		out = directory.Text{}
	}
	return out
}

// checkTaxRule validates p, reading the directory (outside any
// transaction), and returns the rule it describes without ID or times.
func (s *Service) checkTaxRule(ctx context.Context, p TaxRuleParams) (*TaxRule, error) {
	var v billkit.FieldErrors
	r := &TaxRule{
		CompanyID: p.CompanyID, Code: strings.ToLower(strings.TrimSpace(p.Code)), Name: checkLocalizedName(&v, "name", p.Name),
		Country: strings.ToUpper(strings.TrimSpace(p.Country)), Region: strings.ToUpper(strings.TrimSpace(p.Region)),
		ProductTypes: []string{}, Rate: p.Rate, Inclusive: p.Inclusive, Level: p.Level, Compound: p.Compound,
		ValidFrom: p.ValidFrom, ValidTo: p.ValidTo, Priority: p.Priority,
	}
	if r.Level == 0 {
		r.Level = 1
	}
	v.Check(!p.CompanyID.IsZero(), "company_id", "required", "is required")
	if v.Require("code", r.Code) {
		v.Check(validTaxCode(r.Code), "code", "tax_rule.code_malformed", "must be 1 to 32 characters a-z, 0-9, '_' and '-'")
	}
	checkPercent(&v, "rate", "tax_rule.rate_out_of_range", p.Rate, true)
	v.Check(r.Level == 1 || r.Level == 2, "level", "tax_rule.level_unknown", "must be 1 (country) or 2 (region)")
	v.Check(!r.Compound || r.Level == 2, "compound", "tax_rule.compound_level", "only a second-level tax can be compound")
	v.Check(r.Priority >= -1000000 && r.Priority <= 1000000, "priority", "tax_rule.priority_out_of_range", "must be from -1000000 to 1000000")
	checkValidity(&v, p.ValidFrom, p.ValidTo)
	v.Check(len(p.ProductTypes) <= maxRestrictions, "product_types", "too_many", fmt.Sprintf("must list at most %d product types", maxRestrictions))
	for i, pt := range p.ProductTypes {
		pt = strings.TrimSpace(pt)
		if v.Check(validProductTypeCode(pt), fmt.Sprintf("product_types[%d]", i), "tax_rule.product_type_malformed", "must be a catalog product type's code") &&
			!slices.Contains(r.ProductTypes, pt) {
			r.ProductTypes = append(r.ProductTypes, pt)
		}
	}
	if r.Country != "" {
		if _, err := s.country(ctx, &v, "country", r.Country); err != nil {
			return nil, err
		}
	}
	if r.Region != "" {
		if !v.Check(r.Country != "", "region", "tax_rule.region_without_country", "needs a country") {
			return r, v.Err()
		}
		sub, err := s.dir.GetSubdivision(ctx, r.Region)
		switch {
		case billkit.IsCode(err, billkit.CodeNotFound) || billkit.IsCode(err, billkit.CodeInvalid) || err == nil && sub.Country != r.Country:
			v.Add("region", "region.unknown", fmt.Sprintf("%q is not a subdivision of %s", p.Region, r.Country))
		case err != nil:
			return nil, err
		}
	}
	return r, v.Err()
}

// productTypesOverlap reports whether two rules' product types share one,
// an empty list being "every product". A list and "every product" do not
// overlap: the rule that names the product is the more specific one and
// wins (see SelectTaxRules).
func productTypesOverlap(a, b []string) bool {
	if len(a) == 0 || len(b) == 0 {
		return len(a) == 0 && len(b) == 0
	}
	for _, x := range a {
		if slices.Contains(b, x) {
			return true
		}
	}
	return false
}

// Overlaps reports whether r and o would both apply to one sale as the
// same tax: same company, code, country, region and level, validity
// windows that share a day, and product types that share one (or both for
// every product).
func (r *TaxRule) Overlaps(o *TaxRule) bool {
	return r.ID != o.ID && r.CompanyID == o.CompanyID && r.Code == o.Code && r.Country == o.Country &&
		r.Region == o.Region && r.Level == o.Level &&
		validitiesOverlap(r.ValidFrom, r.ValidTo, o.ValidFrom, o.ValidTo) && productTypesOverlap(r.ProductTypes, o.ProductTypes)
}

// allTaxRules reads every rule that f selects, page after page.
func allTaxRules(ctx context.Context, st Store, f TaxRuleFilter) ([]TaxRule, error) {
	var out []TaxRule
	f.PageParams = billkit.PageParams{Limit: billkit.MaxPageLimit}
	for {
		page, err := st.ListTaxRules(ctx, f)
		if err != nil {
			return nil, err
		}
		out = append(out, page.Items...)
		if page.NextCursor == "" {
			return out, nil
		}
		f.Cursor = page.NextCursor
	}
}

// storeTaxRule checks, in tx and under the company's lock, that r overlaps
// no other rule, then writes it with write.
func storeTaxRule(ctx context.Context, tx Store, r *TaxRule, write func() error) error {
	err := tx.LockTaxRules(ctx, r.CompanyID)
	if billkit.IsCode(err, billkit.CodeNotFound) {
		return billkit.InvalidField("company_id", "company.not_found", "is not a company")
	}
	if err != nil {
		return err
	}
	others, err := allTaxRules(ctx, tx, TaxRuleFilter{CompanyID: r.CompanyID, Code: r.Code})
	if err != nil {
		return err
	}
	for i := range others {
		if r.Overlaps(&others[i]) {
			return billkit.Errorf(billkit.CodeConflict, ReasonTaxRuleOverlap,
				"rule %s (%s) applies to the same sales on the same days", others[i].ID, others[i].Code)
		}
	}
	return write()
}

// CreateTaxRule creates a tax rule of a company. It needs
// billing.tax:create. A rule that would apply to the same sales on the
// same days as another of the company's rules with the same code, country,
// region and level is conflict ReasonTaxRuleOverlap; the check and the
// insert are atomic.
func (s *Service) CreateTaxRule(ctx context.Context, actor billkit.Actor, p TaxRuleParams) (*TaxRule, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	r, err := s.checkTaxRule(ctx, p)
	if err != nil {
		return nil, err
	}
	if err := actor.Authorize(billkit.R(FunctionTax, billkit.OpCreate)); err != nil {
		return nil, err
	}
	newID(&r.ID)
	now := s.now()
	r.CreatedAt, r.UpdatedAt = now, now
	err = s.store.InTx(ctx, func(tx Store) error {
		return storeTaxRule(ctx, tx, r, func() error {
			if err := tx.InsertTaxRule(ctx, r); err != nil {
				return err
			}
			return record(ctx, tx, actor, now, ObjectTaxRule, "create", r.ID.String(), billkit.ClientID{}, nil, r)
		})
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// GetTaxRule returns a tax rule. It needs billing.tax:read.
func (s *Service) GetTaxRule(ctx context.Context, actor billkit.Actor, id TaxRuleID) (*TaxRule, error) {
	return read(actor, FunctionTax, func() (*TaxRule, error) { return s.store.GetTaxRule(ctx, id) })
}

// ListTaxRules lists tax rules in creation order. It needs
// billing.tax:read.
func (s *Service) ListTaxRules(ctx context.Context, actor billkit.Actor, f TaxRuleFilter) (billkit.Page[TaxRule], error) {
	f.Code = strings.ToLower(strings.TrimSpace(f.Code))
	return readList(actor, FunctionTax, f.PageParams, func() (billkit.Page[TaxRule], error) { return s.store.ListTaxRules(ctx, f) })
}

// UpdateTaxRule replaces a rule's fields (its company stays; p.CompanyID
// must be zero or the same). It needs billing.tax:edit. The overlap check
// is CreateTaxRule's. Documents issued earlier keep the taxes they were
// issued with.
func (s *Service) UpdateTaxRule(ctx context.Context, actor billkit.Actor, id TaxRuleID, p TaxRuleParams) (*TaxRule, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	if err := actor.Authorize(billkit.R(FunctionTax, billkit.OpEdit)); err != nil {
		return nil, err
	}
	cur, err := s.store.GetTaxRule(ctx, id)
	if err != nil {
		return nil, err
	}
	if p.CompanyID.IsZero() {
		p.CompanyID = cur.CompanyID
	} else if p.CompanyID != cur.CompanyID {
		return nil, billkit.InvalidField("company_id", "tax_rule.company_immutable", "a rule stays with its company")
	}
	next, err := s.checkTaxRule(ctx, p)
	if err != nil {
		return nil, err
	}
	next.ID = id
	err = s.store.InTx(ctx, func(tx Store) error {
		before, err := tx.GetTaxRule(ctx, id)
		if err != nil {
			return err
		}
		now := s.now()
		next.CreatedAt, next.UpdatedAt = before.CreatedAt, now
		return storeTaxRule(ctx, tx, next, func() error {
			if err := tx.UpdateTaxRule(ctx, next); err != nil {
				return err
			}
			return record(ctx, tx, actor, now, ObjectTaxRule, "update", id.String(), billkit.ClientID{}, before, next)
		})
	})
	if err != nil {
		return nil, err
	}
	return next, nil
}

// DeleteTaxRule deletes a rule: sales decided afterwards no longer get
// it. To stop a tax from a date, prefer setting its ValidTo, which keeps
// the history. It needs billing.tax:delete.
func (s *Service) DeleteTaxRule(ctx context.Context, actor billkit.Actor, id TaxRuleID) error {
	if err := actor.Validate(); err != nil {
		return err
	}
	if err := actor.Authorize(billkit.R(FunctionTax, billkit.OpDelete)); err != nil {
		return err
	}
	return s.store.InTx(ctx, func(tx Store) error {
		before, err := tx.GetTaxRule(ctx, id)
		if err != nil {
			return err
		}
		if err := tx.DeleteTaxRule(ctx, id); err != nil {
			return err
		}
		return record(ctx, tx, actor, s.now(), ObjectTaxRule, "delete", id.String(), billkit.ClientID{}, before, nil)
	})
}

// taxSettingsOf returns, in st, a company's stored tax settings or its
// defaults.
func taxSettingsOf(ctx context.Context, st Store, co *Company) (*TaxSettings, error) {
	ts, err := st.GetTaxSettings(ctx, co.ID)
	if err == nil || !billkit.IsCode(err, billkit.CodeNotFound) {
		return ts, err
	}
	eu, err := st.CountryEU(ctx, co.Country)
	if err != nil {
		return nil, err
	}
	return &TaxSettings{CompanyID: co.ID, Rounding: TaxRoundPerLine, ReverseCharge: eu}, nil
}

// GetTaxSettings returns a company's tax settings, or its defaults when it
// never set them (rounding per line; the EU reverse charge for a company
// in the EU). It needs billing.tax:read.
func (s *Service) GetTaxSettings(ctx context.Context, actor billkit.Actor, company CompanyID) (*TaxSettings, error) {
	return read(actor, FunctionTax, func() (*TaxSettings, error) {
		co, err := s.store.GetCompany(ctx, company)
		if err != nil {
			return nil, err
		}
		return taxSettingsOf(ctx, s.store, co)
	})
}

// SetTaxSettings changes a company's tax settings; fields left nil keep
// their value. It needs billing.tax:edit.
func (s *Service) SetTaxSettings(ctx context.Context, actor billkit.Actor, company CompanyID, p SetTaxSettingsParams) (*TaxSettings, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	if p.Rounding != nil && !p.Rounding.Valid() {
		return nil, billkit.InvalidField("rounding", "tax.rounding_unknown", "must be line or document")
	}
	if err := actor.Authorize(billkit.R(FunctionTax, billkit.OpEdit)); err != nil {
		return nil, err
	}
	var out *TaxSettings
	err := s.store.InTx(ctx, func(tx Store) error {
		co, err := tx.GetCompany(ctx, company)
		if err != nil {
			return err
		}
		before, err := taxSettingsOf(ctx, tx, co)
		if err != nil {
			return err
		}
		next := *before
		if p.Rounding != nil {
			next.Rounding = *p.Rounding
		}
		if p.ReverseCharge != nil {
			next.ReverseCharge = *p.ReverseCharge
		}
		now := s.now()
		next.UpdatedAt = now
		if err := tx.PutTaxSettings(ctx, &next); err != nil {
			return err
		}
		out = &next
		return record(ctx, tx, actor, now, ObjectTaxSettings, "update", company.String(), billkit.ClientID{}, before, &next)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
