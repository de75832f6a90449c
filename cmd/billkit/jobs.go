package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
)

// task is work the server repeats: re-querying payments whose outcome is
// unknown, marking invoices overdue, forgetting expired idempotency keys.
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
)

// idempotencyPurger forgets the answers of idempotency keys that expired:
// the server's store.
type idempotencyPurger interface {
	PurgeIdempotencyKeys(ctx context.Context, now time.Time) (int64, error)
}

// schedulerActor is who the server's tasks act as, in the action log.
var schedulerActor = billkit.SystemActor("scheduler")

// serverTasks are the tasks serve runs: asking gateways about payments
// whose outcome is unknown, marking invoices overdue, and forgetting
// expired idempotency keys. Each is safe to run on several servers at once.
func serverTasks(bill *billing.Service, keys idempotencyPurger, log *slog.Logger) []task {
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
	}
}
