package billing_test

import (
	"sync"
	"testing"

	"github.com/billkit/billkit/billing"
)

// concurrentDeliveries is how many times the gateway delivers one "paid"
// callback at once.
const concurrentDeliveries = 100

// deliverConcurrently delivers the callback that reports a payment paid
// concurrentDeliveries times at once, half with the gateway's event ID and
// half without (so that both the event key and the payment's row lock are
// exercised), and checks that the payment was applied exactly once.
func deliverConcurrently(t *testing.T, e *payEnv) {
	t.Helper()
	c := e.client(t, "Acme")
	p := e.pay(t, customer(c.ID), c.ID, e.card, rub("1234.56"))
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		failures []error
		statuses = map[billing.PaymentStatus]int{}
		startAll = make(chan struct{})
	)
	for i := 0; i < concurrentDeliveries; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ev := paidEvent(p, "evt_paid")
			if i%2 == 1 {
				ev.ID = ""
			}
			<-startAll
			got, err := e.callback(e.card, ev)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				failures = append(failures, err)
				return
			}
			statuses[got.Status]++
		}()
	}
	close(startAll)
	wg.Wait()
	if len(failures) > 0 {
		t.Fatalf("%d deliveries failed: %v", len(failures), failures[0])
	}
	if statuses[billing.PaymentPaid] != concurrentDeliveries {
		t.Fatalf("deliveries saw %v, want all paid", statuses)
	}
	if n := e.count(t, "billkit_ledger_entries", "cause_type = ? AND cause_id = ?", "payment", p.ID.String()); n != 1 {
		t.Fatalf("%d ledger entries for the payment, want 1", n)
	}
	if n := e.actions(t, "billing.payment.paid", p.ID.String()); n != 1 {
		t.Fatalf("%d paid transitions, want 1", n)
	}
	if n := e.count(t, "billkit_payment_events", "payment_id = ?", p.ID); n != 1 {
		t.Fatalf("%d events stored, want 1", n)
	}
	e.wantBalance(t, c.ID, "1234.56")
}

// TestPaymentConcurrentCallbacks delivers one "paid" callback 100 times at
// once on SQLite: one ledger entry, one transition.
func TestPaymentConcurrentCallbacks(t *testing.T) {
	deliverConcurrently(t, newPayEnv(t))
}

// TestPaymentConcurrentCallbacksPostgres is TestPaymentConcurrentCallbacks
// on PostgreSQL, where the deliveries really run in parallel transactions.
func TestPaymentConcurrentCallbacksPostgres(t *testing.T) {
	gw := newFakeGateway()
	e := newPostgresEnv(t, billing.Config{Gateways: []billing.Gateway{gw}})
	deliverConcurrently(t, setUpPayEnv(t, e, gw))
}
