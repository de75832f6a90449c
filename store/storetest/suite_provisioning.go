package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/catalog"
	"github.com/billkit/billkit/provisioning"
	"github.com/billkit/billkit/store/bunstore"
	"github.com/google/go-cmp/cmp"
	"github.com/uptrace/bun"
)

// provFixture is a store with a provider, a company, a client with a
// payer (from the invoice fixture), a product type and a tariff, and a
// datacenter: what services refer to.
type provFixture struct {
	*invoiceFixture
	p      provisioning.Store
	cat    *catalogFixture
	pt     *catalog.ProductType
	tariff *catalog.Tariff
	dc     *provisioning.Datacenter
	seq    int
}

func newProvFixture(t *testing.T, newStores func(t testing.TB) Stores) *provFixture {
	t.Helper()
	inv := newInvoiceFixture(t, newStores)
	if inv.s.Catalog == nil {
		t.Fatal("Stores.Catalog is required")
	}
	p := inv.s.Provisioning
	if p == nil && inv.s.Bun != nil {
		p = inv.s.Bun.Provisioning()
	}
	if p == nil {
		t.Fatal("Stores.Provisioning (or Stores.Bun) is required")
	}
	f := &provFixture{invoiceFixture: inv, p: p}
	f.cat = &catalogFixture{s: inv.s, c: inv.s.Catalog, p1: inv.pid}
	f.pt = f.cat.productType(t, inv.pid, "vps", 1)
	f.tariff = f.cat.tariff(t, f.pt, "vps-1", 1)
	f.dc = f.datacenter(t, f.pid, "msk-1")
	return f
}

func (f *provFixture) next() int { f.seq++; return f.seq }

func (f *provFixture) datacenter(t *testing.T, provider billkit.ProviderID, code string) *provisioning.Datacenter {
	t.Helper()
	d := &provisioning.Datacenter{ID: billkit.NewID[provisioning.Datacenter](), ProviderID: provider, Code: code, Name: "DC " + code,
		Country: "RU", Enabled: true, CreatedAt: t0, UpdatedAt: t0}
	must(t, f.p.InsertDatacenter(context.Background(), d))
	return d
}

func (f *provFixture) server(t *testing.T, module string, capacity int, enabled bool) *provisioning.Server {
	t.Helper()
	n := f.next()
	s := &provisioning.Server{ID: billkit.NewID[provisioning.Server](), ProviderID: f.pid, DatacenterID: f.dc.ID, Module: module,
		Name: fmt.Sprintf("node-%d", n), URL: fmt.Sprintf("https://node-%d.example.com:8006", n), Params: map[string]string{"pool": "ssd"},
		Capacity: capacity, Enabled: enabled, CreatedAt: t0, UpdatedAt: t0}
	must(t, f.p.InsertServer(context.Background(), s))
	return s
}

// newService returns a service of client that is not stored yet, with
// mut applied.
func (f *provFixture) newService(client billkit.ClientID, mut func(*provisioning.Service)) *provisioning.Service {
	n := f.next()
	s := &provisioning.Service{
		ID: billkit.NewID[provisioning.Service](), ProviderID: f.pid, ClientID: client, ProductTypeID: f.pt.ID, TariffID: f.tariff.ID,
		Name: fmt.Sprintf("VPS #%d", n), Period: catalog.PeriodMonth, Status: provisioning.StatusActive,
		AnchorOn: billkit.MustDate(2026, 1, 31), PeriodsPaid: 1, ExpiresOn: billkit.MustDate(2026, 2, 28), AutoRenew: true,
		Price: billkit.MustParseMoney("5.50", "USD"), Addons: map[string]catalog.AddonValue{}, Params: map[string]string{},
		CreatedAt: t0, UpdatedAt: t0,
	}
	if mut != nil {
		mut(s)
	}
	return s
}

func (f *provFixture) service(t *testing.T, client billkit.ClientID, mut func(*provisioning.Service)) *provisioning.Service {
	t.Helper()
	s := f.newService(client, mut)
	must(t, f.p.InsertService(context.Background(), s))
	return s
}

func (f *provFixture) order(t *testing.T, client billkit.ClientID, mut func(*provisioning.Order)) *provisioning.Order {
	t.Helper()
	o := &provisioning.Order{ID: billkit.NewID[provisioning.Order](), ProviderID: f.pid, ClientID: client, Status: provisioning.OrderNew,
		PayBy: provisioning.PayByBalance, Items: []provisioning.OrderItem{}, Total: billkit.MustParseMoney("5.50", "USD"),
		CreatedAt: t0, UpdatedAt: t0}
	if mut != nil {
		mut(o)
	}
	must(t, f.p.InsertOrder(context.Background(), o))
	return o
}

func (f *provFixture) task(t *testing.T, svc *provisioning.Service, mut func(*provisioning.Task)) *provisioning.Task {
	t.Helper()
	k := &provisioning.Task{ID: billkit.NewID[provisioning.Task](), ServiceID: svc.ID, ClientID: svc.ClientID, Operation: provisioning.OpOpen,
		Module: "manual", Status: provisioning.TaskQueued, MaxAttempts: 8, NextRunAt: t0, CreatedAt: t0, UpdatedAt: t0}
	if mut != nil {
		mut(k)
	}
	must(t, f.p.InsertTask(context.Background(), k))
	return k
}

// expense inserts an expense of client with its ledger entry, for a
// renewal to refer to.
func (f *provFixture) expense(t *testing.T, client billkit.ClientID) *billing.Expense {
	t.Helper()
	return expenseFixture{f.billingFixture}.expense(t, client, "5.50", "0", billing.ExpensePeriod, t0)
}

// jsonEqual compares JSON by value: PostgreSQL's jsonb keeps neither the
// spacing nor the key order of what it was given. Absent and null are
// equal.
func jsonEqual(a, b json.RawMessage) bool {
	val := func(r json.RawMessage) any {
		if len(r) == 0 {
			return nil
		}
		var v any
		if err := json.Unmarshal(r, &v); err != nil {
			return "invalid JSON: " + string(r)
		}
		return v
	}
	return reflect.DeepEqual(val(a), val(b))
}

// cmpProv compares provisioning's values as the store gives them back.
var cmpProv = cmp.Options{cmpOpts,
	cmp.Comparer(jsonEqual),
	// An amount reads back as it was written, to the last decimal:
	// "5.50 USD" is not "5.5 USD" on a client's screen.
	cmp.Comparer(func(a, b billkit.Money) bool { return a.String() == b.String() }),
	cmp.Comparer(func(a, b billkit.ProviderID) bool { return a == b }),
	cmp.Comparer(func(a, b billkit.ClientID) bool { return a == b }),
	cmp.Comparer(func(a, b catalog.ProductTypeID) bool { return a == b }),
	cmp.Comparer(func(a, b catalog.TariffID) bool { return a == b }),
	cmp.Comparer(func(a, b billing.ExpenseID) bool { return a == b }),
	cmp.Comparer(func(a, b billing.InvoiceID) bool { return a == b }),
	cmp.Comparer(func(a, b billing.PaymentID) bool { return a == b }),
	cmp.Comparer(func(a, b provisioning.ServiceID) bool { return a == b }),
	cmp.Comparer(func(a, b provisioning.OrderID) bool { return a == b }),
	cmp.Comparer(func(a, b provisioning.OrderItemID) bool { return a == b }),
	cmp.Comparer(func(a, b provisioning.TaskID) bool { return a == b }),
	cmp.Comparer(func(a, b provisioning.ServerID) bool { return a == b }),
	cmp.Comparer(func(a, b provisioning.DatacenterID) bool { return a == b }),
	cmp.Comparer(func(a, b provisioning.ServiceEventID) bool { return a == b }),
}

// sortedIDs returns the IDs' text sorted: the ID order lists use, since
// IDs are stored as UUIDs on PostgreSQL and as their canonical text on
// SQLite.
func sortedIDs[T any](items []T, id func(T) string) []string {
	out := keys(items, id)
	slices.Sort(out)
	return out
}

// filterCase is a list filter and the rows it must select.
type filterCase[T, F any] struct {
	name string
	f    F
	keep func(T) bool
}

// checkFilters lists each case page by page, two rows a page, and checks
// that it selects exactly the rows of all that keep selects, in ID order.
func checkFilters[T, F any](t *testing.T, what string, all []T, id func(T) string, cases []filterCase[T, F],
	list func(F, billkit.PageParams) (billkit.Page[T], error)) {
	t.Helper()
	for _, tc := range cases {
		got := keys(collect(t, 2, id, func(pp billkit.PageParams) (billkit.Page[T], error) { return list(tc.f, pp) }), id)
		var kept []T
		for _, x := range all {
			if tc.keep(x) {
				kept = append(kept, x)
			}
		}
		if want := sortedIDs(kept, id); !slices.Equal(got, want) {
			t.Errorf("%s: %s = %v, want %v", tc.name, what, got, want)
		}
	}
}

func runProvisioning(t *testing.T, newStores func(t testing.TB) Stores) {
	fixture := func(t *testing.T) *provFixture { return newProvFixture(t, newStores) }
	t.Run("datacenters", func(t *testing.T) { runProvDatacenters(t, fixture) })
	t.Run("servers", func(t *testing.T) { runProvServers(t, fixture) })
	t.Run("services", func(t *testing.T) { runProvServices(t, fixture) })
	t.Run("history", func(t *testing.T) { runProvHistory(t, fixture) })
	t.Run("cycle", func(t *testing.T) { runProvCycle(t, fixture) })
	t.Run("orders", func(t *testing.T) { runProvOrders(t, fixture) })
	t.Run("tasks", func(t *testing.T) { runProvTasks(t, fixture) })
	t.Run("task_departments", func(t *testing.T) { runProvTaskDepartments(t, fixture) })
	t.Run("tx", func(t *testing.T) { runProvTx(t, fixture) })
	t.Run("concurrency", func(t *testing.T) { runProvConcurrency(t, fixture) })
}

func runProvDatacenters(t *testing.T, fixture func(t *testing.T) *provFixture) {
	ctx := context.Background()

	t.Run("crud", func(t *testing.T) {
		f := fixture(t)
		got, err := f.p.GetDatacenter(ctx, f.dc.ID)
		must(t, err)
		want := *f.dc
		want.CreatedAt, want.UpdatedAt = storedTime(t0), storedTime(t0)
		if diff := cmp.Diff(&want, got, cmpProv); diff != "" {
			t.Fatalf("GetDatacenter (-want +got):\n%s", diff)
		}
		wantCode(t, f.p.InsertDatacenter(ctx, got), billkit.CodeConflict, "datacenter.exists")
		// A code is unique per provider.
		dup := *got
		dup.ID = billkit.NewID[provisioning.Datacenter]()
		wantCode(t, f.p.InsertDatacenter(ctx, &dup), billkit.CodeConflict, "datacenter.exists")
		other := f.provider(t, "Other")
		dup.ProviderID = other.ID
		must(t, f.p.InsertDatacenter(ctx, &dup))
		dup.ID, dup.ProviderID = billkit.NewID[provisioning.Datacenter](), newBillingProviderID()
		wantCode(t, f.p.InsertDatacenter(ctx, &dup), billkit.CodeFailedPrecondition, bunstore.ReasonReferenceMissing)
		wantCode(t, f.p.InsertDatacenter(ctx, &provisioning.Datacenter{ProviderID: f.pid, Code: "x"}), billkit.CodeInvalid, "")
		wantCode(t, f.p.InsertDatacenter(ctx, nil), billkit.CodeInvalid, "")

		got.Name, got.Country, got.Enabled, got.UpdatedAt = "Moscow 1", "", false, t0.Add(time.Hour)
		must(t, f.p.UpdateDatacenter(ctx, got))
		again, err := f.p.GetDatacenter(ctx, f.dc.ID)
		must(t, err)
		want = *got
		want.UpdatedAt = storedTime(got.UpdatedAt)
		if diff := cmp.Diff(&want, again, cmpProv); diff != "" {
			t.Fatalf("after UpdateDatacenter (-want +got):\n%s", diff)
		}
		second := f.datacenter(t, f.pid, "spb-1")
		second.Code = "msk-1"
		wantCode(t, f.p.UpdateDatacenter(ctx, second), billkit.CodeConflict, "datacenter.exists")

		_, err = f.p.GetDatacenter(ctx, billkit.NewID[provisioning.Datacenter]())
		wantCode(t, err, billkit.CodeNotFound, "datacenter.not_found")
		_, err = f.p.GetDatacenter(ctx, provisioning.DatacenterID{})
		wantCode(t, err, billkit.CodeNotFound, "datacenter.not_found")
		missing := *got
		missing.ID = billkit.NewID[provisioning.Datacenter]()
		wantCode(t, f.p.UpdateDatacenter(ctx, &missing), billkit.CodeNotFound, "datacenter.not_found")
	})

	t.Run("list", func(t *testing.T) {
		f := fixture(t)
		other := f.provider(t, "Other")
		all := []*provisioning.Datacenter{f.dc}
		for i := 0; i < 4; i++ {
			all = append(all, f.datacenter(t, f.pid, fmt.Sprintf("dc-%d", i)))
		}
		foreign := f.datacenter(t, other.ID, "dc-0")
		id := func(d provisioning.Datacenter) string { return d.ID.String() }
		list := func(fl provisioning.DatacenterFilter) []string {
			return keys(collect(t, 2, id, func(pp billkit.PageParams) (billkit.Page[provisioning.Datacenter], error) {
				fl.PageParams = pp
				return f.p.ListDatacenters(ctx, fl)
			}), id)
		}
		var mine []provisioning.Datacenter
		for _, d := range all {
			mine = append(mine, *d)
		}
		if got, want := list(provisioning.DatacenterFilter{ProviderID: f.pid}), sortedIDs(mine, id); !slices.Equal(got, want) {
			t.Fatalf("provider's datacenters = %v, want %v", got, want)
		}
		if got, want := list(provisioning.DatacenterFilter{}), sortedIDs(append(mine, *foreign), id); !slices.Equal(got, want) {
			t.Fatalf("all datacenters = %v, want %v", got, want)
		}
		_, err := f.p.ListDatacenters(ctx, provisioning.DatacenterFilter{PageParams: billkit.PageParams{Cursor: "not a cursor"}})
		wantCode(t, err, billkit.CodeInvalid, "")
	})
}

func runProvServers(t *testing.T, fixture func(t *testing.T) *provFixture) {
	ctx := context.Background()

	t.Run("crud", func(t *testing.T) {
		f := fixture(t)
		s := &provisioning.Server{ID: billkit.NewID[provisioning.Server](), ProviderID: f.pid, DatacenterID: f.dc.ID, Module: "proxmox",
			Name: "pve-1", URL: "https://pve-1.example.com:8006", Params: map[string]string{"node": "pve", "storage": "local-lvm"},
			Credentials: []byte{0, 1, 2, 0xff, 'x', 0}, Capacity: 40, Load: 3, Enabled: true, CreatedAt: t0, UpdatedAt: t0}
		must(t, f.p.InsertServer(ctx, s))
		got, err := f.p.GetServer(ctx, s.ID)
		must(t, err)
		want := *s
		want.CreatedAt, want.UpdatedAt = storedTime(t0), storedTime(t0)
		if diff := cmp.Diff(&want, got, cmpProv); diff != "" {
			t.Fatalf("GetServer (-want +got):\n%s", diff)
		}
		wantCode(t, f.p.InsertServer(ctx, got), billkit.CodeConflict, "server.exists")
		bad := *got
		bad.ID, bad.DatacenterID = billkit.NewID[provisioning.Server](), billkit.NewID[provisioning.Datacenter]()
		wantCode(t, f.p.InsertServer(ctx, &bad), billkit.CodeFailedPrecondition, bunstore.ReasonReferenceMissing)
		bad.DatacenterID, bad.Capacity = f.dc.ID, -1
		wantCode(t, f.p.InsertServer(ctx, &bad), billkit.CodeInvalid, "")

		// Without credentials or params a server reads back with nil
		// credentials and empty params.
		plain := &provisioning.Server{ID: billkit.NewID[provisioning.Server](), ProviderID: f.pid, DatacenterID: f.dc.ID, Module: "manual",
			Credentials: []byte{}, CreatedAt: t0, UpdatedAt: t0}
		must(t, f.p.InsertServer(ctx, plain))
		gotPlain, err := f.p.GetServer(ctx, plain.ID)
		must(t, err)
		if gotPlain.Credentials != nil || gotPlain.Params == nil || len(gotPlain.Params) != 0 {
			t.Fatalf("plain server = %+v", gotPlain)
		}

		// An update writes every field but the load, which only claims and
		// releases move.
		got.Name, got.URL, got.Params, got.Credentials = "pve-1b", "https://10.0.0.1:8006", map[string]string{"node": "pve2"}, nil
		got.Capacity, got.Load, got.Enabled, got.UpdatedAt = 50, 99, false, t0.Add(time.Minute)
		must(t, f.p.UpdateServer(ctx, got))
		again, err := f.p.GetServer(ctx, s.ID)
		must(t, err)
		want = *got
		want.Load, want.UpdatedAt = 3, storedTime(got.UpdatedAt)
		if diff := cmp.Diff(&want, again, cmpProv); diff != "" {
			t.Fatalf("after UpdateServer (-want +got):\n%s", diff)
		}
		_, err = f.p.GetServer(ctx, billkit.NewID[provisioning.Server]())
		wantCode(t, err, billkit.CodeNotFound, "server.not_found")
		missing := *got
		missing.ID = billkit.NewID[provisioning.Server]()
		wantCode(t, f.p.UpdateServer(ctx, &missing), billkit.CodeNotFound, "server.not_found")
		wantCode(t, f.p.UpdateServer(ctx, nil), billkit.CodeInvalid, "")
	})

	t.Run("list", func(t *testing.T) {
		f := fixture(t)
		dc2 := f.datacenter(t, f.pid, "spb-1")
		other := f.provider(t, "Other")
		dcOther := f.datacenter(t, other.ID, "fra-1")
		var all []provisioning.Server
		for i := 0; i < 6; i++ {
			module := []string{"proxmox", "cpanel"}[i%2]
			s := f.server(t, module, 10, i%3 != 2)
			if i >= 4 {
				s.DatacenterID = dc2.ID
				must(t, f.p.UpdateServer(ctx, s))
			}
			all = append(all, *s)
		}
		foreign := f.server(t, "proxmox", 0, true)
		foreign.ProviderID, foreign.DatacenterID = other.ID, dcOther.ID
		must(t, f.p.UpdateServer(ctx, foreign))
		all = append(all, *foreign)
		id := func(s provisioning.Server) string { return s.ID.String() }
		checkFilters(t, "servers", all, id, []filterCase[provisioning.Server, provisioning.ServerFilter]{
			{"all", provisioning.ServerFilter{}, func(provisioning.Server) bool { return true }},
			{"provider", provisioning.ServerFilter{ProviderID: f.pid}, func(s provisioning.Server) bool { return s.ProviderID == f.pid }},
			{"datacenter", provisioning.ServerFilter{DatacenterID: dc2.ID}, func(s provisioning.Server) bool { return s.DatacenterID == dc2.ID }},
			{"module", provisioning.ServerFilter{Module: "proxmox"}, func(s provisioning.Server) bool { return s.Module == "proxmox" }},
			{"enabled", provisioning.ServerFilter{EnabledOnly: true}, func(s provisioning.Server) bool { return s.Enabled }},
			{"provider_module_enabled", provisioning.ServerFilter{ProviderID: f.pid, Module: "proxmox", EnabledOnly: true},
				func(s provisioning.Server) bool { return s.ProviderID == f.pid && s.Module == "proxmox" && s.Enabled }},
		}, func(fl provisioning.ServerFilter, pp billkit.PageParams) (billkit.Page[provisioning.Server], error) {
			fl.PageParams = pp
			return f.p.ListServers(ctx, fl)
		})
	})

	t.Run("slots", func(t *testing.T) {
		f := fixture(t)
		s := f.server(t, "proxmox", 2, true)
		for i, want := range []bool{true, true, false, false} {
			ok, err := f.p.ClaimServerSlot(ctx, s.ID)
			must(t, err)
			if ok != want {
				t.Fatalf("claim %d = %v, want %v", i+1, ok, want)
			}
		}
		load := func(id provisioning.ServerID) int {
			t.Helper()
			got, err := f.p.GetServer(ctx, id)
			must(t, err)
			return got.Load
		}
		if n := load(s.ID); n != 2 {
			t.Fatalf("load = %d, want 2", n)
		}
		must(t, f.p.ReleaseServerSlot(ctx, s.ID))
		if ok, err := f.p.ClaimServerSlot(ctx, s.ID); err != nil || !ok {
			t.Fatalf("claim after a release = %v, %v", ok, err)
		}
		// A release never takes the load below zero.
		for i := 0; i < 4; i++ {
			must(t, f.p.ReleaseServerSlot(ctx, s.ID))
		}
		if n := load(s.ID); n != 0 {
			t.Fatalf("load after releases = %d, want 0", n)
		}

		// A disabled server takes nothing, whatever its room.
		off := f.server(t, "proxmox", 0, false)
		if ok, err := f.p.ClaimServerSlot(ctx, off.ID); err != nil || ok {
			t.Fatalf("claim on a disabled server = %v, %v", ok, err)
		}
		if n := load(off.ID); n != 0 {
			t.Fatalf("disabled server's load = %d", n)
		}
		// Capacity 0 is no limit.
		open := f.server(t, "proxmox", 0, true)
		for i := 0; i < 5; i++ {
			if ok, err := f.p.ClaimServerSlot(ctx, open.ID); err != nil || !ok {
				t.Fatalf("claim %d on an unlimited server = %v, %v", i+1, ok, err)
			}
		}
		if n := load(open.ID); n != 5 {
			t.Fatalf("unlimited server's load = %d, want 5", n)
		}
		// A capacity lowered below the load refuses new claims.
		got, err := f.p.GetServer(ctx, open.ID)
		must(t, err)
		got.Capacity = 3
		must(t, f.p.UpdateServer(ctx, got))
		if ok, err := f.p.ClaimServerSlot(ctx, open.ID); err != nil || ok {
			t.Fatalf("claim over capacity = %v, %v", ok, err)
		}

		_, err = f.p.ClaimServerSlot(ctx, billkit.NewID[provisioning.Server]())
		wantCode(t, err, billkit.CodeNotFound, "server.not_found")
		wantCode(t, f.p.ReleaseServerSlot(ctx, billkit.NewID[provisioning.Server]()), billkit.CodeNotFound, "server.not_found")
	})
}

func runProvTx(t *testing.T, fixture func(t *testing.T) *provFixture) {
	ctx := context.Background()
	boom := errors.New("boom")

	t.Run("rollback", func(t *testing.T) {
		f := fixture(t)
		var svc *provisioning.Service
		err := f.p.InTx(ctx, func(tx provisioning.Store) error {
			svc = f.newService(f.client.ID, nil)
			if err := tx.InsertService(ctx, svc); err != nil {
				return err
			}
			e := &provisioning.ServiceEvent{ID: billkit.NewID[provisioning.ServiceEvent](), ServiceID: svc.ID, At: t0,
				ActorKind: billkit.ActorSystem, ActorID: "cycle", Kind: "created"}
			if err := tx.InsertServiceEvent(ctx, e); err != nil {
				return err
			}
			a, err := billkit.NewAction(billkit.SystemActor("test"), t0, "provisioning.service.create", provisioning.FunctionService, svc.ID.String(), nil, svc)
			if err != nil {
				return err
			}
			if err := tx.InsertAction(ctx, a); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("InTx = %v, want fn's error", err)
		}
		_, err = f.p.GetService(ctx, svc.ID)
		wantCode(t, err, billkit.CodeNotFound, "service.not_found")
		events, err := f.p.ListServiceEvents(ctx, provisioning.ServiceEventFilter{ServiceID: svc.ID})
		must(t, err)
		if len(events.Items) != 0 {
			t.Fatalf("a rolled back event remains: %+v", events.Items)
		}
		wantCode(t, f.p.InTx(ctx, nil), billkit.CodeInvalid, "")
	})

	t.Run("savepoint", func(t *testing.T) {
		f := fixture(t)
		outer, inner := f.newService(f.client.ID, nil), f.newService(f.client.ID, nil)
		must(t, f.p.InTx(ctx, func(tx provisioning.Store) error {
			if err := tx.InsertService(ctx, outer); err != nil {
				return err
			}
			err := tx.InTx(ctx, func(tx provisioning.Store) error {
				if err := tx.InsertService(ctx, inner); err != nil {
					return err
				}
				return boom
			})
			if !errors.Is(err, boom) {
				return fmt.Errorf("nested InTx = %v, want fn's error", err)
			}
			// The transaction goes on after the savepoint rolled back.
			outer.Name = "kept"
			return tx.UpdateService(ctx, outer)
		}))
		got, err := f.p.GetService(ctx, outer.ID)
		must(t, err)
		if got.Name != "kept" {
			t.Fatalf("outer service = %+v", got)
		}
		_, err = f.p.GetService(ctx, inner.ID)
		wantCode(t, err, billkit.CodeNotFound, "service.not_found")
	})

	t.Run("billing_same_tx", func(t *testing.T) {
		f := fixture(t)
		for _, commit := range []bool{false, true} {
			clientSeq++
			c := &billing.Client{ID: newBillingClientID(), Number: fmt.Sprintf("C-%06d", clientSeq), ProviderID: f.pid,
				Status: billing.ClientStatusActive, Name: "New", Email: "new@example.com", Currency: "RUB", Locale: "ru",
				CreditLimit: dec("0"), Settings: billing.Settings{}, CreatedAt: t0, UpdatedAt: t0}
			svc := f.newService(c.ID, nil)
			err := f.p.InTx(ctx, func(tx provisioning.Store) error {
				// The service refers to a client written by the billing
				// store of the same transaction.
				if err := tx.Billing().InsertClient(ctx, c); err != nil {
					return err
				}
				if err := tx.InsertService(ctx, svc); err != nil {
					return err
				}
				if !commit {
					return boom
				}
				return nil
			})
			if commit {
				must(t, err)
			} else if !errors.Is(err, boom) {
				t.Fatalf("InTx = %v", err)
			}
			_, cerr := f.b.GetClient(ctx, c.ID)
			_, serr := f.p.GetService(ctx, svc.ID)
			if commit && (cerr != nil || serr != nil) {
				t.Fatalf("after commit: %v, %v", cerr, serr)
			}
			if !commit && (!billkit.IsCode(cerr, billkit.CodeNotFound) || !billkit.IsCode(serr, billkit.CodeNotFound)) {
				t.Fatalf("after rollback the client or service remains: %v, %v", cerr, serr)
			}
		}
	})

	t.Run("caller_owned", func(t *testing.T) {
		f := fixture(t)
		if f.s.Bun == nil {
			t.Skip("Stores.Bun is not set")
		}
		db, ok := f.s.Bun.DB().(*bun.DB)
		if !ok {
			t.Skipf("the store runs on %T, not a *bun.DB", f.s.Bun.DB())
		}
		for _, commit := range []bool{false, true} {
			tx, err := db.BeginTx(ctx, nil)
			must(t, err)
			p := bunstore.New(tx).Provisioning()
			d := &provisioning.Datacenter{ID: billkit.NewID[provisioning.Datacenter](), ProviderID: f.pid, Code: fmt.Sprintf("own-%v", commit),
				CreatedAt: t0, UpdatedAt: t0}
			svc := f.newService(f.client.ID, nil)
			err = p.InsertDatacenter(ctx, d)
			if err == nil {
				err = p.InTx(ctx, func(tx provisioning.Store) error { return tx.InsertService(ctx, svc) })
			}
			if err != nil {
				_ = tx.Rollback()
				t.Fatal(err)
			}
			if commit {
				must(t, tx.Commit())
			} else {
				must(t, tx.Rollback())
			}
			_, derr := f.p.GetDatacenter(ctx, d.ID)
			_, serr := f.p.GetService(ctx, svc.ID)
			if commit && (derr != nil || serr != nil) {
				t.Fatalf("after the caller committed: %v, %v", derr, serr)
			}
			if !commit && (!billkit.IsCode(derr, billkit.CodeNotFound) || !billkit.IsCode(serr, billkit.CodeNotFound)) {
				t.Fatalf("after the caller rolled back, billkit's writes remain: %v, %v", derr, serr)
			}
		}
	})

	t.Run("merge_moves", func(t *testing.T) {
		f := fixture(t)
		from, to := f.client, f.billingFixture.client(t, "Target")
		o := f.order(t, from.ID, nil)
		svc := f.service(t, from.ID, func(s *provisioning.Service) { s.OrderID = o.ID })
		k := f.task(t, svc, nil)
		must(t, f.p.InsertRenewal(ctx, &provisioning.Renewal{ServiceID: svc.ID, PeriodStart: billkit.MustDate(2026, 1, 31),
			PeriodEnd: billkit.MustDate(2026, 2, 28), ClientID: from.ID, Amount: billkit.MustParseMoney("5.50", "USD"), Kind: "order", CreatedAt: t0}))
		must(t, f.p.InsertNotice(ctx, &provisioning.Notice{ServiceID: svc.ID, ExpiresOn: svc.ExpiresOn, DaysBefore: 3, ClientID: from.ID, CreatedAt: t0}))
		must(t, f.p.InTx(ctx, func(tx provisioning.Store) error { return tx.Billing().MoveClientReferences(ctx, from.ID, to.ID) }))

		gotSvc, err := f.p.GetService(ctx, svc.ID)
		must(t, err)
		gotOrder, err := f.p.GetOrder(ctx, o.ID)
		must(t, err)
		gotTask, err := f.p.GetTask(ctx, k.ID)
		must(t, err)
		if gotSvc.ClientID != to.ID || gotOrder.ClientID != to.ID || gotTask.ClientID != to.ID {
			t.Fatalf("after the merge: service %s, order %s, task %s; want %s", gotSvc.ClientID, gotOrder.ClientID, gotTask.ClientID, to.ID)
		}
		rs, err := f.p.ListRenewals(ctx, provisioning.RenewalFilter{ClientID: to.ID})
		must(t, err)
		ns, err := f.p.ListNotices(ctx, provisioning.NoticeFilter{ClientID: to.ID})
		must(t, err)
		if len(rs.Items) != 1 || len(ns.Items) != 1 {
			t.Fatalf("after the merge the target has %d renewals and %d notices, want 1 and 1", len(rs.Items), len(ns.Items))
		}
		n, err := f.p.CountClientServices(ctx, to.ID, f.tariff.ID)
		must(t, err)
		if n != 1 {
			t.Fatalf("target's services of the tariff = %d, want 1", n)
		}
	})
}
