package billing_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/store/storetest"
	"github.com/shopspring/decimal"
)

// TestChargeBatchMatchesChargeTx makes the same random charges on two
// identical worlds, one charge at a time with ChargeTx on the first and in
// one ChargeBatchTx on the second, and checks that they end the same: each
// charge refused or made alike, with the same coverage; the same balances,
// debts, allocations and action log; and the auditor clean on both. The
// clients have several payments, a credit limit, none, or no balance at
// all (the path that falls back to ChargeTx).
func TestChargeBatchMatchesChargeTx(t *testing.T) {
	seeds := 8
	if testing.Short() {
		seeds = 3
	}
	for seed := 1; seed <= seeds; seed++ {
		t.Run(fmt.Sprint("sqlite/seed", seed), func(t *testing.T) {
			compareChargeBatch(t, newEnv(t), newEnv(t), uint64(seed))
		})
	}
	if os.Getenv(storetest.PostgresDSNEnv) != "" || os.Getenv("CI") != "" {
		t.Run("postgres", func(t *testing.T) {
			compareChargeBatch(t, newPostgresEnv(t, billing.Config{}), newPostgresEnv(t, billing.Config{}), 99)
		})
	}
}

func compareChargeBatch(t *testing.T, one, batch *env, seed uint64) {
	r := rand.New(rand.NewPCG(seed, 0xba7c))
	type world struct {
		e       *env
		clients []billkit.ClientID
	}
	worlds := []*world{{e: one}, {e: batch}}
	// The same clients and payments on both worlds.
	kinds := []string{"paid", "paid", "limited", "empty", "fresh"}
	pays := make([][]string, len(kinds))
	for i, k := range kinds {
		if k == "paid" || k == "limited" {
			for range r.IntN(4) + 1 {
				pays[i] = append(pays[i], decimal.New(int64(r.IntN(20000)+100), -2).StringFixed(2))
			}
		}
	}
	for _, w := range worlds {
		for i, k := range kinds {
			var c *billing.Client
			if k == "limited" {
				c = w.e.limitedClient(t, fmt.Sprintf("%s %d", k, i), "100")
			} else {
				c = w.e.client(t, fmt.Sprintf("%s %d", k, i))
			}
			for _, a := range pays[i] {
				w.e.xPay(t, c.ID, a)
			}
			if k == "empty" {
				w.e.xPay(t, c.ID, "10.00")
				w.e.xCharge(t, c.ID, "10.00")
			}
			w.clients = append(w.clients, c.ID)
		}
	}
	type draft struct {
		client int
		amount string
		forced bool
	}
	var drafts []draft
	for range 40 {
		drafts = append(drafts, draft{client: r.IntN(len(kinds)), amount: decimal.New(int64(r.IntN(9000)+1), -2).StringFixed(2), forced: r.IntN(5) == 0})
	}
	// One charge with an amount in another currency: refused alike.
	drafts = append(drafts, draft{client: 0, amount: "bad"})
	charges := func(w *world) []billing.BatchCharge {
		out := make([]billing.BatchCharge, len(drafts))
		for i, d := range drafts {
			var amount billkit.Money
			if d.amount == "bad" {
				amount = billkit.MustParseMoney("1.00", "USD")
			} else {
				amount = rub(d.amount)
			}
			out[i] = billing.BatchCharge{Actor: system, Params: billing.ChargeParams{
				ClientID: w.clients[d.client], Kind: billing.ExpensePeriod, Amount: amount,
				Description: fmt.Sprintf("charge %d", i), AllowBelowLimit: d.forced, CauseType: "service", CauseID: fmt.Sprint(i),
				// Every third charge is recorded by its caller's action.
				RecordedByCaller: i%3 == 0,
			}}
		}
		return out
	}

	var want []billing.ChargeOutcome
	err := one.st.Billing().InTx(ctx, func(tx billing.Store) error {
		for _, c := range charges(worlds[0]) {
			x, err := one.svc.ChargeTx(ctx, tx, c.Actor, c.Params)
			want = append(want, billing.ChargeOutcome{Expense: x, Err: err})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	created := batch.count(t, "billkit_actions", "name = 'billing.expense.create'")
	var got []billing.ChargeOutcome
	err = batch.st.Billing().InTx(ctx, func(tx billing.Store) error {
		var err error
		got, err = batch.svc.ChargeBatchTx(ctx, tx, charges(worlds[1]))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%d outcomes, want %d", len(got), len(want))
	}
	refusals, ownActions := 0, 0
	for i := range want {
		w, g := want[i], got[i]
		if g.Err == nil && i%3 != 0 {
			ownActions++
		}
		if (w.Err == nil) != (g.Err == nil) || billkit.ErrorReason(w.Err) != billkit.ErrorReason(g.Err) {
			t.Fatalf("charge %d (%+v): batch gave %v, one by one %v", i, drafts[i], g.Err, w.Err)
		}
		if w.Err != nil {
			refusals++
			continue
		}
		if !w.Expense.Amount.Equal(g.Expense.Amount) || !w.Expense.Covered.Equal(g.Expense.Covered) {
			t.Fatalf("charge %d: batch expense %s covered %s, one by one %s covered %s", i,
				g.Expense.Amount, g.Expense.Covered, w.Expense.Amount, w.Expense.Covered)
		}
	}
	if refusals < 2 || refusals == len(want) {
		t.Fatalf("%d of %d charges refused: the draw does not test both ways", refusals, len(want))
	}
	for k := range kinds {
		a, b := worlds[0].clients[k], worlds[1].clients[k]
		wb, err := one.svc.Balance(ctx, system, a)
		if err != nil {
			t.Fatal(err)
		}
		gb, err := batch.svc.Balance(ctx, system, b)
		if err != nil {
			t.Fatal(err)
		}
		if !wb.Equal(gb) {
			t.Fatalf("client %d (%s): batch balance %s, one by one %s", k, kinds[k], gb, wb)
		}
		wd, err := one.svc.ClientDebt(ctx, system, a)
		if err != nil {
			t.Fatal(err)
		}
		gd, err := batch.svc.ClientDebt(ctx, system, b)
		if err != nil {
			t.Fatal(err)
		}
		if !wd.Total.Equal(gd.Total) {
			t.Fatalf("client %d: batch debt %s, one by one %s", k, gd.Total, wd.Total)
		}
	}
	for _, q := range []struct{ table, where string }{
		{"billkit_expense_allocations", "1 = 1"},
		{"billkit_credit_usage", "1 = 1"},
		{"billkit_ledger_entries", "1 = 1"},
		{"billkit_actions", "name = 'billing.ledger.post'"},
		{"billkit_actions", "name = 'billing.expense.create'"},
	} {
		if w, g := one.count(t, q.table, q.where), batch.count(t, q.table, q.where); w != g {
			t.Fatalf("%s where %s: %d rows after the batch, %d one by one", q.table, q.where, g, w)
		}
	}
	if n := batch.count(t, "billkit_actions", "name = 'billing.expense.create'") - created; n != ownActions {
		t.Fatalf("%d expense.create actions, want %d: one per charge its caller does not record", n, ownActions)
	}
	one.xAudit(t)
	batch.xAudit(t)
}
