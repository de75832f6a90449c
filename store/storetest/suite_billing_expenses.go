package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/catalog"
	"github.com/billkit/billkit/store/bunstore"
	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
)

// expenseFixture is a billing fixture with helpers for the rows expenses
// refer to.
type expenseFixture struct {
	*billingFixture
}

// entry inserts a ledger entry of client (the balance is not the store's
// business here).
func (f expenseFixture) entry(t *testing.T, client billkit.ClientID, amount string, at time.Time) *billing.LedgerEntry {
	t.Helper()
	e := ledgerEntry(client, amount, amount, billing.LedgerPayment, at)
	if decimal.RequireFromString(amount).IsNegative() {
		e.Kind = billing.LedgerExpense
	}
	must(t, f.b.InsertLedgerEntry(context.Background(), e))
	return e
}

// expense inserts an expense of client for amount with its ledger entry.
func (f expenseFixture) expense(t *testing.T, client billkit.ClientID, amount, covered string, kind billing.ExpenseKind, at time.Time) *billing.Expense {
	t.Helper()
	e := f.entry(t, client, "-"+amount, at)
	x := &billing.Expense{
		ID: billkit.NewID[billing.Expense](), ClientID: client, Kind: kind,
		Amount: billkit.MustParseMoney(amount, "RUB"), Covered: billkit.MustParseMoney(covered, "RUB"),
		Description: "VPS " + amount, CauseType: "service", CauseID: "svc-1",
		LedgerEntryID: e.ID, ActorKind: billkit.ActorSystem, ActorID: "renewals", CreatedAt: at,
	}
	must(t, f.b.InsertExpense(context.Background(), x))
	return x
}

func expenseRub(s string) billkit.Money { return billkit.MustParseMoney(s, "RUB") }

func runBillingExpenses(t *testing.T, newStores func(t testing.TB) Stores) {
	ctx := context.Background()
	cmpExpense := cmp.Options{cmpOpts,
		cmp.Comparer(func(a, b billkit.ClientID) bool { return a == b }),
		cmp.Comparer(func(a, b billing.ExpenseID) bool { return a == b }),
		cmp.Comparer(func(a, b billing.LedgerEntryID) bool { return a == b }),
		cmp.Comparer(func(a, b billing.PaymentID) bool { return a == b }),
		cmp.Comparer(func(a, b billing.AllocationID) bool { return a == b }),
		cmp.Comparer(func(a, b catalog.TariffID) bool { return a == b }),
		cmp.Comparer(func(a, b billing.RecalculationID) bool { return a == b }),
		cmp.Comparer(func(a, b billkit.Money) bool { return a.Equal(b) }),
	}
	fixture := func(t *testing.T) expenseFixture { return expenseFixture{newBillingFixture(t, newStores)} }

	t.Run("expense/crud", func(t *testing.T) {
		f := fixture(t)
		c := f.client(t, "Acme")
		e := f.entry(t, c.ID, "-1200.50", t0)
		x := &billing.Expense{
			ID: billkit.NewID[billing.Expense](), ClientID: c.ID, Kind: billing.ExpensePeriod,
			Amount: expenseRub("1200.50"), Covered: expenseRub("0.10"), Description: "VPS L, a year",
			CauseType: "service", CauseID: "svc-42",
			PeriodStart: billkit.MustDate(2026, 3, 15), PeriodEnd: billkit.MustDate(2027, 3, 15),
			TariffID: billkit.NewID[catalog.Tariff](), Period: catalog.PeriodYear, Quantity: dec("0.5"), PriceDate: billkit.MustDate(2025, 1, 31),
			LedgerEntryID: e.ID, ActorKind: billkit.ActorStaff, ActorID: "alice", CreatedAt: t0,
		}
		must(t, f.b.InsertExpense(ctx, x))
		got, err := f.b.GetExpense(ctx, x.ID)
		must(t, err)
		want := *x
		want.CreatedAt = storedTime(t0)
		if diff := cmp.Diff(&want, got, cmpExpense); diff != "" {
			t.Fatalf("GetExpense (-want +got):\n%s", diff)
		}
		if got.Amount.Currency() != "RUB" || !got.Amount.Amount().Equal(dec("1200.5")) {
			t.Fatalf("amount = %s", got.Amount)
		}
		// Without a period and a pricing reference, the optional columns
		// read back as zero values.
		plain := f.expense(t, c.ID, "5", "0", billing.ExpenseManual, t0)
		got, err = f.b.GetExpense(ctx, plain.ID)
		must(t, err)
		if !got.PeriodStart.IsZero() || !got.TariffID.IsZero() || got.Period != "" || !got.Quantity.IsZero() || !got.PriceDate.IsZero() {
			t.Fatalf("plain expense = %+v", got)
		}

		wantCode(t, f.b.InsertExpense(ctx, x), billkit.CodeConflict, "expense.exists")
		other := *x
		other.ID = billkit.NewID[billing.Expense]()
		wantCode(t, f.b.InsertExpense(ctx, &other), billkit.CodeConflict, "")
		other.LedgerEntryID = billkit.NewID[billing.LedgerEntry]()
		wantCode(t, f.b.InsertExpense(ctx, &other), billkit.CodeFailedPrecondition, bunstore.ReasonReferenceMissing)
		other.LedgerEntryID, other.ClientID = f.entry(t, c.ID, "-1", t0).ID, newBillingClientID()
		wantCode(t, f.b.InsertExpense(ctx, &other), billkit.CodeFailedPrecondition, bunstore.ReasonReferenceMissing)
		_, err = f.b.GetExpense(ctx, billkit.NewID[billing.Expense]())
		wantCode(t, err, billkit.CodeNotFound, "expense.not_found")

		got.Covered = expenseRub("5")
		must(t, f.b.UpdateExpenseCovered(ctx, got))
		again, err := f.b.GetExpense(ctx, plain.ID)
		must(t, err)
		if !again.Covered.Equal(expenseRub("5")) || again.Description != plain.Description {
			t.Fatalf("after UpdateExpenseCovered: %+v", again)
		}
		missing := *got
		missing.ID = billkit.NewID[billing.Expense]()
		wantCode(t, f.b.UpdateExpenseCovered(ctx, &missing), billkit.CodeNotFound, "expense.not_found")
	})

	t.Run("expense/list", func(t *testing.T) {
		f := fixture(t)
		a, b := f.client(t, "A"), f.client(t, "B")
		var all []*billing.Expense
		for i := 0; i < 7; i++ {
			client, kind, covered := a.ID, billing.ExpensePeriod, "0"
			switch i % 3 {
			case 1:
				covered = "10"
			case 2:
				client, kind, covered = b.ID, billing.ExpenseSetup, "4"
			}
			// Pairs share an instant: lists follow the posting order.
			all = append(all, f.expense(t, client, "10", covered, kind, t0.Add(time.Duration(i/2)*time.Second)))
		}
		ids := func(xs []billing.Expense) []string {
			return keys(xs, func(x billing.Expense) string { return x.ID.String() })
		}
		want := func(pred func(*billing.Expense) bool) []string {
			out := []string{}
			for _, x := range all {
				if pred(x) {
					out = append(out, x.ID.String())
				}
			}
			return out
		}
		list := func(f2 billing.ExpenseFilter) []billing.Expense {
			return collect(t, 2, func(x billing.Expense) string { return x.ID.String() }, func(pp billkit.PageParams) (billkit.Page[billing.Expense], error) {
				f2.PageParams = pp
				return f.b.ListExpenses(ctx, f2)
			})
		}
		for _, tc := range []struct {
			name   string
			filter billing.ExpenseFilter
			pred   func(*billing.Expense) bool
		}{
			{"all", billing.ExpenseFilter{}, func(*billing.Expense) bool { return true }},
			{"client", billing.ExpenseFilter{ClientID: a.ID}, func(x *billing.Expense) bool { return x.ClientID == a.ID }},
			{"clients", billing.ExpenseFilter{ClientIDs: []billkit.ClientID{b.ID}}, func(x *billing.Expense) bool { return x.ClientID == b.ID }},
			{"no clients", billing.ExpenseFilter{ClientIDs: []billkit.ClientID{}}, func(*billing.Expense) bool { return false }},
			{"kind", billing.ExpenseFilter{Kind: billing.ExpenseSetup}, func(x *billing.Expense) bool { return x.Kind == billing.ExpenseSetup }},
			{"cause", billing.ExpenseFilter{CauseType: "service", CauseID: "svc-1"}, func(*billing.Expense) bool { return true }},
			{"other cause", billing.ExpenseFilter{CauseType: "service", CauseID: "svc-2"}, func(*billing.Expense) bool { return false }},
			{"window", billing.ExpenseFilter{From: t0.Add(time.Second), To: t0.Add(3 * time.Second)}, func(x *billing.Expense) bool {
				return !x.CreatedAt.Before(storedTime(t0.Add(time.Second))) && x.CreatedAt.Before(storedTime(t0.Add(3*time.Second)))
			}},
			{"debt", billing.ExpenseFilter{OnlyDebt: true}, func(x *billing.Expense) bool { return !x.Covered.Equal(x.Amount) }},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if diff := cmp.Diff(want(tc.pred), ids(list(tc.filter))); diff != "" {
					t.Fatalf("ListExpenses oldest first (-want +got):\n%s", diff)
				}
			})
		}
		covered := collect(t, 1, func(x billing.Expense) string { return x.ID.String() }, func(pp billkit.PageParams) (billkit.Page[billing.Expense], error) {
			return f.b.ListCoveredExpenses(ctx, a.ID, pp)
		})
		var wantCovered []string
		for i := len(all) - 1; i >= 0; i-- {
			if x := all[i]; x.ClientID == a.ID && x.Covered.IsPositive() {
				wantCovered = append(wantCovered, x.ID.String())
			}
		}
		if diff := cmp.Diff(wantCovered, ids(covered)); diff != "" {
			t.Fatalf("ListCoveredExpenses newest first (-want +got):\n%s", diff)
		}
		// Covering changes what the debt and covered lists hold.
		x := all[0]
		x.Covered = expenseRub("10.00")
		must(t, f.b.UpdateExpenseCovered(ctx, x))
		if slices.Contains(ids(list(billing.ExpenseFilter{ClientID: a.ID, OnlyDebt: true})), x.ID.String()) {
			t.Fatal("a covered expense is still listed as debt")
		}
		x.Covered = expenseRub("0")
		must(t, f.b.UpdateExpenseCovered(ctx, x))
		page, err := f.b.ListCoveredExpenses(ctx, a.ID, billkit.PageParams{Limit: 100})
		must(t, err)
		if slices.Contains(ids(page.Items), x.ID.String()) {
			t.Fatal("an expense covered by nothing is listed as covered")
		}
		_, err = f.b.ListExpenses(ctx, billing.ExpenseFilter{PageParams: billkit.PageParams{Cursor: "nope"}})
		wantCode(t, err, billkit.CodeInvalid, "page.cursor_malformed")
	})

	t.Run("allocation/insert-list", func(t *testing.T) {
		f := fixture(t)
		a, b := f.client(t, "A"), f.client(t, "B")
		pay := f.entry(t, a.ID, "100", t0)
		adj := f.entry(t, a.ID, "0.05", t0)
		x := f.expense(t, a.ID, "30", "30", billing.ExpensePeriod, t0)
		refund := f.entry(t, a.ID, "-20", t0.Add(time.Second))
		payment := billkit.NewID[billing.Payment]()
		mk := func(client billkit.ClientID, expense billing.ExpenseID, debit, credit billing.LedgerEntryID, pid billing.PaymentID, amount string, at time.Time) billing.Allocation {
			return billing.Allocation{ID: billkit.NewID[billing.Allocation](), ClientID: client, ExpenseID: expense, DebitEntryID: debit,
				CreditEntryID: credit, PaymentID: pid, Amount: expenseRub(amount), EntryID: debit, CreatedAt: at}
		}
		as := []billing.Allocation{
			mk(a.ID, x.ID, x.LedgerEntryID, pay.ID, payment, "29.95", t0),
			mk(a.ID, x.ID, x.LedgerEntryID, adj.ID, billing.PaymentID{}, "0.05", t0),
			mk(a.ID, x.ID, x.LedgerEntryID, pay.ID, payment, "-10", t0.Add(time.Second)),
			mk(a.ID, billing.ExpenseID{}, refund.ID, pay.ID, payment, "10", t0.Add(time.Second)),
		}
		must(t, f.b.InsertAllocations(ctx, as))
		must(t, f.b.InsertAllocations(ctx, nil))
		byID := func(a billing.Allocation) string { return a.ID.String() }
		list := func(filter billing.AllocationFilter) []billing.Allocation {
			return collect(t, 3, byID, func(pp billkit.PageParams) (billkit.Page[billing.Allocation], error) {
				filter.PageParams = pp
				return f.b.ListAllocations(ctx, filter)
			})
		}
		all := list(billing.AllocationFilter{})
		want := make([]billing.Allocation, len(as))
		copy(want, as)
		for i := range want {
			want[i].CreatedAt = storedTime(want[i].CreatedAt)
		}
		slices.SortStableFunc(want, func(x, y billing.Allocation) int {
			if c := x.CreatedAt.Compare(y.CreatedAt); c != 0 {
				return c
			}
			return slices.Compare([]byte(x.ID.String()), []byte(y.ID.String()))
		})
		if diff := cmp.Diff(want, all, cmpExpense); diff != "" {
			t.Fatalf("ListAllocations (-want +got):\n%s", diff)
		}
		for _, tc := range []struct {
			name   string
			filter billing.AllocationFilter
			n      int
		}{
			{"client", billing.AllocationFilter{ClientID: a.ID}, 4},
			{"other client", billing.AllocationFilter{ClientID: b.ID}, 0},
			{"no clients", billing.AllocationFilter{ClientIDs: []billkit.ClientID{}}, 0},
			{"clients", billing.AllocationFilter{ClientIDs: []billkit.ClientID{a.ID, b.ID}}, 4},
			{"expense", billing.AllocationFilter{ExpenseID: x.ID}, 3},
			{"debit", billing.AllocationFilter{DebitEntryID: refund.ID}, 1},
			{"credit", billing.AllocationFilter{CreditEntryID: adj.ID}, 1},
			{"payment", billing.AllocationFilter{PaymentID: payment}, 3},
		} {
			if got := list(tc.filter); len(got) != tc.n {
				t.Errorf("%s: %d allocations, want %d", tc.name, len(got), tc.n)
			}
		}
		// A missing ledger entry or expense is refused, and the batch with
		// it writes nothing.
		bad := []billing.Allocation{
			mk(a.ID, x.ID, x.LedgerEntryID, pay.ID, payment, "1", t0),
			mk(a.ID, x.ID, x.LedgerEntryID, billkit.NewID[billing.LedgerEntry](), payment, "1", t0),
		}
		err := f.b.InTx(ctx, func(tx billing.Store) error { return tx.InsertAllocations(ctx, bad) })
		wantCode(t, err, billkit.CodeFailedPrecondition, bunstore.ReasonReferenceMissing)
		bad = []billing.Allocation{mk(a.ID, billkit.NewID[billing.Expense](), x.LedgerEntryID, pay.ID, payment, "1", t0)}
		wantCode(t, f.b.InsertAllocations(ctx, bad), billkit.CodeFailedPrecondition, bunstore.ReasonReferenceMissing)
		if got := list(billing.AllocationFilter{}); len(got) != 4 {
			t.Fatalf("%d allocations after refused inserts, want 4", len(got))
		}
	})

	t.Run("credit/list-use", func(t *testing.T) {
		f := fixture(t)
		a, b := f.client(t, "A"), f.client(t, "B")
		var credits []*billing.LedgerEntry
		for i, amount := range []string{"10", "-3", "0.01", "-0.01", "2500.75", "7"} {
			client := a.ID
			if i == 5 {
				client = b.ID
			}
			e := f.entry(t, client, amount, t0.Add(time.Duration(i)*time.Second))
			if e.Amount.IsPositive() && client == a.ID {
				credits = append(credits, e)
			}
		}
		must(t, f.b.SetCreditUsed(ctx, credits[0].ID, dec("4.5")))
		must(t, f.b.SetCreditUsed(ctx, credits[0].ID, dec("9.99")))
		must(t, f.b.SetCreditUsed(ctx, credits[2].ID, dec("0")))
		wantCode(t, f.b.SetCreditUsed(ctx, billkit.NewID[billing.LedgerEntry](), dec("1")), billkit.CodeFailedPrecondition, bunstore.ReasonReferenceMissing)
		got := collect(t, 2, func(c billing.LedgerCredit) string { return c.Entry.ID.String() }, func(pp billkit.PageParams) (billkit.Page[billing.LedgerCredit], error) {
			return f.b.ListLedgerCredits(ctx, billing.LedgerCreditFilter{ClientID: a.ID, PageParams: pp})
		})
		if len(got) != 3 {
			t.Fatalf("credits of A = %d, want 3", len(got))
		}
		for i, c := range got {
			w := credits[len(credits)-1-i] // newest posting first
			if c.Entry.ID != w.ID || !c.Entry.Amount.Equal(w.Amount) {
				t.Fatalf("credit %d = %s %s, want %s %s", i, c.Entry.ID, c.Entry.Amount, w.ID, w.Amount)
			}
		}
		if !got[2].Used.Equal(dec("9.99")) || !got[1].Used.IsZero() || !got[0].Used.IsZero() {
			t.Fatalf("used = %s, %s, %s", got[0].Used, got[1].Used, got[2].Used)
		}
		everyone, err := f.b.ListLedgerCredits(ctx, billing.LedgerCreditFilter{PageParams: billkit.PageParams{Limit: 100}})
		must(t, err)
		if len(everyone.Items) != 4 {
			t.Fatalf("credits of all clients = %d, want 4", len(everyone.Items))
		}
	})

	t.Run("ledger-debt/crud", func(t *testing.T) {
		f := fixture(t)
		a := f.client(t, "A")
		var debts []*billing.LedgerDebt
		for i, amount := range []string{"-5", "-0.30", "-12"} {
			e := f.entry(t, a.ID, amount, t0.Add(time.Duration(i)*time.Second))
			d := &billing.LedgerDebt{EntryID: e.ID, ClientID: a.ID, Kind: billing.LedgerAdjustment, Memo: "fix " + amount,
				Amount: e.Amount.Neg(), Covered: expenseRub("0"), CreatedAt: e.CreatedAt}
			must(t, f.b.InsertLedgerDebt(ctx, d))
			debts = append(debts, d)
		}
		wantCode(t, f.b.InsertLedgerDebt(ctx, debts[0]), billkit.CodeConflict, "ledger_debt.exists")
		orphan := *debts[0]
		orphan.EntryID = billkit.NewID[billing.LedgerEntry]()
		wantCode(t, f.b.InsertLedgerDebt(ctx, &orphan), billkit.CodeFailedPrecondition, bunstore.ReasonReferenceMissing)
		debts[1].Covered = expenseRub("0.30")
		must(t, f.b.UpdateLedgerDebtCovered(ctx, debts[1]))
		debts[2].Covered = expenseRub("1")
		must(t, f.b.UpdateLedgerDebtCovered(ctx, debts[2]))
		wantCode(t, f.b.UpdateLedgerDebtCovered(ctx, &orphan), billkit.CodeNotFound, "ledger_debt.not_found")
		byEntry := func(d billing.LedgerDebt) string { return d.EntryID.String() }
		open := collect(t, 1, byEntry, func(pp billkit.PageParams) (billkit.Page[billing.LedgerDebt], error) {
			return f.b.ListLedgerDebts(ctx, billing.LedgerDebtFilter{ClientID: a.ID, OnlyOpen: true, PageParams: pp})
		})
		if diff := cmp.Diff([]string{debts[0].EntryID.String(), debts[2].EntryID.String()}, keys(open, byEntry)); diff != "" {
			t.Fatalf("open debts oldest first (-want +got):\n%s", diff)
		}
		if !open[1].Covered.Equal(expenseRub("1")) || !open[1].Amount.Equal(expenseRub("12")) || open[1].Memo != "fix -12" || open[1].Kind != billing.LedgerAdjustment {
			t.Fatalf("debt = %+v", open[1])
		}
		all, err := f.b.ListLedgerDebts(ctx, billing.LedgerDebtFilter{PageParams: billkit.PageParams{Limit: 10}})
		must(t, err)
		if len(all.Items) != 3 {
			t.Fatalf("%d debts, want 3", len(all.Items))
		}
	})

	t.Run("recalculation/crud", func(t *testing.T) {
		f := fixture(t)
		a, b := f.client(t, "A"), f.client(t, "B")
		x1 := f.expense(t, a.ID, "100", "0", billing.ExpensePeriod, t0)
		x2 := f.expense(t, a.ID, "50", "0", billing.ExpensePeriod, t0)
		adj := f.entry(t, a.ID, "10", t0)
		line := func(x *billing.Expense, adjusted, correct, diff string, entry billing.LedgerEntryID) billing.RecalcLine {
			return billing.RecalcLine{ExpenseID: x.ID, Charged: x.Amount, Adjusted: expenseRub(adjusted), Correct: expenseRub(correct), Difference: expenseRub(diff), LedgerEntryID: entry}
		}
		r := &billing.Recalculation{
			ID: billkit.NewID[billing.Recalculation](), ClientID: a.ID, From: billkit.MustDate(2026, 3, 1), Memo: "price error",
			Lines:   []billing.RecalcLine{line(x2, "0", "40", "-10", adj.ID), line(x1, "0", "100", "0", billing.LedgerEntryID{})},
			Total:   expenseRub("-10"),
			Applied: true, ActorKind: billkit.ActorStaff, ActorID: "alice", CreatedAt: t0,
		}
		must(t, f.b.InsertRecalculation(ctx, r))
		got, err := f.b.GetRecalculation(ctx, r.ID)
		must(t, err)
		want := *r
		want.CreatedAt = storedTime(t0)
		if diff := cmp.Diff(&want, got, cmpExpense); diff != "" {
			t.Fatalf("GetRecalculation (-want +got):\n%s", diff)
		}
		wantCode(t, f.b.InsertRecalculation(ctx, r), billkit.CodeConflict, "recalculation.exists")
		_, err = f.b.GetRecalculation(ctx, billkit.NewID[billing.Recalculation]())
		wantCode(t, err, billkit.CodeNotFound, "recalculation.not_found")
		// A line of a missing expense refuses the whole recalculation.
		bad := *r
		bad.ID = billkit.NewID[billing.Recalculation]()
		bad.Lines = []billing.RecalcLine{line(x1, "0", "1", "1", billing.LedgerEntryID{}), {ExpenseID: billkit.NewID[billing.Expense](),
			Charged: expenseRub("1"), Adjusted: expenseRub("0"), Correct: expenseRub("1"), Difference: expenseRub("0")}}
		wantCode(t, f.b.InsertRecalculation(ctx, &bad), billkit.CodeFailedPrecondition, bunstore.ReasonReferenceMissing)
		_, err = f.b.GetRecalculation(ctx, bad.ID)
		wantCode(t, err, billkit.CodeNotFound, "recalculation.not_found")

		second := &billing.Recalculation{ID: billkit.NewID[billing.Recalculation](), ClientID: a.ID, From: billkit.MustDate(2026, 4, 1),
			Lines: []billing.RecalcLine{}, Total: expenseRub("0"), Applied: true, ActorKind: billkit.ActorSystem, ActorID: "x", CreatedAt: t0.Add(time.Hour)}
		must(t, f.b.InsertRecalculation(ctx, second))
		other := &billing.Recalculation{ID: billkit.NewID[billing.Recalculation](), ClientID: b.ID, From: billkit.MustDate(2026, 4, 1),
			Lines: []billing.RecalcLine{}, Total: expenseRub("0"), Applied: true, ActorKind: billkit.ActorSystem, ActorID: "x", CreatedAt: t0}
		must(t, f.b.InsertRecalculation(ctx, other))
		list := collect(t, 1, func(r billing.Recalculation) string { return r.ID.String() }, func(pp billkit.PageParams) (billkit.Page[billing.Recalculation], error) {
			return f.b.ListRecalculations(ctx, billing.RecalculationFilter{ClientID: a.ID, PageParams: pp})
		})
		if len(list) != 2 || list[0].ID != r.ID || list[1].ID != second.ID || len(list[0].Lines) != 2 || len(list[1].Lines) != 0 {
			t.Fatalf("ListRecalculations = %+v", list)
		}
		if list[0].Lines[0].ExpenseID != x2.ID || !list[0].Lines[0].Difference.Equal(expenseRub("-10")) {
			t.Fatalf("lines out of order: %+v", list[0].Lines)
		}
	})

	t.Run("rollback", func(t *testing.T) {
		f := fixture(t)
		a := f.client(t, "A")
		abort := errors.New("abort")
		var id billing.ExpenseID
		err := f.b.InTx(ctx, func(tx billing.Store) error {
			e := ledgerEntry(a.ID, "-3", "-3", billing.LedgerExpense, t0)
			if err := tx.InsertLedgerEntry(ctx, e); err != nil {
				return err
			}
			x := &billing.Expense{ID: billkit.NewID[billing.Expense](), ClientID: a.ID, Kind: billing.ExpenseManual, Amount: expenseRub("3"),
				Covered: expenseRub("0"), Description: "x", LedgerEntryID: e.ID, ActorKind: billkit.ActorSystem, ActorID: "x", CreatedAt: t0}
			id = x.ID
			if err := tx.InsertExpense(ctx, x); err != nil {
				return err
			}
			if err := tx.SetCreditUsed(ctx, e.ID, dec("1")); err != nil {
				return err
			}
			return abort
		})
		if !errors.Is(err, abort) {
			t.Fatalf("InTx = %v", err)
		}
		_, err = f.b.GetExpense(ctx, id)
		wantCode(t, err, billkit.CodeNotFound, "expense.not_found")
	})
}
