package api

import (
	"context"
	"net/http"
	"sort"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/directory"
	"github.com/danielgtaylor/huma/v2"
	"github.com/shopspring/decimal"
)

// PaymentMethod is a payment method as staff see it through the API. Its
// gateway settings hold secrets (API keys, webhook signing secrets), so
// they are write-only: SettingKeys says which are set, never their values.
type PaymentMethod struct {
	ID           billing.PaymentMethodID `json:"id"`
	CompanyID    billing.CompanyID       `json:"company_id"`
	ProviderIDs  []billkit.ProviderID    `json:"provider_ids" doc:"The providers whose clients may use it; empty is every provider the company serves."`
	Gateway      string                  `json:"gateway"`
	Name         directory.Text          `json:"name"`
	Currency     string                  `json:"currency" doc:"The currency payments are made in; empty is the client's own."`
	MinAmount    decimal.Decimal         `json:"min_amount" doc:"0 is no lower limit."`
	MaxAmount    decimal.Decimal         `json:"max_amount" doc:"0 is no upper limit."`
	Enabled      bool                    `json:"enabled"`
	SortOrder    int                     `json:"sort_order"`
	SettingKeys  []string                `json:"setting_keys" doc:"The gateway settings that are set, sorted. Their values are never shown."`
	Instructions directory.Text          `json:"instructions"`
	CreatedAt    time.Time               `json:"created_at"`
	UpdatedAt    time.Time               `json:"updated_at"`
}

// paymentMethodOf drops the settings' values.
func paymentMethodOf(m *billing.PaymentMethod) *PaymentMethod {
	if m == nil {
		return nil
	}
	keys := make([]string, 0, len(m.Settings))
	for k := range m.Settings {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return &PaymentMethod{
		ID: m.ID, CompanyID: m.CompanyID, ProviderIDs: nonNil(m.ProviderIDs), Gateway: m.Gateway, Name: m.Name,
		Currency: m.Currency, MinAmount: m.MinAmount, MaxAmount: m.MaxAmount, Enabled: m.Enabled, SortOrder: m.SortOrder,
		SettingKeys: keys, Instructions: m.Instructions, CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt,
	}
}

func paymentMethod(m *billing.PaymentMethod, err error) (*PaymentMethod, error) {
	if err != nil {
		return nil, err
	}
	return paymentMethodOf(m), nil
}

// PaymentMethodChange is the body of PATCH /payment-methods/{id}: fields
// left out keep their value. The gateway and company never change.
type PaymentMethodChange struct {
	ProviderIDs  []billkit.ProviderID `json:"provider_ids,omitempty" doc:"Replaces the list of providers."`
	Name         directory.Text       `json:"name,omitempty"`
	Currency     *string              `json:"currency,omitempty" doc:"Empty is the client's own currency."`
	MinAmount    *decimal.Decimal     `json:"min_amount,omitempty"`
	MaxAmount    *decimal.Decimal     `json:"max_amount,omitempty"`
	Enabled      *bool                `json:"enabled,omitempty"`
	SortOrder    *int                 `json:"sort_order,omitempty"`
	Settings     map[string]string    `json:"settings,omitempty" doc:"Settings to set: each key given replaces that setting, the others stay (they cannot be read back to be sent again)."`
	Unset        []string             `json:"unset_settings,omitempty" doc:"Settings to remove."`
	Instructions directory.Text       `json:"instructions,omitempty"`
}

type listPaymentMethodsInput struct {
	CompanyID string `query:"company_id" maxLength:"64" doc:"Only the methods of this company."`
	Gateway   string `query:"gateway" maxLength:"64" doc:"Only the methods of this gateway."`
	Enabled   string `query:"enabled" enum:"true,false" doc:"Only enabled (true) or disabled (false) methods."`
	PageInput
}

type createPaymentMethodInput struct {
	Body billing.CreatePaymentMethodParams
}

type updatePaymentMethodInput struct {
	IDPath
	Body PaymentMethodChange
}

type clientPaymentMethodsInput struct {
	IDPath
	Amount   string `query:"amount" pattern:"^[0-9]{1,30}(\\.[0-9]{1,30})?$" doc:"Only the methods that accept this amount (with currency)."`
	Currency string `query:"currency" maxLength:"8" doc:"The currency of amount."`
}

func (h *handlers) registerPaymentMethods(api huma.API) {
	b := h.billing
	const tag = "Payment methods"
	rule := func(op billkit.Operation) Rule { return Requires(billing.FunctionPaymentMethod, op) }

	route(api, op("list-payment-methods", http.MethodGet, "/payment-methods", "List payment methods", tag), rule(billkit.OpRead),
		func(ctx context.Context, in *listPaymentMethodsInput) (*body[List[PaymentMethod]], error) {
			a, err := actorFrom(ctx)
			if err != nil {
				return nil, err
			}
			f := billing.PaymentMethodFilter{Gateway: in.Gateway, Enabled: optBool(in.Enabled), PageParams: in.page()}
			if f.CompanyID, err = optID[billing.Company]("company_id", in.CompanyID); err != nil {
				return nil, err
			}
			page, err := b.ListPaymentMethods(ctx, a, f)
			if err != nil {
				return nil, err
			}
			out := List[PaymentMethod]{Items: make([]PaymentMethod, 0, len(page.Items)), NextCursor: page.NextCursor}
			for i := range page.Items {
				out.Items = append(out.Items, *paymentMethodOf(&page.Items[i]))
			}
			return &body[List[PaymentMethod]]{Body: out}, nil
		})
	createOp := op("create-payment-method", http.MethodPost, "/payment-methods", "Create a payment method", tag, http.StatusConflict)
	createOp.Description = "settings are the gateway's (for stripe: secret_key and webhook_secret); they are stored but never shown again. " +
		"The gateway's callback URL is /api/v1/payments/callback/{id} with the new method's id."
	route(api, createOp, rule(billkit.OpCreate),
		func(ctx context.Context, in *createPaymentMethodInput) (*body[*PaymentMethod], error) {
			return write(ctx, func(a billkit.Actor) (*PaymentMethod, error) {
				return paymentMethod(b.CreatePaymentMethod(ctx, a, in.Body))
			})
		})
	route(api, op("get-payment-method", http.MethodGet, "/payment-methods/{id}", "Get a payment method (without its settings' values)", tag, http.StatusNotFound), rule(billkit.OpRead),
		func(ctx context.Context, in *IDPath) (*body[*PaymentMethod], error) {
			return withID(ctx, in.ID, func(a billkit.Actor, id billing.PaymentMethodID) (*PaymentMethod, error) {
				return paymentMethod(b.GetPaymentMethod(ctx, a, id))
			})
		})
	route(api, op("update-payment-method", http.MethodPatch, "/payment-methods/{id}", "Change a payment method", tag, http.StatusNotFound),
		rule(billkit.OpEdit).described("and billing.payment_method:read to change settings"),
		func(ctx context.Context, in *updatePaymentMethodInput) (*body[*PaymentMethod], error) {
			return withID(ctx, in.ID, func(a billkit.Actor, id billing.PaymentMethodID) (*PaymentMethod, error) {
				c := in.Body
				p := billing.UpdatePaymentMethodParams{
					ProviderIDs: c.ProviderIDs, Name: c.Name, Currency: c.Currency, MinAmount: c.MinAmount, MaxAmount: c.MaxAmount,
					Enabled: c.Enabled, SortOrder: c.SortOrder, Instructions: c.Instructions,
				}
				if c.Settings != nil || c.Unset != nil {
					// The settings are replaced whole by the service; the
					// values not given are kept from the current ones.
					cur, err := b.GetPaymentMethod(ctx, a, id)
					if err != nil {
						return nil, err
					}
					p.Settings = make(map[string]string, len(cur.Settings)+len(c.Settings))
					for k, v := range cur.Settings {
						p.Settings[k] = v
					}
					for _, k := range c.Unset {
						delete(p.Settings, k)
					}
					for k, v := range c.Settings {
						p.Settings[k] = v
					}
				}
				return paymentMethod(b.UpdatePaymentMethod(ctx, a, id, p))
			})
		})
	route(api, op("delete-payment-method", http.MethodDelete, "/payment-methods/{id}", "Delete a payment method no payment used (disable it otherwise)", tag, http.StatusNotFound, http.StatusUnprocessableEntity), rule(billkit.OpDelete),
		func(ctx context.Context, in *IDPath) (*body[Done], error) {
			return withID(ctx, in.ID, func(a billkit.Actor, id billing.PaymentMethodID) (Done, error) {
				return done(b.DeletePaymentMethod(ctx, a, id))
			})
		})
	route(api, op("list-client-payment-methods", http.MethodGet, "/clients/{id}/payment-methods", "The methods a client can pay with, as customers see them", tag),
		onClient(billing.FunctionPayment, billkit.OpRead),
		func(ctx context.Context, in *clientPaymentMethodsInput) (*body[List[billing.PublicPaymentMethod]], error) {
			return withClientID(ctx, in.ID, func(a billkit.Actor, id billkit.ClientID) (List[billing.PublicPaymentMethod], error) {
				amount, err := optMoney(in.Amount, in.Currency)
				if err != nil {
					return List[billing.PublicPaymentMethod]{}, err
				}
				return items(b.ListClientPaymentMethods(ctx, a, id, amount))
			})
		})
}
