package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/billkit/billkit"
)

func TestSchedulerRunsDueTasks(t *testing.T) {
	clock := billkit.NewFakeClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	var runs []string
	task := func(name string, every time.Duration, err error) task {
		return task{name: name, every: every, run: func(context.Context, time.Time) error {
			runs = append(runs, name)
			return err
		}}
	}
	s := newScheduler(clock, slog.New(slog.NewTextHandler(io.Discard, nil)),
		task("fast", time.Minute, nil), task("slow", time.Hour, errors.New("down")))
	ctx := context.Background()
	if got := s.runDue(ctx); !slices.Equal(got, []string{"fast", "slow"}) {
		t.Fatalf("first turn ran %v", got)
	}
	if got := s.runDue(ctx); len(got) != 0 {
		t.Fatalf("nothing is due yet, ran %v", got)
	}
	clock.Advance(time.Minute)
	if got := s.runDue(ctx); !slices.Equal(got, []string{"fast"}) {
		t.Fatalf("after a minute ran %v", got)
	}
	clock.Advance(time.Hour)
	// A task that failed runs again at its next turn.
	if got := s.runDue(ctx); !slices.Equal(got, []string{"fast", "slow"}) {
		t.Fatalf("after an hour ran %v", got)
	}
	if len(runs) != 5 {
		t.Fatalf("runs %v", runs)
	}
}
