package provisioning_test

import (
	"database/sql"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/catalog"
	"github.com/billkit/billkit/directory"
	"github.com/billkit/billkit/provisioning"
	"github.com/billkit/billkit/store/bunstore"
	"github.com/billkit/billkit/store/storetest"
	_ "github.com/jackc/pgx/v5/stdlib" // the baseline's driver, "pgx"
	"github.com/uptrace/bun"
)

// BenchmarkCycleRenew measures the billing cycle renewing N services due
// on one day (N is BILLKIT_BENCH_SERVICES, default 10,000; ten services a
// client), through Manager.RunCycle with one worker and, on PostgreSQL,
// two: per service a locked read, the charge (expense, ledger entry,
// allocation, credit's use, balance), the renewal, the service's new
// expiry, its history and its action; in transactions of
// Config.CycleBatch services. Beside it, in the same run:
//
//   - raw-sql: plain database/sql reading and writing the same rows
//     (rawRenewer), in transactions of as many services;
//   - in-database (PostgreSQL): the same rows written by the server alone,
//     from set-based statements, one part per core at once (inDatabase):
//     the floor no client can go below on this machine.
//
// Each case reports renewals/s and the CPU seconds of this process and of
// the whole machine (with the database on it, the difference is mostly
// the server's):
//
//	BILLKIT_TEST_POSTGRES_DSN=postgres://postgres@127.0.0.1:5432/test?sslmode=disable \
//		go test ./provisioning -run '^$' -bench CycleRenew -benchtime 1x
//
// The parent logs the ratio to the baseline (-v).
func BenchmarkCycleRenew(b *testing.B) {
	n := 10000
	if s := os.Getenv("BILLKIT_BENCH_SERVICES"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1 {
			b.Fatalf("BILLKIT_BENCH_SERVICES=%q is not a number of services", s)
		}
		n = v
	}
	b.Run("sqlite-memory", func(b *testing.B) { benchCycleRenew(b, storetest.NewMemory(b), "", n) })
	b.Run("postgres", func(b *testing.B) {
		if os.Getenv(storetest.PostgresDSNEnv) == "" {
			b.Skip(storetest.PostgresDSNEnv + " is not set")
		}
		st, dsn := storetest.NewPostgresDSN(b)
		benchCycleRenew(b, st, dsn, n)
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

// wantPaid fails b unless n periods starting on start were paid: what a
// baseline renewed, counted apart from the code it measures.
func (w *benchWorld) wantPaid(b *testing.B, start billkit.Date, n int) {
	b.Helper()
	var paid int
	if err := w.st.DB().QueryRowContext(ctx, "SELECT count(*) FROM billkit_service_renewals WHERE period_start = ?",
		start.String()).Scan(&paid); err != nil || paid != n {
		b.Fatalf("%d periods paid from %s, want %d (%v)", paid, start, n, err)
	}
}

func benchCycleRenew(b *testing.B, st *bunstore.Store, dsn string, n int) {
	w := newBenchWorld(b, st, max(n/10, 1))
	today := billkit.DateOf(w.clock.Now())
	var viaCycle, viaSQL float64

	cycle := func(mgr *provisioning.Manager) func(b *testing.B) {
		return func(b *testing.B) {
			renewed := 0
			var cpu cpuMeter
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				w.clock.Set(w.clock.Now().AddDate(0, 0, 1))
				w.seed(b, n, billkit.DateOf(w.clock.Now()))
				b.StartTimer()
				cpu.start()
				rep, err := mgr.RunCycle(ctx, system, provisioning.CycleOptions{})
				cpu.stop()
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
			cpu.report(b)
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
		if pg {
			// Plain database/sql as a program would open it: pgx's default
			// extended protocol, statements prepared and cached, arguments
			// sent apart from the text (billkit's store runs the simple
			// protocol, which transaction poolers need).
			var err error
			if db, err = sql.Open("pgx", dsn); err != nil {
				b.Fatal(err)
			}
			defer db.Close()
		}
		raw := newRawRenewer(db, pg)
		renewed := 0
		var cpu cpuMeter
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			// Not due for the cycle: the baseline renews them by itself.
			svcs := w.seed(b, n, today.AddMonths(2))
			ids := make([]provisioning.ServiceID, len(svcs))
			for i := range svcs {
				ids[i] = svcs[i].ID
			}
			slices.SortFunc(ids, func(a, b provisioning.ServiceID) int { return a.Compare(b) })
			b.StartTimer()
			cpu.start()
			err := raw.renew(ctx, ids, 500, billkit.Instant(w.clock.Now()), system.ID)
			cpu.stop()
			if err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			w.wantPaid(b, today.AddMonths(2), len(svcs))
			b.StartTimer()
			renewed += len(svcs)
		}
		viaSQL = float64(renewed) / b.Elapsed().Seconds()
		b.ReportMetric(viaSQL, "renewals/s")
		cpu.report(b)
	})
	// The floor of the database itself: the same rows written by the
	// server from set-based statements, one part per core at once.
	if st.Dialect() == bunstore.DialectPostgres {
		b.Run("in-database", func(b *testing.B) {
			db := st.DB().(*bun.DB).DB
			renewed := 0
			var cpu cpuMeter
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				expires := today.AddMonths(5 + i) // after the baseline's, renewed to 3 months ahead
				svcs := w.seed(b, n, expires)
				b.StartTimer()
				cpu.start()
				err := inDatabase(ctx, db, w.clients, runtime.NumCPU(), expires, billkit.Instant(w.clock.Now()), system.ID)
				cpu.stop()
				if err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				w.wantPaid(b, expires, len(svcs))
				b.StartTimer()
				renewed += len(svcs)
			}
			b.ReportMetric(float64(renewed)/b.Elapsed().Seconds(), "renewals/s")
			cpu.report(b)
		})
	}
	if one > 0 && viaSQL > 0 {
		b.Logf("%d services: cycle %.0f renewals/s, raw SQL %.0f renewals/s, ratio %.2f", n, one, viaSQL, one/viaSQL)
		if viaCycle != one {
			b.Logf("with 2 workers: %.0f renewals/s, ratio %.2f", viaCycle, viaCycle/viaSQL)
		}
	}
}

// cpuMeter adds up the CPU time spent between its start and stop calls: by
// this process (billkit, or the baseline's client code, and the SQLite
// engine in it), and by the whole machine (with a database server on the
// same machine, the difference is mostly the server's).
type cpuMeter struct {
	process, machine time.Duration
	p0, m0           time.Duration
}

func (c *cpuMeter) start() { c.p0, c.m0 = cpuNow() }

func (c *cpuMeter) stop() {
	p, m := cpuNow()
	c.process += p - c.p0
	c.machine += m - c.m0
}

// report adds the CPU seconds per run to b's metrics.
func (c *cpuMeter) report(b *testing.B) {
	if c.process > 0 {
		b.ReportMetric(c.process.Seconds()/float64(b.N), "process-cpu-s/op")
	}
	if c.machine > 0 {
		b.ReportMetric(c.machine.Seconds()/float64(b.N), "machine-cpu-s/op")
	}
}
