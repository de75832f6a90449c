package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/billkit/billkit"
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
