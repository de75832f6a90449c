package billing

import (
	"context"

	"github.com/billkit/billkit"
)

// ApplyInvoicePaymentForTest lets the external tests apply a payment to an
// invoice the way the payments code does, inside a transaction of theirs.
func (s *Service) ApplyInvoicePaymentForTest(ctx context.Context, tx Store, actor billkit.Actor, invoice InvoiceID, payment PaymentID, credited billkit.Money) error {
	return s.applyInvoicePayment(ctx, tx, actor, invoice, payment, credited)
}
