package httpkit

import (
	"context"
	"log/slog"
	"net/http"
	"testing"
	"time"
)

// TestKitDefaults: a zero Config yields a Kit with nothing left nil, and the provider's polling
// defaults in place.
func TestKitDefaults(t *testing.T) {
	k := Config{}.Kit(2*time.Second, 15*time.Second, "X-API-Key")
	if k.HTTP == nil || k.Now == nil || k.Sleep == nil || k.Log == nil {
		t.Fatalf("a default is missing: %+v", k)
	}
	if k.Poll.First != 2*time.Second || k.Poll.Max != 15*time.Second || k.Poll.Jitter != defaultJitter {
		t.Errorf("poll %+v", k.Poll)
	}
	if k.Stall != 0 {
		t.Errorf("stall %s, want 0 (Download applies DefaultStallTimeout)", k.Stall)
	}
	if k.HTTP.CheckRedirect == nil {
		t.Error("the client follows redirects unchecked")
	}
}

// TestKitKeepsWhatIsGiven: every field a Config sets reaches the Kit.
func TestKitKeepsWhatIsGiven(t *testing.T) {
	clock := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	slept := false
	log := slog.New(slog.DiscardHandler)
	k := Config{
		HTTP:         &http.Client{Timeout: time.Second},
		Poll:         PollConfig{First: time.Millisecond, Max: 5 * time.Millisecond, Jitter: -1},
		StallTimeout: 3 * time.Second,
		Now:          func() time.Time { return clock },
		Sleep:        func(context.Context, time.Duration) error { slept = true; return nil },
		Log:          log,
	}.Kit(time.Second, time.Minute)
	if k.HTTP.Timeout != time.Second {
		t.Errorf("client timeout %s", k.HTTP.Timeout)
	}
	if k.Poll != (PollConfig{First: time.Millisecond, Max: 5 * time.Millisecond}) {
		t.Errorf("poll %+v", k.Poll)
	}
	if k.Stall != 3*time.Second || !k.Now().Equal(clock) || k.Log != log {
		t.Errorf("kit %+v", k)
	}
	if err := k.Sleep(context.Background(), time.Hour); err != nil || !slept {
		t.Error("the given Sleep was not used")
	}
}
