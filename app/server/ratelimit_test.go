package server

import (
	"net/http"
	"strconv"
	"testing"
)

func TestRateLimits(t *testing.T) {
	e := newTestEnv(t, Options{Rate: 0.5, Burst: 3})
	key, other := e.key(ScopeJobsRead), e.key(ScopeJobsRead)
	for want := 2; want >= 0; want-- {
		resp, body := e.do("GET", "/api/v1/jobs", key, nil, "")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("request %d: %s %s", 3-want, resp.Status, body)
		}
		if got := resp.Header.Get("x-ratelimit-remaining"); got != strconv.Itoa(want) {
			t.Errorf("x-ratelimit-remaining %s, want %d", got, want)
		}
		if resp.Header.Get("x-ratelimit-limit") != "3" || resp.Header.Get("x-ratelimit-reset") == "" {
			t.Errorf("headers: %v", resp.Header)
		}
	}
	resp, body := e.do("GET", "/api/v1/jobs", key, nil, "")
	if resp.StatusCode != http.StatusTooManyRequests || errCode(t, body) != CodeRateLimited {
		t.Fatalf("over the limit: %s %s", resp.Status, body)
	}
	if ra, _ := strconv.Atoi(resp.Header.Get("Retry-After")); ra < 1 || ra > 2 || resp.Header.Get("x-ratelimit-retry-after") != resp.Header.Get("Retry-After") {
		t.Errorf("retry headers: %v", resp.Header)
	}
	if reset, _ := strconv.Atoi(resp.Header.Get("x-ratelimit-reset")); reset < 5 || reset > 6 {
		t.Errorf("x-ratelimit-reset %d, want about 6 (3 requests at 0.5/s)", reset)
	}
	if resp, _ := e.do("GET", "/api/v1/jobs", other, nil, ""); resp.StatusCode != http.StatusOK {
		t.Errorf("another key was limited too: %s", resp.Status)
	}
	// Guesses without a valid key are limited by address.
	for range 3 {
		e.do("GET", "/api/v1/jobs", "kiln_00000000_nope", nil, "")
	}
	if resp, body := e.do("GET", "/api/v1/jobs", "kiln_00000000_nope", nil, ""); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("the 4th bad key in a row: %s %s", resp.Status, body)
	}
}
