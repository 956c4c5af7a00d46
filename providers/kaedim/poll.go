package kaedim

import (
	"context"
	"math/rand/v2"
	"time"
)

// The defaults of PollConfig: Kaedim takes minutes to hours, so a few seconds at first (a test
// request may be quick) growing to a minute costs little and is not noticed.
const (
	defaultFirst  = 5 * time.Second
	defaultMax    = time.Minute
	defaultJitter = 0.2
	// growth is the factor between one wait and the next.
	growth = 1.5
)

func (c PollConfig) withDefaults() PollConfig {
	if c.First <= 0 {
		c.First = defaultFirst
	}
	if c.Max <= 0 {
		c.Max = defaultMax
	}
	c.Max = max(c.Max, c.First)
	switch {
	case c.Jitter == 0:
		c.Jitter = defaultJitter
	case c.Jitter < 0:
		c.Jitter = 0
	case c.Jitter > 1:
		c.Jitter = 1
	}
	return c
}

// backoff hands out the waits between polls: First, then growing to Max, each with its jitter.
type backoff struct {
	cfg  PollConfig
	next time.Duration
}

func newBackoff(c PollConfig) *backoff { return &backoff{cfg: c, next: c.First} }

func (b *backoff) wait() time.Duration {
	d := b.next
	b.next = min(b.cfg.Max, time.Duration(float64(d)*growth))
	// Spread the wait over ±Jitter/2 of itself.
	return time.Duration(float64(d) * (1 + b.cfg.Jitter*(rand.Float64()-0.5))) //nolint:gosec // jitter needs spread, not secrecy
}

// reset starts the waits over, after a change worth watching closely.
func (b *backoff) reset() { b.next = b.cfg.First }

// maxRetryAfter caps how long a Retry-After can hold a job between two polls.
const maxRetryAfter = 15 * time.Minute

// pause waits d, or until ctx ends.
func (p *Provider) pause(ctx context.Context, d time.Duration) error { return p.sleep(ctx, d) }
