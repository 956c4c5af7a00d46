package httpkit

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/kiln3d/kiln/providers"
)

// RetryAfter reads the Retry-After header: delay-seconds, or an HTTP date measured from now. Zero
// when it is absent, unreadable or in the past.
func RetryAfter(h http.Header, now time.Time) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseInt(v, 10, 64); err == nil {
		return seconds(s)
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(0, t.Sub(now))
	}
	return 0
}

// epochFloor tells a reset written as a Unix time (GitHub's X-RateLimit-Reset) from one written
// as seconds to wait: no quota window lasts 30 years.
const epochFloor = 1 << 30

// ParseRateLimit reads a service's quota from the headers: the IETF draft's RateLimit-Limit,
// RateLimit-Remaining and RateLimit-Reset (or its single "RateLimit: limit=..., remaining=...,
// reset=..." field), else the X-RateLimit-* fields most services send. A reset is seconds to wait,
// or a Unix time when it is that large. nil when the answer carries no quota.
func ParseRateLimit(h http.Header, now time.Time) *providers.RateLimit {
	limit, okL := headerInt(h, "RateLimit-Limit", "X-RateLimit-Limit", "X-Rate-Limit-Limit")
	remaining, okR := headerInt(h, "RateLimit-Remaining", "X-RateLimit-Remaining", "X-Rate-Limit-Remaining")
	reset, okT := headerInt(h, "RateLimit-Reset", "X-RateLimit-Reset", "X-Rate-Limit-Reset")
	if v := h.Get("RateLimit"); v != "" && !okL && !okR && !okT {
		for _, item := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ';' }) {
			key, val, _ := strings.Cut(strings.TrimSpace(item), "=")
			n, err := strconv.ParseInt(strings.Trim(val, `" `), 10, 64)
			if err != nil {
				continue
			}
			switch strings.ToLower(key) {
			case "limit":
				limit, okL = n, true
			case "remaining", "r":
				remaining, okR = n, true
			case "reset", "t":
				reset, okT = n, true
			}
		}
	}
	if !okL && !okR && !okT {
		return nil
	}
	rl := &providers.RateLimit{Limit: -1, Remaining: -1}
	if okL {
		rl.Limit = int(min(max(limit, 0), 1<<31-1))
	}
	if okR {
		rl.Remaining = int(min(max(remaining, 0), 1<<31-1))
	}
	if okT {
		if reset >= epochFloor {
			rl.Reset = min(max(0, time.Unix(reset, 0).Sub(now)), maxWait)
		} else {
			rl.Reset = seconds(reset)
		}
	}
	return rl
}

// headerInt reads the first of names present as an integer. Draft forms that list policies after
// the number ("100, 100;w=60") give the number.
func headerInt(h http.Header, names ...string) (int64, bool) {
	for _, name := range names {
		v := h.Get(name)
		if v == "" {
			continue
		}
		v, _, _ = strings.Cut(v, ",")
		v, _, _ = strings.Cut(v, ";")
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		return n, err == nil
	}
	return 0, false
}

// maxWait caps a wait read from a header, so that a hostile number cannot overflow a Duration.
const maxWait = 24 * time.Hour

func seconds(s int64) time.Duration {
	if s <= 0 {
		return 0
	}
	return min(time.Duration(min(s, int64(maxWait/time.Second)))*time.Second, maxWait)
}
