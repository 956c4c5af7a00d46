package httpkit

import (
	"math/rand/v2"
	"time"
)

// PollConfig paces a provider's polling of work in progress. Zero fields take the provider's
// defaults (WithDefaults).
type PollConfig struct {
	// First is the wait after the first poll.
	First time.Duration
	// Max is the longest wait between polls.
	Max time.Duration
	// Jitter is the share of each wait drawn at random, so that many Kilns started together do
	// not poll in step; 0 means 0.2, a negative value none.
	Jitter float64
}

// defaultJitter spreads each wait over ±10 % of itself.
const defaultJitter = 0.2

// growth is the factor between one wait and the next.
const growth = 1.5

// WithDefaults fills the zero fields of c: first and most for the waits, 0.2 for the jitter.
func (c PollConfig) WithDefaults(first, most time.Duration) PollConfig {
	if c.First <= 0 {
		c.First = first
	}
	if c.Max <= 0 {
		c.Max = most
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

// Backoff hands out the waits between polls: First, growing by half each time up to Max, each
// spread by the jitter. It is not safe for concurrent use: one job's poll loop owns one.
type Backoff struct {
	cfg  PollConfig
	next time.Duration
}

// NewBackoff returns the waits of c, which has its defaults filled in.
func NewBackoff(c PollConfig) *Backoff { return &Backoff{cfg: c, next: c.First} }

// Wait returns the next wait.
func (b *Backoff) Wait() time.Duration {
	d := b.next
	b.next = min(b.cfg.Max, time.Duration(float64(d)*growth))
	// Spread the wait over ±Jitter/2 of itself.
	return time.Duration(float64(d) * (1 + b.cfg.Jitter*(rand.Float64()-0.5))) //nolint:gosec // jitter needs spread, not secrecy
}

// Reset starts the waits over, after a change worth watching closely: the next may follow soon.
func (b *Backoff) Reset() { b.next = b.cfg.First }
