package api

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/catalog"
)

// catalogWorld is the API with one provider and the starter catalog
// imported through PUT /catalog/import.
type catalogWorld struct {
	*world
	admin    http.Handler
	provider billkit.ProviderID
}

func newCatalogWorld(t *testing.T) *catalogWorld {
	t.Helper()
	w := newWorld(t)
	p, err := w.bill.CreateProvider(context.Background(), system, billing.CreateProviderParams{Name: "Hosting", Currency: "USD"})
	if err != nil {
		t.Fatal(err)
	}
	cw := &catalogWorld{world: w, admin: w.as(w.login(t, w.admin.Email)), provider: p.ID}
	r := cw.importYAML(t, starterYAML(t), "")
	mustStatus(t, r, 200)
	return cw
}

func starterYAML(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../../../examples/catalog/catalog.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// importYAML sends a YAML document to PUT /catalog/import as the admin.
func (cw *catalogWorld) importYAML(t *testing.T, doc, query string) response {
	t.Helper()
	req := httptest.NewRequest(http.MethodPut, "/api/v1/catalog/import?provider_id="+cw.provider.String()+query, strings.NewReader(doc))
	req.Header.Set("Content-Type", "application/yaml")
	req.RemoteAddr = loopback
	rec := httptest.NewRecorder()
	cw.admin.ServeHTTP(rec, req)
	return response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.String()}
}

func importResult(t *testing.T, r response) ImportResult {
	t.Helper()
	mustStatus(t, r, 200)
	var res ImportResult
	r.decode(t, &res)
	return res
}

func TestCatalogImportExport(t *testing.T) {
	cw := newCatalogWorld(t)

	// The same file again changes nothing.
	if res := importResult(t, cw.importYAML(t, starterYAML(t), "")); res.Created != 0 || res.Updated != 0 || res.Unchanged == 0 {
		t.Fatalf("second import: %+v", res)
	}

	// Export → import → export is the same document, and the import of the
	// export changes nothing.
	exp := get(t, cw.admin, "/api/v1/catalog/export?provider_id="+cw.provider.String())
	mustStatus(t, exp, 200)
	if ct := exp.Header.Get("Content-Type"); ct != "application/yaml" {
		t.Fatalf("Content-Type %q", ct)
	}
	if !strings.Contains(exp.Body, "code: vps-start") {
		t.Fatalf("export: %.300s", exp.Body)
	}
	if res := importResult(t, cw.importYAML(t, exp.Body, "")); res.Created+res.Updated != 0 {
		t.Fatalf("importing the export changed %+v", res)
	}
	if again := get(t, cw.admin, "/api/v1/catalog/export?provider_id="+cw.provider.String()); again.Body != exp.Body {
		t.Fatal("export → import → export differs")
	}
	// The only provider is the default.
	if j := get(t, cw.admin, "/api/v1/catalog/export?format=json"); j.Status != 200 || !strings.HasPrefix(j.Body, "{") {
		t.Fatalf("JSON export: %d %.200s", j.Status, j.Body)
	}

	// A dry run says what would change and stores nothing.
	changed := strings.Replace(starterYAML(t), "amount: 2.99", "amount: 3.19", 1)
	dry := importResult(t, cw.importYAML(t, changed, "&dry_run=true"))
	if !dry.DryRun || dry.Updated != 1 || dry.Created != 0 {
		t.Fatalf("dry run: %+v", dry)
	}
	tr, err := cw.cat.GetTariffByCode(context.Background(), system, cw.provider, "hosting-lite")
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := tr.Price(catalog.PeriodMonth, "USD"); p.Amount.String() != "2.99" {
		t.Fatalf("the dry run stored %s", p.Amount)
	}
	if res := importResult(t, cw.importYAML(t, changed, "")); res.Updated != 1 {
		t.Fatalf("import of the change: %+v", res)
	}
}

func TestCatalogImportBadRow(t *testing.T) {
	cw := newCatalogWorld(t)
	before := get(t, cw.admin, "/api/v1/catalog/export")
	// The fourth tariff gets a negative price, the tenth a new name: nothing
	// is written.
	doc := starterYAML(t)
	doc = strings.Replace(doc, "{period: month, currency: USD, amount: 6.00}", "{period: month, currency: USD, amount: -6.00}", 1)
	doc = strings.Replace(doc, "Hosting Lite", "Hosting Light", 1)
	r := cw.importYAML(t, doc, "")
	mustStatus(t, r, 400)
	var e struct {
		Fields []struct{ Field, Reason, Message string } `json:"fields"`
	}
	r.decode(t, &e)
	if len(e.Fields) != 1 || e.Fields[0].Field != "tariffs[3].prices.month.USD.amount" || !strings.Contains(e.Fields[0].Message, "vps-start") {
		t.Fatalf("fields %+v", e.Fields)
	}
	if after := get(t, cw.admin, "/api/v1/catalog/export"); after.Body != before.Body {
		t.Fatal("a refused import changed the catalog")
	}
	// An unknown field is named with its path.
	r = cw.importYAML(t, "tariffs:\n  - code: x\n    colour: red\n", "")
	mustStatus(t, r, 400)
	if !strings.Contains(r.Body, `"tariffs[0].colour"`) {
		t.Fatalf("unknown field: %s", r.Body)
	}
}

func TestStorefront(t *testing.T) {
	cw := newCatalogWorld(t)
	ctx := context.Background()
	hidden, err := cw.cat.GetTariffByCode(ctx, system, cw.provider, "hosting-pro")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cw.cat.SetTariffStatus(ctx, system, hidden.ID, catalog.TariffHidden); err != nil {
		t.Fatal(err)
	}

	// Anonymous visitors see the active tariffs, in Russian when asked,
	// and none of the internal fields.
	r := get(t, cw.h, "/api/v1/storefront/"+cw.provider.String()+"/tariffs?locale=ru")
	mustStatus(t, r, 200)
	var sf catalog.Storefront
	r.decode(t, &sf)
	codes := map[string]bool{}
	for _, tr := range sf.Tariffs {
		codes[tr.Code] = true
	}
	if !codes["vps-start"] || !codes["domain-ru"] || codes["hosting-pro"] || len(sf.Tariffs) != 10 {
		t.Fatalf("storefront tariffs %v", codes)
	}
	for _, internal := range []string{`"id"`, `"client_group_ids"`, `"stock"`, `"created_at"`, `"module"`, `"provider_id":"` + cw.provider.String() + `","locale":"ru","groups":[{"id"`} {
		if strings.Contains(r.Body, internal) {
			t.Errorf("the storefront shows %s", internal)
		}
	}
	if !strings.Contains(r.Body, "Хостинг Лайт") {
		t.Errorf("no Russian names: %.300s", r.Body)
	}

	one := get(t, cw.h, "/api/v1/storefront/"+cw.provider.String()+"/tariffs/vps-pro")
	mustStatus(t, one, 200)
	if !strings.Contains(one.Body, `"code":"windows-2022"`) {
		t.Fatalf("vps-pro: %.400s", one.Body)
	}
	mustStatus(t, get(t, cw.h, "/api/v1/storefront/"+cw.provider.String()+"/tariffs/hosting-pro"), 404)
	mustStatus(t, get(t, cw.h, "/api/v1/storefront/"+cw.provider.String()+"/tariffs/nope"), 404)
}

func TestQuote(t *testing.T) {
	cw := newCatalogWorld(t)
	p := cw.provider.String()
	body := `{"provider_id":"` + p + `","tariff":"vps-start","period":"month","currency":"RUB","date":"2025-03-10",
		"addons":{"ram":{"quantity":"4"},"ipv4":{"quantity":"2"},"panel":{"option":"ispmanager"}}}`
	r := call(t, cw.h, remote, http.MethodPost, "/api/v1/quotes", body)
	mustStatus(t, r, 200)
	var q catalog.Quote
	r.decode(t, &q)
	// 540 + RAM (4 − 1 included) × 180 + IPv4 (2 − 1) × 220 + ISPmanager 450 = 1750.
	if !q.Total.Equal(billkit.MustParseMoney("1750", "RUB")) {
		t.Fatalf("total %s; lines %+v", q.Total, q.Lines)
	}
	amounts := make([]billkit.Money, len(q.Lines))
	for i, l := range q.Lines {
		amounts[i] = l.Amount
	}
	if sum, err := billkit.Sum(amounts[0], amounts[1:]...); err != nil || !sum.Equal(q.Total) {
		t.Fatalf("lines sum to %s, total %s (%v)", sum, q.Total, err)
	}

	// Bad input names the field.
	bad := strings.Replace(body, `"quantity":"4"`, `"quantity":"9"`, 1)
	r = call(t, cw.h, remote, http.MethodPost, "/api/v1/quotes", bad)
	mustStatus(t, r, 400)
	if !strings.Contains(r.Body, "addons[ram].quantity") {
		t.Fatalf("out of range: %s", r.Body)
	}

	// A hidden tariff is not found by visitors, and is quoted for staff.
	ctx := context.Background()
	tr, _ := cw.cat.GetTariffByCode(ctx, system, cw.provider, "vps-pro")
	if _, err := cw.cat.SetTariffStatus(ctx, system, tr.ID, catalog.TariffHidden); err != nil {
		t.Fatal(err)
	}
	hidden := `{"provider_id":"` + p + `","tariff":"vps-pro","period":"year","date":"2025-03-10"}`
	mustStatus(t, call(t, cw.h, remote, http.MethodPost, "/api/v1/quotes", hidden), 404)
	mustStatus(t, call(t, cw.admin, remote, http.MethodPost, "/api/v1/quotes", hidden), 200)
}

func TestCatalogCRUD(t *testing.T) {
	cw := newCatalogWorld(t)
	p := cw.provider.String()
	r := call(t, cw.admin, loopback, http.MethodPost, "/api/v1/tariffs",
		`{"provider_id":"`+p+`","code":"ssl-ov","name":{"en":"SSL OV"},"product_type":"ssl","currency":"USD","prices":[{"period":"month","currency":"USD","amount":"-1"}]}`)
	mustStatus(t, r, 400)
	if !strings.Contains(r.Body, "prices") || !strings.Contains(r.Body, "amount") {
		t.Fatalf("negative price: %s", r.Body)
	}
	r = call(t, cw.admin, loopback, http.MethodPost, "/api/v1/tariffs",
		`{"provider_id":"`+p+`","code":"ssl-ov","name":{"en":"SSL OV"},"product_type":"ssl","currency":"USD","prices":[{"period":"year","currency":"USD","amount":"49.00"}]}`)
	mustStatus(t, r, 201)
	id, _ := r.object(t)["id"].(string)
	mustStatus(t, get(t, cw.admin, "/api/v1/tariffs/"+id), 200)
	l := get(t, cw.admin, "/api/v1/tariffs?provider_id="+p+"&status=active&limit=100")
	mustStatus(t, l, 200)
	if n := len(listCodes(t, l, "code")); n != 12 {
		t.Fatalf("%d active tariffs", n)
	}
	r = call(t, cw.admin, loopback, http.MethodPost, "/api/v1/tariffs/"+id+"/status", `{"status":"archived"}`)
	mustStatus(t, r, 200)
	mustStatus(t, call(t, cw.admin, loopback, http.MethodDelete, "/api/v1/tariffs/"+id, ""), 200)
	mustStatus(t, get(t, cw.admin, "/api/v1/tariffs/"+id), 404)
}

// TestCatalogImportBodyLimit: a document over the limit is refused before
// it is parsed.
func TestCatalogImportBodyLimit(t *testing.T) {
	cw := newCatalogWorld(t)
	huge := "tariffs:\n" + strings.Repeat("# padding padding padding padding\n", maxCatalogDocument/34+1)
	r := cw.importYAML(t, huge, "")
	mustError(t, r, 400, "invalid", "")
	if !strings.Contains(r.Body, "request.too_large") {
		t.Fatalf("body %.300s, want request.too_large", r.Body)
	}
}
