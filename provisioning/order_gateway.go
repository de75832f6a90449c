package provisioning

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
)

// Orders paid by a gateway.
//
// An order paid by a gateway (PayByGateway) is paid by one of billing's
// payments, made for the order's Total in its currency with a payment
// method the client chooses, and named by the order (Order.PaymentID).
// Its money goes where every payment's goes, to the client's balance, and
// the order is paid from the balance, exactly once, like any other:
//
//   - the order and its payment are written in one transaction
//     (CreateOrder with a method, or StartOrderPayment for a new order
//     that has none), so that an order never names a payment that does not
//     exist;
//   - the payment is started at the gateway after that transaction,
//     outside any (billing's StartPayment): a gateway that does not answer
//     leaves it new, and billing asks the gateway again later;
//     StartOrderPayment starts the same payment again for as long as it is
//     new or pending (a lost redirect), and makes another only once it has
//     failed or was cancelled;
//   - when the payment is paid (the gateway's callback, billing's
//     reconciliation, staff confirming a transfer), billing calls its
//     Config.OnPaymentPaid, which the application wires to
//     PayOrdersOfPayment: the order is paid from the balance at once.
//     Without the hook, or when it fails, the cycle pays the order at its
//     next run, as it pays every new order the balance covers;
//   - a payment that fails or is cancelled leaves the order new, to be
//     paid another way or cancelled at its CancelAt;
//   - an order paid meanwhile with other money stays paid once: its
//     payment, when it arrives, only credits the balance.

// Reasons of the errors of orders paid by a gateway.
const (
	// ReasonMethodWithoutGateway: a payment method given for an order not
	// paid by a gateway (invalid, "method_id").
	ReasonMethodWithoutGateway = "provisioning.method_without_gateway"
	// ReasonMethodIsBalance: the method is one of the balance gateway,
	// which pays nothing in from outside: such an order is paid by balance
	// (invalid, "method_id").
	ReasonMethodIsBalance = "provisioning.method_is_balance"
	// ReasonOrderNotByGateway: the order is not paid by a gateway
	// (failed_precondition).
	ReasonOrderNotByGateway = "provisioning.order_not_by_gateway"
	// ReasonOrderPaymentOpen: another method was named while the order's
	// payment may still be paid (failed_precondition): cancel that payment
	// first (billing's CancelPayment).
	ReasonOrderPaymentOpen = "provisioning.order_payment_open"
)

// StartOrderPaymentParams (re)start the payment of an order paid by a
// gateway.
type StartOrderPaymentParams struct {
	// MethodID is the payment method; zero keeps the method of the order's
	// payment, and is required when the order has none.
	MethodID billing.PaymentMethodID `json:"method_id,omitzero"`
	billing.StartOptions
}

// OrderPayment is an order and the payment that pays it.
type OrderPayment struct {
	Order *Order `json:"order"`
	// Payment is the order's payment, with where to send the client
	// (RedirectURL, Form) or what to tell them (Instructions); nil for an
	// order that has none.
	Payment *billing.Payment `json:"payment,omitempty"`
}

// orderPaymentActor is who pays the orders of a payment as it is paid.
var orderPaymentActor = billkit.SystemActor("provisioning.payment")

// paymentRights lends actor billing's rights on the client that the
// payment of an order needs: a client who may order may pay for the order.
func paymentRights(actor billkit.Actor, client billkit.ClientID) billkit.Actor {
	return actor.WithRights(client, billkit.R(billing.FunctionPayment, billkit.OpCreate), billkit.R(billing.FunctionPayment, billkit.OpRead))
}

// freeByGateway reports whether o is paid by a gateway and costs nothing:
// there is nothing to pay at a gateway, and it is paid at once.
func freeByGateway(o *Order) bool { return o.PayBy == PayByGateway && !o.Total.IsPositive() }

// orderPaymentTx creates, in tx, billing's payment of order o (not stored
// yet, or locked) with method, and sets o.PaymentID. It does nothing
// without a method, or for an order that costs nothing.
func (m *Manager) orderPaymentTx(ctx context.Context, tx Store, actor billkit.Actor, o *Order, method billing.PaymentMethodID) error {
	if method.IsZero() || freeByGateway(o) {
		return nil
	}
	pay, err := m.cfg.Billing.CreatePaymentTx(ctx, tx.Billing(), paymentRights(actor, o.ClientID), billing.CreatePaymentParams{
		ClientID: o.ClientID, MethodID: method, Amount: o.Total, Memo: "Order " + o.ID.String(),
	})
	if err != nil {
		return methodError(err, o)
	}
	o.PaymentID = pay.ID
	return nil
}

// methodError names the method in billing's invalid errors about an
// order's payment: the amount is the order's Total, so what billing finds
// wrong with it (another currency, outside the method's limits) is the
// method's fault, and a method of the balance gateway is no way to pay an
// order by gateway.
func methodError(err error, o *Order) error {
	var e *billkit.Error
	if !errors.As(err, &e) || e.Code != billkit.CodeInvalid || len(e.Fields) == 0 {
		return err
	}
	var v billkit.FieldErrors
	for _, f := range e.Fields {
		switch {
		case f.Reason == billing.ReasonBalanceNeedsInvoice:
			v.Add("method_id", ReasonMethodIsBalance, "is the client's balance: order with pay_by balance")
		case f.Reason == "payment.currency_mismatch" || f.Reason == "payment.currency_unsupported":
			v.Add("method_id", f.Reason, fmt.Sprintf("does not take %s, the order's currency", o.Total.Currency()))
		case f.Field == "amount":
			v.Add("method_id", f.Reason, fmt.Sprintf("cannot pay the order's %s: the amount %s", o.Total, f.Message))
		default:
			v.Add(f.Field, f.Reason, f.Message)
		}
	}
	return v.Err()
}

// orderByGateway checks that o waits at now for a payment by a gateway.
func orderByGateway(o *Order, now time.Time) error {
	if err := orderPayable(o, now); err != nil {
		return err
	}
	if o.PayBy != PayByGateway {
		return billkit.Errorf(billkit.CodeFailedPrecondition, ReasonOrderNotByGateway, "order %s is paid by %s, not by a gateway", o.ID, o.PayBy)
	}
	return nil
}

// PlaceOrder is what a storefront calls: CreateOrder, then, for an order
// paid by a gateway whose payment CreateOrder created (p.MethodID), the
// start of that payment at the gateway with o, as StartOrderPayment
// starts it. It needs what CreateOrder needs, and lends the actor
// billing's rights on the order's payment.
//
// The order is written whatever the gateway does, so that a request
// retried does not order twice: a start that fails is not PlaceOrder's
// error. The answer then holds the payment as it stands (new, without a
// redirect, when the gateway did not answer; failed, with the gateway's
// message, when it refused), and StartOrderPayment starts it, or another,
// again.
func (m *Manager) PlaceOrder(ctx context.Context, actor billkit.Actor, p CreateOrderParams, o billing.StartOptions) (*OrderPayment, error) {
	order, err := m.CreateOrder(ctx, actor, p)
	if err != nil {
		return nil, err
	}
	if order.PaymentID.IsZero() {
		return &OrderPayment{Order: order}, nil
	}
	out, err := m.startOrderPayment(ctx, actor, order, StartOrderPaymentParams{StartOptions: o}, false)
	if err == nil {
		return out, nil
	}
	// The order and its payment are written; the payment is as the start
	// left it.
	ctx = context.WithoutCancel(ctx)
	pay, perr := m.cfg.Billing.GetPayment(ctx, paymentRights(actor, order.ClientID), order.PaymentID)
	if perr != nil {
		return nil, errors.Join(err, perr)
	}
	if cur, gerr := m.store.GetOrder(ctx, order.ID); gerr == nil {
		order = cur
	}
	return &OrderPayment{Order: order, Payment: pay}, nil
}

// StartOrderPayment starts, at its gateway, the payment of a new order
// paid by a gateway, and returns the order and the payment: pending, with
// where to send the client (RedirectURL, Form) or what to tell them
// (Instructions). It is idempotent per order, and is how a client who lost
// the payment page finds it again:
//
//   - an order whose payment is new or pending gets that payment: started
//     again when new (gateways start a payment once by its ID), as it is
//     when pending. p.MethodID, when given, must be its method
//     (failed_precondition ReasonOrderPaymentOpen otherwise: cancel the
//     payment first);
//   - an order with no payment, or whose payment failed or was cancelled,
//     gets a new one with p.MethodID (default: the method of the payment
//     that failed), created and named by the order in one transaction,
//     then started;
//   - an order whose payment is paid already is paid from the balance, as
//     PayOrder pays it.
//
// The gateway is called after the transaction, as billing's StartPayment
// calls it: a gateway that does not answer is unavailable
// billing.ReasonOutcomeUnknown, the payment staying new (billing asks the
// gateway again, and so does StartOrderPayment called again); one that
// refuses fails the payment and is its error.
//
// It needs provisioning.order:edit on the order's client (customers:
// their own; others get order.not_found), and lends the actor billing's
// rights on the order's payment. An order that is not new is
// failed_precondition ReasonOrderNotNew, one past its CancelAt
// ReasonOrderExpired, one not paid by a gateway ReasonOrderNotByGateway;
// a method that cannot pay the order is CreateOrder's invalid error on
// "method_id". Nothing is written then.
func (m *Manager) StartOrderPayment(ctx context.Context, actor billkit.Actor, id OrderID, p StartOrderPaymentParams) (*OrderPayment, error) {
	o, err := m.orderFor(ctx, actor, id, billkit.OpEdit)
	if err != nil {
		return nil, err
	}
	return m.startOrderPayment(ctx, actor, o, p, false)
}

// orderFor reads an order the actor may do op on
// (provisioning.order:<op> on its client); a customer of another client
// gets order.not_found, as for an order that does not exist.
func (m *Manager) orderFor(ctx context.Context, actor billkit.Actor, id OrderID, op billkit.Operation) (*Order, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	o, err := m.store.GetOrder(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := actor.AuthorizeClient(billkit.R(FunctionOrder, op), o.ClientID, billkit.NotFound("order", id)); err != nil {
		return nil, err
	}
	return o, nil
}

// startOrderPayment is StartOrderPayment for an order o (as read before)
// the actor may pay. A payment received already pays the order from the
// balance; when the balance no longer covers it (the money went to other
// charges, or was refunded), replaceReceived makes a new payment instead,
// as for a payment that failed.
func (m *Manager) startOrderPayment(ctx context.Context, actor billkit.Actor, o *Order, p StartOrderPaymentParams, replaceReceived bool) (*OrderPayment, error) {
	if err := orderByGateway(o, m.now()); err != nil {
		return nil, err
	}
	if freeByGateway(o) {
		paid, err := m.payOrder(ctx, actor, o)
		if err != nil {
			return nil, err
		}
		return &OrderPayment{Order: paid}, nil
	}
	received := false
	err := m.store.InTx(ctx, func(tx Store) error {
		cur, err := tx.GetOrderForUpdate(ctx, o.ID)
		if err != nil {
			return err
		}
		if err := orderByGateway(cur, m.now()); err != nil {
			return err
		}
		o, received = cur, false
		method := p.MethodID
		if !cur.PaymentID.IsZero() {
			pay, err := tx.Billing().GetPayment(ctx, cur.PaymentID)
			if err != nil {
				return err
			}
			switch {
			case pay.Status.Unpaid() && !method.IsZero() && method != pay.MethodID:
				return billkit.Errorf(billkit.CodeFailedPrecondition, ReasonOrderPaymentOpen,
					"order %s has payment %s, %s, by another method: cancel it to pay by another", cur.ID, pay.ID, pay.Status)
			case pay.Status.Unpaid():
				return nil
			case pay.Status.Received() && !replaceReceived:
				received = true
				return nil
			}
			if method.IsZero() {
				method = pay.MethodID
			}
		}
		if method.IsZero() {
			return billkit.InvalidField("method_id", "required", "is required: the order has no payment to start again")
		}
		before := *cur
		if err := m.orderPaymentTx(ctx, tx, actor, cur, method); err != nil {
			return err
		}
		now := m.now()
		cur.UpdatedAt = now
		if err := tx.UpdateOrder(ctx, cur); err != nil {
			return err
		}
		return record(ctx, tx, actor, now, FunctionOrder, "payment", cur.ID.String(), cur.ClientID, &before, cur)
	})
	if err != nil {
		return nil, err
	}
	lent := paymentRights(actor, o.ClientID)
	var pay *billing.Payment
	if received {
		// The money is on the balance already: the order is paid from it,
		// or, when it is there no more, by a new payment.
		paid, err := m.payOrder(ctx, actor, o)
		if insufficient(err) {
			return m.startOrderPayment(ctx, actor, o, p, true)
		}
		if err != nil {
			return nil, err
		}
		o = paid
		pay, err = m.cfg.Billing.GetPayment(ctx, lent, o.PaymentID)
	} else {
		pay, err = m.cfg.Billing.StartPayment(ctx, lent, o.PaymentID, p.StartOptions)
	}
	if err != nil {
		return nil, err
	}
	// A payment paid at once (a saved card) may have paid the order.
	if o, err = m.store.GetOrder(ctx, o.ID); err != nil {
		return nil, err
	}
	return &OrderPayment{Order: o, Payment: pay}, nil
}

// PayOrdersOfPayment pays from the client's balance, at once, the new
// orders payment p was for: those that name it (Order.PaymentID, paid by a
// gateway) and those whose proforma it paid (Order.InvoiceID). Wire it to
// billing's Config.OnPaymentPaid (the reference server does): an order is
// then paid, its services created and their opening queued, as soon as its
// payment is, without waiting for the cycle.
//
// Each order is paid as PayOrder pays it, in its own transaction, exactly
// once whoever else pays it at the same time (the cycle, PayOrder, this
// hook twice). An order the balance does not cover, paid or cancelled
// meanwhile, or past its CancelAt is left as it is, without an error; a
// payment that is not paid pays nothing. It returns how many orders it
// paid, and the errors of the others, which the cycle pays later: it pays
// every new order the balance covers, so an order whose hook is missing,
// failed or never ran (the process stopped first) is paid at its next
// run. It acts as the system actor "provisioning.payment".
func (m *Manager) PayOrdersOfPayment(ctx context.Context, p *billing.Payment) (int, error) {
	if p == nil || !p.Status.Received() {
		return 0, nil
	}
	f := OrderFilter{ClientID: p.ClientID, Statuses: []OrderStatus{OrderNew}, PageParams: billkit.PageParams{Limit: 200}}
	n := 0
	var errs []error
	for {
		page, err := m.store.ListOrders(ctx, f)
		if err != nil {
			return n, err
		}
		for i := range page.Items {
			o := &page.Items[i]
			if o.PaymentID != p.ID && (p.InvoiceID.IsZero() || o.InvoiceID != p.InvoiceID) {
				continue
			}
			_, err := m.payOrder(ctx, orderPaymentActor, o)
			switch {
			case err == nil:
				n++
			case orderNotPayableNow(err):
			default:
				errs = append(errs, fmt.Errorf("order %s: %w", o.ID, err))
			}
		}
		if f.Cursor = page.NextCursor; f.Cursor == "" {
			return n, errors.Join(errs...)
		}
	}
}
