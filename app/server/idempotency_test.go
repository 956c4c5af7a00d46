package server

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kiln3d/kiln/providers/jobsapi"
	"github.com/kiln3d/kiln/providers/providertest"
)

func TestIdempotencyKey(t *testing.T) {
	e := newTestEnv(t, Options{}, func(f *providertest.Fake) { f.Gate = make(chan struct{}) })
	defer close(e.fake.Gate)
	key := e.key(ScopeJobsRead, ScopeJobsWrite)
	img := e.image("a.png")
	f := form{images: []string{img}, fields: [][2]string{{"provider", "fake"}, {"polycount", "900"}}}
	first := e.submit(key, f, "Idempotency-Key", "order-1")
	resp, body := e.post("/api/v1/jobs", key, f, "Idempotency-Key", "order-1")
	again := decode[jobsapi.Job](t, body)
	if resp.StatusCode != http.StatusAccepted || again.ID != first.ID || resp.Header.Get("Idempotent-Replayed") != "true" ||
		resp.Header.Get("Location") != "/api/v1/jobs/"+first.ID {
		t.Fatalf("sent again: %s %v %s", resp.Status, resp.Header, body)
	}
	// Another body under the same key is a client's mistake, not a new job.
	other := form{images: []string{img}, fields: [][2]string{{"provider", "fake"}, {"polycount", "901"}}}
	resp, body = e.post("/api/v1/jobs", key, other, "Idempotency-Key", "order-1")
	if resp.StatusCode != http.StatusConflict || errCode(t, body) != CodeIdempotencyConflict {
		t.Fatalf("another body: %s %s", resp.Status, body)
	}
	// Keys are each API key's own: another client's "order-1" is another job.
	second := e.key(ScopeJobsRead, ScopeJobsWrite)
	if j := e.submit(second, f, "Idempotency-Key", "order-1"); j.ID == first.ID {
		t.Fatal("two API keys share an idempotency key")
	}
	if n := len(mustJobs(t, e.k)); n != 2 {
		t.Fatalf("%d jobs, want 2", n)
	}
	// Kept at least a day; forgotten after two.
	e.s.idem.now = func() time.Time { return time.Now().Add(23 * time.Hour) }
	if j := e.submit(key, f, "Idempotency-Key", "order-1"); j.ID != first.ID {
		t.Fatal("an idempotency key was forgotten within 24 hours")
	}
	e.s.idem.now = func() time.Time { return time.Now().Add(49 * time.Hour) }
	if j := e.submit(key, f, "Idempotency-Key", "order-1"); j.ID == first.ID {
		t.Fatal("an idempotency key was kept for more than two days")
	}
	for _, bad := range []string{"has space", strings.Repeat("k", 300)} {
		resp, body := e.post("/api/v1/jobs", key, f, "Idempotency-Key", bad)
		if resp.StatusCode != http.StatusBadRequest || errCode(t, body) != CodeInvalidRequest {
			t.Errorf("Idempotency-Key %q: %s %s", bad[:min(len(bad), 10)], resp.Status, body)
		}
	}
}

// TestIdempotencyAtOnce sends one submission eight times at once: one job, and every answer
// either names it or says to ask again.
func TestIdempotencyAtOnce(t *testing.T) {
	e := newTestEnv(t, Options{Burst: 100}, func(f *providertest.Fake) { f.Gate = make(chan struct{}) })
	defer close(e.fake.Gate)
	key := e.key(ScopeJobsRead, ScopeJobsWrite)
	f := form{images: []string{e.image("a.png")}, fields: [][2]string{{"provider", "fake"}}}
	var (
		wg  sync.WaitGroup
		mu  sync.Mutex
		ids = map[string]bool{}
	)
	for range 8 {
		wg.Go(func() {
			resp, body := e.post("/api/v1/jobs", key, f, "Idempotency-Key", "same")
			mu.Lock()
			defer mu.Unlock()
			switch resp.StatusCode {
			case http.StatusAccepted:
				ids[decode[jobsapi.Job](t, body).ID] = true
			case http.StatusConflict:
				if code := errCode(t, body); code != CodeIdempotencyInProgress {
					t.Errorf("409 %s", body)
				}
			default:
				t.Errorf("%s %s", resp.Status, body)
			}
		})
	}
	wg.Wait()
	if n := len(mustJobs(t, e.k)); n != 1 || len(ids) != 1 {
		t.Fatalf("%d jobs, %d ids answered: want 1", n, len(ids))
	}
}

// TestIdempotencySurvivesRestart: a client whose answer was lost in a restart gets the same job.
func TestIdempotencySurvivesRestart(t *testing.T) {
	home := t.TempDir()
	e := startTestEnv(t, home, Options{})
	key := e.key(ScopeJobsRead, ScopeJobsWrite)
	f := form{images: []string{e.image("a.png")}, fields: [][2]string{{"polycount", "500"}}}
	first := e.submit(key, f, "Idempotency-Key", "k1")
	e.wait(key, first.ID)
	e.stop()
	e2 := startTestEnv(t, home, Options{})
	if again := e2.submit(key, f, "Idempotency-Key", "k1"); again.ID != first.ID {
		t.Fatalf("after a restart the same submission made job %s, not %s", again.ID, first.ID)
	}
	if n := len(mustJobs(t, e2.k)); n != 1 {
		t.Fatalf("%d jobs", n)
	}
}

// TestProcessIdempotency: a /process sent again after its wait broke off waits for the same job.
func TestProcessIdempotency(t *testing.T) {
	gate := make(chan struct{})
	e := newTestEnv(t, Options{}, func(f *providertest.Fake) { f.Gate = gate })
	key := e.key(ScopeJobsRead, ScopeJobsWrite)
	f := form{images: []string{e.image("a.png")}, fields: [][2]string{{"provider", "fake"}, {"timeout", "1"}}}
	resp, body := e.post("/api/v1/process", key, f, "Idempotency-Key", "p1")
	first := decode[jobsapi.Job](t, body)
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("first: %s %s", resp.Status, body)
	}
	close(gate)
	resp, body = e.post("/api/v1/process", key, f, "Idempotency-Key", "p1")
	again := decode[jobsapi.Job](t, body)
	if resp.StatusCode != http.StatusOK || again.ID != first.ID || again.Status != jobsapi.StatusDone {
		t.Fatalf("again: %s %s", resp.Status, body)
	}
	if n := len(mustJobs(t, e.k)); n != 1 {
		t.Fatalf("%d jobs", n)
	}
}

// TestRefusalFreesTheKey: a submission the queue refuses makes no job and keeps nothing, so the
// corrected submission may use the same key.
func TestRefusalFreesTheKey(t *testing.T) {
	e := newTestEnv(t, Options{})
	key := e.key(ScopeJobsRead, ScopeJobsWrite)
	resp, body := e.post("/api/v1/jobs", key, form{fields: [][2]string{{"provider", "local"}, {"prompt", "a chair"}}}, "Idempotency-Key", "k2")
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("a prompt to the local generator: %s %s", resp.Status, body)
	}
	j := e.submit(key, form{images: []string{e.image("chair.png")}, fields: [][2]string{{"polycount", "500"}}}, "Idempotency-Key", "k2")
	if n := len(mustJobs(t, e.k)); n != 1 || j.ID == "" {
		t.Fatalf("%d jobs", n)
	}
}
