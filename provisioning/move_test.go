package provisioning_test

import (
	"testing"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/provisioning"
)

// TestMovedServiceKeepsItsPast moves a paid service to another client:
// the periods the old owner paid stay its expenses and renewals (its
// balance untouched, the new owner's too), the new owner does not see
// them, staff see the whole history, and the next renewal charges the new
// owner.
func TestMovedServiceKeepsItsPast(t *testing.T) {
	e := newShopEnv(t)
	alice, bob := e.newClient(t, "Alice"), e.newClient(t, "Bob")
	e.topUp(t, alice.ID, "100.00")
	e.topUp(t, bob.ID, "100.00")
	o := e.order(t, alice.ID, e.vpsItem(1, "1"))
	e.drainTasks(t)
	id := o.Items[0].ServiceIDs[0]
	paid := e.renewals(t, id)
	if len(paid) != 1 || paid[0].ClientID != alice.ID {
		t.Fatalf("renewals before the move = %+v", paid)
	}
	aliceBefore, bobBefore := e.balance(t, alice.ID), e.balance(t, bob.ID)

	must[*provisioning.Service](t)(e.mgr.MoveService(ctx, admin(), id, bob.ID))

	if a, b := e.balance(t, alice.ID), e.balance(t, bob.ID); !a.Equal(aliceBefore) || !b.Equal(bobBefore) {
		t.Fatalf("the move changed balances: Alice %s → %s, Bob %s → %s", aliceBefore, a, bobBefore, b)
	}
	x := must[*billing.Expense](t)(e.bill.GetExpense(ctx, system, paid[0].ExpenseID))
	if x.ClientID != alice.ID {
		t.Fatalf("the first period's expense moved to %s", x.ClientID)
	}
	if rs := e.renewals(t, id); len(rs) != 1 || rs[0].ClientID != alice.ID {
		t.Fatalf("staff see renewals %+v, want Alice's one", rs)
	}
	// Bob sees the service, not what Alice paid for it.
	seen := must[billkit.Page[provisioning.Renewal]](t)(e.mgr.ListRenewals(ctx, customer(bob.ID), provisioning.RenewalFilter{ServiceID: id}))
	if len(seen.Items) != 0 {
		t.Fatalf("Bob sees Alice's periods: %+v", seen.Items)
	}

	// At its expiry the next period is Bob's.
	e.clock.Set(e.clock.Now().AddDate(0, 1, 0))
	if r := e.cycle(t); r.Renewals != 1 {
		t.Fatalf("cycle = %+v", r)
	}
	rs := e.renewals(t, id)
	if len(rs) != 2 || rs[1].ClientID != bob.ID {
		t.Fatalf("renewals after the cycle = %+v", rs)
	}
	if x := must[*billing.Expense](t)(e.bill.GetExpense(ctx, system, rs[1].ExpenseID)); x.ClientID != bob.ID {
		t.Fatalf("the renewal charged %s", x.ClientID)
	}
	if a := e.balance(t, alice.ID); !a.Equal(aliceBefore) {
		t.Fatalf("Alice was charged after the move: %s → %s", aliceBefore, a)
	}
	seen = must[billkit.Page[provisioning.Renewal]](t)(e.mgr.ListRenewals(ctx, customer(bob.ID), provisioning.RenewalFilter{ServiceID: id}))
	if len(seen.Items) != 1 || seen.Items[0].ClientID != bob.ID {
		t.Fatalf("Bob sees %+v, want his one period", seen.Items)
	}
}
