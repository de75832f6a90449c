package billkit

import (
	"sync"
	"time"
)

// Clock tells the time. Every billkit service takes one, so tests can move time
// forward by months and watch renewals, suspensions and deletions happen.
type Clock interface {
	// Now returns the current instant.
	Now() time.Time
}

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

// SystemClock returns the clock of the machine.
func SystemClock() Clock { return systemClock{} }

// FakeClock is a Clock that stands still until a test moves it. It is safe for
// concurrent use.
type FakeClock struct {
	mu  sync.Mutex
	now time.Time
}

// NewFakeClock returns a FakeClock showing start.
func NewFakeClock(start time.Time) *FakeClock { return &FakeClock{now: start} }

// Now returns the clock's current instant.
func (c *FakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Set moves the clock to t, forward or back.
func (c *FakeClock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

// Advance moves the clock forward by d and returns the new instant.
func (c *FakeClock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return c.now
}

// AddDate moves the clock by calendar years, months and days, in the clock's
// location, and returns the new instant.
func (c *FakeClock) AddDate(years, months, days int) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.AddDate(years, months, days)
	return c.now
}

// Instant normalizes t the way billkit stores instants: in UTC, truncated to
// microseconds, so a value read back from any database equals the one written.
func Instant(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }
