package api

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/access"
	"github.com/billkit/billkit/billing"
	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
)

func TestLoginCookieMe(t *testing.T) {
	w := newWorld(t)
	r := call(t, w.h, remote, "POST", "/api/v1/auth/login", `{"email":"ADMIN@example.com","password":"`+testPassword+`"}`)
	mustStatus(t, r, 200)
	cookies := (&http.Response{Header: r.Header}).Cookies()
	if len(cookies) != 1 {
		t.Fatalf("cookies: %v", r.Header["Set-Cookie"])
	}
	c := cookies[0]
	if c.Name != SessionCookie || c.Value == "" || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure || c.Path != "/" {
		t.Fatalf("session cookie: %+v", c)
	}
	if strings.Contains(r.Body, testPassword) || strings.Contains(r.Body, "password_hash") {
		t.Fatalf("login answer shows a secret: %s", r.Body)
	}

	h := w.as(c.Value)
	r = call(t, h, remote, "GET", "/api/v1/me", "")
	mustStatus(t, r, 200)
	var me struct {
		Actor billkit.Actor `json:"actor"`
		User  access.User   `json:"user"`
	}
	r.decode(t, &me)
	if me.Actor.Kind != billkit.ActorStaff || me.Actor.ID != w.admin.ID.String() || me.Actor.IP != "203.0.113.7" ||
		me.Actor.UserAgent != "billkit-test" || me.User.Email != "admin@example.com" {
		t.Fatalf("/me: %s", r.Body)
	}

	// The session lists itself; logging out ends it and clears the cookie.
	r = call(t, h, remote, "GET", "/api/v1/sessions", "")
	mustStatus(t, r, 200)
	if ids := listCodes(t, r, "id"); len(ids) != 1 {
		t.Fatalf("sessions: %s", r.Body)
	}
	r = call(t, h, remote, "POST", "/api/v1/auth/logout", "")
	mustStatus(t, r, 200)
	if cl := (&http.Response{Header: r.Header}).Cookies(); len(cl) != 1 || cl[0].MaxAge >= 0 || cl[0].Value != "" {
		t.Fatalf("logout cookie: %v", r.Header["Set-Cookie"])
	}
	e := mustError(t, call(t, h, remote, "GET", "/api/v1/me", ""), 401, "unauthenticated", "")
	if e.Reason != "access.session_invalid" {
		t.Fatalf("after logout: %+v", e)
	}
	// An ended session is refused even on a public operation.
	mustError(t, call(t, h, remote, "GET", "/api/v1/currencies/USD", ""), 401, "unauthenticated", "")
	// Anonymous, the same operation is public.
	mustStatus(t, call(t, w.h, remote, "GET", "/api/v1/currencies/USD", ""), 200)

	// The action log and the access log have the story, without secrets.
	admin := w.as(w.login(t, w.admin.Email))
	r = call(t, admin, remote, "GET", "/api/v1/access-events?event=logout", "")
	mustStatus(t, r, 200)
	if got := listCodes(t, r, "event"); len(got) != 1 {
		t.Fatalf("logout events: %s", r.Body)
	}
	r = call(t, admin, remote, "GET", "/api/v1/actions?limit=1000", "")
	mustStatus(t, r, 200)
	if strings.Contains(r.Body, testPassword) || strings.Contains(r.Body, c.Value) {
		t.Fatalf("action log shows a secret: %s", r.Body)
	}
}

func TestLoginFailuresAndLockout(t *testing.T) {
	w := newWorld(t)
	wrong := `{"email":"admin@example.com","password":"wrong password!"}`
	for i := 0; i < access.DefaultMaxFailedLogins; i++ {
		e := mustError(t, call(t, w.h, remote, "POST", "/api/v1/auth/login", wrong), 401, "unauthenticated", "")
		if e.Reason != "access.invalid_credentials" {
			t.Fatalf("failure %d: %+v", i, e)
		}
	}
	// Locked: even the right password is refused, with the reason.
	right := `{"email":"admin@example.com","password":"` + testPassword + `"}`
	e := mustError(t, call(t, w.h, remote, "POST", "/api/v1/auth/login", right), 401, "unauthenticated", "")
	if e.Reason != "access.locked" {
		t.Fatalf("locked login: %+v", e)
	}
	w.clock.Advance(access.DefaultLockoutBase + time.Second)
	mustStatus(t, call(t, w.h, remote, "POST", "/api/v1/auth/login", right), 200)

	// An unknown email answers exactly as a wrong password.
	e = mustError(t, call(t, w.h, remote, "POST", "/api/v1/auth/login", `{"email":"nobody@example.com","password":"whatever it is"}`), 401, "unauthenticated", "")
	if e.Reason != "access.invalid_credentials" {
		t.Fatalf("unknown email: %+v", e)
	}
}

func TestAPIKeyScopes(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	p, err := w.bill.CreateProvider(ctx, system, billing.CreateProviderParams{Name: "Hosting", Currency: "USD"})
	if err != nil {
		t.Fatal(err)
	}
	admin := w.as(w.login(t, w.admin.Email))
	r := call(t, admin, remote, "POST", "/api/v1/api-keys", `{"name":"reader","scopes":["billing.provider:read"]}`)
	mustStatus(t, r, 201)
	var created struct {
		Key    access.APIKey `json:"key"`
		Secret string        `json:"secret"`
	}
	r.decode(t, &created)
	if !strings.HasPrefix(created.Secret, "bk_") || created.Key.ID.IsZero() {
		t.Fatalf("created key: %s", r.Body)
	}
	// The secret is shown once: lists do not have it.
	r = call(t, admin, remote, "GET", "/api/v1/api-keys", "")
	mustStatus(t, r, 200)
	if strings.Contains(r.Body, created.Secret) || strings.Contains(r.Body, "secret") {
		t.Fatalf("key list shows the secret: %s", r.Body)
	}

	key := w.withKey(created.Secret)
	mustStatus(t, call(t, key, remote, "GET", "/api/v1/providers/"+p.ID.String(), ""), 200)
	e := mustError(t, call(t, key, remote, "PATCH", "/api/v1/providers/"+p.ID.String(), `{"name":"Renamed"}`), 403, "forbidden", "")
	if e.Reason != "access.denied" {
		t.Fatalf("out of scope: %+v", e)
	}
	mustError(t, call(t, key, remote, "GET", "/api/v1/companies", ""), 403, "forbidden", "")
	r = call(t, key, remote, "GET", "/api/v1/me", "")
	mustStatus(t, r, 200)
	if me := r.object(t); me["actor"].(map[string]any)["kind"] != "api_key" {
		t.Fatalf("/me with a key: %s", r.Body)
	}

	// A wrong key, a malformed header and a revoked key are refused, even
	// on public operations.
	for _, hdr := range []string{"Bearer bk_nothing1_x", "Basic YWRtaW46YWRtaW4=", "Bearer "} {
		req := httptest.NewRequest("GET", "/api/v1/currencies/USD", nil)
		req.Header.Set("Authorization", hdr)
		rec := httptest.NewRecorder()
		w.h.ServeHTTP(rec, req)
		mustError(t, response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.String()}, 401, "unauthenticated", "")
	}
	mustStatus(t, call(t, admin, remote, "DELETE", "/api/v1/api-keys/"+created.Key.ID.String(), ""), 200)
	e = mustError(t, call(t, key, remote, "GET", "/api/v1/providers/"+p.ID.String(), ""), 401, "unauthenticated", "")
	if e.Reason != "access.apikey_invalid" {
		t.Fatalf("revoked key: %+v", e)
	}
}

func TestCustomerIsolation(t *testing.T) {
	w := newWorld(t)
	f := w.fixtures(t)
	a := w.as(w.login(t, w.userFor(t, "cust-a", f.clientA, nil).Email))
	b := w.as(w.login(t, w.userFor(t, "cust-b", f.clientB, nil).Email))

	// Each customer lists only its own client.
	for _, c := range []struct {
		h    http.Handler
		want string
	}{{a, f.clientA.String()}, {b, f.clientB.String()}} {
		h, want := c.h, c.want
		r := call(t, h, remote, "GET", "/api/v1/clients", "")
		mustStatus(t, r, 200)
		if got := listCodes(t, r, "id"); len(got) != 1 || got[0] != want {
			t.Fatalf("clients seen: %v, want %s", got, want)
		}
	}
	// B asking for A's objects gets exactly what a missing object gives.
	missingClient := call(t, b, remote, "GET", "/api/v1/clients/"+billkit.NewID[struct{}]().String(), "")
	mustError(t, missingClient, 404, "not_found", "")
	for _, path := range []string{
		"/api/v1/clients/" + f.clientA.String(),
		"/api/v1/payers/" + f.payerA.String(),
		"/api/v1/contracts/" + f.contractA.String(),
		"/api/v1/clients/" + f.clientA.String() + "/members",
	} {
		mustError(t, call(t, b, remote, "GET", path, ""), 404, "not_found", "")
		mustStatus(t, call(t, a, remote, "GET", path, ""), 200)
	}
	r := call(t, b, remote, "GET", "/api/v1/payers", "")
	mustStatus(t, r, 200)
	if got := listCodes(t, r, "id"); len(got) != 0 {
		t.Fatalf("B sees payers %v", got)
	}
	// A write on A's client by B changes nothing.
	mustError(t, call(t, b, remote, "PATCH", "/api/v1/clients/"+f.clientA.String(), `{"name":"Mine now"}`), 404, "not_found", "")
	r = call(t, a, remote, "GET", "/api/v1/clients/"+f.clientA.String(), "")
	if c := r.object(t); c["name"] != "Client A" {
		t.Fatalf("client A changed: %s", r.Body)
	}
}

func TestCrossOriginRefused(t *testing.T) {
	w := newWorld(t)
	token := w.login(t, w.admin.Email)
	send := func(site string, bearer bool) response {
		req := httptest.NewRequest("POST", "/api/v1/currencies/JPY/enable", nil)
		req.Header.Set("Sec-Fetch-Site", site)
		req.Header.Set("Cookie", SessionCookie+"="+token)
		if bearer {
			req.Header.Set("Authorization", "Bearer bk_nothing1_x")
		}
		rec := httptest.NewRecorder()
		w.h.ServeHTTP(rec, req)
		return response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.String()}
	}
	e := mustError(t, send("cross-site", false), 403, "forbidden", "")
	if e.Reason != "auth.cross_origin" {
		t.Fatalf("cross-site: %+v", e)
	}
	mustStatus(t, send("same-origin", false), 200)
	// With an Authorization header no cookie is used, so no check is needed:
	// the (bad) key is what is judged.
	mustError(t, send("cross-site", true), 401, "unauthenticated", "")
}

// An operation registered without a rule is refused to everybody, and the
// registration helper refuses to register one.
func TestOperationWithoutRuleIsRefused(t *testing.T) {
	mux := http.NewServeMux()
	hapi := humago.New(mux, huma.DefaultConfig("t", "1"))
	hapi.UseMiddleware(authMiddleware(hapi, nil))
	huma.Register(hapi, huma.Operation{OperationID: "bare", Method: "GET", Path: "/bare"},
		func(context.Context, *emptyInput) (*body[Done], error) { return out(Done{OK: true}, nil) })
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest("GET", "/bare", nil))
	if rec.Code != 403 || !strings.Contains(rec.Body.String(), "api.no_access_rule") {
		t.Fatalf("bare operation: %d %s", rec.Code, rec.Body.String())
	}
	defer func() {
		if recover() == nil {
			t.Fatal("route accepted an operation without a rule")
		}
	}()
	route(hapi, huma.Operation{OperationID: "bare2", Method: "GET", Path: "/bare2"}, Rule{},
		func(context.Context, *emptyInput) (*body[Done], error) { return out(Done{OK: true}, nil) })
}

func TestPasswordResetDoesNotTell(t *testing.T) {
	w := newWorld(t)
	known := call(t, w.h, remote, "POST", "/api/v1/auth/password-reset", `{"email":"admin@example.com"}`)
	unknown := call(t, w.h, remote, "POST", "/api/v1/auth/password-reset", `{"email":"nobody@example.com"}`)
	if known.Status != 202 || unknown.Status != 202 || known.Body != unknown.Body {
		t.Fatalf("known %d %s, unknown %d %s", known.Status, known.Body, unknown.Status, unknown.Body)
	}
	token := w.resets["admin@example.com"]
	if token == "" || len(w.resets) != 1 || strings.Contains(known.Body, token) {
		t.Fatalf("reset tokens sent: %v", w.resets)
	}
	body := `{"token":"` + token + `","password":"a brand new secret"}`
	mustStatus(t, call(t, w.h, remote, "POST", "/api/v1/auth/password-reset/confirm", body), 200)
	// A token works once.
	mustError(t, call(t, w.h, remote, "POST", "/api/v1/auth/password-reset/confirm", body), 400, "invalid", "token")
	mustStatus(t, call(t, w.h, remote, "POST", "/api/v1/auth/login", `{"email":"admin@example.com","password":"a brand new secret"}`), 200)
}
