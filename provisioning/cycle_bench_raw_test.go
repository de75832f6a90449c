package provisioning_test

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/provisioning"
	"github.com/shopspring/decimal"
)

// rawRenewer is the cycle benchmark's baseline: it renews services for one
// period each with plain database/sql, reading and writing the same rows
// the cycle's fast lane does, as fast as plain SQL can, in transactions of
// a batch of services. Per batch it reads the services (locked on
// PostgreSQL), the clients' balances (locked) and their credits that are
// not wholly used; then it writes, one multi-row statement per kind of
// row: the balances, the ledger entries, the expenses, their allocations
// to the credits, the credits' use, the renewals, the services' new
// expiries, their history and the action log. It decides nothing else
// (no rights, no policies, no reminders, no other lane), so its time is
// the floor of a renewal's reads and writes. On PostgreSQL it runs on its
// own pool with pgx's default extended protocol (statements prepared
// once, arguments sent apart), the fastest way plain database/sql has.
type rawRenewer struct {
	db *sql.DB
	pg bool
}

func newRawRenewer(db *sql.DB, pg bool) *rawRenewer { return &rawRenewer{db: db, pg: pg} }

// renew renews the services ids for one period each, batch services a
// transaction.
func (r *rawRenewer) renew(ctx context.Context, ids []provisioning.ServiceID, batch int, now time.Time, actor string) error {
	for lo := 0; lo < len(ids); lo += batch {
		tx, err := r.db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if err := r.batch(ctx, tx, ids[lo:min(lo+batch, len(ids))], now, actor); err != nil {
			_ = tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}

// rawService is what the baseline reads of a service.
type rawService struct {
	id, client, tariff, name string
	anchor                   billkit.Date
	paid                     int
	expires                  billkit.Date
	price                    decimal.Decimal
}

// rawCredit is a credit entry with money left.
type rawCredit struct {
	id         string
	amount     decimal.Decimal
	used       decimal.Decimal
	usedBefore bool
}

func (r *rawRenewer) batch(ctx context.Context, tx *sql.Tx, ids []provisioning.ServiceID, now time.Time, actor string) error {
	at := any(now)
	if !r.pg {
		at = now.Format("2006-01-02 15:04:05.999999-07:00")
	}
	// The services, locked in ID order.
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id.String()
	}
	q := "SELECT id, client_id, tariff_id, name, anchor_on, periods_paid, expires_on, price FROM billkit_services WHERE id IN (" +
		marks(len(ids)) + ") ORDER BY id"
	if r.pg {
		q = numbered(true, q) + " FOR UPDATE"
	}
	var svcs []rawService
	err := r.scan(ctx, tx, q, args, func(rows *sql.Rows) error {
		var s rawService
		var anchor, expires, price string
		if err := rows.Scan(&s.id, &s.client, &s.tariff, &s.name, &anchor, &s.paid, &expires, &price); err != nil {
			return err
		}
		var err error
		if s.anchor, err = billkit.ParseDate(anchor[:10]); err != nil {
			return err
		}
		if s.expires, err = billkit.ParseDate(expires[:10]); err != nil {
			return err
		}
		s.price, err = decimal.NewFromString(price)
		svcs = append(svcs, s)
		return err
	})
	if err != nil {
		return err
	}

	// The clients' balances, locked in client order, and their credits.
	var clients []string
	for _, s := range svcs {
		clients = append(clients, s.client)
	}
	slices.Sort(clients)
	clients = slices.Compact(clients)
	cargs := make([]any, len(clients))
	for i, c := range clients {
		cargs[i] = c
	}
	q = "SELECT client_id, balance FROM billkit_client_balances WHERE client_id IN (" + marks(len(clients)) + ") ORDER BY client_id"
	if r.pg {
		q = numbered(true, q) + " FOR UPDATE"
	}
	balances := map[string]decimal.Decimal{}
	err = r.scan(ctx, tx, q, cargs, func(rows *sql.Rows) error {
		var id, bal string
		if err := rows.Scan(&id, &bal); err != nil {
			return err
		}
		d, err := decimal.NewFromString(bal)
		balances[id] = d
		return err
	})
	if err != nil {
		return err
	}
	positive := "e.amount > 0"
	if !r.pg {
		positive = "e.amount NOT LIKE '-%'"
	}
	q = numbered(r.pg, `SELECT e.client_id, e.id, e.amount, u.used FROM billkit_ledger_entries e
		LEFT JOIN billkit_credit_usage u ON u.entry_id = e.id
		WHERE e.client_id IN (`+marks(len(clients))+`) AND `+positive+` AND (u.used IS NULL OR u.used <> e.amount)
		ORDER BY e.client_id, e.id DESC`)
	credits := map[string][]*rawCredit{}
	err = r.scan(ctx, tx, q, cargs, func(rows *sql.Rows) error {
		var client, id, amount string
		var used sql.NullString
		if err := rows.Scan(&client, &id, &amount, &used); err != nil {
			return err
		}
		c := &rawCredit{id: id, usedBefore: used.Valid}
		var err error
		if c.amount, err = decimal.NewFromString(amount); err != nil {
			return err
		}
		if used.Valid {
			if c.used, err = decimal.NewFromString(used.String); err != nil {
				return err
			}
		}
		credits[client] = append(credits[client], c)
		return nil
	})
	if err != nil {
		return err
	}

	// The rows of the batch, computed.
	var entries, expenses, allocs, renewals, services, events, actions [][]any
	moved := map[string]int{}
	usedNow := map[string]*rawCredit{}
	for i := range svcs {
		s := &svcs[i]
		before := balances[s.client]
		after := before.Sub(s.price)
		balances[s.client] = after
		moved[s.client]++
		start, end := s.expires, s.anchor.AddMonths(s.paid+1)
		entry, expense := billkit.NewID[billing.LedgerEntry]().String(), billkit.NewID[billing.Expense]().String()
		amount := s.price.StringFixed(2)
		memo := fmt.Sprintf("%s: %s – %s", s.name, start, end.AddDays(-1))
		entries = append(entries, []any{entry, s.client, "-" + amount, expense, memo, actor, at, after.StringFixed(2)})
		// The newest credit with money left pays, as far as the balance
		// before the charge goes.
		covered := decimal.Zero
		if before.IsPositive() {
			for _, c := range credits[s.client] {
				free := decimal.Min(c.amount.Sub(c.used), s.price.Sub(covered))
				if !free.IsPositive() {
					continue
				}
				c.used = c.used.Add(free)
				usedNow[c.id] = c
				covered = covered.Add(free)
				allocs = append(allocs, []any{billkit.NewID[billing.Allocation]().String(), s.client, expense, entry, c.id, free.StringFixed(2), at})
				if !covered.LessThan(s.price) {
					break
				}
			}
		}
		status := "paid"
		if covered.LessThan(s.price) {
			status = "partly_paid"
		}
		expenses = append(expenses, []any{expense, s.client, amount, covered.StringFixed(2), status, memo, s.id, start.String(), end.String(),
			s.tariff, s.anchor.String(), entry, actor, at})
		renewals = append(renewals, []any{s.id, start.String(), end.String(), s.client, amount, expense, at})
		services = append(services, []any{s.id, s.paid + 1, end.String(), at})
		changes := fmt.Sprintf(`[{"field":"amount","before":null,"after":{"amount":"%s","currency":"USD"}},{"field":"expense_id","before":null,"after":"%s"},`+
			`{"field":"expires_on","before":"%s","after":"%s"},{"field":"periods_paid","before":%d,"after":%d}]`,
			amount, expense, start, end, s.paid, s.paid+1)
		events = append(events, []any{billkit.NewID[provisioning.ServiceEvent]().String(), s.id, at, actor, changes,
			fmt.Sprintf("paid %s – %s: %s USD", start, end.AddDays(-1), amount)})
		actions = append(actions, []any{billkit.NewID[billkit.Action]().String(), at, actor, actor, s.id, s.client, changes})
	}
	bals := make([][]any, 0, len(moved))
	for _, c := range clients {
		if n := moved[c]; n > 0 {
			bals = append(bals, []any{c, balances[c].StringFixed(2), n, at})
		}
	}
	var usage [][]any
	for id, c := range usedNow {
		usage = append(usage, []any{id, c.used.StringFixed(2)})
	}
	slices.SortFunc(usage, func(a, b []any) int { return strings.Compare(a[0].(string), b[0].(string)) })

	steps := []struct {
		stmt  string
		casts []string
		rows  [][]any
	}{
		{"UPDATE billkit_client_balances SET balance = v.c2, entries = entries + v.c3, updated_at = v.c4 FROM v WHERE client_id = v.c1",
			r.casts("uuid", "numeric", "bigint", "timestamptz"), bals},
		{`INSERT INTO billkit_ledger_entries
			(id, client_id, amount, currency, kind, cause_type, cause_id, memo, rate, actor_kind, actor_id, created_at, balance_after)
			SELECT c1, c2, c3, 'USD', 'expense', 'expense', c4, c5, NULL, 'system', c6, c7, c8 FROM v`,
			r.casts("uuid", "uuid", "numeric", "text", "text", "text", "timestamptz", "numeric"), entries},
		{`INSERT INTO billkit_expenses
			(id, client_id, kind, amount, covered, currency, status, description, cause_type, cause_id, period_start, period_end,
			 tariff_id, billing_period, quantity, price_date, ledger_entry_id, actor_kind, actor_id, created_at)
			SELECT c1, c2, 'period', c3, c4, 'USD', c5, c6, 'service', c7, c8, c9, c10, 'month', '0', c11, c12, 'system', c13, c14 FROM v`,
			r.casts("uuid", "uuid", "numeric", "numeric", "text", "text", "text", "date", "date", "uuid", "date", "uuid", "text", "timestamptz"), expenses},
		{`INSERT INTO billkit_expense_allocations
			(id, client_id, expense_id, debit_entry_id, credit_entry_id, payment_id, amount, currency, entry_id, created_at)
			SELECT c1, c2, c3, c4, c5, NULL, c6, 'USD', c4, c7 FROM v`,
			r.casts("uuid", "uuid", "uuid", "uuid", "uuid", "numeric", "timestamptz"), allocs},
		{"INSERT INTO billkit_credit_usage (entry_id, used) SELECT c1, c2 FROM v WHERE true ON CONFLICT (entry_id) DO UPDATE SET used = EXCLUDED.used",
			r.casts("uuid", "numeric"), usage},
		{`INSERT INTO billkit_service_renewals
			(service_id, period_start, period_end, client_id, amount, currency, expense_id, kind, created_at)
			SELECT c1, c2, c3, c4, c5, 'USD', c6, 'renewal', c7 FROM v`,
			r.casts("uuid", "date", "date", "uuid", "numeric", "uuid", "timestamptz"), renewals},
		{"UPDATE billkit_services SET periods_paid = v.c2, expires_on = v.c3, updated_at = v.c4 FROM v WHERE id = v.c1",
			r.casts("uuid", "integer", "date", "timestamptz"), services},
		{`INSERT INTO billkit_service_events (id, service_id, at, actor_kind, actor_id, kind, from_status, to_status, changes, memo)
			SELECT c1, c2, c3, 'system', c4, 'renewed', '', '', c5, c6 FROM v`,
			r.casts("uuid", "uuid", "timestamptz", "text", "jsonb", "text"), events},
		{`INSERT INTO billkit_actions (id, at, actor_kind, actor_id, actor_name, ip, user_agent, name, object_type, object_id, client_id, changes)
			SELECT c1, c2, 'system', c3, c4, '', '', 'provisioning.service.renew', 'provisioning.service', c5, c6, c7 FROM v`,
			r.casts("uuid", "timestamptz", "text", "text", "text", "uuid", "jsonb"), actions},
	}
	for _, st := range steps {
		if err := r.values(ctx, tx, st.stmt, st.casts, st.rows); err != nil {
			return err
		}
	}
	return nil
}

// scan runs query and calls row for each of its rows.
func (r *rawRenewer) scan(ctx context.Context, tx *sql.Tx, query string, args []any, row func(*sql.Rows) error) error {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := row(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// values runs "WITH v (c1, c2, ...) AS (VALUES (...), (...)) stmt" for
// rows, each row's arguments, a few hundred rows a statement; on
// PostgreSQL each value is cast to the type casts names, as a VALUES
// list's literals are text otherwise.
func (r *rawRenewer) values(ctx context.Context, tx *sql.Tx, stmt string, casts []string, rows [][]any) error {
	const per = 500
	for lo := 0; lo < len(rows); lo += per {
		var b strings.Builder
		b.WriteString("WITH v (")
		for j := range rows[lo] {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString("c" + strconv.Itoa(j+1))
		}
		b.WriteString(") AS (VALUES ")
		var args []any
		for i, row := range rows[lo:min(lo+per, len(rows))] {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(")
			for j, v := range row {
				if j > 0 {
					b.WriteString(", ")
				}
				args = append(args, v)
				if r.pg {
					b.WriteString("$" + strconv.Itoa(len(args)) + "::" + casts[j])
				} else {
					b.WriteString("?")
				}
			}
			b.WriteString(")")
		}
		b.WriteString(") ")
		b.WriteString(stmt)
		if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
			return err
		}
	}
	return nil
}

// casts are the PostgreSQL types of a VALUES list's columns; SQLite takes
// the values as they are.
func (r *rawRenewer) casts(types ...string) []string {
	if !r.pg {
		return nil
	}
	return types
}

// marks is n "?" placeholders, comma-separated.
func marks(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// numbered writes a query's ? placeholders as $1, $2, ... for PostgreSQL.
func numbered(pg bool, q string) string {
	if !pg {
		return q
	}
	var out strings.Builder
	n := 0
	for _, c := range q {
		if c != '?' {
			out.WriteRune(c)
			continue
		}
		n++
		out.WriteString("$" + strconv.Itoa(n))
	}
	return out.String()
}

// inDatabase renews, on PostgreSQL, the services expiring on expires for
// one period each with set-based statements that the server runs by
// itself: no client computes, sends or parses a row. It writes the rows
// rawRenewer writes, with the same foreign keys checked and the same
// indexes kept, in one transaction per part: the clients are split in
// parts, each on its own connection, all at once (a part per core). It is
// the floor of what the database alone needs for those rows on this
// machine, below which no client can go.
func inDatabase(ctx context.Context, db *sql.DB, clients []billkit.ClientID, parts int, expires billkit.Date, now time.Time, actor string) error {
	errs := make(chan error, parts)
	for part := range parts {
		var ids []string
		for i, c := range clients {
			if i%parts == part {
				ids = append(ids, c.String())
			}
		}
		go func() { errs <- inDatabasePart(ctx, db, part, ids, expires, now, actor) }()
	}
	var first error
	for range parts {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}

func inDatabasePart(ctx context.Context, db *sql.DB, part int, clients []string, expires billkit.Date, now time.Time, actor string) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	// New IDs sort by time, as billkit's UUIDv7 do: the time in
	// milliseconds, then a counter unique to the row, the kind and the
	// part.
	id := func(kind int) string {
		return fmt.Sprintf(`(lpad(to_hex((extract(epoch FROM $2::timestamptz) * 1000)::bigint), 12, '0') || '7' ||
			lpad(to_hex(rn * 64 + %d * 8 + %d), 19, '0'))::uuid`, part, kind)
	}
	stage := `CREATE TEMP TABLE renew_part ON COMMIT DROP AS
		SELECT s.id AS sid, s.client_id, s.tariff_id, s.name, s.anchor_on, s.periods_paid, s.expires_on AS period_start,
			(s.anchor_on + make_interval(months => s.periods_paid + 1))::date AS period_end, s.price,
			` + id(1) + ` AS entry, ` + id(2) + ` AS expense, ` + id(3) + ` AS alloc, ` + id(4) + ` AS event, ` + id(5) + ` AS action,
			b.balance - sum(s.price) OVER (PARTITION BY s.client_id ORDER BY s.id) AS balance_after, c.id AS credit
		FROM (SELECT s.*, row_number() OVER (ORDER BY s.id) AS rn FROM billkit_services s
			WHERE s.expires_on = $1 AND s.client_id = ANY($3::uuid[])) s
		JOIN billkit_client_balances b ON b.client_id = s.client_id
		JOIN LATERAL (SELECT e.id FROM billkit_ledger_entries e WHERE e.client_id = s.client_id AND e.amount > 0
			ORDER BY e.id DESC LIMIT 1) c ON true`
	statements := []string{
		`SELECT b.client_id FROM billkit_client_balances b WHERE b.client_id = ANY($3::uuid[]) ORDER BY b.client_id FOR UPDATE`,
		`SELECT s.id FROM billkit_services s WHERE s.expires_on = $1 AND s.client_id = ANY($3::uuid[]) ORDER BY s.id FOR UPDATE`,
		stage,
		`UPDATE billkit_client_balances b SET balance = x.balance_after, entries = b.entries + x.n, updated_at = $2
			FROM (SELECT client_id, min(balance_after) AS balance_after, count(*) AS n FROM renew_part GROUP BY client_id) x
			WHERE b.client_id = x.client_id`,
		`INSERT INTO billkit_ledger_entries
			(id, client_id, amount, currency, kind, cause_type, cause_id, memo, rate, actor_kind, actor_id, created_at, balance_after)
			SELECT entry, client_id, -price, 'USD', 'expense', 'expense', expense::text,
				name || ': ' || period_start || ' – ' || (period_end - 1), NULL, 'system', $4, $2, balance_after
			FROM renew_part ORDER BY entry`,
		`INSERT INTO billkit_expenses
			(id, client_id, kind, amount, covered, currency, status, description, cause_type, cause_id, period_start, period_end,
			 tariff_id, billing_period, quantity, price_date, ledger_entry_id, actor_kind, actor_id, created_at)
			SELECT expense, client_id, 'period', price, price, 'USD', 'paid', name || ': ' || period_start || ' – ' || (period_end - 1),
				'service', sid::text, period_start, period_end, tariff_id, 'month', 0, anchor_on, entry, 'system', $4, $2
			FROM renew_part ORDER BY expense`,
		`INSERT INTO billkit_expense_allocations
			(id, client_id, expense_id, debit_entry_id, credit_entry_id, payment_id, amount, currency, entry_id, created_at)
			SELECT alloc, client_id, expense, entry, credit, NULL, price, 'USD', entry, $2 FROM renew_part ORDER BY alloc`,
		`INSERT INTO billkit_credit_usage (entry_id, used)
			SELECT credit, sum(price) FROM renew_part GROUP BY credit
			ON CONFLICT (entry_id) DO UPDATE SET used = billkit_credit_usage.used + EXCLUDED.used`,
		`INSERT INTO billkit_service_renewals
			(service_id, period_start, period_end, client_id, amount, currency, expense_id, kind, created_at)
			SELECT sid, period_start, period_end, client_id, price, 'USD', expense, 'renewal', $2 FROM renew_part`,
		`UPDATE billkit_services s SET periods_paid = r.periods_paid + 1, expires_on = r.period_end, updated_at = $2
			FROM renew_part r WHERE s.id = r.sid`,
		`INSERT INTO billkit_service_events (id, service_id, at, actor_kind, actor_id, kind, from_status, to_status, changes, memo)
			SELECT event, sid, $2, 'system', $4, 'renewed', '', '', (` + changesSQL + `)::jsonb,
				'paid ' || period_start || ' – ' || (period_end - 1) || ': ' || price || ' USD'
			FROM renew_part ORDER BY event`,
		`INSERT INTO billkit_actions (id, at, actor_kind, actor_id, actor_name, ip, user_agent, name, object_type, object_id, client_id, changes)
			SELECT action, $2, 'system', $4, $4, '', '', 'provisioning.service.renew', 'provisioning.service', sid::text, client_id,
				(` + changesSQL + `)::jsonb
			FROM renew_part ORDER BY action`,
	}
	// Each statement is sent the arguments it names, renumbered: $1 the
	// expiry, $2 the time, $3 the part's clients, $4 the actor.
	args := []any{expires.String(), now, "{" + strings.Join(clients, ",") + "}", actor}
	for _, q := range statements {
		var sent []any
		q = placeholder.ReplaceAllStringFunc(q, func(p string) string {
			n, _ := strconv.Atoi(p[1:])
			sent = append(sent, args[n-1])
			return "$" + strconv.Itoa(len(sent))
		})
		if _, err := tx.ExecContext(ctx, q, sent...); err != nil {
			return fmt.Errorf("%.60s: %w", q, err)
		}
	}
	return tx.Commit()
}

// placeholder is a numbered placeholder of inDatabasePart.
var placeholder = regexp.MustCompile(`\$[1-4]`)

// changesSQL is a renewal's changes as the action log records them, as
// text built by the server.
const changesSQL = `'[{"field":"amount","before":null,"after":{"amount":"' || price || '","currency":"USD"}},` +
	`{"field":"expense_id","before":null,"after":"' || expense || '"},` +
	`{"field":"expires_on","before":"' || period_start || '","after":"' || period_end || '"},` +
	`{"field":"periods_paid","before":' || periods_paid || ',"after":' || (periods_paid + 1) || '}]'`
