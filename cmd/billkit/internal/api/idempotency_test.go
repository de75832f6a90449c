package api

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/billkit/billkit/store/bunstore"
)

func TestIdempotencyKey(t *testing.T) {
	w := newWorld(t)
	f := w.fixtures(t)
	token := w.login(t, w.admin.Email)
	send := func(h, method, path, key, body string) response {
		t.Helper()
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Cookie", h)
		if key != "" {
			req.Header.Set(IdempotencyHeader, key)
		}
		rec := httptest.NewRecorder()
		w.h.ServeHTTP(rec, req)
		return response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.String()}
	}
	cookie := SessionCookie + "=" + token
	body := `{"provider_id":"` + f.provider.String() + `","name":"Once Ltd"}`
	first := send(cookie, "POST", "/api/v1/clients", "k-1", body)
	mustStatus(t, first, 201)
	again := send(cookie, "POST", "/api/v1/clients", "k-1", body)
	mustStatus(t, again, 201)
	if again.Body != first.Body || again.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay: %s vs %s", again.Body, first.Body)
	}
	// One client was made, not two.
	r := call(t, w.as(token), remote, "GET", "/api/v1/clients?query=Once", "")
	if got := listCodes(t, r, "id"); len(got) != 1 {
		t.Fatalf("clients named Once: %v", got)
	}
	// The same key for another request is refused; another key works.
	mustError(t, send(cookie, "POST", "/api/v1/clients", "k-1", `{"provider_id":"`+f.provider.String()+`","name":"Twice Ltd"}`), 422, "failed_precondition", IdempotencyHeader)
	mustStatus(t, send(cookie, "POST", "/api/v1/clients", "k-2", `{"provider_id":"`+f.provider.String()+`","name":"Twice Ltd"}`), 201)
	// Keys are the caller's own: another user's k-1 is a new call.
	other := w.staff(t, "other@example.com", true)
	mustStatus(t, send(SessionCookie+"="+w.login(t, other.Email), "POST", "/api/v1/clients", "k-1", body), 201)
	// Errors caused by the request are replayed too.
	bad := `{"provider_id":"` + f.provider.String() + `","name":""}`
	e1 := send(cookie, "POST", "/api/v1/clients", "k-3", bad)
	e2 := send(cookie, "POST", "/api/v1/clients", "k-3", bad)
	if e1.Status != 400 || e2.Status != 400 || e1.Body != e2.Body {
		t.Fatalf("bad request replay: %d %s / %d %s", e1.Status, e1.Body, e2.Status, e2.Body)
	}
	// After a day the key is forgotten.
	w.clock.Advance(IdempotencyTTL + time.Minute)
	token = w.login(t, w.admin.Email)
	mustStatus(t, send(SessionCookie+"="+token, "POST", "/api/v1/clients", "k-1", body), 201)

	// Not on public operations, nor where the answer holds a secret.
	mustError(t, send("", "POST", "/api/v1/auth/login", "k-4", `{"email":"admin@example.com","password":"`+testPassword+`"}`), 400, "invalid", IdempotencyHeader)
	mustError(t, send(SessionCookie+"="+token, "POST", "/api/v1/api-keys", "k-5", `{"name":"k","scopes":["billing.client:read"]}`), 400, "invalid", IdempotencyHeader)
}

// TestIdempotencyKeyDurable shows that answers live in the database: a
// second server process on the same database replays them, concurrent
// retries run the call once, and a call that never finished is not run
// again.
func TestIdempotencyKeyDurable(t *testing.T) {
	w := newWorld(t)
	f := w.fixtures(t)
	cookie := SessionCookie + "=" + w.login(t, w.admin.Email)
	send := func(h http.Handler, key, body string) response {
		t.Helper()
		req := httptest.NewRequest("POST", "/api/v1/clients", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Cookie", cookie)
		req.Header.Set(IdempotencyHeader, key)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.String()}
	}
	body := `{"provider_id":"` + f.provider.String() + `","name":"Durable Ltd"}`
	first := send(w.h, "d-1", body)
	mustStatus(t, first, 201)

	// Another process: a new handler on the same store.
	other, err := New(Config{Directory: w.dir, Access: w.acc, Billing: w.bill, Catalog: w.cat, Clock: w.clock, Idempotency: w.st})
	if err != nil {
		t.Fatal(err)
	}
	again := send(other, "d-1", body)
	if again.Status != 201 || again.Body != first.Body || again.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay from another process: %d %s", again.Status, again.Body)
	}

	// Twenty concurrent calls with one key: one client is made.
	par := `{"provider_id":"` + f.provider.String() + `","name":"Parallel Ltd"}`
	var wg sync.WaitGroup
	statuses := make([]int, 20)
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = send(w.h, "d-2", par).Status
		}()
	}
	wg.Wait()
	for _, s := range statuses {
		if s != 201 && s != 409 {
			t.Fatalf("statuses %v", statuses)
		}
	}
	if n := countRows(t, w.st, "billkit_clients", "name = ?", "Parallel Ltd"); n != 1 {
		t.Fatalf("%d clients made by one key", n)
	}

	// A call that began and never finished (the server stopped): retries
	// wait while it may still run, then learn its outcome is unknown; it
	// never runs twice.
	started := w.clock.Now()
	_, claimed, err := w.st.ClaimIdempotencyKey(t.Context(), bunstore.IdempotentCall{
		Caller: "staff:" + w.admin.ID.String(), Key: "d-3", Fingerprint: []byte("x"),
		CreatedAt: started, ExpiresAt: started.Add(IdempotencyTTL),
	}, started)
	if err != nil || !claimed {
		t.Fatalf("claim: %v %v", claimed, err)
	}
	mustError(t, send(w.h, "d-3", body), 422, "failed_precondition", IdempotencyHeader)
	_, claimed, err = w.st.ClaimIdempotencyKey(t.Context(), bunstore.IdempotentCall{
		Caller: "staff:" + w.admin.ID.String(), Key: "d-4", Fingerprint: fingerprint("POST", "/api/v1/clients?", body),
		CreatedAt: started, ExpiresAt: started.Add(IdempotencyTTL),
	}, started)
	if err != nil || !claimed {
		t.Fatalf("claim: %v %v", claimed, err)
	}
	r := send(w.h, "d-4", body)
	if r.Status != 409 || !strings.Contains(r.Body, "idempotency.in_progress") {
		t.Fatalf("running call: %d %s", r.Status, r.Body)
	}
	w.clock.Advance(idempotencyLease + time.Second)
	cookie = SessionCookie + "=" + w.login(t, w.admin.Email)
	r = send(w.h, "d-4", body)
	if r.Status != 409 || !strings.Contains(r.Body, "idempotency.outcome_unknown") {
		t.Fatalf("abandoned call: %d %s", r.Status, r.Body)
	}
	if n := countRows(t, w.st, "billkit_clients", "name = ?", "Durable Ltd"); n != 1 {
		t.Fatalf("%d clients named Durable Ltd", n)
	}
}

// countRows returns the rows of a table matching where.
func countRows(t *testing.T, st *bunstore.Store, table, where string, args ...any) int {
	t.Helper()
	n, err := st.DB().NewSelect().TableExpr(table).Where(where, args...).Count(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}
