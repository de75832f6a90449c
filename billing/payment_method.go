package billing

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/directory"
	"github.com/shopspring/decimal"
)

// PaymentMethodID identifies a PaymentMethod.
type PaymentMethodID = billkit.ID[PaymentMethod]

// PaymentMethod is a way clients pay a company: a gateway ("stripe",
// "manual" for a bank transfer) with its settings, offered to the clients
// of some providers, in one currency, within amount limits.
//
// Settings hold the gateway's configuration, secrets included (API keys,
// webhook secrets): staff with billing.payment_method:read see them, the
// action log records only which keys are set, and customers see a
// PublicPaymentMethod, which has none.
type PaymentMethod struct {
	ID        PaymentMethodID `json:"id" bun:"id,pk"`
	CompanyID CompanyID       `json:"company_id" bun:"company_id,notnull"`
	// ProviderIDs limit the method to the clients of those providers (all
	// served by the company); empty means every provider the company
	// serves.
	ProviderIDs []billkit.ProviderID `json:"provider_ids" bun:"provider_ids,notnull"`
	// Gateway is the code of the gateway: "manual", "balance", or one of
	// Config.Gateways.
	Gateway string `json:"gateway" bun:"gateway,notnull"`
	// Name is what clients see, per locale.
	Name directory.Text `json:"name" bun:"name,notnull"`
	// Currency is the currency payments are made in; "" means the client's
	// own, so no conversion happens.
	Currency string `json:"currency" bun:"currency,notnull"`
	// MinAmount and MaxAmount bound a payment's amount, in the payment's
	// currency; zero means no bound.
	MinAmount decimal.Decimal `json:"min_amount" bun:"min_amount,notnull"`
	MaxAmount decimal.Decimal `json:"max_amount" bun:"max_amount,notnull"`
	// Enabled methods are offered and accept new payments; a disabled one
	// still receives the callbacks of its payments.
	Enabled bool `json:"enabled" bun:"enabled,notnull"`
	// SortOrder orders methods on the payment page, smallest first.
	SortOrder int `json:"sort_order" bun:"sort_order,notnull"`
	// Settings are the gateway's settings, secrets included.
	Settings map[string]string `json:"settings" bun:"settings,notnull"`
	// Instructions are shown to the customer who chose the method (bank
	// details of a transfer), per locale; the manual gateway's setting
	// "instructions", when set, is used instead.
	Instructions directory.Text `json:"instructions" bun:"instructions,notnull"`
	CreatedAt    time.Time      `json:"created_at" bun:"created_at,notnull"`
	UpdatedAt    time.Time      `json:"updated_at" bun:"updated_at,notnull"`
}

// PublicPaymentMethod is a payment method as a customer sees it: no
// settings, the currency resolved for the client.
type PublicPaymentMethod struct {
	ID      PaymentMethodID `json:"id"`
	Gateway string          `json:"gateway"`
	Name    directory.Text  `json:"name"`
	// Currency is the currency the client pays in with this method.
	Currency  string          `json:"currency"`
	MinAmount decimal.Decimal `json:"min_amount"`
	MaxAmount decimal.Decimal `json:"max_amount"`
	// CanSave says that the method can be kept for later charges.
	CanSave      bool           `json:"can_save"`
	Instructions directory.Text `json:"instructions,omitempty"`
	SortOrder    int            `json:"sort_order"`
}

// CreatePaymentMethodParams creates a payment method.
type CreatePaymentMethodParams struct {
	CompanyID   CompanyID            `json:"company_id"`
	ProviderIDs []billkit.ProviderID `json:"provider_ids,omitempty"`
	Gateway     string               `json:"gateway"`
	Name        directory.Text       `json:"name"`
	Currency    string               `json:"currency,omitempty"`
	MinAmount   decimal.Decimal      `json:"min_amount,omitzero"`
	MaxAmount   decimal.Decimal      `json:"max_amount,omitzero"`
	// Enabled defaults to true.
	Enabled      *bool             `json:"enabled,omitempty"`
	SortOrder    int               `json:"sort_order,omitempty"`
	Settings     map[string]string `json:"settings,omitempty"`
	Instructions directory.Text    `json:"instructions,omitempty"`
}

// UpdatePaymentMethodParams changes a payment method; nil fields stay, and
// a non-nil map or slice replaces the whole value. The gateway and company
// never change: payments and their callbacks refer to them.
type UpdatePaymentMethodParams struct {
	ProviderIDs  []billkit.ProviderID `json:"provider_ids,omitempty"`
	Name         directory.Text       `json:"name,omitempty"`
	Currency     *string              `json:"currency,omitempty"`
	MinAmount    *decimal.Decimal     `json:"min_amount,omitempty"`
	MaxAmount    *decimal.Decimal     `json:"max_amount,omitempty"`
	Enabled      *bool                `json:"enabled,omitempty"`
	SortOrder    *int                 `json:"sort_order,omitempty"`
	Settings     map[string]string    `json:"settings,omitempty"`
	Instructions directory.Text       `json:"instructions,omitempty"`
}

// PaymentMethodFilter selects payment methods; lists are in SortOrder,
// then ID order.
type PaymentMethodFilter struct {
	CompanyID CompanyID `json:"company_id,omitzero"`
	Gateway   string    `json:"gateway,omitempty"`
	// Enabled, when set, keeps the enabled (true) or disabled methods.
	Enabled *bool `json:"enabled,omitempty"`
	// CompanyIDs restricts to those companies' methods when not nil; an
	// empty non-nil list selects none.
	CompanyIDs []CompanyID `json:"-"`
	billkit.PageParams
}

// The limits of a method's settings.
const (
	maxSettings        = 100
	maxSettingKeyLen   = 64
	maxSettingValueLen = 8192
)

// validMethodSettings checks a method's settings and returns a copy.
func validMethodSettings(v *billkit.FieldErrors, st map[string]string) map[string]string {
	out := map[string]string{}
	v.Check(len(st) <= maxSettings, "settings", "payment_method.too_many_settings", fmt.Sprintf("must have at most %d keys", maxSettings))
	for k, val := range st {
		field := "settings." + k
		ok := k != "" && len(k) <= maxSettingKeyLen
		for i := 0; ok && i < len(k); i++ {
			c := k[i]
			ok = c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-'
		}
		if !v.Check(ok, field, "payment_method.setting_key_malformed", "keys are 1 to 64 lower-case letters, digits, '_', '.' or '-'") {
			continue
		}
		v.Check(len(val) <= maxSettingValueLen && utf8.ValidString(val), field, "payment_method.setting_value_malformed",
			fmt.Sprintf("must be UTF-8 text of at most %d bytes", maxSettingValueLen))
		out[k] = val
	}
	return out
}

// validLimits checks a method's amount limits.
func validLimits(v *billkit.FieldErrors, min, max decimal.Decimal) {
	for _, l := range []struct {
		field string
		d     decimal.Decimal
	}{{"min_amount", min}, {"max_amount", max}} {
		v.Check(!l.d.IsNegative(), l.field, "payment_method.limit_negative", "must be zero (no limit) or more")
		v.Check(l.d.Exponent() >= -12 && l.d.Abs().LessThan(decimal.New(1, 18)), l.field, "payment_method.limit_out_of_range",
			"must have at most 18 integer digits and 12 decimals")
	}
	v.Check(max.IsZero() || max.GreaterThanOrEqual(min), "max_amount", "payment_method.limits_inverted", "must be at least min_amount")
}

// methodProviders checks, in tx, that the providers exist and that the
// company serves them, and returns them sorted without duplicates.
func methodProviders(ctx context.Context, tx Store, co *Company, ids []billkit.ProviderID) ([]billkit.ProviderID, error) {
	out, err := providerSet(ctx, tx, ids)
	if err != nil {
		return nil, err
	}
	var v billkit.FieldErrors
	for i, id := range out {
		v.Check(co.Serves(id), fmt.Sprintf("provider_ids[%d]", i), "payment_method.provider_not_served",
			fmt.Sprintf("company %s does not serve provider %s", co.ShortName, id))
	}
	return out, v.Err()
}

// methodCompany reads the method's company in tx; a missing one is invalid
// on company_id.
func methodCompany(ctx context.Context, tx Store, id CompanyID) (*Company, error) {
	if id.IsZero() {
		return nil, billkit.InvalidField("company_id", "required", "is required")
	}
	co, err := tx.GetCompany(ctx, id)
	if billkit.IsCode(err, billkit.CodeNotFound) {
		return nil, billkit.InvalidField("company_id", "company.not_found", "is not a company")
	}
	return co, err
}

// checkGatewaySettings lets a gateway that validates its settings do so.
func (s *Service) checkGatewaySettings(v *billkit.FieldErrors, g Gateway, currency string, settings map[string]string) {
	if sv, ok := g.(SettingsValidator); ok {
		v.Merge("settings", sv.ValidateSettings(settings))
	}
	if cur := g.Capabilities().Currencies; currency != "" && len(cur) > 0 {
		v.Check(slices.Contains(cur, currency), "currency", "payment.currency_unsupported",
			fmt.Sprintf("gateway %s accepts only %s", g.Code(), strings.Join(cur, ", ")))
	}
	if g.Code() == GatewayBalance {
		v.Check(currency == "", "currency", "payment_method.balance_currency", "a payment from the balance is in the client's currency: leave it empty")
	}
}

// redactedMethod is a copy of m for the action log: the settings' keys,
// never their values.
func redactedMethod(m *PaymentMethod) *PaymentMethod {
	if m == nil {
		return nil
	}
	c := *m
	c.Settings = make(map[string]string, len(m.Settings))
	for k := range m.Settings {
		c.Settings[k] = "[redacted]"
	}
	return &c
}

// CreatePaymentMethod creates a payment method. It needs
// billing.payment_method:create. The gateway must be known (invalid
// "gateway" ReasonGatewayUnknown otherwise); a gateway that implements
// SettingsValidator checks the settings.
func (s *Service) CreatePaymentMethod(ctx context.Context, actor billkit.Actor, p CreatePaymentMethodParams) (*PaymentMethod, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	var v billkit.FieldErrors
	m := &PaymentMethod{
		CompanyID:    p.CompanyID,
		Gateway:      strings.TrimSpace(p.Gateway),
		Name:         p.Name.Normalize(),
		MinAmount:    p.MinAmount,
		MaxAmount:    p.MaxAmount,
		Enabled:      p.Enabled == nil || *p.Enabled,
		SortOrder:    p.SortOrder,
		Settings:     validMethodSettings(&v, p.Settings),
		Instructions: p.Instructions.Normalize(),
	}
	if m.Instructions == nil {
		m.Instructions = directory.Text{}
	}
	newID(&m.ID)
	v.Check(!p.CompanyID.IsZero(), "company_id", "required", "is required")
	v.Merge("name", p.Name.ValidateRequired())
	v.Merge("instructions", p.Instructions.Validate())
	validLimits(&v, p.MinAmount, p.MaxAmount)
	if strings.TrimSpace(p.Currency) != "" {
		var err error
		if m.Currency, err = s.currency(ctx, &v, "currency", p.Currency); err != nil {
			return nil, err
		}
	}
	if v.Require("gateway", m.Gateway) {
		if g, err := s.gateway(m.Gateway); err != nil {
			v.Merge("", err)
		} else {
			s.checkGatewaySettings(&v, g, m.Currency, m.Settings)
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := actor.Authorize(billkit.R(FunctionPaymentMethod, billkit.OpCreate)); err != nil {
		return nil, err
	}
	now := s.now()
	m.CreatedAt, m.UpdatedAt = now, now
	err := s.store.InTx(ctx, func(tx Store) error {
		co, err := methodCompany(ctx, tx, m.CompanyID)
		if err != nil {
			return err
		}
		if m.ProviderIDs, err = methodProviders(ctx, tx, co, p.ProviderIDs); err != nil {
			return err
		}
		if err := tx.InsertPaymentMethod(ctx, m); err != nil {
			return err
		}
		return record(ctx, tx, actor, now, FunctionPaymentMethod, "create", m.ID.String(), billkit.ClientID{}, nil, redactedMethod(m))
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// GetPaymentMethod returns a payment method, settings included. It needs
// billing.payment_method:read.
func (s *Service) GetPaymentMethod(ctx context.Context, actor billkit.Actor, id PaymentMethodID) (*PaymentMethod, error) {
	return read(actor, FunctionPaymentMethod, func() (*PaymentMethod, error) { return s.store.GetPaymentMethod(ctx, id) })
}

// ListPaymentMethods lists payment methods in SortOrder, then creation
// order. It needs billing.payment_method:read. Customers choose from
// ListClientPaymentMethods instead.
func (s *Service) ListPaymentMethods(ctx context.Context, actor billkit.Actor, f PaymentMethodFilter) (billkit.Page[PaymentMethod], error) {
	f.CompanyIDs = nil
	return readList(actor, FunctionPaymentMethod, f.PageParams, func() (billkit.Page[PaymentMethod], error) {
		return s.store.ListPaymentMethods(ctx, f)
	})
}

// UpdatePaymentMethod changes a payment method. It needs
// billing.payment_method:edit. Payments already made keep their amount and
// currency.
func (s *Service) UpdatePaymentMethod(ctx context.Context, actor billkit.Actor, id PaymentMethodID, p UpdatePaymentMethodParams) (*PaymentMethod, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	var (
		v        billkit.FieldErrors
		cur      string
		settings map[string]string
		err      error
	)
	if p.Name != nil {
		v.Merge("name", p.Name.ValidateRequired())
	}
	if p.Instructions != nil {
		v.Merge("instructions", p.Instructions.Validate())
	}
	if p.Settings != nil {
		settings = validMethodSettings(&v, p.Settings)
	}
	if p.Currency != nil && strings.TrimSpace(*p.Currency) != "" {
		if cur, err = s.currency(ctx, &v, "currency", *p.Currency); err != nil {
			return nil, err
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := actor.Authorize(billkit.R(FunctionPaymentMethod, billkit.OpEdit)); err != nil {
		return nil, err
	}
	var out *PaymentMethod
	err = s.store.InTx(ctx, func(tx Store) error {
		m, err := tx.GetPaymentMethod(ctx, id)
		if err != nil {
			return err
		}
		before := *m
		if p.ProviderIDs != nil {
			co, err := tx.GetCompany(ctx, m.CompanyID)
			if err != nil {
				return err
			}
			if m.ProviderIDs, err = methodProviders(ctx, tx, co, p.ProviderIDs); err != nil {
				return err
			}
		}
		if p.Name != nil {
			m.Name = p.Name.Normalize()
		}
		if p.Currency != nil {
			m.Currency = cur
		}
		if p.MinAmount != nil {
			m.MinAmount = *p.MinAmount
		}
		if p.MaxAmount != nil {
			m.MaxAmount = *p.MaxAmount
		}
		if p.Enabled != nil {
			m.Enabled = *p.Enabled
		}
		if p.SortOrder != nil {
			m.SortOrder = *p.SortOrder
		}
		if p.Settings != nil {
			m.Settings = settings
		}
		if p.Instructions != nil {
			m.Instructions = p.Instructions.Normalize()
		}
		var mv billkit.FieldErrors
		validLimits(&mv, m.MinAmount, m.MaxAmount)
		if g, err := s.gateway(m.Gateway); err != nil {
			mv.Merge("", err)
		} else {
			s.checkGatewaySettings(&mv, g, m.Currency, m.Settings)
		}
		if err := mv.Err(); err != nil {
			return err
		}
		now := s.now()
		m.UpdatedAt = now
		if err := tx.UpdatePaymentMethod(ctx, m); err != nil {
			return err
		}
		out = m
		return record(ctx, tx, actor, now, FunctionPaymentMethod, "update", m.ID.String(), billkit.ClientID{}, redactedMethod(&before), redactedMethod(m))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeletePaymentMethod deletes a payment method no payment refers to, with
// the clients' methods saved with it. A method with payments cannot go
// (failed_precondition "payment_method.in_use"): disable it instead. It
// needs billing.payment_method:delete.
func (s *Service) DeletePaymentMethod(ctx context.Context, actor billkit.Actor, id PaymentMethodID) error {
	if err := actor.Validate(); err != nil {
		return err
	}
	if err := actor.Authorize(billkit.R(FunctionPaymentMethod, billkit.OpDelete)); err != nil {
		return err
	}
	return s.store.InTx(ctx, func(tx Store) error {
		m, err := tx.GetPaymentMethod(ctx, id)
		if err != nil {
			return err
		}
		used, err := tx.ListPayments(ctx, PaymentFilter{MethodID: id, PageParams: billkit.PageParams{Limit: 1}})
		if err != nil {
			return err
		}
		if len(used.Items) > 0 {
			return billkit.Errorf(billkit.CodeFailedPrecondition, "payment_method.in_use",
				"payment method %s has payments; disable it instead", id)
		}
		if err := tx.DeletePaymentMethod(ctx, id); err != nil {
			return err
		}
		return record(ctx, tx, actor, s.now(), FunctionPaymentMethod, "delete", id.String(), billkit.ClientID{}, redactedMethod(m), nil)
	})
}

// methodCurrency is the currency a client pays in with m.
func methodCurrency(m *PaymentMethod, c *Client) string {
	if m.Currency != "" {
		return m.Currency
	}
	return c.Currency
}

// availableTo reports whether m is offered to the clients of provider.
func (m *PaymentMethod) availableTo(co *Company, provider billkit.ProviderID) bool {
	if !co.Serves(provider) {
		return false
	}
	return len(m.ProviderIDs) == 0 || slices.Contains(m.ProviderIDs, provider)
}

// accepts reports why amount (in the method's currency) is outside m's
// limits, or "" when it is within.
func (m *PaymentMethod) limitProblem(amount decimal.Decimal) (reason, msg string) {
	switch {
	case m.MinAmount.IsPositive() && amount.LessThan(m.MinAmount):
		return "payment.amount_below_min", fmt.Sprintf("must be at least %s", m.MinAmount)
	case m.MaxAmount.IsPositive() && amount.GreaterThan(m.MaxAmount):
		return "payment.amount_above_max", fmt.Sprintf("must be at most %s", m.MaxAmount)
	}
	return "", ""
}

// ListClientPaymentMethods lists the methods a client can pay with, as
// customers see them: the enabled methods of the companies that serve the
// client's provider (limited to the provider when a method names
// providers), in SortOrder. When amount is given, only the methods in its
// currency whose limits accept it are listed. It needs billing.payment:read
// on the client; customers ask for their own clients.
func (s *Service) ListClientPaymentMethods(ctx context.Context, actor billkit.Actor, client billkit.ClientID, amount billkit.Money) ([]PublicPaymentMethod, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	c, err := s.paymentClient(ctx, s.store, actor, client, billkit.OpRead)
	if err != nil {
		return nil, err
	}
	companies := map[CompanyID]*Company{}
	for cursor := ""; ; {
		page, err := s.store.ListCompanies(ctx, CompanyFilter{ProviderID: c.ProviderID, PageParams: billkit.PageParams{Cursor: cursor, Limit: billkit.MaxPageLimit}})
		if err != nil {
			return nil, err
		}
		for i := range page.Items {
			companies[page.Items[i].ID] = &page.Items[i]
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	out := []PublicPaymentMethod{}
	if len(companies) == 0 {
		return out, nil
	}
	ids := make([]CompanyID, 0, len(companies))
	for id := range companies {
		ids = append(ids, id)
	}
	enabled := true
	for cursor := ""; ; {
		page, err := s.store.ListPaymentMethods(ctx, PaymentMethodFilter{CompanyIDs: ids, Enabled: &enabled, PageParams: billkit.PageParams{Cursor: cursor, Limit: billkit.MaxPageLimit}})
		if err != nil {
			return nil, err
		}
		for i := range page.Items {
			m := &page.Items[i]
			if !m.availableTo(companies[m.CompanyID], c.ProviderID) {
				continue
			}
			g, err := s.gateway(m.Gateway)
			if err != nil {
				continue // a gateway removed from the configuration
			}
			cur := methodCurrency(m, c)
			if amount.Currency() != "" {
				if amount.Currency() != cur {
					continue
				}
				if r, _ := m.limitProblem(amount.Amount()); r != "" {
					continue
				}
			}
			out = append(out, PublicPaymentMethod{
				ID: m.ID, Gateway: m.Gateway, Name: m.Name, Currency: cur, MinAmount: m.MinAmount, MaxAmount: m.MaxAmount,
				CanSave: g.Capabilities().SaveMethod, Instructions: m.Instructions, SortOrder: m.SortOrder,
			})
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].SortOrder != out[j].SortOrder {
			return out[i].SortOrder < out[j].SortOrder
		}
		return out[i].ID.String() < out[j].ID.String()
	})
	return out, nil
}
