package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/provisioning"
)

// task is work the server repeats: re-querying payments whose outcome is
// unknown, marking invoices overdue, forgetting expired idempotency keys,
// the billing cycle and provisioning's tasks.
type task struct {
	name  string
	every time.Duration
	run   func(ctx context.Context, now time.Time) error
}

// scheduler runs tasks when they are due. It keeps no state but the last
// run of each task: every task is safe to run twice, on two servers at
// once (they lock what they change), so a restart or a second server only
// repeats work that changes nothing.
type scheduler struct {
	clock billkit.Clock
	log   *slog.Logger
	tasks []task
	last  map[string]time.Time
}

func newScheduler(clock billkit.Clock, log *slog.Logger, tasks ...task) *scheduler {
	return &scheduler{clock: clock, log: log, tasks: tasks, last: map[string]time.Time{}}
}

// runDue runs every task whose interval has passed since its last run (or
// that never ran) and returns the names of those it ran. A failing task is
// logged and tried again at its next turn.
func (s *scheduler) runDue(ctx context.Context) []string {
	now := s.clock.Now()
	var ran []string
	for _, t := range s.tasks {
		if last, ok := s.last[t.name]; ok && now.Sub(last) < t.every {
			continue
		}
		s.last[t.name] = now
		ran = append(ran, t.name)
		if err := t.run(ctx, now); err != nil {
			s.log.Error("task failed", "task", t.name, "err", err)
		}
	}
	return ran
}

// loop runs due tasks every tick until ctx ends.
func (s *scheduler) loop(ctx context.Context, tick time.Duration) {
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		s.runDue(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// The intervals of the server's tasks.
const (
	// reconcileEvery is how often payments whose outcome is unknown are
	// asked about; each payment also waits for its own next check.
	reconcileEvery = time.Minute
	// overdueEvery is how often invoices past their due date are marked
	// overdue.
	overdueEvery = time.Hour
	// purgeEvery is how often expired idempotency keys are forgotten.
	purgeEvery = time.Hour
	// schedulerTick is how often the server's loop looks for due tasks.
	schedulerTick = time.Minute
	// cycleEvery is how often the billing cycle runs. Its decisions are
	// by the day, in each provider's time zone, so an hourly run renews
	// within the hour after midnight wherever the provider is, and a run
	// that failed is made up for within the hour.
	cycleEvery = time.Hour
	// dueTasksEvery is how often provisioning's tasks that are due (new
	// ones, retries after their backoff, those whose worker died) are run:
	// a client who ordered waits for the open at most this long.
	dueTasksEvery = time.Minute
	// dueTasksBatch is how many tasks one call of RunDueTasks runs.
	dueTasksBatch = 100
	// dueTasksRounds bounds the batches of one turn, so that a backlog
	// does not hold the scheduler's other tasks back for long; the rest
	// waits for the next turn.
	dueTasksRounds = 10
	// expiredOrdersEvery is how often new orders left unpaid past their
	// time are cancelled. The cycle cancels them too, hourly; this runs
	// more often so that the tariff stock they hold comes back sooner
	// (an order takes no server slot: its services are placed when it is
	// paid).
	expiredOrdersEvery = 10 * time.Minute
)

// idempotencyPurger forgets the answers of idempotency keys that expired:
// the server's store.
type idempotencyPurger interface {
	PurgeIdempotencyKeys(ctx context.Context, now time.Time) (int64, error)
}

// schedulerActor is who the server's tasks act as, in the action log.
var schedulerActor = billkit.SystemActor("scheduler")

// serverTasks are the tasks serve runs: asking gateways about payments
// whose outcome is unknown, marking invoices overdue, forgetting expired
// idempotency keys, cancelling orders left unpaid, the billing cycle, and
// provisioning's due tasks (after the cycle, so that the operations it
// queues start in the same turn). Each is safe to run on several servers
// at once.
func serverTasks(bill *billing.Service, mgr *provisioning.Manager, keys idempotencyPurger, log *slog.Logger) []task {
	counted := func(name string, n int64, err error) error {
		if err == nil && n > 0 {
			log.Info("task done", "task", name, "count", n)
		}
		return err
	}
	return []task{
		{name: "reconcile-payments", every: reconcileEvery, run: func(ctx context.Context, _ time.Time) error {
			n, err := bill.ReconcilePayments(ctx, schedulerActor)
			return counted("reconcile-payments", int64(n), err)
		}},
		{name: "mark-overdue-invoices", every: overdueEvery, run: func(ctx context.Context, now time.Time) error {
			n, err := bill.MarkOverdueInvoices(ctx, schedulerActor, now)
			return counted("mark-overdue-invoices", int64(n), err)
		}},
		{name: "purge-idempotency-keys", every: purgeEvery, run: func(ctx context.Context, now time.Time) error {
			n, err := keys.PurgeIdempotencyKeys(ctx, now)
			return counted("purge-idempotency-keys", n, err)
		}},
		{name: "cancel-expired-orders", every: expiredOrdersEvery, run: func(ctx context.Context, now time.Time) error {
			n, err := mgr.CancelExpiredOrders(ctx, now)
			return counted("cancel-expired-orders", int64(n), err)
		}},
		{name: "billing-cycle", every: cycleEvery, run: func(ctx context.Context, now time.Time) error {
			rep, err := mgr.RunCycle(ctx, schedulerActor, provisioning.CycleOptions{Now: now})
			logCycle(log, rep)
			return err
		}},
		{name: "run-due-tasks", every: dueTasksEvery, run: func(ctx context.Context, _ time.Time) error {
			n, err := runDueTasks(ctx, mgr)
			return counted("run-due-tasks", int64(n), err)
		}},
	}
}

// runDueTasks runs provisioning's due tasks batch after batch while a
// batch comes back full, at most dueTasksRounds batches, and returns how
// many ran.
func runDueTasks(ctx context.Context, mgr *provisioning.Manager) (int, error) {
	total := 0
	for range dueTasksRounds {
		n, err := mgr.RunDueTasks(ctx, dueTasksBatch)
		total += n
		if err != nil || n < dueTasksBatch {
			return total, err
		}
	}
	return total, nil
}

// logCycle logs what a run of the cycle did when it did something, and
// each service it could not handle: the run goes on past them, so the log
// is where staff learn of them.
func logCycle(log *slog.Logger, rep provisioning.CycleReport) {
	for _, f := range rep.Failures {
		log.Warn("billing cycle failure", "service_id", f.ServiceID.String(), "order_id", f.OrderID.String(),
			"code", string(f.Code), "reason", f.Reason, "message", f.Message)
	}
	if rep.Notices+rep.Invoices+rep.Renewals+rep.Suspensions+rep.Resumptions+rep.Deletions+rep.Unpaid+
		rep.OrdersPaid+rep.OrdersCancelled+len(rep.Failures) == 0 {
		return
	}
	log.Info("task done", "task", "billing-cycle", "services", rep.Services, "renewals", rep.Renewals,
		"suspensions", rep.Suspensions, "resumptions", rep.Resumptions, "deletions", rep.Deletions,
		"notices", rep.Notices, "invoices", rep.Invoices, "unpaid", rep.Unpaid,
		"orders_paid", rep.OrdersPaid, "orders_cancelled", rep.OrdersCancelled, "failures", len(rep.Failures))
}
