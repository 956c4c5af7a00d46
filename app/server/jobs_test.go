package server

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/jobsapi"
	"github.com/kiln3d/kiln/providers/providertest"
)

func TestJobsAreTheirKeysOwn(t *testing.T) {
	e := newTestEnv(t, Options{})
	a, b := e.key(ScopeJobsRead, ScopeJobsWrite), e.key(ScopeJobsRead, ScopeJobsWrite)
	img := e.image("vase.png")
	j := e.wait(a, e.submit(a, form{images: []string{img}, fields: [][2]string{{"polycount", "500"}}}).ID)
	for _, req := range [][2]string{{"GET", "/api/v1/jobs/" + j.ID}, {"DELETE", "/api/v1/jobs/" + j.ID},
		{"GET", "/api/v1/jobs/" + j.ID + "/files/" + j.Files[0].Name}} {
		resp, body := e.do(req[0], req[1], b, nil, "")
		if resp.StatusCode != http.StatusNotFound || errCode(t, body) != CodeNotFound {
			t.Errorf("another key's %s %s: %s %s", req[0], req[1], resp.Status, body)
		}
	}
	_, body := e.do("GET", "/api/v1/jobs", b, nil, "")
	if list := decode[jobList](t, body); len(list.Jobs) != 0 {
		t.Errorf("another key lists %d jobs", len(list.Jobs))
	}
	for _, name := range []string{"..%2F..%2Fkiln.db", "missing.glb"} {
		resp, body := e.do("GET", "/api/v1/jobs/"+j.ID+"/files/"+name, a, nil, "")
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("file %s: %s %s", name, resp.Status, body)
		}
	}
}

func TestListJobsPages(t *testing.T) {
	e := newTestEnv(t, Options{Burst: 1000}, func(f *providertest.Fake) { f.Gate = make(chan struct{}) })
	key := e.key(ScopeJobsRead, ScopeJobsWrite)
	img := e.image("a.png")
	var want []string
	for range 25 {
		want = append(want, e.submit(key, form{images: []string{img}, fields: [][2]string{{"provider", "fake"}}}).ID)
	}
	var got []string
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > 3 {
			t.Fatal("more than 3 pages of 10 for 25 jobs")
		}
		path := "/api/v1/jobs?limit=10"
		if cursor != "" {
			path += "&cursor=" + cursor
		}
		resp, body := e.do("GET", path, key, nil, "")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %s %s", path, resp.Status, body)
		}
		page := decode[jobList](t, body)
		for _, j := range page.Jobs {
			got = append(got, j.ID)
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	if len(got) != len(want) {
		t.Fatalf("listed %d jobs, made %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[len(want)-1-i] {
			t.Fatalf("not newest first, or a job repeated: %v", got)
		}
	}
	for _, q := range []string{"limit=0", "limit=101", "limit=x", "cursor=!!", "cursor=bm90LWEtY3Vyc29y"} {
		resp, body := e.do("GET", "/api/v1/jobs?"+q, key, nil, "")
		if resp.StatusCode != http.StatusBadRequest || errCode(t, body) != CodeInvalidRequest {
			t.Errorf("%s: %s %s", q, resp.Status, body)
		}
	}
	close(e.fake.Gate)
}

func TestCancel(t *testing.T) {
	e := newTestEnv(t, Options{}, func(f *providertest.Fake) { f.Gate = make(chan struct{}) })
	key := e.key(ScopeJobsRead, ScopeJobsWrite)
	j := e.submit(key, form{images: []string{e.image("a.png")}, fields: [][2]string{{"provider", "fake"}}})
	waitFor(t, func() bool { return e.job(key, j.ID).Status == jobsapi.StatusRunning })
	resp, body := e.do("DELETE", "/api/v1/jobs/"+j.ID, key, nil, "")
	if resp.StatusCode != http.StatusOK || decode[jobsapi.Job](t, body).Status != jobsapi.StatusCancelled {
		t.Fatalf("cancel: %s %s", resp.Status, body)
	}
	resp, body = e.do("DELETE", "/api/v1/jobs/"+j.ID, key, nil, "")
	if resp.StatusCode != http.StatusConflict || errCode(t, body) != CodeAlreadyFinished {
		t.Fatalf("cancel again: %s %s", resp.Status, body)
	}
}

func TestFailedJob(t *testing.T) {
	e := newTestEnv(t, Options{}, func(f *providertest.Fake) {
		f.CollectErr = fmt.Errorf("the mesh fell apart: %w", providers.ErrGenerationFailed)
	})
	key := e.key(ScopeJobsRead, ScopeJobsWrite)
	j := e.wait(key, e.submit(key, form{images: []string{e.image("a.png")}, fields: [][2]string{{"provider", "fake"}}}).ID)
	if j.Status != jobsapi.StatusFailed || j.Error == nil || j.Error.Code != "provider_failed" || !strings.Contains(j.Error.Message, "fell apart") || len(j.Files) != 0 {
		t.Fatalf("failed job: %+v %+v", j, j.Error)
	}
}

func TestProcessWaits(t *testing.T) {
	e := newTestEnv(t, Options{})
	key := e.key(ScopeJobsRead, ScopeJobsWrite)
	resp, body := e.post("/api/v1/process", key, form{images: []string{e.image("a.png")}, fields: [][2]string{{"polycount", "500"}}})
	j := decode[jobsapi.Job](t, body)
	if resp.StatusCode != http.StatusOK || j.Status != jobsapi.StatusDone || len(j.Files) == 0 {
		t.Fatalf("process: %s %s", resp.Status, body)
	}
}

func TestProcessTimesOut(t *testing.T) {
	e := newTestEnv(t, Options{}, func(f *providertest.Fake) { f.Gate = make(chan struct{}) })
	key := e.key(ScopeJobsRead, ScopeJobsWrite)
	start := time.Now()
	resp, body := e.post("/api/v1/process", key, form{images: []string{e.image("a.png")}, fields: [][2]string{{"provider", "fake"}, {"timeout", "1"}}})
	j := decode[jobsapi.Job](t, body)
	if resp.StatusCode != http.StatusAccepted || resp.Header.Get("Location") != "/api/v1/jobs/"+j.ID || j.Status == jobsapi.StatusDone {
		t.Fatalf("process past its timeout: %s %v %s", resp.Status, resp.Header, body)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("answered after %s for a 1 s timeout", d)
	}
	for _, bad := range []string{"0", "601", "soon"} {
		resp, body := e.post("/api/v1/process", key, form{images: []string{e.image("a.png")}, fields: [][2]string{{"provider", "fake"}, {"timeout", bad}}})
		if resp.StatusCode != http.StatusBadRequest || errCode(t, body) != CodeInvalidRequest {
			t.Errorf("timeout=%s: %s %s", bad, resp.Status, body)
		}
	}
	close(e.fake.Gate)
}

func TestDrain(t *testing.T) {
	e := newTestEnv(t, Options{}, func(f *providertest.Fake) { f.Gate = make(chan struct{}) })
	key := e.key(ScopeJobsRead, ScopeJobsWrite)
	done := make(chan int, 1)
	go func() {
		resp, _ := e.post("/api/v1/process", key, form{images: []string{e.image("a.png")}, fields: [][2]string{{"provider", "fake"}}})
		done <- resp.StatusCode
	}()
	waitFor(t, func() bool { return len(mustJobs(t, e.k)) == 1 })
	e.s.Drain()
	select {
	case code := <-done:
		if code != http.StatusAccepted {
			t.Errorf("a waiting /process answered %d on drain, want 202", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a waiting /process did not answer on drain")
	}
	resp, body := e.post("/api/v1/jobs", key, form{images: []string{e.image("a.png")}})
	if resp.StatusCode != http.StatusServiceUnavailable || errCode(t, body) != CodeShuttingDown {
		t.Fatalf("submitting while draining: %s %s", resp.Status, body)
	}
	if resp, _ := e.do("GET", "/api/v1/jobs", key, nil, ""); resp.StatusCode != http.StatusOK {
		t.Errorf("reading while draining: %s", resp.Status)
	}
	close(e.fake.Gate)
}

// TestRestartResumes stops the server with a job under way and starts another on the same data
// directory: the job finishes there and its key still sees it.
func TestRestartResumes(t *testing.T) {
	home := t.TempDir()
	gate := make(chan struct{})
	e := startTestEnv(t, home, Options{}, func(f *providertest.Fake) { f.Gate = gate })
	key := e.key(ScopeJobsRead, ScopeJobsWrite)
	j := e.submit(key, form{images: []string{e.image("a.png")}, fields: [][2]string{{"provider", "fake"}}})
	// Stopped once the provider's handle is saved: a stop between sending the job and saving
	// its handle is another case (the job is then looked for in the provider's list, which
	// the second fake, a new process's, does not have), and "running" is said before it.
	waitFor(t, func() bool {
		jobs := mustJobs(t, e.k)
		return e.job(key, j.ID).Status == jobsapi.StatusRunning && len(jobs) == 1 && jobs[0].Remote.ID != ""
	})
	e.stop()
	close(gate)
	e2 := startTestEnv(t, home, Options{})
	if got := e2.wait(key, j.ID); got.Status != jobsapi.StatusDone {
		t.Fatalf("after a restart: %+v", got)
	}
}

func waitFor(t testing.TB, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal(errors.New("timed out waiting"))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestProgressIsCurrent: a poll sees each progress report at once, though the ledger saves
// progress alone only every half second.
func TestProgressIsCurrent(t *testing.T) {
	e := newTestEnv(t, Options{}, func(f *providertest.Fake) { f.Gate = make(chan struct{}); f.Steps = 5 })
	defer close(e.fake.Gate)
	key := e.key(ScopeJobsRead, ScopeJobsWrite)
	j := e.submit(key, form{images: []string{e.image("a.png")}, fields: [][2]string{{"provider", "fake"}}})
	for step := 1; step <= 3; step++ {
		e.fake.Gate <- struct{}{}
		want := fmt.Sprintf("step %d", step)
		waitFor(t, func() bool { return e.job(key, j.ID).Message == want })
		if got := e.job(key, j.ID); got.Progress != float64(step)/5 || got.Status != jobsapi.StatusRunning {
			t.Fatalf("after %s: %+v", want, got)
		}
	}
}

func TestProvidersList(t *testing.T) {
	e := newTestEnv(t, Options{})
	resp, body := e.do("GET", "/api/v1/providers", e.key(ScopeJobsRead), nil, "")
	type provider struct {
		Name      string
		Ready     bool
		Polycount struct{ Min, Max, Default int }
	}
	list := decode[struct{ Providers []provider }](t, body)
	if resp.StatusCode != 200 || len(list.Providers) != 2 || list.Providers[0].Name != "local" || !list.Providers[0].Ready ||
		list.Providers[0].Polycount.Max == 0 || !strings.Contains(string(body), `"min":`) {
		t.Fatalf("providers: %s %s", resp.Status, body)
	}
}
