package billkit_test

import (
	"sync"
	"testing"
	"time"

	"github.com/billkit/billkit"
)

func TestSystemClock(t *testing.T) {
	before := time.Now()
	got := billkit.SystemClock().Now()
	after := time.Now()
	if got.Before(before) || got.After(after) {
		t.Errorf("SystemClock().Now() = %v, outside [%v, %v]", got, before, after)
	}
}

func TestFakeClock(t *testing.T) {
	start := time.Date(2024, 1, 31, 12, 0, 0, 0, time.UTC)
	c := billkit.NewFakeClock(start)
	var _ billkit.Clock = c
	if !c.Now().Equal(start) || !c.Now().Equal(start) {
		t.Fatal("a FakeClock moved by itself")
	}
	if got := c.Advance(90 * time.Minute); !got.Equal(start.Add(90*time.Minute)) || !c.Now().Equal(got) {
		t.Errorf("Advance = %v", got)
	}
	c.Set(start)
	if got := c.AddDate(0, 1, 0); !got.Equal(time.Date(2024, 3, 2, 12, 0, 0, 0, time.UTC)) {
		t.Errorf("AddDate(0, 1, 0) from January 31st = %v (time.AddDate normalizes)", got)
	}
	earlier := start.Add(-time.Hour)
	c.Set(earlier)
	if !c.Now().Equal(earlier) {
		t.Error("Set back in time")
	}
}

func TestFakeClockConcurrent(t *testing.T) {
	c := billkit.NewFakeClock(time.Unix(0, 0).UTC())
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 100 {
				c.Advance(time.Second)
				_ = c.Now()
			}
		}()
	}
	wg.Wait()
	if got := c.Now(); !got.Equal(time.Unix(800, 0)) {
		t.Errorf("after 800 concurrent advances: %v", got)
	}
}

func TestInstant(t *testing.T) {
	moscow := time.FixedZone("MSK", 3*3600)
	in := time.Date(2024, 5, 1, 15, 4, 5, 123456789, moscow)
	got := billkit.Instant(in)
	if got.Location() != time.UTC || got.Nanosecond() != 123456000 || !got.Equal(time.Date(2024, 5, 1, 12, 4, 5, 123456000, time.UTC)) {
		t.Errorf("Instant = %v", got)
	}
	if billkit.Instant(got) != got {
		t.Error("Instant is not idempotent")
	}
}
