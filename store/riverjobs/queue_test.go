package riverjobs

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/provisioning"
	"github.com/billkit/billkit/store/bunstore"
	"github.com/billkit/billkit/store/storetest"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/uptrace/bun"
)

// A task written by a committed transaction runs on River: its one job
// completes and the service it opens ends active.
func TestCommittedTaskRunsOnRiver(t *testing.T) {
	forEachStore(t, func(t *testing.T, st *bunstore.Store) {
		w := newWorld(t, st, worldOptions{queue: testConfig()})
		svcID, taskID := w.open(t)
		w.events.completed(t, taskID, 1)

		if s := w.service(t, svcID); s.Status != provisioning.StatusActive || s.Params["ip"] != "203.0.113.7" {
			t.Fatalf("service = %s %v, want active with the module's ip", s.Status, s.Params)
		}
		if tk := w.task(t, taskID); tk.Status != provisioning.TaskDone || tk.Attempts != 1 {
			t.Fatalf("task = %s after %d attempts, want done after 1", tk.Status, tk.Attempts)
		}
		if n := w.mod.callsOf(svcID); n != 1 {
			t.Fatalf("module called %d times, want 1", n)
		}
		got := jobs(t, w.q, taskID)
		want := []jobRow{{State: "completed", Args: TaskArgs{TaskID: taskID, Attempt: 1}}}
		if !slices.Equal(got, want) {
			t.Fatalf("jobs = %+v, want %+v", got, want)
		}
	})
}

// failingQueue writes the job, then fails, so that the manager's
// transaction rolls back after the job was written in it.
type failingQueue struct{ q *Queue }

var errAfterEnqueue = errors.New("refused after the job was written")

func (f failingQueue) Enqueue(ctx context.Context, tx provisioning.Store, t *provisioning.Task) error {
	if err := f.q.Enqueue(ctx, tx, t); err != nil {
		return err
	}
	return errAfterEnqueue
}

// A transaction that rolls back takes its job with it, as well as its
// task: nothing is left to run, and the service is as it was.
func TestRolledBackTransactionLeavesNoJob(t *testing.T) {
	forEachStore(t, func(t *testing.T, st *bunstore.Store) {
		w := newWorld(t, st, worldOptions{queue: testConfig(), wrap: func(q *Queue) provisioning.Queue { return failingQueue{q} }})
		svc := w.activeService(t)
		_, err := w.mgr.SuspendService(context.Background(), system, svc.ID, provisioning.SuspendStaff, "")
		if !errors.Is(err, errAfterEnqueue) {
			t.Fatalf("SuspendService: err = %v, want the queue's", err)
		}
		if got := jobs(t, w.q, provisioning.TaskID{}); len(got) != 0 {
			t.Fatalf("jobs = %+v, want none", got)
		}
		page, err := w.mgr.ListTasks(context.Background(), system, provisioning.TaskFilter{ServiceID: svc.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Items) != 0 {
			t.Fatalf("tasks = %+v, want none", page.Items)
		}
		if s := w.service(t, svc.ID); s.Status != provisioning.StatusActive || !s.TaskID.IsZero() {
			t.Fatalf("service = %s (task %s), want active with no task", s.Status, s.TaskID)
		}

		// The same write on its own transaction, rolled back by its caller.
		tk := &provisioning.Task{ID: billkit.NewID[provisioning.Task]()}
		err = st.Provisioning().InTx(context.Background(), func(tx provisioning.Store) error {
			if err := w.q.Enqueue(context.Background(), tx, tk); err != nil {
				t.Fatalf("Enqueue: %v", err)
			}
			sqlTx, err := bunstore.SQLTx(tx)
			if err != nil {
				t.Fatal(err)
			}
			res, err := w.q.Client().JobListTx(context.Background(), sqlTx, river.NewJobListParams().Kinds(Kind))
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Jobs) != 1 {
				t.Fatalf("jobs inside the transaction = %d, want one", len(res.Jobs))
			}
			return errAfterEnqueue
		})
		if !errors.Is(err, errAfterEnqueue) {
			t.Fatalf("InTx: %v", err)
		}
		if got := jobs(t, w.q, tk.ID); len(got) != 0 {
			t.Fatalf("jobs after the rollback = %+v, want none", got)
		}
	})
}

// A module that fails twice, then succeeds: each retry the manager queues
// is a job of its own, and the third attempt opens the service.
func TestRetriesAreJobsOfTheirOwn(t *testing.T) {
	forEachStore(t, func(t *testing.T, st *bunstore.Store) {
		w := newWorld(t, st, worldOptions{queue: testConfig()})
		w.mod.failFirst(2)
		svcID, taskID := w.open(t)
		w.events.completed(t, taskID, 3)

		if s := w.service(t, svcID); s.Status != provisioning.StatusActive {
			t.Fatalf("service = %s, want active", s.Status)
		}
		page, err := w.mgr.ListTaskAttempts(context.Background(), system, provisioning.TaskAttemptFilter{TaskID: taskID})
		if err != nil {
			t.Fatal(err)
		}
		var outcomes []string
		for _, a := range page.Items {
			outcomes = append(outcomes, a.Outcome)
		}
		if want := []string{"retry", "retry", "done"}; !slices.Equal(outcomes, want) {
			t.Fatalf("attempts = %v, want %v", outcomes, want)
		}
		if n := w.mod.callsOf(svcID); n != 3 {
			t.Fatalf("module called %d times, want 3", n)
		}
		var want []jobRow
		for a := 1; a <= 3; a++ {
			want = append(want, jobRow{State: "completed", Args: TaskArgs{TaskID: taskID, Attempt: a}})
		}
		if got := jobs(t, w.q, taskID); !slices.Equal(got, want) {
			t.Fatalf("jobs = %+v, want %+v", got, want)
		}
	})
}

// A retry that is not due yet by the manager's clock, although River runs
// its job, is not lost: the job snoozes and looks again, and runs the task
// once the manager's clock has come.
func TestJobOfTaskNotDueWaits(t *testing.T) {
	w := newWorld(t, migrated(t, storetest.NewMemory(t)), worldOptions{
		queue:   testConfig(),
		backoff: func(int) time.Duration { return time.Hour },
	})
	w.mod.failFirst(1)
	svcID, taskID := w.open(t)
	w.events.completed(t, taskID, 1)
	w.events.waitFor(t, "the second attempt's job to snooze", func(ev event) bool {
		return ev.kind == river.EventKindJobSnoozed && ev.args.TaskID == taskID && ev.args.Attempt == 2
	})
	if tk := w.task(t, taskID); tk.Status != provisioning.TaskQueued || tk.Attempts != 1 {
		t.Fatalf("task = %s after %d attempts, want queued after 1", tk.Status, tk.Attempts)
	}

	w.clock.Advance(time.Hour)
	w.events.completed(t, taskID, 2)
	if s := w.service(t, svcID); s.Status != provisioning.StatusActive {
		t.Fatalf("service = %s, want active", s.Status)
	}
	if n := w.mod.callsOf(svcID); n != 2 {
		t.Fatalf("module called %d times, want 2", n)
	}
}

// wait: which jobs look again at their task, and when.
func TestWait(t *testing.T) {
	q := &Queue{cfg: withDefaults(Config{Recheck: time.Second})}
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name    string
		task    provisioning.Task
		attempt int
		want    time.Duration
		wait    bool
	}{
		{"not due: until NextRunAt", provisioning.Task{Status: provisioning.TaskQueued, Attempts: 1, NextRunAt: now.Add(time.Hour)}, 2, time.Hour, true},
		{"not due by the manager only: Recheck", provisioning.Task{Status: provisioning.TaskQueued, Attempts: 1, NextRunAt: now.Add(-time.Minute)}, 2, time.Second, true},
		{"queued for a later attempt: that job's", provisioning.Task{Status: provisioning.TaskQueued, Attempts: 2, NextRunAt: now.Add(time.Hour)}, 2, 0, false},
		{"held for this attempt: until the lease ends", provisioning.Task{Status: provisioning.TaskRunning, Attempts: 2, LeaseUntil: now.Add(5 * time.Minute)}, 2, 5 * time.Minute, true},
		{"held for a later attempt: that job's", provisioning.Task{Status: provisioning.TaskRunning, Attempts: 3, LeaseUntil: now.Add(5 * time.Minute)}, 2, 0, false},
		{"lease over: done with", provisioning.Task{Status: provisioning.TaskRunning, Attempts: 2, LeaseUntil: now.Add(-time.Second)}, 2, 0, false},
		{"done", provisioning.Task{Status: provisioning.TaskDone, Attempts: 2}, 2, 0, false},
		{"cancelled before it ran", provisioning.Task{Status: provisioning.TaskCancelled}, 1, 0, false},
		{"waiting for an answer", provisioning.Task{Status: provisioning.TaskWaiting, Attempts: 1}, 1, 0, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, wait := q.wait(&c.task, c.attempt, now)
			if got != c.want || wait != c.wait {
				t.Fatalf("wait = %s, %v; want %s, %v", got, wait, c.want, c.wait)
			}
		})
	}
}

// Two Queues on one database share the jobs, each task running once: how
// several servers run on one PostgreSQL.
func TestQueuesShareJobs(t *testing.T) {
	forEachStore(t, func(t *testing.T, st *bunstore.Store) {
		w := newWorld(t, st, worldOptions{queue: testConfig()})
		other, err := New(st, testConfig())
		if err != nil {
			t.Fatal(err)
		}
		otherEvents := subscribe(t, other)
		startQueue(t, other, w.mgr)

		const n = 6
		want := map[provisioning.TaskID]provisioning.ServiceID{}
		for range n {
			svcID, taskID := w.open(t)
			want[taskID] = svcID
		}
		done := map[provisioning.TaskID]bool{}
		ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
		defer cancel()
		for len(done) < n {
			var ev *river.Event
			select {
			case ev = <-w.events.ch:
			case ev = <-otherEvents.ch:
			case <-ctx.Done():
				t.Fatalf("%d of %d tasks' jobs completed: %v", len(done), n, ctx.Err())
			}
			var a TaskArgs
			if ev.Kind == river.EventKindJobCompleted && json.Unmarshal(ev.Job.EncodedArgs, &a) == nil {
				done[a.TaskID] = true
			}
		}
		if len(done) != n {
			t.Fatalf("%d of %d tasks' jobs completed", len(done), n)
		}
		for taskID, svcID := range want {
			if s := w.service(t, svcID); s.Status != provisioning.StatusActive {
				t.Errorf("service of task %s = %s, want active", taskID, s.Status)
			}
			if c := w.mod.callsOf(svcID); c != 1 {
				t.Errorf("module called %d times for task %s, want 1", c, taskID)
			}
		}
	})
}

// runnerFunc is a Runner made of a function.
type runnerFunc func(ctx context.Context, id provisioning.TaskID) error

func (f runnerFunc) RunTask(ctx context.Context, id provisioning.TaskID) error { return f(ctx, id) }

// enqueue writes the job of a task's first attempt in a transaction of
// its own (no task row is needed for River).
func enqueue(t *testing.T, st *bunstore.Store, q *Queue, tk *provisioning.Task) {
	t.Helper()
	if err := st.Provisioning().InTx(context.Background(), func(tx provisioning.Store) error {
		return q.Enqueue(context.Background(), tx, tk)
	}); err != nil {
		t.Fatalf("Enqueue: %v", err)
	}
}

// A run that fails is River's to retry, up to MaxAttempts; a task that is
// gone cancels its job.
func TestRunFailures(t *testing.T) {
	st := migrated(t, storetest.NewMemory(t))
	cfg := testConfig()
	cfg.MaxAttempts = 1
	q, err := New(st, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ev := subscribe(t, q)
	down, gone := billkit.NewID[provisioning.Task](), billkit.NewID[provisioning.Task]()
	startQueue(t, q, runnerFunc(func(_ context.Context, id provisioning.TaskID) error {
		if id == gone {
			return billkit.NotFound("task", id)
		}
		return billkit.Errorf(billkit.CodeUnavailable, "store.unreachable", "the database cannot be reached")
	}))
	enqueue(t, st, q, &provisioning.Task{ID: down})
	enqueue(t, st, q, &provisioning.Task{ID: gone})

	seen := map[provisioning.TaskID]event{}
	for len(seen) < 2 {
		e := ev.waitFor(t, "both jobs to end", func(e event) bool {
			return e.kind == river.EventKindJobFailed || e.kind == river.EventKindJobCancelled
		})
		seen[e.args.TaskID] = e
	}
	if e := seen[down]; e.kind != river.EventKindJobFailed || e.state != "discarded" {
		t.Fatalf("job of a failing run: %s (%s), want failed and discarded after its one attempt", e.kind, e.state)
	}
	if e := seen[gone]; e.kind != river.EventKindJobCancelled {
		t.Fatalf("job of a missing task: %s, want cancelled", e.kind)
	}
}

// A task due later by the system clock gets a job scheduled then.
func TestEnqueueSchedulesFutureTasks(t *testing.T) {
	st := migrated(t, storetest.NewMemory(t))
	q, err := New(st, testConfig())
	if err != nil {
		t.Fatal(err)
	}
	later := billkit.Instant(time.Now().Add(time.Hour))
	tk := &provisioning.Task{ID: billkit.NewID[provisioning.Task](), Attempts: 2, NextRunAt: later}
	enqueue(t, st, q, tk)
	res, err := q.Client().JobList(context.Background(), river.NewJobListParams().Kinds(Kind))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Jobs) != 1 {
		t.Fatalf("%d jobs, want 1", len(res.Jobs))
	}
	j := res.Jobs[0]
	// SQLite keeps River's times to the millisecond.
	if j.State != rivertype.JobStateScheduled || j.ScheduledAt.Sub(later).Abs() >= time.Millisecond ||
		j.MaxAttempts != DefaultMaxAttempts || j.Queue != DefaultQueue {
		t.Fatalf("job = %s at %s, %d attempts, queue %s; want scheduled at %s, %d attempts, queue %s",
			j.State, j.ScheduledAt, j.MaxAttempts, j.Queue, later, DefaultMaxAttempts, DefaultQueue)
	}
	if got := jobs(t, q, tk.ID); len(got) != 1 || got[0].Args.Attempt != 3 {
		t.Fatalf("jobs = %+v, want one for attempt 3", got)
	}
}

// foreignStore is a provisioning.Store of another implementation.
type foreignStore struct{ provisioning.Store }

func TestEnqueueRefuses(t *testing.T) {
	st := migrated(t, storetest.NewMemory(t))
	q, err := New(st, testConfig())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	tk := &provisioning.Task{ID: billkit.NewID[provisioning.Task]()}

	wantCode(t, q.Enqueue(ctx, st.Provisioning(), tk), billkit.CodeFailedPrecondition, bunstore.ReasonNotInTx)
	wantField(t, q.Enqueue(ctx, foreignStore{}, tk), "store", bunstore.ReasonForeignStore)
	wantField(t, q.Enqueue(ctx, nil, tk), "store", "required")
	err = st.Provisioning().InTx(ctx, func(tx provisioning.Store) error {
		wantField(t, q.Enqueue(ctx, tx, nil), "task", "required")
		wantField(t, q.Enqueue(ctx, tx, &provisioning.Task{}), "task.id", "required")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := jobs(t, q, provisioning.TaskID{}); len(got) != 0 {
		t.Fatalf("jobs = %+v, want none", got)
	}
	var zero *Queue
	wantCode(t, zero.Enqueue(ctx, st.Provisioning(), tk), billkit.CodeFailedPrecondition, ReasonUnconfigured)
}

func TestNewRefuses(t *testing.T) {
	st := storetest.NewMemory(t)
	_, err := New(nil, Config{})
	wantField(t, err, "store", "required")
	for _, c := range []struct {
		field string
		cfg   Config
	}{
		{"workers", Config{Workers: -1}},
		{"poll_interval", Config{PollInterval: -time.Second}},
		{"max_attempts", Config{MaxAttempts: -1}},
		{"job_timeout", Config{JobTimeout: -time.Second}},
		{"recheck", Config{Recheck: -time.Second}},
		{"queue", Config{Queue: "Billkit Tasks"}},
		{"queue", Config{Queue: "tasks_"}},
	} {
		_, err := New(st, c.cfg)
		wantField(t, err, c.field, "")
	}

	tx, err := st.DB().(*bun.DB).BeginTx(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback() }()
	_, err = New(bunstore.New(tx), Config{})
	wantCode(t, err, billkit.CodeFailedPrecondition, ReasonNeedsDB)
	wantCode(t, Migrate(context.Background(), bunstore.New(tx)), billkit.CodeFailedPrecondition, ReasonNeedsDB)
}

func TestStartAndStop(t *testing.T) {
	// A file, not memory: River's SQLite driver may drop the connection
	// it was beginning a transaction on as it stops, which would take an
	// in-memory database with it before the restart.
	st := migrated(t, storetest.NewFile(t))
	q, err := New(st, testConfig())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	wantField(t, q.Start(ctx, nil), "runner", "required")
	if err := q.Stop(ctx); err != nil {
		t.Fatalf("Stop before Start: %v", err)
	}
	run := runnerFunc(func(context.Context, provisioning.TaskID) error { return nil })
	if err := q.Start(ctx, run); err != nil {
		t.Fatal(err)
	}
	wantCode(t, q.Start(ctx, run), billkit.CodeFailedPrecondition, ReasonStarted)
	if err := q.Stop(ctx); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if err := q.Stop(ctx); err != nil {
		t.Fatalf("Stop twice: %v", err)
	}

	// A stopped Queue starts again, and works.
	ran := make(chan provisioning.TaskID, 1)
	startQueue(t, q, runnerFunc(func(_ context.Context, id provisioning.TaskID) error {
		ran <- id
		return billkit.NotFound("task", id)
	}))
	tk := &provisioning.Task{ID: billkit.NewID[provisioning.Task]()}
	enqueue(t, st, q, tk)
	wait, cancel := context.WithTimeout(ctx, waitLimit)
	defer cancel()
	select {
	case id := <-ran:
		if id != tk.ID {
			t.Fatalf("ran task %s, want %s", id, tk.ID)
		}
	case <-wait.Done():
		t.Fatal("the restarted queue ran nothing")
	}
}

// Migrate applies River's migrations once; again, it does nothing.
func TestMigrateIsIdempotent(t *testing.T) {
	forEachStore(t, func(t *testing.T, st *bunstore.Store) {
		if err := Migrate(context.Background(), st); err != nil {
			t.Fatalf("second Migrate: %v", err)
		}
		n, err := st.DB().NewSelect().TableExpr("river_migration").Count(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			t.Fatal("no River migration recorded")
		}
		wantField(t, Migrate(context.Background(), nil), "store", "required")
	})
}

// Migrations started at once take turns, and all succeed.
func TestMigrateConcurrently(t *testing.T) {
	for name, open := range map[string]func(testing.TB) *bunstore.Store{"sqlite": storetest.NewMemory, "postgres": storetest.NewPostgres} {
		t.Run(name, func(t *testing.T) {
			st := open(t)
			errs := make(chan error, 3)
			for range cap(errs) {
				go func() { errs <- Migrate(context.Background(), st) }()
			}
			for range cap(errs) {
				if err := <-errs; err != nil {
					t.Errorf("Migrate: %v", err)
				}
			}
			if _, err := New(st, testConfig()); err != nil {
				t.Fatal(err)
			}
			if _, err := st.DB().NewSelect().TableExpr("river_job").Count(context.Background()); err != nil {
				t.Fatalf("river_job after the migrations: %v", err)
			}
		})
	}
}
