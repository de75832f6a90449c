package billing

import (
	"context"
	"strings"

	"github.com/billkit/billkit"
)

// CreatePayerParams adds a payer to a client.
type CreatePayerParams struct {
	ClientID billkit.ClientID `json:"client_id"`
	Kind     PayerKind        `json:"kind"`
	Name     string           `json:"name"`
	// LegalName is required for companies and sole proprietors.
	LegalName string  `json:"legal_name,omitempty"`
	Country   string  `json:"country"`
	Region    string  `json:"region,omitempty"`
	Address   Address `json:"address,omitzero"`
	Email     string  `json:"email,omitempty"`
	Phone     string  `json:"phone,omitempty"`
	TaxID     string  `json:"tax_id,omitempty"`
	// Default makes the payer the client's default. The client's first
	// payer is the default whatever this says.
	Default bool `json:"default,omitempty"`
}

// UpdatePayerParams changes a payer; nil fields stay. The default payer
// changes through SetDefaultPayer.
type UpdatePayerParams struct {
	Kind      *PayerKind `json:"kind,omitempty"`
	Name      *string    `json:"name,omitempty"`
	LegalName *string    `json:"legal_name,omitempty"`
	Country   *string    `json:"country,omitempty"`
	Region    *string    `json:"region,omitempty"`
	Address   *Address   `json:"address,omitempty"`
	Email     *string    `json:"email,omitempty"`
	Phone     *string    `json:"phone,omitempty"`
	TaxID     *string    `json:"tax_id,omitempty"`
}

// phone checks an optional phone number: digits with an optional leading +
// and the separators people write (spaces, dashes, dots, parentheses).
func phone(v *billkit.FieldErrors, field, s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	digits := 0
	ok := len(s) <= 32
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' && i == 0, r == ' ', r == '-', r == '.', r == '(', r == ')':
		default:
			ok = false
		}
	}
	v.Check(ok && digits >= 5 && digits <= 15, field, "phone.malformed", "must be a phone number such as +1 555 010 0199")
	return s
}

// checkPayer validates a payer's fields (after the params are applied) and
// normalizes them. The directory checks make it read outside any
// transaction.
func (s *Service) checkPayer(ctx context.Context, p *Payer) error {
	var v billkit.FieldErrors
	v.Check(p.Kind.Valid(), "kind", "payer.kind_unknown", "must be individual, company or sole_proprietor")
	p.Name = text(&v, "name", p.Name, 200, true)
	p.LegalName = text(&v, "legal_name", p.LegalName, 300, p.Kind == PayerCompany || p.Kind == PayerSoleProprietor)
	p.Address = validAddress(&v, "address", p.Address)
	p.Email = email(&v, "email", p.Email)
	p.Phone = phone(&v, "phone", p.Phone)
	country, err := s.country(ctx, &v, "country", p.Country)
	if err != nil {
		return err
	}
	p.Country = country
	if p.Region, err = s.region(ctx, &v, "region", country, p.Region); err != nil {
		return err
	}
	if strings.TrimSpace(p.TaxID) == "" {
		p.TaxID = ""
	} else if country != "" {
		n, _, err := NormalizeTaxID(country, p.TaxID)
		if v.Merge("", err) {
			p.TaxID = n
		}
	}
	return v.Err()
}

// payerNotFound is the not_found error of a payer.
func payerNotFound(id PayerID) error { return billkit.NotFound("payer", id) }

// payerFor reads a payer and checks that the actor may do op on its
// client's payers; a customer of another client gets not_found.
func (s *Service) payerFor(ctx context.Context, store Store, actor billkit.Actor, id PayerID, op billkit.Operation) (*Payer, error) {
	p, err := store.GetPayer(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := actor.AuthorizeClient(billkit.R(FunctionPayer, op), p.ClientID, payerNotFound(id)); err != nil {
		return nil, err
	}
	return p, nil
}

// CreatePayer adds a payer to a client. It needs billing.payer:create on
// the client. The client's first payer becomes its default; a later one
// does when Default is set, and the previous default stops being one in
// the same transaction.
func (s *Service) CreatePayer(ctx context.Context, actor billkit.Actor, p CreatePayerParams) (*Payer, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	py := &Payer{
		ID: billkit.NewID[Payer](), ClientID: p.ClientID, Kind: p.Kind, Name: p.Name, LegalName: p.LegalName,
		Country: p.Country, Region: p.Region, Address: p.Address, Email: p.Email, Phone: p.Phone, TaxID: p.TaxID,
	}
	err := s.checkPayer(ctx, py)
	var v billkit.FieldErrors
	v.Merge("", err)
	v.Check(!p.ClientID.IsZero(), "client_id", "required", "is required")
	if err != nil && !billkit.IsCode(err, billkit.CodeInvalid) {
		return nil, err
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if _, err := s.store.GetClient(ctx, p.ClientID); err != nil {
		return nil, err
	}
	if err := actor.AuthorizeClient(billkit.R(FunctionPayer, billkit.OpCreate), p.ClientID, clientNotFound(p.ClientID)); err != nil {
		return nil, err
	}
	now := s.now()
	py.CreatedAt, py.UpdatedAt = now, now
	err = s.store.InTx(ctx, func(tx Store) error {
		c, err := tx.GetClient(ctx, p.ClientID)
		if err != nil {
			return err
		}
		if c.Status == ClientStatusDeleted {
			return billkit.Errorf(billkit.CodeFailedPrecondition, "client.deleted", "client %s is deleted", c.Number)
		}
		others, err := tx.ListPayers(ctx, PayerFilter{ClientID: c.ID, PageParams: billkit.PageParams{Limit: 1}})
		if err != nil {
			return err
		}
		first := len(others.Items) == 0
		py.Default = first
		if err := tx.InsertPayer(ctx, py); err != nil {
			return err
		}
		if p.Default && !first {
			if err := tx.SetDefaultPayer(ctx, c.ID, py.ID); err != nil {
				return err
			}
			py.Default = true
		}
		return record(ctx, tx, actor, now, FunctionPayer, "create", py.ID.String(), c.ID, nil, py)
	})
	if err != nil {
		return nil, err
	}
	return py, nil
}

// GetPayer returns a payer. It needs billing.payer:read on its client.
func (s *Service) GetPayer(ctx context.Context, actor billkit.Actor, id PayerID) (*Payer, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	return s.payerFor(ctx, s.store, actor, id, billkit.OpRead)
}

// ListPayers lists payers in creation order, limited for customers to their
// clients' payers. It needs billing.payer:read.
func (s *Service) ListPayers(ctx context.Context, actor billkit.Actor, f PayerFilter) (billkit.Page[Payer], error) {
	if err := actor.Validate(); err != nil {
		return billkit.Page[Payer]{}, err
	}
	if err := f.PageParams.Validate(); err != nil {
		return billkit.Page[Payer]{}, err
	}
	ids, err := listScope(actor, billkit.R(FunctionPayer, billkit.OpRead))
	if err != nil {
		return billkit.Page[Payer]{}, err
	}
	if ids != nil {
		f.ClientIDs = ids
	}
	if f.ClientIDs != nil && len(f.ClientIDs) == 0 {
		return billkit.Page[Payer]{Items: []Payer{}}, nil
	}
	return s.store.ListPayers(ctx, f)
}

// UpdatePayer changes a payer. It needs billing.payer:edit on its client.
// The tax ID is checked against the (new) country.
func (s *Service) UpdatePayer(ctx context.Context, actor billkit.Actor, id PayerID, p UpdatePayerParams) (*Payer, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	cur, err := s.payerFor(ctx, s.store, actor, id, billkit.OpEdit)
	if err != nil {
		return nil, err
	}
	next := *cur
	apply := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	if p.Kind != nil {
		next.Kind = *p.Kind
	}
	apply(&next.Name, p.Name)
	apply(&next.LegalName, p.LegalName)
	apply(&next.Country, p.Country)
	apply(&next.Region, p.Region)
	apply(&next.Email, p.Email)
	apply(&next.Phone, p.Phone)
	apply(&next.TaxID, p.TaxID)
	if p.Address != nil {
		next.Address = *p.Address
	}
	if err := s.checkPayer(ctx, &next); err != nil {
		return nil, err
	}
	var out *Payer
	err = s.store.InTx(ctx, func(tx Store) error {
		py, err := tx.GetPayer(ctx, id)
		if err != nil {
			return err
		}
		before := *py
		now := s.now()
		next.Default, next.CreatedAt, next.UpdatedAt = py.Default, py.CreatedAt, now
		if err := tx.UpdatePayer(ctx, &next); err != nil {
			return err
		}
		out = &next
		return record(ctx, tx, actor, now, FunctionPayer, "update", py.ID.String(), py.ClientID, &before, &next)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// SetDefaultPayer makes a payer its client's default; the previous default
// stops being one in the same transaction. It needs billing.payer:edit on
// the client.
func (s *Service) SetDefaultPayer(ctx context.Context, actor billkit.Actor, id PayerID) (*Payer, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	if _, err := s.payerFor(ctx, s.store, actor, id, billkit.OpEdit); err != nil {
		return nil, err
	}
	var out *Payer
	err := s.store.InTx(ctx, func(tx Store) error {
		py, err := tx.GetPayer(ctx, id)
		if err != nil {
			return err
		}
		if py.Default {
			out = py
			return nil
		}
		before := *py
		if err := tx.SetDefaultPayer(ctx, py.ClientID, py.ID); err != nil {
			return err
		}
		py.Default = true
		out = py
		return record(ctx, tx, actor, s.now(), FunctionPayer, "set_default", py.ID.String(), py.ClientID, &before, py)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
