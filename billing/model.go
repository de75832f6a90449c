package billing

import (
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/directory"
	"github.com/shopspring/decimal"
)

// Provider is a brand or storefront selling services (also "project"). It
// has its own currency, locale, time zone and settings; clients, client
// groups and (later) the catalog belong to one provider. Its ID type is
// billkit.ProviderID, since packages that do not import billing refer to it.
type Provider struct {
	ID   billkit.ProviderID `json:"id" bun:"id,pk"`
	Name string             `json:"name" bun:"name,notnull"`
	// Currency is the code of an enabled directory currency: the default of
	// the provider's clients.
	Currency string `json:"currency" bun:"currency,notnull"`
	// Locale is the code of an enabled directory locale: the default of the
	// provider's clients.
	Locale string `json:"locale" bun:"locale,notnull"`
	// TimeZone is an IANA zone name ("Europe/Moscow"). The dates that bill
	// (contract dates, period starts, expiry) are calendar dates in it.
	TimeZone string `json:"time_zone" bun:"time_zone,notnull"`
	// Settings are the defaults client groups and clients override.
	Settings  Settings  `json:"settings" bun:"settings,notnull"`
	CreatedAt time.Time `json:"created_at" bun:"created_at,notnull"`
	UpdatedAt time.Time `json:"updated_at" bun:"updated_at,notnull"`
}

// Location returns the provider's time zone, or UTC when it cannot be loaded.
func (p *Provider) Location() *time.Location {
	loc, err := time.LoadLocation(p.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// Today returns the calendar date of now in the provider's time zone.
func (p *Provider) Today(now time.Time) billkit.Date { return billkit.DateIn(now, p.Location()) }

// Address is a postal address.
type Address struct {
	// Lines are the street lines, one to four.
	Lines      []string `json:"lines,omitempty"`
	City       string   `json:"city,omitempty"`
	Region     string   `json:"region,omitempty"`
	PostalCode string   `json:"postal_code,omitempty"`
}

// CompanyID identifies a Company.
type CompanyID = billkit.ID[Company]

// Company is a legal entity of the installation: it issues documents
// (contracts now; invoices, credit notes later) from its number series, and
// serves one or more providers.
type Company struct {
	ID        CompanyID `json:"id" bun:"id,pk"`
	LegalName string    `json:"legal_name" bun:"legal_name,notnull"`
	ShortName string    `json:"short_name" bun:"short_name,notnull"`
	// Country is the ISO 3166-1 alpha-2 code of a directory country.
	Country string  `json:"country" bun:"country,notnull"`
	Address Address `json:"address" bun:"address,notnull"`
	// TaxIDs are the company's tax identifiers in canonical form (see
	// NormalizeTaxID), checked against Country.
	TaxIDs       []string      `json:"tax_ids" bun:"tax_ids,notnull"`
	BankAccounts []BankAccount `json:"bank_accounts" bun:"bank_accounts,notnull"`
	// ProviderIDs are the providers the company serves, in ID order. They
	// are stored in their own table; the store reads and writes them with
	// the company.
	ProviderIDs []billkit.ProviderID `json:"provider_ids" bun:"-"`
	CreatedAt   time.Time            `json:"created_at" bun:"created_at,notnull"`
	UpdatedAt   time.Time            `json:"updated_at" bun:"updated_at,notnull"`
}

// Serves reports whether the company serves the provider.
func (c *Company) Serves(p billkit.ProviderID) bool {
	for _, id := range c.ProviderIDs {
		if id == p {
			return true
		}
	}
	return false
}

// ClientGroupID identifies a ClientGroup.
type ClientGroupID = billkit.ID[ClientGroup]

// ClientGroup groups clients of a provider ("resellers", "VIP") so that
// settings, and later discounts and tax exemptions, apply to all of them.
type ClientGroup struct {
	ID         ClientGroupID      `json:"id" bun:"id,pk"`
	ProviderID billkit.ProviderID `json:"provider_id" bun:"provider_id,notnull"`
	Name       string             `json:"name" bun:"name,notnull"`
	// Settings override the provider's for the group's clients.
	Settings  Settings  `json:"settings" bun:"settings,notnull"`
	CreatedAt time.Time `json:"created_at" bun:"created_at,notnull"`
	UpdatedAt time.Time `json:"updated_at" bun:"updated_at,notnull"`
}

// ClientStatus is the state of a client account.
type ClientStatus string

// The client statuses.
const (
	// ClientStatusActive may order, pay and sign in.
	ClientStatusActive ClientStatus = "active"
	// ClientStatusBlocked is kept from ordering and signing in by staff; its
	// data stays and it can be unblocked.
	ClientStatusBlocked ClientStatus = "blocked"
	// ClientStatusDeleted is closed (or merged into another client). Nothing
	// is erased: the row, its documents and its history stay.
	ClientStatusDeleted ClientStatus = "deleted"
)

// Valid reports whether s is a known status.
func (s ClientStatus) Valid() bool {
	switch s {
	case ClientStatusActive, ClientStatusBlocked, ClientStatusDeleted:
		return true
	}
	return false
}

// Client is a customer account of one provider. Its ID type is
// billkit.ClientID, since access and support refer to clients without
// importing billing.
type Client struct {
	ID billkit.ClientID `json:"id" bun:"id,pk"`
	// Number is the human number from the client series ("C-000042").
	Number     string             `json:"number" bun:"number,notnull"`
	ProviderID billkit.ProviderID `json:"provider_id" bun:"provider_id,notnull"`
	Status     ClientStatus       `json:"status" bun:"status,notnull"`
	Name       string             `json:"name" bun:"name,notnull"`
	// Email is the contact address; optional.
	Email string `json:"email" bun:"email,notnull"`
	// Currency is the code of the enabled directory currency the client's
	// balance is kept in; the provider's by default.
	Currency string `json:"currency" bun:"currency,notnull"`
	// Locale is the code of the enabled directory locale the client is
	// spoken to in; the provider's by default.
	Locale  string        `json:"locale" bun:"locale,notnull"`
	GroupID ClientGroupID `json:"group_id,omitzero" bun:"group_id,nullzero"`
	// CreditLimit is how far below zero the balance may go, in Currency;
	// zero or more. The ledger uses it.
	CreditLimit decimal.Decimal `json:"credit_limit" bun:"credit_limit,notnull"`
	// Notes are staff's notes; customers never see them.
	Notes string `json:"notes,omitempty" bun:"notes,notnull"`
	// Settings override the provider's and the group's for this client.
	Settings Settings `json:"settings" bun:"settings,notnull"`
	// MergedInto is the client this one was merged into, if it was.
	MergedInto billkit.ClientID `json:"merged_into,omitzero" bun:"merged_into,nullzero"`
	CreatedAt  time.Time        `json:"created_at" bun:"created_at,notnull"`
	UpdatedAt  time.Time        `json:"updated_at" bun:"updated_at,notnull"`
}

// PayerID identifies a Payer.
type PayerID = billkit.ID[Payer]

// PayerKind is the legal kind of a payer.
type PayerKind string

// The payer kinds.
const (
	PayerIndividual     PayerKind = "individual"
	PayerCompany        PayerKind = "company"
	PayerSoleProprietor PayerKind = "sole_proprietor"
)

// Valid reports whether k is a known kind.
func (k PayerKind) Valid() bool {
	switch k {
	case PayerIndividual, PayerCompany, PayerSoleProprietor:
		return true
	}
	return false
}

// Payer is the person or company that pays for a client and that documents
// (contracts, invoices) are made out to. A client has several; exactly one
// is its default.
type Payer struct {
	ID       PayerID          `json:"id" bun:"id,pk"`
	ClientID billkit.ClientID `json:"client_id" bun:"client_id,notnull"`
	Kind     PayerKind        `json:"kind" bun:"kind,notnull"`
	// Name is the person's full name, or the contact name of a company.
	Name string `json:"name" bun:"name,notnull"`
	// LegalName is the registered name of a company or sole proprietor.
	LegalName string `json:"legal_name,omitempty" bun:"legal_name,notnull"`
	// Country is the ISO 3166-1 alpha-2 code of a directory country.
	Country string `json:"country" bun:"country,notnull"`
	// Region is the ISO 3166-2 code of a directory subdivision ("US-CA"),
	// required when the directory lists subdivisions of Country and empty
	// otherwise.
	Region  string  `json:"region,omitempty" bun:"region,notnull"`
	Address Address `json:"address" bun:"address,notnull"`
	Email   string  `json:"email,omitempty" bun:"email,notnull"`
	Phone   string  `json:"phone,omitempty" bun:"phone,notnull"`
	// TaxID is in canonical form (see NormalizeTaxID); optional.
	TaxID     string    `json:"tax_id,omitempty" bun:"tax_id,notnull"`
	Default   bool      `json:"default" bun:"is_default,notnull"`
	CreatedAt time.Time `json:"created_at" bun:"created_at,notnull"`
	UpdatedAt time.Time `json:"updated_at" bun:"updated_at,notnull"`
}

// ContractTemplateID identifies a ContractTemplate.
type ContractTemplateID = billkit.ID[ContractTemplate]

// ContractTemplate is the text and numbering of a company's contracts.
type ContractTemplate struct {
	ID        ContractTemplateID `json:"id" bun:"id,pk"`
	CompanyID CompanyID          `json:"company_id" bun:"company_id,notnull"`
	Name      string             `json:"name" bun:"name,notnull"`
	// Body is the contract's text per locale.
	Body directory.Text `json:"body" bun:"body,notnull"`
	// NumberFormat is the format of contract numbers ("DOG-{YYYY}-{NNNN}").
	// Templates of one company with the same format share one counter.
	NumberFormat string      `json:"number_format" bun:"number_format,notnull"`
	Reset        ResetPolicy `json:"reset" bun:"reset,notnull"`
	CreatedAt    time.Time   `json:"created_at" bun:"created_at,notnull"`
	UpdatedAt    time.Time   `json:"updated_at" bun:"updated_at,notnull"`
}

// series is the number series of the template's contracts.
func (t *ContractTemplate) series() NumberSeries {
	return NumberSeries{Key: "contract:" + t.CompanyID.String() + ":" + t.NumberFormat, Format: t.NumberFormat, Reset: t.Reset}
}

// ContractID identifies a Contract.
type ContractID = billkit.ID[Contract]

// ContractStatus is the stage of a contract.
type ContractStatus string

// The contract statuses. See ContractTransition for the moves between them.
const (
	ContractDraft     ContractStatus = "draft"
	ContractSent      ContractStatus = "sent"
	ContractSigned    ContractStatus = "signed"
	ContractCancelled ContractStatus = "cancelled"
)

// Valid reports whether s is a known status.
func (s ContractStatus) Valid() bool {
	switch s {
	case ContractDraft, ContractSent, ContractSigned, ContractCancelled:
		return true
	}
	return false
}

// Contract is an agreement between a company and a client's payer, made from
// a template.
type Contract struct {
	ID ContractID `json:"id" bun:"id,pk"`
	// Number comes from the template's series when the contract is created.
	Number     string             `json:"number" bun:"number,notnull"`
	CompanyID  CompanyID          `json:"company_id" bun:"company_id,notnull"`
	ClientID   billkit.ClientID   `json:"client_id" bun:"client_id,notnull"`
	PayerID    PayerID            `json:"payer_id" bun:"payer_id,notnull"`
	TemplateID ContractTemplateID `json:"template_id" bun:"template_id,notnull"`
	Status     ContractStatus     `json:"status" bun:"status,notnull"`
	// Date is the contract's date: the day it was created, in the client's
	// provider's time zone.
	Date        billkit.Date `json:"date" bun:"date,notnull"`
	CreatedAt   time.Time    `json:"created_at" bun:"created_at,notnull"`
	SentAt      time.Time    `json:"sent_at,omitzero" bun:"sent_at,nullzero"`
	SignedAt    time.Time    `json:"signed_at,omitzero" bun:"signed_at,nullzero"`
	CancelledAt time.Time    `json:"cancelled_at,omitzero" bun:"cancelled_at,nullzero"`
	UpdatedAt   time.Time    `json:"updated_at" bun:"updated_at,notnull"`
}

// ReasonContractTransition is the reason of the failed_precondition error
// for a move ContractTransition forbids.
const ReasonContractTransition = "contract.status_transition"

// ContractTransition returns nil when a contract may move from one status to
// another, and a failed_precondition error with reason
// "contract.status_transition" otherwise. The moves are
//
//	draft → sent → signed
//	draft, sent or signed → cancelled
//
// Cancelling a signed contract records its termination; a cancelled contract
// is final. It is a pure function.
func ContractTransition(from, to ContractStatus) error {
	ok := false
	switch to {
	case ContractSent:
		ok = from == ContractDraft
	case ContractSigned:
		ok = from == ContractSent
	case ContractCancelled:
		ok = from == ContractDraft || from == ContractSent || from == ContractSigned
	}
	if !ok {
		return billkit.Errorf(billkit.CodeFailedPrecondition, ReasonContractTransition,
			"a %s contract cannot become %s", from, to)
	}
	return nil
}
