package billing

import (
	"context"
	"time"

	"github.com/billkit/billkit"
	"github.com/shopspring/decimal"
)

// Store keeps what billing owns. billkit's implementation is store/bunstore
// (PostgreSQL and SQLite); store/storetest is the conformance suite every
// implementation must pass.
//
// Errors follow directory.Store: Get and Update methods return a not_found
// *billkit.Error ("client.not_found", "payer.not_found", ...) when the key
// does not exist; Insert methods return conflict ("client.exists") when it
// does, or when a unique value (a client number, a contract number) is
// taken; a reference to a missing row (a provider, a currency) is
// failed_precondition; anything else from the database is unavailable or
// internal. Update methods write every stored field of the value given.
// Lists are keyset pages in the order their filter documents.
type Store interface {
	// The stores of the money core, one per area, each in its own file.
	PaymentStore
	ExpenseStore
	InvoiceStore
	TaxStore
	DiscountStore

	// InTx runs fn in one transaction, or a savepoint when already in one.
	InTx(ctx context.Context, fn func(tx Store) error) error
	// InsertAction appends an entry to the action log; call it inside the
	// transaction of the change it records.
	InsertAction(ctx context.Context, a *billkit.Action) error

	// NextNumber returns the next value of the counter (series, period),
	// starting at 1. Called inside a transaction, it is gapless and unique
	// under concurrency: the counter row stays locked until the transaction
	// ends, and a rollback gives the number back.
	NextNumber(ctx context.Context, series, period string) (int64, error)

	InsertProvider(ctx context.Context, p *Provider) error
	GetProvider(ctx context.Context, id billkit.ProviderID) (*Provider, error)
	UpdateProvider(ctx context.Context, p *Provider) error
	// ListProviders lists providers in ID (creation) order.
	ListProviders(ctx context.Context, f ProviderFilter) (billkit.Page[Provider], error)

	// InsertCompany and UpdateCompany store ProviderIDs too (replacing the
	// previous set); GetCompany and ListCompanies fill it in.
	InsertCompany(ctx context.Context, c *Company) error
	GetCompany(ctx context.Context, id CompanyID) (*Company, error)
	UpdateCompany(ctx context.Context, c *Company) error
	// ListCompanies lists companies in ID order.
	ListCompanies(ctx context.Context, f CompanyFilter) (billkit.Page[Company], error)

	InsertClientGroup(ctx context.Context, g *ClientGroup) error
	GetClientGroup(ctx context.Context, id ClientGroupID) (*ClientGroup, error)
	UpdateClientGroup(ctx context.Context, g *ClientGroup) error
	// ListClientGroups lists groups in ID order.
	ListClientGroups(ctx context.Context, f ClientGroupFilter) (billkit.Page[ClientGroup], error)

	// InsertClient returns conflict "client.exists" for a taken ID or number.
	InsertClient(ctx context.Context, c *Client) error
	GetClient(ctx context.Context, id billkit.ClientID) (*Client, error)
	UpdateClient(ctx context.Context, c *Client) error
	// ListClients lists clients in ID (creation) order.
	ListClients(ctx context.Context, f ClientFilter) (billkit.Page[Client], error)
	// MoveClientReferences makes every row of every table that refers to
	// client from (payers, contracts, users' memberships and invites,
	// invoices, saved payment methods, tax exemptions, discounts, promo
	// redemptions) refer to client to instead, except history: the action
	// log, the ledger, payments and expenses stay with from (the merge moves
	// the money by transfer entries). Where a row of from would duplicate
	// one of to (a user who belongs to both), to's row is kept and from's is
	// dropped; from's default payer stops being a default when to has one.
	// It does not change the two clients' own rows.
	MoveClientReferences(ctx context.Context, from, to billkit.ClientID) error

	InsertPayer(ctx context.Context, p *Payer) error
	GetPayer(ctx context.Context, id PayerID) (*Payer, error)
	UpdatePayer(ctx context.Context, p *Payer) error
	// ListPayers lists payers in ID (creation) order.
	ListPayers(ctx context.Context, f PayerFilter) (billkit.Page[Payer], error)
	// SetDefaultPayer makes the payer its client's one default payer and
	// clears the flag on the others; not_found when the payer is not the
	// client's.
	SetDefaultPayer(ctx context.Context, client billkit.ClientID, payer PayerID) error

	InsertContractTemplate(ctx context.Context, t *ContractTemplate) error
	GetContractTemplate(ctx context.Context, id ContractTemplateID) (*ContractTemplate, error)
	UpdateContractTemplate(ctx context.Context, t *ContractTemplate) error
	// ListContractTemplates lists templates in ID order.
	ListContractTemplates(ctx context.Context, f ContractTemplateFilter) (billkit.Page[ContractTemplate], error)

	// InsertContract returns conflict "contract.exists" for a taken ID, or a
	// number the company has used.
	InsertContract(ctx context.Context, c *Contract) error
	GetContract(ctx context.Context, id ContractID) (*Contract, error)
	UpdateContract(ctx context.Context, c *Contract) error
	// ListContracts lists contracts in ID (creation) order.
	ListContracts(ctx context.Context, f ContractFilter) (billkit.Page[Contract], error)

	// CurrencyDigits returns the decimals of the minor unit of a directory
	// currency, read in the store's transaction; not_found
	// "currency.not_found" when there is no such currency.
	CurrencyDigits(ctx context.Context, code string) (int, error)
	// MoveBalance adds delta to the cached balance of client, in currency,
	// counts one more entry, and returns the new balance. The first call for
	// a client creates its balance row. When floor is not nil and the new
	// balance would be below *floor, nothing changes and the error is
	// failed_precondition ReasonInsufficientFunds; the check and the write
	// are atomic under concurrent calls (one conditional UPDATE on
	// PostgreSQL). A balance kept in another currency is failed_precondition
	// "billing.balance_currency_mismatch"; a missing client is
	// failed_precondition too. Call it in the transaction that inserts the
	// matching ledger entry.
	MoveBalance(ctx context.Context, client billkit.ClientID, currency string, delta decimal.Decimal, floor *decimal.Decimal, now time.Time) (decimal.Decimal, error)
	// GetLedgerAccount reads what a posting needs of a client in one query:
	// its currency and credit limit, and its cached balance. not_found
	// "client.not_found" when there is no such client.
	GetLedgerAccount(ctx context.Context, client billkit.ClientID) (*LedgerAccount, error)
	// MoveAccountBalance is MoveBalance for an account read by
	// GetLedgerAccount in the same transaction, in the account's currency.
	// A store whose transactions serialize writers (SQLite) may compute the
	// new balance from a.Balance without reading it again; others move it
	// atomically as MoveBalance does.
	MoveAccountBalance(ctx context.Context, a *LedgerAccount, delta decimal.Decimal, floor *decimal.Decimal, now time.Time) (decimal.Decimal, error)
	// GetClientBalance returns a client's cached balance; not_found
	// "client_balance.not_found" before its first entry.
	GetClientBalance(ctx context.Context, client billkit.ClientID) (*ClientBalance, error)
	// ListClientBalances lists cached balances in client ID order.
	ListClientBalances(ctx context.Context, f ClientBalanceFilter) (billkit.Page[ClientBalance], error)
	// InsertLedgerEntry appends an entry; conflict "ledger_entry.exists" for
	// a taken ID, failed_precondition for a missing client. Entries are
	// immutable: there is no update or delete.
	InsertLedgerEntry(ctx context.Context, e *LedgerEntry) error
	GetLedgerEntry(ctx context.Context, id LedgerEntryID) (*LedgerEntry, error)
	// ListLedgerEntries lists entries newest first (CreatedAt, then ID,
	// descending).
	ListLedgerEntries(ctx context.Context, f LedgerFilter) (billkit.Page[LedgerEntry], error)
}

// ProviderFilter selects providers.
type ProviderFilter struct {
	billkit.PageParams
}

// CompanyFilter selects companies.
type CompanyFilter struct {
	// ProviderID, when set, keeps the companies that serve the provider.
	ProviderID billkit.ProviderID `json:"provider_id,omitzero"`
	billkit.PageParams
}

// ClientGroupFilter selects client groups.
type ClientGroupFilter struct {
	ProviderID billkit.ProviderID `json:"provider_id,omitzero"`
	billkit.PageParams
}

// ClientFilter selects clients.
type ClientFilter struct {
	ProviderID billkit.ProviderID `json:"provider_id,omitzero"`
	// Query matches part of the name or the email, ignoring ASCII case.
	Query  string       `json:"query,omitempty"`
	Status ClientStatus `json:"status,omitempty"`
	// GroupID keeps the clients of the group.
	GroupID ClientGroupID `json:"group_id,omitzero"`
	// PayerTaxID keeps the clients with a payer of that tax ID, ignoring
	// case, spaces, dots, dashes and slashes.
	PayerTaxID string `json:"payer_tax_id,omitempty"`
	// IDs, when not nil, keeps only those clients. The Service sets it to
	// the clients a customer may see; an empty non-nil list selects none.
	IDs []billkit.ClientID `json:"-"`
	billkit.PageParams
}

// PayerFilter selects payers.
type PayerFilter struct {
	ClientID billkit.ClientID `json:"client_id,omitzero"`
	// ClientIDs restricts to those clients' payers when not nil, as in
	// ClientFilter.
	ClientIDs []billkit.ClientID `json:"-"`
	billkit.PageParams
}

// ContractTemplateFilter selects contract templates.
type ContractTemplateFilter struct {
	CompanyID CompanyID `json:"company_id,omitzero"`
	billkit.PageParams
}

// ContractFilter selects contracts.
type ContractFilter struct {
	ClientID  billkit.ClientID `json:"client_id,omitzero"`
	CompanyID CompanyID        `json:"company_id,omitzero"`
	Status    ContractStatus   `json:"status,omitempty"`
	// ClientIDs restricts to those clients' contracts when not nil, as in
	// ClientFilter.
	ClientIDs []billkit.ClientID `json:"-"`
	billkit.PageParams
}
