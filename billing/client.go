package billing

import (
	"context"
	"fmt"
	"strings"

	"github.com/billkit/billkit"
	"github.com/shopspring/decimal"
)

// CreateClientParams creates a client.
type CreateClientParams struct {
	ProviderID billkit.ProviderID `json:"provider_id"`
	Name       string             `json:"name"`
	Email      string             `json:"email,omitempty"`
	// Currency defaults to the provider's.
	Currency string `json:"currency,omitempty"`
	// Locale defaults to the provider's.
	Locale      string          `json:"locale,omitempty"`
	GroupID     ClientGroupID   `json:"group_id,omitzero"`
	CreditLimit decimal.Decimal `json:"credit_limit,omitzero"`
	Notes       string          `json:"notes,omitempty"`
	Settings    Settings        `json:"settings,omitempty"`
}

// UpdateClientParams changes a client; nil fields stay. GroupID set to a
// pointer to the zero ID removes the client from its group. Settings, when
// not nil, replace the client's own overrides whole.
//
// Customers may change only Name, Email and Locale; the other fields are
// staff's (forbidden with reason "billing.staff_only" otherwise).
type UpdateClientParams struct {
	Name        *string          `json:"name,omitempty"`
	Email       *string          `json:"email,omitempty"`
	Currency    *string          `json:"currency,omitempty"`
	Locale      *string          `json:"locale,omitempty"`
	GroupID     *ClientGroupID   `json:"group_id,omitempty"`
	CreditLimit *decimal.Decimal `json:"credit_limit,omitempty"`
	Notes       *string          `json:"notes,omitempty"`
	Settings    Settings         `json:"settings,omitempty"`
}

// staffOnly lists the fields of p customers may not change.
func (p UpdateClientParams) staffOnly() []string {
	var f []string
	if p.Currency != nil {
		f = append(f, "currency")
	}
	if p.GroupID != nil {
		f = append(f, "group_id")
	}
	if p.CreditLimit != nil {
		f = append(f, "credit_limit")
	}
	if p.Notes != nil {
		f = append(f, "notes")
	}
	if p.Settings != nil {
		f = append(f, "settings")
	}
	return f
}

func creditLimit(v *billkit.FieldErrors, d decimal.Decimal) {
	v.Check(!d.IsNegative(), "credit_limit", "client.credit_limit_negative", "must be zero or more")
	v.Check(d.Exponent() >= -12 && d.Abs().LessThan(decimal.New(1, 18)), "credit_limit", "client.credit_limit_out_of_range",
		"must have at most 18 integer digits and 12 decimals")
}

// clientNotFound is the error for a client that does not exist or that the
// actor may not see: the same, so IDs cannot be probed.
func clientNotFound(id billkit.ClientID) error { return billkit.NotFound("client", id) }

// clientFor reads a client and checks that the actor may do op on it.
func (s *Service) clientFor(ctx context.Context, store Store, actor billkit.Actor, id billkit.ClientID, op billkit.Operation) (*Client, error) {
	c, err := store.GetClient(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := actor.AuthorizeClient(billkit.R(FunctionClient, op), id, clientNotFound(id)); err != nil {
		return nil, err
	}
	return c, nil
}

// listScope returns the clients a list of client-owned objects is limited
// to (nil when the actor sees every client), after checking right r.
func listScope(actor billkit.Actor, r billkit.Right) ([]billkit.ClientID, error) {
	ids, all := actor.VisibleClients()
	if all {
		return nil, actor.Authorize(r)
	}
	out := []billkit.ClientID{}
	for _, id := range ids {
		if actor.AuthorizeClient(r, id, clientNotFound(id)) == nil {
			out = append(out, id)
		}
	}
	return out, nil
}

// forCustomer hides from customers what is staff's.
func forCustomer(actor billkit.Actor, c *Client) *Client {
	if actor.Kind == billkit.ActorCustomer {
		c.Notes = ""
	}
	return c
}

// groupOf checks, in tx, that the group exists and belongs to the provider.
func groupOf(ctx context.Context, tx Store, provider billkit.ProviderID, id ClientGroupID) error {
	g, err := tx.GetClientGroup(ctx, id)
	if billkit.IsCode(err, billkit.CodeNotFound) {
		return billkit.InvalidField("group_id", "client_group.not_found", "is not a client group")
	}
	if err != nil {
		return err
	}
	if g.ProviderID != provider {
		return billkit.InvalidField("group_id", "client_group.other_provider", "belongs to another provider")
	}
	return nil
}

// CreateClient creates an active client with the next client number. It
// needs billing.client:create.
func (s *Service) CreateClient(ctx context.Context, actor billkit.Actor, p CreateClientParams) (*Client, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	var v billkit.FieldErrors
	c := &Client{
		ProviderID:  p.ProviderID,
		Status:      ClientStatusActive,
		Name:        text(&v, "name", p.Name, 200, true),
		Email:       email(&v, "email", p.Email),
		GroupID:     p.GroupID,
		CreditLimit: p.CreditLimit,
		Notes:       text(&v, "notes", p.Notes, 10000, false),
		Settings:    validSettings(&v, "settings", p.Settings),
	}
	newID(&c.ID)
	creditLimit(&v, p.CreditLimit)
	var pr *Provider
	if v.Check(!p.ProviderID.IsZero(), "provider_id", "required", "is required") {
		var err error
		pr, err = s.store.GetProvider(ctx, p.ProviderID)
		if billkit.IsCode(err, billkit.CodeNotFound) {
			v.Add("provider_id", "provider.not_found", "is not a provider")
		} else if err != nil {
			return nil, err
		}
	}
	if pr != nil {
		if p.Currency == "" {
			p.Currency = pr.Currency
		}
		if p.Locale == "" {
			p.Locale = pr.Locale
		}
		var err error
		if c.Currency, err = s.currency(ctx, &v, "currency", p.Currency); err != nil {
			return nil, err
		}
		if c.Locale, err = s.locale(ctx, &v, "locale", p.Locale); err != nil {
			return nil, err
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := actor.Authorize(billkit.R(FunctionClient, billkit.OpCreate)); err != nil {
		return nil, err
	}
	series := NumberSeries{Key: ClientNumberSeries, Format: s.cfg.ClientNumberFormat, Reset: ResetNever}
	if err := ValidateNumberFormat(series.Format, series.Reset); err != nil {
		return nil, billkit.WrapError(err, billkit.CodeFailedPrecondition, "billing.config_invalid", "Config.ClientNumberFormat is not a valid number format")
	}
	now := s.now()
	c.CreatedAt, c.UpdatedAt = now, now
	err := s.store.InTx(ctx, func(tx Store) error {
		if !c.GroupID.IsZero() {
			if err := groupOf(ctx, tx, c.ProviderID, c.GroupID); err != nil {
				return err
			}
		}
		num, err := series.Next(ctx, tx, pr.Today(now))
		if err != nil {
			return err
		}
		c.Number = num
		if err := tx.InsertClient(ctx, c); err != nil {
			return err
		}
		return record(ctx, tx, actor, now, FunctionClient, "create", c.ID.String(), c.ID, nil, c)
	})
	if err != nil {
		return nil, err
	}
	return forCustomer(actor, c), nil
}

// GetClient returns a client. It needs billing.client:read on it; a customer
// asking for a client it does not belong to gets not_found, as for a client
// that does not exist.
func (s *Service) GetClient(ctx context.Context, actor billkit.Actor, id billkit.ClientID) (*Client, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	c, err := s.clientFor(ctx, s.store, actor, id, billkit.OpRead)
	if err != nil {
		return nil, err
	}
	return forCustomer(actor, c), nil
}

// ListClients lists clients in creation order, limited for customers to the
// clients they belong to. It needs billing.client:read.
func (s *Service) ListClients(ctx context.Context, actor billkit.Actor, f ClientFilter) (billkit.Page[Client], error) {
	if err := actor.Validate(); err != nil {
		return billkit.Page[Client]{}, err
	}
	var v billkit.FieldErrors
	v.Merge("", f.PageParams.Validate())
	v.Check(f.Status == "" || f.Status.Valid(), "status", "client.status_unknown", "must be active, blocked or deleted")
	f.Query = strings.TrimSpace(f.Query)
	v.Check(len(f.Query) <= 200, "query", "too_long", "must be at most 200 bytes")
	f.PayerTaxID = compactTaxID(strings.TrimSpace(f.PayerTaxID))
	v.Check(len(f.PayerTaxID) <= maxTaxIDLen, "payer_tax_id", "too_long", "must be at most 64 bytes")
	if err := v.Err(); err != nil {
		return billkit.Page[Client]{}, err
	}
	ids, err := listScope(actor, billkit.R(FunctionClient, billkit.OpRead))
	if err != nil {
		return billkit.Page[Client]{}, err
	}
	if ids != nil {
		f.IDs = ids
	}
	if f.IDs != nil && len(f.IDs) == 0 {
		return billkit.Page[Client]{Items: []Client{}}, nil
	}
	page, err := s.store.ListClients(ctx, f)
	if err != nil {
		return page, err
	}
	for i := range page.Items {
		forCustomer(actor, &page.Items[i])
	}
	return page, nil
}

// UpdateClient changes a client. It needs billing.client:edit on it. A
// deleted client cannot change (failed_precondition "client.deleted").
func (s *Service) UpdateClient(ctx context.Context, actor billkit.Actor, id billkit.ClientID, p UpdateClientParams) (*Client, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	var (
		v                         billkit.FieldErrors
		name, mail, cur, loc, nts string
		err                       error
	)
	if p.Name != nil {
		name = text(&v, "name", *p.Name, 200, true)
	}
	if p.Email != nil {
		mail = email(&v, "email", *p.Email)
	}
	if p.Notes != nil {
		nts = text(&v, "notes", *p.Notes, 10000, false)
	}
	if p.CreditLimit != nil {
		creditLimit(&v, *p.CreditLimit)
	}
	settings := validSettings(&v, "settings", p.Settings)
	if p.Currency != nil {
		if cur, err = s.currency(ctx, &v, "currency", *p.Currency); err != nil {
			return nil, err
		}
	}
	if p.Locale != nil {
		if loc, err = s.locale(ctx, &v, "locale", *p.Locale); err != nil {
			return nil, err
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if _, err := s.clientFor(ctx, s.store, actor, id, billkit.OpEdit); err != nil {
		return nil, err
	}
	if f := p.staffOnly(); actor.Kind == billkit.ActorCustomer && len(f) > 0 {
		return nil, billkit.Errorf(billkit.CodeForbidden, "billing.staff_only", "only staff may change %s", strings.Join(f, ", "))
	}
	var out *Client
	err = s.store.InTx(ctx, func(tx Store) error {
		c, err := tx.GetClient(ctx, id)
		if err != nil {
			return err
		}
		if c.Status == ClientStatusDeleted {
			return billkit.Errorf(billkit.CodeFailedPrecondition, "client.deleted", "client %s is deleted", c.Number)
		}
		before := *c
		if p.Name != nil {
			c.Name = name
		}
		if p.Email != nil {
			c.Email = mail
		}
		if p.Currency != nil {
			c.Currency = cur
		}
		if p.Locale != nil {
			c.Locale = loc
		}
		if p.GroupID != nil {
			if !p.GroupID.IsZero() {
				if err := groupOf(ctx, tx, c.ProviderID, *p.GroupID); err != nil {
					return err
				}
			}
			c.GroupID = *p.GroupID
		}
		if p.CreditLimit != nil {
			c.CreditLimit = *p.CreditLimit
		}
		if p.Notes != nil {
			c.Notes = nts
		}
		if p.Settings != nil {
			c.Settings = settings
		}
		now := s.now()
		c.UpdatedAt = now
		if err := tx.UpdateClient(ctx, c); err != nil {
			return err
		}
		out = c
		return record(ctx, tx, actor, now, FunctionClient, "update", c.ID.String(), c.ID, &before, c)
	})
	if err != nil {
		return nil, err
	}
	return forCustomer(actor, out), nil
}

// BlockClient blocks an active client. It needs billing.client:edit.
func (s *Service) BlockClient(ctx context.Context, actor billkit.Actor, id billkit.ClientID) (*Client, error) {
	return s.setClientStatus(ctx, actor, id, billkit.OpEdit, "block", ClientStatusActive, ClientStatusBlocked)
}

// UnblockClient makes a blocked client active again. It needs
// billing.client:edit.
func (s *Service) UnblockClient(ctx context.Context, actor billkit.Actor, id billkit.ClientID) (*Client, error) {
	return s.setClientStatus(ctx, actor, id, billkit.OpEdit, "unblock", ClientStatusBlocked, ClientStatusActive)
}

// DeleteClient closes an active or blocked client: its status becomes
// deleted and nothing is erased. It needs billing.client:delete.
func (s *Service) DeleteClient(ctx context.Context, actor billkit.Actor, id billkit.ClientID) (*Client, error) {
	return s.setClientStatus(ctx, actor, id, billkit.OpDelete, "delete", "", ClientStatusDeleted)
}

// setClientStatus moves a client from status from ("" for any but deleted)
// to status to. Other moves are failed_precondition
// "client.status_transition".
func (s *Service) setClientStatus(ctx context.Context, actor billkit.Actor, id billkit.ClientID, op billkit.Operation, verb string, from, to ClientStatus) (*Client, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	if _, err := s.clientFor(ctx, s.store, actor, id, op); err != nil {
		return nil, err
	}
	var out *Client
	err := s.store.InTx(ctx, func(tx Store) error {
		c, err := tx.GetClient(ctx, id)
		if err != nil {
			return err
		}
		if from != "" && c.Status != from || from == "" && c.Status == ClientStatusDeleted {
			return billkit.Errorf(billkit.CodeFailedPrecondition, "client.status_transition",
				"cannot %s client %s: it is %s", verb, c.Number, c.Status)
		}
		before := *c
		now := s.now()
		c.Status, c.UpdatedAt = to, now
		if err := tx.UpdateClient(ctx, c); err != nil {
			return err
		}
		out = c
		return record(ctx, tx, actor, now, FunctionClient, verb, c.ID.String(), c.ID, &before, c)
	})
	if err != nil {
		return nil, err
	}
	return forCustomer(actor, out), nil
}

// ClientSettings returns the settings in effect for a client: its
// provider's, overlaid by its group's and its own (see EffectiveSettings).
// It needs billing.client:read on the client.
func (s *Service) ClientSettings(ctx context.Context, actor billkit.Actor, id billkit.ClientID) (Settings, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	c, err := s.clientFor(ctx, s.store, actor, id, billkit.OpRead)
	if err != nil {
		return nil, err
	}
	pr, err := s.store.GetProvider(ctx, c.ProviderID)
	if err != nil {
		return nil, err
	}
	var g *ClientGroup
	if !c.GroupID.IsZero() {
		if g, err = s.store.GetClientGroup(ctx, c.GroupID); err != nil {
			return nil, err
		}
	}
	return EffectiveSettings(pr, g, c), nil
}

// clientLabel names a client in messages.
func clientLabel(c *Client) string { return fmt.Sprintf("%s (%s)", c.Number, c.Name) }
