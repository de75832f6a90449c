package provisioning_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/provisioning"
	"github.com/billkit/billkit/store/storetest"
)

// crashStore is a provisioning store that cancels its run's context after
// a number of calls: a process that dies anywhere in a run, mid-batch
// included. Transactions it opens hand out crashStores too.
type crashStore struct {
	provisioning.Store
	c *crashCounter
}

type crashCounter struct {
	mu     sync.Mutex
	left   int
	cancel context.CancelFunc
}

// arm cancels with cancel after n more calls.
func (c *crashCounter) arm(n int, cancel context.CancelFunc) {
	c.mu.Lock()
	c.left, c.cancel = n, cancel
	c.mu.Unlock()
}

func (c *crashCounter) tick() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cancel == nil {
		return
	}
	if c.left--; c.left <= 0 {
		c.cancel()
		c.cancel = nil
	}
}

func (s crashStore) InTx(ctx context.Context, fn func(tx provisioning.Store) error) error {
	s.c.tick()
	return s.Store.InTx(ctx, func(tx provisioning.Store) error { return fn(crashStore{tx, s.c}) })
}

func (s crashStore) ListServices(ctx context.Context, f provisioning.ServiceFilter) (billkit.Page[provisioning.Service], error) {
	s.c.tick()
	return s.Store.ListServices(ctx, f)
}

func (s crashStore) ListServiceIDs(ctx context.Context, f provisioning.ServiceFilter) ([]provisioning.ServiceID, error) {
	s.c.tick()
	return s.Store.ListServiceIDs(ctx, f)
}

func (s crashStore) GetServices(ctx context.Context, ids []provisioning.ServiceID) ([]provisioning.Service, error) {
	s.c.tick()
	return s.Store.GetServices(ctx, ids)
}

func (s crashStore) GetServicesForUpdate(ctx context.Context, ids []provisioning.ServiceID) ([]provisioning.Service, error) {
	s.c.tick()
	return s.Store.GetServicesForUpdate(ctx, ids)
}

func (s crashStore) InsertRenewals(ctx context.Context, rs []provisioning.Renewal) error {
	s.c.tick()
	return s.Store.InsertRenewals(ctx, rs)
}

func (s crashStore) UpdateServicesPaid(ctx context.Context, svcs []provisioning.Service) error {
	s.c.tick()
	return s.Store.UpdateServicesPaid(ctx, svcs)
}

func (s crashStore) InsertServiceEvents(ctx context.Context, es []provisioning.ServiceEvent) error {
	s.c.tick()
	return s.Store.InsertServiceEvents(ctx, es)
}

func (s crashStore) GetServiceForUpdate(ctx context.Context, id provisioning.ServiceID) (*provisioning.Service, error) {
	s.c.tick()
	return s.Store.GetServiceForUpdate(ctx, id)
}

func (s crashStore) UpdateService(ctx context.Context, svc *provisioning.Service) error {
	s.c.tick()
	return s.Store.UpdateService(ctx, svc)
}

func (s crashStore) InsertRenewal(ctx context.Context, r *provisioning.Renewal) error {
	s.c.tick()
	return s.Store.InsertRenewal(ctx, r)
}

func (s crashStore) InsertNotice(ctx context.Context, n *provisioning.Notice) error {
	s.c.tick()
	return s.Store.InsertNotice(ctx, n)
}

func (s crashStore) InsertServiceEvent(ctx context.Context, ev *provisioning.ServiceEvent) error {
	s.c.tick()
	return s.Store.InsertServiceEvent(ctx, ev)
}

func (s crashStore) InsertTask(ctx context.Context, t *provisioning.Task) error {
	s.c.tick()
	return s.Store.InsertTask(ctx, t)
}

// dueWorld is a provider's clients with services all due on one day, each
// client paid in enough for some of its renewals.
type dueWorld struct {
	services []provisioning.ServiceID
	paid     map[billkit.ClientID]billkit.Money
}

// dueServices orders per services for each of clients new clients, pays
// each client in enough for 0 to per renewals, and moves the clock to the
// day they all expire.
func (e *env) dueServices(t *testing.T, rnd *rand.Rand, clients, per int) *dueWorld {
	t.Helper()
	w := &dueWorld{paid: map[billkit.ClientID]billkit.Money{}}
	for i := range clients {
		c := e.newClient(t, fmt.Sprintf("Due %d", i))
		// 10.00 per order, 10.00 per renewal paid for.
		amount := usd(fmt.Sprintf("%d.00", 10*(per+rnd.IntN(per+1))))
		e.topUp(t, c.ID, amount.Amount().StringFixed(2))
		w.paid[c.ID] = amount
		o := e.order(t, c.ID, e.vpsItem(per, "1"))
		w.services = append(w.services, o.Items[0].ServiceIDs...)
	}
	e.drainTasks(t)
	e.clock.Set(e.clock.Now().AddDate(0, 1, 0))
	return w
}

// checkOnce checks that every due service was charged its renewal once or,
// where it was not, that its client could not pay it; and that every
// client's balance is what it paid in less what its services were
// charged.
func (e *env) checkOnce(t *testing.T, w *dueWorld) (renewed int) {
	t.Helper()
	today := e.today()
	spent := map[billkit.ClientID]billkit.Money{}
	var unpaid []*provisioning.Service
	for _, id := range w.services {
		rs := e.renewals(t, id)
		s := e.service(t, id)
		switch {
		case len(rs) == 2 && rs[1].PeriodStart == today && s.ExpiresOn == today.AddMonths(1):
			renewed++
		case len(rs) == 1 && s.ExpiresOn == today:
			unpaid = append(unpaid, s)
		default:
			t.Fatalf("service %s: %d periods paid, expires on %s: %+v", id, len(rs), s.ExpiresOn, rs)
		}
		for _, r := range rs {
			sum := r.Amount
			if prev, ok := spent[s.ClientID]; ok {
				sum, _ = prev.Add(r.Amount)
			}
			spent[s.ClientID] = sum
		}
		// One expense per period: a crash or a second runner never
		// charged a period twice.
		if n := e.count(t, "billkit_expenses", "cause_type = 'service' AND cause_id = ?", id.String()); n != len(rs) {
			t.Fatalf("service %s: %d expenses for %d periods", id, n, len(rs))
		}
	}
	for c, paid := range w.paid {
		want, _ := paid.Sub(spent[c])
		if got := e.balance(t, c); !got.Equal(want) {
			t.Fatalf("client %s has %s, paid %s and was charged %s", c, got, paid, spent[c])
		}
	}
	for _, s := range unpaid {
		if b := e.balance(t, s.ClientID); !b.IsNegative() && b.Amount().GreaterThanOrEqual(s.Price.Amount()) {
			t.Fatalf("service %s left unpaid while its client has %s", s.ID, b)
		}
	}
	return renewed
}

// TestCycleCrashAndRerun kills runs of the cycle at random points (the
// context is cancelled after a random number of store calls, mid-batch
// included) and runs it again until a run completes: no period is charged
// twice, none is skipped, no reminder is sent twice.
func TestCycleCrashAndRerun(t *testing.T) {
	for _, workers := range []int{1, 3} {
		t.Run(fmt.Sprintf("%d workers", workers), func(t *testing.T) { testCycleCrashAndRerun(t, workers) })
	}
}

func testCycleCrashAndRerun(t *testing.T, workers int) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rnd := rand.New(rand.NewPCG(seed, 7))
	e := newShopEnv(t, withConfig(func(c *provisioning.Config) { c.NoticeDays = []int{0} }))
	w := e.dueServices(t, rnd, 15, 3)
	counter := &crashCounter{}
	crashing, err := provisioning.NewManager(crashStore{e.st.Provisioning(), counter}, provisioning.Config{
		Clock: e.clock, Billing: e.bill, Catalog: e.cat, Modules: e.mgr.Modules(),
		NoticeDays: []int{0}, CycleBatch: 4, CycleWorkers: workers,
	})
	if err != nil {
		t.Fatal(err)
	}
	crashes := 0
	for attempt := 1; ; attempt++ {
		if attempt > 500 {
			t.Fatal("no run completed")
		}
		runCtx, cancel := context.WithCancel(ctx)
		counter.arm(1+rnd.IntN(10*attempt), cancel)
		rep, err := crashing.RunCycle(runCtx, system, provisioning.CycleOptions{})
		cancel()
		if err == nil {
			if len(rep.Failures) > 0 {
				t.Fatalf("failures: %+v", rep.Failures)
			}
			break
		}
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("run %d: %v", attempt, err)
		}
		crashes++
	}
	e.checkAfterCrashes(t, w, crashes)
}

// checkAfterCrashes checks the world after runs of the cycle that died
// (crashes of them) and one that completed: every period charged once
// (checkOnce), some renewed, one reminder a service, and nothing left for
// another run to do.
func (e *env) checkAfterCrashes(t *testing.T, w *dueWorld, crashes int) {
	t.Helper()
	if crashes == 0 {
		t.Fatal("no run crashed")
	}
	renewed := e.checkOnce(t, w)
	if renewed == 0 {
		t.Fatal("nothing was renewed")
	}
	if n := e.count(t, "billkit_service_notices", "1=1"); n != len(w.services) {
		t.Fatalf("%d reminders for %d services", n, len(w.services))
	}
	if r := e.cycle(t); r.Renewals != 0 || r.Notices != 0 {
		t.Fatalf("a run after the crashes found work left: %+v", r)
	}
	t.Logf("%d crashes, %d of %d services renewed", crashes, renewed, len(w.services))
}

// TestCycleConcurrentRunnersPostgres runs three cycles at once on one
// PostgreSQL database, with one, two and three workers (run it with
// -race): every period is charged once, and every balance is right.
func TestCycleConcurrentRunnersPostgres(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 3))
	e := newShopEnv(t, onStore(storetest.NewPostgres(t)))
	w := e.dueServices(t, rnd, 30, 3)
	// Three processes, with batches of different sizes: their
	// transactions end at different services.
	var runners []*provisioning.Manager
	// The second and third run batches of their own at once.
	for i, batch := range []int{5, 3, 8} {
		m, err := provisioning.NewManager(e.st.Provisioning(), provisioning.Config{
			Clock: e.clock, Billing: e.bill, Catalog: e.cat, Modules: e.mgr.Modules(), CycleBatch: batch, CycleWorkers: i + 1,
		})
		if err != nil {
			t.Fatal(err)
		}
		runners = append(runners, m)
	}
	reports := make([]provisioning.CycleReport, 3)
	errs := make([]error, 3)
	var (
		wg, ready sync.WaitGroup
		start     = make(chan struct{})
	)
	for i := range reports {
		wg.Add(1)
		ready.Add(1)
		go func() {
			defer wg.Done()
			ready.Done()
			<-start
			reports[i], errs[i] = runners[i].RunCycle(ctx, system, provisioning.CycleOptions{})
		}()
	}
	ready.Wait()
	close(start)
	wg.Wait()
	total := 0
	for i, r := range reports {
		if errs[i] != nil {
			t.Fatalf("runner %d: %v", i, errs[i])
		}
		if len(r.Failures) > 0 {
			t.Fatalf("runner %d failures: %+v", i, r.Failures)
		}
		total += r.Renewals
	}
	renewed := e.checkOnce(t, w)
	if total != renewed {
		t.Fatalf("the runners reported %d renewals, %d were made", total, renewed)
	}
	if r := e.cycle(t); r.Renewals != 0 {
		t.Fatalf("a run after the runners renewed %d more", r.Renewals)
	}
	t.Logf("runners renewed %d, %d, %d; skipped %d, %d, %d", reports[0].Renewals, reports[1].Renewals, reports[2].Renewals,
		reports[0].Skipped, reports[1].Skipped, reports[2].Skipped)
}
