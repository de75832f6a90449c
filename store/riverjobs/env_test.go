package riverjobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/catalog"
	"github.com/billkit/billkit/directory"
	"github.com/billkit/billkit/provisioning"
	"github.com/billkit/billkit/store/bunstore"
	"github.com/billkit/billkit/store/storetest"
	"github.com/riverqueue/river"
	"github.com/shopspring/decimal"
)

// The test world: a store with River's tables, one provider, a client, a
// product type driven by the scriptable module "test", a tariff, and a
// Manager on a fake clock whose tasks go to a Queue. River schedules by
// the system clock; the fake clock starts in the past of it, so a task
// due by the manager is due for River too.

var (
	system = billkit.SystemActor("test")
	start  = time.Date(2026, 3, 14, 10, 0, 0, 0, time.UTC)
)

// waitLimit bounds every wait for River: generous, since a job is found by
// polling and the machine may be busy.
const waitLimit = 60 * time.Second

// testConfig is the Queue's Config in tests: quick polls, quiet logs.
func testConfig() Config {
	return Config{
		Workers:      2,
		PollInterval: 20 * time.Millisecond,
		Recheck:      10 * time.Millisecond,
		Logger:       slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
}

// forEachStore runs body on a fresh in-memory SQLite store, and on a
// fresh PostgreSQL database when BILLKIT_TEST_POSTGRES_DSN is set (in CI it
// must be). River's tables are migrated on both.
func forEachStore(t *testing.T, body func(t *testing.T, st *bunstore.Store)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { body(t, migrated(t, storetest.NewMemory(t))) })
	t.Run("postgres", func(t *testing.T) { body(t, migrated(t, storetest.NewPostgres(t))) })
}

// migrated runs River's migrations on st.
func migrated(t *testing.T, st *bunstore.Store) *bunstore.Store {
	t.Helper()
	if err := Migrate(context.Background(), st); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	return st
}

// world is what a test works on.
type world struct {
	st     *bunstore.Store
	clock  *billkit.FakeClock
	mgr    *provisioning.Manager
	q      *Queue
	mod    *scriptModule
	client *billing.Client
	tariff *catalog.Tariff
	events *events
}

// worldOptions shape newWorld.
type worldOptions struct {
	queue   Config
	backoff func(int) time.Duration
	// wrap, when set, is the Queue the manager is given instead of the
	// Queue itself.
	wrap func(*Queue) provisioning.Queue
}

// newWorld builds the world on st and starts its Queue, which stops when
// the test ends.
func newWorld(t *testing.T, st *bunstore.Store, o worldOptions) *world {
	t.Helper()
	ctx := context.Background()
	clock := billkit.NewFakeClock(start)
	dir := directory.NewService(st.Directory(), directory.Config{Clock: clock})
	if err := dir.Bootstrap(ctx, system); err != nil {
		t.Fatal(err)
	}
	cat := catalog.NewService(st.Catalog(), dir, catalog.Config{Clock: clock})
	bill := billing.NewService(st.Billing(), dir, billing.Config{Clock: clock, Catalog: cat})
	prov, err := bill.CreateProvider(ctx, system, billing.CreateProviderParams{Name: "HostCo", Currency: "USD", Locale: "en", TimeZone: "UTC"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cat.CreateProductType(ctx, system, prov.ID, catalog.ProductTypeDoc{
		Code: "vps", Kind: catalog.KindVPS, Name: directory.Text{"en": "VPS"}, Module: "test",
		Lifecycle: catalog.Lifecycle{GraceDays: 3, DeleteAfterDays: 14},
	}); err != nil {
		t.Fatal(err)
	}
	tariff, err := cat.CreateTariff(ctx, system, prov.ID, catalog.TariffDoc{
		Code: "vps-1", Name: directory.Text{"en": "VPS 1"}, ProductType: "vps", Currency: "USD",
		Prices: []catalog.Price{{Period: catalog.PeriodMonth, Currency: "USD", Amount: decimal.RequireFromString("10.00")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	client, err := bill.CreateClient(ctx, system, billing.CreateClientParams{ProviderID: prov.ID, Name: "Acme", Email: "billing@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	mod := &scriptModule{calls: map[provisioning.ServiceID]int{}}
	reg, err := provisioning.NewRegistry(mod)
	if err != nil {
		t.Fatal(err)
	}
	q, err := New(st, o.queue)
	if err != nil {
		t.Fatal(err)
	}
	var pq provisioning.Queue = q
	if o.wrap != nil {
		pq = o.wrap(q)
	}
	backoff := o.backoff
	if backoff == nil {
		backoff = func(int) time.Duration { return 0 }
	}
	mgr, err := provisioning.NewManager(st.Provisioning(), provisioning.Config{
		Clock: clock, Billing: bill, Catalog: cat, Modules: reg, Queue: pq, Backoff: backoff,
	})
	if err != nil {
		t.Fatal(err)
	}
	w := &world{st: st, clock: clock, mgr: mgr, q: q, mod: mod, client: client, tariff: tariff}
	w.events = subscribe(t, q)
	startQueue(t, q, mgr)
	return w
}

// startQueue starts q with runner and stops it when the test ends.
func startQueue(t *testing.T, q *Queue, runner Runner) {
	t.Helper()
	if err := q.Start(context.Background(), runner); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
		defer cancel()
		if err := q.Stop(ctx); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
}

// activeService imports an active service of the tariff for the client.
func (w *world) activeService(t *testing.T) *provisioning.Service {
	t.Helper()
	out, err := w.mgr.ImportServices(context.Background(), system, []provisioning.ImportServiceParams{{
		ClientID: w.client.ID, TariffID: w.tariff.ID, Period: catalog.PeriodMonth, Name: "vps",
		ExpiresOn: billkit.DateOf(w.clock.Now()).AddMonths(1),
	}})
	if err != nil {
		t.Fatal(err)
	}
	return &out[0]
}

// orderedService is a new ordered service (a clone of an active one),
// ready for OpenService.
func (w *world) orderedService(t *testing.T) *provisioning.Service {
	t.Helper()
	s, err := w.mgr.CloneService(context.Background(), system, w.activeService(t).ID)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// open starts opening an ordered service and returns its task's ID.
func (w *world) open(t *testing.T) (provisioning.ServiceID, provisioning.TaskID) {
	t.Helper()
	s, err := w.mgr.OpenService(context.Background(), system, w.orderedService(t).ID, "")
	if err != nil {
		t.Fatal(err)
	}
	if s.TaskID.IsZero() {
		t.Fatalf("OpenService left no task: %+v", s)
	}
	return s.ID, s.TaskID
}

func (w *world) service(t *testing.T, id provisioning.ServiceID) *provisioning.Service {
	t.Helper()
	s, err := w.mgr.GetService(context.Background(), system, id)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (w *world) task(t *testing.T, id provisioning.TaskID) *provisioning.Task {
	t.Helper()
	tk, err := w.mgr.GetTask(context.Background(), system, id)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

// jobRow is what a test reads of River's job table.
type jobRow struct {
	State string
	Args  TaskArgs
}

// jobs lists the River jobs of a task through q's client, oldest first
// (every job of the kind when id is zero).
func jobs(t *testing.T, q *Queue, id provisioning.TaskID) []jobRow {
	t.Helper()
	res, err := q.Client().JobList(context.Background(), river.NewJobListParams().Kinds(Kind).First(1000))
	if err != nil {
		t.Fatal(err)
	}
	var out []jobRow
	for _, j := range res.Jobs {
		var a TaskArgs
		if err := json.Unmarshal(j.EncodedArgs, &a); err != nil {
			t.Fatalf("job args %s: %v", j.EncodedArgs, err)
		}
		if id.IsZero() || a.TaskID == id {
			out = append(out, jobRow{State: string(j.State), Args: a})
		}
	}
	return out
}

// scriptModule is the module "test": it fails the first fails calls of
// each service, then succeeds. It counts calls per service.
type scriptModule struct {
	mu    sync.Mutex
	fails int
	calls map[provisioning.ServiceID]int
}

func (m *scriptModule) Name() string { return "test" }

func (m *scriptModule) Run(_ context.Context, req provisioning.Request) (provisioning.Result, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls[req.Service.ID]++
	if n := m.calls[req.Service.ID]; n <= m.fails {
		return provisioning.Result{}, fmt.Errorf("the panel is down (call %d)", n)
	}
	return provisioning.Result{Params: map[string]string{"ip": "203.0.113.7"}}, nil
}

// failFirst makes the first n calls of each service fail.
func (m *scriptModule) failFirst(n int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.fails = n
}

func (m *scriptModule) callsOf(id provisioning.ServiceID) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.calls[id]
}

// events receives a Queue's job events, from before it starts.
type events struct {
	ch <-chan *river.Event
}

// subscribe subscribes to q's job events until the test ends.
func subscribe(t *testing.T, q *Queue) *events {
	t.Helper()
	ch, cancel := q.Client().Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed,
		river.EventKindJobCancelled, river.EventKindJobSnoozed)
	t.Cleanup(cancel)
	return &events{ch: ch}
}

// event is one job event with its arguments decoded.
type event struct {
	kind  river.EventKind
	state string
	args  TaskArgs
}

// waitFor returns the first event that ok accepts, failing the test when
// none comes within waitLimit. Events it passes over are dropped.
func (e *events) waitFor(t *testing.T, what string, ok func(event) bool) event {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	for {
		select {
		case ev := <-e.ch:
			got := event{kind: ev.Kind, state: string(ev.Job.State)}
			if err := json.Unmarshal(ev.Job.EncodedArgs, &got.args); err != nil {
				t.Fatalf("event args %s: %v", ev.Job.EncodedArgs, err)
			}
			if ok(got) {
				return got
			}
		case <-ctx.Done():
			t.Fatalf("waiting for %s: %v", what, ctx.Err())
		}
	}
}

// completed waits for the job of the task's attempt to complete.
func (e *events) completed(t *testing.T, id provisioning.TaskID, attempt int) {
	t.Helper()
	e.waitFor(t, fmt.Sprintf("the job of attempt %d of task %s to complete", attempt, id), func(ev event) bool {
		return ev.kind == river.EventKindJobCompleted && ev.args.TaskID == id && ev.args.Attempt == attempt
	})
}

// wantCode checks err's code and, when reason is not "", its reason.
func wantCode(t *testing.T, err error, code billkit.Code, reason string) {
	t.Helper()
	if billkit.ErrorCode(err) != code || (reason != "" && billkit.ErrorReason(err) != reason) {
		t.Fatalf("err = %v, want %s (%s)", err, code, reason)
	}
}

// wantField checks that err is invalid and names field with reason.
func wantField(t *testing.T, err error, field, reason string) {
	t.Helper()
	var e *billkit.Error
	if !errors.As(err, &e) || e.Code != billkit.CodeInvalid {
		t.Fatalf("err = %v, want invalid on %s", err, field)
	}
	f, ok := e.Field(field)
	if !ok {
		t.Fatalf("err = %v (%+v), want field %q", err, e.Fields, field)
	}
	if reason != "" && f.Reason != reason {
		t.Fatalf("field %s reason = %q, want %q", field, f.Reason, reason)
	}
}
