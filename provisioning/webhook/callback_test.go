package webhook_test

import (
	"context"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/provisioning"
	"github.com/billkit/billkit/provisioning/webhook"
	"github.com/google/go-cmp/cmp"
)

func wantUnauthenticated(t *testing.T, err error, reason string) {
	t.Helper()
	if !billkit.IsCode(err, billkit.CodeUnauthenticated) || !billkit.HasReason(err, reason) {
		t.Fatalf("error = %v, want unauthenticated %s", err, reason)
	}
}

func TestVerifyCallbackOK(t *testing.T) {
	id := billkit.NewID[provisioning.Task]()
	body := []byte(`{"task_id":"` + id.String() + `","status":"ok","params":{"ip":"192.0.2.10"},"usage":{"traffic":7},"service_status":"active","login_url":"https://panel.example/l","message":"done"}`)
	header := webhook.Sign(secret, start, body)

	// Within the tolerance, before or after.
	for _, now := range []time.Time{start, start.Add(4 * time.Minute), start.Add(-4 * time.Minute)} {
		cb, err := webhook.VerifyCallback(secret, header, body, now, 0)
		if err != nil {
			t.Fatal(err)
		}
		want := webhook.Callback{
			TaskID: id, Status: "ok", Params: map[string]string{"ip": "192.0.2.10"},
			Usage: map[string]string{"traffic": "7"}, ServiceStatus: provisioning.StatusActive,
			LoginURL: "https://panel.example/l", Message: "done",
		}
		if diff := cmp.Diff(want, cb, cmp.Comparer(func(a, b provisioning.TaskID) bool { return a == b })); diff != "" {
			t.Fatalf("VerifyCallback (-want +got):\n%s", diff)
		}
		if !cb.OK() || cb.Err() != nil {
			t.Fatalf("OK %v, Err %v", cb.OK(), cb.Err())
		}
		wantRes := provisioning.Result{Params: want.Params, Usage: want.Usage, Status: provisioning.StatusActive, LoginURL: want.LoginURL, Message: "done"}
		if diff := cmp.Diff(wantRes, cb.Result()); diff != "" {
			t.Fatalf("Result (-want +got):\n%s", diff)
		}
	}
}

func TestVerifyCallbackError(t *testing.T) {
	id := billkit.NewID[provisioning.Task]()
	body := []byte(`{"task_id":"` + id.String() + `","status":"error","message":"out of IP addresses"}`)
	cb, err := webhook.VerifyCallback(secret, webhook.Sign(secret, start, body), body, start, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if cb.OK() || cb.TaskID != id {
		t.Fatalf("callback %+v", cb)
	}
	var p *provisioning.PermanentError
	if err := cb.Err(); !errors.As(err, &p) || !strings.Contains(err.Error(), "out of IP addresses") {
		t.Fatalf("Err = %v, want a refusal with the message", err)
	}
}

func TestVerifyCallbackRefusesForgeries(t *testing.T) {
	id := billkit.NewID[provisioning.Task]()
	body := []byte(`{"task_id":"` + id.String() + `","status":"ok"}`)
	header := webhook.Sign(secret, start, body)
	otherSig := strings.SplitN(webhook.Sign([]byte("another-secret-0123456789"), start, body), "v1=", 2)[1]
	sigOf := func(h string) string { return strings.SplitN(h, "v1=", 2)[1] }

	cases := []struct {
		name   string
		header string
		body   string
		now    time.Time
		reason string
	}{
		{"signed with another secret", "t=" + unix(start) + ",v1=" + otherSig, string(body), start, "webhook.signature_invalid"},
		{"body altered", header, strings.Replace(string(body), `"ok"`, `"error"`, 1), start, "webhook.signature_invalid"},
		{"old timestamp", header, string(body), start.Add(6 * time.Minute), "webhook.signature_expired"},
		{"timestamp in the future", header, string(body), start.Add(-6 * time.Minute), "webhook.signature_expired"},
		// A captured callback sent again later is too old...
		{"replayed later", header, string(body), start.Add(time.Hour), "webhook.signature_expired"},
		// ...and giving it a fresh timestamp breaks its signature.
		{"replayed with a new timestamp", "t=" + unix(start.Add(time.Hour)) + ",v1=" + sigOf(header), string(body), start.Add(time.Hour), "webhook.signature_invalid"},
		{"no header", "", string(body), start, "webhook.signature_missing"},
		{"no timestamp", "v1=" + sigOf(header), string(body), start, "webhook.signature_malformed"},
		{"no signature", "t=" + unix(start), string(body), start, "webhook.signature_malformed"},
		{"two timestamps", "t=1,t=2,v1=" + sigOf(header), string(body), start, "webhook.signature_malformed"},
		{"timestamp not a number", "t=soon,v1=" + sigOf(header), string(body), start, "webhook.signature_malformed"},
		{"signature not hex", "t=" + unix(start) + ",v1=xyz", string(body), start, "webhook.signature_malformed"},
		{"signature short", "t=" + unix(start) + ",v1=" + hex.EncodeToString([]byte("short")), string(body), start, "webhook.signature_malformed"},
		{"not key=value", "garbage", string(body), start, "webhook.signature_malformed"},
		{"huge header", "t=" + unix(start) + strings.Repeat(",x=y", 2000) + ",v1=" + sigOf(header), string(body), start, "webhook.signature_malformed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cb, err := webhook.VerifyCallback(secret, c.header, []byte(c.body), c.now, 5*time.Minute)
			wantUnauthenticated(t, err, c.reason)
			if !cb.TaskID.IsZero() || cb.Status != "" {
				t.Fatalf("a refused callback was read: %+v", cb)
			}
		})
	}
}

func unix(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }

func TestVerifyAcceptsARotatedSecret(t *testing.T) {
	body := []byte(`{"task_id":"` + billkit.NewID[provisioning.Task]().String() + `","status":"ok"}`)
	newSecret := []byte("the-new-secret-0123456789")
	old := webhook.Sign(secret, start, body)
	fresh := webhook.Sign(newSecret, start, body)
	header := old + ",v1=" + strings.SplitN(fresh, "v1=", 2)[1]
	for _, s := range [][]byte{secret, newSecret} {
		if err := webhook.Verify(s, header, body, start, time.Minute); err != nil {
			t.Fatalf("a header signed with both secrets: %v", err)
		}
	}
	if err := webhook.Verify([]byte("a-third-secret-0123456789"), header, body, start, time.Minute); !billkit.HasReason(err, "webhook.signature_invalid") {
		t.Fatalf("a third secret: %v", err)
	}
}

func TestVerifyWithoutSecret(t *testing.T) {
	body := []byte(`{}`)
	// An empty secret would make every signature computable by anyone.
	err := webhook.Verify(nil, webhook.Sign(nil, start, body), body, start, time.Minute)
	if !billkit.IsCode(err, billkit.CodeInternal) || !billkit.HasReason(err, "webhook.secret_missing") {
		t.Fatalf("Verify with no secret: %v", err)
	}
}

func TestVerifyCallbackBadBody(t *testing.T) {
	id := billkit.NewID[provisioning.Task]().String()
	cases := []struct {
		name, body, field string
	}{
		{"not JSON", `task done`, "body"},
		{"an array", `[1,2]`, "body"},
		{"two objects", `{"task_id":"` + id + `","status":"ok"}{}`, "body"},
		{"no task ID", `{"status":"ok"}`, "task_id"},
		{"bad task ID", `{"task_id":"42","status":"ok"}`, "task_id"},
		{"no status", `{"task_id":"` + id + `"}`, "status"},
		{"pending is no outcome", `{"task_id":"` + id + `","status":"pending"}`, "status"},
		{"unknown service status", `{"task_id":"` + id + `","status":"ok","service_status":"frozen"}`, "service_status"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			body := []byte(c.body)
			_, err := webhook.VerifyCallback(secret, webhook.Sign(secret, start, body), body, start, time.Minute)
			var e *billkit.Error
			if !errors.As(err, &e) || e.Code != billkit.CodeInvalid {
				t.Fatalf("VerifyCallback: %v, want invalid", err)
			}
			if _, ok := e.Field(c.field); !ok {
				t.Fatalf("VerifyCallback: %v, want an error on %s", err, c.field)
			}
		})
	}
}

// TestCallbackReadsAsTheSynchronousAnswer answers an operation at once with
// a body, and answers the same operation later with the same body as a
// callback: the two stand for the same Result, and so complete the task
// with the same provisioning.CompletionOf.
func TestCallbackReadsAsTheSynchronousAnswer(t *testing.T) {
	answer := `"status":"ok","params":{"ip":"192.0.2.10","login":"u1042"},"service_status":"active",` +
		`"usage":{"traffic":12.50,"disk":"3"},"login_url":"https://panel.example/l/u1042","message":"created"`
	rm, srv := newRemote(t, http.StatusOK, `{`+answer+`}`)
	req := request(provisioning.OpOpen)
	atOnce, err := newModule(t, rm, srv.URL, webhook.Config{}).Run(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}

	body := []byte(`{"task_id":"` + req.TaskID.String() + `",` + answer + `}`)
	cb, err := webhook.VerifyCallback(secret, webhook.Sign(secret, start, body), body, start, 0)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(atOnce, cb.Result()); diff != "" {
		t.Fatalf("Result (-at once +callback):\n%s", diff)
	}
	want := provisioning.CompleteTaskParams{Params: map[string]string{"ip": "192.0.2.10", "login": "u1042"}, Message: "created"}
	if diff := cmp.Diff(want, provisioning.CompletionOf(cb.Result())); diff != "" {
		t.Fatalf("CompletionOf (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(provisioning.CompletionOf(atOnce), provisioning.CompletionOf(cb.Result())); diff != "" {
		t.Fatalf("CompletionOf (-at once +callback):\n%s", diff)
	}
}
