package provisioning_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/provisioning"
)

func TestOpenRetriesWithBackoffThenSucceedsOnce(t *testing.T) {
	e := newEnv(t)
	svc := e.orderedService(t, billkit.ClientID{})
	e.mod.then(failTimes(3, "connection refused")...)
	svc = must[*provisioning.Service](t)(e.mgr.OpenService(ctx, admin(), svc.ID, "opened by hand"))
	if svc.Status != provisioning.StatusProcessing || svc.Operation != provisioning.OpOpen || svc.PrevStatus != provisioning.StatusOrdered || svc.TaskID.IsZero() {
		t.Fatalf("service = %+v", svc)
	}
	id := svc.TaskID
	tk := e.task(t, id)
	if tk.Status != provisioning.TaskQueued || tk.Module != "test" || tk.MaxAttempts != 8 || tk.Attempts != 0 || !tk.NextRunAt.Equal(e.clock.Now()) {
		t.Fatalf("task = %+v", tk)
	}

	for i, wait := range []time.Duration{time.Minute, 5 * time.Minute, 15 * time.Minute} {
		if n := e.runTasks(t); n != 1 {
			t.Fatalf("run %d: %d tasks ran", i+1, n)
		}
		tk = e.task(t, id)
		wantErr := "connection refused " + string(rune('1'+i))
		if tk.Status != provisioning.TaskQueued || tk.Attempts != i+1 || tk.LastError != wantErr || !tk.NextRunAt.Equal(e.clock.Now().Add(wait)) {
			t.Fatalf("after attempt %d: task = %+v, want a retry in %s", i+1, tk, wait)
		}
		if s := e.service(t, svc.ID); s.Status != provisioning.StatusProcessing {
			t.Fatalf("after attempt %d: service is %s", i+1, s.Status)
		}
		// Not due yet: a second before the backoff ends nothing runs.
		e.clock.Advance(wait - time.Second)
		if n := e.runTasks(t); n != 0 {
			t.Fatalf("a retry ran %s early", time.Second)
		}
		e.clock.Advance(time.Second)
	}
	if n := e.runTasks(t); n != 1 {
		t.Fatalf("the last attempt did not run: %d", n)
	}
	if n := e.runTasks(t); n != 0 {
		t.Fatalf("a done task ran again")
	}

	tk = e.task(t, id)
	if tk.Status != provisioning.TaskDone || tk.Attempts != 4 || tk.LastError != "" || tk.FinishedAt.IsZero() {
		t.Fatalf("task = %+v", tk)
	}
	got := e.service(t, svc.ID)
	if got.Status != provisioning.StatusActive || got.Operation != "" || !got.TaskID.IsZero() || got.PrevStatus != "" || got.Params["ip"] != "203.0.113.7" {
		t.Fatalf("service = %+v", got)
	}
	// The module saw exactly the four calls the retries made, all with the
	// task's idempotency key, numbered.
	reqs := e.mod.requests()
	opens := 0
	for _, r := range reqs {
		if r.Operation != provisioning.OpOpen {
			continue
		}
		opens++
		if r.TaskID != id || r.Attempt != opens || r.Service.ID != svc.ID || r.Service.Tariff != "vps-1" || r.Server != nil {
			t.Fatalf("open request %d = %+v", opens, r)
		}
	}
	if opens != 4 {
		t.Fatalf("the module saw %d opens, want 4", opens)
	}
	atts := e.attempts(t, id)
	if len(atts) != 4 {
		t.Fatalf("attempts = %+v", atts)
	}
	for i, a := range atts {
		outcome, msg := "retry", "connection refused "+string(rune('1'+i))
		if i == 3 {
			outcome, msg = "done", ""
		}
		if a.Attempt != i+1 || a.Outcome != outcome || a.Error != msg {
			t.Fatalf("attempt %d = %+v", i+1, a)
		}
	}
	// The history: created, ordered → processing, processing → active.
	evs := e.events(t, svc.ID)
	if len(evs) != 3 || evs[1].From != provisioning.StatusOrdered || evs[1].To != provisioning.StatusProcessing || evs[1].Memo != "opened by hand" ||
		evs[2].From != provisioning.StatusProcessing || evs[2].To != provisioning.StatusActive || evs[2].ActorKind != billkit.ActorSystem {
		t.Fatalf("events = %+v", evs)
	}
	if e.actions(t, "provisioning.service.open", svc.ID.String()) != 1 || e.actions(t, "provisioning.service.complete", svc.ID.String()) != 1 ||
		e.actions(t, "provisioning.task.retry", id.String()) != 3 || e.actions(t, "provisioning.task.done", id.String()) != 1 {
		t.Fatal("actions missing")
	}
}

func TestRefusedTaskFailsThenSkip(t *testing.T) {
	e := newEnv(t)
	svc := e.orderedService(t, billkit.ClientID{})
	e.mod.then(refuse("the name is taken"))
	svc = must[*provisioning.Service](t)(e.mgr.OpenService(ctx, admin(), svc.ID, ""))
	e.runTasks(t)
	tk := e.task(t, svc.TaskID)
	if tk.Status != provisioning.TaskFailed || tk.Attempts != 1 || tk.LastError != "the name is taken" {
		t.Fatalf("task = %+v", tk)
	}
	if s := e.service(t, svc.ID); s.Status != provisioning.StatusProcessing || s.TaskID != tk.ID {
		t.Fatalf("service = %+v, want it still processing", s)
	}
	// A failed task waits for staff: the scheduler leaves it.
	e.clock.Advance(24 * time.Hour)
	if n := e.runTasks(t); n != 0 {
		t.Fatalf("a failed task ran")
	}
	if a := e.attempts(t, tk.ID); len(a) != 1 || a[0].Outcome != "failed" || a[0].Error != "the name is taken" {
		t.Fatalf("attempts = %+v", a)
	}

	// Staff did it by hand.
	tk = must[*provisioning.Task](t)(e.mgr.SkipTask(ctx, admin(), tk.ID, "renamed and opened on the panel"))
	if tk.Status != provisioning.TaskSkipped || tk.FinishedAt.IsZero() || tk.LastError != "" {
		t.Fatalf("skipped = %+v", tk)
	}
	s := e.service(t, svc.ID)
	if s.Status != provisioning.StatusActive || s.Operation != "" || !s.TaskID.IsZero() {
		t.Fatalf("service = %+v", s)
	}
	if e.mod.callsOf(provisioning.OpOpen) != 1 {
		t.Fatalf("skip called the module")
	}
	evs := e.events(t, svc.ID)
	if last := evs[len(evs)-1]; last.To != provisioning.StatusActive || last.Memo != "renamed and opened on the panel" || last.ActorID != "alice" {
		t.Fatalf("last event = %+v", last)
	}
	// A settled task cannot be settled again.
	_, err := e.mgr.CancelTask(ctx, admin(), tk.ID, "")
	wantCode(t, err, billkit.CodeFailedPrecondition, provisioning.ReasonTaskTransition)
}

func TestOutOfAttemptsFailsThenRetry(t *testing.T) {
	e := newEnv(t, withConfig(func(c *provisioning.Config) {
		c.MaxAttempts = 2
		c.Backoff = func(int) time.Duration { return time.Minute }
	}))
	svc := e.activeService(t, billkit.ClientID{}, provisioning.ServerID{})
	e.mod.then(failTimes(2, "503")...)
	svc = must[*provisioning.Service](t)(e.mgr.SuspendService(ctx, admin(), svc.ID, provisioning.SuspendAbuse, "spam"))
	e.runTasks(t)
	e.clock.Advance(time.Minute)
	e.runTasks(t)
	tk := e.task(t, svc.TaskID)
	if tk.Status != provisioning.TaskFailed || tk.Attempts != 2 || tk.LastError != "503 2" {
		t.Fatalf("task = %+v", tk)
	}
	tk = must[*provisioning.Task](t)(e.mgr.RetryTask(ctx, admin(), tk.ID))
	if tk.Status != provisioning.TaskQueued || tk.MaxAttempts != 4 || !tk.NextRunAt.Equal(e.clock.Now()) {
		t.Fatalf("retried = %+v", tk)
	}
	if n := e.runTasks(t); n != 1 {
		t.Fatalf("%d ran", n)
	}
	tk = e.task(t, tk.ID)
	s := e.service(t, svc.ID)
	if tk.Status != provisioning.TaskDone || tk.Attempts != 3 || s.Status != provisioning.StatusSuspended ||
		s.SuspendReason != provisioning.SuspendAbuse || s.SuspendedOn != billkit.DateOf(e.clock.Now()) {
		t.Fatalf("task = %+v, service = %+v", tk, s)
	}
	if n := len(e.attempts(t, tk.ID)); n != 3 {
		t.Fatalf("%d attempts", n)
	}
}

func TestCancelTaskRevertsTheService(t *testing.T) {
	e := newEnv(t)
	svc := e.activeService(t, billkit.ClientID{}, provisioning.ServerID{})
	e.mod.then(pending())
	svc = must[*provisioning.Service](t)(e.mgr.SuspendService(ctx, admin(), svc.ID, provisioning.SuspendStaff, ""))
	if svc.SuspendReason != provisioning.SuspendStaff {
		t.Fatalf("the reason does not show while suspending: %+v", svc)
	}
	e.runTasks(t)
	tk := e.task(t, svc.TaskID)
	if tk.Status != provisioning.TaskWaiting || tk.LastError != "" {
		t.Fatalf("task = %+v", tk)
	}
	// Waiting is not due: nothing reruns it.
	e.clock.Advance(time.Hour)
	if n := e.runTasks(t); n != 0 {
		t.Fatal("a waiting task ran")
	}
	tk = must[*provisioning.Task](t)(e.mgr.CancelTask(ctx, admin(), tk.ID, "not needed"))
	if tk.Status != provisioning.TaskCancelled {
		t.Fatalf("task = %+v", tk)
	}
	s := e.service(t, svc.ID)
	if s.Status != provisioning.StatusActive || s.SuspendReason != "" || s.Operation != "" || !s.TaskID.IsZero() || s.PrevStatus != "" {
		t.Fatalf("service = %+v", s)
	}
	if e.actions(t, "provisioning.service.cancel", svc.ID.String()) != 1 {
		t.Fatal("no cancel action")
	}
	// The service can move again.
	must[*provisioning.Service](t)(e.mgr.SuspendService(ctx, admin(), svc.ID, provisioning.SuspendStaff, ""))
}

func TestCompleteAndFailWaitingTasks(t *testing.T) {
	e := newEnv(t)
	svc := e.activeService(t, billkit.ClientID{}, provisioning.ServerID{})
	e.mod.then(pending())
	svc = must[*provisioning.Service](t)(e.mgr.SuspendService(ctx, admin(), svc.ID, provisioning.SuspendTemporary, ""))
	e.runTasks(t)
	tk := must[*provisioning.Task](t)(e.mgr.CompleteTask(ctx, admin(), svc.TaskID, provisioning.CompleteTaskParams{
		Params: map[string]string{"note": "stopped"}, Message: "done on the panel",
	}))
	s := e.service(t, svc.ID)
	if tk.Status != provisioning.TaskDone || s.Status != provisioning.StatusSuspended || s.SuspendReason != provisioning.SuspendTemporary ||
		s.Params["note"] != "stopped" || s.Params["remote_id"] != "42" {
		t.Fatalf("task = %+v, service = %+v", tk, s)
	}

	// Resuming, the panel answers later, with an error.
	e.mod.then(pending())
	svc = must[*provisioning.Service](t)(e.mgr.ResumeService(ctx, admin(), svc.ID, ""))
	e.runTasks(t)
	_, err := e.mgr.FailTask(ctx, admin(), svc.TaskID, " ")
	wantField(t, err, "message", "required")
	tk = must[*provisioning.Task](t)(e.mgr.FailTask(ctx, admin(), svc.TaskID, "the panel lost it"))
	if tk.Status != provisioning.TaskFailed || tk.LastError != "the panel lost it" {
		t.Fatalf("task = %+v", tk)
	}
	_, err = e.mgr.FailTask(ctx, admin(), svc.TaskID, "again")
	wantCode(t, err, billkit.CodeFailedPrecondition, provisioning.ReasonTaskTransition)
	// Retried, it goes through.
	must[*provisioning.Task](t)(e.mgr.RetryTask(ctx, admin(), svc.TaskID))
	e.runTasks(t)
	s = e.service(t, svc.ID)
	if s.Status != provisioning.StatusActive || s.SuspendReason != "" || !s.SuspendedOn.IsZero() {
		t.Fatalf("service = %+v", s)
	}
	_, err = e.mgr.CompleteTask(ctx, admin(), svc.TaskID, provisioning.CompleteTaskParams{})
	wantCode(t, err, billkit.CodeFailedPrecondition, provisioning.ReasonTaskTransition)
	_, err = e.mgr.CompleteTask(ctx, admin(), provisioning.TaskID{}, provisioning.CompleteTaskParams{})
	wantCode(t, err, billkit.CodeNotFound, "task.not_found")
}

func TestManualModuleWaitsOnItsDepartment(t *testing.T) {
	e := newEnv(t)
	svc := e.activeService(t, billkit.ClientID{}, provisioning.ServerID{})
	// The product type's module changes to manual: the next operation is
	// a task for the ops department.
	doc := vpsDoc()
	doc.Module = "manual"
	if _, err := e.cat.UpdateProductType(ctx, system, e.vps.ID, doc); err != nil {
		t.Fatal(err)
	}
	svc = must[*provisioning.Service](t)(e.mgr.SuspendService(ctx, admin(), svc.ID, provisioning.SuspendStaff, ""))
	e.runTasks(t)
	tk := e.task(t, svc.TaskID)
	if tk.Module != "manual" || tk.Status != provisioning.TaskWaiting || tk.Department != "ops" {
		t.Fatalf("task = %+v", tk)
	}
}

func TestHangingModuleIsRetried(t *testing.T) {
	e := newEnv(t, withConfig(func(c *provisioning.Config) { c.ModuleTimeout = 20 * time.Millisecond }))
	svc := e.activeService(t, billkit.ClientID{}, provisioning.ServerID{})
	e.mod.then(hang())
	svc = must[*provisioning.Service](t)(e.mgr.SuspendService(ctx, admin(), svc.ID, provisioning.SuspendStaff, ""))
	if n := e.runTasks(t); n != 1 {
		t.Fatalf("%d ran", n)
	}
	tk := e.task(t, svc.TaskID)
	if tk.Status != provisioning.TaskQueued || tk.Attempts != 1 || !strings.Contains(tk.LastError, "did not answer") {
		t.Fatalf("task = %+v", tk)
	}
	a := e.attempts(t, tk.ID)
	if len(a) != 1 || a[0].Outcome != "retry" {
		t.Fatalf("attempts = %+v", a)
	}
	e.clock.Advance(time.Minute)
	e.runTasks(t)
	if s := e.service(t, svc.ID); s.Status != provisioning.StatusSuspended {
		t.Fatalf("service = %+v", s)
	}
}

// sulkyModule ignores its context and never answers until released.
type sulkyModule struct{ release chan struct{} }

func (sulkyModule) Name() string { return "sulky" }

func (m sulkyModule) Run(context.Context, provisioning.Request) (provisioning.Result, error) {
	<-m.release
	return provisioning.Result{}, nil
}

func TestModuleIgnoringItsContextIsAbandoned(t *testing.T) {
	sulky := sulkyModule{release: make(chan struct{})}
	defer close(sulky.release)
	e := newEnv(t, withModules(sulky), withConfig(func(c *provisioning.Config) { c.ModuleTimeout = 20 * time.Millisecond }))
	doc := vpsDoc()
	doc.Module = "sulky"
	if _, err := e.cat.UpdateProductType(ctx, system, e.vps.ID, doc); err != nil {
		t.Fatal(err)
	}
	svc := e.activeService(t, billkit.ClientID{}, provisioning.ServerID{})
	svc = must[*provisioning.Service](t)(e.mgr.SuspendService(ctx, admin(), svc.ID, provisioning.SuspendStaff, ""))
	e.runTasks(t)
	if tk := e.task(t, svc.TaskID); tk.Status != provisioning.TaskQueued || !strings.Contains(tk.LastError, "did not answer") {
		t.Fatalf("task = %+v", tk)
	}
}

func TestPanickingModuleIsRetried(t *testing.T) {
	e := newEnv(t)
	svc := e.activeService(t, billkit.ClientID{}, provisioning.ServerID{})
	e.mod.then(panics("nil map"))
	svc = must[*provisioning.Service](t)(e.mgr.SuspendService(ctx, admin(), svc.ID, provisioning.SuspendStaff, ""))
	e.runTasks(t)
	tk := e.task(t, svc.TaskID)
	if tk.Status != provisioning.TaskQueued || !strings.Contains(tk.LastError, "panicked: nil map") {
		t.Fatalf("task = %+v", tk)
	}
	e.clock.Advance(time.Minute)
	e.runTasks(t)
	if s := e.service(t, svc.ID); s.Status != provisioning.StatusSuspended {
		t.Fatalf("service = %+v", s)
	}
}

func TestUnregisteredModuleFailsTheTask(t *testing.T) {
	e := newEnv(t)
	svc := e.activeService(t, billkit.ClientID{}, provisioning.ServerID{})
	doc := vpsDoc()
	doc.Module = "gone"
	if _, err := e.cat.UpdateProductType(ctx, system, e.vps.ID, doc); err != nil {
		t.Fatal(err)
	}
	svc = must[*provisioning.Service](t)(e.mgr.SuspendService(ctx, admin(), svc.ID, provisioning.SuspendStaff, ""))
	e.runTasks(t)
	if tk := e.task(t, svc.TaskID); tk.Status != provisioning.TaskFailed || !strings.Contains(tk.LastError, "gone") {
		t.Fatalf("task = %+v", tk)
	}
}

func TestDeleteReleasesTheServerSlot(t *testing.T) {
	e := newEnv(t)
	srv := e.server(t, "node1", 1)
	svc := e.activeService(t, billkit.ClientID{}, srv.ID)
	if got := must[*provisioning.Server](t)(e.mgr.GetServer(ctx, system, srv.ID)); got.Load != 1 {
		t.Fatalf("load = %d", got.Load)
	}
	svc = must[*provisioning.Service](t)(e.mgr.DeleteService(ctx, admin(), svc.ID, provisioning.DeleteParams{}))
	if svc.Status != provisioning.StatusProcessing || svc.Operation != provisioning.OpDelete || e.task(t, svc.TaskID).Module != "test" {
		t.Fatalf("service = %+v", svc)
	}
	// Busy: nothing else starts.
	_, err := e.mgr.DeleteService(ctx, admin(), svc.ID, provisioning.DeleteParams{})
	wantCode(t, err, billkit.CodeFailedPrecondition, provisioning.ReasonServiceBusy)
	e.runTasks(t)
	if s := e.service(t, svc.ID); s.Status != provisioning.StatusDeleted || s.ServerID != srv.ID {
		t.Fatalf("service = %+v", s)
	}
	if got := must[*provisioning.Server](t)(e.mgr.GetServer(ctx, system, srv.ID)); got.Load != 0 {
		t.Fatalf("load after delete = %d", got.Load)
	}
	_, err = e.mgr.DeleteService(ctx, admin(), svc.ID, provisioning.DeleteParams{})
	wantCode(t, err, billkit.CodeFailedPrecondition, provisioning.ReasonOperationNotAllowed)
}

// recordingQueue records the tasks enqueued, and the transaction's store.
type recordingQueue struct {
	mu    sync.Mutex
	tasks []provisioning.TaskID
}

func (q *recordingQueue) Enqueue(_ context.Context, tx provisioning.Store, t *provisioning.Task) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if tx == nil {
		return billkit.Errorf(billkit.CodeInternal, "test.no_tx", "no transaction")
	}
	q.tasks = append(q.tasks, t.ID)
	return nil
}

func TestQueueGetsTasksAndRetries(t *testing.T) {
	q := &recordingQueue{}
	e := newEnv(t, withConfig(func(c *provisioning.Config) { c.Queue = q }))
	svc := e.activeService(t, billkit.ClientID{}, provisioning.ServerID{})
	e.mod.then(fail("later"))
	svc = must[*provisioning.Service](t)(e.mgr.SuspendService(ctx, admin(), svc.ID, provisioning.SuspendStaff, ""))
	if err := e.mgr.RunTask(ctx, svc.TaskID); err != nil {
		t.Fatal(err)
	}
	// The start and the retry were both handed to the queue.
	if len(q.tasks) != 2 || q.tasks[0] != svc.TaskID || q.tasks[1] != svc.TaskID {
		t.Fatalf("enqueued = %v", q.tasks)
	}
	// RunTask of a task that is not due does nothing.
	if err := e.mgr.RunTask(ctx, svc.TaskID); err != nil {
		t.Fatal(err)
	}
	if e.mod.callsOf(provisioning.OpSuspend) != 1 {
		t.Fatal("a task ran before its time")
	}
	wantCode(t, e.mgr.RunTask(ctx, provisioning.TaskID{}), billkit.CodeNotFound, "task.not_found")
}

func TestStaffHandsNeedRights(t *testing.T) {
	e := newEnv(t)
	svc := e.activeService(t, billkit.ClientID{}, provisioning.ServerID{})
	e.mod.then(refuse("no"))
	svc = must[*provisioning.Service](t)(e.mgr.SuspendService(ctx, admin(), svc.ID, provisioning.SuspendStaff, ""))
	e.runTasks(t)
	id := svc.TaskID
	reader := staff(billkit.R(provisioning.FunctionTask, billkit.OpRead))
	_, err := e.mgr.SkipTask(ctx, reader, id, "")
	wantCode(t, err, billkit.CodeForbidden, "access.denied")
	_, err = e.mgr.RetryTask(ctx, staff(), id)
	wantCode(t, err, billkit.CodeForbidden, "access.denied")
	// The client itself may read its task, without staff's details, but
	// not settle it; another client's user finds nothing.
	own := customer(e.client.ID)
	tk := must[*provisioning.Task](t)(e.mgr.GetTask(ctx, own, id))
	if tk.LastError != "" || tk.Status != provisioning.TaskFailed {
		t.Fatalf("customer's task = %+v", tk)
	}
	if a := must[billkit.Page[provisioning.TaskAttempt]](t)(e.mgr.ListTaskAttempts(ctx, own, provisioning.TaskAttemptFilter{TaskID: id})); len(a.Items) != 1 || a.Items[0].Error != "" {
		t.Fatalf("customer's attempts = %+v", a.Items)
	}
	_, err = e.mgr.SkipTask(ctx, own, id, "")
	wantCode(t, err, billkit.CodeForbidden, provisioning.ReasonStaffOnly)
	other := customer(e.newClient(t, "Other").ID)
	_, err = e.mgr.GetTask(ctx, other, id)
	wantCode(t, err, billkit.CodeNotFound, "task.not_found")
	_, err = e.mgr.ListTaskAttempts(ctx, other, provisioning.TaskAttemptFilter{TaskID: id})
	wantCode(t, err, billkit.CodeNotFound, "task.not_found")
	_, err = e.mgr.CancelTask(ctx, other, id, "")
	wantCode(t, err, billkit.CodeNotFound, "task.not_found")
	if p := must[billkit.Page[provisioning.Task]](t)(e.mgr.ListTasks(ctx, other, provisioning.TaskFilter{})); len(p.Items) != 0 {
		t.Fatalf("another client's user lists %d tasks", len(p.Items))
	}
	if p := must[billkit.Page[provisioning.Task]](t)(e.mgr.ListTasks(ctx, own, provisioning.TaskFilter{})); len(p.Items) != 1 || p.Items[0].LastError != "" {
		t.Fatalf("own tasks = %+v", p.Items)
	}
	if p := must[billkit.Page[provisioning.Task]](t)(e.mgr.ListTasks(ctx, admin(), provisioning.TaskFilter{Statuses: []provisioning.TaskStatus{provisioning.TaskFailed}})); len(p.Items) != 1 || p.Items[0].LastError != "no" {
		t.Fatalf("failed tasks = %+v", p.Items)
	}
	_, err = e.mgr.ListTasks(ctx, admin(), provisioning.TaskFilter{Statuses: []provisioning.TaskStatus{"lost"}})
	wantField(t, err, "statuses[0]", "provisioning.task_status_unknown")
}

// gate is a step that tells when the module is entered and waits to be
// released.
func gate(entered chan<- struct{}, release <-chan struct{}) step {
	return func(ctx context.Context, req provisioning.Request) (provisioning.Result, error) {
		entered <- struct{}{}
		<-release
		return provisioning.Result{}, nil
	}
}

// runTwice runs a task while a second worker tries the same task during
// the module's call, then two workers at once on another task; the module
// runs once each time.
func runTwice(t *testing.T, e *env) {
	svc := e.activeService(t, billkit.ClientID{}, provisioning.ServerID{})
	entered, release := make(chan struct{}), make(chan struct{})
	e.mod.then(gate(entered, release))
	svc = must[*provisioning.Service](t)(e.mgr.SuspendService(ctx, admin(), svc.ID, provisioning.SuspendStaff, ""))
	done := make(chan error)
	go func() { done <- e.mgr.RunTask(ctx, svc.TaskID) }()
	<-entered
	// The first worker holds the task: the second finds nothing to do.
	if err := e.mgr.RunTask(ctx, svc.TaskID); err != nil {
		t.Fatal(err)
	}
	if n, err := e.mgr.RunDueTasks(ctx, 10); err != nil || n != 0 {
		t.Fatalf("RunDueTasks = %d, %v while a worker holds the task", n, err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n := e.mod.callsOf(provisioning.OpSuspend); n != 1 {
		t.Fatalf("the module ran %d times", n)
	}
	if s := e.service(t, svc.ID); s.Status != provisioning.StatusSuspended {
		t.Fatalf("service = %+v", s)
	}

	// Two workers at once.
	svc = must[*provisioning.Service](t)(e.mgr.ResumeService(ctx, admin(), svc.ID, ""))
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make([]error, 2)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = e.mgr.RunTask(ctx, svc.TaskID)
		}()
	}
	close(start)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := e.mod.callsOf(provisioning.OpResume); n != 1 {
		t.Fatalf("the module resumed %d times", n)
	}
	if a := e.attempts(t, svc.TaskID); len(a) != 1 {
		t.Fatalf("attempts = %+v", a)
	}
	if s := e.service(t, svc.ID); s.Status != provisioning.StatusActive {
		t.Fatalf("service = %+v", s)
	}
}

func TestConcurrentRunsRunTheModuleOnce(t *testing.T) {
	runTwice(t, newEnv(t))
}

func TestConcurrentRunsRunTheModuleOncePostgres(t *testing.T) {
	runTwice(t, newPostgresEnv(t))
}
