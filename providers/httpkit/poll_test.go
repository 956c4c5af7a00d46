package httpkit

import (
	"testing"
	"time"
)

func TestBackoffGrowsToItsMaxAndStartsOver(t *testing.T) {
	c := PollConfig{Jitter: -1}.WithDefaults(2*time.Second, 5*time.Second)
	if c.First != 2*time.Second || c.Max != 5*time.Second || c.Jitter != 0 {
		t.Fatalf("defaults %+v", c)
	}
	b := NewBackoff(c)
	var got []time.Duration
	for range 4 {
		got = append(got, b.Wait())
	}
	want := []time.Duration{2 * time.Second, 3 * time.Second, 4500 * time.Millisecond, 5 * time.Second}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("waits %v, want %v", got, want)
		}
	}
	b.Reset()
	if d := b.Wait(); d != 2*time.Second {
		t.Errorf("after Reset: %v", d)
	}
	jittered := NewBackoff(PollConfig{First: time.Second, Max: time.Second}.WithDefaults(0, 0))
	for range 100 {
		if d := jittered.Wait(); d < 900*time.Millisecond || d > 1100*time.Millisecond {
			t.Fatalf("a wait of %v strays beyond the default ±10%% jitter", d)
		}
	}
	if c := (PollConfig{First: 10 * time.Second, Max: time.Second}).WithDefaults(0, 0); c.Max != 10*time.Second {
		t.Errorf("a Max below First: %+v", c)
	}
}
