package webhook_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/provisioning"
	"github.com/billkit/billkit/provisioning/moduletest"
	"github.com/billkit/billkit/provisioning/webhook"
	"github.com/google/go-cmp/cmp"
)

var (
	secret = []byte("test-secret-0123456789")
	start  = time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)
)

// remote is a test server playing the remote system: it checks every
// request as a receiver must (method, headers, signature) and answers with
// the status and body the test set.
type remote struct {
	t      *testing.T
	clock  *billkit.FakeClock
	status int
	body   string
	// block makes the handler wait until the client gives up.
	block bool

	mu   sync.Mutex
	got  []provisioning.Request
	keys []string
}

func newRemote(t *testing.T, status int, body string) (*remote, *httptest.Server) {
	r := &remote{t: t, clock: billkit.NewFakeClock(start), status: status, body: body}
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return r, srv
}

func (rm *remote) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		rm.t.Errorf("reading the request: %v", err)
		return
	}
	if r.Method != http.MethodPost {
		rm.t.Errorf("method %s, want POST", r.Method)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		rm.t.Errorf("Content-Type %q", ct)
	}
	if err := webhook.Verify(secret, r.Header.Get(webhook.SignatureHeader), body, rm.clock.Now(), time.Minute); err != nil {
		rm.t.Errorf("the request's signature does not verify: %v", err)
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	var req provisioning.Request
	if err := json.Unmarshal(body, &req); err != nil {
		rm.t.Errorf("the body is not a request: %v", err)
	}
	rm.mu.Lock()
	rm.got = append(rm.got, req)
	rm.keys = append(rm.keys, r.Header.Get(webhook.IdempotencyHeader))
	rm.mu.Unlock()
	if rm.block {
		<-r.Context().Done()
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(rm.status)
	io.WriteString(w, rm.body)
}

func newModule(t *testing.T, rm *remote, url string, cfg webhook.Config) *webhook.Module {
	t.Helper()
	cfg.URL = url
	cfg.Secret = secret
	if rm != nil {
		cfg.Clock = rm.clock
	}
	m, err := webhook.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func request(op provisioning.Operation) provisioning.Request {
	return provisioning.Request{
		TaskID:    billkit.NewID[provisioning.Task](),
		Operation: op,
		Attempt:   2,
		Service: provisioning.ServiceInfo{
			ID:       billkit.NewID[provisioning.Service](),
			ClientID: billkit.NewClientID(),
			Name:     "vps-1042",
			Tariff:   "vps-s",
			Params:   map[string]string{"hostname": "web1"},
		},
	}
}

func run(t *testing.T, status int, body string) (provisioning.Result, error) {
	t.Helper()
	rm, srv := newRemote(t, status, body)
	return newModule(t, rm, srv.URL, webhook.Config{}).Run(context.Background(), request(provisioning.OpOpen))
}

func TestSignKnownValue(t *testing.T) {
	got := webhook.Sign(secret, time.Unix(1700000000, 0), []byte(`{"task_id":"x"}`))
	want := "t=1700000000,v1=832a96970781dd5ee9a57d6f6e04e0047b50c20029c1e2b1eef751f3cb0f960b"
	if got != want {
		t.Fatalf("Sign = %s, want %s", got, want)
	}
}

func TestOK(t *testing.T) {
	rm, srv := newRemote(t, http.StatusOK,
		`{"status":"ok","params":{"ip":"192.0.2.10"},"usage":{"traffic":12.50},"message":"created","extra":"ignored"}`)
	req := request(provisioning.OpOpen)
	res, err := newModule(t, rm, srv.URL, webhook.Config{}).Run(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	want := provisioning.Result{Params: map[string]string{"ip": "192.0.2.10"}, Usage: map[string]string{"traffic": "12.50"}, Message: "created"}
	if diff := cmp.Diff(want, res); diff != "" {
		t.Fatalf("Run (-want +got):\n%s", diff)
	}
	// The remote system saw the request and its idempotency key.
	rm.mu.Lock()
	defer rm.mu.Unlock()
	if len(rm.got) != 1 || rm.got[0].TaskID != req.TaskID || rm.got[0].Operation != provisioning.OpOpen || rm.got[0].Attempt != 2 {
		t.Fatalf("the remote system got %+v", rm.got)
	}
	if rm.keys[0] != req.TaskID.String() {
		t.Fatalf("Idempotency-Key %q, want %s", rm.keys[0], req.TaskID)
	}
}

func TestPendingAnswers(t *testing.T) {
	cases := []struct {
		name   string
		status int
		body   string
		msg    string
	}{
		{"200 pending", http.StatusOK, `{"status":"pending","message":"queued"}`, "queued"},
		{"202 empty", http.StatusAccepted, ``, "accepted; the answer comes later by callback"},
		{"202 with a message", http.StatusAccepted, `{"status":"pending","message":"job 77"}`, "job 77"},
		{"202 with garbage", http.StatusAccepted, `accepted!`, "accepted; the answer comes later by callback"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := run(t, c.status, c.body)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(provisioning.Result{Pending: true, Message: c.msg}, res); diff != "" {
				t.Fatalf("Run (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRefusals(t *testing.T) {
	cases := []struct {
		name   string
		status int
		body   string
		text   string
	}{
		{"error answer without retry", http.StatusOK, `{"status":"error","retry":false,"message":"domain is taken"}`, "domain is taken"},
		{"422 with a JSON message", http.StatusUnprocessableEntity, `{"status":"error","message":"tariff xl is unknown"}`, "tariff xl is unknown"},
		{"404 with text", http.StatusNotFound, "no such account\n", "404 Not Found): no such account"},
		{"400 empty", http.StatusBadRequest, "", "no reason given"},
		{"401", http.StatusUnauthorized, "bad signature", "bad signature"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := run(t, c.status, c.body)
			moduletest.WantRefusal(t, err, c.text)
		})
	}
}

func TestRetryableAnswers(t *testing.T) {
	cases := []struct {
		name   string
		status int
		body   string
		reason string
		texts  []string
	}{
		{"500", http.StatusInternalServerError, "stack trace here", "webhook.status", []string{"500 Internal Server Error", `body begins "stack trace here"`}},
		{"503", http.StatusServiceUnavailable, "", "webhook.status", []string{"503 Service Unavailable"}},
		{"408", http.StatusRequestTimeout, "", "webhook.status", []string{"408"}},
		{"429", http.StatusTooManyRequests, `{"status":"error","message":"slow down"}`, "webhook.status", []string{"429", "slow down"}},
		{"error answer to retry", http.StatusOK, `{"status":"error","message":"panel busy"}`, "webhook.error", []string{"panel busy"}},
		{"garbage", http.StatusOK, `<html>hello</html>`, "webhook.bad_answer", []string{"200 OK", "not a JSON object", `body begins "<html>hello</html>"`}},
		{"empty 200", http.StatusOK, ``, "webhook.bad_answer", []string{"no answer: it is empty"}},
		{"unknown status", http.StatusOK, `{"status":"maybe"}`, "webhook.bad_answer", []string{`"maybe"`}},
		{"two objects", http.StatusOK, `{"status":"ok"} {"status":"ok"}`, "webhook.bad_answer", []string{"more after"}},
		{"params not strings", http.StatusOK, `{"status":"ok","params":{"port":22}}`, "webhook.bad_answer", []string{"params"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := run(t, c.status, c.body)
			moduletest.WantRetryable(t, err, c.reason, c.texts...)
		})
	}
}

func TestAnswerTooLarge(t *testing.T) {
	rm, srv := newRemote(t, http.StatusOK, `{"status":"ok","message":"`+strings.Repeat("x", 5000)+`"}`)
	_, err := newModule(t, rm, srv.URL, webhook.Config{MaxAnswer: 1024}).Run(context.Background(), request(provisioning.OpOpen))
	moduletest.WantRetryable(t, err, "webhook.answer_too_large", "larger than 1024 bytes")
}

func TestRedirectNotFollowed(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://elsewhere.example/hook", http.StatusFound)
	}))
	defer srv.Close()
	_, err := newModule(t, nil, srv.URL, webhook.Config{}).Run(context.Background(), request(provisioning.OpOpen))
	moduletest.WantRetryable(t, err, "webhook.status", "302 Found", "https://elsewhere.example/hook", "redirects are not followed")
}

func TestUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // nothing listens there any more
	_, err := newModule(t, nil, url+"/hook?token=abc123", webhook.Config{}).Run(context.Background(), request(provisioning.OpOpen))
	moduletest.WantRetryable(t, err, "webhook.unreachable", "could not be called", url+"/hook")
	if strings.Contains(err.Error(), "abc123") {
		t.Fatalf("the error shows the URL's query: %v", err)
	}
}

func TestClientTimeout(t *testing.T) {
	rm, srv := newRemote(t, http.StatusOK, "")
	rm.block = true
	m := newModule(t, rm, srv.URL, webhook.Config{Client: &http.Client{Timeout: 100 * time.Millisecond}})
	_, err := m.Run(context.Background(), request(provisioning.OpOpen))
	moduletest.WantRetryable(t, err, "webhook.timeout", "timed out")
}

func TestContextDeadline(t *testing.T) {
	rm, srv := newRemote(t, http.StatusOK, "")
	rm.block = true
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := newModule(t, rm, srv.URL, webhook.Config{}).Run(ctx, request(provisioning.OpOpen))
	moduletest.WantRetryable(t, err, "webhook.timeout", "timed out")
}

func TestContextCancelled(t *testing.T) {
	rm, srv := newRemote(t, http.StatusOK, `{"status":"ok"}`)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := newModule(t, rm, srv.URL, webhook.Config{}).Run(ctx, request(provisioning.OpOpen))
	moduletest.WantRetryable(t, err, "webhook.cancelled", "cancelled")
}

func TestWrongSecretIsRefusedByTheReceiver(t *testing.T) {
	// The test server verifies with its own secret; a module with another
	// gets the receiver's 401, a refusal.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := webhook.Verify(secret, r.Header.Get(webhook.SignatureHeader), body, start, time.Minute); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		io.WriteString(w, `{"status":"ok"}`)
	}))
	defer srv.Close()
	m, err := webhook.New(webhook.Config{URL: srv.URL, Secret: []byte("another-secret-0123456789"), Clock: billkit.NewFakeClock(start)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = m.Run(context.Background(), request(provisioning.OpOpen))
	moduletest.WantRefusal(t, err, "webhook.signature_invalid")
}

func TestNewValidates(t *testing.T) {
	cases := []struct {
		name  string
		cfg   webhook.Config
		field string
	}{
		{"no URL", webhook.Config{Secret: secret}, "url"},
		{"relative URL", webhook.Config{URL: "/hook", Secret: secret}, "url"},
		{"ftp URL", webhook.Config{URL: "ftp://example.com/hook", Secret: secret}, "url"},
		{"no secret", webhook.Config{URL: "https://example.com/hook"}, "secret"},
		{"short secret", webhook.Config{URL: "https://example.com/hook", Secret: []byte("short")}, "secret"},
		{"negative max", webhook.Config{URL: "https://example.com/hook", Secret: secret, MaxAnswer: -1}, "max_answer"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := webhook.New(c.cfg)
			var e *billkit.Error
			if !errors.As(err, &e) || e.Code != billkit.CodeInvalid {
				t.Fatalf("New: %v, want invalid", err)
			}
			if _, ok := e.Field(c.field); !ok {
				t.Fatalf("New: %v, want an error on %s", err, c.field)
			}
		})
	}
	m, err := webhook.New(webhook.Config{URL: "https://example.com/hook", Secret: secret})
	if err != nil {
		t.Fatal(err)
	}
	if m.Name() != "webhook" {
		t.Fatalf("default name %q", m.Name())
	}
	var zero webhook.Module
	if _, err := zero.Run(context.Background(), request(provisioning.OpOpen)); !billkit.IsCode(err, billkit.CodeInternal) {
		t.Fatalf("zero Module Run: %v, want internal", err)
	}
}
