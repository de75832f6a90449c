package billing

import (
	"context"
	"time"

	"github.com/billkit/billkit"
	"github.com/shopspring/decimal"
)

// ExpenseStore is the part of Store that keeps expenses, what covers them,
// and recalculations.
//
// Amounts are exact: an implementation on a database that cannot add
// decimals (SQLite keeps them as text) compares and sums them in Go, never
// in SQL. The Service calls the Set and Update methods only inside the
// transaction of a ledger posting, after the posting moved the client's
// balance, which serializes them per client.
type ExpenseStore interface {
	// InsertExpense stores a new expense; conflict "expense.exists" for a
	// taken ID, failed_precondition for a missing client or ledger entry.
	InsertExpense(ctx context.Context, x *Expense) error
	// GetExpense returns an expense; not_found "expense.not_found".
	GetExpense(ctx context.Context, id ExpenseID) (*Expense, error)
	// UpdateExpenseCovered writes x.Covered, the one field of an expense
	// that changes; not_found "expense.not_found".
	UpdateExpenseCovered(ctx context.Context, x *Expense) error
	// ListExpenses lists expenses oldest first, in posting order (by
	// LedgerEntryID: the ledger makes entry IDs after the balance moved,
	// so they follow the order of a client's postings even when their
	// instants, taken before, do not).
	ListExpenses(ctx context.Context, f ExpenseFilter) (billkit.Page[Expense], error)
	// ListCoveredExpenses lists a client's expenses with Covered > 0,
	// newest first (LedgerEntryID descending).
	ListCoveredExpenses(ctx context.Context, client billkit.ClientID, pp billkit.PageParams) (billkit.Page[Expense], error)

	// InsertAllocations appends allocations; failed_precondition for a
	// missing client, expense or ledger entry. Allocations are never
	// changed or deleted: a release is a negative allocation.
	InsertAllocations(ctx context.Context, as []Allocation) error
	// ListAllocations lists allocations in (CreatedAt, ID) order.
	ListAllocations(ctx context.Context, f AllocationFilter) (billkit.Page[Allocation], error)

	// ListLedgerCredits lists credit ledger entries (Amount > 0) with the
	// part of each that allocations use, newest posting first (ID
	// descending: IDs are made after the balance moved, so they follow
	// the postings' order).
	ListLedgerCredits(ctx context.Context, f LedgerCreditFilter) (billkit.Page[LedgerCredit], error)
	// SetCreditUsed records the total of the allocations of a credit entry
	// (inserting or replacing); failed_precondition for a missing entry.
	SetCreditUsed(ctx context.Context, entry LedgerEntryID, used decimal.Decimal) error

	// InsertLedgerDebt stores a debit that is not an expense and that money
	// did not fully cover when it was posted; conflict
	// "ledger_debt.exists" for an entry that has one.
	InsertLedgerDebt(ctx context.Context, d *LedgerDebt) error
	// UpdateLedgerDebtCovered writes d.Covered; not_found
	// "ledger_debt.not_found".
	UpdateLedgerDebtCovered(ctx context.Context, d *LedgerDebt) error
	// ListLedgerDebts lists ledger debts oldest first (EntryID: posting
	// order).
	ListLedgerDebts(ctx context.Context, f LedgerDebtFilter) (billkit.Page[LedgerDebt], error)

	// InsertRecalculation stores an applied recalculation with its lines;
	// conflict "recalculation.exists" for a taken ID.
	InsertRecalculation(ctx context.Context, r *Recalculation) error
	// GetRecalculation returns a recalculation with its lines; not_found
	// "recalculation.not_found".
	GetRecalculation(ctx context.Context, id RecalculationID) (*Recalculation, error)
	// ListRecalculations lists recalculations with their lines, oldest
	// first (CreatedAt, then ID).
	ListRecalculations(ctx context.Context, f RecalculationFilter) (billkit.Page[Recalculation], error)
}

// ExpenseFilter selects expenses; lists are oldest first, in the order
// they were posted.
type ExpenseFilter struct {
	ClientID billkit.ClientID `json:"client_id,omitzero"`
	Kind     ExpenseKind      `json:"kind,omitempty"`
	// CauseType and CauseID keep the expenses of what they name; CauseID
	// alone is ignored.
	CauseType string `json:"cause_type,omitempty"`
	CauseID   string `json:"cause_id,omitempty"`
	// From and To keep expenses created at or after From and before To.
	From time.Time `json:"from,omitzero"`
	To   time.Time `json:"to,omitzero"`
	// OnlyDebt keeps the expenses not fully covered.
	OnlyDebt bool `json:"only_debt,omitempty"`
	// ClientIDs restricts to those clients' expenses when not nil, as in
	// ClientFilter.
	ClientIDs []billkit.ClientID `json:"-"`
	billkit.PageParams
}

// AllocationID identifies an Allocation.
type AllocationID = billkit.ID[Allocation]

// Allocation links money to a debit it pays: Amount of the credit entry
// CreditEntryID pays the debit DebitEntryID, which is the ledger entry of
// the expense ExpenseID, or a debit that is not an expense (ExpenseID
// zero). A negative Amount releases money allocated before (a refund took
// it back). Allocations are append-only: what an expense's payments are is
// the sum of its allocations per credit.
type Allocation struct {
	ID       AllocationID     `json:"id"`
	ClientID billkit.ClientID `json:"client_id"`
	// ExpenseID is the expense paid; zero when the debit is not an expense.
	ExpenseID    ExpenseID     `json:"expense_id,omitzero"`
	DebitEntryID LedgerEntryID `json:"debit_entry_id"`
	// CreditEntryID is the credit whose money pays; PaymentID its payment,
	// when the credit's cause is one.
	CreditEntryID LedgerEntryID `json:"credit_entry_id"`
	PaymentID     PaymentID     `json:"payment_id,omitzero"`
	// Amount is signed, in the client's currency: positive allocates,
	// negative releases.
	Amount billkit.Money `json:"amount"`
	// EntryID is the posting that made the allocation.
	EntryID   LedgerEntryID `json:"entry_id"`
	CreatedAt time.Time     `json:"created_at"`
}

// AllocationFilter selects allocations; lists are in creation order.
type AllocationFilter struct {
	ClientID      billkit.ClientID `json:"client_id,omitzero"`
	ExpenseID     ExpenseID        `json:"expense_id,omitzero"`
	DebitEntryID  LedgerEntryID    `json:"debit_entry_id,omitzero"`
	CreditEntryID LedgerEntryID    `json:"credit_entry_id,omitzero"`
	PaymentID     PaymentID        `json:"payment_id,omitzero"`
	// ClientIDs restricts to those clients' allocations when not nil, as in
	// ClientFilter.
	ClientIDs []billkit.ClientID `json:"-"`
	billkit.PageParams
}

// LedgerCredit is a credit ledger entry and how much of it allocations
// use.
type LedgerCredit struct {
	Entry LedgerEntry `json:"entry"`
	// Used is the sum of the entry's allocations: at most Entry.Amount.
	Used decimal.Decimal `json:"used"`
}

// LedgerCreditFilter selects credit entries; lists are newest first.
type LedgerCreditFilter struct {
	// ClientID keeps one client's credits; zero lists every client's.
	ClientID billkit.ClientID `json:"client_id,omitzero"`
	billkit.PageParams
}

// LedgerDebt is a debit that is not an expense (an adjustment, a refund to
// the card, a transfer out) which found no money to cover all of it: it is
// owed like an expense, and money pays it in its turn, oldest first.
type LedgerDebt struct {
	// EntryID is the debit.
	EntryID  LedgerEntryID    `json:"entry_id"`
	ClientID billkit.ClientID `json:"client_id"`
	Kind     LedgerKind       `json:"kind"`
	Memo     string           `json:"memo,omitempty"`
	// Amount is the whole debit, positive; Covered the part money pays.
	Amount    billkit.Money `json:"amount"`
	Covered   billkit.Money `json:"covered"`
	CreatedAt time.Time     `json:"created_at"`
}

// LedgerDebtFilter selects ledger debts; lists are oldest first.
type LedgerDebtFilter struct {
	ClientID billkit.ClientID `json:"client_id,omitzero"`
	// OnlyOpen keeps the debts not fully covered.
	OnlyOpen bool `json:"only_open,omitempty"`
	billkit.PageParams
}

// RecalculationFilter selects recalculations; lists are oldest first.
type RecalculationFilter struct {
	ClientID billkit.ClientID `json:"client_id,omitzero"`
	billkit.PageParams
}
