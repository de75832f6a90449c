package billing_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/shopspring/decimal"
)

// TestExpenseCoverageProperty runs random sequences of payments, charges
// (forced or not), refunds both ways, adjustments both ways and ledger
// debits on two clients, one with a credit limit, and checks after every
// step that:
//
//   - the auditor is clean (every expense covered within its amount and by
//     the sum of its allocations; no credit allocated beyond its amount;
//     open debt = max(0, -balance));
//   - ClientDebt's total is max(0, -balance);
//   - a client's expenses, oldest first, are covered, then at most one
//     partly, then not at all: money pays the oldest debt first and
//     refunds take back the newest coverage first.
func TestExpenseCoverageProperty(t *testing.T) {
	seeds := 12
	steps := 60
	if testing.Short() {
		seeds, steps = 3, 60
	}
	var releases, ledgerDebts, partial int
	for seed := 1; seed <= seeds; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			e := runCoverageProperty(t, uint64(seed), steps)
			releases += e.count(t, "billkit_expense_allocations", "amount LIKE '-%'")
			ledgerDebts += e.count(t, "billkit_ledger_debts", "1 = 1")
			partial += e.count(t, "billkit_expenses", "status = 'partly_paid'")
		})
	}
	// The sequences reach every path: releases, debits that are not
	// expenses left as debt, expenses partly paid.
	if releases == 0 || ledgerDebts == 0 || partial == 0 {
		t.Fatalf("the random sequences made %d releases, %d ledger debts, %d partly paid expenses", releases, ledgerDebts, partial)
	}
}

func runCoverageProperty(t *testing.T, seed uint64, steps int) *env {
	e := newEnv(t)
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	clients := []*billing.Client{e.client(t, "Plain"), e.limitedClient(t, "Limited", "150")}
	amount := func() string {
		cents := r.IntN(15000) + 1
		if r.IntN(4) == 0 {
			cents = (r.IntN(20) + 1) * 100 // round amounts meet exactly
		}
		return decimal.New(int64(cents), -2).StringFixed(2)
	}
	for step := 0; step < steps; step++ {
		c := clients[r.IntN(len(clients))]
		a := amount()
		var (
			err  error
			what string
		)
		switch op := r.IntN(9); op {
		case 0, 1:
			what = "payment " + a
			_, err = e.svc.Post(ctx, system, billing.PostParams{ClientID: c.ID, Amount: rub(a), Kind: billing.LedgerPayment,
				CauseType: "payment", CauseID: billkit.NewID[billing.Payment]().String()})
		case 2, 3:
			forced := r.IntN(3) == 0
			what = fmt.Sprintf("charge %s (forced %v)", a, forced)
			_, err = e.svc.Charge(ctx, system, billing.ChargeParams{ClientID: c.ID, Kind: billing.ExpensePeriod, Amount: rub(a),
				Description: what, AllowBelowLimit: forced})
		case 4:
			what = "refund to the card " + a
			_, err = e.svc.Post(ctx, system, billing.PostParams{ClientID: c.ID, Amount: rub("-" + a), Kind: billing.LedgerRefund, AllowBelowLimit: r.IntN(2) == 0})
		case 5:
			what = "refund to the balance " + a
			_, err = e.svc.Post(ctx, system, billing.PostParams{ClientID: c.ID, Amount: rub(a), Kind: billing.LedgerRefund})
		case 6:
			what = "adjustment debit " + a
			_, err = e.svc.Post(ctx, system, billing.PostParams{ClientID: c.ID, Amount: rub("-" + a), Kind: billing.LedgerAdjustment, AllowBelowLimit: true})
		case 7:
			what = "adjustment credit " + a
			_, err = e.svc.Post(ctx, system, billing.PostParams{ClientID: c.ID, Amount: rub(a), Kind: billing.LedgerAdjustment})
		case 8:
			what = "ledger expense " + a
			_, err = e.svc.Post(ctx, system, billing.PostParams{ClientID: c.ID, Amount: rub("-" + a), Kind: billing.LedgerExpense})
		}
		if err != nil && billkit.ErrorReason(err) != billing.ReasonInsufficientFunds {
			t.Fatalf("step %d, %s of %s: %v", step, what, c.Name, err)
		}
		if r.IntN(3) > 0 { // a third of the steps share their instant with the one before
			e.clock.Advance(time.Duration(r.IntN(100)+1) * time.Second)
		}
		found, aerr := e.svc.Audit(ctx)
		if aerr != nil {
			t.Fatal(aerr)
		}
		if len(found) > 0 {
			t.Fatalf("step %d, %s of %s: audit found %+v", step, what, c.Name, found)
		}
		for _, cl := range clients {
			checkCoverageOrder(t, e, cl, fmt.Sprintf("step %d, %s of %s", step, what, c.Name))
		}
	}
	return e
}

// checkCoverageOrder checks ClientDebt against the balance and the order of
// coverage of the client's expenses.
func checkCoverageOrder(t *testing.T, e *env, c *billing.Client, when string) {
	t.Helper()
	bal, err := e.svc.Balance(ctx, system, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	debt, err := e.svc.ClientDebt(ctx, system, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := decimal.Max(decimal.Zero, bal.Amount().Neg()); !debt.Total.Amount().Equal(want) {
		t.Fatalf("%s: %s owes %s with a balance of %s", when, c.Name, debt.Total, bal)
	}
	page, err := e.svc.ListExpenses(ctx, system, billing.ExpenseFilter{ClientID: c.ID, PageParams: billkit.PageParams{Limit: billkit.MaxPageLimit}})
	if err != nil {
		t.Fatal(err)
	}
	// 2: covered, 1: partly, 0: not at all; never increasing.
	state := 2
	for _, x := range page.Items {
		s := 1
		switch {
		case x.Covered.Equal(x.Amount):
			s = 2
		case x.Covered.IsZero():
			s = 0
		}
		if s > state || (s == 1 && state == 1) {
			t.Fatalf("%s: %s's expenses are not covered oldest first: %s covered %s after a debt", when, c.Name, x.Amount, x.Covered)
		}
		state = s
	}
}
