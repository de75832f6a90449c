package provisioning_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/provisioning"
	"github.com/google/go-cmp/cmp"
)

// TestLaterAnswerIsWorthTheSynchronousOne opens two services with the same
// answer of their module: one answered at once, the other answered
// "pending" and completed later with that answer (CompletionOf, as a
// webhook's callback does). Both services end the same: the same status,
// the same params, the same note in their history.
func TestLaterAnswerIsWorthTheSynchronousOne(t *testing.T) {
	e := newEnv(t)
	// A long message with a character cut in two at its end: both ways cut
	// it to the same note.
	long := strings.Repeat("né ", 900) + "\xff done"
	res := provisioning.Result{
		Params:   map[string]string{"ip": "192.0.2.44", "login": "u7"},
		Status:   provisioning.StatusActive,
		Usage:    map[string]string{"traffic": "12.5"},
		LoginURL: "https://panel.example/login/u7",
		Message:  long,
	}

	atOnce := e.orderedService(t, billkit.ClientID{})
	e.mod.then(answer(res))
	atOnce = must[*provisioning.Service](t)(e.mgr.OpenService(ctx, admin(), atOnce.ID, ""))
	e.runTasks(t)

	later := e.orderedService(t, billkit.ClientID{})
	e.mod.then(pending())
	later = must[*provisioning.Service](t)(e.mgr.OpenService(ctx, admin(), later.ID, ""))
	e.runTasks(t)
	if tk := e.task(t, later.TaskID); tk.Status != provisioning.TaskWaiting {
		t.Fatalf("task = %+v, want it waiting", tk)
	}
	tk := must[*provisioning.Task](t)(e.mgr.CompleteTask(ctx, billkit.SystemActor("webhook.test"), later.TaskID, provisioning.CompletionOf(res)))
	if tk.Status != provisioning.TaskDone {
		t.Fatalf("task = %+v, want it done", tk)
	}

	a, b := e.service(t, atOnce.ID), e.service(t, later.ID)
	if a.Status != provisioning.StatusActive || b.Status != a.Status || a.Operation != "" || b.Operation != "" {
		t.Fatalf("statuses: at once %s, later %s", a.Status, b.Status)
	}
	if diff := cmp.Diff(a.Params, b.Params); diff != "" || a.Params["login"] != "u7" {
		t.Fatalf("params (-at once +later):\n%s", diff)
	}
	lastA, lastB := lastEvent(t, e, a.ID), lastEvent(t, e, b.ID)
	if lastA.To != provisioning.StatusActive || lastB.To != lastA.To || lastB.Memo != lastA.Memo {
		t.Fatalf("history: at once %+v, later %+v", lastA, lastB)
	}
	if len(lastA.Memo) > 2000 || !utf8.ValidString(lastA.Memo) || !strings.HasPrefix(lastA.Memo, "né né") || !strings.HasSuffix(lastA.Memo, "…") {
		t.Fatalf("the note is %d bytes: %q…", len(lastA.Memo), lastA.Memo[:20])
	}
}

// TestCompletionOf checks what a module's Result completes a task with.
func TestCompletionOf(t *testing.T) {
	params := map[string]string{"ip": "192.0.2.1"}
	got := provisioning.CompletionOf(provisioning.Result{
		Params: params, Status: provisioning.StatusSuspended, Usage: map[string]string{"disk": "3"},
		LoginURL: "https://panel.example/l", Message: "  created \xff ",
	})
	want := provisioning.CompleteTaskParams{Params: params, Message: "created \uFFFD"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("CompletionOf (-want +got):\n%s", diff)
	}
	// A message of exactly the longest note is kept whole; one byte more is
	// cut on a character's boundary.
	exact := strings.Repeat("a", 1998) + "é"
	if got := provisioning.CompletionOf(provisioning.Result{Message: exact}); got.Message != exact {
		t.Fatalf("a 2000-byte message became %d bytes", len(got.Message))
	}
	over := strings.Repeat("a", 1996) + "ééé"
	got = provisioning.CompletionOf(provisioning.Result{Message: over})
	if len(got.Message) > 2000 || !utf8.ValidString(got.Message) || got.Message != strings.Repeat("a", 1996)+"…" {
		t.Fatalf("a %d-byte message became %q", len(over), got.Message[1990:])
	}
}

// TestAnswerWithParamsBillkitCannotKeep answers the same params billkit
// cannot keep at once and later: at once, the task fails for staff to see;
// later, CompleteTask refuses them, naming the field. Neither way keeps
// anything of them.
func TestAnswerWithParamsBillkitCannotKeep(t *testing.T) {
	e := newEnv(t)
	bad := provisioning.Result{Params: map[string]string{"ip": "192.0.2.9", "a b": "x"}, Message: "opened"}

	atOnce := e.orderedService(t, billkit.ClientID{})
	e.mod.then(answer(bad))
	atOnce = must[*provisioning.Service](t)(e.mgr.OpenService(ctx, admin(), atOnce.ID, ""))
	e.runTasks(t)
	tk := e.task(t, atOnce.TaskID)
	if tk.Status != provisioning.TaskFailed || tk.Attempts != 1 || !strings.Contains(tk.LastError, "params[a b]") {
		t.Fatalf("task = %+v, want it failed naming params[a b]", tk)
	}
	// What the module answered is kept for staff: the work is done.
	if !strings.Contains(tk.LastError, `"ip":"192.0.2.9"`) {
		t.Fatalf("the task's error %q does not keep the module's params", tk.LastError)
	}
	if s := e.service(t, atOnce.ID); s.Status != provisioning.StatusProcessing || s.Params["ip"] != "" {
		t.Fatalf("service = %+v, want it processing without the params", s)
	}
	// Staff who know better complete it with params billkit keeps.
	must[*provisioning.Task](t)(e.mgr.CompleteTask(ctx, admin(), tk.ID, provisioning.CompleteTaskParams{Params: map[string]string{"ip": "192.0.2.9"}}))
	if s := e.service(t, atOnce.ID); s.Status != provisioning.StatusActive || s.Params["ip"] != "192.0.2.9" {
		t.Fatalf("service = %+v", s)
	}

	later := e.orderedService(t, billkit.ClientID{})
	e.mod.then(pending())
	later = must[*provisioning.Service](t)(e.mgr.OpenService(ctx, admin(), later.ID, ""))
	e.runTasks(t)
	before := e.task(t, later.TaskID)
	events := len(e.events(t, later.ID))
	_, err := e.mgr.CompleteTask(ctx, admin(), later.TaskID, provisioning.CompletionOf(bad))
	wantField(t, err, "params[a b]", "provisioning.param_key_invalid")
	// Staff's own message is checked, not cut.
	_, err = e.mgr.CompleteTask(ctx, admin(), later.TaskID, provisioning.CompleteTaskParams{Message: strings.Repeat("x", 2001)})
	wantField(t, err, "message", "too_long")
	after := e.task(t, later.TaskID)
	s := e.service(t, later.ID)
	if after.Status != provisioning.TaskWaiting || !after.UpdatedAt.Equal(before.UpdatedAt) || s.Status != provisioning.StatusProcessing ||
		s.Params["ip"] != "" || len(e.events(t, later.ID)) != events {
		t.Fatalf("refused completions changed something: task %+v, service %+v", after, s)
	}
}

func lastEvent(t *testing.T, e *env, id provisioning.ServiceID) provisioning.ServiceEvent {
	t.Helper()
	evs := e.events(t, id)
	if len(evs) == 0 {
		t.Fatal("no history")
	}
	return evs[len(evs)-1]
}
