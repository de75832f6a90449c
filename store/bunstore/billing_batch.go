package bunstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/shopspring/decimal"
	"github.com/uptrace/bun"
)

var _ billing.BatchStore = billingStore{}

// GetChargeAccounts reads the accounts of clients in one statement. On
// PostgreSQL it first locks their balance rows, in client order, so that
// the balances a batch computes from stay true until it writes them; on
// SQLite the transaction holds the only writer anyway.
func (b billingStore) GetChargeAccounts(ctx context.Context, ids []billkit.ClientID) (map[billkit.ClientID]*billing.ChargeAccount, error) {
	if err := b.s.usable(ctx); err != nil {
		return nil, err
	}
	out := make(map[billkit.ClientID]*billing.ChargeAccount, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	if b.s.dialect == DialectPostgres {
		if _, err := b.s.db.ExecContext(ctx, "SELECT client_id FROM billkit_client_balances WHERE client_id IN (?) ORDER BY client_id FOR UPDATE",
			bun.In(ids)); err != nil {
			return nil, mapError(ctx, err, target{kind: "client_balance"})
		}
	}
	rows, err := b.s.db.QueryContext(ctx, `SELECT c.id, c.currency, c.credit_limit, c.status, b.currency, b.balance
		FROM billkit_clients c LEFT JOIN billkit_client_balances b ON b.client_id = c.id WHERE c.id IN (?)`, bun.In(ids))
	if err != nil {
		return nil, mapError(ctx, err, target{kind: "client"})
	}
	defer rows.Close()
	for rows.Next() {
		a := &billing.ChargeAccount{}
		var balCurrency sql.NullString
		var bal decimal.NullDecimal
		if err := rows.Scan(&a.ClientID, &a.Currency, &a.CreditLimit, &a.Status, &balCurrency, &bal); err != nil {
			return nil, mapError(ctx, err, target{kind: "client"})
		}
		if balCurrency.Valid && bal.Valid {
			a.HasBalance, a.BalanceCurrency, a.Balance = true, balCurrency.String, bal.Decimal
		}
		out[a.ClientID] = a
	}
	if err := rows.Err(); err != nil {
		return nil, mapError(ctx, err, target{kind: "client"})
	}
	return out, nil
}

// ListFreeCredits reads the credits of clients that are not wholly used,
// newest first. The database leaves out the credits whose use equals their
// amount; the exact comparison is made here, since SQLite compares the
// amounts as text.
func (b billingStore) ListFreeCredits(ctx context.Context, ids []billkit.ClientID) (map[billkit.ClientID][]billing.LedgerCredit, error) {
	if err := b.s.usable(ctx); err != nil {
		return nil, err
	}
	out := make(map[billkit.ClientID][]billing.LedgerCredit, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	type creditRow struct {
		ledgerRow `bun:",extend"`
		Used      decimal.NullDecimal `bun:"used"`
	}
	var rows []creditRow
	err := b.s.db.NewSelect().Model(&rows).ModelTableExpr(ledgerEntries.expr(b.s)).
		ColumnExpr("?TableAlias.*").ColumnExpr("u.used").
		Join("LEFT JOIN billkit_credit_usage AS u ON u.entry_id = ?TableAlias.id").
		Where("?TableAlias.client_id IN (?)", bun.In(ids)).Where(b.s.creditWhere()).
		Where("(u.used IS NULL OR u.used <> ?TableAlias.amount)").
		OrderExpr("?TableAlias.client_id, ?TableAlias.id DESC").Scan(ctx)
	if err != nil {
		return nil, mapError(ctx, err, target{kind: "ledger_entry"})
	}
	for i := range rows {
		e, err := rows[i].entry()
		if err != nil {
			return nil, err
		}
		used := rows[i].Used.Decimal
		if !used.LessThan(e.Amount.Amount()) {
			continue
		}
		out[e.ClientID] = append(out[e.ClientID], billing.LedgerCredit{Entry: e, Used: used})
	}
	return out, nil
}

// InsertLedgerEntries inserts entries as InsertLedgerEntry does, a few
// hundred a statement.
func (b billingStore) InsertLedgerEntries(ctx context.Context, es []billing.LedgerEntry) error {
	rows := make([][]any, len(es))
	for i := range es {
		e := &es[i]
		if e.ID.IsZero() {
			return billkit.InvalidField("id", "required", "is required")
		}
		if e.Amount.Currency() == "" || e.BalanceAfter.Currency() != e.Amount.Currency() {
			return billkit.InvalidField("amount", "ledger.currency_mismatch", "amount and balance_after must be in one currency")
		}
		row := ledgerRowOf(e)
		ledgerEntries.norm(row)
		var rate any
		if row.Rate.Valid {
			rate = row.Rate.Decimal
		}
		rows[i] = []any{row.ID, row.ClientID, row.Amount, row.Currency, string(row.Kind), row.CauseType, row.CauseID, row.Memo, rate,
			string(row.ActorKind), row.ActorID, b.s.timeArg(row.CreatedAt), row.BalanceAfter}
		e.CreatedAt = row.CreatedAt
	}
	if len(rows) == 0 {
		return b.s.usable(ctx)
	}
	return b.s.execRows(ctx, `INSERT INTO billkit_ledger_entries
		(id, client_id, amount, currency, kind, cause_type, cause_id, memo, rate, actor_kind, actor_id, created_at, balance_after)`,
		"", rows, target{kind: "ledger_entry"})
}

// InsertExpenses inserts expenses as InsertExpense does, a few hundred a
// statement.
func (b billingStore) InsertExpenses(ctx context.Context, xs []billing.Expense) error {
	if err := b.s.usable(ctx); err != nil {
		return err
	}
	rows := make([]expenseRow, len(xs))
	for i := range xs {
		x := &xs[i]
		if x.ID.IsZero() {
			return billkit.InvalidField("id", "required", "is required")
		}
		if x.Amount.Currency() == "" || x.Covered.Currency() != x.Amount.Currency() {
			return billkit.InvalidField("amount", "expense.currency_mismatch", "amount and covered must be in one currency")
		}
		rows[i] = *expenseRowOf(x)
		expenses.norm(&rows[i])
		x.CreatedAt = rows[i].CreatedAt
	}
	for lo := 0; lo < len(rows); lo += batchRows {
		chunk := rows[lo:min(lo+batchRows, len(rows))]
		if _, err := b.s.db.NewInsert().Model(&chunk).ModelTableExpr(expenses.expr(b.s)).Exec(ctx); err != nil {
			return mapError(ctx, err, target{kind: "expense"})
		}
	}
	return nil
}

// InsertActions appends to the action log, a few hundred entries a
// statement.
func (b billingStore) InsertActions(ctx context.Context, acts []billkit.Action) error {
	return b.s.insertActions(ctx, acts)
}

// SetCreditsUsed inserts or replaces the usage rows of credits.
func (b billingStore) SetCreditsUsed(ctx context.Context, used map[billing.LedgerEntryID]decimal.Decimal) error {
	rows := make([][]any, 0, len(used))
	for id, u := range used {
		if id.IsZero() {
			return billkit.InvalidField("entry_id", "required", "is required")
		}
		rows = append(rows, []any{id, u})
	}
	if len(rows) == 0 {
		return b.s.usable(ctx)
	}
	return b.s.execRows(ctx, "INSERT INTO billkit_credit_usage (entry_id, used)",
		" ON CONFLICT (entry_id) DO UPDATE SET used = EXCLUDED.used", rows, target{kind: "credit_usage"})
}

// SetBalances writes balances and adds to their count of entries.
func (b billingStore) SetBalances(ctx context.Context, bs []billing.BalanceWrite, now time.Time) error {
	at := b.s.timeArg(billkit.Instant(now))
	rows := make([][]any, len(bs))
	for i, w := range bs {
		if w.ClientID.IsZero() {
			return billkit.InvalidField("client_id", "required", "is required")
		}
		rows[i] = []any{w.ClientID, w.Balance, w.Entries, at}
	}
	if len(rows) == 0 {
		return b.s.usable(ctx)
	}
	return b.s.updateRows(ctx, "billkit_client_balances", "balance = v.c2, entries = t.entries + v.c3, updated_at = v.c4",
		"t.client_id = v.c1", []string{"uuid", "numeric", "bigint", "timestamptz"}, rows, target{kind: "client_balance"})
}
