package billing

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/billkit/billkit"
	"github.com/shopspring/decimal"
)

// How money is linked to the debts it pays.
//
// Every posting is a credit (Amount > 0: a payment, an adjustment or a
// refund back to the balance, a transfer in) or a debit (an expense, or a
// debit that is not one: a refund to the card, an adjustment, a transfer
// out). Credits pay debits first in, first out: a debit takes the money of
// the oldest credit that has some left, and a credit pays the oldest debt.
// What links a credit to the debit it pays is an Allocation; an expense's
// Covered is the sum of its allocations, and a debit that is not an
// expense and found no money when posted is kept as a LedgerDebt until
// money covers it.
//
// The invariant. Per client, after every posting:
//
//	unallocated money = max(0, balance)  and  open debt = max(0, -balance)
//
// where open debt is the sum of Amount - Covered over its expenses and
// ledger debts. The unallocated money lies in the newest credits: walking
// the client's credit entries newest first, in posting order (their IDs,
// which the ledger makes after moving the balance), each holds its free
// part (Amount minus its allocations) until they add up to the balance;
// the oldest of them may hold only part of it, and older credits hold
// nothing. Both halves follow from the balance, so there is never money
// left over while a debt is open, nor a debt while the balance is
// positive.
//
// The invariant is what lets most postings cost no query at all, deciding
// from the entry and the balance after it (which the posting moved
// atomically, so it is the balance in the client's posting order):
//
//   - a credit with a balance before it >= 0: there is no open debt, so the
//     credit only adds unallocated money, on the newest credit: nothing to
//     record;
//   - a debit that is not an expense and leaves the balance >= 0: it spends
//     unallocated money only, from the oldest credits that have some; the
//     money left is still the newest credits' and adds up to the new
//     balance: nothing to record either. (So what such a debit spent is
//     not an allocation: a payment's allocations say which debts it paid,
//     not every debit that spent its money.)
//
// The other postings record allocations, in the posting's transaction:
//
//   - a credit with a balance before it < 0 pays the open debts, oldest
//     first, up to min(amount, -balance before);
//   - a charge (ChargeTx) takes the unallocated money of the newest credits,
//     oldest of them first, up to min(amount, balance before), and the rest
//     is the expense's debt;
//   - a debit that is not an expense and takes the balance below zero
//     takes the unallocated money there was, then releases the newest
//     expenses' allocations (an expense becomes debt again: the money that
//     paid it went back), and what nothing covers is a LedgerDebt.
//
// Concurrent postings of one client are serialized by the balance row the
// posting moved (PostgreSQL locks it until the transaction ends; SQLite has
// one writer), so the allocations of a posting always see those of the
// postings before it.

// afterPost runs in the transaction of every ledger posting, after the
// entry is stored: it links money to the debts it pays (oldest first).
func (s *Service) afterPost(ctx context.Context, tx Store, actor billkit.Actor, e *LedgerEntry) error {
	amount, after := e.Amount.Amount(), e.BalanceAfter.Amount()
	before := after.Sub(amount)
	if p, ok := ctx.Value(expenseChargeKey{}).(*expensePending); ok && !p.done &&
		e.Kind == LedgerExpense && e.CauseType == CauseExpense && e.CauseID == p.x.ID.String() {
		return s.coverCharge(ctx, tx, e, p, before)
	}
	if amount.IsPositive() {
		if !before.IsNegative() {
			return nil // no debt: the credit is unallocated money
		}
		return s.payDebts(ctx, tx, e, decimal.Min(amount, before.Neg()))
	}
	if !after.IsNegative() {
		return nil // the debit spends unallocated money only
	}
	return s.coverDebit(ctx, tx, e, before)
}

// allocDraft is an allocation before it has its Money and ID.
type allocDraft struct {
	expense ExpenseID
	debit   LedgerEntryID
	credit  LedgerEntryID
	payment PaymentID
	amount  decimal.Decimal
}

// storeAllocations inserts the drafts as allocations made by posting e.
func storeAllocations(ctx context.Context, tx Store, e *LedgerEntry, drafts []allocDraft) error {
	if len(drafts) == 0 {
		return nil
	}
	out := make([]Allocation, 0, len(drafts))
	for _, d := range drafts {
		m, err := billkit.NewMoney(d.amount, e.Amount.Currency())
		if err != nil {
			return err
		}
		a := Allocation{
			ClientID: e.ClientID, ExpenseID: d.expense, DebitEntryID: d.debit, CreditEntryID: d.credit, PaymentID: d.payment,
			Amount: m, EntryID: e.ID, CreatedAt: e.CreatedAt,
		}
		newID(&a.ID)
		out = append(out, a)
	}
	return tx.InsertAllocations(ctx, out)
}

// expenseCausePayment is the CauseType of the credits of payments: their
// allocations carry the payment's ID.
const expenseCausePayment = "payment"

// creditPayment returns the payment a credit entry is for, zero when its
// cause is not a payment.
func creditPayment(e *LedgerEntry) PaymentID {
	if e.CauseType != expenseCausePayment {
		return PaymentID{}
	}
	id, err := billkit.ParseID[Payment](e.CauseID)
	if err != nil {
		return PaymentID{}
	}
	return id
}

// coverCharge stores the expense a ChargeTx posting e charges, covered by
// the unallocated money there was before it.
func (s *Service) coverCharge(ctx context.Context, tx Store, e *LedgerEntry, p *expensePending, before decimal.Decimal) error {
	x := p.x
	x.LedgerEntryID, x.CreatedAt = e.ID, e.CreatedAt
	var (
		drafts  []allocDraft
		covered = decimal.Zero
	)
	if before.IsPositive() {
		var err error
		drafts, covered, err = takeMoney(ctx, tx, e, before, decimal.Min(x.Amount.Amount(), before), x.ID, e.ID)
		if err != nil {
			return err
		}
	}
	c, err := billkit.NewMoney(covered, x.Amount.Currency())
	if err != nil {
		return err
	}
	x.Covered = withDigits(c, -x.Amount.Amount().Exponent())
	if err := tx.InsertExpense(ctx, x); err != nil {
		return err
	}
	if err := storeAllocations(ctx, tx, e, drafts); err != nil {
		return err
	}
	p.done = true
	return nil
}

// creditPage is how many credit entries takeMoney reads at a time: the
// unallocated money is almost always on the last one or two.
const creditPage = 20

// takeMoney allocates need of the unallocated money (which adds up to
// unallocated, the balance before debit e) to the debit (expense, or zero
// for a debit that is not an expense, and its entry): the money lies on
// the newest credits, and the oldest of them gives first. A credit never
// gives more than its free part (Amount minus its recorded use), so no
// credit is allocated beyond its amount even if postings of one client
// were ever numbered out of order; then the walk simply goes on to older
// credits. It records the credits' new use and returns the drafts and what
// it took.
func takeMoney(ctx context.Context, tx Store, e *LedgerEntry, unallocated, need decimal.Decimal, expense ExpenseID, debit LedgerEntryID) ([]allocDraft, decimal.Decimal, error) {
	type holding struct {
		c    LedgerCredit
		free decimal.Decimal
	}
	var holders []holding
	left := unallocated
	for cursor := ""; left.IsPositive(); {
		page, err := tx.ListLedgerCredits(ctx, LedgerCreditFilter{ClientID: e.ClientID, PageParams: billkit.PageParams{Cursor: cursor, Limit: creditPage}})
		if err != nil {
			return nil, decimal.Zero, err
		}
		for _, c := range page.Items {
			free := decimal.Min(c.Entry.Amount.Amount().Sub(c.Used), left)
			if free.IsPositive() {
				holders = append(holders, holding{c: c, free: free})
				left = left.Sub(free)
			}
			if !left.IsPositive() {
				break
			}
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	var drafts []allocDraft
	taken := decimal.Zero
	for i := len(holders) - 1; i >= 0 && need.IsPositive(); i-- {
		h := holders[i]
		k := decimal.Min(h.free, need)
		drafts = append(drafts, allocDraft{expense: expense, debit: debit, credit: h.c.Entry.ID, payment: creditPayment(&h.c.Entry), amount: k})
		if err := tx.SetCreditUsed(ctx, h.c.Entry.ID, h.c.Used.Add(k)); err != nil {
			return nil, decimal.Zero, err
		}
		need, taken = need.Sub(k), taken.Add(k)
	}
	return drafts, taken, nil
}

// payDebts allocates up to m of credit e to the client's open debts,
// oldest first.
func (s *Service) payDebts(ctx context.Context, tx Store, e *LedgerEntry, m decimal.Decimal) error {
	it := newDebtIterator(tx, e.ClientID)
	left := m
	var drafts []allocDraft
	payment := creditPayment(e)
	for left.IsPositive() {
		d, ok, err := it.next(ctx)
		if err != nil {
			return err
		}
		if !ok {
			break // none left: the rest stays unallocated
		}
		k := decimal.Min(d.uncovered(), left)
		if !k.IsPositive() {
			continue
		}
		if err := d.cover(ctx, tx, k); err != nil {
			return err
		}
		drafts = append(drafts, allocDraft{expense: d.expenseID(), debit: d.entryID(), credit: e.ID, payment: payment, amount: k})
		left = left.Sub(k)
	}
	if len(drafts) == 0 {
		return nil
	}
	if err := storeAllocations(ctx, tx, e, drafts); err != nil {
		return err
	}
	return tx.SetCreditUsed(ctx, e.ID, m.Sub(left))
}

// coverDebit covers debit e, which is not an expense and takes the balance
// below zero: with the unallocated money there was, then with money
// released from the newest expenses; what remains is a LedgerDebt.
func (s *Service) coverDebit(ctx context.Context, tx Store, e *LedgerEntry, before decimal.Decimal) error {
	n := e.Amount.Amount().Neg()
	var (
		drafts  []allocDraft
		covered = decimal.Zero
	)
	if before.IsPositive() {
		var err error
		drafts, covered, err = takeMoney(ctx, tx, e, before, decimal.Min(n, before), ExpenseID{}, e.ID)
		if err != nil {
			return err
		}
	}
	released, freed, err := releaseCoverage(ctx, tx, e, n.Sub(covered))
	if err != nil {
		return err
	}
	drafts = append(drafts, released...)
	covered = covered.Add(freed)
	if covered.LessThan(n) {
		cur := e.Amount.Currency()
		d := &LedgerDebt{EntryID: e.ID, ClientID: e.ClientID, Kind: e.Kind, Memo: e.Memo, CreatedAt: e.CreatedAt}
		if d.Amount, err = billkit.NewMoney(n, cur); err != nil {
			return err
		}
		if d.Covered, err = billkit.NewMoney(covered, cur); err != nil {
			return err
		}
		if err := tx.InsertLedgerDebt(ctx, d); err != nil {
			return err
		}
	}
	return storeAllocations(ctx, tx, e, drafts)
}

// coveredPage is how many covered expenses releaseCoverage reads at a time.
const coveredPage = 50

// releaseCoverage moves up to short of the money that covers the client's
// newest expenses to debit e: each expense released becomes debt again,
// and the credits' use does not change (their money now pays e).
func releaseCoverage(ctx context.Context, tx Store, e *LedgerEntry, short decimal.Decimal) ([]allocDraft, decimal.Decimal, error) {
	var drafts []allocDraft
	freed := decimal.Zero
	for cursor := ""; short.IsPositive(); {
		page, err := tx.ListCoveredExpenses(ctx, e.ClientID, billkit.PageParams{Cursor: cursor, Limit: coveredPage})
		if err != nil {
			return nil, decimal.Zero, err
		}
		for i := range page.Items {
			x := &page.Items[i]
			nets, err := expenseNets(ctx, tx, AllocationFilter{ExpenseID: x.ID})
			if err != nil {
				return nil, decimal.Zero, err
			}
			changed := false
			for _, n := range nets {
				k := decimal.Min(n.amount, short)
				if !k.IsPositive() {
					continue
				}
				drafts = append(drafts,
					allocDraft{expense: x.ID, debit: x.LedgerEntryID, credit: n.credit, payment: n.payment, amount: k.Neg()},
					allocDraft{debit: e.ID, credit: n.credit, payment: n.payment, amount: k})
				cov, err := x.Covered.Sub(moneyLike(x.Covered, k))
				if err != nil {
					return nil, decimal.Zero, err
				}
				x.Covered, changed = cov, true
				short, freed = short.Sub(k), freed.Add(k)
				if !short.IsPositive() {
					break
				}
			}
			if changed {
				if err := tx.UpdateExpenseCovered(ctx, x); err != nil {
					return nil, decimal.Zero, err
				}
			}
			if !short.IsPositive() {
				break
			}
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	return drafts, freed, nil
}

// moneyLike returns d in m's currency. d is an amount the caller computed
// from amounts in that currency, so it is always valid.
func moneyLike(m billkit.Money, d decimal.Decimal) billkit.Money {
	out, err := billkit.NewMoney(d, m.Currency())
	if err != nil {
		return m
	}
	return out
}

// allocNet is what one credit gives one debit, net of releases.
type allocNet struct {
	credit  LedgerEntryID
	payment PaymentID
	amount  decimal.Decimal
	since   time.Time
	debit   LedgerEntryID
	expense ExpenseID
}

// expenseNets sums the allocations f selects per (debit, credit), and
// returns the positive sums, the newest credit first.
func expenseNets(ctx context.Context, store Store, f AllocationFilter) ([]allocNet, error) {
	type key struct{ debit, credit LedgerEntryID }
	sums := map[key]*allocNet{}
	var order []key
	for cursor := ""; ; {
		f.PageParams = billkit.PageParams{Cursor: cursor, Limit: billkit.MaxPageLimit}
		page, err := store.ListAllocations(ctx, f)
		if err != nil {
			return nil, err
		}
		for _, a := range page.Items {
			k := key{a.DebitEntryID, a.CreditEntryID}
			n := sums[k]
			if n == nil {
				n = &allocNet{credit: a.CreditEntryID, payment: a.PaymentID, since: a.CreatedAt, debit: a.DebitEntryID, expense: a.ExpenseID}
				sums[k] = n
				order = append(order, k)
			}
			n.amount = n.amount.Add(a.Amount.Amount())
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	out := make([]allocNet, 0, len(order))
	for _, k := range order {
		if n := sums[k]; n.amount.IsPositive() {
			out = append(out, *n)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].credit.String() > out[j].credit.String() })
	return out, nil
}

// debtItem is an open debt: an expense or a ledger debt.
type debtItem struct {
	expense *Expense
	debt    *LedgerDebt
}

func (d debtItem) amounts() (amount, covered billkit.Money) {
	if d.expense != nil {
		return d.expense.Amount, d.expense.Covered
	}
	return d.debt.Amount, d.debt.Covered
}

func (d debtItem) uncovered() decimal.Decimal {
	a, c := d.amounts()
	return a.Amount().Sub(c.Amount())
}

func (d debtItem) expenseID() ExpenseID {
	if d.expense != nil {
		return d.expense.ID
	}
	return ExpenseID{}
}

func (d debtItem) entryID() LedgerEntryID {
	if d.expense != nil {
		return d.expense.LedgerEntryID
	}
	return d.debt.EntryID
}

// cover adds k to the debt's Covered and stores it.
func (d debtItem) cover(ctx context.Context, tx Store, k decimal.Decimal) error {
	if d.expense != nil {
		c, err := d.expense.Covered.Add(moneyLike(d.expense.Covered, k))
		if err != nil {
			return err
		}
		d.expense.Covered = c
		return tx.UpdateExpenseCovered(ctx, d.expense)
	}
	c, err := d.debt.Covered.Add(moneyLike(d.debt.Covered, k))
	if err != nil {
		return err
	}
	d.debt.Covered = c
	return tx.UpdateLedgerDebtCovered(ctx, d.debt)
}

// public returns the debt as ClientDebt lists it.
func (d debtItem) public() Debt {
	a, c := d.amounts()
	out := Debt{LedgerEntryID: d.entryID(), ExpenseID: d.expenseID(), Amount: a, Covered: c, Uncovered: moneyLike(a, d.uncovered())}
	if d.expense != nil {
		out.Kind, out.Description, out.CreatedAt = LedgerExpense, d.expense.Description, d.expense.CreatedAt
	} else {
		out.Kind, out.Description, out.CreatedAt = d.debt.Kind, d.debt.Memo, d.debt.CreatedAt
	}
	return out
}

// debtPage is how many debts of each kind the iterator reads at a time.
const debtPage = 100

// debtIterator walks a client's open debts oldest first: its expenses with
// debt and its open ledger debts, merged in posting order (by ledger entry
// ID, as the store lists each).
type debtIterator struct {
	store        Store
	client       billkit.ClientID
	xs           []Expense
	ds           []LedgerDebt
	xCursor      string
	dCursor      string
	xDone, dDone bool
}

func newDebtIterator(store Store, client billkit.ClientID) *debtIterator {
	return &debtIterator{store: store, client: client}
}

func (it *debtIterator) fill(ctx context.Context) error {
	if len(it.xs) == 0 && !it.xDone {
		page, err := it.store.ListExpenses(ctx, ExpenseFilter{ClientID: it.client, OnlyDebt: true, PageParams: billkit.PageParams{Cursor: it.xCursor, Limit: debtPage}})
		if err != nil {
			return err
		}
		it.xs, it.xCursor, it.xDone = page.Items, page.NextCursor, page.NextCursor == ""
	}
	if len(it.ds) == 0 && !it.dDone {
		page, err := it.store.ListLedgerDebts(ctx, LedgerDebtFilter{ClientID: it.client, OnlyOpen: true, PageParams: billkit.PageParams{Cursor: it.dCursor, Limit: debtPage}})
		if err != nil {
			return err
		}
		it.ds, it.dCursor, it.dDone = page.Items, page.NextCursor, page.NextCursor == ""
	}
	return nil
}

// next returns the oldest open debt not returned yet; false when none is
// left.
func (it *debtIterator) next(ctx context.Context) (debtItem, bool, error) {
	if err := it.fill(ctx); err != nil {
		return debtItem{}, false, err
	}
	switch {
	case len(it.xs) == 0 && len(it.ds) == 0:
		return debtItem{}, false, nil
	case len(it.ds) == 0 || (len(it.xs) > 0 && it.xs[0].LedgerEntryID.String() < it.ds[0].EntryID.String()):
		x := it.xs[0]
		it.xs = it.xs[1:]
		return debtItem{expense: &x}, true, nil
	default:
		d := it.ds[0]
		it.ds = it.ds[1:]
		return debtItem{debt: &d}, true, nil
	}
}

// auditExpenses checks that no expense is covered by more than its amount
// and no credit gives more than it brought; Audit runs it.
//
// Per expense and ledger debt: 0 <= Covered <= Amount, and Covered is the
// sum of its allocations. Per credit: its recorded use is the sum of its
// allocations and at most its amount, and no debit got back more of its
// money than it gave. Per client: the open debt is max(0, -balance), the
// invariant above. It reads every allocation: run it from a maintenance
// job.
func (s *Service) auditExpenses(ctx context.Context) ([]AuditFinding, error) {
	var out []AuditFinding
	add := func(object, format string, args ...any) {
		out = append(out, AuditFinding{Check: "expense", Object: object, Problem: fmt.Sprintf(format, args...)})
	}
	type pairKey struct{ debit, credit LedgerEntryID }
	var (
		byExpense = map[ExpenseID]decimal.Decimal{}
		byDebit   = map[LedgerEntryID]decimal.Decimal{}
		byCredit  = map[LedgerEntryID]decimal.Decimal{}
		pairs     = map[pairKey]decimal.Decimal{}
		open      = map[billkit.ClientID]decimal.Decimal{}
		known     = map[LedgerEntryID]bool{} // debits that are expenses or ledger debts
	)
	for cursor := ""; ; {
		page, err := s.store.ListAllocations(ctx, AllocationFilter{PageParams: billkit.PageParams{Cursor: cursor, Limit: auditPage}})
		if err != nil {
			return nil, err
		}
		for _, a := range page.Items {
			d := a.Amount.Amount()
			if !a.ExpenseID.IsZero() {
				byExpense[a.ExpenseID] = byExpense[a.ExpenseID].Add(d)
			}
			byDebit[a.DebitEntryID] = byDebit[a.DebitEntryID].Add(d)
			byCredit[a.CreditEntryID] = byCredit[a.CreditEntryID].Add(d)
			k := pairKey{a.DebitEntryID, a.CreditEntryID}
			pairs[k] = pairs[k].Add(d)
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	checkCovered := func(object string, amount, covered, allocated decimal.Decimal) {
		switch {
		case covered.IsNegative() || covered.GreaterThan(amount):
			add(object, "covered %s is outside 0..%s", covered, amount)
		case !covered.Equal(allocated):
			add(object, "covered %s but its allocations sum to %s", covered, allocated)
		}
	}
	for cursor := ""; ; {
		page, err := s.store.ListExpenses(ctx, ExpenseFilter{PageParams: billkit.PageParams{Cursor: cursor, Limit: auditPage}})
		if err != nil {
			return nil, err
		}
		for _, x := range page.Items {
			amount, covered := x.Amount.Amount(), x.Covered.Amount()
			checkCovered(x.ID.String(), amount, covered, byExpense[x.ID])
			if !byDebit[x.LedgerEntryID].Equal(byExpense[x.ID]) {
				add(x.ID.String(), "allocations to its ledger entry sum to %s, to the expense %s", byDebit[x.LedgerEntryID], byExpense[x.ID])
			}
			known[x.LedgerEntryID] = true
			open[x.ClientID] = open[x.ClientID].Add(amount.Sub(covered))
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	for cursor := ""; ; {
		page, err := s.store.ListLedgerDebts(ctx, LedgerDebtFilter{PageParams: billkit.PageParams{Cursor: cursor, Limit: auditPage}})
		if err != nil {
			return nil, err
		}
		for _, d := range page.Items {
			amount, covered := d.Amount.Amount(), d.Covered.Amount()
			checkCovered(d.EntryID.String(), amount, covered, byDebit[d.EntryID])
			known[d.EntryID] = true
			open[d.ClientID] = open[d.ClientID].Add(amount.Sub(covered))
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	credits := map[LedgerEntryID]bool{}
	for cursor := ""; ; {
		page, err := s.store.ListLedgerCredits(ctx, LedgerCreditFilter{PageParams: billkit.PageParams{Cursor: cursor, Limit: auditPage}})
		if err != nil {
			return nil, err
		}
		for _, c := range page.Items {
			credits[c.Entry.ID] = true
			amount, allocated := c.Entry.Amount.Amount(), byCredit[c.Entry.ID]
			switch {
			case allocated.GreaterThan(amount):
				add(c.Entry.ID.String(), "credit of %s is allocated %s", amount, allocated)
			case !c.Used.Equal(allocated):
				add(c.Entry.ID.String(), "credit records %s used but its allocations sum to %s", c.Used, allocated)
			}
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	for id, sum := range byCredit {
		if !credits[id] {
			add(id.String(), "allocations take %s from an entry that is not a credit", sum)
		}
	}
	for k, net := range pairs {
		if net.IsNegative() {
			add(k.debit.String(), "credit %s released %s more than it gave", k.credit, net.Neg())
		}
	}
	for id, sum := range byDebit {
		if known[id] {
			continue
		}
		// A debit that is not an expense and that money covered in full
		// when it was posted.
		e, err := s.store.GetLedgerEntry(ctx, id)
		if err != nil {
			return nil, err
		}
		if !e.Amount.IsNegative() || sum.IsNegative() || sum.GreaterThan(e.Amount.Amount().Neg()) {
			add(id.String(), "allocations of %s to entry %s", sum, e.Amount)
		}
	}
	for cursor := ""; ; {
		page, err := s.store.ListClientBalances(ctx, ClientBalanceFilter{PageParams: billkit.PageParams{Cursor: cursor, Limit: auditPage}})
		if err != nil {
			return nil, err
		}
		for _, b := range page.Items {
			want := decimal.Max(decimal.Zero, b.Balance.Amount().Neg())
			if got := open[b.ClientID]; !got.Equal(want) {
				add(b.ClientID.String(), "open debts sum to %s, but a balance of %s owes %s", got, b.Balance.Amount(), want)
			}
			delete(open, b.ClientID)
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	for client, sum := range open {
		if !sum.IsZero() {
			add(client.String(), "open debts sum to %s, but the client has no balance", sum)
		}
	}
	slices.SortFunc(out, func(a, b AuditFinding) int {
		if c := strings.Compare(a.Object, b.Object); c != 0 {
			return c
		}
		return strings.Compare(a.Problem, b.Problem)
	})
	return out, nil
}
