package providertest

import (
	"bytes"
	"context"
	"slices"
	"sync"
	"time"
)

// LogBuffer is a log sink that many goroutines may write to at once (a provider's slog handler
// in a test), read back with String.
type LogBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write implements io.Writer.
func (b *LogBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns everything written so far.
func (b *LogBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Sleeper stands in for a provider's Sleep in tests: it records every wait asked for and sleeps
// at most Cap of it, so that a long wait (a Retry-After) is checked without being waited out.
type Sleeper struct {
	// Cap is the longest a call really sleeps.
	Cap time.Duration

	mu    sync.Mutex
	waits []time.Duration
}

// Sleep records d and waits min(d, Cap), or until ctx ends.
func (s *Sleeper) Sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.waits = append(s.waits, d)
	s.mu.Unlock()
	t := time.NewTimer(min(d, s.Cap))
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Slept returns the waits asked for so far, in order.
func (s *Sleeper) Slept() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.waits)
}
