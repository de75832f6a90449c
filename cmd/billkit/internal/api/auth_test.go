package api

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"fmt"
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

func TestMergeClientsThroughAPI(t *testing.T) {
	w := newWorld(t)
	f := w.fixtures(t)
	admin := w.as(w.login(t, w.admin.Email))
	custA := w.as(w.login(t, w.userFor(t, "cust-a", f.clientA, nil).Email))
	r := call(t, admin, remote, "POST", "/api/v1/clients/"+f.clientA.String()+"/merge", `{"into":"`+f.clientB.String()+`"}`)
	mustStatus(t, r, 200)
	if c := r.object(t); c["id"] != f.clientB.String() {
		t.Fatalf("merge answer: %s", r.Body)
	}
	r = call(t, admin, remote, "GET", "/api/v1/payers/"+f.payerA.String(), "")
	mustStatus(t, r, 200)
	if p := r.object(t); p["client_id"] != f.clientB.String() {
		t.Fatalf("payer after merge: %s", r.Body)
	}
	r = call(t, admin, remote, "GET", "/api/v1/clients/"+f.clientA.String(), "")
	mustStatus(t, r, 200)
	if c := r.object(t); c["status"] != "deleted" {
		t.Fatalf("merged client: %s", r.Body)
	}
	// The customer of A now reaches B, and the action log tells the story.
	mustStatus(t, call(t, custA, remote, "GET", "/api/v1/contracts/"+f.contractA.String(), ""), 200)
	r = call(t, admin, remote, "GET", "/api/v1/actions?name=billing.client.merge&object_id="+f.clientA.String(), "")
	mustStatus(t, r, 200)
	var l struct {
		Items []billkit.Action `json:"items"`
	}
	r.decode(t, &l)
	if len(l.Items) != 1 || l.Items[0].ActorID != w.admin.ID.String() || l.Items[0].IP != "203.0.113.7" {
		t.Fatalf("merge actions: %s", r.Body)
	}
}

// totpAt computes the RFC 6238 code of a base32 secret at t (SHA-1, 6
// digits, 30 seconds), as an authenticator app does.
func totpAt(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.ToUpper(strings.TrimRight(secret, "=")))
	if err != nil {
		t.Fatalf("secret %q: %v", secret, err)
	}
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(at.Unix()/30))
	mac := hmac.New(sha1.New, key)
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	n := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%06d", n%1000000)
}

func TestTOTPThroughAPI(t *testing.T) {
	w := newWorld(t)
	me := w.as(w.login(t, w.admin.Email))
	r := call(t, me, remote, "POST", "/api/v1/me/totp", "")
	mustStatus(t, r, 200)
	setup := r.object(t)
	secret, _ := setup["secret"].(string)
	if secret == "" || !strings.HasPrefix(setup["url"].(string), "otpauth://") {
		t.Fatalf("totp setup: %s", r.Body)
	}
	mustError(t, call(t, me, remote, "POST", "/api/v1/me/totp/confirm", `{"code":"000000"}`), 400, "invalid", "code")
	r = call(t, me, remote, "POST", "/api/v1/me/totp/confirm", `{"code":"`+totpAt(t, secret, w.clock.Now())+`"}`)
	mustStatus(t, r, 200)
	var codes RecoveryCodes
	r.decode(t, &codes)
	if len(codes.RecoveryCodes) != 10 {
		t.Fatalf("recovery codes: %s", r.Body)
	}
	// /me and the lists never show the secret again.
	if b := call(t, me, remote, "GET", "/api/v1/me", "").Body; strings.Contains(b, secret) {
		t.Fatalf("/me shows the TOTP secret: %s", b)
	}

	login := func(extra string) response {
		return call(t, w.h, remote, "POST", "/api/v1/auth/login", `{"email":"admin@example.com","password":"`+testPassword+`"`+extra+`}`)
	}
	if e := mustError(t, login(""), 401, "unauthenticated", ""); e.Reason != "access.totp_required" {
		t.Fatalf("without a code: %+v", e)
	}
	w.clock.Advance(30 * time.Second)
	code := totpAt(t, secret, w.clock.Now())
	mustStatus(t, login(`,"totp_code":"`+code+`"`), 200)
	// A code works once.
	if e := mustError(t, login(`,"totp_code":"`+code+`"`), 401, "unauthenticated", ""); e.Reason != "access.totp_invalid" {
		t.Fatalf("reused code: %+v", e)
	}
	mustStatus(t, login(`,"recovery_code":"`+codes.RecoveryCodes[0]+`"`), 200)
	mustError(t, login(`,"recovery_code":"`+codes.RecoveryCodes[0]+`"`), 401, "unauthenticated", "")

	r = call(t, me, remote, "DELETE", "/api/v1/me/totp", `{"password":"`+testPassword+`"}`)
	mustStatus(t, r, 200)
	mustStatus(t, login(""), 200)
}

func TestRegisterAndAcceptInvite(t *testing.T) {
	w := newWorld(t)
	f := w.fixtures(t)
	r := call(t, w.h, remote, "POST", "/api/v1/auth/register", `{"email":"new@example.com","name":"New","password":"`+testPassword+`"}`)
	mustStatus(t, r, 201)
	if strings.Contains(r.Body, testPassword) {
		t.Fatalf("register answer shows the password: %s", r.Body)
	}
	mustError(t, call(t, w.h, remote, "POST", "/api/v1/auth/register", `{"email":"NEW@example.com","password":"`+testPassword+`"}`), 409, "conflict", "email")
	mustError(t, call(t, w.h, remote, "POST", "/api/v1/auth/register", `{"email":"not an email","password":"`+testPassword+`"}`), 400, "invalid", "email")
	mustError(t, call(t, w.h, remote, "POST", "/api/v1/auth/register", `{"email":"weak@example.com","password":"short"}`), 400, "invalid", "password")

	owner := w.as(w.login(t, w.userFor(t, "cust-a", f.clientA, nil).Email))
	r = call(t, owner, remote, "POST", "/api/v1/clients/"+f.clientA.String()+"/invites", `{"email":"new@example.com","role":"billing"}`)
	mustStatus(t, r, 201)
	token, _ := r.object(t)["token"].(string)
	if token == "" {
		t.Fatalf("invite: %s", r.Body)
	}
	r = call(t, owner, remote, "GET", "/api/v1/clients/"+f.clientA.String()+"/invites", "")
	mustStatus(t, r, 200)
	if strings.Contains(r.Body, token) {
		t.Fatalf("invite list shows the token: %s", r.Body)
	}

	newcomer := w.as(w.login(t, "new@example.com"))
	mustError(t, call(t, newcomer, remote, "POST", "/api/v1/invites/accept", `{"token":"nope"}`), 400, "invalid", "")
	mustError(t, call(t, newcomer, remote, "GET", "/api/v1/clients/"+f.clientA.String(), ""), 404, "not_found", "")
	r = call(t, newcomer, remote, "POST", "/api/v1/invites/accept", `{"token":"`+token+`"}`)
	mustStatus(t, r, 201)
	if m := r.object(t); m["role"] != "billing" || m["client_id"] != f.clientA.String() {
		t.Fatalf("accept: %s", r.Body)
	}
	mustStatus(t, call(t, newcomer, remote, "GET", "/api/v1/clients/"+f.clientA.String(), ""), 200)
	r = call(t, newcomer, remote, "GET", "/api/v1/me/clients", "")
	mustStatus(t, r, 200)
	if got := listCodes(t, r, "client_id"); len(got) != 1 || got[0] != f.clientA.String() {
		t.Fatalf("my clients: %s", r.Body)
	}
	// A billing member may not change the client's members.
	mustError(t, call(t, newcomer, remote, "DELETE", "/api/v1/clients/"+f.clientA.String()+"/members/"+f.memberA.ID.String(), ""), 403, "forbidden", "")
}
