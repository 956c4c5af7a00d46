package server

import (
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// limiter keeps one token bucket per client (a key's id, or an address for requests without a
// valid key) and writes the rate-limit headers.
type limiter struct {
	every rate.Limit
	burst int

	mu      sync.Mutex
	buckets map[string]*rate.Limiter
}

// maxBuckets bounds the buckets kept for anonymous clients: beyond it the oldest are forgotten
// (which only ever gives a client a full bucket again).
const maxBuckets = 10000

func newLimiter(perSecond float64, burst int) *limiter {
	return &limiter{every: rate.Limit(perSecond), burst: burst, buckets: map[string]*rate.Limiter{}}
}

func (l *limiter) bucket(client string) *rate.Limiter {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[client]
	if !ok {
		if len(l.buckets) >= maxBuckets {
			clear(l.buckets)
		}
		b = rate.NewLimiter(l.every, l.burst)
		l.buckets[client] = b
	}
	return b
}

// allow takes a token from client's bucket and writes x-ratelimit-limit, -remaining and -reset
// (seconds until the bucket is full again). When the bucket is empty it also writes
// x-ratelimit-retry-after and Retry-After (whole seconds until a token) and returns false.
func (l *limiter) allow(w http.ResponseWriter, client string, now time.Time) bool {
	b := l.bucket(client)
	ok := b.AllowN(now, 1)
	tokens := b.TokensAt(now)
	h := w.Header()
	h.Set("x-ratelimit-limit", strconv.Itoa(l.burst))
	h.Set("x-ratelimit-remaining", strconv.Itoa(max(0, int(math.Floor(tokens)))))
	h.Set("x-ratelimit-reset", strconv.Itoa(l.seconds(float64(l.burst)-tokens)))
	if !ok {
		wait := strconv.Itoa(max(1, l.seconds(1-tokens)))
		h.Set("x-ratelimit-retry-after", wait)
		h.Set("Retry-After", wait)
	}
	return ok
}

// seconds is how long the bucket takes to gain n tokens, rounded up.
func (l *limiter) seconds(n float64) int {
	if n <= 0 || l.every <= 0 {
		return 0
	}
	return int(math.Ceil(n / float64(l.every)))
}
