package provisioning_test

import (
	"context"
	"slices"
	"testing"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/catalog"
	"github.com/billkit/billkit/provisioning"
	"github.com/billkit/billkit/provisioning/moduletest"
	"github.com/billkit/billkit/store/storetest"
	"github.com/google/go-cmp/cmp"
)

// listWorld is the test world with a module "panel" that lists, a product
// type of that module with the tariff "panel-1" (5.00 a month), a server
// of it with a token, and a client whose email is owner@example.org.
type listWorld struct {
	*env
	listing *moduletest.Listing
	srv     *provisioning.Server
	tariff  *catalog.Tariff
	owner   *billing.Client
}

func newListWorld(t *testing.T, st ...envOption) *listWorld {
	t.Helper()
	listing, err := moduletest.NewListing(newTestModule("panel"))
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, append(st, withModules(listing))...)
	w := &listWorld{env: e, listing: listing}
	doc := vpsDoc()
	doc.Code, doc.Module = "hosting", "panel"
	if _, err := e.cat.CreateProductType(ctx, system, e.prov.ID, doc); err != nil {
		t.Fatal(err)
	}
	w.tariff, err = e.cat.CreateTariff(ctx, system, e.prov.ID, catalog.TariffDoc{
		Code: "panel-1", Name: text("Panel 1"), ProductType: "hosting", Currency: "USD", Prices: []catalog.Price{monthly("5.00")},
	})
	if err != nil {
		t.Fatal(err)
	}
	dc, err := e.mgr.CreateDatacenter(ctx, system, provisioning.DatacenterParams{ProviderID: e.prov.ID, Code: "dc-panel", Name: "DC", Country: "DE"})
	if err != nil {
		t.Fatal(err)
	}
	w.srv, err = e.mgr.CreateServer(ctx, system, provisioning.ServerParams{
		ProviderID: e.prov.ID, DatacenterID: dc.ID, Module: "panel", Name: "panel-1", URL: "https://panel.example.com",
		Params: map[string]string{"version": "7"}, Credentials: map[string]string{"token": "s3cr3t"},
	})
	if err != nil {
		t.Fatal(err)
	}
	w.owner, err = e.bill.CreateClient(ctx, system, billing.CreateClientParams{ProviderID: e.prov.ID, Name: "Owner", Email: "Owner@Example.org"})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// TestListServerServices lists a server on SQLite.
func TestListServerServices(t *testing.T) { testListServerServices(t, newListWorld(t)) }

// TestListServerServicesPostgres lists a server on PostgreSQL.
func TestListServerServicesPostgres(t *testing.T) {
	testListServerServices(t, newListWorld(t, onStore(storetest.NewPostgres(t))))
}

// testListServerServices follows the listing flow: the module lists three
// accounts; the candidates are filled in as far as billkit knows (the
// tariff by plan, the client by email); staff import the complete one; a
// second listing knows it.
func testListServerServices(t *testing.T, w *listWorld) {
	expires := billkit.MustDate(2026, 5, 1)
	// A second client with the email of the world's client makes that
	// email ambiguous.
	w.newClient(t, "Acme's twin")
	w.listing.SetServices(
		provisioning.ListedService{RemoteID: "u1", Name: "web1", Domain: "web1.example", Plan: "panel-1", ExpiresOn: expires,
			ClientHint: "owner@example.org", Params: map[string]string{"ip": "192.0.2.1", "remote_id": "ignored"}},
		provisioning.ListedService{RemoteID: "u2", Domain: "shop.example", Plan: "vps-1", ClientHint: "billing@example.com"},
		provisioning.ListedService{RemoteID: "u3", Plan: "nope", Status: provisioning.StatusSuspended, ClientHint: "login42"},
	)
	got := must[[]provisioning.ImportCandidate](t)(w.mgr.ListServerServices(ctx, admin(), w.srv.ID))
	if len(got) != 3 {
		t.Fatalf("%d candidates", len(got))
	}
	want0 := provisioning.ImportServiceParams{
		ClientID: w.owner.ID, TariffID: w.tariff.ID, Period: catalog.PeriodMonth, Name: "web1", Status: provisioning.StatusActive,
		ExpiresOn: expires, Domain: "web1.example", ServerID: w.srv.ID, DatacenterID: w.srv.DatacenterID,
		Params: map[string]string{"ip": "192.0.2.1", "remote_id": "u1"},
	}
	if diff := cmp.Diff(jsonOf(t, want0), jsonOf(t, got[0].Service)); diff != "" {
		t.Fatalf("candidate 0 (-want +got):\n%s", diff)
	}
	if got[0].Known || len(got[0].Missing) != 0 || len(got[0].Notes) != 0 || got[0].Listed.RemoteID != "u1" {
		t.Fatalf("candidate 0: %+v", got[0])
	}
	// vps-1 is a tariff of the module "test", not the server's; the email
	// is two clients'.
	if c := got[1]; c.Service.Name != "shop.example" || !slices.Equal(c.Missing, []string{"client_id", "tariff_id", "period", "expires_on"}) ||
		len(c.Notes) != 2 || !c.Service.ClientID.IsZero() || !c.Service.TariffID.IsZero() {
		t.Fatalf("candidate 1: %+v", c)
	}
	if c := got[2]; c.Service.Name != "u3" || c.Service.Status != provisioning.StatusSuspended ||
		!slices.Equal(c.Missing, []string{"client_id", "tariff_id", "period", "expires_on", "suspend_reason"}) || len(c.Notes) != 2 {
		t.Fatalf("candidate 2: %+v", c)
	}
	reqs := w.listing.Requests()
	if len(reqs) != 1 || reqs[0].Operation != provisioning.OpList || reqs[0].Server.ID != w.srv.ID ||
		reqs[0].Server.Credentials["token"] != "s3cr3t" || reqs[0].Server.Params["version"] != "7" {
		t.Fatalf("the module was asked %+v", reqs)
	}

	// Staff import the complete candidate as it is.
	imported := must[[]provisioning.Service](t)(w.mgr.ImportServices(ctx, admin(), []provisioning.ImportServiceParams{got[0].Service}))
	again := must[[]provisioning.ImportCandidate](t)(w.mgr.ListServerServices(ctx, admin(), w.srv.ID))
	if !again[0].Known || again[0].KnownServiceID != imported[0].ID || again[1].Known || again[2].Known {
		t.Fatalf("after the import: %+v", again)
	}
}

// TestListServerServicesRefused covers what a listing refuses: a module
// that cannot list, one that refuses, fails, panics or answers what an
// import cannot take, and callers who may not import.
func TestListServerServicesRefused(t *testing.T) {
	w := newListWorld(t)
	_, err := w.mgr.ListServerServices(ctx, admin(), w.server(t, "plain", 0).ID)
	wantCode(t, err, billkit.CodeFailedPrecondition, provisioning.ReasonListUnsupported)

	w.listing.Fail(provisioning.Refuse("the API key may not list accounts"))
	_, err = w.mgr.ListServerServices(ctx, admin(), w.srv.ID)
	wantCode(t, err, billkit.CodeFailedPrecondition, "provisioning.module_refused")
	w.listing.Fail(billkit.Errorf(billkit.CodeUnavailable, "panel.down", "the panel answered 503"))
	_, err = w.mgr.ListServerServices(ctx, admin(), w.srv.ID)
	wantCode(t, err, billkit.CodeUnavailable, "provisioning.module_unavailable")
	if !billkit.HasReason(err, "panel.down") {
		t.Fatalf("the module's error is not the cause: %v", err)
	}

	for name, list := range map[string][]provisioning.ListedService{
		"no remote ID":    {{Name: "x"}},
		"twice":           {{RemoteID: "u1"}, {RemoteID: " u1 "}},
		"deleted":         {{RemoteID: "u1", Status: provisioning.StatusDeleted}},
		"bad params":      {{RemoteID: "u1", Params: map[string]string{"a key": "x"}}},
		"impossible date": {{RemoteID: "u1", ExpiresOn: billkit.Date{Year: 2026, Month: 2, Day: 30}}},
	} {
		w.listing.SetServices(list...)
		_, err = w.mgr.ListServerServices(ctx, admin(), w.srv.ID)
		if billkit.ErrorCode(err) != billkit.CodeUnavailable || billkit.ErrorReason(err) != "provisioning.module_answer_invalid" {
			t.Errorf("%s: err = %v", name, err)
		}
	}

	_, err = w.mgr.ListServerServices(ctx, customer(w.client.ID), w.srv.ID)
	wantCode(t, err, billkit.CodeForbidden, "access.denied")
	_, err = w.mgr.ListServerServices(ctx, staff(billkit.R(provisioning.FunctionService, billkit.OpRead)), w.srv.ID)
	wantCode(t, err, billkit.CodeForbidden, "access.denied")
	_, err = w.mgr.ListServerServices(ctx, admin(), provisioning.ServerID{})
	wantField(t, err, "server_id", "required")
	_, err = w.mgr.ListServerServices(ctx, admin(), billkit.NewID[provisioning.Server]())
	wantCode(t, err, billkit.CodeNotFound, "server.not_found")
}

// panicky is a module whose listing panics.
type panicky struct{ *testModule }

func (panicky) List(context.Context, provisioning.ListRequest) ([]provisioning.ListedService, error) {
	panic("the panel's SDK dereferenced nil")
}

func TestListServerServicesPanic(t *testing.T) {
	e := newEnv(t, withModules(panicky{newTestModule("sdk")}))
	dc, err := e.mgr.CreateDatacenter(ctx, system, provisioning.DatacenterParams{ProviderID: e.prov.ID, Code: "dc", Name: "DC", Country: "DE"})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := e.mgr.CreateServer(ctx, system, provisioning.ServerParams{
		ProviderID: e.prov.ID, DatacenterID: dc.ID, Module: "sdk", Name: "sdk-1", URL: "https://sdk.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.mgr.ListServerServices(ctx, admin(), srv.ID)
	wantCode(t, err, billkit.CodeUnavailable, "provisioning.module_unavailable")
	if !billkit.HasReason(err, "provisioning.module_panic") {
		t.Fatalf("err = %v, want the panic as its cause", err)
	}
}
