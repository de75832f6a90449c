// Package riverjobs runs provisioning's tasks on River, the job queue that
// lives in the same database as billkit: PostgreSQL through database/sql,
// or SQLite through River's SQLite driver.
//
// # How a task runs
//
// A [Queue] is the manager's provisioning.Queue. When the manager writes a
// task, or queues it again for a retry, or staff retry it, [Queue.Enqueue]
// writes a River job in the same transaction, so the job exists if and only
// if the change commits. The job's [TaskArgs] name the task and the attempt
// it is for; a retry's job is a new job, scheduled at the task's NextRunAt.
//
// Once started, the Queue's worker runs each job through a [Runner], the
// provisioning.Manager:
//
//	q, err := riverjobs.New(st, riverjobs.Config{})
//	mgr, err := provisioning.NewManager(st.Provisioning(), provisioning.Config{Queue: q, ...})
//	err = q.Start(ctx, mgr)
//	defer q.Stop(ctx)
//
// The task's retry policy is the manager's: a module's failure is recorded
// on the task, which is queued again after the manager's backoff with a job
// of its own, and the job that ran it is complete. River retries a job
// only when the run itself failed (the database was down), up to
// Config.MaxAttempts times; should it give up, the task stays queued,
// where Manager.RunDueTasks finds it. A job whose task is not due yet by
// the manager's clock, or is held by another worker, waits (River's
// snooze) and looks again rather than being lost.
//
// # Several servers
//
// Any number of processes on one PostgreSQL database may each start a
// Queue: River hands every job to one of them (rows locked with SKIP
// LOCKED), and one elected leader does River's upkeep (scheduled jobs,
// jobs of a lost process, old jobs' deletion). Jobs are found by polling,
// every Config.PollInterval. Should two runs of one task meet anyway, the
// manager's claim on the task (a lease) lets only one call the module.
// SQLite has one writer and suits one process.
//
// # Migrations
//
// River's tables live beside billkit's and are created by [Migrate], which
// `billkit migrate` and `billkit serve` call after the store's own
// migrations. It applies only what is missing, so it may run at every
// start.
package riverjobs
