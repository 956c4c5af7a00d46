package fakehttp

import (
	"sync"
	"time"
)

// Clock is a fake's time: a base clock moved on by Advance, so that a test makes work progress and
// links expire without waiting. It is guarded by the fake's own lock, the one that guards the
// state it times, so that an answer computed under that lock sees one time throughout.
type Clock struct {
	mu     sync.Locker
	base   func() time.Time
	offset time.Duration
}

// NewClock returns a clock guarded by mu that reads base (nil means time.Now).
func NewClock(mu sync.Locker, base func() time.Time) *Clock {
	if base == nil {
		base = time.Now
	}
	return &Clock{mu: mu, base: base}
}

// Now is the fake's time. It takes the lock.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.NowLocked()
}

// NowLocked is the fake's time, for a caller that holds the lock.
func (c *Clock) NowLocked() time.Time { return c.base().Add(c.offset) }

// Advance moves the clock on by d. It takes the lock.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}
