package bunstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/shopspring/decimal"
	"github.com/uptrace/bun"
)

// ledgerRow is a row of billkit_ledger_entries: billing.LedgerEntry with its
// Money split into an amount and a currency column.
type ledgerRow struct {
	ID           billing.LedgerEntryID `bun:"id,pk"`
	ClientID     billkit.ClientID      `bun:"client_id,notnull"`
	Amount       decimal.Decimal       `bun:"amount,notnull"`
	Currency     string                `bun:"currency,notnull"`
	Kind         billing.LedgerKind    `bun:"kind,notnull"`
	CauseType    string                `bun:"cause_type,notnull"`
	CauseID      string                `bun:"cause_id,notnull"`
	Memo         string                `bun:"memo,notnull"`
	Rate         decimal.NullDecimal   `bun:"rate"`
	ActorKind    billkit.ActorKind     `bun:"actor_kind,notnull"`
	ActorID      string                `bun:"actor_id,notnull"`
	CreatedAt    time.Time             `bun:"created_at,notnull"`
	BalanceAfter decimal.Decimal       `bun:"balance_after,notnull"`
}

func ledgerRowOf(e *billing.LedgerEntry) *ledgerRow {
	r := &ledgerRow{
		ID: e.ID, ClientID: e.ClientID, Amount: e.Amount.Amount(), Currency: e.Amount.Currency(), Kind: e.Kind,
		CauseType: e.CauseType, CauseID: e.CauseID, Memo: e.Memo, ActorKind: e.ActorKind, ActorID: e.ActorID,
		CreatedAt: e.CreatedAt, BalanceAfter: e.BalanceAfter.Amount(),
	}
	if e.Rate != nil {
		r.Rate = decimal.NullDecimal{Decimal: *e.Rate, Valid: true}
	}
	return r
}

func (r *ledgerRow) entry() (billing.LedgerEntry, error) {
	e := billing.LedgerEntry{
		ID: r.ID, ClientID: r.ClientID, Kind: r.Kind, CauseType: r.CauseType, CauseID: r.CauseID, Memo: r.Memo,
		ActorKind: r.ActorKind, ActorID: r.ActorID, CreatedAt: r.CreatedAt,
	}
	var err error
	if e.Amount, err = billkit.NewMoney(r.Amount, r.Currency); err != nil {
		return e, storedValue(err)
	}
	if e.BalanceAfter, err = billkit.NewMoney(r.BalanceAfter, r.Currency); err != nil {
		return e, storedValue(err)
	}
	if r.Rate.Valid {
		rate := r.Rate.Decimal
		e.Rate = &rate
	}
	return e, nil
}

// storedValue is the error for a stored value billkit cannot read.
func storedValue(err error) error {
	return billkit.WrapError(err, billkit.CodeInternal, ReasonInternal, "a stored amount cannot be read")
}

var ledgerEntries = list[ledgerRow]{
	table: table[ledgerRow]{
		name: "billkit_ledger_entries",
		kind: "ledger_entry",
		key:  func(r *ledgerRow) any { return r.ID },
		norm: func(r *ledgerRow) { instant(&r.CreatedAt) },
	},
	order: []keyCol{{expr: "?TableAlias.created_at", desc: true}, {expr: "?TableAlias.id", desc: true}},
	keyOf: func(r *ledgerRow) []string { return []string{cursorTime(r.CreatedAt), r.ID.String()} },
}

// balanceRow is a row of billkit_client_balances.
type balanceRow struct {
	ClientID  billkit.ClientID `bun:"client_id,pk"`
	Currency  string           `bun:"currency,notnull"`
	Balance   decimal.Decimal  `bun:"balance,notnull"`
	Entries   int64            `bun:"entries,notnull"`
	UpdatedAt time.Time        `bun:"updated_at,notnull"`
}

func (r *balanceRow) balance() (billing.ClientBalance, error) {
	m, err := billkit.NewMoney(r.Balance, r.Currency)
	if err != nil {
		return billing.ClientBalance{}, storedValue(err)
	}
	return billing.ClientBalance{ClientID: r.ClientID, Balance: m, Entries: r.Entries, UpdatedAt: r.UpdatedAt}, nil
}

var clientBalances = list[balanceRow]{
	table: table[balanceRow]{
		name: "billkit_client_balances",
		kind: "client_balance",
		key:  func(r *balanceRow) any { return r.ClientID },
		norm: func(r *balanceRow) { instant(&r.UpdatedAt) },
	},
	order: []keyCol{{expr: "?TableAlias.client_id"}},
	keyOf: func(r *balanceRow) []string { return []string{r.ClientID.String()} },
}

// CurrencyDigits reads the digits of a directory currency.
func (b billingStore) CurrencyDigits(ctx context.Context, code string) (int, error) {
	if err := b.s.usable(ctx); err != nil {
		return 0, err
	}
	var digits int
	err := b.s.db.NewSelect().TableExpr("billkit_currencies").Column("digits").Where("code = ?", code).Limit(1).Scan(ctx, &digits)
	if err != nil {
		return 0, mapError(ctx, err, target{kind: "currency", key: code})
	}
	return digits, nil
}

func insufficientFunds() error { return billing.InsufficientFunds() }

func balanceCurrencyMismatch(stored, given string) error {
	return billkit.Errorf(billkit.CodeFailedPrecondition, "billing.balance_currency_mismatch",
		"the client's balance is kept in %s, not %s", stored, given)
}

// MoveBalance moves a client's cached balance. On PostgreSQL the floor
// check and the write are one conditional UPDATE, so concurrent debits
// cannot overdraw; on SQLite, which serializes transactions on its one
// connection, it reads, computes in Go and writes, in a transaction.
func (b billingStore) MoveBalance(ctx context.Context, client billkit.ClientID, currency string, delta decimal.Decimal, floor *decimal.Decimal, now time.Time) (decimal.Decimal, error) {
	if err := b.s.usable(ctx); err != nil {
		return decimal.Decimal{}, err
	}
	if client.IsZero() {
		return decimal.Decimal{}, billkit.InvalidField("client_id", "required", "is required")
	}
	now = billkit.Instant(now)
	if b.s.dialect == DialectPostgres {
		return b.moveBalancePostgres(ctx, client, currency, delta, floor, now)
	}
	var bal decimal.Decimal
	err := b.s.inTxOrCurrent(ctx, func(tx *Store) error {
		var err error
		bal, err = moveBalanceGo(ctx, tx, client, currency, delta, floor, now)
		return err
	})
	return bal, err
}

func (b billingStore) moveBalancePostgres(ctx context.Context, client billkit.ClientID, currency string, delta decimal.Decimal, floor *decimal.Decimal, now time.Time) (decimal.Decimal, error) {
	noFloor, f := floor == nil, decimal.Zero
	if floor != nil {
		f = *floor
	}
	update := func() (decimal.Decimal, bool, error) {
		var bal decimal.Decimal
		err := b.s.db.NewRaw(`UPDATE billkit_client_balances SET balance = balance + ?, entries = entries + 1, updated_at = ?
			WHERE client_id = ? AND currency = ? AND (? OR balance + ? >= ?) RETURNING balance`,
			delta, now, client, currency, noFloor, delta, f).Scan(ctx, &bal)
		if errors.Is(err, sql.ErrNoRows) {
			return bal, false, nil
		}
		if err != nil {
			return bal, false, mapError(ctx, err, target{kind: "client_balance", key: client})
		}
		return bal, true, nil
	}
	// why explains an UPDATE that moved no row: the row is in another
	// currency, or the floor refused the amount; missing reports no row.
	why := func() (missing bool, err error) {
		var row balanceRow
		err = b.s.db.NewSelect().Model(&row).ModelTableExpr(clientBalances.expr(b.s)).Where("client_id = ?", client).Limit(1).Scan(ctx)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return true, insufficientFunds()
		case err != nil:
			return false, mapError(ctx, err, target{kind: "client_balance", key: client})
		case row.Currency != currency:
			return false, balanceCurrencyMismatch(row.Currency, currency)
		}
		return false, insufficientFunds()
	}
	bal, ok, err := update()
	if err != nil || ok {
		return bal, err
	}
	if missing, err := why(); !missing {
		return decimal.Decimal{}, err
	}
	// First use: create the row with this move, when the floor allows it. A
	// concurrent first use may have created it meanwhile (no row inserted):
	// then the UPDATE applies.
	err = b.s.db.NewRaw(`INSERT INTO billkit_client_balances (client_id, currency, balance, entries, updated_at)
		SELECT ?, ?, ?, 1, ? WHERE (? OR ? >= ?) ON CONFLICT DO NOTHING RETURNING balance`,
		client, currency, delta, now, noFloor, delta, f).Scan(ctx, &bal)
	switch {
	case err == nil:
		return bal, nil
	case !errors.Is(err, sql.ErrNoRows):
		return decimal.Decimal{}, mapError(ctx, err, target{kind: "client_balance", key: client})
	}
	bal, ok, err = update()
	if err != nil || ok {
		return bal, err
	}
	_, err = why()
	return decimal.Decimal{}, err
}

// The hot statements of a posting (see hotStatements).
var (
	qLedgerAccount = hotQuery(`SELECT c.currency, c.credit_limit, b.currency, b.balance
		FROM billkit_clients c LEFT JOIN billkit_client_balances b ON b.client_id = c.id WHERE c.id = ?`)
	qBalanceRead  = hotQuery("SELECT currency, balance FROM billkit_client_balances WHERE client_id = ?")
	qBalanceWrite = hotQuery("UPDATE billkit_client_balances SET balance = ?, entries = entries + 1, updated_at = ? WHERE client_id = ?")
	qLedgerInsert = hotQuery(`INSERT INTO billkit_ledger_entries
		(id, client_id, amount, currency, kind, cause_type, cause_id, memo, rate, actor_kind, actor_id, created_at, balance_after)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
)

// moveBalanceGo is MoveBalance for databases that do not add decimals in
// SQL (SQLite keeps them as text): read, compute exactly in Go, write.
// tx must be a transaction that serializes writers.
func moveBalanceGo(ctx context.Context, tx *Store, client billkit.ClientID, currency string, delta decimal.Decimal, floor *decimal.Decimal, now time.Time) (decimal.Decimal, error) {
	var cur accountBalance
	err := tx.queryRowHot(ctx, qBalanceRead, []any{&cur.currency, &cur.balance}, client)
	cur.fresh = errors.Is(err, sql.ErrNoRows)
	if err != nil && !cur.fresh {
		return decimal.Decimal{}, mapError(ctx, err, target{kind: "client_balance", key: client})
	}
	return moveBalanceFrom(ctx, tx, &cur, client, currency, delta, floor, now)
}

// moveBalanceFrom writes the balance cur moved by delta, when floor allows.
func moveBalanceFrom(ctx context.Context, tx *Store, cur *accountBalance, client billkit.ClientID, currency string, delta decimal.Decimal, floor *decimal.Decimal, now time.Time) (decimal.Decimal, error) {
	if !cur.fresh && cur.currency != currency {
		return decimal.Decimal{}, balanceCurrencyMismatch(cur.currency, currency)
	}
	bal := cur.balance.Add(delta)
	if cur.fresh {
		bal = delta
	}
	if floor != nil && bal.LessThan(*floor) {
		return decimal.Decimal{}, insufficientFunds()
	}
	if cur.fresh {
		row := balanceRow{ClientID: client, Currency: currency, Balance: bal, Entries: 1, UpdatedAt: now}
		return bal, insertRow(ctx, tx, clientBalances.table, &row)
	}
	_, err := tx.execHot(ctx, qBalanceWrite, bal, tx.timeArg(billkit.Instant(now)), client)
	if err != nil {
		return decimal.Decimal{}, mapError(ctx, err, target{kind: "client_balance", key: client})
	}
	return bal, nil
}

// GetLedgerAccount reads a client's currency, credit limit and cached
// balance in one hot statement.
func (b billingStore) GetLedgerAccount(ctx context.Context, client billkit.ClientID) (*billing.LedgerAccount, error) {
	if err := b.s.usable(ctx); err != nil {
		return nil, err
	}
	if client.IsZero() {
		return nil, billkit.NotFound("client", client)
	}
	a := billing.LedgerAccount{ClientID: client}
	var balCurrency sql.NullString
	var bal decimal.NullDecimal
	err := b.s.queryRowHot(ctx, qLedgerAccount, []any{&a.Currency, &a.CreditLimit, &balCurrency, &bal}, client)
	if err != nil {
		return nil, mapError(ctx, err, target{kind: "client", key: client})
	}
	if balCurrency.Valid && bal.Valid {
		a.HasBalance, a.BalanceCurrency, a.Balance = true, balCurrency.String, bal.Decimal
	}
	return &a, nil
}

// MoveAccountBalance moves the balance of an account read in this
// transaction. On SQLite, whose transactions serialize writers, it computes
// from the balance read (a concurrent writer from another process makes the
// write fail busy, and the transaction is retried); on PostgreSQL it is
// MoveBalance's atomic conditional UPDATE.
func (b billingStore) MoveAccountBalance(ctx context.Context, a *billing.LedgerAccount, delta decimal.Decimal, floor *decimal.Decimal, now time.Time) (decimal.Decimal, error) {
	if a == nil {
		return decimal.Decimal{}, billkit.InvalidField("account", "required", "is required")
	}
	if b.s.dialect == DialectPostgres {
		return b.MoveBalance(ctx, a.ClientID, a.Currency, delta, floor, now)
	}
	if err := b.s.usable(ctx); err != nil {
		return decimal.Decimal{}, err
	}
	if a.ClientID.IsZero() {
		return decimal.Decimal{}, billkit.InvalidField("client_id", "required", "is required")
	}
	now = billkit.Instant(now)
	var bal decimal.Decimal
	err := b.s.inTxOrCurrent(ctx, func(tx *Store) error {
		known := &accountBalance{fresh: !a.HasBalance, currency: a.BalanceCurrency, balance: a.Balance}
		var err error
		bal, err = moveBalanceFrom(ctx, tx, known, a.ClientID, a.Currency, delta, floor, now)
		return err
	})
	return bal, err
}

// accountBalance is a balance row as read: fresh when there is none yet.
type accountBalance struct {
	fresh    bool
	currency string
	balance  decimal.Decimal
}

// inTxOrCurrent runs fn in the transaction s is bound to, or in a new one:
// unlike inTx, it adds no savepoint when already in a transaction.
func (s *Store) inTxOrCurrent(ctx context.Context, fn func(tx *Store) error) error {
	switch s.db.(type) {
	case bun.Tx, *bun.Tx:
		return fn(s)
	}
	return s.inTx(ctx, fn)
}

func (b billingStore) GetClientBalance(ctx context.Context, client billkit.ClientID) (*billing.ClientBalance, error) {
	if client.IsZero() {
		return nil, billkit.NotFound("client_balance", client)
	}
	return converted((*balanceRow).balance)(getRow(ctx, b.s, clientBalances.table, client, func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("?TableAlias.client_id = ?", client)
	}))
}

func (b billingStore) ListClientBalances(ctx context.Context, f billing.ClientBalanceFilter) (billkit.Page[billing.ClientBalance], error) {
	page, err := listRows(ctx, b.s, clientBalances, f.PageParams, nil)
	if err != nil {
		return billkit.Page[billing.ClientBalance]{}, err
	}
	return convertPage(page, (*balanceRow).balance)
}

// InsertLedgerEntry appends an entry; conflict "ledger_entry.exists" for a
// taken ID, failed_precondition for a missing client.
func (b billingStore) InsertLedgerEntry(ctx context.Context, e *billing.LedgerEntry) error {
	if e == nil {
		return billkit.InvalidField("ledger_entry", "required", "is required")
	}
	if e.ID.IsZero() {
		return billkit.InvalidField("id", "required", "is required")
	}
	if e.Amount.Currency() == "" || e.BalanceAfter.Currency() != e.Amount.Currency() {
		return billkit.InvalidField("amount", "ledger.currency_mismatch", "amount and balance_after must be in one currency")
	}
	if err := b.s.usable(ctx); err != nil {
		return err
	}
	// A hot statement (see hotStatements): this runs on every posting.
	row := ledgerRowOf(e)
	ledgerEntries.norm(row)
	var rate any
	if row.Rate.Valid {
		rate = row.Rate.Decimal
	}
	_, err := b.s.execHot(ctx, qLedgerInsert,
		row.ID, row.ClientID, row.Amount, row.Currency, string(row.Kind), row.CauseType, row.CauseID, row.Memo, rate,
		string(row.ActorKind), row.ActorID, b.s.timeArg(row.CreatedAt), row.BalanceAfter)
	if err != nil {
		return mapError(ctx, err, ledgerEntries.target(row))
	}
	e.CreatedAt = row.CreatedAt
	return nil
}

func (b billingStore) GetLedgerEntry(ctx context.Context, id billing.LedgerEntryID) (*billing.LedgerEntry, error) {
	if id.IsZero() {
		return nil, billkit.NotFound("ledger_entry", id)
	}
	return converted((*ledgerRow).entry)(getRow(ctx, b.s, ledgerEntries.table, id, billingByID(id)))
}

func (b billingStore) ListLedgerEntries(ctx context.Context, f billing.LedgerFilter) (billkit.Page[billing.LedgerEntry], error) {
	if f.ClientIDs != nil && len(f.ClientIDs) == 0 {
		if err := f.PageParams.Validate(); err != nil {
			return billkit.Page[billing.LedgerEntry]{}, err
		}
		return billkit.Page[billing.LedgerEntry]{Items: []billing.LedgerEntry{}}, nil
	}
	page, err := listRows(ctx, b.s, ledgerEntries, f.PageParams, func(q *bun.SelectQuery) *bun.SelectQuery {
		if !f.ClientID.IsZero() {
			q = q.Where("?TableAlias.client_id = ?", f.ClientID)
		}
		if f.ClientIDs != nil {
			q = q.Where("?TableAlias.client_id IN (?)", bun.In(f.ClientIDs))
		}
		if f.Kind != "" {
			q = q.Where("?TableAlias.kind = ?", f.Kind)
		}
		if !f.From.IsZero() {
			q = q.Where("?TableAlias.created_at >= ?", billkit.Instant(f.From))
		}
		if !f.To.IsZero() {
			q = q.Where("?TableAlias.created_at < ?", billkit.Instant(f.To))
		}
		return q
	})
	if err != nil {
		return billkit.Page[billing.LedgerEntry]{}, err
	}
	return convertPage(page, (*ledgerRow).entry)
}
