package billing

import (
	"context"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/directory"
)

// CreateContractTemplateParams creates a contract template of a company.
type CreateContractTemplateParams struct {
	CompanyID CompanyID      `json:"company_id"`
	Name      string         `json:"name"`
	Body      directory.Text `json:"body"`
	// NumberFormat is the format of contract numbers (see FormatNumber).
	NumberFormat string `json:"number_format"`
	// Reset defaults to ResetNever.
	Reset ResetPolicy `json:"reset,omitempty"`
}

// UpdateContractTemplateParams changes a template; nil fields stay. A new
// format or reset policy applies to contracts created afterwards.
type UpdateContractTemplateParams struct {
	Name         *string        `json:"name,omitempty"`
	Body         directory.Text `json:"body,omitempty"`
	NumberFormat *string        `json:"number_format,omitempty"`
	Reset        *ResetPolicy   `json:"reset,omitempty"`
}

// CreateContractParams creates a draft contract from a template.
type CreateContractParams struct {
	TemplateID ContractTemplateID `json:"template_id"`
	ClientID   billkit.ClientID   `json:"client_id"`
	// PayerID is one of the client's payers; its default payer when zero.
	PayerID PayerID `json:"payer_id,omitzero"`
}

// CreateContractTemplate creates a template. Templates are managed with
// the rights of billing.contract (create, read, edit).
func (s *Service) CreateContractTemplate(ctx context.Context, actor billkit.Actor, p CreateContractTemplateParams) (*ContractTemplate, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	if p.Reset == "" {
		p.Reset = ResetNever
	}
	var v billkit.FieldErrors
	t := &ContractTemplate{
		ID: billkit.NewID[ContractTemplate](), CompanyID: p.CompanyID,
		Name: text(&v, "name", p.Name, 200, true), Body: p.Body.Normalize(),
		NumberFormat: p.NumberFormat, Reset: p.Reset,
	}
	v.Check(!p.CompanyID.IsZero(), "company_id", "required", "is required")
	v.Merge("body", p.Body.ValidateRequired())
	v.Merge("", ValidateNumberFormat(p.NumberFormat, p.Reset))
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := actor.Authorize(billkit.R(FunctionContract, billkit.OpCreate)); err != nil {
		return nil, err
	}
	now := s.now()
	t.CreatedAt, t.UpdatedAt = now, now
	err := s.store.InTx(ctx, func(tx Store) error {
		if _, err := tx.GetCompany(ctx, t.CompanyID); billkit.IsCode(err, billkit.CodeNotFound) {
			return billkit.InvalidField("company_id", "company.not_found", "is not a company")
		} else if err != nil {
			return err
		}
		if err := tx.InsertContractTemplate(ctx, t); err != nil {
			return err
		}
		return record(ctx, tx, actor, now, FunctionContract, "template_create", t.ID.String(), billkit.ClientID{}, nil, t)
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// GetContractTemplate returns a template. It needs billing.contract:read.
func (s *Service) GetContractTemplate(ctx context.Context, actor billkit.Actor, id ContractTemplateID) (*ContractTemplate, error) {
	return read(actor, FunctionContract, func() (*ContractTemplate, error) { return s.store.GetContractTemplate(ctx, id) })
}

// ListContractTemplates lists templates in creation order. It needs
// billing.contract:read.
func (s *Service) ListContractTemplates(ctx context.Context, actor billkit.Actor, f ContractTemplateFilter) (billkit.Page[ContractTemplate], error) {
	return readList(actor, FunctionContract, f.PageParams, func() (billkit.Page[ContractTemplate], error) { return s.store.ListContractTemplates(ctx, f) })
}

// UpdateContractTemplate changes a template. It needs billing.contract:edit.
func (s *Service) UpdateContractTemplate(ctx context.Context, actor billkit.Actor, id ContractTemplateID, p UpdateContractTemplateParams) (*ContractTemplate, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	var (
		v    billkit.FieldErrors
		name string
	)
	if p.Name != nil {
		name = text(&v, "name", *p.Name, 200, true)
	}
	if p.Body != nil {
		v.Merge("body", p.Body.ValidateRequired())
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := actor.Authorize(billkit.R(FunctionContract, billkit.OpEdit)); err != nil {
		return nil, err
	}
	var out *ContractTemplate
	err := s.store.InTx(ctx, func(tx Store) error {
		t, err := tx.GetContractTemplate(ctx, id)
		if err != nil {
			return err
		}
		before := *t
		if p.Name != nil {
			t.Name = name
		}
		if p.Body != nil {
			t.Body = p.Body.Normalize()
		}
		if p.NumberFormat != nil {
			t.NumberFormat = *p.NumberFormat
		}
		if p.Reset != nil {
			t.Reset = *p.Reset
		}
		if err := ValidateNumberFormat(t.NumberFormat, t.Reset); err != nil {
			return err
		}
		now := s.now()
		t.UpdatedAt = now
		if err := tx.UpdateContractTemplate(ctx, t); err != nil {
			return err
		}
		out = t
		return record(ctx, tx, actor, now, FunctionContract, "template_update", t.ID.String(), billkit.ClientID{}, &before, t)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// contractNotFound is the not_found error of a contract.
func contractNotFound(id ContractID) error { return billkit.NotFound("contract", id) }

// CreateContract creates a draft contract between the template's company
// and a payer of the client, numbered from the template's series on the
// date of today in the client's provider's time zone. It needs
// billing.contract:create on the client. The company must serve the
// client's provider (failed_precondition "contract.company_not_serving"),
// and the client must not be deleted.
func (s *Service) CreateContract(ctx context.Context, actor billkit.Actor, p CreateContractParams) (*Contract, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	var v billkit.FieldErrors
	v.Check(!p.TemplateID.IsZero(), "template_id", "required", "is required")
	v.Check(!p.ClientID.IsZero(), "client_id", "required", "is required")
	if err := v.Err(); err != nil {
		return nil, err
	}
	if _, err := s.store.GetClient(ctx, p.ClientID); err != nil {
		return nil, err
	}
	if err := actor.AuthorizeClient(billkit.R(FunctionContract, billkit.OpCreate), p.ClientID, clientNotFound(p.ClientID)); err != nil {
		return nil, err
	}
	var out *Contract
	err := s.store.InTx(ctx, func(tx Store) error {
		c, err := tx.GetClient(ctx, p.ClientID)
		if err != nil {
			return err
		}
		if c.Status == ClientStatusDeleted {
			return billkit.Errorf(billkit.CodeFailedPrecondition, "client.deleted", "client %s is deleted", c.Number)
		}
		t, err := tx.GetContractTemplate(ctx, p.TemplateID)
		if billkit.IsCode(err, billkit.CodeNotFound) {
			return billkit.InvalidField("template_id", "contract_template.not_found", "is not a contract template")
		} else if err != nil {
			return err
		}
		co, err := tx.GetCompany(ctx, t.CompanyID)
		if err != nil {
			return err
		}
		if !co.Serves(c.ProviderID) {
			return billkit.Errorf(billkit.CodeFailedPrecondition, "contract.company_not_serving",
				"company %s does not serve the client's provider", co.ShortName)
		}
		payer, err := s.contractPayer(ctx, tx, c, p.PayerID)
		if err != nil {
			return err
		}
		pr, err := tx.GetProvider(ctx, c.ProviderID)
		if err != nil {
			return err
		}
		now := s.now()
		today := pr.Today(now)
		num, err := t.series().Next(ctx, tx, today)
		if err != nil {
			return err
		}
		k := &Contract{
			ID: billkit.NewID[Contract](), Number: num, CompanyID: co.ID, ClientID: c.ID, PayerID: payer,
			TemplateID: t.ID, Status: ContractDraft, Date: today, CreatedAt: now, UpdatedAt: now,
		}
		if err := tx.InsertContract(ctx, k); err != nil {
			return err
		}
		out = k
		return record(ctx, tx, actor, now, FunctionContract, "create", k.ID.String(), c.ID, nil, k)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// contractPayer returns the payer of a new contract: the given one, which
// must be the client's, or the client's default.
func (s *Service) contractPayer(ctx context.Context, tx Store, c *Client, id PayerID) (PayerID, error) {
	if !id.IsZero() {
		py, err := tx.GetPayer(ctx, id)
		if billkit.IsCode(err, billkit.CodeNotFound) || err == nil && py.ClientID != c.ID {
			return PayerID{}, billkit.InvalidField("payer_id", "payer.not_found", "is not a payer of the client")
		}
		if err != nil {
			return PayerID{}, err
		}
		return py.ID, nil
	}
	cursor := ""
	for {
		page, err := tx.ListPayers(ctx, PayerFilter{ClientID: c.ID, PageParams: billkit.PageParams{Limit: billkit.MaxPageLimit, Cursor: cursor}})
		if err != nil {
			return PayerID{}, err
		}
		for _, py := range page.Items {
			if py.Default {
				return py.ID, nil
			}
		}
		if page.NextCursor == "" {
			return PayerID{}, billkit.Errorf(billkit.CodeFailedPrecondition, "contract.no_payer", "client %s has no payer", c.Number)
		}
		cursor = page.NextCursor
	}
}

// GetContract returns a contract. It needs billing.contract:read on its
// client; a customer of another client gets not_found.
func (s *Service) GetContract(ctx context.Context, actor billkit.Actor, id ContractID) (*Contract, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	k, err := s.store.GetContract(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := actor.AuthorizeClient(billkit.R(FunctionContract, billkit.OpRead), k.ClientID, contractNotFound(id)); err != nil {
		return nil, err
	}
	return k, nil
}

// ListContracts lists contracts in creation order, limited for customers to
// their clients' contracts. It needs billing.contract:read.
func (s *Service) ListContracts(ctx context.Context, actor billkit.Actor, f ContractFilter) (billkit.Page[Contract], error) {
	if err := actor.Validate(); err != nil {
		return billkit.Page[Contract]{}, err
	}
	var v billkit.FieldErrors
	v.Merge("", f.PageParams.Validate())
	v.Check(f.Status == "" || f.Status.Valid(), "status", "contract.status_unknown", "must be draft, sent, signed or cancelled")
	if err := v.Err(); err != nil {
		return billkit.Page[Contract]{}, err
	}
	ids, err := listScope(actor, billkit.R(FunctionContract, billkit.OpRead))
	if err != nil {
		return billkit.Page[Contract]{}, err
	}
	if ids != nil {
		f.ClientIDs = ids
	}
	if f.ClientIDs != nil && len(f.ClientIDs) == 0 {
		return billkit.Page[Contract]{Items: []Contract{}}, nil
	}
	return s.store.ListContracts(ctx, f)
}

// SendContract marks a draft contract sent. It needs billing.contract:edit.
func (s *Service) SendContract(ctx context.Context, actor billkit.Actor, id ContractID) (*Contract, error) {
	return s.moveContract(ctx, actor, id, ContractSent, "send")
}

// SignContract marks a sent contract signed. It needs billing.contract:edit.
func (s *Service) SignContract(ctx context.Context, actor billkit.Actor, id ContractID) (*Contract, error) {
	return s.moveContract(ctx, actor, id, ContractSigned, "sign")
}

// CancelContract cancels a draft, sent or signed contract (for a signed one,
// its termination). It needs billing.contract:edit.
func (s *Service) CancelContract(ctx context.Context, actor billkit.Actor, id ContractID) (*Contract, error) {
	return s.moveContract(ctx, actor, id, ContractCancelled, "cancel")
}

// moveContract moves a contract to status to, as ContractTransition allows,
// and stamps the step's instant.
func (s *Service) moveContract(ctx context.Context, actor billkit.Actor, id ContractID, to ContractStatus, verb string) (*Contract, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	k, err := s.store.GetContract(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := actor.AuthorizeClient(billkit.R(FunctionContract, billkit.OpEdit), k.ClientID, contractNotFound(id)); err != nil {
		return nil, err
	}
	var out *Contract
	err = s.store.InTx(ctx, func(tx Store) error {
		k, err := tx.GetContract(ctx, id)
		if err != nil {
			return err
		}
		if err := ContractTransition(k.Status, to); err != nil {
			return err
		}
		before := *k
		now := s.now()
		k.Status, k.UpdatedAt = to, now
		stamp := map[ContractStatus]*time.Time{ContractSent: &k.SentAt, ContractSigned: &k.SignedAt, ContractCancelled: &k.CancelledAt}
		*stamp[to] = now
		if err := tx.UpdateContract(ctx, k); err != nil {
			return err
		}
		out = k
		return record(ctx, tx, actor, now, FunctionContract, verb, k.ID.String(), k.ClientID, &before, k)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
