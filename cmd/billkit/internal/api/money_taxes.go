package api

import (
	"context"
	"net/http"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/danielgtaylor/huma/v2"
)

type listTaxRulesInput struct {
	CompanyID string `query:"company_id" maxLength:"64" doc:"Only the rules of this company."`
	Code      string `query:"code" maxLength:"32" doc:"Only the rules with this code (vat, sales_tax, ...)."`
	PageInput
}

type createTaxRuleInput struct{ Body billing.TaxRuleParams }

type updateTaxRuleInput struct {
	IDPath
	Body billing.TaxRuleParams
}

type setTaxSettingsInput struct {
	IDPath
	Body billing.SetTaxSettingsParams
}

type listTaxExemptionsInput struct {
	ClientID string `query:"client_id" maxLength:"64" doc:"Only the exemptions of this client."`
	GroupID  string `query:"group_id" maxLength:"64" doc:"Only the exemptions of this client group."`
	PageInput
}

type createTaxExemptionInput struct{ Body billing.TaxExemptionParams }

type updateTaxExemptionInput struct {
	IDPath
	Body billing.TaxExemptionParams
}

func (h *handlers) registerTaxes(api huma.API) {
	b := h.billing
	const tag = "Taxes"
	rule := func(op billkit.Operation) Rule { return Requires(billing.FunctionTax, op) }

	// Rules.
	route(api, op("list-tax-rules", http.MethodGet, "/tax-rules", "List tax rules", tag), rule(billkit.OpRead),
		func(ctx context.Context, in *listTaxRulesInput) (*body[List[billing.TaxRule]], error) {
			return readList(ctx, func(a billkit.Actor) (billkit.Page[billing.TaxRule], error) {
				co, err := optID[billing.Company]("company_id", in.CompanyID)
				if err != nil {
					return billkit.Page[billing.TaxRule]{}, err
				}
				return b.ListTaxRules(ctx, a, billing.TaxRuleFilter{CompanyID: co, Code: in.Code, PageParams: in.page()})
			})
		})
	route(api, op("create-tax-rule", http.MethodPost, "/tax-rules", "Create a tax rule", tag, http.StatusConflict), rule(billkit.OpCreate),
		func(ctx context.Context, in *createTaxRuleInput) (*body[*billing.TaxRule], error) {
			return write(ctx, func(a billkit.Actor) (*billing.TaxRule, error) { return b.CreateTaxRule(ctx, a, in.Body) })
		})
	route(api, op("get-tax-rule", http.MethodGet, "/tax-rules/{id}", "Get a tax rule", tag, http.StatusNotFound), rule(billkit.OpRead),
		func(ctx context.Context, in *IDPath) (*body[*billing.TaxRule], error) {
			return withID(ctx, in.ID, func(a billkit.Actor, id billing.TaxRuleID) (*billing.TaxRule, error) { return b.GetTaxRule(ctx, a, id) })
		})
	route(api, op("update-tax-rule", http.MethodPut, "/tax-rules/{id}", "Replace a tax rule (every field; its company stays)", tag, http.StatusNotFound, http.StatusConflict), rule(billkit.OpEdit),
		func(ctx context.Context, in *updateTaxRuleInput) (*body[*billing.TaxRule], error) {
			return withID(ctx, in.ID, func(a billkit.Actor, id billing.TaxRuleID) (*billing.TaxRule, error) {
				return b.UpdateTaxRule(ctx, a, id, in.Body)
			})
		})
	route(api, op("delete-tax-rule", http.MethodDelete, "/tax-rules/{id}", "Delete a tax rule; issued invoices keep the taxes they froze", tag, http.StatusNotFound), rule(billkit.OpDelete),
		func(ctx context.Context, in *IDPath) (*body[Done], error) {
			return withID(ctx, in.ID, func(a billkit.Actor, id billing.TaxRuleID) (Done, error) { return done(b.DeleteTaxRule(ctx, a, id)) })
		})

	// A company's settings.
	route(api, op("get-tax-settings", http.MethodGet, "/companies/{id}/tax-settings", "A company's tax settings (its defaults until set)", tag, http.StatusNotFound), rule(billkit.OpRead),
		func(ctx context.Context, in *IDPath) (*body[*billing.TaxSettings], error) {
			return withID(ctx, in.ID, func(a billkit.Actor, id billing.CompanyID) (*billing.TaxSettings, error) {
				return b.GetTaxSettings(ctx, a, id)
			})
		})
	route(api, op("set-tax-settings", http.MethodPut, "/companies/{id}/tax-settings", "Set a company's tax settings; fields left out keep their value", tag, http.StatusNotFound), rule(billkit.OpEdit),
		func(ctx context.Context, in *setTaxSettingsInput) (*body[*billing.TaxSettings], error) {
			return withID(ctx, in.ID, func(a billkit.Actor, id billing.CompanyID) (*billing.TaxSettings, error) {
				return b.SetTaxSettings(ctx, a, id, in.Body)
			})
		})

	// Exemptions: a client's are scoped to the client; a group's need the
	// right on taxes.
	onExemption := func(op billkit.Operation) Rule {
		return rule(op).OnClientOf("id").described("for a client's exemption; a group's needs the right on taxes")
	}
	route(api, op("list-tax-exemptions", http.MethodGet, "/tax-exemptions", "List tax exemptions", tag),
		rule(billkit.OpRead).described("an actor limited to some clients sees their exemptions only"),
		func(ctx context.Context, in *listTaxExemptionsInput) (*body[List[billing.TaxExemption]], error) {
			return readList(ctx, func(a billkit.Actor) (billkit.Page[billing.TaxExemption], error) {
				f := billing.TaxExemptionFilter{PageParams: in.page()}
				var err error
				if f.ClientID, err = optClientID("client_id", in.ClientID); err != nil {
					return billkit.Page[billing.TaxExemption]{}, err
				}
				if f.GroupID, err = optID[billing.ClientGroup]("group_id", in.GroupID); err != nil {
					return billkit.Page[billing.TaxExemption]{}, err
				}
				return b.ListTaxExemptions(ctx, a, f)
			})
		})
	route(api, op("create-tax-exemption", http.MethodPost, "/tax-exemptions", "Exempt a client or a client group from taxes", tag, http.StatusConflict),
		rule(billkit.OpCreate).described("on the client named in the body, for a client's exemption"),
		func(ctx context.Context, in *createTaxExemptionInput) (*body[*billing.TaxExemption], error) {
			return write(ctx, func(a billkit.Actor) (*billing.TaxExemption, error) { return b.CreateTaxExemption(ctx, a, in.Body) })
		})
	route(api, op("get-tax-exemption", http.MethodGet, "/tax-exemptions/{id}", "Get a tax exemption", tag), onExemption(billkit.OpRead),
		func(ctx context.Context, in *IDPath) (*body[*billing.TaxExemption], error) {
			return withID(ctx, in.ID, func(a billkit.Actor, id billing.TaxExemptionID) (*billing.TaxExemption, error) {
				return b.GetTaxExemption(ctx, a, id)
			})
		})
	route(api, op("update-tax-exemption", http.MethodPut, "/tax-exemptions/{id}", "Replace a tax exemption's reason, certificate, company and validity", tag), onExemption(billkit.OpEdit),
		func(ctx context.Context, in *updateTaxExemptionInput) (*body[*billing.TaxExemption], error) {
			return withID(ctx, in.ID, func(a billkit.Actor, id billing.TaxExemptionID) (*billing.TaxExemption, error) {
				return b.UpdateTaxExemption(ctx, a, id, in.Body)
			})
		})
	route(api, op("delete-tax-exemption", http.MethodDelete, "/tax-exemptions/{id}", "End a tax exemption by deleting it", tag), onExemption(billkit.OpDelete),
		func(ctx context.Context, in *IDPath) (*body[Done], error) {
			return withID(ctx, in.ID, func(a billkit.Actor, id billing.TaxExemptionID) (Done, error) {
				return done(b.DeleteTaxExemption(ctx, a, id))
			})
		})

	// VAT checks of a payer's EU VAT ID.
	checkOp := created(op("check-payer-vat", http.MethodPost, "/payers/{id}/vat-checks", "Check a payer's EU VAT ID with VIES and keep the answer as evidence", tag,
		http.StatusUnprocessableEntity, http.StatusServiceUnavailable))
	route(api, checkOp, onClient(billing.FunctionPayer, billkit.OpEdit),
		func(ctx context.Context, in *IDPath) (*body[*billing.VATCheck], error) {
			return withID(ctx, in.ID, func(a billkit.Actor, id billing.PayerID) (*billing.VATCheck, error) {
				return b.CheckPayerVAT(ctx, a, id)
			})
		})
	route(api, op("list-vat-checks", http.MethodGet, "/payers/{id}/vat-checks", "List the checks of a payer's VAT ID, newest first", tag), onClient(billing.FunctionPayer, billkit.OpRead),
		func(ctx context.Context, in *listVATChecksInput) (*body[List[billing.VATCheck]], error) {
			return readList(ctx, func(a billkit.Actor) (billkit.Page[billing.VATCheck], error) {
				id, err := parseID[billing.Payer]("id", in.ID)
				if err != nil {
					return billkit.Page[billing.VATCheck]{}, err
				}
				return b.ListVATChecks(ctx, a, billing.VATCheckFilter{PayerID: id, PageParams: in.page()})
			})
		})
}

type listVATChecksInput struct {
	IDPath
	PageInput
}
