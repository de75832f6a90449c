package script_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/catalog"
	"github.com/billkit/billkit/provisioning"
	"github.com/billkit/billkit/provisioning/moduletest"
	"github.com/billkit/billkit/provisioning/script"
	"github.com/google/go-cmp/cmp"
)

// module returns a script module running testdata/module.sh in mode. The
// script is run by /bin/sh, so its mode bits in the checkout do not matter.
func module(t *testing.T, mode string, cfg script.Config) *script.Module {
	t.Helper()
	cfg.Command = "/bin/sh"
	cfg.Args = []string{filepath.Join("testdata", "module.sh"), mode}
	if cfg.Dir != "" {
		abs, err := filepath.Abs(cfg.Args[0])
		if err != nil {
			t.Fatal(err)
		}
		cfg.Args[0] = abs
	}
	m, err := script.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func request(op provisioning.Operation) provisioning.Request {
	return provisioning.Request{
		TaskID:    billkit.NewID[provisioning.Task](),
		Operation: op,
		Attempt:   3,
		Service: provisioning.ServiceInfo{
			ID:       billkit.NewID[provisioning.Service](),
			ClientID: billkit.NewClientID(),
			Name:     "vps-1042",
			Tariff:   "vps-s",
			Period:   catalog.PeriodMonth,
			Params:   map[string]string{"hostname": "web1"},
		},
		Server: &provisioning.ServerInfo{
			ID:          billkit.NewID[provisioning.Server](),
			Name:        "node-1",
			URL:         "https://node1.example",
			Credentials: map[string]string{"token": "s3cr3t"},
		},
	}
}

func TestOKWithParams(t *testing.T) {
	req := request(provisioning.OpOpen)
	res, err := module(t, "ok", script.Config{}).Run(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	want := provisioning.Result{
		Params: map[string]string{
			// The idempotency key reached the script in the JSON.
			"task_id":   req.TaskID.String(),
			"operation": "open",
			"attempt":   "3",
			"ip":        "192.0.2.10",
		},
		Message: "created",
	}
	if diff := cmp.Diff(want, res); diff != "" {
		t.Fatalf("Run (-want +got):\n%s", diff)
	}
}

func TestPending(t *testing.T) {
	res, err := module(t, "pending", script.Config{}).Run(context.Background(), request(provisioning.OpOpen))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(provisioning.Result{Pending: true, Message: "queued at the panel"}, res); diff != "" {
		t.Fatalf("Run (-want +got):\n%s", diff)
	}
}

func TestSyncUsageAndLoginURL(t *testing.T) {
	res, err := module(t, "sync", script.Config{}).Run(context.Background(), request(provisioning.OpSync))
	if err != nil {
		t.Fatal(err)
	}
	want := provisioning.Result{
		Status: provisioning.StatusSuspended,
		// A JSON number keeps the digits it was written with.
		Usage:    map[string]string{"traffic": "12.50", "disk": "3.25"},
		LoginURL: "https://panel.example/login/abc",
	}
	if diff := cmp.Diff(want, res); diff != "" {
		t.Fatalf("Run (-want +got):\n%s", diff)
	}
}

func TestRequestOnStdin(t *testing.T) {
	file := filepath.Join(t.TempDir(), "request.json")
	req := request(provisioning.OpChange)
	req.Change = &provisioning.Change{Tariff: "vps-m", Period: catalog.Period3Months}
	if _, err := module(t, "stdin", script.Config{Env: []string{"REQUEST_FILE=" + file}}).Run(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	want, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Fatalf("the script read\n%s\nwant\n%s", got, want)
	}
	if !strings.Contains(string(got), `"task_id":"`+req.TaskID.String()+`"`) {
		t.Fatalf("the request on stdin has no task_id: %s", got)
	}
}

func TestEnvironmentAndDir(t *testing.T) {
	t.Setenv("BILLKIT_TEST_LEAK", "database-password")
	dir := t.TempDir()
	res, err := module(t, "env", script.Config{Env: []string{"CUSTOM=value=with=equals"}, Dir: dir}).
		Run(context.Background(), request(provisioning.OpOpen))
	if err != nil {
		t.Fatal(err)
	}
	realDir, err := filepath.EvalSymlinks(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"custom": "value=with=equals", "leaked": "unset", "has_path": "yes", "pwd": realDir}
	if diff := cmp.Diff(want, res.Params); diff != "" {
		t.Fatalf("environment seen by the script (-want +got):\n%s", diff)
	}
}

func TestRefusal(t *testing.T) {
	_, err := module(t, "refuse", script.Config{}).Run(context.Background(), request(provisioning.OpOpen))
	moduletest.WantRefusal(t, err, "domain example.com is taken")
}

func TestRetryableErrorAnswer(t *testing.T) {
	_, err := module(t, "retry", script.Config{}).Run(context.Background(), request(provisioning.OpOpen))
	moduletest.WantRetryable(t, err, "script.error", "the panel is busy")
}

func TestExitCode2IsRefusal(t *testing.T) {
	_, err := module(t, "exit2", script.Config{}).Run(context.Background(), request(provisioning.OpOpen))
	moduletest.WantRefusal(t, err, "tariff xl does not exist on this panel")

	// A message on stdout wins over stderr.
	_, err = module(t, "exit2json", script.Config{}).Run(context.Background(), request(provisioning.OpOpen))
	moduletest.WantRefusal(t, err, "quota exceeded")
}

func TestOtherExitIsRetryable(t *testing.T) {
	_, err := module(t, "exit1", script.Config{}).Run(context.Background(), request(provisioning.OpOpen))
	moduletest.WantRetryable(t, err, "script.exit", "exited with code 1", "panic: connection reset by peer")

	_, err = module(t, "killed", script.Config{}).Run(context.Background(), request(provisioning.OpOpen))
	moduletest.WantRetryable(t, err, "script.exit", "killed", "about to die")
}

func TestGarbage(t *testing.T) {
	cases := []struct {
		mode  string
		texts []string
	}{
		{"garbage", []string{"not a JSON object", `stdout begins "hello, this is not JSON"`, "warning: config not found"}},
		{"empty", []string{"stdout: no answer: it is empty", "nothing to say"}},
		{"two", []string{"more after its JSON object"}},
		{"badstatus", []string{`status "done"`}},
		{"badservice", []string{`service_status "frozen"`}},
	}
	for _, c := range cases {
		t.Run(c.mode, func(t *testing.T) {
			_, err := module(t, c.mode, script.Config{}).Run(context.Background(), request(provisioning.OpOpen))
			moduletest.WantRetryable(t, err, "script.bad_answer", c.texts...)
		})
	}
}

func TestHangTimesOut(t *testing.T) {
	m := module(t, "hang", script.Config{Timeout: 200 * time.Millisecond})
	_, err := m.Run(context.Background(), request(provisioning.OpOpen))
	moduletest.WantRetryable(t, err, "script.timeout", "timed out", "connecting to the panel")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error %v does not wrap context.DeadlineExceeded", err)
	}
}

func TestCallerDeadline(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := module(t, "hang", script.Config{}).Run(ctx, request(provisioning.OpOpen))
	moduletest.WantRetryable(t, err, "script.timeout", "timed out")
}

func TestCallerCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := module(t, "ok", script.Config{}).Run(ctx, request(provisioning.OpOpen))
	moduletest.WantRetryable(t, err, "script.cancelled", "cancelled")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v does not wrap context.Canceled", err)
	}
}

func TestHugeOutput(t *testing.T) {
	m := module(t, "huge", script.Config{MaxOutput: 4096})
	_, err := m.Run(context.Background(), request(provisioning.OpOpen))
	moduletest.WantRetryable(t, err, "script.output_too_large", "more than 4096 bytes", "writing a lot")
}

func TestCommandMissing(t *testing.T) {
	m, err := script.New(script.Config{Command: filepath.Join(t.TempDir(), "no-such-program")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = m.Run(context.Background(), request(provisioning.OpOpen))
	moduletest.WantRetryable(t, err, "script.start", "could not be run")
}

func TestNoShell(t *testing.T) {
	// Arguments reach the program as they are: a shell would expand these.
	m, err := script.New(script.Config{Command: "/bin/echo", Args: []string{`{"status":"ok","message":"$HOME;*"}`}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := m.Run(context.Background(), request(provisioning.OpOpen))
	if err != nil {
		t.Fatal(err)
	}
	if res.Message != "$HOME;*" {
		t.Fatalf("message = %q: the argument was changed on its way", res.Message)
	}
}

func TestNewValidates(t *testing.T) {
	_, err := script.New(script.Config{Env: []string{"NOEQUALS", "=x"}, Timeout: -1, MaxOutput: -1})
	var e *billkit.Error
	if !errors.As(err, &e) || e.Code != billkit.CodeInvalid {
		t.Fatalf("New: %v, want invalid", err)
	}
	for _, f := range []string{"command", "env[0]", "env[1]", "timeout", "max_output"} {
		if _, ok := e.Field(f); !ok {
			t.Errorf("New: no error on field %s in %v", f, err)
		}
	}

	m, err := script.New(script.Config{Command: "/bin/true"})
	if err != nil {
		t.Fatal(err)
	}
	if m.Name() != "script" {
		t.Fatalf("default name %q", m.Name())
	}
	m, err = script.New(script.Config{Name: "vmmanager", Command: "/bin/true"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := provisioning.NewRegistry(m); err != nil || m.Name() != "vmmanager" {
		t.Fatalf("named module: %q, %v", m.Name(), err)
	}
}

func TestZeroModule(t *testing.T) {
	var m script.Module
	_, err := m.Run(context.Background(), request(provisioning.OpOpen))
	if !billkit.IsCode(err, billkit.CodeInternal) {
		t.Fatalf("zero Module Run: %v, want internal", err)
	}
}
