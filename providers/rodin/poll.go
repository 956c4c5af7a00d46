package rodin

import (
	"math/rand/v2"
	"time"
)

// The defaults of PollConfig. Rodin makes a model in a minute or two, and Deemos's own clients
// poll every 1.5 to 5 s; frequent status calls "may be throttled", so the waits grow to 15 s.
const (
	defaultFirst  = 2 * time.Second
	defaultMax    = 15 * time.Second
	defaultJitter = 0.2
	// growth is the factor between one wait and the next.
	growth = 1.5
)

// maxRetryAfter caps how long one Retry-After can hold a job between two polls.
const maxRetryAfter = 10 * time.Minute

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

// pacer hands out the waits between polls: First, growing by half each time up to Max, each
// spread by the jitter.
type pacer struct {
	cfg  PollConfig
	next time.Duration
}

func newPacer(c PollConfig) *pacer { return &pacer{cfg: c, next: c.First} }

// wait returns the next wait.
func (p *pacer) wait() time.Duration {
	d := p.next
	p.next = min(p.cfg.Max, time.Duration(float64(d)*growth))
	return time.Duration(float64(d) * (1 + p.cfg.Jitter*(rand.Float64()-0.5))) //nolint:gosec // jitter needs spread, not secrecy
}

// reset starts the waits over, after a change: the next may follow soon.
func (p *pacer) reset() { p.next = p.cfg.First }
