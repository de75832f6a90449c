package billing_test

import (
	"strconv"
	"sync"
	"testing"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
)

// TestExpenseConcurrentChargesPostgres runs charges (some forced below the
// limit) and payments of one client at the same time on PostgreSQL: the
// postings serialize on the client's balance, so every charge sees the
// allocations of those before it. Afterwards the auditor is clean, the debt
// is max(0, -balance), and expenses are covered oldest first.
func TestExpenseConcurrentChargesPostgres(t *testing.T) {
	e := newPostgresEnv(t, billing.Config{})
	c := e.limitedClient(t, "Acme", "0")
	e.xPay(t, c.ID, "20.00")

	const charges, forced, payments = 30, 10, 10
	var (
		wg         sync.WaitGroup
		mu         sync.Mutex
		ok         int
		unexpected []error
		startAll   = make(chan struct{})
	)
	run := func(f func() error, charge bool) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-startAll
			err := f()
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				if charge {
					ok++
				}
			case charge && billkit.ErrorReason(err) == billing.ReasonInsufficientFunds:
			default:
				unexpected = append(unexpected, err)
			}
		}()
	}
	for i := 0; i < charges; i++ {
		run(func() error {
			_, err := e.svc.Charge(ctx, system, billing.ChargeParams{ClientID: c.ID, Kind: billing.ExpensePeriod, Amount: rub("1.00"), Description: "hour"})
			return err
		}, true)
	}
	for i := 0; i < forced; i++ {
		run(func() error {
			_, err := e.svc.Charge(ctx, system, billing.ChargeParams{ClientID: c.ID, Kind: billing.ExpenseManual, Amount: rub("1.50"), Description: "forced", AllowBelowLimit: true})
			return err
		}, false)
	}
	for i := 0; i < payments; i++ {
		run(func() error {
			_, err := e.svc.Post(ctx, system, billing.PostParams{ClientID: c.ID, Amount: rub("2.00"), Kind: billing.LedgerPayment,
				CauseType: "payment", CauseID: billkit.NewID[billing.Payment]().String()})
			return err
		}, false)
	}
	close(startAll)
	wg.Wait()
	if len(unexpected) > 0 {
		t.Fatalf("unexpected errors: %v", unexpected)
	}
	// Whatever the order, the first 5.00 left after the forced charges
	// pays five of them.
	if ok < 5 {
		t.Fatalf("only %d charges of 1.00 succeeded", ok)
	}
	bal, err := e.svc.Balance(ctx, system, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	// 20 + 10 × 2.00 - ok × 1.00 - 10 × 1.50
	if want := rub("25").Amount().Sub(rub("1").Amount().Mul(dec(strconv.Itoa(ok)))); !bal.Amount().Equal(want) {
		t.Fatalf("balance = %s, want %s", bal, want)
	}
	if n := e.count(t, "billkit_expenses", "client_id = ?", c.ID); n != ok+forced {
		t.Fatalf("%d expenses, want %d", n, ok+forced)
	}
	e.xAudit(t)
	checkCoverageOrder(t, e, c, "after the concurrent postings")
}
