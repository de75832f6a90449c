package api

import (
	"context"
	"fmt"
	"testing"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/catalog"
	"github.com/billkit/billkit/directory"
	"github.com/billkit/billkit/provisioning"
)

// apiModule is the processing module of the tests. A synchronous one does
// every operation at once and answers what each asks (params, a login
// link, usage); a pending one answers as a webhook that accepted the work
// (202), so its tasks wait for a callback.
type apiModule struct {
	name    string
	pending bool
}

func (m apiModule) Name() string { return m.name }

func (m apiModule) Run(ctx context.Context, req provisioning.Request) (provisioning.Result, error) {
	if err := ctx.Err(); err != nil {
		return provisioning.Result{}, err
	}
	if m.pending {
		return provisioning.Result{Pending: true, Message: "accepted"}, nil
	}
	switch req.Operation {
	case provisioning.OpLoginLink:
		return provisioning.Result{LoginURL: "https://panel.example.com/login/" + req.TaskID.String()}, nil
	case provisioning.OpUsage:
		return provisioning.Result{Usage: map[string]string{"traffic": "12.5"}}, nil
	case provisioning.OpSync:
		return provisioning.Result{Params: map[string]string{"ip": "192.0.2.10"}}, nil
	}
	return provisioning.Result{Params: map[string]string{"remote_id": "r-" + req.Service.ID.String()}}, nil
}

// The webhook modules' secrets: "hook" is a registered module whose tasks
// wait for callbacks; "other" has a secret and no task, to sign callbacks
// with a secret that is not the task's module's.
var (
	hookSecret  = []byte("hook-secret-0123456789")
	otherSecret = []byte("other-secret-0123456789")
	// provKey encrypts servers' credentials.
	provKey = []byte("0123456789abcdef0123456789abcdef")
)

// useProvisioning gives the world a provisioning.Manager on its store and
// services, with the modules "test" (synchronous), "hook" (answers later,
// by callback) and "manual", and the webhook secrets of "hook" and
// "other".
func (w *world) useProvisioning(t *testing.T) {
	t.Helper()
	reg, err := provisioning.NewRegistry(apiModule{name: "test"}, apiModule{name: "hook", pending: true}, provisioning.ManualModule{})
	if err != nil {
		t.Fatal(err)
	}
	w.prov, err = provisioning.NewManager(w.st.Provisioning(), provisioning.Config{
		Clock: w.clock, Billing: w.bill, Catalog: w.cat, Modules: reg, SecretKey: provKey,
	})
	if err != nil {
		t.Fatal(err)
	}
	w.hooks = map[string][]byte{"hook": hookSecret, "other": otherSecret}
}

// provFixtures are provisioning's objects of the matrix: the client-owned
// ones belong to client A.
type provFixtures struct {
	vm         catalog.ProductTypeID // module "test"; clients may delete
	vm1, vm2   catalog.TariffID      // 5.00 and 9.00 a month, in one group
	hook1      catalog.TariffID      // module "hook", 3.00 a month
	datacenter provisioning.DatacenterID
	server     provisioning.ServerID  // module "test"
	service    provisioning.ServiceID // active, on server, paid a month ahead
	order      provisioning.OrderID   // new, to be paid by invoice
	task       provisioning.TaskID    // the queued open task of a cloned service
}

// provisioningCatalog adds to the provider the product types of the
// provisioning tests: vm (module "test", tariffs vm-1 and vm-2 in one
// group) and hosted (module "hook", tariff hook-1).
func (w *world) provisioningCatalog(t *testing.T, provider billkit.ProviderID, p *provFixtures) {
	t.Helper()
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("provisioning catalog: %v", err)
		}
	}
	en := func(s string) directory.Text { return directory.Text{"en": s} }
	monthly := func(amount string) []catalog.Price {
		return []catalog.Price{{Period: catalog.PeriodMonth, Currency: "USD", Amount: dec(amount)}}
	}
	vm, err := w.cat.CreateProductType(ctx, system, provider, catalog.ProductTypeDoc{
		Code: "vm", Kind: catalog.KindVPS, Name: en("VM"), Module: "test", ServiceNameTemplate: "{tariff} #{number}",
		Lifecycle: catalog.Lifecycle{GraceDays: 3, DeleteAfterDays: 14, ClientDelete: catalog.ClientDeleteYes},
	})
	must(err)
	p.vm = vm.ID
	_, err = w.cat.CreateTariffGroup(ctx, system, provider, catalog.TariffGroupDoc{Code: "vm", Name: en("VM"), ChangeWithinGroup: true})
	must(err)
	t1, err := w.cat.CreateTariff(ctx, system, provider, catalog.TariffDoc{
		Code: "vm-1", Name: en("VM 1"), ProductType: "vm", Group: "vm", Currency: "USD", Prices: monthly("5.00"),
	})
	must(err)
	t2, err := w.cat.CreateTariff(ctx, system, provider, catalog.TariffDoc{
		Code: "vm-2", Name: en("VM 2"), ProductType: "vm", Group: "vm", Currency: "USD", Prices: monthly("9.00"),
	})
	must(err)
	p.vm1, p.vm2 = t1.ID, t2.ID
	_, err = w.cat.CreateProductType(ctx, system, provider, catalog.ProductTypeDoc{
		Code: "hosted", Kind: catalog.KindOther, Name: en("Hosted"), Module: "hook", ServiceNameTemplate: "{tariff} #{number}",
	})
	must(err)
	h1, err := w.cat.CreateTariff(ctx, system, provider, catalog.TariffDoc{
		Code: "hook-1", Name: en("Hosted 1"), ProductType: "hosted", Currency: "USD", Prices: monthly("3.00"),
	})
	must(err)
	p.hook1 = h1.ID
}

// provisioningFixtures makes provisioning's fixtures for f: the catalog, a
// datacenter and a server, client A's active service, its new order and a
// queued task.
func (w *world) provisioningFixtures(t *testing.T, f *fixtures) {
	t.Helper()
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("provisioning fixtures: %v", err)
		}
	}
	p := &f.prov
	w.provisioningCatalog(t, f.provider, p)
	m := w.prov
	dc, err := m.CreateDatacenter(ctx, system, provisioning.DatacenterParams{ProviderID: f.provider, Code: "fra-1", Name: "Frankfurt", Country: "DE"})
	must(err)
	p.datacenter = dc.ID
	srv, err := m.CreateServer(ctx, system, provisioning.ServerParams{
		ProviderID: f.provider, DatacenterID: dc.ID, Module: "test", Name: "node-1", URL: "https://node-1.example.com",
		Credentials: map[string]string{"password": "node-secret"},
	})
	must(err)
	p.server = srv.ID
	today := billkit.DateOf(w.clock.Now())
	svcs, err := m.ImportServices(ctx, system, []provisioning.ImportServiceParams{{
		ClientID: f.clientA, TariffID: p.vm1, Period: catalog.PeriodMonth, Name: "vm-a", ServerID: srv.ID, ExpiresOn: today.AddMonths(1),
	}})
	must(err)
	p.service = svcs[0].ID
	o, err := m.CreateOrder(ctx, system, provisioning.CreateOrderParams{ClientID: f.clientA, PayBy: provisioning.PayByInvoice,
		Items: []provisioning.OrderItemParams{{TariffID: p.vm1, Period: catalog.PeriodMonth}}})
	must(err)
	p.order = o.ID
	clone, err := m.CloneService(ctx, system, p.service)
	must(err)
	opened, err := m.OpenService(ctx, system, clone.ID, "")
	must(err)
	p.task = opened.TaskID
}

// path returns the fixture that fills the path parameter param after the
// collection coll, "" when it has none.
func (p *provFixtures) path(coll, param string) string {
	switch param {
	case "{module}":
		// A module without a secret: every caller gets 404, since no
		// callback can be signed for it; the signed ones are tested on
		// their own.
		return "nosecret"
	case "{id}":
		return map[string]string{
			"orders": p.order.String(), "services": p.service.String(), "tasks": p.task.String(),
			"datacenters": p.datacenter.String(), "servers": p.server.String(),
		}[coll]
	}
	return ""
}

// provisioningBodies are valid bodies of provisioning's operations.
func (f *fixtures) provisioningBodies(n int) map[string]string {
	u := fmt.Sprintf("u%d", n)
	p := &f.prov
	return map[string]string{
		"create-order":              `{"client_id":"` + f.clientA.String() + `","pay_by":"invoice","items":[{"tariff_id":"` + p.vm1.String() + `","period":"month"}]}`,
		"suspend-service":           `{"reason":"client","memo":"checking"}`,
		"set-service-auto-renew":    `{"on":false}`,
		"set-service-special-price": `{"price":{"amount":"4.00","currency":"USD"}}`,
		"move-service":              `{"client_id":"` + f.clientB.String() + `"}`,
		"import-services": `{"services":[{"client_id":"` + f.clientA.String() + `","tariff_id":"` + p.vm1.String() +
			`","period":"month","name":"imported ` + u + `","expires_on":"2025-04-10"}]}`,
		"quote-service-change": `{"tariff_id":"` + p.vm2.String() + `"}`,
		"change-service":       `{"tariff_id":"` + p.vm2.String() + `"}`,
		"fail-task":            `{"message":"the panel is down"}`,
		"create-datacenter":    `{"provider_id":"` + f.provider.String() + `","code":"dc-` + u + `","name":"DC ` + u + `"}`,
		"update-datacenter":    `{"name":"Frankfurt am Main"}`,
		"create-server": `{"provider_id":"` + f.provider.String() + `","datacenter_id":"` + p.datacenter.String() +
			`","module":"test","name":"node ` + u + `","credentials":{"password":"pw"}}`,
		"update-server": `{"name":"node-1a"}`,
		"run-cycle":     `{"dry_run":false}`,
	}
}

// matrixQueries are the query strings the matrix calls operations with
// required query parameters with.
var matrixQueries = map[string]string{
	"get-service-usage": "?from=2025-03-01T00:00:00Z&to=2025-03-10T00:00:00Z",
}
