package httpkit

import (
	"net/http"
	"testing"
	"time"

	"github.com/kiln3d/kiln/providers"
)

func TestRetryAfter(t *testing.T) {
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	for h, want := range map[string]time.Duration{
		"":                              0,
		"30":                            30 * time.Second,
		" 7 ":                           7 * time.Second,
		"-3":                            0,
		"soon":                          0,
		"99999999999999999999":          0, // not a number Go reads: ignored
		"9999999999":                    maxWait,
		"Thu, 02 Jan 2025 03:05:05 GMT": time.Minute,
		"Thu, 02 Jan 2025 03:00:00 GMT": 0,
	} {
		if got := RetryAfter(http.Header{"Retry-After": {h}}, now); got != want {
			t.Errorf("Retry-After %q: %v, want %v", h, got, want)
		}
	}
}

func TestParseRateLimit(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	for name, c := range map[string]struct {
		h    http.Header
		want *providers.RateLimit
	}{
		"none":  {http.Header{}, nil},
		"draft": {http.Header{"Ratelimit-Limit": {"100"}, "Ratelimit-Remaining": {"7"}, "Ratelimit-Reset": {"30"}}, &providers.RateLimit{Limit: 100, Remaining: 7, Reset: 30 * time.Second}},
		"draft with policy": {http.Header{"Ratelimit-Limit": {"100, 100;w=60"}, "Ratelimit-Remaining": {"0"}},
			&providers.RateLimit{Limit: 100, Remaining: 0}},
		"single field": {http.Header{"Ratelimit": {`limit=10, remaining=2, reset=5`}}, &providers.RateLimit{Limit: 10, Remaining: 2, Reset: 5 * time.Second}},
		"x- with epoch": {http.Header{"X-Ratelimit-Limit": {"60"}, "X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {"1700000090"}},
			&providers.RateLimit{Limit: 60, Remaining: 0, Reset: 90 * time.Second}},
		"only remaining": {http.Header{"X-Ratelimit-Remaining": {"3"}}, &providers.RateLimit{Limit: -1, Remaining: 3}},
		"garbage":        {http.Header{"X-Ratelimit-Remaining": {"many"}}, nil},
	} {
		got := ParseRateLimit(c.h, now)
		if (got == nil) != (c.want == nil) || (got != nil && *got != *c.want) {
			t.Errorf("%s: %+v, want %+v", name, got, c.want)
		}
	}
}
