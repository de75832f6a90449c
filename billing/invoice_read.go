package billing

import (
	"context"
	"fmt"

	"github.com/billkit/billkit"
)

// GetInvoice returns a document with its lines. It needs
// billing.invoice:read on its client; a customer of another client gets
// not_found, as for a document that does not exist.
func (s *Service) GetInvoice(ctx context.Context, actor billkit.Actor, id InvoiceID) (*Invoice, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	return s.invoiceFor(ctx, s.store, actor, id, billkit.OpRead)
}

// ListInvoices lists documents with their lines, newest first, limited for
// customers to their clients' documents. It needs billing.invoice:read
// (on f.ClientID when given).
func (s *Service) ListInvoices(ctx context.Context, actor billkit.Actor, f InvoiceFilter) (billkit.Page[Invoice], error) {
	if err := actor.Validate(); err != nil {
		return billkit.Page[Invoice]{}, err
	}
	var v billkit.FieldErrors
	v.Merge("", f.PageParams.Validate())
	if f.Type != "" {
		validType(&v, "type", f.Type)
	}
	for i, st := range f.Statuses {
		v.Check(st.Valid(), fmt.Sprintf("statuses[%d]", i), "invoice.status_unknown", fmt.Sprintf("must be one of %v", InvoiceStatuses()))
	}
	v.Check(f.IssuedFrom.IsZero() || f.IssuedFrom.Valid(), "issued_from", "date.out_of_range", "must be a calendar date")
	v.Check(f.IssuedTo.IsZero() || f.IssuedTo.Valid(), "issued_to", "date.out_of_range", "must be a calendar date")
	v.Check(f.DueBefore.IsZero() || f.DueBefore.Valid(), "due_before", "date.out_of_range", "must be a calendar date")
	if err := v.Err(); err != nil {
		return billkit.Page[Invoice]{}, err
	}
	f.ClientIDs = nil
	if !f.ClientID.IsZero() {
		if _, err := s.store.GetClient(ctx, f.ClientID); err != nil {
			return billkit.Page[Invoice]{}, err
		}
		if err := actor.AuthorizeClient(billkit.R(FunctionInvoice, billkit.OpRead), f.ClientID, clientNotFound(f.ClientID)); err != nil {
			return billkit.Page[Invoice]{}, err
		}
	} else {
		ids, err := listScope(actor, billkit.R(FunctionInvoice, billkit.OpRead))
		if err != nil {
			return billkit.Page[Invoice]{}, err
		}
		if ids != nil && len(ids) == 0 {
			return billkit.Page[Invoice]{Items: []Invoice{}}, nil
		}
		f.ClientIDs = ids
	}
	return s.store.ListInvoices(ctx, f)
}
