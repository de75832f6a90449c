package billing

import (
	"context"
	"strings"

	"github.com/billkit/billkit"
)

// IssueProformaTx creates a proforma and issues it at once, in the
// caller's transaction (in a savepoint: a refusal leaves tx as it was and
// writes nothing), as CreateInvoice then IssueInvoice would, recording
// both actions. Provisioning asks with it for the money of an order paid
// by invoice and of a renewal, in advance lines (InvoiceLineParams.Advance)
// that the order or the renewal charges from the balance once paid.
//
// p.Type is InvoiceProforma (or empty). A zero p.CompanyID is the one
// company that serves the client's provider: invalid company_id when none
// or several do. The document is in the client's locale: p.Locale, when
// given, must be it. A client without a payer cannot be billed
// (failed_precondition invoice.no_payer). It needs billing.invoice:create
// and billing.invoice:edit on the client; all it reads, it reads through
// tx.
func (s *Service) IssueProformaTx(ctx context.Context, tx Store, actor billkit.Actor, p CreateInvoiceParams) (*Invoice, error) {
	if tx == nil {
		return nil, billkit.InvalidField("tx", "required", "is required")
	}
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	if p.Type == "" {
		p.Type = InvoiceProforma
	}
	var v billkit.FieldErrors
	v.Check(p.Type == InvoiceProforma, "type", "invoice.type_not_proforma", "must be proforma")
	if !v.Check(!p.ClientID.IsZero(), "client_id", "required", "is required") {
		return nil, v.Err()
	}
	var out *Invoice
	err := tx.InTx(ctx, func(tx Store) error {
		c, err := tx.GetClient(ctx, p.ClientID)
		if err != nil {
			return err
		}
		for _, op := range []billkit.Operation{billkit.OpCreate, billkit.OpEdit} {
			if err := actor.AuthorizeClient(billkit.R(FunctionInvoice, op), c.ID, clientNotFound(c.ID)); err != nil {
				return err
			}
		}
		co, err := sellingCompany(ctx, tx, c.ProviderID, p.CompanyID)
		if err != nil {
			return err
		}
		p.CompanyID = co.ID
		digits, err := currencyDigits(ctx, tx, c.Currency)
		if err != nil {
			return err
		}
		inv := newDraft(&v, p, c, digits, s.now())
		// The directory is not read in the caller's transaction (it may
		// hold the store's one connection): the client's locale was checked
		// when it was set.
		inv.Locale = c.Locale
		v.Check(strings.TrimSpace(p.Locale) == "" || strings.TrimSpace(p.Locale) == c.Locale, "locale", "invoice.locale_not_client",
			"must be the client's locale, "+c.Locale+", or empty")
		if err := v.Err(); err != nil {
			return err
		}
		if err := s.insertDraft(ctx, tx, actor, inv, p.PayerID); err != nil {
			return err
		}
		if err := s.issueDraft(ctx, tx, actor, inv); err != nil {
			return err
		}
		out = inv
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
