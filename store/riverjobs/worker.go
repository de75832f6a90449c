package riverjobs

import (
	"context"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/provisioning"
	"github.com/riverqueue/river"
)

// TaskArgs are a job's arguments: the task to run and the number of the
// attempt the job is for. Each attempt has a job of its own, written by
// the transaction that made the attempt due.
type TaskArgs struct {
	TaskID  provisioning.TaskID `json:"task_id"`
	Attempt int                 `json:"attempt"`
}

// Kind is River's name of the job: the package's Kind.
func (TaskArgs) Kind() string { return Kind }

// readTimeout bounds the read of a task after its run.
const readTimeout = 30 * time.Second

// taskWorker is River's worker of TaskArgs: it runs the task with the
// Queue's runner.
type taskWorker struct {
	river.WorkerDefaults[TaskArgs]
	q *Queue
}

// Work runs one attempt of the task. A nil error completes the job: the
// task's own outcome (a module's failure, its retry) is the manager's,
// which writes the next attempt's job itself. An error is the store's (the
// database is down), and River retries the job. A task that is gone
// cancels the job.
//
// The manager runs a task only when it is due by its own clock and not
// held by another worker. When neither this nor another run made the
// job's attempt, the job is snoozed until it can: until NextRunAt for a
// task that is not due yet, until the lease ends for a task another worker
// holds (should that worker be lost, the task is claimed then).
func (w *taskWorker) Work(ctx context.Context, job *river.Job[TaskArgs]) error {
	runner := w.q.runner.Load()
	if runner == nil {
		// Jobs are fetched only once Start has set the runner.
		return billkit.Errorf(billkit.CodeFailedPrecondition, ReasonUnconfigured, "the queue has no runner: call Start")
	}
	id := job.Args.TaskID
	if err := (*runner).RunTask(ctx, id); err != nil {
		if billkit.IsCode(err, billkit.CodeNotFound) {
			return river.JobCancel(err)
		}
		return err
	}
	// The attempt is recorded even when the job's context ends during
	// it; reading the outcome must not then fail the job, which River
	// would count as a failed run.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), readTimeout)
	defer cancel()
	t, err := w.q.tasks.GetTask(rctx, id)
	if billkit.IsCode(err, billkit.CodeNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if d, wait := w.q.wait(t, job.Args.Attempt, time.Now()); wait {
		return river.JobSnooze(d)
	}
	return nil
}

// wait says whether the job for attempt of t, read after a run, must wait
// and look again, and for how long. now is the system clock.
func (q *Queue) wait(t *provisioning.Task, attempt int, now time.Time) (time.Duration, bool) {
	switch {
	case t.Status == provisioning.TaskRunning && t.LeaseUntil.After(now) && t.Attempts <= attempt:
		// Another worker holds it for this job's attempt: another job
		// of the same attempt, or a worker that was lost while it ran
		// this very job, which River then handed out again. A look once
		// the lease is over tells which. (A later attempt that runs has
		// a job of its own.)
		return max(t.LeaseUntil.Sub(now), q.cfg.Recheck), true
	case t.Status == provisioning.TaskQueued && t.Attempts < attempt:
		// Not due by the manager's clock: this job's attempt is still to
		// be made.
		return max(t.NextRunAt.Sub(now), q.cfg.Recheck), true
	}
	return 0, false
}
