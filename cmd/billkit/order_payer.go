package main

import (
	"context"
	"log/slog"
	"sync/atomic"

	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/provisioning"
)

// orderPayer pays the orders a payment was for as soon as billing has
// applied it: billing's Config.OnPaymentPaid, handed to
// provisioning.Manager.PayOrdersOfPayment. Billing is built before the
// manager that pays the orders, so serve hands the payer its manager once
// built (use). A payment applied before that, or whose orders could not
// be paid then, is the billing cycle's: it pays every new order the
// balance covers.
type orderPayer struct {
	log *slog.Logger
	mgr atomic.Pointer[provisioning.Manager]
}

func newOrderPayer(log *slog.Logger) *orderPayer { return &orderPayer{log: log} }

// use makes mgr pay the orders of the payments applied from now on.
func (o *orderPayer) use(mgr *provisioning.Manager) { o.mgr.Store(mgr) }

// paymentPaid is billing's Config.OnPaymentPaid.
func (o *orderPayer) paymentPaid(ctx context.Context, p *billing.Payment) {
	mgr := o.mgr.Load()
	if mgr == nil {
		return
	}
	n, err := mgr.PayOrdersOfPayment(ctx, p)
	if err != nil {
		o.log.Warn("paying the orders of a payment failed: the billing cycle pays them", "payment", p.ID.String(), "paid", n, "err", err)
		return
	}
	if n > 0 {
		o.log.Info("orders paid by their payment", "payment", p.ID.String(), "orders", n)
	}
}
