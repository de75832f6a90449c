package api

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"
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
