package api

import (
	"context"
	"net/http"
	"unicode/utf8"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/access"
	"github.com/billkit/billkit/provisioning"
	"github.com/billkit/billkit/provisioning/webhook"
	"github.com/danielgtaylor/huma/v2"
)

// Tasks: every module call for a service, visible to staff and to the
// service's client, and handled by staff when a module cannot finish.

type listTasksInput struct {
	ServiceID string `query:"service_id" maxLength:"64" doc:"Only the tasks of this service."`
	ClientID  string `query:"client_id" maxLength:"64" doc:"Only the tasks of this client's services."`
	Status    string `query:"status" enum:"queued,running,waiting,done,skipped,cancelled,failed" doc:"Only tasks with this status."`
	// Department selects a department's queue; staff only.
	Department string `query:"department" maxLength:"64" doc:"Only the tasks of this department's queue (manual modules' tasks): a department's ID, or mine for the departments of the signed-in staff user. With status=waiting, the work left to do. Staff only."`
	PageInput
}

type completeTaskInput struct {
	IDPath
	Body *provisioning.CompleteTaskParams
}

type failTaskInput struct {
	IDPath
	Body FailTaskRequest
}

type taskMemoInput struct {
	IDPath
	Body *MemoRequest
}

func (h *handlers) registerTasks(api huma.API) {
	m := h.provisioning
	const tag = "Tasks"
	read := onClient(provisioning.FunctionTask, billkit.OpRead)
	edit := onClient(provisioning.FunctionTask, billkit.OpEdit).described(staffNote)
	withTask := func(ctx context.Context, raw string, fn func(billkit.Actor, provisioning.TaskID) (*provisioning.Task, error)) (*body[*provisioning.Task], error) {
		return withID(ctx, raw, fn)
	}

	route(api, op("list-tasks", http.MethodGet, "/tasks", "List tasks, oldest first", tag),
		Requires(provisioning.FunctionTask, billkit.OpRead).described("customers see only their clients' tasks, without the modules' errors nor departments, and may not filter by department"),
		func(ctx context.Context, in *listTasksInput) (*body[List[provisioning.Task]], error) {
			return readList(ctx, func(a billkit.Actor) (billkit.Page[provisioning.Task], error) {
				var none billkit.Page[provisioning.Task]
				f := provisioning.TaskFilter{PageParams: in.page()}
				var v billkit.FieldErrors
				var err error
				f.ServiceID, err = optID[provisioning.Service]("service_id", in.ServiceID)
				v.Merge("", err)
				client, err := optClientID("client_id", in.ClientID)
				v.Merge("", err)
				if err := v.Err(); err != nil {
					return none, err
				}
				if !client.IsZero() {
					f.ClientIDs = []billkit.ClientID{client}
				}
				if in.Status != "" {
					f.Statuses = []provisioning.TaskStatus{provisioning.TaskStatus(in.Status)}
				}
				if in.Department != "" {
					if f.Departments, err = h.taskDepartments(ctx, a, in.Department); err != nil {
						return none, err
					}
				}
				return m.ListTasks(ctx, a, f)
			})
		})
	route(api, op("get-task", http.MethodGet, "/tasks/{id}", "Get a task", tag), read.described("customers do not see last_error nor department"),
		func(ctx context.Context, in *IDPath) (*body[*provisioning.Task], error) {
			return withTask(ctx, in.ID, func(a billkit.Actor, id provisioning.TaskID) (*provisioning.Task, error) {
				return m.GetTask(ctx, a, id)
			})
		})
	route(api, op("list-task-attempts", http.MethodGet, "/tasks/{id}/attempts", "A task's attempts, in order", tag), read.described("customers do not see the errors"),
		func(ctx context.Context, in *idPageInput) (*body[List[provisioning.TaskAttempt]], error) {
			return readList(ctx, func(a billkit.Actor) (billkit.Page[provisioning.TaskAttempt], error) {
				id, err := parseID[provisioning.Task]("id", in.ID)
				if err != nil {
					return billkit.Page[provisioning.TaskAttempt]{}, err
				}
				return m.ListTaskAttempts(ctx, a, provisioning.TaskAttemptFilter{TaskID: id, PageParams: in.page()})
			})
		})
	route(api, op("complete-task", http.MethodPost, "/tasks/{id}/complete", "Mark a waiting or failed task done, as if its module had answered", tag, http.StatusUnprocessableEntity), edit,
		func(ctx context.Context, in *completeTaskInput) (*body[*provisioning.Task], error) {
			return withTask(ctx, in.ID, func(a billkit.Actor, id provisioning.TaskID) (*provisioning.Task, error) {
				var p provisioning.CompleteTaskParams
				if in.Body != nil {
					p = *in.Body
				}
				return m.CompleteTask(ctx, a, id, p)
			})
		})
	route(api, op("fail-task", http.MethodPost, "/tasks/{id}/fail", "Answer a waiting task with an error; it fails for staff to retry, skip or cancel", tag, http.StatusUnprocessableEntity), edit,
		func(ctx context.Context, in *failTaskInput) (*body[*provisioning.Task], error) {
			return withTask(ctx, in.ID, func(a billkit.Actor, id provisioning.TaskID) (*provisioning.Task, error) {
				return m.FailTask(ctx, a, id, in.Body.Message)
			})
		})
	route(api, op("retry-task", http.MethodPost, "/tasks/{id}/retry", "Queue a failed or waiting task to run now, with a fresh budget of attempts", tag, http.StatusUnprocessableEntity), edit,
		func(ctx context.Context, in *IDPath) (*body[*provisioning.Task], error) {
			return withTask(ctx, in.ID, func(a billkit.Actor, id provisioning.TaskID) (*provisioning.Task, error) {
				return m.RetryTask(ctx, a, id)
			})
		})
	route(api, op("skip-task", http.MethodPost, "/tasks/{id}/skip", "Apply a task's success without its module: the service takes its new status", tag, http.StatusUnprocessableEntity), edit,
		func(ctx context.Context, in *taskMemoInput) (*body[*provisioning.Task], error) {
			return withTask(ctx, in.ID, func(a billkit.Actor, id provisioning.TaskID) (*provisioning.Task, error) {
				return m.SkipTask(ctx, a, id, memoOf(in.Body))
			})
		})
	route(api, op("cancel-task", http.MethodPost, "/tasks/{id}/cancel", "Give up a task: the service returns to the status it had before the operation", tag, http.StatusUnprocessableEntity), edit,
		func(ctx context.Context, in *taskMemoInput) (*body[*provisioning.Task], error) {
			return withTask(ctx, in.ID, func(a billkit.Actor, id provisioning.TaskID) (*provisioning.Task, error) {
				return m.CancelTask(ctx, a, id, memoOf(in.Body))
			})
		})
}

// departmentsMine is the value of GET /tasks?department= that selects the
// queues of the caller's departments.
const departmentsMine = "mine"

// membershipsActor reads a staff user's own departments for
// department=mine: a user may list its own queues without the right to
// read departments.
var membershipsActor = billkit.SystemActor("api.tasks")

// taskDepartments reads GET /tasks?department=: a department's ID, or
// "mine" for the departments of the signed-in staff user (none when it is
// in none). An API key, or a customer, names the department.
func (h *handlers) taskDepartments(ctx context.Context, a billkit.Actor, raw string) ([]string, error) {
	if raw != departmentsMine {
		id, err := parseID[access.Department]("department", raw)
		if err != nil {
			return nil, err
		}
		return []string{id.String()}, nil
	}
	if a.Kind != billkit.ActorStaff {
		return nil, billkit.InvalidField("department", "provisioning.department_mine_staff",
			"mine is the departments of a signed-in staff user; name the department by its ID")
	}
	user, err := parseID[access.User]("department", a.ID)
	if err != nil {
		return nil, err
	}
	members, err := billkit.CollectPages(func(cursor string) (billkit.Page[access.DepartmentMember], error) {
		return h.access.ListDepartmentMembers(ctx, membershipsActor, access.DepartmentMemberFilter{UserID: user,
			PageParams: billkit.PageParams{Limit: billkit.MaxPageLimit, Cursor: cursor}})
	})
	if err != nil {
		return nil, err
	}
	depts := make([]string, len(members))
	for i, dm := range members {
		depts[i] = dm.DepartmentID.String()
	}
	return depts, nil
}

// The webhook modules' callbacks: a remote system that answered a request
// with 202 (or "pending") reports the outcome later, signed with the
// module's secret. The signature is the only credential, so the operation
// is public; the secret names the module, and a module's callback may
// settle only that module's tasks.

func (h *handlers) registerModuleCallbacks(api huma.API) {
	cbOp := withErrors(op("module-callback", http.MethodPost, moduleCallbackPath, "A webhook module's remote system reports an operation's outcome", "Tasks"),
		http.StatusUnauthorized, http.StatusNotFound, http.StatusUnprocessableEntity)
	cbOp.Description = "The body is {\"task_id\": \"<the Idempotency-Key of the request>\", \"status\": \"ok\" | \"error\", \"params\": {...}, \"message\": \"...\"}, " +
		"with the other fields of a synchronous answer allowed (\"service_status\", \"usage\", \"login_url\"), " +
		"signed in the Billkit-Signature header (t=<unix seconds>,v1=<hex HMAC-SHA256 of \"<t>.<body>\"> keyed with the module's secret) at most 5 minutes from the server's clock. " +
		"A module with no secret configured is 404; a signature missing, malformed, wrong or too old is 401 (webhook.signature_*) and changes nothing. " +
		"A task that does not exist or is another module's is 404 task.not_found. " +
		"\"ok\" completes the task exactly as the same answer given at once would: the service keeps the params and takes its new status, and the message goes to its history; " +
		"\"service_status\", \"usage\" and \"login_url\" are accepted as in a synchronous answer, and an operation that waits for a callback (open, suspend, resume, change, renew, delete) leaves them unused, as it does at once. " +
		"Params billkit cannot keep are 400 naming the field, and change nothing. " +
		"\"error\" fails the task with the message, for staff to retry, skip or cancel. " +
		"The answer is the task. A callback repeated after the task has finished (or, for \"error\", failed) changes nothing and answers 200 with the task as it is, " +
		"so the remote system stops sending it. A callback that arrives before billkit has recorded the request's answer is 422 provisioning.task_running " +
		"or provisioning.task_transition and changes nothing: send it again later. " +
		"The call carries no session or API key and takes no Idempotency-Key."
	// Anyone may post here: the body read is bounded. It is read as bytes
	// and parsed only once its signature verifies, never before.
	cbOp.MaxBodyBytes, cbOp.BodyReadTimeout = maxModuleCallbackBody, callbackReadTimeout
	cbOp.SkipValidateBody = true
	route(api, cbOp, Public(),
		func(ctx context.Context, in *moduleCallbackInput) (*body[*provisioning.Task], error) {
			return out(h.moduleCallback(ctx, in))
		})
}

// moduleCallback verifies a callback and settles its task.
func (h *handlers) moduleCallback(ctx context.Context, in *moduleCallbackInput) (*provisioning.Task, error) {
	secret := h.webhookSecrets[in.Module]
	if len(secret) == 0 {
		return nil, billkit.NotFound("module", in.Module)
	}
	// The signature is checked first: nothing of an unsigned body is read.
	cb, err := webhook.VerifyCallback(secret, in.Signature, in.RawBody, h.clock.Now(), callbackTolerance)
	if err != nil {
		return nil, err
	}
	m := h.provisioning
	actor := billkit.SystemActor("webhook." + in.Module)
	t, err := m.GetTask(ctx, actor, cb.TaskID)
	if err != nil {
		return nil, err
	}
	if t.Module != in.Module {
		// The same answer as a missing task: one module's secret learns
		// nothing of another's tasks.
		return nil, billkit.NotFound("task", cb.TaskID)
	}
	if settled(t, cb) {
		return t, nil
	}
	if cb.OK() {
		// The answer completes the task as it would have had it come at
		// once: through the same CompletionOf, checked by CompleteTask.
		t, err = m.CompleteTask(ctx, actor, t.ID, provisioning.CompletionOf(cb.Result()))
	} else {
		t, err = m.FailTask(ctx, actor, t.ID, clip(cb.Err().Error(), maxNote))
	}
	if billkit.HasReason(err, provisioning.ReasonTaskTransition) {
		// Another delivery of the same callback may have settled the task
		// meanwhile: then this one is a repeat too.
		cur, gerr := m.GetTask(ctx, actor, cb.TaskID)
		if gerr == nil && settled(cur, cb) {
			return cur, nil
		}
	}
	return t, err
}

// settled reports whether the callback has nothing left to do to the task:
// the task is over, or the callback reports an error and the task has
// failed already.
func settled(t *provisioning.Task, cb webhook.Callback) bool {
	return t.Status.Final() || !cb.OK() && t.Status == provisioning.TaskFailed
}

// maxNote is the longest note the manager keeps (a task's error, a memo);
// a remote system's longer message is cut rather than refused, since
// refusing would make it send the callback again and again.
const maxNote = 2000

// clip cuts s to at most n bytes, on a character boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}
