package api

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/access"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/catalog"
	"github.com/billkit/billkit/directory"
	"github.com/billkit/billkit/provisioning"
	"github.com/billkit/billkit/store/bunstore"
	"github.com/billkit/billkit/store/storetest"
	"github.com/shopspring/decimal"
)

const (
	loopback = "127.0.0.1:40000"
	remote   = "203.0.113.7:40000"
)

// newTestAPI returns the API on a fresh in-memory store with the reference
// data seeded and a clock standing on 2025-03-10, signed in as a staff user
// with full rights: every request it serves carries that user's session
// cookie unless it brings credentials of its own.
func newTestAPI(t *testing.T) http.Handler {
	t.Helper()
	w := newWorld(t)
	return w.as(w.login(t, w.admin.Email))
}

// world is the whole API on real services over one in-memory store.
type world struct {
	h     http.Handler // the API, with no credentials added
	st    *bunstore.Store
	clock *billkit.FakeClock
	dir   *directory.Service
	acc   *access.Service
	bill  *billing.Service
	cat   *catalog.Service
	prov  *provisioning.Manager
	// hooks are the webhook modules' secrets callbacks are verified with.
	hooks map[string][]byte
	admin *access.User // a staff user with full rights
	// resets are the password reset tokens the API sent, by email.
	resets map[string]string
}

// testPassword is the password of every user the tests make.
const testPassword = "correct horse battery"

// fastArgon2 keeps password hashing cheap in tests; the parameters of a
// real installation are access.DefaultArgon2.
var fastArgon2 = access.Argon2Params{Memory: 64, Time: 1, Threads: 1}

func newWorld(t *testing.T) *world {
	t.Helper()
	ctx := context.Background()
	w := &world{
		st:     storetest.NewMemory(t),
		clock:  billkit.NewFakeClock(time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC)),
		resets: map[string]string{},
	}
	w.dir = directory.NewService(w.st.Directory(), directory.Config{Clock: w.clock})
	if err := w.dir.Bootstrap(ctx, billkit.SystemActor("test")); err != nil {
		t.Fatalf("Bootstrap: %v", err)
	}
	// The world is the money core's from the start (rights on its
	// functions, the catalog, a gateway), so tests that need it do not
	// build the services twice.
	w.acc = access.NewService(w.st.Access(), access.Config{Clock: w.clock, Identity: access.IdentityConfig{Argon2: fastArgon2}, Rights: moneyRights()})
	w.cat = catalog.NewService(w.st.Catalog(), w.dir, catalog.Config{Clock: w.clock})
	w.bill = billing.NewService(w.st.Billing(), w.dir, billing.Config{Clock: w.clock, Catalog: w.cat, Gateways: []billing.Gateway{ignoreGateway{}}})
	w.useProvisioning(t)
	h, err := New(Config{
		Directory: w.dir, Access: w.acc, Billing: w.bill, Catalog: w.cat, Clock: w.clock, Idempotency: w.st,
		Provisioning: w.prov, WebhookSecrets: w.hooks,
		PasswordResetSender: func(_ context.Context, email, token string) error {
			w.resets[email] = token
			return nil
		},
	})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	w.h = h
	w.admin = w.staff(t, "admin@example.com", true)
	return w
}

var system = billkit.SystemActor("test")

// staff creates a staff user, with full rights or with the rights given.
func (w *world) staff(t *testing.T, email string, full bool, rights ...billkit.Right) *access.User {
	t.Helper()
	ctx := context.Background()
	u, err := w.acc.CreateUser(ctx, system, access.CreateUserParams{Kind: access.UserKindStaff, Email: email, Name: email, Password: testPassword})
	if err != nil {
		t.Fatalf("creating %s: %v", email, err)
	}
	if full {
		if err := w.acc.SetFullRights(ctx, system, u.ID, true); err != nil {
			t.Fatalf("full rights for %s: %v", email, err)
		}
	}
	for _, r := range rights {
		if _, err := w.acc.Grant(ctx, system, access.GrantParams{UserID: u.ID, Right: r}); err != nil {
			t.Fatalf("granting %s to %s: %v", r, email, err)
		}
	}
	return u
}

// customer creates a customer user who is a member of client in role.
func (w *world) customer(t *testing.T, email string, client billkit.ClientID, role access.Role) *access.User {
	t.Helper()
	ctx := context.Background()
	u, err := w.acc.CreateUser(ctx, system, access.CreateUserParams{Kind: access.UserKindCustomer, Email: email, Name: email, Password: testPassword})
	if err != nil {
		t.Fatalf("creating %s: %v", email, err)
	}
	if _, err := w.acc.AddMember(ctx, system, client, u.ID, role, nil); err != nil {
		t.Fatalf("making %s a member: %v", email, err)
	}
	return u
}

// login signs email in through the API and returns the session token.
func (w *world) login(t *testing.T, email string) string {
	t.Helper()
	r := call(t, w.h, loopback, "POST", "/api/v1/auth/login", `{"email":"`+email+`","password":"`+testPassword+`"}`)
	mustStatus(t, r, 200)
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Name == SessionCookie && c.Value != "" {
			return c.Value
		}
	}
	t.Fatalf("login of %s set no session cookie: %v", email, r.Header)
	return ""
}

// as returns the API with requests signed in with the session token.
func (w *world) as(token string) http.Handler {
	return withCredential(w.h, "Cookie", SessionCookie+"="+token)
}

// withKey returns the API with requests made with an API key.
func (w *world) withKey(secret string) http.Handler {
	return withCredential(w.h, "Authorization", "Bearer "+secret)
}

// withCredential adds a credential header to requests that bring none.
func withCredential(h http.Handler, header, value string) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Cookie") == "" && r.Header.Get("Authorization") == "" {
			r.Header.Set(header, value)
		}
		h.ServeHTTP(rw, r)
	})
}

type response struct {
	Status int
	Header http.Header
	Body   string
}

// decode unmarshals the body into v, failing the test when it is not JSON.
func (r response) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(r.Body), v); err != nil {
		t.Fatalf("body is not JSON: %v\n%s", err, r.Body)
	}
}

func (r response) object(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	r.decode(t, &m)
	return m
}

// call sends one request from the given peer address.
func call(t *testing.T, h http.Handler, from, method, path, body string) response {
	t.Helper()
	var req *http.Request
	if body == "" {
		req = httptest.NewRequest(method, path, nil)
	} else {
		req = httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
	}
	req.RemoteAddr = from
	req.Header.Set("User-Agent", "billkit-test")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.String()}
}

func get(t *testing.T, h http.Handler, path string) response {
	t.Helper()
	return call(t, h, loopback, http.MethodGet, path, "")
}

// mustStatus fails the test unless the response has the status.
func mustStatus(t *testing.T, r response, status int) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status = %d, want %d; body: %s", r.Status, status, r.Body)
	}
}

// listCodes returns the value of key of every item of a list response.
func listCodes(t *testing.T, r response, key string) []string {
	t.Helper()
	var l struct {
		Items      []map[string]any `json:"items"`
		NextCursor *string          `json:"next_cursor"`
	}
	r.decode(t, &l)
	if l.Items == nil {
		t.Fatalf("list without items array: %s", r.Body)
	}
	if l.NextCursor == nil {
		t.Fatalf("list without next_cursor: %s", r.Body)
	}
	var out []string
	for _, it := range l.Items {
		s, _ := it[key].(string)
		out = append(out, s)
	}
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func TestCountries(t *testing.T) {
	h := newTestAPI(t)

	r := get(t, h, "/api/v1/countries?limit=2")
	mustStatus(t, r, 200)
	var page struct {
		Items      []directory.Country `json:"items"`
		NextCursor string              `json:"next_cursor"`
	}
	r.decode(t, &page)
	if len(page.Items) != 2 || page.NextCursor == "" {
		t.Fatalf("first page: %d items, cursor %q", len(page.Items), page.NextCursor)
	}
	r = get(t, h, "/api/v1/countries?limit=2&cursor="+page.NextCursor)
	mustStatus(t, r, 200)
	next := listCodes(t, r, "code")
	if len(next) != 2 || next[0] <= page.Items[1].Code {
		t.Fatalf("second page %v does not follow %v", next, page.Items)
	}

	r = get(t, h, "/api/v1/countries?eu=true&limit=1000")
	mustStatus(t, r, 200)
	eu := listCodes(t, r, "code")
	if !contains(eu, "DE") || contains(eu, "US") {
		t.Fatalf("eu=true gave %v", eu)
	}
	r = get(t, h, "/api/v1/countries?query=germ")
	mustStatus(t, r, 200)
	if got := listCodes(t, r, "code"); !contains(got, "DE") {
		t.Fatalf("query=germ gave %v", got)
	}

	r = get(t, h, "/api/v1/countries/US")
	mustStatus(t, r, 200)
	if c := r.object(t); c["code"] != "US" || c["alpha3"] != "USA" {
		t.Fatalf("GET US: %s", r.Body)
	}

	r = call(t, h, loopback, "PATCH", "/api/v1/countries/DE", `{"enabled":false,"name":{"en":"Deutschland"}}`)
	mustStatus(t, r, 200)
	if c := r.object(t); c["enabled"] != false {
		t.Fatalf("PATCH DE: %s", r.Body)
	}
	r = get(t, h, "/api/v1/countries?enabled=false&limit=1000")
	mustStatus(t, r, 200)
	if got := listCodes(t, r, "code"); !contains(got, "DE") {
		t.Fatalf("enabled=false lacks DE: %v", got)
	}

	r = get(t, h, "/api/v1/subdivisions?country=US&limit=1000")
	mustStatus(t, r, 200)
	if got := listCodes(t, r, "code"); !contains(got, "US-CA") {
		t.Fatalf("US subdivisions lack US-CA: %v", got)
	}
	r = get(t, h, "/api/v1/subdivisions/US-CA")
	mustStatus(t, r, 200)
	if c := r.object(t); c["country"] != "US" {
		t.Fatalf("GET US-CA: %s", r.Body)
	}
}

func TestCurrencies(t *testing.T) {
	h := newTestAPI(t)

	r := get(t, h, "/api/v1/currencies?enabled=true")
	mustStatus(t, r, 200)
	if got := listCodes(t, r, "code"); !contains(got, "USD") || !contains(got, "EUR") {
		t.Fatalf("enabled currencies: %v", got)
	}
	r = get(t, h, "/api/v1/currencies/USD")
	mustStatus(t, r, 200)
	if c := r.object(t); c["digits"] != float64(2) || c["margin"] != "0" {
		t.Fatalf("GET USD: %s", r.Body)
	}

	r = call(t, h, loopback, "POST", "/api/v1/currencies", `{"code":"BONUS","name":{"en":"Bonus points"},"digits":0,"enabled":true}`)
	mustStatus(t, r, 201)
	if c := r.object(t); c["code"] != "BONUS" || c["custom"] != true {
		t.Fatalf("POST BONUS: %s", r.Body)
	}
	r = get(t, h, "/api/v1/currencies?custom=true")
	mustStatus(t, r, 200)
	if got := listCodes(t, r, "code"); len(got) != 1 || got[0] != "BONUS" {
		t.Fatalf("custom currencies: %v", got)
	}

	r = call(t, h, loopback, "PATCH", "/api/v1/currencies/RUB", `{"margin":"2.5","symbol":"₽"}`)
	mustStatus(t, r, 200)
	if c := r.object(t); c["margin"] != "2.5" {
		t.Fatalf("PATCH RUB: %s", r.Body)
	}

	r = call(t, h, loopback, "POST", "/api/v1/currencies/JPY/enable", "")
	mustStatus(t, r, 200)
	if c := r.object(t); c["enabled"] != true {
		t.Fatalf("enable JPY: %s", r.Body)
	}
	r = call(t, h, loopback, "POST", "/api/v1/currencies/JPY/disable", "")
	mustStatus(t, r, 200)
	if c := r.object(t); c["enabled"] != false {
		t.Fatalf("disable JPY: %s", r.Body)
	}
}

func TestExchangeRates(t *testing.T) {
	h := newTestAPI(t)

	r := call(t, h, loopback, "POST", "/api/v1/exchange-rates", `{"base":"USD","quote":"RUB","rate":"90.5","date":"2025-03-01"}`)
	mustStatus(t, r, 200)
	rate := r.object(t)
	id, _ := rate["id"].(string)
	if id == "" || rate["rate"] != "90.5" || rate["date"] != "2025-03-01" || rate["source"] != "manual" {
		t.Fatalf("POST rate: %s", r.Body)
	}

	r = get(t, h, "/api/v1/exchange-rates/"+id)
	mustStatus(t, r, 200)
	if got := r.object(t); got["id"] != id {
		t.Fatalf("GET rate: %s", r.Body)
	}

	r = get(t, h, "/api/v1/exchange-rates?base=USD&quote=RUB&from=2025-01-01&to=2025-12-31")
	mustStatus(t, r, 200)
	if got := listCodes(t, r, "id"); len(got) != 1 || got[0] != id {
		t.Fatalf("list rates: %v", got)
	}
	r = get(t, h, "/api/v1/exchange-rates?from=2025-03-02")
	mustStatus(t, r, 200)
	if got := listCodes(t, r, "id"); len(got) != 0 {
		t.Fatalf("from after the rate: %v", got)
	}

	r = get(t, h, "/api/v1/exchange-rates/convert?amount=10&currency=USD&to=RUB&date=2025-03-05")
	mustStatus(t, r, 200)
	var c struct {
		From       Money    `json:"from"`
		To         Money    `json:"to"`
		Rate       string   `json:"rate"`
		MarketRate string   `json:"market_rate"`
		RateDate   string   `json:"rate_date"`
		RateIDs    []string `json:"rate_ids"`
	}
	r.decode(t, &c)
	// The target amount carries RUB's two digits, as a document would show it.
	if c.To.String() != "905.00 RUB" || c.MarketRate != "90.5" || c.RateDate != "2025-03-01" ||
		len(c.RateIDs) != 1 || c.RateIDs[0] != id || c.From.String() != "10 USD" {
		t.Fatalf("convert: %s", r.Body)
	}

	r = call(t, h, loopback, "POST", "/api/v1/exchange-rates/refresh", "")
	mustStatus(t, r, 422)
	if e := r.object(t); e["code"] != "failed_precondition" || e["reason"] != "api.rate_source_not_configured" {
		t.Fatalf("refresh without a source: %s", r.Body)
	}
}

// fakeRates is a rate source that publishes fixed rates.
type fakeRates struct{}

func (fakeRates) Name() string { return "fake" }
func (fakeRates) FetchRates(context.Context) (directory.RateSet, error) {
	return directory.RateSet{Base: "EUR", Date: billkit.MustDate(2025, 3, 7),
		Rates: map[string]decimal.Decimal{"USD": decimal.RequireFromString("1.08"), "RUB": decimal.RequireFromString("97.1")}}, nil
}

func TestRefreshRates(t *testing.T) {
	w := newWorld(t)
	h, err := New(Config{Directory: w.dir, Access: w.acc, RateSource: fakeRates{}})
	if err != nil {
		t.Fatal(err)
	}
	w.h = h
	h = w.as(w.login(t, w.admin.Email))
	r := call(t, h, loopback, "POST", "/api/v1/exchange-rates/refresh", "")
	mustStatus(t, r, 200)
	if got := r.object(t); got["stored"] != float64(2) {
		t.Fatalf("refresh: %s", r.Body)
	}
	r = get(t, h, "/api/v1/exchange-rates?base=EUR")
	mustStatus(t, r, 200)
	if got := listCodes(t, r, "source"); len(got) != 2 || got[0] != "fake" {
		t.Fatalf("refreshed rates: %s", r.Body)
	}
}

func TestUnits(t *testing.T) {
	h := newTestAPI(t)

	r := get(t, h, "/api/v1/units?dimension=data")
	mustStatus(t, r, 200)
	if got := listCodes(t, r, "code"); !contains(got, "MB") || !contains(got, "GB") {
		t.Fatalf("data units: %v", got)
	}
	r = get(t, h, "/api/v1/units/GB")
	mustStatus(t, r, 200)
	if u := r.object(t); u["factor"] != "1024" {
		t.Fatalf("GET GB: %s", r.Body)
	}
	r = call(t, h, loopback, "POST", "/api/v1/units", `{"code":"rack","name":{"en":"rack"},"dimension":"count","factor":"42"}`)
	mustStatus(t, r, 201)
	r = call(t, h, loopback, "PATCH", "/api/v1/units/rack", `{"factor":"48"}`)
	mustStatus(t, r, 200)
	if u := r.object(t); u["factor"] != "48" || u["custom"] != true {
		t.Fatalf("PATCH rack: %s", r.Body)
	}
	r = get(t, h, "/api/v1/units/convert?value=2&from=GB&to=MB")
	mustStatus(t, r, 200)
	if u := r.object(t); u["value"] != "2048" || u["unit"] != "MB" {
		t.Fatalf("convert units: %s", r.Body)
	}
}

func TestTLDs(t *testing.T) {
	h := newTestAPI(t)

	r := call(t, h, loopback, "POST", "/api/v1/tlds", `{"name":"рф","enabled":true}`)
	mustStatus(t, r, 201)
	if tld := r.object(t); tld["ascii"] != "xn--p1ai" || tld["min_years"] != float64(1) {
		t.Fatalf("POST рф: %s", r.Body)
	}
	r = get(t, h, "/api/v1/tlds/xn--p1ai")
	mustStatus(t, r, 200)
	if tld := r.object(t); tld["name"] != "рф" {
		t.Fatalf("GET by punycode: %s", r.Body)
	}
	r = get(t, h, "/api/v1/tlds/%D1%80%D1%84")
	mustStatus(t, r, 200)
	r = call(t, h, loopback, "PATCH", "/api/v1/tlds/рф", `{"max_years":5}`)
	mustStatus(t, r, 200)
	if tld := r.object(t); tld["max_years"] != float64(5) {
		t.Fatalf("PATCH: %s", r.Body)
	}
	r = call(t, h, loopback, "POST", "/api/v1/tlds/xn--p1ai/disable", "")
	mustStatus(t, r, 200)
	r = get(t, h, "/api/v1/tlds?enabled=false")
	mustStatus(t, r, 200)
	if got := listCodes(t, r, "name"); len(got) != 1 || got[0] != "рф" {
		t.Fatalf("disabled TLDs: %v", got)
	}
	r = call(t, h, loopback, "POST", "/api/v1/tlds/xn--p1ai/enable", "")
	mustStatus(t, r, 200)
	r = get(t, h, "/api/v1/tlds?query=xn")
	mustStatus(t, r, 200)
	if got := listCodes(t, r, "name"); len(got) != 1 {
		t.Fatalf("query=xn: %v", got)
	}
}

func TestLocales(t *testing.T) {
	h := newTestAPI(t)

	r := get(t, h, "/api/v1/locales?enabled=true")
	mustStatus(t, r, 200)
	if got := listCodes(t, r, "code"); !contains(got, "en") || !contains(got, "ru") {
		t.Fatalf("enabled locales: %v", got)
	}
	r = get(t, h, "/api/v1/locales/en")
	mustStatus(t, r, 200)
	if l := r.object(t); l["default"] != true {
		t.Fatalf("GET en: %s", r.Body)
	}
	r = call(t, h, loopback, "POST", "/api/v1/locales", `{"code":"nl","enabled":false}`)
	mustStatus(t, r, 201)
	if l := r.object(t); l["english_name"] != "Dutch" {
		t.Fatalf("POST nl: %s", r.Body)
	}
	r = call(t, h, loopback, "POST", "/api/v1/locales/nl/enable", "")
	mustStatus(t, r, 200)
	r = call(t, h, loopback, "PATCH", "/api/v1/locales/nl", `{"default":true}`)
	mustStatus(t, r, 200)
	r = get(t, h, "/api/v1/locales/en")
	if l := r.object(t); l["default"] != false {
		t.Fatalf("en still default: %s", r.Body)
	}
	r = call(t, h, loopback, "POST", "/api/v1/locales/ru/disable", "")
	mustStatus(t, r, 200)
	if l := r.object(t); l["enabled"] != false {
		t.Fatalf("disable ru: %s", r.Body)
	}
}

func newTextLogger(w io.Writer) *slog.Logger { return slog.New(slog.NewTextHandler(w, nil)) }
