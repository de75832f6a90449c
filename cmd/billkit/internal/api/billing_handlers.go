package api

import (
	"context"
	"net/http"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/danielgtaylor/huma/v2"
)

// Rules of billing's account side. Providers, companies, client groups and
// contract templates belong to no client; clients, payers and contracts do,
// and their rights are checked on the client that owns the object.
func billingRule(function string, op billkit.Operation) Rule { return Requires(function, op) }

func onClient(function string, op billkit.Operation) Rule {
	return Requires(function, op).OnClientOf("id")
}

// parseProviderID parses the ID of a provider.
func parseProviderID(field, s string) (billkit.ProviderID, error) {
	var id billkit.ProviderID
	if err := id.UnmarshalText([]byte(s)); err != nil || id.IsZero() {
		return id, billkit.InvalidField(field, "id.malformed", "is not a valid ID")
	}
	return id, nil
}

func optProviderID(field, s string) (billkit.ProviderID, error) {
	if s == "" {
		return billkit.ProviderID{}, nil
	}
	return parseProviderID(field, s)
}

type providerFilterInput struct {
	ProviderID string `query:"provider_id" maxLength:"64" doc:"Only those of this provider."`
	PageInput
}

type createProviderInput struct{ Body billing.CreateProviderParams }

type updateProviderInput struct {
	IDPath
	Body billing.UpdateProviderParams
}

type createCompanyInput struct{ Body billing.CreateCompanyParams }

type updateCompanyInput struct {
	IDPath
	Body billing.UpdateCompanyParams
}

type createClientGroupInput struct {
	Body billing.CreateClientGroupParams
}

type updateClientGroupInput struct {
	IDPath
	Body billing.UpdateClientGroupParams
}

type listClientsInput struct {
	ProviderID string `query:"provider_id" maxLength:"64" doc:"Only clients of this provider."`
	Query      string `query:"query" maxLength:"200" doc:"Matches part of the name, the email or the number."`
	Status     string `query:"status" enum:"active,blocked,deleted" doc:"Only clients with this status."`
	GroupID    string `query:"group_id" maxLength:"64" doc:"Only clients of this client group."`
	PayerTaxID string `query:"payer_tax_id" maxLength:"64" doc:"Only clients with a payer of this tax ID."`
	PageInput
}

type createClientInput struct{ Body billing.CreateClientParams }

type updateClientInput struct {
	IDPath
	Body billing.UpdateClientParams
}

// MergeParams name the client that receives everything of the merged one.
type MergeParams struct {
	Into string `json:"into" maxLength:"64" doc:"The ID of the client that receives the merged client's payers, contracts and users."`
}

type mergeClientInput struct {
	IDPath
	Body MergeParams
}

type listPayersInput struct {
	ClientID string `query:"client_id" maxLength:"64" doc:"Only the payers of this client."`
	PageInput
}

type createPayerInput struct{ Body billing.CreatePayerParams }

type updatePayerInput struct {
	IDPath
	Body billing.UpdatePayerParams
}

type listContractTemplatesInput struct {
	CompanyID string `query:"company_id" maxLength:"64" doc:"Only the templates of this company."`
	PageInput
}

type createContractTemplateInput struct {
	Body billing.CreateContractTemplateParams
}

type updateContractTemplateInput struct {
	IDPath
	Body billing.UpdateContractTemplateParams
}

type listContractsInput struct {
	ClientID  string `query:"client_id" maxLength:"64" doc:"Only the contracts of this client."`
	CompanyID string `query:"company_id" maxLength:"64" doc:"Only the contracts of this company."`
	Status    string `query:"status" enum:"draft,sent,signed,cancelled" doc:"Only contracts with this status."`
	PageInput
}

type createContractInput struct{ Body billing.CreateContractParams }

// withID runs fn with the actor and the parsed {id}.
func withID[E, T any](ctx context.Context, raw string, fn func(billkit.Actor, billkit.ID[E]) (T, error)) (*body[T], error) {
	return write(ctx, func(a billkit.Actor) (T, error) {
		id, err := parseID[E]("id", raw)
		if err != nil {
			var zero T
			return zero, err
		}
		return fn(a, id)
	})
}

// withClientID runs fn with the actor and the parsed client {id}.
func withClientID[T any](ctx context.Context, raw string, fn func(billkit.Actor, billkit.ClientID) (T, error)) (*body[T], error) {
	return write(ctx, func(a billkit.Actor) (T, error) {
		id, err := parseClientID("id", raw)
		if err != nil {
			var zero T
			return zero, err
		}
		return fn(a, id)
	})
}

func (h *handlers) registerBilling(api huma.API) {
	b := h.billing

	// Providers.
	route(api, op("list-providers", http.MethodGet, "/providers", "List providers", "Providers"), billingRule(billing.FunctionProvider, billkit.OpRead),
		func(ctx context.Context, in *listDepartmentsInput) (*body[List[billing.Provider]], error) {
			return readList(ctx, func(a billkit.Actor) (billkit.Page[billing.Provider], error) {
				return b.ListProviders(ctx, a, billing.ProviderFilter{PageParams: in.page()})
			})
		})
	route(api, op("create-provider", http.MethodPost, "/providers", "Create a provider", "Providers", http.StatusConflict), billingRule(billing.FunctionProvider, billkit.OpCreate),
		func(ctx context.Context, in *createProviderInput) (*body[*billing.Provider], error) {
			return write(ctx, func(a billkit.Actor) (*billing.Provider, error) { return b.CreateProvider(ctx, a, in.Body) })
		})
	route(api, op("get-provider", http.MethodGet, "/providers/{id}", "Get a provider", "Providers", http.StatusNotFound), billingRule(billing.FunctionProvider, billkit.OpRead),
		func(ctx context.Context, in *IDPath) (*body[*billing.Provider], error) {
			return write(ctx, func(a billkit.Actor) (*billing.Provider, error) {
				id, err := parseProviderID("id", in.ID)
				if err != nil {
					return nil, err
				}
				return b.GetProvider(ctx, a, id)
			})
		})
	route(api, op("update-provider", http.MethodPatch, "/providers/{id}", "Change a provider", "Providers", http.StatusNotFound), billingRule(billing.FunctionProvider, billkit.OpEdit),
		func(ctx context.Context, in *updateProviderInput) (*body[*billing.Provider], error) {
			return write(ctx, func(a billkit.Actor) (*billing.Provider, error) {
				id, err := parseProviderID("id", in.ID)
				if err != nil {
					return nil, err
				}
				return b.UpdateProvider(ctx, a, id, in.Body)
			})
		})

	// Companies.
	route(api, op("list-companies", http.MethodGet, "/companies", "List companies", "Companies"), billingRule(billing.FunctionCompany, billkit.OpRead),
		func(ctx context.Context, in *providerFilterInput) (*body[List[billing.Company]], error) {
			return readList(ctx, func(a billkit.Actor) (billkit.Page[billing.Company], error) {
				p, err := optProviderID("provider_id", in.ProviderID)
				if err != nil {
					return billkit.Page[billing.Company]{}, err
				}
				return b.ListCompanies(ctx, a, billing.CompanyFilter{ProviderID: p, PageParams: in.page()})
			})
		})
	route(api, op("create-company", http.MethodPost, "/companies", "Create a company", "Companies", http.StatusConflict), billingRule(billing.FunctionCompany, billkit.OpCreate),
		func(ctx context.Context, in *createCompanyInput) (*body[*billing.Company], error) {
			return write(ctx, func(a billkit.Actor) (*billing.Company, error) { return b.CreateCompany(ctx, a, in.Body) })
		})
	route(api, op("get-company", http.MethodGet, "/companies/{id}", "Get a company", "Companies", http.StatusNotFound), billingRule(billing.FunctionCompany, billkit.OpRead),
		func(ctx context.Context, in *IDPath) (*body[*billing.Company], error) {
			return withID(ctx, in.ID, func(a billkit.Actor, id billing.CompanyID) (*billing.Company, error) { return b.GetCompany(ctx, a, id) })
		})
	route(api, op("update-company", http.MethodPatch, "/companies/{id}", "Change a company", "Companies", http.StatusNotFound), billingRule(billing.FunctionCompany, billkit.OpEdit),
		func(ctx context.Context, in *updateCompanyInput) (*body[*billing.Company], error) {
			return withID(ctx, in.ID, func(a billkit.Actor, id billing.CompanyID) (*billing.Company, error) {
				return b.UpdateCompany(ctx, a, id, in.Body)
			})
		})

	// Client groups.
	route(api, op("list-client-groups", http.MethodGet, "/client-groups", "List client groups", "Client groups"), billingRule(billing.FunctionClientGroup, billkit.OpRead),
		func(ctx context.Context, in *providerFilterInput) (*body[List[billing.ClientGroup]], error) {
			return readList(ctx, func(a billkit.Actor) (billkit.Page[billing.ClientGroup], error) {
				p, err := optProviderID("provider_id", in.ProviderID)
				if err != nil {
					return billkit.Page[billing.ClientGroup]{}, err
				}
				return b.ListClientGroups(ctx, a, billing.ClientGroupFilter{ProviderID: p, PageParams: in.page()})
			})
		})
	route(api, op("create-client-group", http.MethodPost, "/client-groups", "Create a client group", "Client groups", http.StatusConflict), billingRule(billing.FunctionClientGroup, billkit.OpCreate),
		func(ctx context.Context, in *createClientGroupInput) (*body[*billing.ClientGroup], error) {
			return write(ctx, func(a billkit.Actor) (*billing.ClientGroup, error) { return b.CreateClientGroup(ctx, a, in.Body) })
		})
	route(api, op("get-client-group", http.MethodGet, "/client-groups/{id}", "Get a client group", "Client groups", http.StatusNotFound), billingRule(billing.FunctionClientGroup, billkit.OpRead),
		func(ctx context.Context, in *IDPath) (*body[*billing.ClientGroup], error) {
			return withID(ctx, in.ID, func(a billkit.Actor, id billing.ClientGroupID) (*billing.ClientGroup, error) {
				return b.GetClientGroup(ctx, a, id)
			})
		})
	route(api, op("update-client-group", http.MethodPatch, "/client-groups/{id}", "Change a client group", "Client groups", http.StatusNotFound), billingRule(billing.FunctionClientGroup, billkit.OpEdit),
		func(ctx context.Context, in *updateClientGroupInput) (*body[*billing.ClientGroup], error) {
			return withID(ctx, in.ID, func(a billkit.Actor, id billing.ClientGroupID) (*billing.ClientGroup, error) {
				return b.UpdateClientGroup(ctx, a, id, in.Body)
			})
		})

	// Clients.
	route(api, op("list-clients", http.MethodGet, "/clients", "List and search clients", "Clients"),
		billingRule(billing.FunctionClient, billkit.OpRead).described("customers see only their clients"),
		func(ctx context.Context, in *listClientsInput) (*body[List[billing.Client]], error) {
			return readList(ctx, func(a billkit.Actor) (billkit.Page[billing.Client], error) {
				f := billing.ClientFilter{Query: in.Query, Status: billing.ClientStatus(in.Status), PayerTaxID: in.PayerTaxID, PageParams: in.page()}
				var err error
				if f.ProviderID, err = optProviderID("provider_id", in.ProviderID); err != nil {
					return billkit.Page[billing.Client]{}, err
				}
				if f.GroupID, err = optID[billing.ClientGroup]("group_id", in.GroupID); err != nil {
					return billkit.Page[billing.Client]{}, err
				}
				return b.ListClients(ctx, a, f)
			})
		})
	route(api, op("create-client", http.MethodPost, "/clients", "Create a client", "Clients", http.StatusConflict), billingRule(billing.FunctionClient, billkit.OpCreate),
		func(ctx context.Context, in *createClientInput) (*body[*billing.Client], error) {
			return write(ctx, func(a billkit.Actor) (*billing.Client, error) { return b.CreateClient(ctx, a, in.Body) })
		})
	route(api, op("get-client", http.MethodGet, "/clients/{id}", "Get a client", "Clients"), onClient(billing.FunctionClient, billkit.OpRead),
		func(ctx context.Context, in *IDPath) (*body[*billing.Client], error) {
			return withClientID(ctx, in.ID, func(a billkit.Actor, id billkit.ClientID) (*billing.Client, error) { return b.GetClient(ctx, a, id) })
		})
	route(api, op("get-client-settings", http.MethodGet, "/clients/{id}/settings", "The settings in effect for a client (provider, group and own, overlaid)", "Clients"), onClient(billing.FunctionClient, billkit.OpRead),
		func(ctx context.Context, in *IDPath) (*body[billing.Settings], error) {
			return withClientID(ctx, in.ID, func(a billkit.Actor, id billkit.ClientID) (billing.Settings, error) {
				st, err := b.ClientSettings(ctx, a, id)
				if st == nil && err == nil {
					st = billing.Settings{}
				}
				return st, err
			})
		})
	route(api, op("update-client", http.MethodPatch, "/clients/{id}", "Change a client", "Clients"), onClient(billing.FunctionClient, billkit.OpEdit),
		func(ctx context.Context, in *updateClientInput) (*body[*billing.Client], error) {
			return withClientID(ctx, in.ID, func(a billkit.Actor, id billkit.ClientID) (*billing.Client, error) {
				return b.UpdateClient(ctx, a, id, in.Body)
			})
		})
	for _, s := range []struct {
		verb, summary string
		op            billkit.Operation
		fn            func(context.Context, billkit.Actor, billkit.ClientID) (*billing.Client, error)
	}{
		{"block", "Block a client", billkit.OpEdit, b.BlockClient},
		{"unblock", "Unblock a client", billkit.OpEdit, b.UnblockClient},
	} {
		route(api, op(s.verb+"-client", http.MethodPost, "/clients/{id}/"+s.verb, s.summary, "Clients", http.StatusUnprocessableEntity), onClient(billing.FunctionClient, s.op),
			func(ctx context.Context, in *IDPath) (*body[*billing.Client], error) {
				return withClientID(ctx, in.ID, func(a billkit.Actor, id billkit.ClientID) (*billing.Client, error) { return s.fn(ctx, a, id) })
			})
	}
	route(api, op("delete-client", http.MethodDelete, "/clients/{id}", "Close a client: its status becomes deleted, nothing is erased", "Clients", http.StatusUnprocessableEntity), onClient(billing.FunctionClient, billkit.OpDelete),
		func(ctx context.Context, in *IDPath) (*body[*billing.Client], error) {
			return withClientID(ctx, in.ID, func(a billkit.Actor, id billkit.ClientID) (*billing.Client, error) { return b.DeleteClient(ctx, a, id) })
		})
	route(api, op("merge-client", http.MethodPost, "/clients/{id}/merge", "Merge this client into another: everything it has moves there, in one transaction", "Clients", http.StatusUnprocessableEntity),
		onClient(billing.FunctionClient, billkit.OpDelete).described("and billing.client:edit on both clients"),
		func(ctx context.Context, in *mergeClientInput) (*body[*billing.Client], error) {
			return withClientID(ctx, in.ID, func(a billkit.Actor, from billkit.ClientID) (*billing.Client, error) {
				to, err := parseClientID("into", in.Body.Into)
				if err != nil {
					return nil, err
				}
				return b.MergeClients(ctx, a, from, to)
			})
		})

	// Payers.
	route(api, op("list-payers", http.MethodGet, "/payers", "List payers", "Payers"),
		billingRule(billing.FunctionPayer, billkit.OpRead).described("customers see only their clients' payers"),
		func(ctx context.Context, in *listPayersInput) (*body[List[billing.Payer]], error) {
			return readList(ctx, func(a billkit.Actor) (billkit.Page[billing.Payer], error) {
				client, err := optClientID("client_id", in.ClientID)
				if err != nil {
					return billkit.Page[billing.Payer]{}, err
				}
				return b.ListPayers(ctx, a, billing.PayerFilter{ClientID: client, PageParams: in.page()})
			})
		})
	route(api, op("create-payer", http.MethodPost, "/payers", "Add a payer to a client", "Payers", http.StatusNotFound),
		billingRule(billing.FunctionPayer, billkit.OpCreate).described("on the client named in the body"),
		func(ctx context.Context, in *createPayerInput) (*body[*billing.Payer], error) {
			return write(ctx, func(a billkit.Actor) (*billing.Payer, error) { return b.CreatePayer(ctx, a, in.Body) })
		})
	route(api, op("get-payer", http.MethodGet, "/payers/{id}", "Get a payer", "Payers"), onClient(billing.FunctionPayer, billkit.OpRead),
		func(ctx context.Context, in *IDPath) (*body[*billing.Payer], error) {
			return withID(ctx, in.ID, func(a billkit.Actor, id billing.PayerID) (*billing.Payer, error) { return b.GetPayer(ctx, a, id) })
		})
	route(api, op("update-payer", http.MethodPatch, "/payers/{id}", "Change a payer", "Payers"), onClient(billing.FunctionPayer, billkit.OpEdit),
		func(ctx context.Context, in *updatePayerInput) (*body[*billing.Payer], error) {
			return withID(ctx, in.ID, func(a billkit.Actor, id billing.PayerID) (*billing.Payer, error) {
				return b.UpdatePayer(ctx, a, id, in.Body)
			})
		})
	route(api, op("set-default-payer", http.MethodPost, "/payers/{id}/default", "Make a payer its client's default", "Payers"), onClient(billing.FunctionPayer, billkit.OpEdit),
		func(ctx context.Context, in *IDPath) (*body[*billing.Payer], error) {
			return withID(ctx, in.ID, func(a billkit.Actor, id billing.PayerID) (*billing.Payer, error) {
				return b.SetDefaultPayer(ctx, a, id)
			})
		})

	// Contract templates.
	route(api, op("list-contract-templates", http.MethodGet, "/contract-templates", "List contract templates", "Contracts"), billingRule(billing.FunctionContract, billkit.OpRead),
		func(ctx context.Context, in *listContractTemplatesInput) (*body[List[billing.ContractTemplate]], error) {
			return readList(ctx, func(a billkit.Actor) (billkit.Page[billing.ContractTemplate], error) {
				company, err := optID[billing.Company]("company_id", in.CompanyID)
				if err != nil {
					return billkit.Page[billing.ContractTemplate]{}, err
				}
				return b.ListContractTemplates(ctx, a, billing.ContractTemplateFilter{CompanyID: company, PageParams: in.page()})
			})
		})
	route(api, op("create-contract-template", http.MethodPost, "/contract-templates", "Create a contract template", "Contracts", http.StatusConflict), billingRule(billing.FunctionContract, billkit.OpCreate),
		func(ctx context.Context, in *createContractTemplateInput) (*body[*billing.ContractTemplate], error) {
			return write(ctx, func(a billkit.Actor) (*billing.ContractTemplate, error) {
				return b.CreateContractTemplate(ctx, a, in.Body)
			})
		})
	route(api, op("get-contract-template", http.MethodGet, "/contract-templates/{id}", "Get a contract template", "Contracts", http.StatusNotFound), billingRule(billing.FunctionContract, billkit.OpRead),
		func(ctx context.Context, in *IDPath) (*body[*billing.ContractTemplate], error) {
			return withID(ctx, in.ID, func(a billkit.Actor, id billing.ContractTemplateID) (*billing.ContractTemplate, error) {
				return b.GetContractTemplate(ctx, a, id)
			})
		})
	route(api, op("update-contract-template", http.MethodPatch, "/contract-templates/{id}", "Change a contract template", "Contracts", http.StatusNotFound), billingRule(billing.FunctionContract, billkit.OpEdit),
		func(ctx context.Context, in *updateContractTemplateInput) (*body[*billing.ContractTemplate], error) {
			return withID(ctx, in.ID, func(a billkit.Actor, id billing.ContractTemplateID) (*billing.ContractTemplate, error) {
				return b.UpdateContractTemplate(ctx, a, id, in.Body)
			})
		})

	// Contracts.
	route(api, op("list-contracts", http.MethodGet, "/contracts", "List contracts", "Contracts"),
		billingRule(billing.FunctionContract, billkit.OpRead).described("customers see only their clients' contracts"),
		func(ctx context.Context, in *listContractsInput) (*body[List[billing.Contract]], error) {
			return readList(ctx, func(a billkit.Actor) (billkit.Page[billing.Contract], error) {
				f := billing.ContractFilter{Status: billing.ContractStatus(in.Status), PageParams: in.page()}
				var err error
				if f.ClientID, err = optClientID("client_id", in.ClientID); err != nil {
					return billkit.Page[billing.Contract]{}, err
				}
				if f.CompanyID, err = optID[billing.Company]("company_id", in.CompanyID); err != nil {
					return billkit.Page[billing.Contract]{}, err
				}
				return b.ListContracts(ctx, a, f)
			})
		})
	route(api, op("create-contract", http.MethodPost, "/contracts", "Draw up a contract from a template", "Contracts", http.StatusNotFound, http.StatusUnprocessableEntity),
		billingRule(billing.FunctionContract, billkit.OpCreate).described("on the client named in the body"),
		func(ctx context.Context, in *createContractInput) (*body[*billing.Contract], error) {
			return write(ctx, func(a billkit.Actor) (*billing.Contract, error) { return b.CreateContract(ctx, a, in.Body) })
		})
	route(api, op("get-contract", http.MethodGet, "/contracts/{id}", "Get a contract", "Contracts"), onClient(billing.FunctionContract, billkit.OpRead),
		func(ctx context.Context, in *IDPath) (*body[*billing.Contract], error) {
			return withID(ctx, in.ID, func(a billkit.Actor, id billing.ContractID) (*billing.Contract, error) {
				return b.GetContract(ctx, a, id)
			})
		})
	for _, s := range []struct {
		verb, summary string
		fn            func(context.Context, billkit.Actor, billing.ContractID) (*billing.Contract, error)
	}{
		{"send", "Mark a draft contract sent", b.SendContract},
		{"sign", "Mark a sent contract signed", b.SignContract},
		{"cancel", "Cancel a contract", b.CancelContract},
	} {
		route(api, op(s.verb+"-contract", http.MethodPost, "/contracts/{id}/"+s.verb, s.summary, "Contracts", http.StatusUnprocessableEntity), onClient(billing.FunctionContract, billkit.OpEdit),
			func(ctx context.Context, in *IDPath) (*body[*billing.Contract], error) {
				return withID(ctx, in.ID, func(a billkit.Actor, id billing.ContractID) (*billing.Contract, error) { return s.fn(ctx, a, id) })
			})
	}
}
