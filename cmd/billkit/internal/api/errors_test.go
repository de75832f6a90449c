package api

import (
	"errors"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/billkit/billkit"
)

// errorBody is the one error shape, decoded strictly.
type errorBody struct {
	Code    string               `json:"code"`
	Reason  string               `json:"reason"`
	Message string               `json:"message"`
	Fields  []billkit.FieldError `json:"fields"`
}

// mustError checks a response is an error of the status and code in the one
// shape, naming field when field is not "".
func mustError(t *testing.T, r response, status int, code, field string) errorBody {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status = %d, want %d; body: %s", r.Status, status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type = %q", ct)
	}
	var raw map[string]any
	r.decode(t, &raw)
	for _, k := range []string{"code", "reason", "message", "fields"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("error lacks %q: %s", k, r.Body)
		}
	}
	if len(raw) != 4 {
		t.Errorf("error has extra keys: %s", r.Body)
	}
	var e errorBody
	r.decode(t, &e)
	if e.Code != code || e.Reason == "" || e.Message == "" || e.Fields == nil {
		t.Fatalf("error = %+v, want code %s; body: %s", e, code, r.Body)
	}
	if field != "" {
		found := false
		for _, f := range e.Fields {
			found = found || (f.Field == field && f.Reason != "" && f.Message != "")
		}
		if !found {
			t.Fatalf("error does not name field %q: %s", field, r.Body)
		}
	}
	return e
}

func TestBadInputs(t *testing.T) {
	h := newTestAPI(t)
	ratesBefore := get(t, h, "/api/v1/exchange-rates").Body
	customBefore := get(t, h, "/api/v1/currencies?custom=true").Body
	unitsBefore := get(t, h, "/api/v1/units?limit=1000").Body
	tldsBefore := get(t, h, "/api/v1/tlds").Body

	tests := []struct {
		name, method, path, body string
		status                   int
		code, field              string
	}{
		{"unknown currency", "GET", "/api/v1/currencies/QQQ", "", 404, "not_found", ""},
		{"unknown country", "GET", "/api/v1/countries/QQ", "", 404, "not_found", ""},
		{"unknown subdivision", "GET", "/api/v1/subdivisions/QQ-ZZ", "", 404, "not_found", ""},
		{"unknown unit", "GET", "/api/v1/units/parsec", "", 404, "not_found", ""},
		{"unknown tld", "GET", "/api/v1/tlds/nosuch", "", 404, "not_found", ""},
		{"unknown locale", "GET", "/api/v1/locales/sw", "", 404, "not_found", ""},
		{"patch unknown country", "PATCH", "/api/v1/countries/QQ", `{"enabled":true}`, 404, "not_found", ""},
		{"malformed rate id", "GET", "/api/v1/exchange-rates/nope", "", 400, "invalid", "id"},
		{"unknown rate id", "GET", "/api/v1/exchange-rates/01890a5d-ac96-774b-bcce-b302099a8057", "", 404, "not_found", ""},
		{"amount with comma", "GET", "/api/v1/exchange-rates/convert?amount=1,2.3&currency=USD&to=EUR", "", 400, "invalid", "amount"},
		{"amount NaN", "GET", "/api/v1/exchange-rates/convert?amount=NaN&currency=USD&to=EUR", "", 400, "invalid", "amount"},
		{"amount exponent", "GET", "/api/v1/exchange-rates/convert?amount=1e999&currency=USD&to=EUR", "", 400, "invalid", "amount"},
		{"amount missing", "GET", "/api/v1/exchange-rates/convert?currency=USD&to=EUR", "", 400, "invalid", "amount"},
		{"convert unknown currency", "GET", "/api/v1/exchange-rates/convert?amount=1&currency=QQQ&to=EUR", "", 400, "invalid", "currency"},
		{"convert unknown target", "GET", "/api/v1/exchange-rates/convert?amount=1&currency=USD&to=QQQ", "", 400, "invalid", "to"},
		{"convert bad date", "GET", "/api/v1/exchange-rates/convert?amount=1&currency=USD&to=EUR&date=2025-02-30", "", 400, "invalid", "date"},
		{"list bad date", "GET", "/api/v1/exchange-rates?from=yesterday", "", 400, "invalid", "from"},
		{"limit not a number", "GET", "/api/v1/countries?limit=abc", "", 400, "invalid", "limit"},
		{"limit too large", "GET", "/api/v1/countries?limit=5000", "", 400, "invalid", "limit"},
		{"bool filter", "GET", "/api/v1/currencies?enabled=maybe", "", 400, "invalid", "enabled"},
		{"unknown dimension", "GET", "/api/v1/units?dimension=mass", "", 400, "invalid", "dimension"},
		{"units malformed value", "GET", "/api/v1/units/convert?value=NaN&from=GB&to=MB", "", 400, "invalid", "value"},
		{"units across dimensions", "GET", "/api/v1/units/convert?value=1&from=GB&to=hour", "", 400, "invalid", "to"},
		{"negative digits", "POST", "/api/v1/currencies", `{"code":"PTS","name":{"en":"Points"},"digits":-1,"enabled":true}`, 400, "invalid", "digits"},
		{"iso code as custom", "POST", "/api/v1/currencies", `{"code":"USD","name":{"en":"Dollar"},"digits":2,"enabled":true}`, 400, "invalid", "code"},
		{"margin as number", "POST", "/api/v1/currencies", `{"code":"PTS","name":{"en":"Points"},"digits":2,"enabled":true,"margin":3}`, 400, "invalid", "margin"},
		{"margin malformed", "PATCH", "/api/v1/currencies/USD", `{"margin":"1e999"}`, 400, "invalid", "margin"},
		{"missing code", "POST", "/api/v1/currencies", `{"name":{"en":"Points"},"digits":2,"enabled":true}`, 400, "invalid", "code"},
		{"unknown field", "POST", "/api/v1/currencies", `{"code":"PTS","name":{"en":"Points"},"digits":2,"enabled":true,"colour":"red"}`, 400, "invalid", ""},
		{"malformed json", "POST", "/api/v1/currencies", `{"code":`, 400, "invalid", "body"},
		{"zero rate", "POST", "/api/v1/exchange-rates", `{"base":"USD","quote":"EUR","rate":"0","date":"2025-03-01"}`, 400, "invalid", "rate"},
		{"negative rate", "POST", "/api/v1/exchange-rates", `{"base":"USD","quote":"EUR","rate":"-1.5","date":"2025-03-01"}`, 400, "invalid", "rate"},
		{"rate NaN", "POST", "/api/v1/exchange-rates", `{"base":"USD","quote":"EUR","rate":"NaN","date":"2025-03-01"}`, 400, "invalid", "rate"},
		{"rate with comma", "POST", "/api/v1/exchange-rates", `{"base":"USD","quote":"EUR","rate":"1,2.3","date":"2025-03-01"}`, 400, "invalid", "rate"},
		{"rate bad date", "POST", "/api/v1/exchange-rates", `{"base":"USD","quote":"EUR","rate":"1.1","date":"2025-02-30"}`, 400, "invalid", "date"},
		{"rate unknown currency", "POST", "/api/v1/exchange-rates", `{"base":"QQQ","quote":"EUR","rate":"1.1","date":"2025-03-01"}`, 400, "invalid", "base"},
		{"unit zero factor", "POST", "/api/v1/units", `{"code":"rack","name":{"en":"rack"},"dimension":"count","factor":"0"}`, 400, "invalid", "factor"},
		{"unit bad dimension", "POST", "/api/v1/units", `{"code":"rack","name":{"en":"rack"},"dimension":"mass","factor":"1"}`, 400, "invalid", "dimension"},
		{"tld bad years", "POST", "/api/v1/tlds", `{"name":"shop","min_years":5,"max_years":2,"enabled":true}`, 400, "invalid", ""},
		{"tld bad name", "POST", "/api/v1/tlds", `{"name":"no spaces","enabled":true}`, 400, "invalid", "name"},
		{"unknown route", "GET", "/api/v1/nothing-here", "", 404, "not_found", ""},
		{"unknown method", "DELETE", "/api/v1/currencies/USD", "", 404, "not_found", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := call(t, h, loopback, tt.method, tt.path, tt.body)
			mustError(t, r, tt.status, tt.code, tt.field)
		})
	}

	// Nothing was written by the refused calls.
	for path, before := range map[string]string{
		"/api/v1/exchange-rates":         ratesBefore,
		"/api/v1/currencies?custom=true": customBefore,
		"/api/v1/units?limit=1000":       unitsBefore,
		"/api/v1/tlds":                   tldsBefore,
	} {
		if after := get(t, h, path).Body; after != before {
			t.Errorf("%s changed:\nbefore %s\nafter  %s", path, before, after)
		}
	}
	mustError(t, get(t, h, "/api/v1/currencies/PTS"), 404, "not_found", "")
}

func TestDuplicateIsConflict(t *testing.T) {
	h := newTestAPI(t)
	body := `{"code":"PTS","name":{"en":"Points"},"digits":0,"enabled":true}`
	mustStatus(t, call(t, h, loopback, "POST", "/api/v1/currencies", body), 201)
	mustError(t, call(t, h, loopback, "POST", "/api/v1/currencies", body), 409, "conflict", "")
	mustStatus(t, call(t, h, loopback, "POST", "/api/v1/tlds", `{"name":"shop","enabled":true}`), 201)
	mustError(t, call(t, h, loopback, "POST", "/api/v1/tlds", `{"name":"shop","enabled":true}`), 409, "conflict", "")
	if got := listCodes(t, get(t, h, "/api/v1/tlds"), "name"); len(got) != 1 {
		t.Fatalf("TLDs after duplicate: %v", got)
	}
}

func TestWritesNeedCredentials(t *testing.T) {
	w := newWorld(t)
	h := w.h
	for _, tt := range []struct{ method, path, body string }{
		{"POST", "/api/v1/currencies", `{"code":"PTS","name":{"en":"Points"},"digits":0,"enabled":true}`},
		{"PATCH", "/api/v1/countries/US", `{"enabled":false}`},
		{"POST", "/api/v1/currencies/JPY/enable", ""},
	} {
		// Neither a loopback peer nor a header makes an anonymous caller
		// trusted.
		for _, from := range []string{loopback, remote} {
			req := httptest.NewRequest(tt.method, tt.path, strings.NewReader(tt.body))
			req.RemoteAddr = from
			req.Header.Set("X-Forwarded-For", "127.0.0.1")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			e := mustError(t, response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.String()}, 401, "unauthenticated", "")
			if e.Reason != "auth.required" {
				t.Errorf("%s %s: reason %q", tt.method, tt.path, e.Reason)
			}
		}
	}
	mustError(t, get(t, h, "/api/v1/currencies/PTS"), 404, "not_found", "")
	if c := get(t, h, "/api/v1/countries/US").object(t); c["enabled"] != true {
		t.Fatalf("US changed by an anonymous write")
	}
	r := call(t, h, remote, "GET", "/api/v1/currencies/USD", "")
	mustStatus(t, r, 200)
}

func TestStatusTable(t *testing.T) {
	want := map[billkit.Code]int{
		billkit.CodeInvalid: 400, billkit.CodeUnauthenticated: 401, billkit.CodeForbidden: 403,
		billkit.CodeNotFound: 404, billkit.CodeConflict: 409, billkit.CodeFailedPrecondition: 422,
		billkit.CodeUnavailable: 503, billkit.CodeInternal: 500,
	}
	for _, c := range billkit.Codes() {
		if got := Status(c); got != want[c] {
			t.Errorf("Status(%s) = %d, want %d", c, got, want[c])
		}
	}
	if got := Status("bogus"); got != 500 {
		t.Errorf("Status(bogus) = %d", got)
	}
}

func TestInternalErrorsDoNotLeak(t *testing.T) {
	e := FromError(errors.New("pq: password authentication failed for user secret"))
	if e.Code != billkit.CodeInternal || strings.Contains(e.Message, "secret") || e.GetStatus() != 500 {
		t.Fatalf("FromError = %+v", e)
	}
	e = FromError(billkit.WrapError(errors.New("disk secret"), billkit.CodeInternal, "store.broken", "store broken at /var/secret"))
	if strings.Contains(e.Message, "secret") || e.Reason != "internal" {
		t.Fatalf("internal billkit error leaks: %+v", e)
	}
}

func TestPanicIsInternal(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/boom", func(http.ResponseWriter, *http.Request) { panic("secret detail") })
	var logged strings.Builder
	s := &server{mux: mux, log: newTextLogger(&logged)}
	req := httptest.NewRequest("GET", "/api/v1/boom", nil)
	req, info := WithInfo(req)
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	r := response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.String()}
	e := mustError(t, r, 500, "internal", "")
	if strings.Contains(r.Body, "secret") {
		t.Fatalf("panic detail leaked: %s", r.Body)
	}
	if info.Err == nil || !strings.Contains(logged.String(), "secret detail") {
		t.Fatalf("panic not recorded: info %v, log %q", info.Err, logged.String())
	}
	_ = e
}

var update = flag.Bool("update", false, "rewrite testdata/*.golden files")

func TestOpenAPI(t *testing.T) {
	h := newTestAPI(t)
	r := get(t, h, "/api/v1/openapi.json")
	mustStatus(t, r, 200)
	var doc struct {
		OpenAPI string                               `json:"openapi"`
		Paths   map[string]map[string]map[string]any `json:"paths"`
	}
	r.decode(t, &doc)
	if doc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi = %q", doc.OpenAPI)
	}
	var ops []string
	for path, methods := range doc.Paths {
		for method, op := range methods {
			id, _ := op["operationId"].(string)
			ops = append(ops, strings.ToUpper(method)+" "+path+" "+id)
		}
	}
	sort.Strings(ops)
	got := strings.Join(ops, "\n") + "\n"

	// Every listed operation answers with something other than "no route".
	for _, line := range ops {
		f := strings.Fields(line)
		path := strings.NewReplacer("{code}", "US", "{name}", "com", "{id}", "x").Replace(f[1])
		res := call(t, h, loopback, f[0], "/api/v1"+path, "")
		if res.Status == 404 && strings.Contains(res.Body, "api.route_not_found") {
			t.Errorf("%s is documented but not routed", line)
		}
	}

	golden := filepath.Join("testdata", "operations.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("operations differ from %s (run go test -update if intended):\ngot:\n%s\nwant:\n%s", golden, got, want)
	}

	r = get(t, h, "/api/v1/openapi.yaml")
	mustStatus(t, r, 200)
	if !strings.Contains(r.Body, "openapi: 3.1.0") {
		t.Fatalf("yaml document: %.200s", r.Body)
	}
}
