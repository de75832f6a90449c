package api

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/catalog"
	"github.com/billkit/billkit/provisioning"
	"github.com/billkit/billkit/provisioning/webhook"
)

// postCallback posts a module's callback with the signature header given
// ("" for none), without any credential, as a remote system on another
// origin would: the cross-origin check must let it through.
func postCallback(t *testing.T, h http.Handler, module, body, signature string) response {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, v1+"/provisioning/callbacks/"+module, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", "https://panel.example.net")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if signature != "" {
		req.Header.Set(webhook.SignatureHeader, signature)
	}
	req.RemoteAddr = remote
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.String()}
}

// hookService orders a service of tariff hook-1 for client A, paid from
// the balance, and runs its open task, which waits for the module "hook"
// to call back. It returns the service and its task.
func (w *provWorld) hookService(t *testing.T) (provisioning.ServiceID, provisioning.TaskID) {
	t.Helper()
	ctx := context.Background()
	o, err := w.prov.CreateOrder(ctx, system, provisioning.CreateOrderParams{ClientID: w.clientA,
		Items: []provisioning.OrderItemParams{{TariffID: w.f.prov.hook1, Period: catalog.PeriodMonth}}})
	if err != nil {
		t.Fatal(err)
	}
	id := o.Items[0].ServiceIDs[0]
	w.runTasks(t)
	svc, err := w.prov.GetService(ctx, system, id)
	if err != nil {
		t.Fatal(err)
	}
	task := w.task(t, svc.TaskID)
	if task.Status != provisioning.TaskWaiting || task.Module != "hook" {
		t.Fatalf("hook task: %+v", task)
	}
	return id, task.ID
}

func (w *world) task(t *testing.T, id provisioning.TaskID) *provisioning.Task {
	t.Helper()
	task, err := w.prov.GetTask(context.Background(), system, id)
	if err != nil {
		t.Fatal(err)
	}
	return task
}

func (w *world) service(t *testing.T, id provisioning.ServiceID) *provisioning.Service {
	t.Helper()
	svc, err := w.prov.GetService(context.Background(), system, id)
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

func (w *world) events(t *testing.T, id provisioning.ServiceID) int {
	t.Helper()
	p, err := w.prov.ListServiceEvents(context.Background(), system, provisioning.ServiceEventFilter{ServiceID: id})
	if err != nil {
		t.Fatal(err)
	}
	return len(p.Items)
}

// TestModuleCallback completes and fails waiting tasks with signed
// callbacks, and checks that unsigned, badly signed, late and misdirected
// callbacks are refused and change nothing.
func TestModuleCallback(t *testing.T) {
	w := newProvWorld(t)
	svcID, taskID := w.hookService(t)
	// Time passes, so that a write would show in updated_at.
	now := w.clock.Advance(time.Minute)
	ok := `{"task_id":"` + taskID.String() + `","status":"ok","params":{"ip":"203.0.113.5"},"message":"opened"}`
	// The fixture's task of the module "test" ran with the hook's; it is
	// another module's task.
	other := w.f.prov.task
	if w.task(t, other).Module != "test" {
		t.Fatal("the fixture task is not of the module test")
	}
	otherBody := `{"task_id":"` + other.String() + `","status":"ok"}`
	before := *w.task(t, taskID)

	for _, c := range []struct {
		name, module, body, signature string
		status                        int
		reason                        string
	}{
		{"unsigned", "hook", ok, "", 401, "webhook.signature_missing"},
		{"malformed signature", "hook", ok, "t=1,v1=zz", 401, "webhook.signature_malformed"},
		{"another secret", "hook", ok, webhook.Sign(otherSecret, now, []byte(ok)), 401, "webhook.signature_invalid"},
		{"another body", "hook", ok, webhook.Sign(hookSecret, now, []byte(otherBody)), 401, "webhook.signature_invalid"},
		{"too old", "hook", ok, webhook.Sign(hookSecret, now.Add(-10*time.Minute), []byte(ok)), 401, "webhook.signature_expired"},
		{"module without a secret", "nosecret", ok, webhook.Sign(hookSecret, now, []byte(ok)), 404, "module.not_found"},
		{"signed by another module", "other", ok, webhook.Sign(otherSecret, now, []byte(ok)), 404, "task.not_found"},
		{"another module's task", "hook", otherBody, webhook.Sign(hookSecret, now, []byte(otherBody)), 404, "task.not_found"},
		{"unknown task", "hook", `{"task_id":"` + billkit.NewID[provisioning.Task]().String() + `","status":"ok"}`, "", 404, "task.not_found"},
		{"not JSON", "hook", `task done`, "", 400, "webhook.callback_malformed"},
		{"bad status", "hook", `{"task_id":"` + taskID.String() + `","status":"done"}`, "", 400, "webhook.callback_status"},
	} {
		t.Run(c.name, func(t *testing.T) {
			sig := c.signature
			if sig == "" && c.reason != "webhook.signature_missing" {
				sig = webhook.Sign(hookSecret, now, []byte(c.body))
			}
			mustFieldError(t, postCallback(t, w.h, c.module, c.body, sig), c.status, c.reason, "")
		})
	}
	if after := w.task(t, taskID); after.Status != provisioning.TaskWaiting || !after.UpdatedAt.Equal(before.UpdatedAt) {
		t.Fatalf("refused callbacks changed the task: %+v", after)
	}
	if w.task(t, other).Status != provisioning.TaskDone || w.service(t, svcID).Status != provisioning.StatusProcessing {
		t.Fatal("refused callbacks changed a service or another task")
	}

	// A good callback completes the task; the service opens with the params.
	sig := webhook.Sign(hookSecret, now, []byte(ok))
	done := decodeAs[provisioning.Task](t, answered(t, postCallback(t, w.h, "hook", ok, sig), 200))
	if done.ID != taskID || done.Status != provisioning.TaskDone {
		t.Fatalf("completed task: %+v", done)
	}
	svc := w.service(t, svcID)
	if svc.Status != provisioning.StatusActive || svc.Params["ip"] != "203.0.113.5" {
		t.Fatalf("service after the callback: %+v", svc)
	}
	events := w.events(t, svcID)

	// The same callback again, as a remote system that did not hear the
	// answer would send it, changes nothing.
	w.clock.Advance(time.Minute)
	again := decodeAs[provisioning.Task](t, answered(t, postCallback(t, w.h, "hook", ok, sig), 200))
	if again.Status != provisioning.TaskDone || !again.UpdatedAt.Equal(done.UpdatedAt) || w.events(t, svcID) != events {
		t.Fatalf("a repeated callback changed something: %+v", again)
	}
}

// TestModuleCallbackError fails a waiting task with an error callback,
// takes the same callback again as a repeat, and lets a later "ok"
// complete the failed task.
func TestModuleCallbackError(t *testing.T) {
	w := newProvWorld(t)
	svcID, taskID := w.hookService(t)
	now := w.clock.Advance(time.Minute)
	msg := strings.Repeat("disk full; ", 300) // longer than a task keeps
	bad := `{"task_id":"` + taskID.String() + `","status":"error","message":"` + msg + `"}`
	sig := webhook.Sign(hookSecret, now, []byte(bad))

	failed := decodeAs[provisioning.Task](t, answered(t, postCallback(t, w.h, "hook", bad, sig), 200))
	if failed.Status != provisioning.TaskFailed || !strings.Contains(failed.LastError, "disk full") || len(failed.LastError) > maxNote {
		t.Fatalf("failed task: status %s, error of %d bytes", failed.Status, len(failed.LastError))
	}
	if svc := w.service(t, svcID); svc.Status != provisioning.StatusProcessing {
		t.Fatalf("service after the error: %s", svc.Status)
	}
	w.clock.Advance(time.Minute)
	again := decodeAs[provisioning.Task](t, answered(t, postCallback(t, w.h, "hook", bad, sig), 200))
	if again.Status != provisioning.TaskFailed || !again.UpdatedAt.Equal(failed.UpdatedAt) {
		t.Fatalf("a repeated error callback changed the task: %+v", again)
	}

	ok := `{"task_id":"` + taskID.String() + `","status":"ok"}`
	done := decodeAs[provisioning.Task](t, answered(t, postCallback(t, w.h, "hook", ok, webhook.Sign(hookSecret, now, []byte(ok))), 200))
	if done.Status != provisioning.TaskDone || w.service(t, svcID).Status != provisioning.StatusActive {
		t.Fatalf("an ok after the error: %+v", done)
	}
}

// answered checks the status of a response made by hand.
func answered(t *testing.T, r response, status int) response {
	t.Helper()
	mustStatus(t, r, status)
	return r
}

// TestModuleCallbackCarriesTheWholeAnswer completes a waiting task with a
// callback that carries every field of an answer given at once, as staff
// then see it through the API: refused values first (each a 400 naming the
// field, changing nothing), then the answer, then its repeat.
func TestModuleCallbackCarriesTheWholeAnswer(t *testing.T) {
	w := newProvWorld(t)
	svcID, taskID := w.hookService(t)
	now := w.clock.Advance(time.Minute)
	svcPath := v1 + "/services/" + svcID.String()
	history := func() []provisioning.ServiceEvent {
		t.Helper()
		return decodeAs[List[provisioning.ServiceEvent]](t, send(t, w.asStaff, "GET", svcPath+"/history", "", 200)).Items
	}
	body := func(rest string) string { return `{"task_id":"` + taskID.String() + `","status":"ok",` + rest + `}` }
	before, events := *w.task(t, taskID), len(history())

	for _, c := range []struct {
		name, body, reason, field string
	}{
		{"a param key with a space", body(`"params":{"ip":"203.0.113.9","a b":"x"}`), "provisioning.param_key_invalid", "params[a b]"},
		{"a param value too long", body(`"params":{"ip":"` + strings.Repeat("9", 4097) + `"}`), "provisioning.param_value_invalid", "params[ip]"},
		{"an unknown service status", body(`"service_status":"frozen"`), "webhook.service_status", "service_status"},
		{"usage that is not a quantity", body(`"usage":{"traffic":[12]}`), "webhook.callback_malformed", "body"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := postCallback(t, w.h, "hook", c.body, webhook.Sign(hookSecret, now, []byte(c.body)))
			mustFieldError(t, r, 400, c.reason, c.field)
		})
	}
	if after := w.task(t, taskID); after.Status != provisioning.TaskWaiting || !after.UpdatedAt.Equal(before.UpdatedAt) {
		t.Fatalf("refused callbacks changed the task: %+v", after)
	}
	if svc := w.service(t, svcID); svc.Status != provisioning.StatusProcessing || svc.Params["ip"] != "" || len(history()) != events {
		t.Fatalf("refused callbacks changed the service: %+v", svc)
	}

	ok := body(`"params":{"ip":"203.0.113.9","login":"u1042"},"service_status":"active","usage":{"traffic":"12.5","disk":3},` +
		`"login_url":"https://panel.example.net/login/u1042","message":"opened on node 3"`)
	sig := webhook.Sign(hookSecret, now, []byte(ok))
	done := decodeAs[provisioning.Task](t, answered(t, postCallback(t, w.h, "hook", ok, sig), 200))
	if done.Status != provisioning.TaskDone {
		t.Fatalf("task after the callback: %+v", done)
	}
	svc := decodeAs[provisioning.Service](t, send(t, w.asStaff, "GET", svcPath, "", 200))
	if svc.Status != provisioning.StatusActive || svc.Params["ip"] != "203.0.113.9" || svc.Params["login"] != "u1042" || svc.Operation != "" {
		t.Fatalf("service after the callback: %+v", svc)
	}
	evs := history()
	if last := evs[len(evs)-1]; last.From != provisioning.StatusProcessing || last.To != provisioning.StatusActive || last.Memo != "opened on node 3" {
		t.Fatalf("the history ends with %+v", last)
	}

	// The same callback again changes nothing.
	w.clock.Advance(time.Minute)
	again := decodeAs[provisioning.Task](t, answered(t, postCallback(t, w.h, "hook", ok, sig), 200))
	if again.Status != provisioning.TaskDone || !again.UpdatedAt.Equal(done.UpdatedAt) || len(history()) != len(evs) {
		t.Fatalf("a repeated callback changed something: %+v", again)
	}
	if s := w.service(t, svcID); !s.UpdatedAt.Equal(svc.UpdatedAt) {
		t.Fatalf("a repeated callback changed the service: %+v", s)
	}
}

// TestCompleteTaskChecksParamsAsAnAnswer has staff complete a waiting task
// by hand: the params they give are checked as a module's answer is.
func TestCompleteTaskChecksParamsAsAnAnswer(t *testing.T) {
	w := newProvWorld(t)
	svcID, taskID := w.hookService(t)
	path := v1 + "/tasks/" + taskID.String() + "/complete"
	mustFieldError(t, call(t, w.asStaff, loopback, "POST", path, `{"params":{"a b":"x"}}`), 400, "provisioning.param_key_invalid", "params[a b]")
	if w.task(t, taskID).Status != provisioning.TaskWaiting || w.service(t, svcID).Status != provisioning.StatusProcessing {
		t.Fatal("a refused completion changed something")
	}
	done := decodeAs[provisioning.Task](t, send(t, w.asStaff, "POST", path, `{"params":{"ip":"203.0.113.9"},"message":"done by hand"}`, 200))
	if s := w.service(t, svcID); done.Status != provisioning.TaskDone || s.Status != provisioning.StatusActive || s.Params["ip"] != "203.0.113.9" {
		t.Fatalf("task %+v, service %+v", done, s)
	}
}
