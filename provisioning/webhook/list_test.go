package webhook_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/provisioning"
	"github.com/billkit/billkit/provisioning/moduletest"
	"github.com/billkit/billkit/provisioning/webhook"
	"github.com/google/go-cmp/cmp"
)

var _ provisioning.Lister = (*webhook.Module)(nil)

func listRequest() provisioning.ListRequest {
	return provisioning.ListRequest{Server: &provisioning.ServerInfo{
		ID: billkit.NewID[provisioning.Server](), Name: "node-1", URL: "https://node1.example",
		Params: map[string]string{}, Credentials: map[string]string{"token": "s3cr3t"},
	}}
}

func list(t *testing.T, status int, body string) ([]provisioning.ListedService, error) {
	t.Helper()
	rm, srv := newRemote(t, status, body)
	return newModule(t, rm, srv.URL, webhook.Config{}).List(context.Background(), listRequest())
}

// TestList lists a server through a remote system that checks the
// signature: the body is the signed listing with the server's
// credentials, each listing has a key of its own, and the services come
// back as answered.
func TestList(t *testing.T) {
	const body = `{"services":[{"remote_id":"u1042","plan":"vps-s","expires_on":"2026-05-01","client_hint":"billing@example.com",` +
		`"params":{"ip":"192.0.2.10"}},{"remote_id":"u1043","status":"suspended"}]}`
	rm, srv := newRemote(t, http.StatusOK, body)
	m := newModule(t, rm, srv.URL, webhook.Config{})
	req := listRequest()
	for range 2 {
		got, err := m.List(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		want := []provisioning.ListedService{
			{RemoteID: "u1042", Plan: "vps-s", ExpiresOn: billkit.MustDate(2026, 5, 1), ClientHint: "billing@example.com",
				Params: map[string]string{"ip": "192.0.2.10"}},
			{RemoteID: "u1043", Status: provisioning.StatusSuspended},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("List (-want +got):\n%s", diff)
		}
	}
	rm.mu.Lock()
	defer rm.mu.Unlock()
	if len(rm.got) != 2 {
		t.Fatalf("%d requests, want 2", len(rm.got))
	}
	got := rm.got[0]
	if got.Operation != provisioning.OpList || got.Server == nil || got.Server.ID != req.Server.ID ||
		got.Server.Credentials["token"] != "s3cr3t" || !got.TaskID.IsZero() {
		t.Fatalf("the remote received %+v", got)
	}
	if rm.keys[0] == "" || rm.keys[0] == rm.keys[1] {
		t.Fatalf("idempotency keys %q: want one of its own for each listing", rm.keys)
	}
}

func TestListRequestBody(t *testing.T) {
	rm, srv := newRemote(t, http.StatusOK, `{"services":[]}`)
	got, err := newModule(t, rm, srv.URL, webhook.Config{}).List(context.Background(), listRequest())
	if err != nil || got == nil || len(got) != 0 {
		t.Fatalf("an empty listing: %v, %v", got, err)
	}
	b, err := json.Marshal(provisioning.ListRequest{Operation: provisioning.OpList})
	if err != nil || string(b) != `{"operation":"list","server":null}` {
		t.Fatalf("a listing's JSON: %s %v", b, err)
	}
}

func TestListFailures(t *testing.T) {
	_, err := list(t, http.StatusAccepted, "")
	moduletest.WantRetryable(t, err, "webhook.bad_answer", "202", "answered at once")
	_, err = list(t, http.StatusOK, `{"status":"pending"}`)
	moduletest.WantRetryable(t, err, "webhook.bad_answer", "answered at once")
	_, err = list(t, http.StatusOK, `<html>gateway</html>`)
	moduletest.WantRetryable(t, err, "webhook.bad_answer", "not a JSON object", "<html>")
	_, err = list(t, http.StatusOK, `{"status":"ok"}`)
	moduletest.WantRetryable(t, err, "webhook.bad_answer", `no "services" array`)
	_, err = list(t, http.StatusOK, `{"services":[{"remote_id":"u1","status":"deleted"}]}`)
	moduletest.WantRetryable(t, err, "webhook.bad_answer", `"deleted"`)
	_, err = list(t, http.StatusOK, `{"status":"error","retry":false,"message":"listing is off"}`)
	moduletest.WantRefusal(t, err, "listing is off")
	_, err = list(t, http.StatusOK, `{"status":"error","message":"busy"}`)
	moduletest.WantRetryable(t, err, "webhook.error", "busy")
	_, err = list(t, http.StatusForbidden, `{"status":"error","message":"no such API key"}`)
	moduletest.WantRefusal(t, err, "403", "no such API key")
	_, err = list(t, http.StatusServiceUnavailable, "down")
	moduletest.WantRetryable(t, err, "webhook.status", "503", "down")
}
