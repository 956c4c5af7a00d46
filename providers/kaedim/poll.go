package kaedim

import (
	"context"
	"time"
)

// The defaults of PollConfig: Kaedim takes minutes to hours, so a few seconds at first (a test
// request may be quick) growing to a minute costs little and is not noticed.
const (
	defaultFirst = 5 * time.Second
	defaultMax   = time.Minute
)

// maxRetryAfter caps how long a Retry-After can hold a job between two polls.
const maxRetryAfter = 15 * time.Minute

// pause waits d, or until ctx ends.
func (p *Provider) pause(ctx context.Context, d time.Duration) error { return p.Sleep(ctx, d) }
