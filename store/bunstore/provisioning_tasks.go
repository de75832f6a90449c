package bunstore

import (
	"context"
	"encoding/json"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/provisioning"
	"github.com/uptrace/bun"
)

var tasks = list[provisioning.Task]{
	table: table[provisioning.Task]{
		name: "billkit_tasks",
		kind: "task",
		key:  func(t *provisioning.Task) any { return t.ID },
		norm: func(t *provisioning.Task) {
			instant(&t.NextRunAt)
			instant(&t.LeaseUntil)
			instant(&t.CreatedAt)
			instant(&t.UpdatedAt)
			instant(&t.FinishedAt)
			// No input is NULL, and reads back as nil.
			if len(t.Input) == 0 {
				t.Input = nil
			}
		},
	},
	order: billingIDOrder,
	keyOf: func(t *provisioning.Task) []string { return []string{t.ID.String()} },
}

// checkTask checks the fields without which a task cannot be stored.
func checkTask(t *provisioning.Task) error {
	if t == nil {
		return billkit.InvalidField("task", "required", "is required")
	}
	var v billkit.FieldErrors
	v.Check(!t.ID.IsZero(), "id", "required", "is required")
	v.Check(!t.ServiceID.IsZero(), "service_id", "required", "is required")
	v.Check(!t.ClientID.IsZero(), "client_id", "required", "is required")
	v.Check(len(t.Input) == 0 || json.Valid(t.Input), "input", "task.input_invalid", "is not JSON")
	return v.Err()
}

// InsertTask stores a new task; conflict "task.exists" for a taken ID,
// failed_precondition for a missing service or client.
func (p provisioningStore) InsertTask(ctx context.Context, t *provisioning.Task) error {
	if err := checkTask(t); err != nil {
		return err
	}
	return insertRow(ctx, p.s, tasks.table, t)
}

// GetTask reads a task; not_found "task.not_found".
func (p provisioningStore) GetTask(ctx context.Context, id provisioning.TaskID) (*provisioning.Task, error) {
	if id.IsZero() {
		return nil, billkit.NotFound("task", id)
	}
	return getRow(ctx, p.s, tasks.table, id, byID(id))
}

// UpdateTask writes every field of the task; not_found "task.not_found".
func (p provisioningStore) UpdateTask(ctx context.Context, t *provisioning.Task) error {
	if err := checkTask(t); err != nil {
		return err
	}
	return updateRow(ctx, p.s, tasks.table, t)
}

// ListTasks lists tasks in ID order. DueBy selects what a worker may
// claim, on the indexes of queued tasks by next run and running ones by
// lease; Departments a department's queue, on the index of the tasks that
// have a department.
func (p provisioningStore) ListTasks(ctx context.Context, f provisioning.TaskFilter) (billkit.Page[provisioning.Task], error) {
	if (f.ClientIDs != nil && len(f.ClientIDs) == 0) || (f.Departments != nil && len(f.Departments) == 0) {
		return emptyPage[provisioning.Task](f.PageParams)
	}
	return listRows(ctx, p.s, tasks, f.PageParams, func(q *bun.SelectQuery) *bun.SelectQuery {
		if !f.ServiceID.IsZero() {
			q = q.Where("?TableAlias.service_id = ?", f.ServiceID)
		}
		if f.ClientIDs != nil {
			q = q.Where("?TableAlias.client_id IN (?)", bun.In(f.ClientIDs))
		}
		if len(f.Statuses) > 0 {
			q = q.Where("?TableAlias.status IN (?)", bun.In(f.Statuses))
		}
		if f.Departments != nil {
			// The index of the queues is partial (department <> ''); saying
			// so lets SQLite use it too, and selects the same rows for any
			// department but "", which is no queue.
			q = q.Where("?TableAlias.department IN (?) AND ?TableAlias.department <> ''", bun.In(f.Departments))
		}
		if !f.DueBy.IsZero() {
			due := billkit.Instant(f.DueBy)
			q = q.Where("((?TableAlias.status = ? AND ?TableAlias.next_run_at <= ?) OR (?TableAlias.status = ? AND ?TableAlias.lease_until <= ?))",
				provisioning.TaskQueued, due, provisioning.TaskRunning, due)
		}
		return q
	})
}

// ClaimTask marks the task running in one conditional UPDATE, whose
// condition (queued and due, or running with its lease over) the database
// checks and changes together: of concurrent claimers exactly one changes
// the row. The winner reads the task back. A task that exists but is not
// claimable is nil; a missing one is not_found "task.not_found".
func (p provisioningStore) ClaimTask(ctx context.Context, id provisioning.TaskID, now, leaseUntil time.Time) (*provisioning.Task, error) {
	if err := p.s.usable(ctx); err != nil {
		return nil, err
	}
	if id.IsZero() {
		return nil, billkit.NotFound("task", id)
	}
	now, leaseUntil = billkit.Instant(now), billkit.Instant(leaseUntil)
	if !leaseUntil.After(now) {
		return nil, billkit.InvalidField("lease_until", "task.lease_not_after_now", "must be after now")
	}
	t := target{kind: "task", key: id}
	res, err := p.s.db.NewUpdate().TableExpr("billkit_tasks").
		Set("status = ?", provisioning.TaskRunning).
		Set("attempts = attempts + 1").
		Set("lease_until = ?", leaseUntil).
		Set("updated_at = ?", now).
		Where("id = ?", id).
		Where("((status = ? AND next_run_at <= ?) OR (status = ? AND lease_until <= ?))",
			provisioning.TaskQueued, now, provisioning.TaskRunning, now).
		Exec(ctx)
	if err != nil {
		return nil, mapError(ctx, err, t)
	}
	n, err := rowsAffected(ctx, res, t)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		ok, err := rowExists(ctx, p.s, "billkit_tasks", "task", id)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, billkit.NotFound("task", id)
		}
		return nil, nil
	}
	return p.GetTask(ctx, id)
}

var taskAttempts = list[provisioning.TaskAttempt]{
	table: table[provisioning.TaskAttempt]{
		name: "billkit_task_attempts",
		kind: "task_attempt",
		key:  func(a *provisioning.TaskAttempt) any { return a.TaskID.String() + "/" + itoa(a.Attempt) },
		norm: func(a *provisioning.TaskAttempt) { instant(&a.StartedAt); instant(&a.FinishedAt) },
	},
	order: []keyCol{{expr: "?TableAlias.task_id"}, {expr: "?TableAlias.attempt", arg: "CAST(? AS INTEGER)"}},
	keyOf: func(a *provisioning.TaskAttempt) []string { return []string{a.TaskID.String(), itoa(a.Attempt)} },
}

// InsertTaskAttempt records one run of a task; conflict
// "task_attempt.exists" for an attempt recorded already,
// failed_precondition for a missing task.
func (p provisioningStore) InsertTaskAttempt(ctx context.Context, a *provisioning.TaskAttempt) error {
	if a != nil && a.TaskID.IsZero() {
		return billkit.InvalidField("task_id", "required", "is required")
	}
	return insertRow(ctx, p.s, taskAttempts.table, a)
}

// ListTaskAttempts lists a task's attempts in order.
func (p provisioningStore) ListTaskAttempts(ctx context.Context, f provisioning.TaskAttemptFilter) (billkit.Page[provisioning.TaskAttempt], error) {
	return listRows(ctx, p.s, taskAttempts, f.PageParams, func(q *bun.SelectQuery) *bun.SelectQuery {
		if !f.TaskID.IsZero() {
			q = q.Where("?TableAlias.task_id = ?", f.TaskID)
		}
		return q
	})
}
