package billing

import (
	"context"
	"fmt"
	"time"

	"github.com/billkit/billkit"
	"github.com/shopspring/decimal"
)

// PaymentRefundID identifies a PaymentRefund. It is also the idempotency
// key the gateway gets (RefundRequest.RefundID).
type PaymentRefundID = billkit.ID[PaymentRefund]

// RefundStatus is where a refund is.
type RefundStatus string

// The statuses of a refund.
const (
	// RefundRequested: stored, the gateway asked or about to be; its
	// amount is reserved, so concurrent refunds cannot give back more than
	// was paid. A requested refund whose gateway call had no answer is
	// retried with the same RefundID.
	RefundRequested RefundStatus = "requested"
	// RefundDone: the gateway accepted it, and the money left the balance.
	RefundDone RefundStatus = "done"
	// RefundFailed: the gateway refused it; nothing moved.
	RefundFailed RefundStatus = "failed"
)

// The sources of refunds.
const (
	// RefundSourceBillkit: asked through Service.RefundPayment.
	RefundSourceBillkit = "billkit"
	// RefundSourceGateway: made at the payment service (its dashboard) and
	// learned from a callback.
	RefundSourceGateway = "gateway"
)

// PaymentRefund is money of a paid payment given back to the client.
type PaymentRefund struct {
	ID        PaymentRefundID `json:"id"`
	PaymentID PaymentID       `json:"payment_id"`
	// Amount is what is given back, in the payment's currency.
	Amount billkit.Money `json:"amount"`
	// Debited is what left the balance, in the client's currency, at the
	// payment's rate; set when done.
	Debited billkit.Money `json:"debited"`
	Status  RefundStatus  `json:"status"`
	// Source is RefundSourceBillkit or RefundSourceGateway.
	Source          string `json:"source"`
	GatewayRefundID string `json:"gateway_refund_id,omitempty"`
	// GatewayPending: the gateway accepted the refund but completes it
	// later. The money left the balance when it was accepted.
	GatewayPending bool   `json:"gateway_pending,omitempty"`
	Reason         string `json:"reason,omitempty"`
	// Message is the gateway's explanation of a failure.
	Message   string            `json:"message,omitempty"`
	ActorKind billkit.ActorKind `json:"actor_kind"`
	ActorID   string            `json:"actor_id"`
	CreatedAt time.Time         `json:"created_at"`
	UpdatedAt time.Time         `json:"updated_at"`
}

// RefundParams asks for a refund.
type RefundParams struct {
	// Amount is what to give back: positive, in the payment's currency, at
	// most what is left of the payment.
	Amount billkit.Money `json:"amount"`
	Reason string        `json:"reason,omitempty"`
	// RefundID, when set, is the refund's ID and idempotency key: a call
	// repeated with the same RefundID (after a timeout, say) asks the
	// gateway with the same key and applies the refund once. Default: a new
	// ID.
	RefundID PaymentRefundID `json:"refund_id,omitzero"`
}

// RefundPayment gives back all or part of a paid payment. The gateway must
// refund (Capabilities().Refund; PartialRefund for a part), else
// failed_precondition ReasonRefundUnsupported; the manual gateway records a
// refund staff make by hand. More than is left is invalid ReasonRefundExceeds.
//
// It works in three steps so that the gateway is called outside any
// transaction and the money moves exactly once: the refund is stored as
// requested (its amount reserved), the gateway is asked with the refund's
// ID as idempotency key, then, in one transaction, the payment's Refunded
// and status (partly_refunded, refunded) change and a LedgerRefund entry
// debits the client's balance, at the payment's original rate, even below
// the credit limit (the money has left). When the gateway does not answer,
// the refund stays requested and the error is unavailable
// "payment.refund_unknown": repeat the call with p.RefundID set to the
// refund's ID (the error's message names it). When it refuses, the refund
// fails and the gateway's error is returned.
//
// It needs billing.payment:edit; customers may not refund (forbidden
// "billing.staff_only"). A refund of an invoice's payment does not reopen
// the invoice: that is a credit note's business.
func (s *Service) RefundPayment(ctx context.Context, actor billkit.Actor, id PaymentID, rp RefundParams) (*PaymentRefund, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	var v billkit.FieldErrors
	if v.Check(rp.Amount.Currency() != "", "amount", "required", "is required") {
		v.Check(rp.Amount.IsPositive(), "amount", "payment.amount_not_positive", "must be more than zero")
	}
	reason := text(&v, "reason", rp.Reason, 1000, false)
	if err := v.Err(); err != nil {
		return nil, err
	}
	p, err := s.paymentFor(ctx, actor, id, billkit.OpEdit)
	if err != nil {
		return nil, err
	}
	if actor.Kind == billkit.ActorCustomer {
		return nil, billkit.Errorf(billkit.CodeForbidden, paymentStaffOnly, "only staff refund payments")
	}
	cur := p.Amount.Currency()
	if v.Check(rp.Amount.Currency() == cur, "amount", "payment.currency_mismatch", fmt.Sprintf("must be in %s, the payment's currency", cur)) {
		digits, err := currencyDigits(ctx, s.store, cur)
		if err != nil {
			return nil, err
		}
		v.Check(rp.Amount.Amount().Round(digits).Equal(rp.Amount.Amount()), "amount", "payment.too_many_decimals",
			fmt.Sprintf("must have at most %d decimals for %s", digits, cur))
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	g, err := s.gateway(p.Gateway)
	if err != nil {
		return nil, billkit.WrapError(err, billkit.CodeFailedPrecondition, ReasonGatewayUnknown, fmt.Sprintf("gateway %q is not configured", p.Gateway))
	}
	caps := g.Capabilities()
	if !caps.Refund {
		return nil, billkit.Errorf(billkit.CodeFailedPrecondition, ReasonRefundUnsupported, "gateway %s cannot refund", g.Code())
	}
	m, err := s.store.GetPaymentMethod(ctx, p.MethodID)
	if err != nil {
		return nil, err
	}
	refundID := rp.RefundID
	if refundID.IsZero() {
		newID(&refundID)
	}

	// 1. Reserve the amount.
	var r *PaymentRefund
	err = s.store.InTx(ctx, func(tx Store) error {
		cur, err := tx.LockPayment(ctx, id)
		if err != nil {
			return err
		}
		ex, err := tx.GetPaymentRefund(ctx, refundID)
		if err == nil {
			if ex.PaymentID != id || !ex.Amount.Equal(rp.Amount) {
				return billkit.Errorf(billkit.CodeConflict, "payment_refund.key_reused", "refund %s is of another payment or amount", refundID)
			}
			r = ex
			return nil
		}
		if !billkit.IsCode(err, billkit.CodeNotFound) {
			return err
		}
		if cur.Status != PaymentPaid && cur.Status != PaymentPartlyRefunded {
			return billkit.Errorf(billkit.CodeFailedPrecondition, ReasonPaymentTransition, "payment %s is %s: nothing to refund", id, cur.Status)
		}
		inflight, _, err := refundTotals(ctx, tx, id)
		if err != nil {
			return err
		}
		left := cur.refundable().Sub(inflight)
		if rp.Amount.Amount().GreaterThan(left) {
			return billkit.InvalidField("amount", ReasonRefundExceeds, fmt.Sprintf("must be at most %s, what is left of the payment", left))
		}
		whole := rp.Amount.Equal(cur.Amount) && cur.Refunded.IsZero() && inflight.IsZero()
		if !caps.PartialRefund && !whole {
			return billkit.Errorf(billkit.CodeFailedPrecondition, ReasonRefundUnsupported, "gateway %s refunds whole payments only", g.Code())
		}
		now := s.now()
		r = &PaymentRefund{
			ID: refundID, PaymentID: id, Amount: rp.Amount, Status: RefundRequested, Source: RefundSourceBillkit,
			Reason: reason, ActorKind: actor.Kind, ActorID: actor.ID, CreatedAt: now, UpdatedAt: now,
		}
		if err := tx.InsertPaymentRefund(ctx, r); err != nil {
			return err
		}
		return record(ctx, tx, actor, now, FunctionPayment, "refund_request", r.ID.String(), cur.ClientID, nil, r)
	})
	if err != nil {
		return nil, err
	}
	switch r.Status {
	case RefundDone:
		return r, nil
	case RefundFailed:
		return nil, billkit.Errorf(billkit.CodeFailedPrecondition, "payment_refund.failed", "refund %s failed: %s", r.ID, r.Message)
	}

	// 2. Ask the gateway, outside any transaction.
	req := RefundRequest{PaymentID: id, GatewayPaymentID: p.GatewayPaymentID, RefundID: r.ID.String(), Amount: r.Amount, Reason: r.Reason, Settings: settingsOf(m)}
	res, err := callGateway(ctx, func(ctx context.Context) (RefundResult, error) { return g.Refund(ctx, req) })
	wctx := context.WithoutCancel(ctx)
	if err != nil {
		if !gatewayRefused(err) {
			return nil, &billkit.Error{Code: billkit.CodeUnavailable, Reason: "payment.refund_unknown",
				Message: fmt.Sprintf("the gateway did not answer; repeat the refund with refund_id %s", r.ID), Err: err}
		}
		refused := err
		ferr := s.store.InTx(wctx, func(tx Store) error {
			fr, err := tx.GetPaymentRefund(wctx, r.ID)
			if err != nil || fr.Status != RefundRequested {
				return err
			}
			before := *fr
			fr.Status, fr.Message, fr.UpdatedAt = RefundFailed, truncate(refused.Error(), 1000), s.now()
			if err := tx.UpdatePaymentRefund(wctx, fr); err != nil {
				return err
			}
			return record(wctx, tx, actor, fr.UpdatedAt, FunctionPayment, "refund_fail", fr.ID.String(), p.ClientID, &before, fr)
		})
		if ferr != nil {
			return nil, ferr
		}
		return nil, err
	}

	// 3. Apply it, once.
	var out *PaymentRefund
	err = s.store.InTx(wctx, func(tx Store) error {
		cur, err := tx.LockPayment(wctx, id)
		if err != nil {
			return err
		}
		rr, err := tx.GetPaymentRefund(wctx, r.ID)
		if err != nil {
			return err
		}
		out = rr
		if rr.Status != RefundRequested {
			return nil // a concurrent retry applied it
		}
		rr.GatewayRefundID, rr.GatewayPending = truncate(res.GatewayRefundID, 200), res.Pending
		return s.completeRefund(wctx, tx, actor, cur, rr)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// refundTotals sums a payment's requested refunds (in the payment's
// currency) and what its done refunds debited (in the client's).
func refundTotals(ctx context.Context, tx Store, id PaymentID) (inflight, debited decimal.Decimal, err error) {
	list, err := tx.ListPaymentRefunds(ctx, id)
	if err != nil {
		return decimal.Zero, decimal.Zero, err
	}
	for _, r := range list {
		switch r.Status {
		case RefundRequested:
			inflight = inflight.Add(r.Amount.Amount())
		case RefundDone:
			debited = debited.Add(r.Debited.Amount())
		}
	}
	return inflight, debited, nil
}

// completeRefund applies a requested refund of cur, locked in tx: the
// payment's Refunded and status, the ledger debit, the refund done.
func (s *Service) completeRefund(ctx context.Context, tx Store, actor billkit.Actor, cur *Payment, r *PaymentRefund) error {
	_, debitedBefore, err := refundTotals(ctx, tx, cur.ID)
	if err != nil {
		return err
	}
	refunded, err := cur.Refunded.Add(r.Amount)
	if err != nil {
		return err
	}
	status := PaymentPartlyRefunded
	if refunded.Amount().Equal(cur.Amount.Amount()) {
		status = PaymentRefunded
	}
	if refunded.Amount().GreaterThan(cur.Amount.Amount()) || !PaymentTransition(cur.Status, status) {
		return billkit.Errorf(billkit.CodeFailedPrecondition, ReasonPaymentTransition, "payment %s is %s with %s refunded: %s more cannot be refunded", cur.ID, cur.Status, cur.Refunded, r.Amount)
	}
	// The client gets back what the refund was worth when it was paid: the
	// payment's rate; the last refund takes exactly what is left, so the
	// refunds add up to the credit whatever the rounding.
	credited := cur.Credited
	left := credited.Amount().Sub(debitedBefore)
	debit := r.Amount.Amount()
	if cur.Rate != nil {
		digits, err := currencyDigits(ctx, tx, credited.Currency())
		if err != nil {
			return err
		}
		debit = debit.Mul(*cur.Rate).Round(digits)
	}
	if status == PaymentRefunded || debit.GreaterThan(left) {
		debit = left
	}
	now := s.now()
	before := *cur
	cur.Refunded, cur.Status, cur.UpdatedAt = refunded, status, now
	if err := tx.UpdatePayment(ctx, cur); err != nil {
		return err
	}
	if debit.IsPositive() {
		amount, err := billkit.NewMoney(debit.Neg(), credited.Currency())
		if err != nil {
			return err
		}
		memo := r.Reason
		if memo == "" {
			memo = "Refund of payment " + cur.ID.String()
		}
		_, err = s.PostTx(ctx, tx, poster(actor, cur.ClientID), PostParams{
			ClientID: cur.ClientID, Amount: amount, Kind: LedgerRefund, CauseType: "payment_refund", CauseID: r.ID.String(),
			Memo: memo, Rate: cur.Rate, AllowBelowLimit: true,
		})
		if err != nil {
			return err
		}
	}
	if r.Debited, err = billkit.NewMoney(debit, credited.Currency()); err != nil {
		return err
	}
	r.Status, r.UpdatedAt = RefundDone, now
	if err := tx.UpdatePaymentRefund(ctx, r); err != nil {
		return err
	}
	return record(ctx, tx, actor, now, FunctionPayment, "refund", cur.ID.String(), cur.ClientID, &before, cur)
}

// applyExternalRefund applies, in tx, a gateway's report that more of cur
// was refunded than billkit knows of (a refund made in the payment
// service's dashboard): the difference becomes a refund of source
// RefundSourceGateway. Refunds billkit asked for and is applying are
// counted as known, so a fast callback does not apply them twice.
func (s *Service) applyExternalRefund(ctx context.Context, tx Store, actor billkit.Actor, cur *Payment, o outcome) error {
	total := o.refunded
	if total.Currency() == "" && o.status == PaymentRefunded {
		total = cur.Amount
	}
	if total.Currency() != cur.Amount.Currency() {
		return nil // nothing billkit can read
	}
	inflight, _, err := refundTotals(ctx, tx, cur.ID)
	if err != nil {
		return err
	}
	diff := total.Amount().Sub(cur.Refunded.Amount()).Sub(inflight)
	diff = decimal.Min(diff, cur.refundable().Sub(inflight))
	if !diff.IsPositive() {
		return nil
	}
	amount, err := billkit.NewMoney(diff, total.Currency())
	if err != nil {
		return err
	}
	now := s.now()
	r := &PaymentRefund{
		PaymentID: cur.ID, Amount: amount, Status: RefundRequested, Source: RefundSourceGateway,
		Reason: "refunded at the payment service", ActorKind: actor.Kind, ActorID: actor.ID, CreatedAt: now, UpdatedAt: now,
	}
	newID(&r.ID)
	if err := tx.InsertPaymentRefund(ctx, r); err != nil {
		return err
	}
	return s.completeRefund(ctx, tx, actor, cur, r)
}

// ListPaymentRefunds lists a payment's refunds, oldest first. It needs
// billing.payment:read on the payment's client.
func (s *Service) ListPaymentRefunds(ctx context.Context, actor billkit.Actor, id PaymentID) ([]PaymentRefund, error) {
	if _, err := s.paymentFor(ctx, actor, id, billkit.OpRead); err != nil {
		return nil, err
	}
	return s.store.ListPaymentRefunds(ctx, id)
}
