package provisioning_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/catalog"
	"github.com/billkit/billkit/directory"
	"github.com/billkit/billkit/provisioning"
	"github.com/billkit/billkit/store/bunstore"
	"github.com/billkit/billkit/store/storetest"
	"github.com/shopspring/decimal"
	"github.com/uptrace/bun"
)

// BenchmarkCycleRenew measures the billing cycle renewing N services due
// on one day (N is BILLKIT_BENCH_SERVICES, default 10,000; ten services a
// client), through Manager.RunCycle: per service a locked read, the
// charge (expense, ledger entry, balance, coverage, action log), the
// renewal, the service's new expiry, its history and action; in
// transactions of Config.CycleBatch services. Beside it, in the same run,
// a raw-SQL baseline writes the floor of those rows (renewal, ledger
// entry, expense, balance, service expiry) with plain database/sql in
// transactions of as many services, one multi-row statement per kind of
// row:
//
//	BILLKIT_TEST_POSTGRES_DSN=postgres://postgres@127.0.0.1:5432/test?sslmode=disable \
//		go test ./provisioning -run '^$' -bench CycleRenew -benchtime 1x
//
// Each reports renewals/s; the parent logs the ratio.
func BenchmarkCycleRenew(b *testing.B) {
	n := 10000
	if s := os.Getenv("BILLKIT_BENCH_SERVICES"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1 {
			b.Fatalf("BILLKIT_BENCH_SERVICES=%q is not a number of services", s)
		}
		n = v
	}
	b.Run("sqlite-memory", func(b *testing.B) { benchCycleRenew(b, storetest.NewMemory(b), n) })
	b.Run("postgres", func(b *testing.B) {
		if os.Getenv(storetest.PostgresDSNEnv) == "" {
			b.Skip(storetest.PostgresDSNEnv + " is not set")
		}
		benchCycleRenew(b, storetest.NewPostgres(b), n)
	})
}

// benchWorld is a provider with a tariff and clients with money, and a
// manager on a fake clock.
type benchWorld struct {
	st      *bunstore.Store
	clock   *billkit.FakeClock
	mgr     *provisioning.Manager
	bill    *billing.Service
	cat     *catalog.Service
	prov    *billing.Provider
	tariff  *catalog.Tariff
	clients []billkit.ClientID
}

func newBenchWorld(b *testing.B, st *bunstore.Store, clients int) *benchWorld {
	b.Helper()
	clock := billkit.NewFakeClock(time.Date(2027, 3, 15, 2, 0, 0, 0, time.UTC))
	dir := directory.NewService(st.Directory(), directory.Config{Clock: clock})
	if err := dir.Bootstrap(ctx, system); err != nil {
		b.Fatal(err)
	}
	cat := catalog.NewService(st.Catalog(), dir, catalog.Config{Clock: clock})
	bill := billing.NewService(st.Billing(), dir, billing.Config{Clock: clock, Catalog: cat})
	prov, err := bill.CreateProvider(ctx, system, billing.CreateProviderParams{Name: "HostCo", Currency: "USD", Locale: "en", TimeZone: "UTC"})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := cat.CreateProductType(ctx, system, prov.ID, catalog.ProductTypeDoc{
		Code: "vps", Kind: catalog.KindVPS, Name: text("VPS"), Module: "manual", Lifecycle: catalog.Lifecycle{GraceDays: 3},
	}); err != nil {
		b.Fatal(err)
	}
	tariff, err := cat.CreateTariff(ctx, system, prov.ID, catalog.TariffDoc{
		Code: "vps-1", Name: text("VPS 1"), ProductType: "vps", Currency: "USD", Prices: []catalog.Price{monthly("10.00")},
	})
	if err != nil {
		b.Fatal(err)
	}
	w := &benchWorld{st: st, clock: clock, bill: bill, cat: cat, prov: prov, tariff: tariff}
	w.mgr = w.manager(b, 1)
	for i := range clients {
		c, err := bill.CreateClient(ctx, system, billing.CreateClientParams{ProviderID: prov.ID, Name: fmt.Sprintf("Client %d", i)})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := bill.Post(ctx, system, billing.PostParams{ClientID: c.ID, Amount: usd("100000.00"), Kind: billing.LedgerPayment}); err != nil {
			b.Fatal(err)
		}
		w.clients = append(w.clients, c.ID)
	}
	return w
}

// manager is a manager of w's world running workers batches at once.
func (w *benchWorld) manager(b *testing.B, workers int) *provisioning.Manager {
	b.Helper()
	mgr, err := provisioning.NewManager(w.st.Provisioning(), provisioning.Config{
		Clock: w.clock, Billing: w.bill, Catalog: w.cat, NoticeDays: []int{}, CycleWorkers: workers,
	})
	if err != nil {
		b.Fatal(err)
	}
	return mgr
}

// seed inserts n active monthly services, one period paid, expiring on
// expires, spread over the clients, and returns them.
func (w *benchWorld) seed(b *testing.B, n int, expires billkit.Date) []provisioning.Service {
	b.Helper()
	now := billkit.Instant(w.clock.Now())
	out := make([]provisioning.Service, n)
	for i := range out {
		out[i] = provisioning.Service{
			ID: billkit.NewID[provisioning.Service](), ProviderID: w.prov.ID, ClientID: w.clients[i%len(w.clients)],
			ProductTypeID: w.tariff.ProductTypeID, TariffID: w.tariff.ID, Name: fmt.Sprintf("VPS 1 #%d", i+1),
			Period: catalog.PeriodMonth, Status: provisioning.StatusActive,
			AnchorOn: expires.AddMonths(-1), PeriodsPaid: 1, ExpiresOn: expires, AutoRenew: true, Price: usd("10.00"),
			Addons: map[string]catalog.AddonValue{}, Params: map[string]string{}, CreatedAt: now, UpdatedAt: now,
		}
	}
	for lo := 0; lo < n; lo += 1000 {
		err := w.st.Provisioning().InTx(ctx, func(tx provisioning.Store) error {
			for i := lo; i < min(lo+1000, n); i++ {
				if err := tx.InsertService(ctx, &out[i]); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	// The database's statistics are fresh, as autovacuum keeps them: a
	// table grown by thousands of rows a second ago would otherwise be
	// planned as the few rows it was.
	if w.st.Dialect() == bunstore.DialectPostgres {
		if _, err := w.st.DB().ExecContext(ctx, "ANALYZE"); err != nil {
			b.Fatal(err)
		}
	}
	return out
}

func benchCycleRenew(b *testing.B, st *bunstore.Store, n int) {
	w := newBenchWorld(b, st, max(n/10, 1))
	today := billkit.DateOf(w.clock.Now())
	var viaCycle, viaSQL float64

	cycle := func(mgr *provisioning.Manager) func(b *testing.B) {
		return func(b *testing.B) {
			renewed := 0
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				w.clock.Set(w.clock.Now().AddDate(0, 0, 1))
				w.seed(b, n, billkit.DateOf(w.clock.Now()))
				b.StartTimer()
				rep, err := mgr.RunCycle(ctx, system, provisioning.CycleOptions{})
				if err != nil {
					b.Fatal(err)
				}
				if rep.Renewals != n || len(rep.Failures) > 0 {
					b.Fatalf("renewed %d of %d: %+v", rep.Renewals, n, rep.Failures)
				}
				renewed += rep.Renewals
			}
			viaCycle = float64(renewed) / b.Elapsed().Seconds()
			b.ReportMetric(viaCycle, "renewals/s")
		}
	}
	b.Run("cycle", cycle(w.mgr))
	one := viaCycle
	// A second worker runs a batch while the first computes its own; it
	// helps where the database has connections and cores to spare.
	if st.Dialect() == bunstore.DialectPostgres {
		b.Run("cycle-2-workers", cycle(w.manager(b, 2)))
	}

	b.Run("raw-sql", func(b *testing.B) {
		db := st.DB().(*bun.DB).DB
		pg := st.Dialect() == bunstore.DialectPostgres
		raw := newRawRenewer(db, pg)
		renewed := 0
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			// Not due for the cycle: the baseline renews them by itself.
			svcs := w.seed(b, n, today.AddMonths(2))
			b.StartTimer()
			if err := raw.renew(ctx, svcs, 500, billkit.Instant(w.clock.Now())); err != nil {
				b.Fatal(err)
			}
			renewed += len(svcs)
		}
		viaSQL = float64(renewed) / b.Elapsed().Seconds()
		b.ReportMetric(viaSQL, "renewals/s")
	})
	if one > 0 && viaSQL > 0 {
		b.Logf("%d services: cycle %.0f renewals/s, raw SQL %.0f renewals/s, ratio %.2f", n, one, viaSQL, one/viaSQL)
		if viaCycle != one {
			b.Logf("with 2 workers: %.0f renewals/s, ratio %.2f", viaCycle, viaCycle/viaSQL)
		}
	}
}

// rawRenewer renews services with plain SQL: the floor of what a renewal
// must write, written as fast as plain database/sql can, in the batch's
// transaction: the balances read (locked on PostgreSQL), then one
// multi-row statement per kind of row (ledger entries, expenses, balances,
// renewals, services' expiries), a few hundred rows a statement.
type rawRenewer struct {
	db *sql.DB
	pg bool
}

func newRawRenewer(db *sql.DB, pg bool) *rawRenewer { return &rawRenewer{db: db, pg: pg} }

// renew renews svcs for one period each, batch services a transaction.
func (r *rawRenewer) renew(ctx context.Context, svcs []provisioning.Service, batch int, now time.Time) error {
	for lo := 0; lo < len(svcs); lo += batch {
		tx, err := r.db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if err := r.batch(ctx, tx, svcs[lo:min(lo+batch, len(svcs))], now); err != nil {
			_ = tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}

// values runs "WITH v (c1, c2, ...) AS (VALUES (...), (...)) stmt" for
// rows, each row's arguments; on PostgreSQL each value is cast to the
// type casts names, as a VALUES list's literals are text otherwise.
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

func (r *rawRenewer) batch(ctx context.Context, tx *sql.Tx, svcs []provisioning.Service, now time.Time) error {
	at := any(now)
	if !r.pg {
		at = now.Format("2006-01-02 15:04:05.999999-07:00")
	}
	var ids []string
	seen := map[billkit.ClientID]bool{}
	for _, s := range svcs {
		if !seen[s.ClientID] {
			seen[s.ClientID] = true
			ids = append(ids, s.ClientID.String())
		}
	}
	slices.Sort(ids)
	q := "SELECT client_id, balance FROM billkit_client_balances WHERE client_id IN (" + strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ") + ") ORDER BY client_id"
	if r.pg {
		q = numbered(true, q) + " FOR UPDATE"
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	balances := map[string]decimal.Decimal{}
	for rows.Next() {
		var id, bal string
		if err := rows.Scan(&id, &bal); err != nil {
			rows.Close()
			return err
		}
		balances[id] = decimal.RequireFromString(bal)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	entries := make([][]any, 0, len(svcs))
	expenses := make([][]any, 0, len(svcs))
	renewals := make([][]any, 0, len(svcs))
	services := make([][]any, 0, len(svcs))
	moved := map[string]int{}
	for i := range svcs {
		s := &svcs[i]
		client := s.ClientID.String()
		after := balances[client].Sub(s.Price.Amount())
		balances[client] = after
		moved[client]++
		start, end := s.ExpiresOn, s.Period.Advance(s.AnchorOn, s.PeriodsPaid+1)
		entry, expense := billkit.NewID[billing.LedgerEntry]().String(), billkit.NewID[billing.Expense]().String()
		amount := s.Price.Amount().StringFixed(2)
		entries = append(entries, []any{entry, client, "-" + amount, expense, at, after.StringFixed(2)})
		expenses = append(expenses, []any{expense, client, amount, amount, s.ID.String(), start.String(), end.String(),
			s.TariffID.String(), s.AnchorOn.String(), entry, at})
		renewals = append(renewals, []any{s.ID.String(), start.String(), end.String(), client, amount, expense, at})
		services = append(services, []any{s.ID.String(), s.PeriodsPaid + 1, end.String(), at})
	}
	bals := make([][]any, 0, len(moved))
	for _, id := range ids {
		bals = append(bals, []any{id, balances[id].StringFixed(2), moved[id], at})
	}
	if err := r.values(ctx, tx, `INSERT INTO billkit_ledger_entries
		(id, client_id, amount, currency, kind, cause_type, cause_id, memo, rate, actor_kind, actor_id, created_at, balance_after)
		SELECT c1, c2, c3, 'USD', 'expense', 'expense', c4, '', NULL, 'system', 'bench', c5, c6 FROM v`,
		r.casts("uuid", "uuid", "numeric", "text", "timestamptz", "numeric"), entries); err != nil {
		return err
	}
	if err := r.values(ctx, tx, `INSERT INTO billkit_expenses
		(id, client_id, kind, amount, covered, currency, status, description, cause_type, cause_id, period_start, period_end,
		 tariff_id, billing_period, quantity, price_date, ledger_entry_id, actor_kind, actor_id, created_at)
		SELECT c1, c2, 'period', c3, c4, 'USD', 'paid', 'renewal', 'service', c5, c6, c7, c8, 'month', '0', c9, c10, 'system', 'bench', c11
		FROM v`, r.casts("uuid", "uuid", "numeric", "numeric", "text", "date", "date", "uuid", "date", "uuid", "timestamptz"), expenses); err != nil {
		return err
	}
	if err := r.values(ctx, tx, "UPDATE billkit_client_balances SET balance = v.c2, entries = entries + v.c3, updated_at = v.c4 FROM v WHERE client_id = v.c1",
		r.casts("uuid", "numeric", "bigint", "timestamptz"), bals); err != nil {
		return err
	}
	if err := r.values(ctx, tx, `INSERT INTO billkit_service_renewals
		(service_id, period_start, period_end, client_id, amount, currency, expense_id, kind, created_at)
		SELECT c1, c2, c3, c4, c5, 'USD', c6, 'renewal', c7 FROM v`, r.casts("uuid", "date", "date", "uuid", "numeric", "uuid", "timestamptz"), renewals); err != nil {
		return err
	}
	return r.values(ctx, tx, "UPDATE billkit_services SET periods_paid = v.c2, expires_on = v.c3, updated_at = v.c4 FROM v WHERE id = v.c1",
		r.casts("uuid", "integer", "date", "timestamptz"), services)
}

// casts are the PostgreSQL types of a VALUES list's columns; SQLite takes
// the values as they are.
func (r *rawRenewer) casts(types ...string) []string {
	if !r.pg {
		return nil
	}
	return types
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
