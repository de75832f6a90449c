package billing

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/billkit/billkit"
)

// CreateCompanyParams creates a company.
type CreateCompanyParams struct {
	LegalName string `json:"legal_name"`
	// ShortName defaults to LegalName.
	ShortName    string               `json:"short_name,omitempty"`
	Country      string               `json:"country"`
	Address      Address              `json:"address,omitzero"`
	TaxIDs       []string             `json:"tax_ids,omitempty"`
	BankAccounts []BankAccount        `json:"bank_accounts,omitempty"`
	ProviderIDs  []billkit.ProviderID `json:"provider_ids,omitempty"`
}

// UpdateCompanyParams changes a company; nil fields stay, and a non-nil
// slice replaces the whole list.
type UpdateCompanyParams struct {
	LegalName    *string              `json:"legal_name,omitempty"`
	ShortName    *string              `json:"short_name,omitempty"`
	Country      *string              `json:"country,omitempty"`
	Address      *Address             `json:"address,omitempty"`
	TaxIDs       []string             `json:"tax_ids,omitempty"`
	BankAccounts []BankAccount        `json:"bank_accounts,omitempty"`
	ProviderIDs  []billkit.ProviderID `json:"provider_ids,omitempty"`
}

// companyDetails checks the parts of a company that need its country.
func companyDetails(v *billkit.FieldErrors, country string, taxIDs []string, banks []BankAccount) ([]string, []BankAccount) {
	outIDs := []string{}
	for i, id := range taxIDs {
		field := fmt.Sprintf("tax_ids[%d]", i)
		n, _, err := NormalizeTaxID(country, id)
		if err != nil {
			v.Merge(field, renameField(err, "tax_id", ""))
			continue
		}
		if !v.Check(!slices.Contains(outIDs, n), field, "taxid.duplicate", "is listed twice") {
			continue
		}
		outIDs = append(outIDs, n)
	}
	outBanks := []BankAccount{}
	for i, b := range banks {
		v.Merge(fmt.Sprintf("bank_accounts[%d]", i), b.Validate())
		outBanks = append(outBanks, b)
	}
	return outIDs, outBanks
}

// renameField returns err with the field from renamed to, for errors of
// helpers that name their own field.
func renameField(err error, from, to string) error {
	e, ok := err.(*billkit.Error)
	if !ok {
		return err
	}
	c := *e
	c.Fields = append([]billkit.FieldError(nil), e.Fields...)
	for i := range c.Fields {
		if c.Fields[i].Field == from {
			c.Fields[i].Field = to
		}
	}
	return &c
}

// providerSet checks, in tx, that the providers exist, and returns them
// sorted without duplicates.
func providerSet(ctx context.Context, tx Store, ids []billkit.ProviderID) ([]billkit.ProviderID, error) {
	var v billkit.FieldErrors
	out := []billkit.ProviderID{}
	for i, id := range ids {
		field := fmt.Sprintf("provider_ids[%d]", i)
		if _, err := tx.GetProvider(ctx, id); billkit.IsCode(err, billkit.CodeNotFound) {
			v.Add(field, "provider.not_found", "is not a provider")
			continue
		} else if err != nil {
			return nil, err
		}
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	slices.SortFunc(out, func(a, b billkit.ProviderID) int { return strings.Compare(a.String(), b.String()) })
	return out, v.Err()
}

// CreateCompany creates a company. It needs billing.company:create.
func (s *Service) CreateCompany(ctx context.Context, actor billkit.Actor, p CreateCompanyParams) (*Company, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	var v billkit.FieldErrors
	c := &Company{
		ID:        billkit.NewID[Company](),
		LegalName: text(&v, "legal_name", p.LegalName, 300, true),
		ShortName: text(&v, "short_name", p.ShortName, 100, false),
		Address:   validAddress(&v, "address", p.Address),
	}
	if c.ShortName == "" {
		c.ShortName = c.LegalName
	}
	country, err := s.country(ctx, &v, "country", p.Country)
	if err != nil {
		return nil, err
	}
	c.Country = country
	c.TaxIDs, c.BankAccounts = companyDetails(&v, country, p.TaxIDs, p.BankAccounts)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := actor.Authorize(billkit.R(FunctionCompany, billkit.OpCreate)); err != nil {
		return nil, err
	}
	now := s.now()
	c.CreatedAt, c.UpdatedAt = now, now
	err = s.store.InTx(ctx, func(tx Store) error {
		ids, err := providerSet(ctx, tx, p.ProviderIDs)
		if err != nil {
			return err
		}
		c.ProviderIDs = ids
		if err := tx.InsertCompany(ctx, c); err != nil {
			return err
		}
		return record(ctx, tx, actor, now, FunctionCompany, "create", c.ID.String(), billkit.ClientID{}, nil, c)
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// GetCompany returns a company. It needs billing.company:read.
func (s *Service) GetCompany(ctx context.Context, actor billkit.Actor, id CompanyID) (*Company, error) {
	return read(actor, FunctionCompany, func() (*Company, error) { return s.store.GetCompany(ctx, id) })
}

// ListCompanies lists companies in creation order. It needs
// billing.company:read.
func (s *Service) ListCompanies(ctx context.Context, actor billkit.Actor, f CompanyFilter) (billkit.Page[Company], error) {
	return readList(actor, FunctionCompany, f.PageParams, func() (billkit.Page[Company], error) { return s.store.ListCompanies(ctx, f) })
}

// UpdateCompany changes a company. It needs billing.company:edit. Tax IDs
// are checked against the company's (new) country.
func (s *Service) UpdateCompany(ctx context.Context, actor billkit.Actor, id CompanyID, p UpdateCompanyParams) (*Company, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	var (
		v                     billkit.FieldErrors
		legal, short, country string
		addr                  Address
		err                   error
	)
	if p.LegalName != nil {
		legal = text(&v, "legal_name", *p.LegalName, 300, true)
	}
	if p.ShortName != nil {
		short = text(&v, "short_name", *p.ShortName, 100, true)
	}
	if p.Address != nil {
		addr = validAddress(&v, "address", *p.Address)
	}
	if p.Country != nil {
		if country, err = s.country(ctx, &v, "country", *p.Country); err != nil {
			return nil, err
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := actor.Authorize(billkit.R(FunctionCompany, billkit.OpEdit)); err != nil {
		return nil, err
	}
	var out *Company
	err = s.store.InTx(ctx, func(tx Store) error {
		c, err := tx.GetCompany(ctx, id)
		if err != nil {
			return err
		}
		before := *c
		if p.LegalName != nil {
			c.LegalName = legal
		}
		if p.ShortName != nil {
			c.ShortName = short
		}
		if p.Address != nil {
			c.Address = addr
		}
		if p.Country != nil {
			c.Country = country
		}
		taxIDs, banks := c.TaxIDs, c.BankAccounts
		if p.TaxIDs != nil {
			taxIDs = p.TaxIDs
		}
		if p.BankAccounts != nil {
			banks = p.BankAccounts
		}
		var dv billkit.FieldErrors
		c.TaxIDs, c.BankAccounts = companyDetails(&dv, c.Country, taxIDs, banks)
		if err := dv.Err(); err != nil {
			return err
		}
		if p.ProviderIDs != nil {
			if c.ProviderIDs, err = providerSet(ctx, tx, p.ProviderIDs); err != nil {
				return err
			}
		}
		now := s.now()
		c.UpdatedAt = now
		if err := tx.UpdateCompany(ctx, c); err != nil {
			return err
		}
		out = c
		return record(ctx, tx, actor, now, FunctionCompany, "update", c.ID.String(), billkit.ClientID{}, &before, c)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
