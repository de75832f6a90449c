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
	pp, err := s.preparePaymentIn(ctx, tx, actor, p)
	if err != nil {
		return nil, err
	}
	if err := s.insertPaymentIn(ctx, tx, actor, pp, false); err != nil {
		return nil, err
	}
	return pp.p.forCustomer(actor), nil
}
