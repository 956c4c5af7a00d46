package server

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kiln3d/kiln/providers/jobsapi"
	"github.com/kiln3d/kiln/providers/modeltest"
	"github.com/kiln3d/kiln/providers/providertest"
)

// TestAdminPage drives the admin page in a real headless Chromium (testdata/admin.mjs, with
// playwright-core from the project's .tools): the key field, the keys table, making a key whose
// secret is shown once, revoking it, and the API tester from an image to a model. Without node,
// Chromium or playwright-core it skips, unless KILN_REQUIRE_TOOLS=1, when it fails. With
// KILN_SHOT=/path.png it leaves a full-page screenshot there for a person to look at.
func TestAdminPage(t *testing.T) {
	tools := modeltest.ToolsDir(t, filepath.Join("node_modules", "playwright-core"))
	if tools == "" {
		return
	}
	node := modeltest.Node(t)
	if node == "" {
		return
	}
	browser := chromiumPath()
	if browser == "" {
		modeltest.ToolMissing(t, "Chromium is not installed (set CHROMIUM, or install /usr/bin/chromium)")
		return
	}
	script, err := filepath.Abs(filepath.Join("testdata", "admin.mjs"))
	if err != nil {
		t.Fatal(err)
	}

	// The fake provider waits at each of its steps for the gate.
	gate := make(chan struct{})
	e := newTestEnv(t, Options{}, func(f *providertest.Fake) { f.Gate = gate })
	admin := e.key(ScopeKeysAdmin, ScopeJobsRead, ScopeJobsWrite)
	img := e.image("mug.png")
	// The failure screenshot outlives a failed test (t.TempDir would not), for a person to see.
	shotDir, err := os.MkdirTemp("", "kiln-admin-page-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if !t.Failed() {
			os.RemoveAll(shotDir)
		}
	})
	failShot := filepath.Join(shotDir, "failure.png")

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, script)
	cmd.Env = append(os.Environ(),
		"BASE_URL="+e.ts.URL, "ADMIN_KEY="+admin, "IMAGE="+img, "CHROMIUM="+browser,
		"KILN_TOOLS="+tools, "FAIL_SHOT="+failShot)
	cmd.WaitDelay = 10 * time.Second
	// Once the page submits to the fake provider, let it make two steps, the second well after
	// the first (the queue writes progress alone at most every 500 ms, and the API reads what was
	// written), then hold it there until the page cancels it.
	go func() {
		for e.fake.Submits() == 0 {
			select {
			case <-ctx.Done():
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
		for i := range 2 {
			if i > 0 {
				time.Sleep(700 * time.Millisecond)
			}
			select {
			case gate <- struct{}{}:
			case <-ctx.Done():
				return
			}
		}
	}()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err = cmd.Run()
	t.Logf("admin.mjs ran for %s", time.Since(start).Round(time.Millisecond))
	if err != nil {
		shot := "none"
		if _, serr := os.Stat(failShot); serr == nil {
			shot = failShot
		}
		t.Fatalf("admin.mjs failed: %v (ctx: %v)\nscreenshot: %s\n--- stdout\n%s\n--- stderr\n%s", err, ctx.Err(), shot, stdout.String(), stderr.String())
	}
	if testing.Verbose() {
		t.Logf("admin.mjs stdout:\n%s", stdout.String())
	}
	var res struct {
		CIID      string `json:"ci_id"`
		CIPrefix  string `json:"ci_prefix"`
		JobID     string `json:"job_id"`
		Cancelled string `json:"cancelled_id"`
		File      string `json:"file"`
		FileBytes int64  `json:"file_bytes"`
	}
	found := false
	for line := range strings.SplitSeq(stdout.String(), "\n") {
		if rest, ok := strings.CutPrefix(line, "RESULT "); ok {
			if err := json.Unmarshal([]byte(rest), &res); err != nil {
				t.Fatalf("admin.mjs printed %q: %v", line, err)
			}
			found = true
		}
	}
	if !found || res.CIID == "" || res.JobID == "" {
		t.Fatalf("admin.mjs printed no RESULT line:\n%s\n%s", stdout.String(), stderr.String())
	}

	// The page really revoked "ci", and made it with jobs:read only.
	keys, err := e.s.Keys.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(keys, func(k Key) bool { return k.ID == res.CIID })
	if i < 0 {
		t.Fatalf("no key %s (%s) in the store: %+v", res.CIID, res.CIPrefix, keys)
	}
	if ci := keys[i]; ci.Name != "ci" || ci.Prefix() != res.CIPrefix || ci.Active() || !slices.Equal(ci.Scopes, []Scope{ScopeJobsRead}) {
		t.Errorf("key ci after the page: %+v (status %s), want revoked with jobs:read only", ci, ci.Status())
	}
	if len(keys) != 2 {
		t.Errorf("the store has %d keys, want the admin key and ci: %+v", len(keys), keys)
	}

	// The tester's job is the admin key's, done, as asked.
	resp, body := e.do("GET", "/api/v1/jobs", admin, nil, "")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/v1/jobs: %s %s", resp.Status, body)
	}
	list := decode[jobList](t, body)
	j := slices.IndexFunc(list.Jobs, func(j jobsapi.Job) bool { return j.ID == res.JobID })
	if j < 0 {
		t.Fatalf("the tester's job %s is not among the admin key's jobs: %s", res.JobID, body)
	}
	if job := list.Jobs[j]; job.Status != jobsapi.StatusDone || job.Provider != "local" || job.Polycount != 600 || job.Triangles != 600 ||
		len(job.Files) == 0 || job.Files[0].Name != res.File || job.Files[0].Size != res.FileBytes {
		t.Errorf("the tester's job: %+v, want done on local at 600 triangles, its first file %s of %d bytes", job, res.File, res.FileBytes)
	}
	c := slices.IndexFunc(list.Jobs, func(j jobsapi.Job) bool { return j.ID == res.Cancelled })
	if c < 0 || list.Jobs[c].Status != jobsapi.StatusCancelled || list.Jobs[c].Provider != "fake" {
		t.Errorf("the job the tester cancelled (%s) is not the admin key's cancelled fake job: %s", res.Cancelled, body)
	}
	if len(list.Jobs) != 2 {
		t.Errorf("the admin key has %d jobs, want the two the tester made (one per click): %s", len(list.Jobs), body)
	}
}

// TestAdminPageServed checks GET / without a browser: public, HTML, locked down by its headers,
// and self-contained (nothing fetched from elsewhere; no key kept in localStorage).
func TestAdminPageServed(t *testing.T) {
	e := newTestEnv(t, Options{})
	resp, body := e.do("GET", "/", "", nil, "")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("GET /: %s %s", resp.Status, resp.Header.Get("Content-Type"))
	}
	for h, want := range map[string]string{
		"Content-Security-Policy": "default-src 'self'", "X-Content-Type-Options": "nosniff",
		"Cache-Control": "no-store", "Referrer-Policy": "no-referrer",
	} {
		if got := resp.Header.Get(h); !strings.Contains(got, want) {
			t.Errorf("GET / %s: %q, want it to contain %q", h, got, want)
		}
	}
	page := string(body)
	for _, bad := range []string{"http://", "https://", "localStorage.setItem", "innerHTML", "<link rel=\"stylesheet", "<script src", "<img"} {
		if strings.Contains(page, bad) {
			t.Errorf("the page contains %q", bad)
		}
	}
	for _, want := range []string{
		"<h2 id=\"keys-heading\">API Key Management</h2>", "API Access", "API tester", `type="password"`,
		`<th scope="col">Key Prefix</th>`, `<th scope="col">Actions</th>`, "sessionStorage", "crypto.randomUUID()",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
}

// chromiumPath is the Chromium to drive: $CHROMIUM, else /usr/bin/chromium, else one on PATH.
func chromiumPath() string {
	if c := os.Getenv("CHROMIUM"); c != "" {
		if p, err := exec.LookPath(c); err == nil {
			return p
		}
		return ""
	}
	if st, err := os.Stat("/usr/bin/chromium"); err == nil && !st.IsDir() {
		return "/usr/bin/chromium"
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}
