package billing

import (
	"context"
	"slices"
	"time"

	"github.com/billkit/billkit"
	"github.com/shopspring/decimal"
)

// BatchCharge is one charge of ChargeBatchTx and the actor who makes it.
type BatchCharge struct {
	Actor  billkit.Actor
	Params ChargeParams
}

// ChargeOutcome is what became of one charge of ChargeBatchTx: the expense
// it stored, or why it stored nothing.
type ChargeOutcome struct {
	Expense *Expense
	Err     error
}

// ChargeAccount is what a batch of charges reads of a client in one go: its
// ledger account and whether it is deleted.
type ChargeAccount struct {
	LedgerAccount
	Status ClientStatus
}

// BalanceWrite is a client's balance after a batch of postings, and how
// many postings the batch made.
type BalanceWrite struct {
	ClientID billkit.ClientID
	Balance  decimal.Decimal
	Entries  int
}

// BatchStore is what ChargeBatchTx writes with: a statement per kind of
// row for the whole batch rather than a few per charge.
type BatchStore interface {
	// GetChargeAccounts reads the accounts of the clients; a client that
	// does not exist is absent from the map. On PostgreSQL the balance rows
	// are locked until the transaction ends, in client order.
	GetChargeAccounts(ctx context.Context, ids []billkit.ClientID) (map[billkit.ClientID]*ChargeAccount, error)
	// ListFreeCredits returns, for each client, its credit entries that are
	// not wholly used, newest first, with their use.
	ListFreeCredits(ctx context.Context, ids []billkit.ClientID) (map[billkit.ClientID][]LedgerCredit, error)
	// InsertLedgerEntries, InsertExpenses and InsertActions insert rows as
	// their single-row twins do.
	InsertLedgerEntries(ctx context.Context, es []LedgerEntry) error
	InsertExpenses(ctx context.Context, xs []Expense) error
	InsertActions(ctx context.Context, as []billkit.Action) error
	// SetCreditsUsed sets the use of credit entries, as SetCreditUsed.
	SetCreditsUsed(ctx context.Context, used map[LedgerEntryID]decimal.Decimal) error
	// SetBalances writes balances read by GetChargeAccounts in this
	// transaction, adding Entries to their count of entries.
	SetBalances(ctx context.Context, bs []BalanceWrite, now time.Time) error
}

// InsufficientFunds is the error of a debit the balance does not cover
// within the client's credit limit.
func InsufficientFunds() error {
	return billkit.Errorf(billkit.CodeFailedPrecondition, ReasonInsufficientFunds,
		"the balance does not cover the amount within the client's credit limit")
}

// ChargeBatchTx makes the charges in tx, in order, as ChargeTx would one
// after the other, and writes them in bulk: the ledger entries, expenses,
// allocations, credits' use, balances and action log entries of the batch
// each in one statement. It is how the billing cycle renews thousands of
// services at the speed of the database.
//
// A charge that ChargeTx would refuse (a bad parameter, an actor without
// the right, insufficient funds) gets its error in its outcome and writes
// nothing; the others go on. The outcomes are in the order of charges. An
// error of the database is returned, and the caller abandons tx.
//
// The charges of a client whose account is unusual (no balance yet, a
// currency without ISO digits, a deleted client) are made by ChargeTx one
// by one, after the others, so every rule of a single charge holds.
func (s *Service) ChargeBatchTx(ctx context.Context, tx Store, charges []BatchCharge) ([]ChargeOutcome, error) {
	if tx == nil {
		return nil, billkit.InvalidField("tx", "required", "is required")
	}
	bst, ok := tx.(BatchStore)
	out := make([]ChargeOutcome, len(charges))
	if !ok {
		for i, c := range charges {
			x, err := s.ChargeTx(ctx, tx, c.Actor, c.Params)
			if err != nil && !refused(err) {
				return nil, err
			}
			out[i] = ChargeOutcome{Expense: x, Err: err}
		}
		return out, nil
	}
	b := &chargeBatch{s: s, out: out}
	var ids []billkit.ClientID
	for i := range charges {
		c := &charges[i]
		if err := c.Actor.Validate(); err != nil {
			out[i].Err = err
			continue
		}
		if err := c.Params.validate(); err != nil {
			out[i].Err = err
			continue
		}
		ids = append(ids, c.Params.ClientID)
	}
	slices.SortFunc(ids, func(a, b billkit.ClientID) int { return a.Compare(b) })
	ids = slices.Compact(ids)
	accounts, err := bst.GetChargeAccounts(ctx, ids)
	if err != nil {
		return nil, err
	}
	var withMoney []billkit.ClientID
	for _, id := range ids {
		if a := accounts[id]; batchable(a) && a.Balance.IsPositive() {
			withMoney = append(withMoney, id)
		}
	}
	credits, err := bst.ListFreeCredits(ctx, withMoney)
	if err != nil {
		return nil, err
	}
	b.accounts, b.credits = accounts, credits
	var alone []int
	for i := range charges {
		if out[i].Err != nil {
			continue
		}
		if !batchable(accounts[charges[i].Params.ClientID]) {
			alone = append(alone, i)
			continue
		}
		b.charge(i, charges[i].Actor, charges[i].Params)
	}
	if err := b.write(ctx, tx, bst); err != nil {
		return nil, err
	}
	for _, i := range alone {
		c := charges[i]
		x, err := s.ChargeTx(ctx, tx, c.Actor, c.Params)
		if err != nil && !refused(err) {
			return nil, err
		}
		out[i] = ChargeOutcome{Expense: x, Err: err}
	}
	return out, nil
}

// refused reports whether err is a charge's own refusal rather than a
// failure of the database.
func refused(err error) bool {
	switch billkit.ErrorCode(err) {
	case billkit.CodeInvalid, billkit.CodeNotFound, billkit.CodeForbidden, billkit.CodeUnauthenticated,
		billkit.CodeFailedPrecondition, billkit.CodeConflict:
		return true
	}
	return false
}

// batchable reports whether a's charges can be made in memory: a client
// with a balance in its own currency, an ISO currency, not deleted.
func batchable(a *ChargeAccount) bool {
	if a == nil || !a.HasBalance || a.BalanceCurrency != a.Currency || a.Status == ClientStatusDeleted {
		return false
	}
	_, iso := billkit.CurrencyDigits(a.Currency)
	return iso
}

// chargeBatch is a batch of charges computed in memory, then written.
type chargeBatch struct {
	s        *Service
	out      []ChargeOutcome
	accounts map[billkit.ClientID]*ChargeAccount
	credits  map[billkit.ClientID][]LedgerCredit
	entries  []LedgerEntry
	expenses []Expense
	allocs   []Allocation
	actions  []billkit.Action
	used     map[LedgerEntryID]decimal.Decimal
	moved    map[billkit.ClientID]int
}

// charge makes charge i in memory, as chargeTx, post and coverCharge do on
// the store.
func (b *chargeBatch) charge(i int, actor billkit.Actor, p ChargeParams) {
	a := b.accounts[p.ClientID]
	fail := func(err error) { b.out[i].Err = err }
	if err := actor.AuthorizeClient(billkit.R(FunctionExpense, billkit.OpCreate), a.ClientID, clientNotFound(a.ClientID)); err != nil {
		fail(err)
		return
	}
	d, _ := billkit.CurrencyDigits(a.Currency)
	digits := int32(d)
	if err := checkChargeAmount(p.Amount, a.Currency, digits); err != nil {
		fail(err)
		return
	}
	post := poster(actor, a.ClientID)
	if err := post.AuthorizeClient(billkit.R(FunctionLedger, billkit.OpCreate), a.ClientID, clientNotFound(a.ClientID)); err != nil {
		fail(err)
		return
	}
	amount := withDigits(p.Amount, digits)
	delta := amount.Amount().Neg()
	before := a.Balance
	after := before.Add(delta)
	if !p.AllowBelowLimit && after.LessThan(a.CreditLimit.Neg()) {
		fail(InsufficientFunds())
		return
	}
	now := billkit.Instant(b.s.now())
	debit, err := billkit.NewMoney(delta, a.Currency)
	if err != nil {
		fail(err)
		return
	}
	balAfter, err := billkit.NewMoney(after.Round(digits), a.Currency)
	if err != nil {
		fail(err)
		return
	}
	x := Expense{
		ID: p.ID, ClientID: a.ClientID, Kind: p.Kind, Amount: amount,
		Description: p.Description, CauseType: p.CauseType, CauseID: p.CauseID,
		PeriodStart: p.PeriodStart, PeriodEnd: p.PeriodEnd,
		TariffID: p.TariffID, Period: p.Period, Quantity: p.Quantity, PriceDate: p.PriceDate,
		ActorKind: actor.Kind, ActorID: actor.ID,
	}
	if x.ID.IsZero() {
		newID(&x.ID)
	}
	e := LedgerEntry{
		ClientID: a.ClientID, Amount: debit, Kind: LedgerExpense, CauseType: CauseExpense, CauseID: x.ID.String(),
		Memo: p.Description, ActorKind: post.Kind, ActorID: post.ID, CreatedAt: now, BalanceAfter: balAfter,
	}
	newID(&e.ID)
	x.LedgerEntryID, x.CreatedAt = e.ID, now
	covered := decimal.Zero
	var allocs []Allocation
	if before.IsPositive() {
		allocs, covered = b.takeMoney(&e, before, decimal.Min(amount.Amount(), before), x.ID)
	}
	cov, err := billkit.NewMoney(covered, a.Currency)
	if err != nil {
		fail(err)
		return
	}
	x.Covered = withDigits(cov, -x.Amount.Amount().Exponent())
	var createAct *billkit.Action
	if !p.RecordedByCaller {
		createAct, err = billkit.NewAction(actor, now, FunctionExpense+".create", FunctionExpense, x.ID.String(), nil, &x)
		if err != nil {
			fail(err)
			return
		}
		createAct.ClientID = a.ClientID
	}

	// Nothing can fail from here: the charge joins the batch.
	a.Balance = after
	if b.moved == nil {
		b.moved, b.used = map[billkit.ClientID]int{}, map[LedgerEntryID]decimal.Decimal{}
	}
	b.moved[a.ClientID]++
	for _, al := range allocs {
		cs := b.credits[a.ClientID]
		for k := range cs {
			if cs[k].Entry.ID == al.CreditEntryID {
				cs[k].Used = cs[k].Used.Add(al.Amount.Amount())
				b.used[al.CreditEntryID] = cs[k].Used
			}
		}
	}
	b.entries = append(b.entries, e)
	b.expenses = append(b.expenses, x)
	b.allocs = append(b.allocs, allocs...)
	if createAct != nil {
		b.actions = append(b.actions, *createAct)
	}
	b.out[i].Expense = &x
}

// takeMoney is the store's takeMoney on the credits read for the batch:
// the same walk over the same credits, newest first, then the oldest of
// them giving first. It does not change the credits; charge does once the
// charge is certain.
func (b *chargeBatch) takeMoney(e *LedgerEntry, unallocated, need decimal.Decimal, expense ExpenseID) ([]Allocation, decimal.Decimal) {
	type holding struct {
		c    *LedgerCredit
		free decimal.Decimal
	}
	var holders []holding
	left := unallocated
	cs := b.credits[e.ClientID]
	for k := 0; k < len(cs) && left.IsPositive(); k++ {
		free := decimal.Min(cs[k].Entry.Amount.Amount().Sub(cs[k].Used), left)
		if free.IsPositive() {
			holders = append(holders, holding{c: &cs[k], free: free})
			left = left.Sub(free)
		}
	}
	var out []Allocation
	taken := decimal.Zero
	for k := len(holders) - 1; k >= 0 && need.IsPositive(); k-- {
		h := holders[k]
		amt := decimal.Min(h.free, need)
		m, err := billkit.NewMoney(amt, e.Amount.Currency())
		if err != nil {
			continue
		}
		a := Allocation{
			ClientID: e.ClientID, ExpenseID: expense, DebitEntryID: e.ID, CreditEntryID: h.c.Entry.ID,
			PaymentID: creditPayment(&h.c.Entry), Amount: m, EntryID: e.ID, CreatedAt: e.CreatedAt,
		}
		newID(&a.ID)
		out = append(out, a)
		need, taken = need.Sub(amt), taken.Add(amt)
	}
	return out, taken
}

// write stores the batch: entries before the expenses and allocations that
// refer to them.
func (b *chargeBatch) write(ctx context.Context, tx Store, bst BatchStore) error {
	if len(b.entries) == 0 {
		return nil
	}
	balances := make([]BalanceWrite, 0, len(b.moved))
	for id, n := range b.moved {
		balances = append(balances, BalanceWrite{ClientID: id, Balance: b.accounts[id].Balance, Entries: n})
	}
	slices.SortFunc(balances, func(x, y BalanceWrite) int { return x.ClientID.Compare(y.ClientID) })
	if err := bst.SetBalances(ctx, balances, b.s.now()); err != nil {
		return err
	}
	if err := bst.InsertLedgerEntries(ctx, b.entries); err != nil {
		return err
	}
	if err := bst.InsertExpenses(ctx, b.expenses); err != nil {
		return err
	}
	if err := tx.InsertAllocations(ctx, b.allocs); err != nil {
		return err
	}
	if err := bst.SetCreditsUsed(ctx, b.used); err != nil {
		return err
	}
	return bst.InsertActions(ctx, b.actions)
}
