package httpkit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/kiln3d/kiln/providers"
)

// Limits remembers, per bucket (one service address and one credential), until when the
// service's rate limit holds every call: what the last answers' rate-limit headers and
// Retry-After said. A call made before then waits its turn instead of being refused again. The
// copies a provider makes for each credential share one Limits; it is safe for concurrent use.
type Limits struct {
	most  time.Duration
	mu    sync.Mutex
	until map[string]time.Time
}

// NewLimits returns empty limits that hold a call at most most (a service that states a longer
// wait gets its refusal answered by the caller's own retrying).
func NewLimits(most time.Duration) *Limits {
	return &Limits{most: most, until: map[string]time.Time{}}
}

// Bucket names the rate limit a call to endpoint with credential draws on. The credential is
// hashed, so that the map never holds it.
func Bucket(endpoint, credential string) string {
	sum := sha256.Sum256([]byte(credential))
	return endpoint + " " + hex.EncodeToString(sum[:8])
}

// Wait waits until bucket's limit holds no more, at most the Limits' bound, with k's clock and
// timer, logging the wait as service's; cancelled, it returns ctx's error, and nothing was sent.
func (l *Limits) Wait(ctx context.Context, k Kit, service, bucket, op string) error {
	l.mu.Lock()
	until := l.until[bucket]
	l.mu.Unlock()
	d := until.Sub(k.Now())
	if d <= 0 {
		return nil
	}
	d = min(d, l.most)
	k.Log.LogAttrs(ctx, slog.LevelInfo, service+": waiting for the rate limit", slog.String("op", op), slog.Duration("wait", d))
	return k.Sleep(ctx, d)
}

// Note keeps what an answer's rate-limit headers say of bucket: no call left until the reset, or
// calls left.
func (l *Limits) Note(bucket string, resp *http.Response, now time.Time) {
	rl := ParseRateLimit(resp.Header, now)
	if rl == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case rl.Remaining == 0 && rl.Reset > 0:
		l.until[bucket] = now.Add(min(rl.Reset, l.most))
	case rl.Remaining > 0:
		delete(l.until, bucket)
	}
}

// NoteRefusal keeps a rate limit's Retry-After (err, a *providers.APIError of kind
// ErrRateLimited), so that every call in bucket waits it out; any other error is ignored.
func (l *Limits) NoteRefusal(bucket string, err error, now time.Time) {
	var api *providers.APIError
	if !errors.As(err, &api) || !errors.Is(api.Kind, providers.ErrRateLimited) || api.RetryAfter <= 0 {
		return
	}
	until := now.Add(min(api.RetryAfter, l.most))
	l.mu.Lock()
	defer l.mu.Unlock()
	if until.After(l.until[bucket]) {
		l.until[bucket] = until
	}
}
