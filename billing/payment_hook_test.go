package billing_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/store/storetest"
)

// paidHook records the payments Config.OnPaymentPaid is called with, and
// the client's balance each call could read: the hook runs after the
// transaction, so the money is there (and, on SQLite's one connection, a
// read inside the transaction would never return).
type paidHook struct {
	mu       sync.Mutex
	env      *payEnv
	paid     []billing.Payment
	balances []billkit.Money
}

func (h *paidHook) call(ctx context.Context, p *billing.Payment) {
	b, err := h.env.svc.Balance(ctx, system, p.ClientID)
	if err != nil {
		panic(err)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.paid = append(h.paid, *p)
	h.balances = append(h.balances, b)
}

func (h *paidHook) calls() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.paid)
}

// newHookEnv is newPayEnv whose billing calls a paidHook.
func newHookEnv(t *testing.T) (*payEnv, *paidHook) {
	t.Helper()
	gw := newFakeGateway()
	h := &paidHook{}
	e := setUpPayEnv(t, newEnvOn(t, storetest.NewMemory(t), billing.Config{Gateways: []billing.Gateway{gw}, OnPaymentPaid: h.call}), gw)
	h.env = e
	return e, h
}

func TestOnPaymentPaidOnceAfterCommit(t *testing.T) {
	e, h := newHookEnv(t)
	c := e.client(t, "Acme")

	// Started, pending: not paid yet.
	p := e.pay(t, customer(c.ID), c.ID, e.card, rub("300"))
	if h.calls() != 0 {
		t.Fatalf("hook called for a pending payment: %+v", h.paid)
	}
	// The callback pays it: one call, with the money on the balance.
	if _, err := e.callback(e.card, paidEvent(p, "evt_1")); err != nil {
		t.Fatal(err)
	}
	if h.calls() != 1 || h.paid[0].ID != p.ID || h.paid[0].Status != billing.PaymentPaid || !h.paid[0].Credited.Equal(rub("300")) {
		t.Fatalf("hook calls = %+v", h.paid)
	}
	if !h.balances[0].Equal(rub("300")) {
		t.Fatalf("balance seen by the hook = %s, want 300", h.balances[0])
	}
	// The same news again, under another event ID or the same: no call.
	for _, id := range []string{"evt_1", "evt_2"} {
		if _, err := e.callback(e.card, paidEvent(p, id)); err != nil {
			t.Fatal(err)
		}
	}
	if h.calls() != 1 {
		t.Fatalf("hook called again: %d calls", h.calls())
	}

	// A payment that fails calls nothing.
	f := e.pay(t, customer(c.ID), c.ID, e.card, rub("50"))
	if _, err := e.callback(e.card, fakeEvent{ID: "evt_3", GatewayID: f.GatewayPaymentID, Status: "failed"}); err != nil {
		t.Fatal(err)
	}
	// A transfer staff confirm calls it.
	m, err := e.svc.CreatePayment(ctx, customer(c.ID), billing.CreatePaymentParams{ClientID: c.ID, MethodID: e.manual.ID, Amount: rub("20")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.ConfirmPayment(ctx, system, m.ID, "transfer 7"); err != nil {
		t.Fatal(err)
	}
	// A payment the gateway completes at once (a saved card) calls it.
	e.gw.set(func(g *fakeGateway) {
		g.start = func(r billing.StartPaymentRequest) (billing.StartPaymentResult, error) {
			return billing.StartPaymentResult{GatewayPaymentID: "fk_now", Status: billing.PaymentPaid}, nil
		}
	})
	now := e.pay(t, customer(c.ID), c.ID, e.card, rub("5"))
	// One whose start went unanswered, paid by the reconciliation, calls it.
	e.gw.set(func(g *fakeGateway) {
		g.start = func(billing.StartPaymentRequest) (billing.StartPaymentResult, error) {
			return billing.StartPaymentResult{}, errors.New("connection reset")
		}
	})
	_, err = e.svc.Pay(ctx, customer(c.ID), billing.PayParams{CreatePaymentParams: billing.CreatePaymentParams{ClientID: c.ID, MethodID: e.card.ID, Amount: rub("7")}})
	wantCode(t, err, billkit.CodeUnavailable, billing.ReasonOutcomeUnknown)
	e.gw.set(func(g *fakeGateway) {
		g.query = func(r billing.QueryPaymentRequest) (billing.GatewayReport, error) {
			return billing.GatewayReport{PaymentID: r.PaymentID, GatewayPaymentID: "fk_late", Status: billing.PaymentPaid, Amount: rub("7")}, nil
		}
	})
	e.clock.Advance(time.Minute)
	if n, err := e.svc.ReconcilePayments(ctx, system); err != nil || n != 1 {
		t.Fatalf("ReconcilePayments = %d, %v", n, err)
	}

	want := []string{p.ID.String(), m.ID.String(), now.ID.String()}
	if h.calls() != 4 {
		t.Fatalf("hook calls = %d, want 4", h.calls())
	}
	for i, id := range want {
		if h.paid[i].ID.String() != id {
			t.Errorf("call %d is for %s, want %s", i, h.paid[i].ID, id)
		}
	}
	if last := h.paid[3]; last.GatewayPaymentID != "fk_late" || last.Status != billing.PaymentPaid {
		t.Fatalf("last call = %+v", last)
	}
	if !h.balances[3].Equal(rub("332")) {
		t.Fatalf("balance seen by the last call = %s, want 332", h.balances[3])
	}
}

func TestCreatePaymentTx(t *testing.T) {
	e := newPayEnv(t)
	c := e.client(t, "Acme")
	params := billing.CreatePaymentParams{ClientID: c.ID, MethodID: e.card.ID, Amount: rub("120"), Memo: "Order 1"}

	// Rolled back with the caller's transaction: nothing is left.
	rollback := errors.New("the caller's write failed")
	err := e.st.Billing().InTx(ctx, func(tx billing.Store) error {
		if _, err := e.svc.CreatePaymentTx(ctx, tx, customer(c.ID), params); err != nil {
			return err
		}
		return rollback
	})
	if !errors.Is(err, rollback) {
		t.Fatalf("InTx = %v", err)
	}
	if n := e.count(t, "billkit_payments", "1 = 1"); n != 0 {
		t.Fatalf("%d payments after a rollback", n)
	}

	// Committed with it: a new payment, not started.
	var p *billing.Payment
	err = e.st.Billing().InTx(ctx, func(tx billing.Store) error {
		var err error
		p, err = e.svc.CreatePaymentTx(ctx, tx, customer(c.ID), params)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	got := e.get(t, p.ID)
	if got.Status != billing.PaymentNew || got.Attempts != 0 || !got.CheckAfter.IsZero() || got.Memo != "Order 1" || !got.Amount.Equal(rub("120")) {
		t.Fatalf("payment = %+v", got)
	}
	if started, err := e.svc.StartPayment(ctx, customer(c.ID), p.ID, billing.StartOptions{}); err != nil || started.Status != billing.PaymentPending || started.RedirectURL == "" {
		t.Fatalf("StartPayment = %+v, %v", started, err)
	}

	// Checked as CreatePayment checks, through the transaction.
	err = e.st.Billing().InTx(ctx, func(tx billing.Store) error {
		_, err := e.svc.CreatePaymentTx(ctx, tx, customer(c.ID), billing.CreatePaymentParams{ClientID: c.ID, MethodID: e.eurCard.ID, Amount: rub("120")})
		return err
	})
	wantField(t, err, "amount", "payment.currency_mismatch")
	err = e.st.Billing().InTx(ctx, func(tx billing.Store) error {
		_, err := e.svc.CreatePaymentTx(ctx, tx, customer(billkit.NewClientID()), params)
		return err
	})
	wantCode(t, err, billkit.CodeNotFound, "")
	_, err = e.svc.CreatePaymentTx(ctx, nil, system, params)
	wantField(t, err, "tx", "required")
	if n := e.count(t, "billkit_payments", "1 = 1"); n != 1 {
		t.Fatalf("%d payments, want 1", n)
	}
}
