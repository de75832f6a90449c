package billing

import (
	"context"

	"github.com/billkit/billkit"
)

// CreatePaymentTx is CreatePayment in the caller's transaction tx (in a
// savepoint of it), for a payment that belongs to something the caller
// writes with it: provisioning creates the payment of an order paid by a
// gateway in the order's transaction, so that an order never names a
// payment that does not exist. It reads through tx, checks p and the
// actor's rights as CreatePayment does, and stores the payment new: the
// caller starts it with StartPayment once tx has committed (gateways are
// never called inside a transaction). Nothing is written on an error.
func (s *Service) CreatePaymentTx(ctx context.Context, tx Store, actor billkit.Actor, p CreatePaymentParams) (*Payment, error) {
	if tx == nil {
		return nil, billkit.InvalidField("tx", "required", "is required")
	}
	return s.createPayment(ctx, tx, actor, p)
}

// createPayment checks and stores a new payment through st: the Service's
// store (CreatePayment), or a caller's transaction, in a savepoint of it
// (CreatePaymentTx).
func (s *Service) createPayment(ctx context.Context, st Store, actor billkit.Actor, p CreatePaymentParams) (*Payment, error) {
	pp, err := s.preparePayment(ctx, st, actor, p)
	if err != nil {
		return nil, err
	}
	if err := s.insertPayment(ctx, st, actor, pp, false); err != nil {
		return nil, err
	}
	return pp.p.forCustomer(actor), nil
}
