package billing_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/shopspring/decimal"
)

// countingStore counts the calls of the ExpenseStore methods, in and out
// of transactions: what linking money to debts costs a posting.
type countingStore struct {
	billing.Store
	n *atomic.Int64
}

func (s countingStore) InTx(ctx context.Context, fn func(tx billing.Store) error) error {
	return s.Store.InTx(ctx, func(tx billing.Store) error { return fn(countingStore{tx, s.n}) })
}

func (s countingStore) InsertExpense(ctx context.Context, x *billing.Expense) error {
	s.n.Add(1)
	return s.Store.InsertExpense(ctx, x)
}

func (s countingStore) GetExpense(ctx context.Context, id billing.ExpenseID) (*billing.Expense, error) {
	s.n.Add(1)
	return s.Store.GetExpense(ctx, id)
}

func (s countingStore) UpdateExpenseCovered(ctx context.Context, x *billing.Expense) error {
	s.n.Add(1)
	return s.Store.UpdateExpenseCovered(ctx, x)
}

func (s countingStore) ListExpenses(ctx context.Context, f billing.ExpenseFilter) (billkit.Page[billing.Expense], error) {
	s.n.Add(1)
	return s.Store.ListExpenses(ctx, f)
}

func (s countingStore) ListCoveredExpenses(ctx context.Context, c billkit.ClientID, pp billkit.PageParams) (billkit.Page[billing.Expense], error) {
	s.n.Add(1)
	return s.Store.ListCoveredExpenses(ctx, c, pp)
}

func (s countingStore) InsertAllocations(ctx context.Context, as []billing.Allocation) error {
	s.n.Add(1)
	return s.Store.InsertAllocations(ctx, as)
}

func (s countingStore) ListAllocations(ctx context.Context, f billing.AllocationFilter) (billkit.Page[billing.Allocation], error) {
	s.n.Add(1)
	return s.Store.ListAllocations(ctx, f)
}

func (s countingStore) ListLedgerCredits(ctx context.Context, f billing.LedgerCreditFilter) (billkit.Page[billing.LedgerCredit], error) {
	s.n.Add(1)
	return s.Store.ListLedgerCredits(ctx, f)
}

func (s countingStore) SetCreditUsed(ctx context.Context, e billing.LedgerEntryID, used decimal.Decimal) error {
	s.n.Add(1)
	return s.Store.SetCreditUsed(ctx, e, used)
}

func (s countingStore) InsertLedgerDebt(ctx context.Context, d *billing.LedgerDebt) error {
	s.n.Add(1)
	return s.Store.InsertLedgerDebt(ctx, d)
}

func (s countingStore) UpdateLedgerDebtCovered(ctx context.Context, d *billing.LedgerDebt) error {
	s.n.Add(1)
	return s.Store.UpdateLedgerDebtCovered(ctx, d)
}

func (s countingStore) ListLedgerDebts(ctx context.Context, f billing.LedgerDebtFilter) (billkit.Page[billing.LedgerDebt], error) {
	s.n.Add(1)
	return s.Store.ListLedgerDebts(ctx, f)
}

// TestExpenseCostOfPostings checks that the postings with nothing to settle
// (a credit with no debt, a debit that money covers) cost no query of the
// expense store at all, and that the others do their work.
func TestExpenseCostOfPostings(t *testing.T) {
	e := newEnv(t)
	var n atomic.Int64
	e.svc = billing.NewService(countingStore{e.st.Billing(), &n}, e.dir, billing.Config{Clock: e.clock})
	c := e.client(t, "Acme")
	cost := func(name string, want int64, post func()) {
		t.Helper()
		n.Store(0)
		post()
		if got := n.Load(); (want == 0) != (got == 0) || (want > 0 && got != want) {
			t.Errorf("%s: %d expense store calls, want %d", name, got, want)
		}
	}
	cost("first credit", 0, func() { e.xPay(t, c.ID, "100") })
	cost("credit on a positive balance", 0, func() { e.xPost(t, c.ID, "5", billing.LedgerAdjustment) })
	cost("debit money covers", 0, func() { e.xPost(t, c.ID, "-105", billing.LedgerRefund) })
	cost("credit on a zero balance", 0, func() { e.xPay(t, c.ID, "10") })
	// A charge stores its expense, and takes money from the newest credits
	// when there is some: read them, record their use, link them.
	cost("charge with money", 4, func() { e.xCharge(t, c.ID, "4") })
	cost("charge of the rest", 4, func() { e.xCharge(t, c.ID, "6") })
	// With no money, only the expense itself.
	cost("charge into debt", 1, func() { e.xCharge(t, c.ID, "20", belowLimit) })
	// A credit with debts pays them (any number of calls).
	cost("credit paying a debt", -1, func() { e.xPay(t, c.ID, "1") })
	e.xAudit(t)
}
