package bunstore

import (
	"context"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/catalog"
	"github.com/shopspring/decimal"
	"github.com/uptrace/bun"
)

// The coverage statuses of expenses and ledger debts, kept beside their
// amounts so that lists of debts (status <> 'paid') and of covered
// expenses (status <> 'unpaid') need no decimal comparison in SQL, which
// SQLite cannot make on text, and have partial indexes.
const (
	coverUnpaid = "unpaid"
	coverPartly = "partly_paid"
	coverPaid   = "paid"
)

// coverStatus is the status of a debit of amount of which covered is paid.
func coverStatus(amount, covered decimal.Decimal) string {
	switch {
	case !covered.IsPositive():
		return coverUnpaid
	case covered.LessThan(amount):
		return coverPartly
	}
	return coverPaid
}

// expenseRow is a row of billkit_expenses: billing.Expense with its Money
// split into amounts and a currency column.
type expenseRow struct {
	ID            billing.ExpenseID     `bun:"id,pk"`
	ClientID      billkit.ClientID      `bun:"client_id,notnull"`
	Kind          billing.ExpenseKind   `bun:"kind,notnull"`
	Amount        decimal.Decimal       `bun:"amount,notnull"`
	Covered       decimal.Decimal       `bun:"covered,notnull"`
	Currency      string                `bun:"currency,notnull"`
	Status        string                `bun:"status,notnull"`
	Description   string                `bun:"description,notnull"`
	CauseType     string                `bun:"cause_type,notnull"`
	CauseID       string                `bun:"cause_id,notnull"`
	PeriodStart   billkit.Date          `bun:"period_start"`
	PeriodEnd     billkit.Date          `bun:"period_end"`
	TariffID      catalog.TariffID      `bun:"tariff_id"`
	BillingPeriod catalog.Period        `bun:"billing_period,notnull"`
	Quantity      decimal.Decimal       `bun:"quantity,notnull"`
	PriceDate     billkit.Date          `bun:"price_date"`
	LedgerEntryID billing.LedgerEntryID `bun:"ledger_entry_id,notnull"`
	ActorKind     billkit.ActorKind     `bun:"actor_kind,notnull"`
	ActorID       string                `bun:"actor_id,notnull"`
	CreatedAt     time.Time             `bun:"created_at,notnull"`
}

func expenseRowOf(x *billing.Expense) *expenseRow {
	return &expenseRow{
		ID: x.ID, ClientID: x.ClientID, Kind: x.Kind, Amount: x.Amount.Amount(), Covered: x.Covered.Amount(),
		Currency: x.Amount.Currency(), Status: coverStatus(x.Amount.Amount(), x.Covered.Amount()),
		Description: x.Description, CauseType: x.CauseType, CauseID: x.CauseID, PeriodStart: x.PeriodStart, PeriodEnd: x.PeriodEnd,
		TariffID: x.TariffID, BillingPeriod: x.Period, Quantity: x.Quantity, PriceDate: x.PriceDate,
		LedgerEntryID: x.LedgerEntryID, ActorKind: x.ActorKind, ActorID: x.ActorID, CreatedAt: x.CreatedAt,
	}
}

func (r *expenseRow) expense() (billing.Expense, error) {
	x := billing.Expense{
		ID: r.ID, ClientID: r.ClientID, Kind: r.Kind, Description: r.Description, CauseType: r.CauseType, CauseID: r.CauseID,
		PeriodStart: r.PeriodStart, PeriodEnd: r.PeriodEnd, TariffID: r.TariffID, Period: r.BillingPeriod, Quantity: r.Quantity,
		PriceDate: r.PriceDate, LedgerEntryID: r.LedgerEntryID, ActorKind: r.ActorKind, ActorID: r.ActorID, CreatedAt: r.CreatedAt,
	}
	var err error
	if x.Amount, err = billkit.NewMoney(r.Amount, r.Currency); err != nil {
		return x, storedValue(err)
	}
	if x.Covered, err = billkit.NewMoney(r.Covered, r.Currency); err != nil {
		return x, storedValue(err)
	}
	return x, nil
}

var expenses = list[expenseRow]{
	table: table[expenseRow]{
		name: "billkit_expenses",
		kind: "expense",
		key:  func(r *expenseRow) any { return r.ID },
		norm: func(r *expenseRow) { instant(&r.CreatedAt) },
	},
	// Posting order: the ledger makes an entry's ID after it moved the
	// balance, so IDs follow the order in which the client's postings
	// happened, which the instants (taken before) may not under
	// concurrency.
	order: []keyCol{{expr: "?TableAlias.ledger_entry_id"}},
	keyOf: func(r *expenseRow) []string { return []string{r.LedgerEntryID.String()} },
}

// coveredExpenses is the newest-first list of covered expenses.
var coveredExpenses = list[expenseRow]{
	table: expenses.table,
	order: []keyCol{{expr: "?TableAlias.ledger_entry_id", desc: true}},
	keyOf: expenses.keyOf,
}

// expensePage turns a page of rows into a page of expenses.
func expensePage(page billkit.Page[expenseRow], err error) (billkit.Page[billing.Expense], error) {
	if err != nil {
		return billkit.Page[billing.Expense]{}, err
	}
	return convertPage(page, (*expenseRow).expense)
}

// InsertExpense stores a new expense; conflict "expense.exists" for a taken
// ID, failed_precondition for a missing client or ledger entry.
func (b billingStore) InsertExpense(ctx context.Context, x *billing.Expense) error {
	if x == nil {
		return billkit.InvalidField("expense", "required", "is required")
	}
	if x.ID.IsZero() {
		return billkit.InvalidField("id", "required", "is required")
	}
	if x.Amount.Currency() == "" || x.Covered.Currency() != x.Amount.Currency() {
		return billkit.InvalidField("amount", "expense.currency_mismatch", "amount and covered must be in one currency")
	}
	row := expenseRowOf(x)
	if err := insertRow(ctx, b.s, expenses.table, row); err != nil {
		return err
	}
	x.CreatedAt = row.CreatedAt
	return nil
}

// GetExpense reads an expense; not_found "expense.not_found".
func (b billingStore) GetExpense(ctx context.Context, id billing.ExpenseID) (*billing.Expense, error) {
	if id.IsZero() {
		return nil, billkit.NotFound("expense", id)
	}
	return converted((*expenseRow).expense)(getRow(ctx, b.s, expenses.table, id, billingByID(id)))
}

// UpdateExpenseCovered writes Covered and the status it gives.
func (b billingStore) UpdateExpenseCovered(ctx context.Context, x *billing.Expense) error {
	if x == nil {
		return billkit.InvalidField("expense", "required", "is required")
	}
	if x.Covered.Currency() != x.Amount.Currency() {
		return billkit.InvalidField("covered", "expense.currency_mismatch", "amount and covered must be in one currency")
	}
	return updateCovered(ctx, b.s, "billkit_expenses", "id", "expense", x.ID, x.Amount.Amount(), x.Covered.Amount())
}

// updateCovered sets covered and status of the row of table whose key
// column is id; no row is not_found "<kind>.not_found".
func updateCovered(ctx context.Context, s *Store, table, keyCol, kind string, id any, amount, covered decimal.Decimal) error {
	if err := s.usable(ctx); err != nil {
		return err
	}
	res, err := s.db.NewUpdate().TableExpr(table).Set("covered = ?", covered).Set("status = ?", coverStatus(amount, covered)).
		Where("? = ?", bun.Ident(keyCol), id).Exec(ctx)
	if err != nil {
		return mapError(ctx, err, target{kind: kind, key: id})
	}
	n, err := res.RowsAffected()
	if err != nil {
		return mapError(ctx, err, target{kind: kind, key: id})
	}
	if n == 0 {
		return billkit.NotFound(kind, id)
	}
	return nil
}

// ListExpenses lists expenses oldest first, in posting order; OnlyDebt
// reads the partial index of debts.
func (b billingStore) ListExpenses(ctx context.Context, f billing.ExpenseFilter) (billkit.Page[billing.Expense], error) {
	if f.ClientIDs != nil && len(f.ClientIDs) == 0 {
		if err := f.PageParams.Validate(); err != nil {
			return billkit.Page[billing.Expense]{}, err
		}
		return billkit.Page[billing.Expense]{Items: []billing.Expense{}}, nil
	}
	return expensePage(listRows(ctx, b.s, expenses, f.PageParams, func(q *bun.SelectQuery) *bun.SelectQuery {
		if !f.ClientID.IsZero() {
			q = q.Where("?TableAlias.client_id = ?", f.ClientID)
		}
		if f.ClientIDs != nil {
			q = q.Where("?TableAlias.client_id IN (?)", bun.In(f.ClientIDs))
		}
		if f.Kind != "" {
			q = q.Where("?TableAlias.kind = ?", f.Kind)
		}
		if f.CauseType != "" {
			q = q.Where("?TableAlias.cause_type = ?", f.CauseType)
			if f.CauseID != "" {
				q = q.Where("?TableAlias.cause_id = ?", f.CauseID)
			}
		}
		if !f.From.IsZero() {
			q = q.Where("?TableAlias.created_at >= ?", billkit.Instant(f.From))
		}
		if !f.To.IsZero() {
			q = q.Where("?TableAlias.created_at < ?", billkit.Instant(f.To))
		}
		if f.OnlyDebt {
			q = q.Where("?TableAlias.status <> ?", coverPaid)
		}
		return q
	}))
}

// ListCoveredExpenses lists a client's expenses that money covers at
// least partly, newest first, on their partial index.
func (b billingStore) ListCoveredExpenses(ctx context.Context, client billkit.ClientID, pp billkit.PageParams) (billkit.Page[billing.Expense], error) {
	return expensePage(listRows(ctx, b.s, coveredExpenses, pp, func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("?TableAlias.client_id = ?", client).Where("?TableAlias.status <> ?", coverUnpaid)
	}))
}

// allocationRow is a row of billkit_expense_allocations.
type allocationRow struct {
	ID            billing.AllocationID  `bun:"id,pk"`
	ClientID      billkit.ClientID      `bun:"client_id,notnull"`
	ExpenseID     billing.ExpenseID     `bun:"expense_id"`
	DebitEntryID  billing.LedgerEntryID `bun:"debit_entry_id,notnull"`
	CreditEntryID billing.LedgerEntryID `bun:"credit_entry_id,notnull"`
	PaymentID     billing.PaymentID     `bun:"payment_id"`
	Amount        decimal.Decimal       `bun:"amount,notnull"`
	Currency      string                `bun:"currency,notnull"`
	EntryID       billing.LedgerEntryID `bun:"entry_id,notnull"`
	CreatedAt     time.Time             `bun:"created_at,notnull"`
}

var allocations = list[allocationRow]{
	table: table[allocationRow]{
		name: "billkit_expense_allocations",
		kind: "allocation",
		key:  func(r *allocationRow) any { return r.ID },
		norm: func(r *allocationRow) { instant(&r.CreatedAt) },
	},
	order: []keyCol{{expr: "?TableAlias.created_at"}, {expr: "?TableAlias.id"}},
	keyOf: func(r *allocationRow) []string { return []string{cursorTime(r.CreatedAt), r.ID.String()} },
}

// InsertAllocations appends allocations in one statement per batch.
func (b billingStore) InsertAllocations(ctx context.Context, as []billing.Allocation) error {
	if err := b.s.usable(ctx); err != nil {
		return err
	}
	if len(as) == 0 {
		return nil
	}
	rows := make([]allocationRow, len(as))
	for i := range as {
		a := &as[i]
		if a.ID.IsZero() {
			return billkit.InvalidField("id", "required", "is required")
		}
		if a.Amount.Currency() == "" {
			return billkit.InvalidField("amount", "required", "is required")
		}
		rows[i] = allocationRow{
			ID: a.ID, ClientID: a.ClientID, ExpenseID: a.ExpenseID, DebitEntryID: a.DebitEntryID, CreditEntryID: a.CreditEntryID,
			PaymentID: a.PaymentID, Amount: a.Amount.Amount(), Currency: a.Amount.Currency(), EntryID: a.EntryID, CreatedAt: a.CreatedAt,
		}
		allocations.norm(&rows[i])
	}
	return b.s.inTxOrCurrent(ctx, func(tx *Store) error {
		for start := 0; start < len(rows); start += seedBatch {
			batch := rows[start:min(start+seedBatch, len(rows))]
			if _, err := tx.db.NewInsert().Model(&batch).ModelTableExpr(allocations.expr(tx)).Exec(ctx); err != nil {
				return mapError(ctx, err, target{kind: "allocation"})
			}
		}
		return nil
	})
}

// ListAllocations lists allocations in creation order.
func (b billingStore) ListAllocations(ctx context.Context, f billing.AllocationFilter) (billkit.Page[billing.Allocation], error) {
	if f.ClientIDs != nil && len(f.ClientIDs) == 0 {
		if err := f.PageParams.Validate(); err != nil {
			return billkit.Page[billing.Allocation]{}, err
		}
		return billkit.Page[billing.Allocation]{Items: []billing.Allocation{}}, nil
	}
	page, err := listRows(ctx, b.s, allocations, f.PageParams, func(q *bun.SelectQuery) *bun.SelectQuery {
		if !f.ClientID.IsZero() {
			q = q.Where("?TableAlias.client_id = ?", f.ClientID)
		}
		if f.ClientIDs != nil {
			q = q.Where("?TableAlias.client_id IN (?)", bun.In(f.ClientIDs))
		}
		if !f.ExpenseID.IsZero() {
			q = q.Where("?TableAlias.expense_id = ?", f.ExpenseID)
		}
		if !f.DebitEntryID.IsZero() {
			q = q.Where("?TableAlias.debit_entry_id = ?", f.DebitEntryID)
		}
		if !f.CreditEntryID.IsZero() {
			q = q.Where("?TableAlias.credit_entry_id = ?", f.CreditEntryID)
		}
		if !f.PaymentID.IsZero() {
			q = q.Where("?TableAlias.payment_id = ?", f.PaymentID)
		}
		return q
	})
	if err != nil {
		return billkit.Page[billing.Allocation]{}, err
	}
	out := billkit.Page[billing.Allocation]{Items: make([]billing.Allocation, 0, len(page.Items)), NextCursor: page.NextCursor}
	for _, r := range page.Items {
		m, err := billkit.NewMoney(r.Amount, r.Currency)
		if err != nil {
			return billkit.Page[billing.Allocation]{}, storedValue(err)
		}
		out.Items = append(out.Items, billing.Allocation{
			ID: r.ID, ClientID: r.ClientID, ExpenseID: r.ExpenseID, DebitEntryID: r.DebitEntryID, CreditEntryID: r.CreditEntryID,
			PaymentID: r.PaymentID, Amount: m, EntryID: r.EntryID, CreatedAt: r.CreatedAt,
		})
	}
	return out, nil
}

// ledgerCredits lists credit entries newest posting first: by ID, which the
// ledger makes after the balance moved.
var ledgerCredits = list[ledgerRow]{
	table: ledgerEntries.table,
	order: []keyCol{{expr: "?TableAlias.id", desc: true}},
	keyOf: func(r *ledgerRow) []string { return []string{r.ID.String()} },
}

// creditWhere is the condition "the entry is a credit" in the form of the
// partial index billkit_ledger_entries_credit_idx of the dialect: SQLite
// keeps amounts as text, where a debit starts with a minus sign (amounts
// are never zero).
func (s *Store) creditWhere() string {
	if s.dialect == DialectPostgres {
		return "?TableAlias.amount > 0"
	}
	return "?TableAlias.amount NOT LIKE '-%'"
}

// creditUsage is a row of billkit_credit_usage.
type creditUsage struct {
	EntryID billing.LedgerEntryID `bun:"entry_id,pk"`
	Used    decimal.Decimal       `bun:"used,notnull"`
}

// ListLedgerCredits lists credit entries newest posting first, on the
// partial index of credits, with their use read in one more query.
func (b billingStore) ListLedgerCredits(ctx context.Context, f billing.LedgerCreditFilter) (billkit.Page[billing.LedgerCredit], error) {
	page, err := listRows(ctx, b.s, ledgerCredits, f.PageParams, func(q *bun.SelectQuery) *bun.SelectQuery {
		if !f.ClientID.IsZero() {
			q = q.Where("?TableAlias.client_id = ?", f.ClientID)
		}
		return q.Where(b.s.creditWhere())
	})
	if err != nil {
		return billkit.Page[billing.LedgerCredit]{}, err
	}
	out := billkit.Page[billing.LedgerCredit]{Items: make([]billing.LedgerCredit, 0, len(page.Items)), NextCursor: page.NextCursor}
	if len(page.Items) == 0 {
		return out, nil
	}
	ids := make([]billing.LedgerEntryID, len(page.Items))
	for i := range page.Items {
		ids[i] = page.Items[i].ID
	}
	var usage []creditUsage
	if err := b.s.db.NewSelect().Model(&usage).ModelTableExpr("billkit_credit_usage AS credit_usage").
		Where("entry_id IN (?)", bun.In(ids)).Scan(ctx); err != nil {
		return billkit.Page[billing.LedgerCredit]{}, mapError(ctx, err, target{kind: "credit_usage"})
	}
	used := make(map[billing.LedgerEntryID]decimal.Decimal, len(usage))
	for _, u := range usage {
		used[u.EntryID] = u.Used
	}
	for i := range page.Items {
		e, err := page.Items[i].entry()
		if err != nil {
			return billkit.Page[billing.LedgerCredit]{}, err
		}
		out.Items = append(out.Items, billing.LedgerCredit{Entry: e, Used: used[e.ID]})
	}
	return out, nil
}

// SetCreditUsed inserts or replaces the credit's usage row.
func (b billingStore) SetCreditUsed(ctx context.Context, entry billing.LedgerEntryID, used decimal.Decimal) error {
	if err := b.s.usable(ctx); err != nil {
		return err
	}
	if entry.IsZero() {
		return billkit.InvalidField("entry_id", "required", "is required")
	}
	row := &creditUsage{EntryID: entry, Used: used}
	_, err := b.s.db.NewInsert().Model(row).ModelTableExpr("billkit_credit_usage AS credit_usage").
		On("CONFLICT (entry_id) DO UPDATE").Set("used = EXCLUDED.used").Exec(ctx)
	return mapError(ctx, err, target{kind: "credit_usage", key: entry})
}

// ledgerDebtRow is a row of billkit_ledger_debts.
type ledgerDebtRow struct {
	EntryID   billing.LedgerEntryID `bun:"entry_id,pk"`
	ClientID  billkit.ClientID      `bun:"client_id,notnull"`
	Kind      billing.LedgerKind    `bun:"kind,notnull"`
	Memo      string                `bun:"memo,notnull"`
	Amount    decimal.Decimal       `bun:"amount,notnull"`
	Covered   decimal.Decimal       `bun:"covered,notnull"`
	Currency  string                `bun:"currency,notnull"`
	Status    string                `bun:"status,notnull"`
	CreatedAt time.Time             `bun:"created_at,notnull"`
}

var ledgerDebts = list[ledgerDebtRow]{
	table: table[ledgerDebtRow]{
		name: "billkit_ledger_debts",
		kind: "ledger_debt",
		key:  func(r *ledgerDebtRow) any { return r.EntryID },
		norm: func(r *ledgerDebtRow) { instant(&r.CreatedAt) },
	},
	order: []keyCol{{expr: "?TableAlias.entry_id"}}, // posting order, as expenses
	keyOf: func(r *ledgerDebtRow) []string { return []string{r.EntryID.String()} },
}

// InsertLedgerDebt stores a debit that money did not fully cover.
func (b billingStore) InsertLedgerDebt(ctx context.Context, d *billing.LedgerDebt) error {
	if d == nil {
		return billkit.InvalidField("ledger_debt", "required", "is required")
	}
	if d.EntryID.IsZero() {
		return billkit.InvalidField("entry_id", "required", "is required")
	}
	if d.Amount.Currency() == "" || d.Covered.Currency() != d.Amount.Currency() {
		return billkit.InvalidField("amount", "ledger.currency_mismatch", "amount and covered must be in one currency")
	}
	row := &ledgerDebtRow{
		EntryID: d.EntryID, ClientID: d.ClientID, Kind: d.Kind, Memo: d.Memo, Amount: d.Amount.Amount(), Covered: d.Covered.Amount(),
		Currency: d.Amount.Currency(), Status: coverStatus(d.Amount.Amount(), d.Covered.Amount()), CreatedAt: d.CreatedAt,
	}
	if err := insertRow(ctx, b.s, ledgerDebts.table, row); err != nil {
		return err
	}
	d.CreatedAt = row.CreatedAt
	return nil
}

// UpdateLedgerDebtCovered writes Covered and the status it gives.
func (b billingStore) UpdateLedgerDebtCovered(ctx context.Context, d *billing.LedgerDebt) error {
	if d == nil {
		return billkit.InvalidField("ledger_debt", "required", "is required")
	}
	if d.Covered.Currency() != d.Amount.Currency() {
		return billkit.InvalidField("covered", "ledger.currency_mismatch", "amount and covered must be in one currency")
	}
	return updateCovered(ctx, b.s, "billkit_ledger_debts", "entry_id", "ledger_debt", d.EntryID, d.Amount.Amount(), d.Covered.Amount())
}

// ListLedgerDebts lists ledger debts oldest first, in posting order.
func (b billingStore) ListLedgerDebts(ctx context.Context, f billing.LedgerDebtFilter) (billkit.Page[billing.LedgerDebt], error) {
	page, err := listRows(ctx, b.s, ledgerDebts, f.PageParams, func(q *bun.SelectQuery) *bun.SelectQuery {
		if !f.ClientID.IsZero() {
			q = q.Where("?TableAlias.client_id = ?", f.ClientID)
		}
		if f.OnlyOpen {
			q = q.Where("?TableAlias.status <> ?", coverPaid)
		}
		return q
	})
	if err != nil {
		return billkit.Page[billing.LedgerDebt]{}, err
	}
	out := billkit.Page[billing.LedgerDebt]{Items: make([]billing.LedgerDebt, 0, len(page.Items)), NextCursor: page.NextCursor}
	for _, r := range page.Items {
		d := billing.LedgerDebt{EntryID: r.EntryID, ClientID: r.ClientID, Kind: r.Kind, Memo: r.Memo, CreatedAt: r.CreatedAt}
		if d.Amount, err = billkit.NewMoney(r.Amount, r.Currency); err != nil {
			return billkit.Page[billing.LedgerDebt]{}, storedValue(err)
		}
		if d.Covered, err = billkit.NewMoney(r.Covered, r.Currency); err != nil {
			return billkit.Page[billing.LedgerDebt]{}, storedValue(err)
		}
		out.Items = append(out.Items, d)
	}
	return out, nil
}

// recalcRow is a row of billkit_recalculations.
type recalcRow struct {
	ID        billing.RecalculationID `bun:"id,pk"`
	ClientID  billkit.ClientID        `bun:"client_id,notnull"`
	FromDate  billkit.Date            `bun:"from_date,notnull"`
	Memo      string                  `bun:"memo,notnull"`
	Total     decimal.Decimal         `bun:"total,notnull"`
	Currency  string                  `bun:"currency,notnull"`
	ActorKind billkit.ActorKind       `bun:"actor_kind,notnull"`
	ActorID   string                  `bun:"actor_id,notnull"`
	CreatedAt time.Time               `bun:"created_at,notnull"`
}

// recalcLineRow is a row of billkit_recalculation_lines.
type recalcLineRow struct {
	RecalculationID billing.RecalculationID `bun:"recalculation_id,pk"`
	Position        int                     `bun:"position,pk"`
	ExpenseID       billing.ExpenseID       `bun:"expense_id,notnull"`
	Charged         decimal.Decimal         `bun:"charged,notnull"`
	Adjusted        decimal.Decimal         `bun:"adjusted,notnull"`
	Correct         decimal.Decimal         `bun:"correct,notnull"`
	Difference      decimal.Decimal         `bun:"difference,notnull"`
	Currency        string                  `bun:"currency,notnull"`
	LedgerEntryID   billing.LedgerEntryID   `bun:"ledger_entry_id"`
}

var recalculations = list[recalcRow]{
	table: table[recalcRow]{
		name: "billkit_recalculations",
		kind: "recalculation",
		key:  func(r *recalcRow) any { return r.ID },
		norm: func(r *recalcRow) { instant(&r.CreatedAt) },
	},
	order: []keyCol{{expr: "?TableAlias.created_at"}, {expr: "?TableAlias.id"}},
	keyOf: func(r *recalcRow) []string { return []string{cursorTime(r.CreatedAt), r.ID.String()} },
}

const recalcLinesTable = "billkit_recalculation_lines AS recalc_line_row"

// InsertRecalculation stores the recalculation and its lines in one
// transaction (a savepoint inside the caller's).
func (b billingStore) InsertRecalculation(ctx context.Context, r *billing.Recalculation) error {
	if r == nil {
		return billkit.InvalidField("recalculation", "required", "is required")
	}
	if r.ID.IsZero() {
		return billkit.InvalidField("id", "required", "is required")
	}
	cur := r.Total.Currency()
	if cur == "" {
		return billkit.InvalidField("total", "required", "is required")
	}
	row := &recalcRow{
		ID: r.ID, ClientID: r.ClientID, FromDate: r.From, Memo: r.Memo, Total: r.Total.Amount(), Currency: cur,
		ActorKind: r.ActorKind, ActorID: r.ActorID, CreatedAt: r.CreatedAt,
	}
	lines := make([]recalcLineRow, len(r.Lines))
	for i, l := range r.Lines {
		for _, m := range []billkit.Money{l.Charged, l.Adjusted, l.Correct, l.Difference} {
			if m.Currency() != cur {
				return billkit.InvalidField("lines", "recalculation.currency_mismatch", "every amount must be in the total's currency")
			}
		}
		lines[i] = recalcLineRow{
			RecalculationID: r.ID, Position: i, ExpenseID: l.ExpenseID, Charged: l.Charged.Amount(), Adjusted: l.Adjusted.Amount(),
			Correct: l.Correct.Amount(), Difference: l.Difference.Amount(), Currency: cur, LedgerEntryID: l.LedgerEntryID,
		}
	}
	err := b.s.inTx(ctx, func(tx *Store) error {
		if err := insertRow(ctx, tx, recalculations.table, row); err != nil {
			return err
		}
		for start := 0; start < len(lines); start += seedBatch {
			batch := lines[start:min(start+seedBatch, len(lines))]
			if _, err := tx.db.NewInsert().Model(&batch).ModelTableExpr(recalcLinesTable).Exec(ctx); err != nil {
				return mapError(ctx, err, target{kind: "recalculation_line"})
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	r.CreatedAt = row.CreatedAt
	return nil
}

// GetRecalculation reads a recalculation and its lines.
func (b billingStore) GetRecalculation(ctx context.Context, id billing.RecalculationID) (*billing.Recalculation, error) {
	if id.IsZero() {
		return nil, billkit.NotFound("recalculation", id)
	}
	row, err := getRow(ctx, b.s, recalculations.table, id, billingByID(id))
	if err != nil {
		return nil, err
	}
	out, err := b.recalcsOf(ctx, []recalcRow{*row})
	if err != nil {
		return nil, err
	}
	return &out[0], nil
}

// ListRecalculations lists recalculations oldest first, with their lines
// read in one more query.
func (b billingStore) ListRecalculations(ctx context.Context, f billing.RecalculationFilter) (billkit.Page[billing.Recalculation], error) {
	page, err := listRows(ctx, b.s, recalculations, f.PageParams, func(q *bun.SelectQuery) *bun.SelectQuery {
		if !f.ClientID.IsZero() {
			q = q.Where("?TableAlias.client_id = ?", f.ClientID)
		}
		return q
	})
	if err != nil {
		return billkit.Page[billing.Recalculation]{}, err
	}
	items, err := b.recalcsOf(ctx, page.Items)
	if err != nil {
		return billkit.Page[billing.Recalculation]{}, err
	}
	return billkit.Page[billing.Recalculation]{Items: items, NextCursor: page.NextCursor}, nil
}

// recalcsOf reads the lines of the rows, in one query, and returns the
// recalculations.
func (b billingStore) recalcsOf(ctx context.Context, rows []recalcRow) ([]billing.Recalculation, error) {
	out := make([]billing.Recalculation, 0, len(rows))
	if len(rows) == 0 {
		return out, nil
	}
	ids := make([]billing.RecalculationID, len(rows))
	for i := range rows {
		ids[i] = rows[i].ID
	}
	var lines []recalcLineRow
	if err := b.s.db.NewSelect().Model(&lines).ModelTableExpr(recalcLinesTable).
		Where("recalculation_id IN (?)", bun.In(ids)).OrderExpr("recalculation_id, position").Scan(ctx); err != nil {
		return nil, mapError(ctx, err, target{kind: "recalculation_line"})
	}
	byID := map[billing.RecalculationID][]billing.RecalcLine{}
	for _, l := range lines {
		line := billing.RecalcLine{ExpenseID: l.ExpenseID, LedgerEntryID: l.LedgerEntryID}
		for _, p := range []struct {
			dst *billkit.Money
			d   decimal.Decimal
		}{{&line.Charged, l.Charged}, {&line.Adjusted, l.Adjusted}, {&line.Correct, l.Correct}, {&line.Difference, l.Difference}} {
			m, err := billkit.NewMoney(p.d, l.Currency)
			if err != nil {
				return nil, storedValue(err)
			}
			*p.dst = m
		}
		byID[l.RecalculationID] = append(byID[l.RecalculationID], line)
	}
	for _, r := range rows {
		total, err := billkit.NewMoney(r.Total, r.Currency)
		if err != nil {
			return nil, storedValue(err)
		}
		lines := byID[r.ID]
		if lines == nil {
			lines = []billing.RecalcLine{}
		}
		out = append(out, billing.Recalculation{
			ID: r.ID, ClientID: r.ClientID, From: r.FromDate, Memo: r.Memo, Lines: lines, Total: total, Applied: true,
			ActorKind: r.ActorKind, ActorID: r.ActorID, CreatedAt: r.CreatedAt,
		})
	}
	return out, nil
}
