package billing

import (
	"context"

	"github.com/billkit/billkit"
)

// InvoiceStore is the part of Store that keeps invoices (all document
// types) and their number series.
//
// An issued document never changes in content: the store itself refuses
// it. UpdateDraftInvoice writes content only while the stored document is
// a draft (issuing is that write, with the status it sets), and
// UpdateInvoiceState writes only the state that moves after issue.
type InvoiceStore interface {
	// InsertInvoice stores a document with its lines; conflict
	// "invoice.exists" for a taken ID, or a number the company has used.
	InsertInvoice(ctx context.Context, inv *Invoice) error
	// GetInvoice returns a document with its lines in position order;
	// not_found "invoice.not_found".
	GetInvoice(ctx context.Context, id InvoiceID) (*Invoice, error)
	// LockInvoice is GetInvoice that also locks the document's row until
	// the transaction ends, so that concurrent payments, credit notes and
	// issues of one document are applied one after the other. Call it in a
	// transaction.
	LockInvoice(ctx context.Context, id InvoiceID) (*Invoice, error)
	// UpdateDraftInvoice writes every stored field of a document and
	// replaces its lines, only when the stored document is a draft:
	// failed_precondition ReasonInvoiceFrozen otherwise, not_found when
	// there is none. Issuing is such a write, with the status it sets.
	UpdateDraftInvoice(ctx context.Context, inv *Invoice) error
	// DeleteDraftInvoice deletes a draft and its lines;
	// failed_precondition ReasonInvoiceFrozen for an issued document.
	DeleteDraftInvoice(ctx context.Context, id InvoiceID) error
	// UpdateInvoiceState writes what moves after issue: status, Paid,
	// Credited, PaidAt, VoidedAt and UpdatedAt, and the ChargeExpenseID of
	// lines that have one and had none. It refuses a draft
	// (failed_precondition "invoice.draft"), and never writes content.
	UpdateInvoiceState(ctx context.Context, inv *Invoice) error
	// ListInvoices lists documents with their lines, newest first (ID
	// descending).
	ListInvoices(ctx context.Context, f InvoiceFilter) (billkit.Page[Invoice], error)

	// GetInvoiceSeries returns the series a company set for a type;
	// not_found "invoice_series.not_found" when it set none.
	GetInvoiceSeries(ctx context.Context, company CompanyID, t InvoiceType) (*InvoiceSeries, error)
	// PutInvoiceSeries stores a company's series of a type, replacing the
	// one it had; failed_precondition for a missing company.
	PutInvoiceSeries(ctx context.Context, s *InvoiceSeries) error
}
