package httpkit

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kiln3d/kiln/providers"
)

func TestLimitsHoldABucketUntilItsReset(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	var slept []time.Duration
	k := Config{Now: func() time.Time { return now }, Sleep: func(_ context.Context, d time.Duration) error {
		slept = append(slept, d)
		return nil
	}}.Kit(time.Second, time.Second)
	l := NewLimits(time.Minute)
	a, b := Bucket("https://api.example", "key-a"), Bucket("https://api.example", "key-b")
	if strings.Contains(a, "key-a") || a == b {
		t.Fatalf("buckets %q, %q: each key its own, and never the key itself", a, b)
	}
	// Spent until a reset 30 s away: a's calls wait, b's do not.
	l.Note(a, &http.Response{Header: http.Header{"Ratelimit-Remaining": {"0"}, "Ratelimit-Reset": {"30"}}}, now)
	_ = l.Wait(context.Background(), k, "svc", a, "op")
	_ = l.Wait(context.Background(), k, "svc", b, "op")
	if len(slept) != 1 || slept[0] != 30*time.Second {
		t.Fatalf("slept %v, want one wait of 30s", slept)
	}
	// Calls left again: no wait.
	l.Note(a, &http.Response{Header: http.Header{"Ratelimit-Remaining": {"5"}}}, now)
	_ = l.Wait(context.Background(), k, "svc", a, "op")
	// A 429's Retry-After holds the bucket, capped at the bound; other errors do not.
	l.NoteRefusal(b, &providers.APIError{Kind: providers.ErrServer, RetryAfter: time.Second}, now)
	_ = l.Wait(context.Background(), k, "svc", b, "op")
	l.NoteRefusal(b, &providers.APIError{Kind: providers.ErrRateLimited, RetryAfter: time.Hour}, now)
	_ = l.Wait(context.Background(), k, "svc", b, "op")
	if len(slept) != 2 || slept[1] != time.Minute {
		t.Fatalf("slept %v, want a second wait capped at 1m", slept)
	}
	// A cancelled wait returns the context's error.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	k.Sleep = Sleep
	if err := l.Wait(ctx, k, "svc", b, "op"); err == nil {
		t.Error("a cancelled wait returned nil")
	}
}
