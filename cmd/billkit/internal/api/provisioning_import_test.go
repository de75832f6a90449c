package api

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/catalog"
	"github.com/billkit/billkit/directory"
	"github.com/billkit/billkit/provisioning"
	"github.com/billkit/billkit/provisioning/moduletest"
)

// postCSV sends a CSV file as the body of POST /services/import.csv.
func postCSV(t *testing.T, h http.Handler, file string) response {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, v1+"/services/import.csv", strings.NewReader(file))
	req.Header.Set("Content-Type", "text/csv")
	req.RemoteAddr = loopback
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.String()}
}

// TestImportCSVThroughTheAPI imports a file naming tariffs by code, reports
// a bad one row by row and column by column, and refuses the callers who
// may not import.
func TestImportCSVThroughTheAPI(t *testing.T) {
	w := newProvWorld(t)
	p := &w.f.prov
	a := w.clientA.String()
	header := "client_id,tariff_code,period,name,expires_on,server_id,param.remote_id\r\n"

	r := postCSV(t, w.asStaff, header+a+",vm-1,month,web,2025-04-10,,r-1\r\n"+a+",vm-9,fortnight,db,2025-04-31,,r-2\r\n")
	mustStatus(t, r, 400)
	var e Error
	r.decode(t, &e)
	for _, field := range []string{"rows[3].period", "rows[3].expires_on"} {
		if !slices.ContainsFunc(e.Fields, func(f billkit.FieldError) bool { return f.Field == field }) {
			t.Errorf("no error on %s: %s", field, r.Body)
		}
	}
	// What only the import finds is named after the file too.
	mustFieldError(t, postCSV(t, w.asStaff, header+a+",vm-9,month,db,2025-04-30,,r-2\r\n"), 400, "tariff.not_found", "rows[2].tariff_code")

	r = postCSV(t, w.asStaff, "\ufeff"+header+a+",vm-1,month,web,2025-04-10,"+p.server.String()+",r-1\r\n"+a+",vm-2,month,db,2025-05-01,,r-2\r\n")
	mustStatus(t, r, 201)
	got := decodeAs[ImportAnswer](t, r)
	if len(got.Services) != 2 || got.Services[0].TariffID != p.vm1 || got.Services[0].ServerID != p.server ||
		got.Services[1].TariffID != p.vm2 || got.Services[1].Params["remote_id"] != "r-2" || got.Services[1].Status != provisioning.StatusActive {
		t.Fatalf("imported %s", r.Body)
	}

	mustFieldError(t, postCSV(t, w.asStaff, ""), 400, "", "")
	mustFieldError(t, postCSV(t, w.asStaff, header), 400, "required", "rows")
	mustStatus(t, postCSV(t, w.asA, header+a+",vm-1,month,web,2025-04-10,,r-3\r\n"), 403)
	reader := w.as(w.login(t, w.staff(t, "import-reader@example.com", false, billkit.R(provisioning.FunctionService, billkit.OpRead)).Email))
	mustStatus(t, postCSV(t, reader, header+a+",vm-1,month,web,2025-04-10,,r-3\r\n"), 403)
}

// TestServerListingThroughTheAPI lists a server whose module lists, imports
// the candidate the listing filled in, and lists again: the service is
// known.
func TestServerListingThroughTheAPI(t *testing.T) {
	w := newProvWorld(t)
	ctx := context.Background()
	listing, err := moduletest.NewListing(apiModule{name: "lister"})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.prov.Modules().Register(listing); err != nil {
		t.Fatal(err)
	}
	en := directory.Text{"en": "Hosting"}
	if _, err := w.cat.CreateProductType(ctx, system, w.f.provider, catalog.ProductTypeDoc{
		Code: "hosting", Kind: catalog.KindOther, Name: en, Module: "lister", ServiceNameTemplate: "{tariff} #{number}"}); err != nil {
		t.Fatal(err)
	}
	tariff, err := w.cat.CreateTariff(ctx, system, w.f.provider, catalog.TariffDoc{Code: "host-1", Name: en, ProductType: "hosting", Currency: "USD",
		Prices: []catalog.Price{{Period: catalog.PeriodMonth, Currency: "USD", Amount: dec("2.00")}}})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := w.prov.CreateServer(ctx, system, provisioning.ServerParams{ProviderID: w.f.provider, DatacenterID: w.f.prov.datacenter,
		Module: "lister", Name: "panel-1", URL: "https://panel-1.example.com", Credentials: map[string]string{"key": "panel-secret"}})
	if err != nil {
		t.Fatal(err)
	}
	client, err := w.bill.GetClient(ctx, system, w.clientA)
	if err != nil {
		t.Fatal(err)
	}
	listing.SetServices(
		provisioning.ListedService{RemoteID: "acct-1", Domain: "a.example", Plan: "host-1", ExpiresOn: billkit.MustDate(2025, 4, 1), ClientHint: client.Email},
		provisioning.ListedService{RemoteID: "acct-2", Plan: "gold"},
	)
	path := v1 + "/servers/" + srv.ID.String() + "/listing"
	r := send(t, w.asStaff, "GET", path, "", 200)
	if strings.Contains(r.Body, "panel-secret") {
		t.Fatalf("the listing shows the server's credentials: %s", r.Body)
	}
	list := decodeAs[List[provisioning.ImportCandidate]](t, r)
	if len(list.Items) != 2 {
		t.Fatalf("listing: %s", r.Body)
	}
	c0, c1 := list.Items[0], list.Items[1]
	if c0.Service.TariffID != tariff.ID || c0.Service.ClientID != w.clientA || c0.Service.ServerID != srv.ID || len(c0.Missing) != 0 || c0.Known {
		t.Fatalf("candidate 0: %+v", c0)
	}
	if !slices.Equal(c1.Missing, []string{"client_id", "tariff_id", "period", "expires_on"}) || len(c1.Notes) != 1 {
		t.Fatalf("candidate 1: %+v", c1)
	}
	if reqs := listing.Requests(); len(reqs) != 1 || reqs[0].Server.Credentials["key"] != "panel-secret" {
		t.Fatalf("the module was asked %+v", reqs)
	}

	send(t, w.asStaff, "POST", v1+"/services/import", `{"services":[`+jsonOf(t, c0.Service)+`]}`, 201)
	list = decodeAs[List[provisioning.ImportCandidate]](t, send(t, w.asStaff, "GET", path, "", 200))
	if !list.Items[0].Known || list.Items[0].KnownServiceID.IsZero() || list.Items[1].Known {
		t.Fatalf("after the import: %+v", list.Items)
	}

	// The fixture server's module does not list; a failing module is 503.
	mustFieldError(t, call(t, w.asStaff, loopback, "GET", v1+"/servers/"+w.f.prov.server.String()+"/listing", ""), 422, provisioning.ReasonListUnsupported, "")
	listing.Fail(billkit.Errorf(billkit.CodeUnavailable, "panel.down", "the panel answered 503"))
	mustFieldError(t, call(t, w.asStaff, loopback, "GET", path, ""), 503, "provisioning.module_unavailable", "")
	mustStatus(t, call(t, w.asA, loopback, "GET", path, ""), 403)
	mustStatus(t, call(t, w.asStaff, loopback, "GET", v1+"/servers/"+billkit.NewID[provisioning.Server]().String()+"/listing", ""), 404)
}

// jsonOf is v as JSON.
func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
