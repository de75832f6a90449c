package provisioning

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/catalog"
)

// selfActor is the manager acting on its own: running tasks, reading the
// catalog for what a service needs.
var selfActor = billkit.SystemActor("provisioning")

// The outcomes of an attempt (TaskAttempt.Outcome).
const (
	outcomeDone    = "done"
	outcomeWaiting = "waiting"
	outcomeRetry   = "retry"
	outcomeFailed  = "failed"
)

// Reasons of the errors about tasks.
const (
	// ReasonServiceBusy: an operation is under way on the service.
	ReasonServiceBusy = "provisioning.service_busy"
	// ReasonTaskRunning: a worker holds the task; wait for its attempt.
	ReasonTaskRunning = "provisioning.task_running"
	// ReasonTaskTransition: the task's status does not allow the action.
	ReasonTaskTransition = "provisioning.task_transition"
	// ReasonStaffOnly: the call is staff's, not a client's.
	ReasonStaffOnly = "provisioning.staff_only"
)

// startOperation moves svc (read for update in tx) into StatusProcessing
// with op under way, writes its task (input is the operation's extra data,
// JSON-encoded into Task.Input; nil for none), records the history event
// and the action, updates svc in tx, and enqueues the task (Config.Queue)
// in tx. It fails with failed_precondition "provisioning.operation_not_allowed"
// when Transition refuses op from svc's status (a service already
// processing included), and changes nothing then.
//
// For OpSuspend the caller sets svc.SuspendReason first (empty means
// staff); it shows while the suspension is under way, and a cancelled
// suspension clears it. For OpChange the input is best a Change, which the
// module receives as Request.Change; what the change does to the service's
// own fields (its tariff, its addons) is the caller's to write.
//
// The task's Module is the module of the service's server (see
// serviceModule); without a server it is left empty here and set by the
// task's first run, since reading the product type means reading the
// catalog, which cannot be done inside a transaction on a store with one
// connection (SQLite). Callers that read it beforehand use startOp, which
// takes it.
func (m *Manager) startOperation(ctx context.Context, tx Store, actor billkit.Actor, svc *Service, op Operation, input any) (*Task, error) {
	return m.startOp(ctx, tx, actor, svc, op, input, "", "", nil)
}

// startOp is startOperation with a memo for the history, the module's name
// when the caller knows it ("" to resolve it when the task first runs),
// and edit, when not nil, to change svc once the operation is allowed, so
// that the history and the action show the change (a suspension's
// reason, a server).
func (m *Manager) startOp(ctx context.Context, tx Store, actor billkit.Actor, svc *Service, op Operation, input any, memo, module string, edit func(*Service) error) (*Task, error) {
	if !op.MovesStatus() {
		return nil, billkit.Errorf(billkit.CodeFailedPrecondition, ReasonOperationNotAllowed,
			"%s does not run as a task: it reads a service and leaves its status alone", describeOperation(op))
	}
	if svc.Status == StatusProcessing {
		return nil, billkit.Errorf(billkit.CodeFailedPrecondition, ReasonOperationNotAllowed,
			"service %s cannot %s: it is busy with %s", svc.ID, op, svc.Operation)
	}
	if _, err := Transition(svc.Status, op); err != nil {
		return nil, err
	}
	if !svc.ServerID.IsZero() {
		srv, err := tx.GetServer(ctx, svc.ServerID)
		if err != nil {
			return nil, err
		}
		module = srv.Module
	}
	var raw json.RawMessage
	if input != nil {
		b, err := json.Marshal(input)
		if err != nil {
			return nil, billkit.WrapError(err, billkit.CodeInternal, "provisioning.task_input", "encoding a task's input")
		}
		if string(b) != "null" {
			raw = b
		}
	}
	now := m.now()
	t := &Task{
		ID: billkit.NewID[Task](), ServiceID: svc.ID, ClientID: svc.ClientID, Operation: op, Module: module,
		Status: TaskQueued, Input: raw, MaxAttempts: m.cfg.MaxAttempts, NextRunAt: now, CreatedAt: now, UpdatedAt: now,
	}
	before := cloneService(svc)
	if edit != nil {
		if err := edit(svc); err != nil {
			return nil, err
		}
	}
	svc.PrevStatus, svc.Status, svc.Operation, svc.TaskID, svc.UpdatedAt = svc.Status, StatusProcessing, op, t.ID, now
	if err := tx.InsertTask(ctx, t); err != nil {
		return nil, err
	}
	if err := tx.UpdateService(ctx, svc); err != nil {
		return nil, err
	}
	if err := m.event(ctx, tx, actor, svc, "status", before.Status, StatusProcessing, before, svc, memo); err != nil {
		return nil, err
	}
	if err := record(ctx, tx, actor, now, FunctionService, string(op), svc.ID.String(), svc.ClientID, before, svc); err != nil {
		return nil, err
	}
	if err := record(ctx, tx, actor, now, FunctionTask, "create", t.ID.String(), t.ClientID, nil, t); err != nil {
		return nil, err
	}
	if m.cfg.Queue != nil {
		if err := m.cfg.Queue.Enqueue(ctx, tx, t); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// productTypeOf reads the product type of a service's tariff.
func (m *Manager) productTypeOf(ctx context.Context, svc *Service) (*catalog.ProductType, error) {
	return m.cfg.Catalog.GetProductType(ctx, selfActor, svc.ProductTypeID)
}

// serviceModule is the module that runs a service's operations: its
// server's, since the service lives on the system that server is, and
// for a service without a server its product type's ("manual" when the
// type names none). A service is placed on a server of its type's module,
// so the two differ only once staff change the type's module, and then
// the services already on servers stay with the module that made them.
// Without a server it reads the catalog, so never inside a transaction.
func (m *Manager) serviceModule(ctx context.Context, st Store, svc *Service) (string, error) {
	if !svc.ServerID.IsZero() {
		srv, err := st.GetServer(ctx, svc.ServerID)
		if err != nil {
			return "", err
		}
		return srv.Module, nil
	}
	pt, err := m.productTypeOf(ctx, svc)
	if err != nil {
		return "", err
	}
	return moduleOf(pt), nil
}

// moduleOf is the module of a product type's services.
func moduleOf(pt *catalog.ProductType) string {
	if pt.Module == "" {
		return ManualModuleName
	}
	return pt.Module
}

// RunTask runs one attempt of a task: it claims the task (Store.ClaimTask,
// for Config.TaskLease), calls its module outside any transaction with
// Config.ModuleTimeout, then records the attempt and its outcome in one
// transaction:
//
//   - done: the task is done and the service takes the status Transition
//     gives, with the module's Result.Params merged into its Params and
//     its Message in the history, exactly as CompleteTask applies a later
//     answer (see CompletionOf); a completed delete frees the service's
//     slot on its server. Params that CompleteTask would refuse fail the
//     task instead, for staff to see;
//   - pending: the task waits for CompleteTask (or FailTask);
//   - an error: the task is queued again after Config.Backoff, unless the
//     error is permanent (Permanent) or the attempts are spent, when it
//     fails for staff to retry, skip or cancel, and the service stays
//     processing.
//
// A module that panics or outlives its timeout has failed this attempt
// and is retried. A task that is not due, or that another worker holds,
// is left alone: RunTask then does nothing and returns nil, so two workers
// given the same task run the module once. The error returned is the
// store's; the module's is the task's LastError.
func (m *Manager) RunTask(ctx context.Context, id TaskID) error {
	_, err := m.runTask(ctx, id)
	return err
}

// RunDueTasks runs the tasks that are due now (queued ones whose NextRunAt
// has come, running ones whose lease has expired), at most limit of them
// (0 or less: 100), one after the other, and returns how many ran. The
// scheduler calls it where no Queue runs tasks, and so do tests. A task's
// failure is its own; the error joins the store's errors.
func (m *Manager) RunDueTasks(ctx context.Context, limit int) (int, error) {
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, billkit.MaxPageLimit)
	page, err := m.store.ListTasks(ctx, TaskFilter{DueBy: m.now(), PageParams: billkit.PageParams{Limit: limit}})
	if err != nil {
		return 0, err
	}
	ran := 0
	var errs []error
	for _, t := range page.Items {
		if err := ctx.Err(); err != nil {
			errs = append(errs, err)
			break
		}
		ok, err := m.runTask(ctx, t.ID)
		if ok {
			ran++
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("task %s: %w", t.ID, err))
		}
	}
	return ran, errors.Join(errs...)
}

// runTask is RunTask, also saying whether the task was claimed.
func (m *Manager) runTask(ctx context.Context, id TaskID) (bool, error) {
	started := m.now()
	t, err := m.store.ClaimTask(ctx, id, started, started.Add(m.cfg.TaskLease))
	if err != nil || t == nil {
		return false, err
	}
	var (
		res    Result
		dept   string
		module = t.Module
	)
	if t.Attempts > t.MaxAttempts {
		// Only a lease that ran out gets here: the worker of the last
		// attempt was lost, and the budget is spent.
		err = &PermanentError{Message: fmt.Sprintf("gave up after %d attempts: the last one never finished", t.MaxAttempts)}
	} else {
		var (
			mod Module
			req Request
		)
		mod, req, err = m.prepare(ctx, t)
		module = t.Module
		if err == nil {
			if q, ok := mod.(queued); ok {
				dept = q.queue()
			}
			res, err = m.callModule(ctx, mod, req)
		}
	}
	var done completion
	if err == nil && !res.Pending {
		// An answer given at once is checked as a later one is
		// (CompleteTask): what billkit cannot keep fails the task for staff
		// to see, rather than being kept unchecked. The module would give
		// the same answer again, so it is not retried.
		if done, err = CompletionOf(res).check(); err != nil {
			// The work is done on the system: what the module answered is
			// kept in the attempt's error, for staff to complete the task
			// by hand with params billkit can keep rather than run it again.
			answered, _ := json.Marshal(res.Params)
			err = &PermanentError{Message: "the module's answer cannot be kept (it answered params " + Clip(answered, 1500) + ")", Err: err}
		}
	}
	// What the module answered is kept even when the caller has gone
	// meanwhile: it is the only record of it.
	return true, m.finishAttempt(context.WithoutCancel(ctx), t, started, module, res, done, err, dept)
}

// prepare finds a task's module (the service's product type's, when the
// task does not name it yet) and builds its request.
func (m *Manager) prepare(ctx context.Context, t *Task) (Module, Request, error) {
	svc, err := m.store.GetService(ctx, t.ServiceID)
	if err != nil {
		return nil, Request{}, err
	}
	if t.Module == "" {
		if t.Module, err = m.serviceModule(ctx, m.store, svc); err != nil {
			return nil, Request{}, err
		}
	}
	mod, err := m.cfg.Modules.Get(t.Module)
	if err != nil {
		return nil, Request{}, err
	}
	req, err := m.request(ctx, svc, t.ID, t.Operation, t.Attempts)
	if err != nil {
		return nil, Request{}, err
	}
	if t.Operation == OpChange && len(t.Input) > 0 {
		var c Change
		if err := json.Unmarshal(t.Input, &c); err != nil {
			return nil, Request{}, &PermanentError{Message: "the change's input is not a change", Err: err}
		}
		req.Change = &c
	}
	return mod, req, nil
}

// request builds what a module receives of a service.
func (m *Manager) request(ctx context.Context, svc *Service, id TaskID, op Operation, attempt int) (Request, error) {
	tariff, err := m.cfg.Catalog.GetTariff(ctx, selfActor, svc.TariffID)
	if err != nil {
		return Request{}, err
	}
	req := Request{TaskID: id, Operation: op, Attempt: attempt, Service: ServiceInfo{
		ID: svc.ID, ClientID: svc.ClientID, Name: svc.Name, Tariff: tariff.Code, Period: svc.Period,
		Addons: maps.Clone(svc.Addons), Domain: svc.Domain, OSImage: svc.OSImage, ExpiresOn: svc.ExpiresOn,
		Params: maps.Clone(svc.Params),
	}}
	if req.Service.Params == nil {
		req.Service.Params = map[string]string{}
	}
	if !svc.DatacenterID.IsZero() {
		dc, err := m.store.GetDatacenter(ctx, svc.DatacenterID)
		if err != nil {
			return Request{}, err
		}
		req.Service.Datacenter = dc.Code
	}
	if !svc.ServerID.IsZero() {
		srv, err := m.store.GetServer(ctx, svc.ServerID)
		if err != nil {
			return Request{}, err
		}
		creds, err := openCredentials(m.cfg.SecretKey, srv.Credentials)
		if err != nil {
			// A key that does not open them will not open them on the
			// next attempt either.
			return Request{}, &PermanentError{Message: "server " + srv.Name + "'s credentials", Err: err}
		}
		params := maps.Clone(srv.Params)
		if params == nil {
			params = map[string]string{}
		}
		req.Server = &ServerInfo{ID: srv.ID, Name: srv.Name, URL: srv.URL, Params: params, Credentials: creds}
	}
	return req, nil
}

// callModule calls a module with Config.ModuleTimeout, outside any
// transaction. A panic becomes a retryable error; a module that ignores
// its context is abandoned when the timeout passes, so that it cannot hold
// a worker (the task's idempotency key covers a late success).
func (m *Manager) callModule(parent context.Context, mod Module, req Request) (Result, error) {
	return guardedCall(parent, mod.Name(), m.cfg.ModuleTimeout, func(ctx context.Context) (Result, error) { return mod.Run(ctx, req) })
}

// guardedCall runs call, a module's, with timeout: a panic is an
// unavailable error, and a module that ignores its context is abandoned
// when the timeout passes. Operations (callModule) and listings
// (callLister) go through it.
func guardedCall[T any](parent context.Context, name string, timeout time.Duration, call func(context.Context) (T, error)) (T, error) {
	ctx, cancel := context.WithTimeout(parent, timeout)
	defer cancel()
	type answer struct {
		res T
		err error
	}
	done := make(chan answer, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- answer{err: billkit.Errorf(billkit.CodeUnavailable, "provisioning.module_panic", "module %s panicked: %v", name, r)}
			}
		}()
		res, err := call(ctx)
		done <- answer{res, err}
	}()
	var zero T
	timedOut := func(err error) error {
		return billkit.WrapError(err, billkit.CodeUnavailable, "provisioning.module_timeout",
			fmt.Sprintf("module %s did not answer within %s", name, timeout))
	}
	// A module that gives up on its own when the deadline passes answers
	// with the context's error; that is the same timeout as one that does
	// not answer at all, and is reported the same way.
	answered := func(a answer) (T, error) {
		if a.err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) && !errors.Is(parent.Err(), context.DeadlineExceeded) {
			return zero, timedOut(a.err)
		}
		return a.res, a.err
	}
	select {
	case a := <-done:
		return answered(a)
	case <-ctx.Done():
		select {
		case a := <-done:
			return answered(a)
		default:
		}
		return zero, timedOut(ctx.Err())
	}
}

// finishAttempt records an attempt and applies its outcome, in one
// transaction: done, the success the module answered (its Result,
// checked through CompletionOf) completes the task as CompleteTask would.
func (m *Manager) finishAttempt(ctx context.Context, claimed *Task, started time.Time, module string, res Result, done completion, runErr error, dept string) error {
	outcome := outcomeDone
	msg := ""
	switch {
	case runErr != nil:
		msg = runErr.Error()
		outcome = outcomeRetry
		if Permanent(runErr) || claimed.Attempts >= claimed.MaxAttempts {
			outcome = outcomeFailed
		}
	case res.Pending:
		outcome = outcomeWaiting
		msg = res.Message
	}
	return m.store.InTx(ctx, func(tx Store) error {
		// The service is locked first, as every change of a task does, so
		// that staff's hands and a finishing worker take turns.
		if _, err := tx.GetServiceForUpdate(ctx, claimed.ServiceID); err != nil {
			return err
		}
		t, err := tx.GetTask(ctx, claimed.ID)
		if err != nil {
			return err
		}
		now := m.now()
		att := &TaskAttempt{TaskID: t.ID, Attempt: claimed.Attempts, StartedAt: started, FinishedAt: now, Outcome: outcome}
		if runErr != nil {
			att.Error = msg
		}
		if err := tx.InsertTaskAttempt(ctx, att); err != nil {
			return err
		}
		if t.Status != TaskRunning || t.Attempts != claimed.Attempts {
			// The lease ran out and another worker claimed the task, or
			// staff settled it meanwhile: this attempt is history only.
			return nil
		}
		if t.Module == "" {
			t.Module = module
		}
		if outcome == outcomeDone {
			return m.settle(ctx, tx, selfActor, t, TaskDone, "done", done)
		}
		before := *t
		t.LeaseUntil, t.UpdatedAt = time.Time{}, now
		switch outcome {
		case outcomeWaiting:
			t.Status, t.LastError, t.Department = TaskWaiting, "", dept
		case outcomeRetry:
			t.Status, t.LastError, t.NextRunAt = TaskQueued, msg, now.Add(m.cfg.Backoff(t.Attempts))
		case outcomeFailed:
			t.Status, t.LastError = TaskFailed, msg
		}
		if err := tx.UpdateTask(ctx, t); err != nil {
			return err
		}
		if err := record(ctx, tx, selfActor, now, FunctionTask, outcome, t.ID.String(), t.ClientID, &before, t); err != nil {
			return err
		}
		if outcome == outcomeRetry && m.cfg.Queue != nil {
			return m.cfg.Queue.Enqueue(ctx, tx, t)
		}
		return nil
	})
}

// settle ends a task with status final (done or skipped) and applies its
// success to the service, locked in tx: the status Transition gives,
// c.params merged, the operation cleared; a delete frees the server slot.
// verb names the action on the task; c.memo goes to the history. It is
// the one place a task's success is applied, whether its module answered
// at once (RunTask), later (CompleteTask) or staff skipped it.
func (m *Manager) settle(ctx context.Context, tx Store, actor billkit.Actor, t *Task, final TaskStatus, verb string, c completion) error {
	params, memo := c.params, c.memo
	now := m.now()
	before := *t
	t.Status, t.FinishedAt, t.LeaseUntil, t.LastError, t.UpdatedAt = final, now, time.Time{}, "", now
	if err := tx.UpdateTask(ctx, t); err != nil {
		return err
	}
	if err := record(ctx, tx, actor, now, FunctionTask, verb, t.ID.String(), t.ClientID, &before, t); err != nil {
		return err
	}
	svc, err := tx.GetServiceForUpdate(ctx, t.ServiceID)
	if err != nil {
		return err
	}
	if svc.Status != StatusProcessing || svc.TaskID != t.ID {
		return nil
	}
	to, err := Transition(svc.PrevStatus, t.Operation)
	if err != nil {
		return err
	}
	prev := cloneService(svc)
	if len(params) > 0 {
		if svc.Params == nil {
			svc.Params = map[string]string{}
		}
		maps.Copy(svc.Params, params)
	}
	switch t.Operation {
	case OpSuspend:
		if svc.SuspendReason == "" {
			svc.SuspendReason = SuspendStaff
		}
		if svc.SuspendedOn.IsZero() {
			today, err := m.today(ctx, tx, svc.ProviderID)
			if err != nil {
				return err
			}
			svc.SuspendedOn = today
		}
	case OpResume:
		svc.SuspendReason, svc.SuspendedOn = "", billkit.Date{}
	case OpDelete:
		if !svc.ServerID.IsZero() {
			if err := tx.ReleaseServerSlot(ctx, svc.ServerID); err != nil {
				return err
			}
		}
	}
	svc.Status, svc.Operation, svc.TaskID, svc.PrevStatus, svc.UpdatedAt = to, "", TaskID{}, "", now
	if err := tx.UpdateService(ctx, svc); err != nil {
		return err
	}
	if err := m.event(ctx, tx, actor, svc, "status", StatusProcessing, to, prev, svc, memo); err != nil {
		return err
	}
	if err := record(ctx, tx, actor, now, FunctionService, "complete", svc.ID.String(), svc.ClientID, prev, svc); err != nil {
		return err
	}
	if t.Operation == OpOpen {
		return m.orderServiceOpened(ctx, tx, actor, svc)
	}
	return nil
}

// today is the date now in the provider's time zone.
func (m *Manager) today(ctx context.Context, tx Store, provider billkit.ProviderID) (billkit.Date, error) {
	p, err := tx.Billing().GetProvider(ctx, provider)
	if err != nil {
		return billkit.Date{}, err
	}
	return p.Today(m.now()), nil
}

// cloneService copies a service deep enough that changing the copy's maps
// leaves the original alone.
func cloneService(s *Service) *Service {
	c := *s
	c.Params = maps.Clone(s.Params)
	c.Addons = maps.Clone(s.Addons)
	if s.PendingChange != nil {
		pc := *s.PendingChange
		pc.Addons = maps.Clone(pc.Addons)
		c.PendingChange = &pc
	}
	return &c
}

// CompleteTaskParams are what completes a task: what staff report of an
// operation done elsewhere (a manual task), or what a module's answer
// says (CompletionOf), whether the module gave it at once or later, as a
// webhook's callback. Either way they are checked the same way and
// applied by the same code, so that an answer is worth the same however
// it came.
type CompleteTaskParams struct {
	// Params are values to keep on the service, merged into its Params as
	// a module's Result.Params: at most 100 keys of 1 to 64 bytes without
	// spaces, values of at most 4096 bytes, all UTF-8.
	Params map[string]string `json:"params,omitempty"`
	// Message is a note for the service's history: at most 2000 bytes.
	Message string `json:"message,omitempty"`
}

// maxNote is the longest note memoText keeps: a task's error, a memo.
const maxNote = 2000

// CompletionOf returns what a module's successful Result completes its
// task with: its Params, and its Message with invalid UTF-8 replaced and
// cut to the 2000 bytes a note keeps (a module's long message is cut, not
// refused). The task runner completes a task with it when the module
// answers at once, and an answer that comes later (a webhook's callback)
// is passed through it to CompleteTask, so that the two are checked and
// applied alike.
//
// Of a Result, Params and Message are what complete a task. Status, Usage
// and LoginURL answer sync, usage and login_link, which are asked at once
// (Manager.SyncService, ServiceUsage, LoginLink), run no task and so are
// never answered later; in the answer to an operation that runs as a task
// they are left unused, whether it comes at once or later.
func CompletionOf(res Result) CompleteTaskParams {
	// Clip marks a cut with an ellipsis, which counts in the note's bytes.
	msg := Clip([]byte(res.Message), maxNote)
	if len(msg) > maxNote {
		msg = Clip([]byte(res.Message), maxNote-len("…"))
	}
	return CompleteTaskParams{Params: res.Params, Message: msg}
}

// completion is a task's success, checked: what settle applies.
type completion struct {
	params map[string]string
	memo   string
}

// check checks p, naming the field at fault ("params[key]", "message")
// in an invalid error, and returns what settle applies.
func (p CompleteTaskParams) check() (completion, error) {
	var v billkit.FieldErrors
	params := checkParams(&v, "params", p.Params)
	memo := memoText(&v, "message", p.Message)
	if err := v.Err(); err != nil {
		return completion{}, err
	}
	return completion{params: params, memo: memo}, nil
}

// taskNotFound is the error for a task that does not exist or that the
// actor may not see: the same, so IDs cannot be probed.
func taskNotFound(id TaskID) error { return billkit.NotFound("task", id) }

// taskFor reads a task and checks that the actor may do op on it.
func (m *Manager) taskFor(ctx context.Context, actor billkit.Actor, id TaskID, op billkit.Operation) (*Task, error) {
	t, err := m.store.GetTask(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := actor.AuthorizeClient(billkit.R(FunctionTask, op), t.ClientID, taskNotFound(id)); err != nil {
		return nil, err
	}
	return t, nil
}

// staffOnly refuses actors limited to some clients (customers, their API
// keys): forbidden "provisioning.staff_only".
func staffOnly(actor billkit.Actor, what string) error {
	if _, all := actor.VisibleClients(); !all {
		return billkit.Errorf(billkit.CodeForbidden, ReasonStaffOnly, "only staff may %s", what)
	}
	return nil
}

// taskForCustomer hides from clients what is staff's: the module's errors
// may name servers and their internals.
func taskForCustomer(actor billkit.Actor, t *Task) *Task {
	if _, all := actor.VisibleClients(); !all {
		t.LastError, t.Department = "", ""
	}
	return t
}

// editTask runs a staff action on a task in one transaction: the task is
// read again under the service's lock, checked to be in one of the
// statuses from (a running task only once its lease is over), and handed
// to apply.
func (m *Manager) editTask(ctx context.Context, actor billkit.Actor, id TaskID, what string, from []TaskStatus,
	apply func(tx Store, t *Task, now time.Time) error) (*Task, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	t, err := m.taskFor(ctx, actor, id, billkit.OpEdit)
	if err != nil {
		return nil, err
	}
	if err := staffOnly(actor, what+" a task"); err != nil {
		return nil, err
	}
	err = m.store.InTx(ctx, func(tx Store) error {
		if _, err := tx.GetServiceForUpdate(ctx, t.ServiceID); err != nil {
			return err
		}
		cur, err := tx.GetTask(ctx, id)
		if err != nil {
			return err
		}
		now := m.now()
		open := false
		for _, s := range from {
			open = open || cur.Status == s
		}
		if cur.Status == TaskRunning && cur.LeaseUntil.After(now) {
			return billkit.Errorf(billkit.CodeFailedPrecondition, ReasonTaskRunning,
				"task %s is running until %s; %s it once the attempt ends", id, cur.LeaseUntil.Format(time.RFC3339), what)
		}
		if !open && cur.Status != TaskRunning {
			return billkit.Errorf(billkit.CodeFailedPrecondition, ReasonTaskTransition, "cannot %s task %s: it is %s", what, id, cur.Status)
		}
		t = cur
		return apply(tx, cur, now)
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// CompleteTask marks a waiting or failed task done, exactly as if its
// module had answered at once with p (see CompletionOf): in one
// transaction the service takes its new status and keeps p.Params, and
// p.Message goes to its history. It is how a manual task, or a webhook's
// later answer, ends. Params or a message that RunTask would not keep
// either are an invalid error naming the field, and change nothing. It
// needs provisioning.task:edit, and is staff's.
func (m *Manager) CompleteTask(ctx context.Context, actor billkit.Actor, id TaskID, p CompleteTaskParams) (*Task, error) {
	done, err := p.check()
	if err != nil {
		return nil, err
	}
	return m.editTask(ctx, actor, id, "complete", []TaskStatus{TaskWaiting, TaskFailed}, func(tx Store, t *Task, _ time.Time) error {
		return m.settle(ctx, tx, actor, t, TaskDone, "complete", done)
	})
}

// FailTask answers a waiting task with an error: it fails, with message as
// its LastError, for staff to retry, skip or cancel. It needs
// provisioning.task:edit, and is staff's.
func (m *Manager) FailTask(ctx context.Context, actor billkit.Actor, id TaskID, message string) (*Task, error) {
	var v billkit.FieldErrors
	message = memoText(&v, "message", message)
	v.Require("message", message)
	if err := v.Err(); err != nil {
		return nil, err
	}
	return m.editTask(ctx, actor, id, "fail", []TaskStatus{TaskWaiting}, func(tx Store, t *Task, now time.Time) error {
		before := *t
		t.Status, t.LastError, t.LeaseUntil, t.UpdatedAt = TaskFailed, message, time.Time{}, now
		if err := tx.UpdateTask(ctx, t); err != nil {
			return err
		}
		return record(ctx, tx, actor, now, FunctionTask, "fail", t.ID.String(), t.ClientID, &before, t)
	})
}

// RetryTask queues a failed (or waiting) task to run now, with a fresh
// budget of Config.MaxAttempts attempts. It needs provisioning.task:edit,
// and is staff's.
func (m *Manager) RetryTask(ctx context.Context, actor billkit.Actor, id TaskID) (*Task, error) {
	return m.editTask(ctx, actor, id, "retry", []TaskStatus{TaskFailed, TaskWaiting}, func(tx Store, t *Task, now time.Time) error {
		before := *t
		// Attempts keep counting, so that every attempt keeps its number;
		// the budget moves instead.
		t.Status, t.NextRunAt, t.LeaseUntil, t.MaxAttempts, t.UpdatedAt = TaskQueued, now, time.Time{}, t.Attempts+m.cfg.MaxAttempts, now
		if err := tx.UpdateTask(ctx, t); err != nil {
			return err
		}
		if err := record(ctx, tx, actor, now, FunctionTask, "retry", t.ID.String(), t.ClientID, &before, t); err != nil {
			return err
		}
		if m.cfg.Queue != nil {
			return m.cfg.Queue.Enqueue(ctx, tx, t)
		}
		return nil
	})
}

// SkipTask applies a task's success without its module (staff did the
// work, or it needs none): the task is skipped and the service takes its
// new status. memo goes to the history. It needs provisioning.task:edit,
// and is staff's.
func (m *Manager) SkipTask(ctx context.Context, actor billkit.Actor, id TaskID, memo string) (*Task, error) {
	var v billkit.FieldErrors
	memo = memoText(&v, "memo", memo)
	if err := v.Err(); err != nil {
		return nil, err
	}
	return m.editTask(ctx, actor, id, "skip", []TaskStatus{TaskQueued, TaskWaiting, TaskFailed}, func(tx Store, t *Task, _ time.Time) error {
		return m.settle(ctx, tx, actor, t, TaskSkipped, "skip", completion{memo: memo})
	})
}

// CancelTask gives up a task: it is cancelled, and its service returns to
// the status it had before the operation (a cancelled suspension leaves no
// suspend reason behind). memo goes to the history. It needs
// provisioning.task:edit, and is staff's.
func (m *Manager) CancelTask(ctx context.Context, actor billkit.Actor, id TaskID, memo string) (*Task, error) {
	var v billkit.FieldErrors
	memo = memoText(&v, "memo", memo)
	if err := v.Err(); err != nil {
		return nil, err
	}
	return m.editTask(ctx, actor, id, "cancel", []TaskStatus{TaskQueued, TaskWaiting, TaskFailed}, func(tx Store, t *Task, now time.Time) error {
		before := *t
		t.Status, t.FinishedAt, t.LeaseUntil, t.UpdatedAt = TaskCancelled, now, time.Time{}, now
		if err := tx.UpdateTask(ctx, t); err != nil {
			return err
		}
		if err := record(ctx, tx, actor, now, FunctionTask, "cancel", t.ID.String(), t.ClientID, &before, t); err != nil {
			return err
		}
		svc, err := tx.GetServiceForUpdate(ctx, t.ServiceID)
		if err != nil {
			return err
		}
		if svc.Status != StatusProcessing || svc.TaskID != t.ID {
			return nil
		}
		prev := cloneService(svc)
		to := svc.PrevStatus
		if to != StatusSuspended {
			svc.SuspendReason, svc.SuspendedOn = "", billkit.Date{}
		}
		svc.Status, svc.Operation, svc.TaskID, svc.PrevStatus, svc.UpdatedAt = to, "", TaskID{}, "", now
		if err := tx.UpdateService(ctx, svc); err != nil {
			return err
		}
		if err := m.event(ctx, tx, actor, svc, "status", StatusProcessing, to, prev, svc, memo); err != nil {
			return err
		}
		return record(ctx, tx, actor, now, FunctionService, "cancel", svc.ID.String(), svc.ClientID, prev, svc)
	})
}

// GetTask returns a task. It needs provisioning.task:read on the task's
// client; a customer asking for another client's task gets not_found.
// Clients do not see LastError or Department.
func (m *Manager) GetTask(ctx context.Context, actor billkit.Actor, id TaskID) (*Task, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	t, err := m.taskFor(ctx, actor, id, billkit.OpRead)
	if err != nil {
		return nil, err
	}
	return taskForCustomer(actor, t), nil
}

// ListTasks lists tasks in creation order, limited for customers to their
// clients'. It needs provisioning.task:read. f.Departments lists
// departments' queues, which are staff's: a customer filtering by
// department is forbidden "provisioning.staff_only", and a department ""
// is invalid.
func (m *Manager) ListTasks(ctx context.Context, actor billkit.Actor, f TaskFilter) (billkit.Page[Task], error) {
	var none billkit.Page[Task]
	if err := actor.Validate(); err != nil {
		return none, err
	}
	var v billkit.FieldErrors
	v.Merge("", f.PageParams.Validate())
	for i, s := range f.Statuses {
		v.Check(validTaskStatus(s), fmt.Sprintf("statuses[%d]", i), "provisioning.task_status_unknown", fmt.Sprintf("%q is not a task status", s))
	}
	for i, d := range f.Departments {
		v.Check(d != "", fmt.Sprintf("departments[%d]", i), "required", "is required")
	}
	if err := v.Err(); err != nil {
		return none, err
	}
	if f.Departments != nil {
		if err := staffOnly(actor, "list tasks by department"); err != nil {
			return none, err
		}
	}
	ids, err := listScope(actor, billkit.R(FunctionTask, billkit.OpRead), f.ClientIDs)
	if err != nil {
		return none, err
	}
	f.ClientIDs = ids
	if ids != nil && len(ids) == 0 {
		return billkit.Page[Task]{Items: []Task{}}, nil
	}
	page, err := m.store.ListTasks(ctx, f)
	if err != nil {
		return none, err
	}
	for i := range page.Items {
		taskForCustomer(actor, &page.Items[i])
	}
	return page, nil
}

// ListTaskAttempts lists a task's attempts in order. f.TaskID is required.
// It needs provisioning.task:read on the task's client; clients do not see
// the errors.
func (m *Manager) ListTaskAttempts(ctx context.Context, actor billkit.Actor, f TaskAttemptFilter) (billkit.Page[TaskAttempt], error) {
	var none billkit.Page[TaskAttempt]
	if err := actor.Validate(); err != nil {
		return none, err
	}
	var v billkit.FieldErrors
	v.Merge("", f.PageParams.Validate())
	v.Check(!f.TaskID.IsZero(), "task_id", "required", "is required")
	if err := v.Err(); err != nil {
		return none, err
	}
	if _, err := m.taskFor(ctx, actor, f.TaskID, billkit.OpRead); err != nil {
		return none, err
	}
	page, err := m.store.ListTaskAttempts(ctx, f)
	if err != nil {
		return none, err
	}
	if _, all := actor.VisibleClients(); !all {
		for i := range page.Items {
			page.Items[i].Error = ""
		}
	}
	return page, nil
}

func validTaskStatus(s TaskStatus) bool { return slices.Contains(TaskStatuses(), s) }
