package provisioning_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
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
	"github.com/shopspring/decimal"
)

// The test world every provisioning test starts from: one provider (USD,
// UTC), a client with money, a VPS product type driven by the scriptable
// module "test", two monthly tariffs in one group, a billing service and a
// Manager on a fake clock.

var (
	ctx    = context.Background()
	system = billkit.SystemActor("test")
	// start is a Saturday morning, UTC.
	start = time.Date(2026, 3, 14, 10, 0, 0, 0, time.UTC)
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }
func ptr[T any](v T) *T            { return &v }
func usd(s string) billkit.Money   { return billkit.MustParseMoney(s, "USD") }

// perms grants the rights listed on every client (staff) or on the clients
// listed (customers).
type perms struct {
	rights  []billkit.Right
	clients []billkit.ClientID
	all     bool
}

func (p perms) Allows(r billkit.Right, c billkit.ClientID) bool {
	if !p.all && !slices.Contains(p.clients, c) {
		return false
	}
	return slices.Contains(p.rights, r)
}

func (p perms) Clients() ([]billkit.ClientID, bool) { return p.clients, p.all }

// rightsOn returns every operation on the functions given.
func rightsOn(functions ...string) []billkit.Right {
	var rs []billkit.Right
	for _, f := range functions {
		for _, op := range billkit.Operations() {
			rs = append(rs, billkit.R(f, op))
		}
	}
	return rs
}

// staff is a staff member with the rights given.
func staff(rights ...billkit.Right) billkit.Actor {
	return billkit.Actor{Kind: billkit.ActorStaff, ID: "alice", Name: "alice@example.com", IP: "192.0.2.1",
		Permissions: perms{rights: rights, all: true}}
}

// admin is a staff member with every right of provisioning, billing and
// the catalog.
func admin() billkit.Actor {
	fns := append(provisioning.Functions(), billing.Functions()...)
	return staff(rightsOn(append(fns, catalog.Functions()...)...)...)
}

// customer is a user of the clients given with every right a customer
// role can hold in provisioning and billing (all but posting to a ledger).
func customer(clients ...billkit.ClientID) billkit.Actor {
	var rights []billkit.Right
	for _, r := range rightsOn(append(provisioning.ClientFunctions(), billing.Functions()...)...) {
		if r.Function != billing.FunctionLedger {
			rights = append(rights, r)
		}
	}
	return billkit.Actor{Kind: billkit.ActorCustomer, ID: "bob", Name: "bob@example.com",
		Permissions: perms{rights: rights, clients: clients}}
}

// env is the test world.
type env struct {
	st    *bunstore.Store
	clock *billkit.FakeClock
	dir   *directory.Service
	bill  *billing.Service
	cat   *catalog.Service
	mgr   *provisioning.Manager
	// mod is the module "test", which the product type vps names.
	mod    *testModule
	prov   *billing.Provider
	client *billing.Client
	// vps is the product type (module "test"; grace 3 days, deletion after
	// 14, clients delete at period end); tariff (vps-1, 10.00 a month,
	// 100.00 a year, a RAM addon) and bigger (vps-2, 20.00 a month) are in
	// one group, so one may change to the other.
	vps    *catalog.ProductType
	tariff *catalog.Tariff
	bigger *catalog.Tariff
}

// envOptions shape newEnv's world.
type envOptions struct {
	st       *bunstore.Store
	config   func(*provisioning.Config)
	provider billing.CreateProviderParams
	modules  []provisioning.Module
}

// envOption is an option of newEnv.
type envOption func(*envOptions)

// onStore builds the world on st (storetest.NewPostgres(t), say) instead
// of a fresh in-memory store.
func onStore(st *bunstore.Store) envOption { return func(o *envOptions) { o.st = st } }

// withConfig changes the Manager's Config before it is made (Clock,
// Billing, Catalog and Modules are set already).
func withConfig(f func(*provisioning.Config)) envOption {
	return func(o *envOptions) { o.config = f }
}

// withProvider replaces the provider's parameters (its currency must stay
// USD for the catalog's prices).
func withProvider(p billing.CreateProviderParams) envOption {
	return func(o *envOptions) { o.provider = p }
}

// withModules registers more modules besides "test" and "manual".
func withModules(ms ...provisioning.Module) envOption {
	return func(o *envOptions) { o.modules = append(o.modules, ms...) }
}

// secretKey is a 32-byte key for servers' credentials.
var secretKey = []byte("0123456789abcdef0123456789abcdef")

// newEnv returns the test world on a fresh in-memory store. The Manager has
// the test module, the manual module (department "ops") and secretKey;
// billing's ledger is audited when the test ends.
func newEnv(t *testing.T, opts ...envOption) *env {
	t.Helper()
	o := envOptions{provider: billing.CreateProviderParams{Name: "HostCo", Currency: "USD", Locale: "en", TimeZone: "UTC"}}
	for _, f := range opts {
		f(&o)
	}
	if o.st == nil {
		o.st = storetest.NewMemory(t)
	}
	st := o.st
	clock := billkit.NewFakeClock(start)
	dir := directory.NewService(st.Directory(), directory.Config{Clock: clock})
	if err := dir.Bootstrap(ctx, system); err != nil {
		t.Fatal(err)
	}
	cat := catalog.NewService(st.Catalog(), dir, catalog.Config{Clock: clock})
	bill := billing.NewService(st.Billing(), dir, billing.Config{Clock: clock, Catalog: cat})
	prov, err := bill.CreateProvider(ctx, system, o.provider)
	if err != nil {
		t.Fatal(err)
	}
	mod := newTestModule("test")
	reg, err := provisioning.NewRegistry(append([]provisioning.Module{mod, provisioning.ManualModule{Department: "ops"}}, o.modules...)...)
	if err != nil {
		t.Fatal(err)
	}
	cfg := provisioning.Config{Clock: clock, Billing: bill, Catalog: cat, Modules: reg, SecretKey: secretKey}
	if o.config != nil {
		o.config(&cfg)
	}
	mgr, err := provisioning.NewManager(st.Provisioning(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{st: st, clock: clock, dir: dir, bill: bill, cat: cat, mgr: mgr, mod: mod, prov: prov}
	e.buildCatalog(t)
	e.client = e.newClient(t, "Acme")
	e.topUp(t, e.client.ID, "1000.00")
	t.Cleanup(func() {
		found, err := bill.Audit(ctx)
		if err != nil {
			t.Errorf("Audit: %v", err)
		}
		for _, f := range found {
			t.Errorf("audit: %+v", f)
		}
	})
	return e
}

// newPostgresEnv is newEnv on a fresh PostgreSQL database; it skips without
// BILLKIT_TEST_POSTGRES_DSN (and fails in CI).
func newPostgresEnv(t *testing.T, opts ...envOption) *env {
	t.Helper()
	return newEnv(t, append([]envOption{onStore(storetest.NewPostgres(t))}, opts...)...)
}

func text(en string) directory.Text { return directory.Text{"en": en} }

func monthly(amount string) catalog.Price {
	return catalog.Price{Period: catalog.PeriodMonth, Currency: "USD", Amount: dec(amount)}
}

// vpsDoc is the product type vps, for tests that change it
// (cat.UpdateProductType).
func vpsDoc() catalog.ProductTypeDoc {
	return catalog.ProductTypeDoc{
		Code: "vps", Kind: catalog.KindVPS, Name: text("VPS"), Module: "test", ServiceNameTemplate: "{tariff} #{number}",
		Lifecycle: catalog.Lifecycle{GraceDays: 3, DeleteAfterDays: 14, ClientDelete: catalog.ClientDeleteAtPeriodEnd},
	}
}

func (e *env) buildCatalog(t *testing.T) {
	t.Helper()
	var err error
	e.vps, err = e.cat.CreateProductType(ctx, system, e.prov.ID, vpsDoc())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.cat.CreateTariffGroup(ctx, system, e.prov.ID, catalog.TariffGroupDoc{Code: "vps", Name: text("VPS"), ChangeWithinGroup: true}); err != nil {
		t.Fatal(err)
	}
	e.tariff, err = e.cat.CreateTariff(ctx, system, e.prov.ID, catalog.TariffDoc{
		Code: "vps-1", Name: text("VPS 1"), ProductType: "vps", Group: "vps", Currency: "USD",
		Prices: []catalog.Price{monthly("10.00"), {Period: catalog.PeriodYear, Currency: "USD", Amount: dec("100.00")}},
		Addons: []catalog.Addon{{Code: "ram", Name: text("RAM"), BillingType: catalog.BillingQuantity, Unit: "GB", Changeable: true,
			Min: dec("1"), Max: dec("16"), Step: dec("1"), Included: dec("1"), Prices: []catalog.Price{monthly("1.50")}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	e.bigger, err = e.cat.CreateTariff(ctx, system, e.prov.ID, catalog.TariffDoc{
		Code: "vps-2", Name: text("VPS 2"), ProductType: "vps", Group: "vps", Currency: "USD",
		Prices: []catalog.Price{monthly("20.00")},
	})
	if err != nil {
		t.Fatal(err)
	}
}

// newClient creates a client of the provider, with no money and a default
// payer, so that billing can invoice it.
func (e *env) newClient(t *testing.T, name string) *billing.Client {
	t.Helper()
	c, err := e.bill.CreateClient(ctx, system, billing.CreateClientParams{ProviderID: e.prov.ID, Name: name, Email: "billing@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	e.payer(t, c.ID)
	return c
}

// payer gives the client a default payer: an individual in Germany.
func (e *env) payer(t *testing.T, client billkit.ClientID) *billing.Payer {
	t.Helper()
	py, err := e.bill.CreatePayer(ctx, system, billing.CreatePayerParams{ClientID: client, Kind: billing.PayerIndividual,
		Name: "Erika Mustermann", Country: "DE", Email: "billing@example.com", Default: true})
	if err != nil {
		t.Fatal(err)
	}
	return py
}

// topUp puts amount (in the client's currency) on the client's balance.
func (e *env) topUp(t *testing.T, client billkit.ClientID, amount string) {
	t.Helper()
	c, err := e.bill.GetClient(ctx, system, client)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.bill.Post(ctx, system, billing.PostParams{ClientID: client, Amount: billkit.MustParseMoney(amount, c.Currency), Kind: billing.LedgerPayment}); err != nil {
		t.Fatal(err)
	}
}

// balance returns the client's balance.
func (e *env) balance(t *testing.T, client billkit.ClientID) billkit.Money {
	t.Helper()
	b, err := e.bill.Balance(ctx, system, client)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// server creates an enabled server of the module "test" with the capacity
// given (0: no limit) in a new datacenter, or in dc when it is given.
func (e *env) server(t *testing.T, name string, capacity int, dc ...provisioning.DatacenterID) *provisioning.Server {
	t.Helper()
	var dcID provisioning.DatacenterID
	if len(dc) > 0 {
		dcID = dc[0]
	} else {
		d, err := e.mgr.CreateDatacenter(ctx, system, provisioning.DatacenterParams{ProviderID: e.prov.ID, Code: "dc-" + name, Name: "DC " + name, Country: "DE"})
		if err != nil {
			t.Fatal(err)
		}
		dcID = d.ID
	}
	s, err := e.mgr.CreateServer(ctx, system, provisioning.ServerParams{
		ProviderID: e.prov.ID, DatacenterID: dcID, Module: "test", Name: name, URL: "https://" + name + ".example.com",
		Capacity: capacity,
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// activeService imports an active service of tariff vps-1 for the client
// (e.client when zero), paid until a month from now, on server (none when
// zero).
func (e *env) activeService(t *testing.T, client billkit.ClientID, server provisioning.ServerID) *provisioning.Service {
	t.Helper()
	if client.IsZero() {
		client = e.client.ID
	}
	today := billkit.DateOf(e.clock.Now())
	out, err := e.mgr.ImportServices(ctx, system, []provisioning.ImportServiceParams{{
		ClientID: client, TariffID: e.tariff.ID, Period: catalog.PeriodMonth, Name: "vps",
		ServerID: server, ExpiresOn: today.AddMonths(1), Params: map[string]string{"remote_id": "42"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	return &out[0]
}

// orderedService returns a new ordered service of tariff vps-1 for the
// client (e.client when zero), cloned from an active one: an ordered
// service without an order, ready for OpenService.
func (e *env) orderedService(t *testing.T, client billkit.ClientID) *provisioning.Service {
	t.Helper()
	src := e.activeService(t, client, provisioning.ServerID{})
	s, err := e.mgr.CloneService(ctx, system, src.ID)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// service reads a service.
func (e *env) service(t *testing.T, id provisioning.ServiceID) *provisioning.Service {
	t.Helper()
	s, err := e.mgr.GetService(ctx, system, id)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// task reads a task.
func (e *env) task(t *testing.T, id provisioning.TaskID) *provisioning.Task {
	t.Helper()
	tk, err := e.mgr.GetTask(ctx, system, id)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

// attempts lists a task's attempts.
func (e *env) attempts(t *testing.T, id provisioning.TaskID) []provisioning.TaskAttempt {
	t.Helper()
	p, err := e.mgr.ListTaskAttempts(ctx, system, provisioning.TaskAttemptFilter{TaskID: id})
	if err != nil {
		t.Fatal(err)
	}
	return p.Items
}

// events lists a service's history.
func (e *env) events(t *testing.T, id provisioning.ServiceID) []provisioning.ServiceEvent {
	t.Helper()
	p, err := e.mgr.ListServiceEvents(ctx, system, provisioning.ServiceEventFilter{ServiceID: id})
	if err != nil {
		t.Fatal(err)
	}
	return p.Items
}

// runTasks runs the tasks due now and returns how many ran.
func (e *env) runTasks(t *testing.T) int {
	t.Helper()
	n, err := e.mgr.RunDueTasks(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// count returns the rows of a table matching where.
func (e *env) count(t *testing.T, table, where string, args ...any) int {
	t.Helper()
	n, err := e.st.DB().NewSelect().TableExpr(table).Where(where, args...).Count(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

// actions returns the number of actions with the name on the object.
func (e *env) actions(t *testing.T, name, objectID string) int {
	t.Helper()
	return e.count(t, "billkit_actions", "name = ? AND object_id = ?", name, objectID)
}

// wantField checks that err is invalid and names field with reason (any
// reason when reason is "").
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
		t.Fatalf("field %s reason = %q, want %q (%v)", field, f.Reason, reason, err)
	}
}

// wantCode checks err's code and, when reason is not "", its reason.
func wantCode(t *testing.T, err error, code billkit.Code, reason string) {
	t.Helper()
	if billkit.ErrorCode(err) != code || (reason != "" && billkit.ErrorReason(err) != reason) {
		t.Fatalf("err = %v, want %s (%s)", err, code, reason)
	}
}

// must returns v, failing the test on err: must[T](t)(f()).
func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// step is one scripted answer of the test module.
type step func(ctx context.Context, req provisioning.Request) (provisioning.Result, error)

// testModule is a module whose answers a test scripts: each call takes the
// next step queued with then, or, when none is left, succeeds with the
// params set by succeedWith. It records every request. Safe for
// concurrent use.
type testModule struct {
	name   string
	mu     sync.Mutex
	steps  []step
	calls  []provisioning.Request
	params map[string]string
}

func newTestModule(name string) *testModule {
	return &testModule{name: name, params: map[string]string{"ip": "203.0.113.7"}}
}

// Name is the module's name.
func (m *testModule) Name() string { return m.name }

// Run records the request and plays the next step.
func (m *testModule) Run(ctx context.Context, req provisioning.Request) (provisioning.Result, error) {
	m.mu.Lock()
	m.calls = append(m.calls, req)
	var s step
	if len(m.steps) > 0 {
		s, m.steps = m.steps[0], m.steps[1:]
	}
	params := m.params
	m.mu.Unlock()
	if s == nil {
		s = succeed(params)
	}
	return s(ctx, req)
}

// then queues steps after those queued.
func (m *testModule) then(steps ...step) *testModule {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.steps = append(m.steps, steps...)
	return m
}

// succeedWith sets the params a default success returns.
func (m *testModule) succeedWith(params map[string]string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.params = params
}

// requests returns the requests received so far.
func (m *testModule) requests() []provisioning.Request {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.calls)
}

// callsOf counts the requests of an operation.
func (m *testModule) callsOf(op provisioning.Operation) int {
	n := 0
	for _, r := range m.requests() {
		if r.Operation == op {
			n++
		}
	}
	return n
}

// succeed answers done, with params to keep.
func succeed(params map[string]string) step {
	return func(context.Context, provisioning.Request) (provisioning.Result, error) {
		return provisioning.Result{Params: params}, nil
	}
}

// answer answers res.
func answer(res provisioning.Result) step {
	return func(context.Context, provisioning.Request) (provisioning.Result, error) { return res, nil }
}

// fail answers a retryable error.
func fail(msg string) step {
	return func(context.Context, provisioning.Request) (provisioning.Result, error) {
		return provisioning.Result{}, errors.New(msg)
	}
}

// failTimes is n retryable failures, numbered in their messages.
func failTimes(n int, msg string) []step {
	out := make([]step, n)
	for i := range out {
		out[i] = fail(fmt.Sprintf("%s %d", msg, i+1))
	}
	return out
}

// refuse answers a refusal (a permanent error).
func refuse(msg string) step {
	return func(context.Context, provisioning.Request) (provisioning.Result, error) {
		return provisioning.Result{}, provisioning.Refuse("%s", msg)
	}
}

// pending answers that the work goes on elsewhere.
func pending() step {
	return answer(provisioning.Result{Pending: true, Message: "queued at the panel"})
}

// hang blocks until the call's context is done.
func hang() step {
	return func(ctx context.Context, _ provisioning.Request) (provisioning.Result, error) {
		<-ctx.Done()
		return provisioning.Result{}, ctx.Err()
	}
}

// panics panics with v.
func panics(v any) step {
	return func(context.Context, provisioning.Request) (provisioning.Result, error) { panic(v) }
}
