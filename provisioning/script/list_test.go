package script_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/provisioning"
	"github.com/billkit/billkit/provisioning/moduletest"
	"github.com/billkit/billkit/provisioning/script"
	"github.com/google/go-cmp/cmp"
)

var _ provisioning.Lister = (*script.Module)(nil)

func listRequest() provisioning.ListRequest {
	return provisioning.ListRequest{Server: &provisioning.ServerInfo{
		ID:          billkit.NewID[provisioning.Server](),
		Name:        "node-1",
		URL:         "https://node1.example",
		Params:      map[string]string{},
		Credentials: map[string]string{"token": "s3cr3t"},
	}}
}

func TestList(t *testing.T) {
	got, err := module(t, "list", script.Config{}).List(context.Background(), listRequest())
	if err != nil {
		t.Fatal(err)
	}
	want := []provisioning.ListedService{
		{
			RemoteID: "u1042", Name: "web1", Domain: "example.com", Plan: "vps-s", Status: provisioning.StatusActive,
			ExpiresOn: billkit.MustDate(2026, 5, 1), ClientHint: "billing@example.com",
			// The script learnt the operation from its environment and the
			// server's credentials from stdin.
			Params: map[string]string{"ip": "192.0.2.10", "operation": "list", "token": "s3cr3t"},
		},
		{RemoteID: "u1043", Status: provisioning.StatusSuspended},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("List (-want +got):\n%s", diff)
	}

	got, err = module(t, "listnone", script.Config{}).List(context.Background(), listRequest())
	if err != nil || got == nil || len(got) != 0 {
		t.Fatalf("an empty listing: %v, %v", got, err)
	}
}

// TestListRequestOnStdin checks what a listing sends: the operation and
// the server, and no task.
func TestListRequestOnStdin(t *testing.T) {
	file := filepath.Join(t.TempDir(), "request.json")
	req := listRequest()
	// The stdin mode answers {"status":"ok"}, which lists nothing: a bad
	// answer, after it has written what it read.
	_, err := module(t, "stdin", script.Config{Env: []string{"REQUEST_FILE=" + file}}).List(context.Background(), req)
	moduletest.WantRetryable(t, err, "script.bad_answer", `no "services" array`)
	got, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	req.Operation = provisioning.OpList
	want, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Fatalf("the script read\n%s\nwant\n%s", got, want)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(got, &fields); err != nil || string(fields["operation"]) != `"list"` || fields["task_id"] != nil {
		t.Fatalf("the listing on stdin: %s", got)
	}
}

func TestListFailures(t *testing.T) {
	ctx := context.Background()
	_, err := module(t, "listrefuse", script.Config{}).List(ctx, listRequest())
	moduletest.WantRefusal(t, err, "may not list accounts")
	_, err = module(t, "exit2", script.Config{}).List(ctx, listRequest())
	moduletest.WantRefusal(t, err, "tariff xl does not exist")
	_, err = module(t, "retry", script.Config{}).List(ctx, listRequest())
	moduletest.WantRetryable(t, err, "script.error", "the panel is busy")
	_, err = module(t, "exit1", script.Config{}).List(ctx, listRequest())
	moduletest.WantRetryable(t, err, "script.exit", "connection reset")

	for mode, text := range map[string]string{
		"garbage":       "hello, this is not JSON",
		"empty":         "it is empty",
		"listpending":   "answered at once",
		"listmissing":   `no "services" array`,
		"listbadstatus": `"frozen"`,
		"listnoid":      `no "remote_id"`,
		"two":           "more after its JSON object",
	} {
		t.Run(mode, func(t *testing.T) {
			_, err := module(t, mode, script.Config{}).List(ctx, listRequest())
			moduletest.WantRetryable(t, err, "script.bad_answer", text)
		})
	}
}
