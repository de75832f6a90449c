package billing

import (
	"context"

	"github.com/billkit/billkit"
)

// InvoiceID identifies an Invoice.
type InvoiceID = billkit.ID[Invoice]

// Invoice is a request to pay, issued by a company to a payer.
type Invoice struct {
	ID InvoiceID `json:"id"`
}

// applyInvoicePayment records, in tx, that a paid payment brought credited
// (in the client's currency, already on the client's balance) towards
// invoice: the invoice becomes partly paid or paid. Payments call it when
// they become paid.
func (s *Service) applyInvoicePayment(ctx context.Context, tx Store, actor billkit.Actor, invoice InvoiceID, payment PaymentID, credited billkit.Money) error {
	return nil
}

// auditInvoices checks that each invoice's total equals its lines and
// taxes; Audit runs it.
func (s *Service) auditInvoices(ctx context.Context) ([]AuditFinding, error) {
	return nil, nil
}
