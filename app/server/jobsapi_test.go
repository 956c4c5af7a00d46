package server

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kiln3d/kiln/app"
	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/httpkit"
	"github.com/kiln3d/kiln/providers/jobsapi"
	"github.com/kiln3d/kiln/providers/providertest"
)

// quickPoll keeps the client's polling fast in tests.
var quickPoll = jobsapi.PollConfig{First: 5 * time.Millisecond, Max: 20 * time.Millisecond, Jitter: -1}

// promptable lets the fake take a prompt alone, so that the server has a provider for one.
func promptable(f *providertest.Fake) { f.Caps.Prompt = true }

// TestKilnServerProviderConformance runs the provider conformance suite on the Kiln server
// provider talking to a real server.
func TestKilnServerProviderConformance(t *testing.T) {
	e := newTestEnv(t, Options{Burst: 1000}, promptable)
	secret := e.key(ScopeJobsRead, ScopeJobsWrite)
	p, err := jobsapi.New(jobsapi.Config{Endpoint: e.ts.URL, Config: httpkit.Config{Poll: quickPoll}})
	if err != nil {
		t.Fatal(err)
	}
	good := providertest.NewSecrets(map[string]string{"key": secret})
	providertest.Run(t, p.WithSecrets(good), e.image("mug.png"))
	wrong := providertest.NewSecrets(map[string]string{"key": secret[:len(secret)-4] + "AAAA"})
	providertest.RunKeyTest(t, p, good, wrong)
	reader := providertest.NewSecrets(map[string]string{"key": e.key(ScopeJobsWrite)})
	err = p.TestKey(context.Background(), reader)
	if !strings.Contains(providers.Printable(errText(err)), "jobs:read") {
		t.Errorf("testing a key without jobs:read: %v, want it to name the scope", err)
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// loseFirstAnswer is a proxy in front of the server that passes the first submission on, lets the
// server make the job, and then breaks the connection instead of answering: the client never
// learns whether its job arrived.
type loseFirstAnswer struct {
	target string
	mu     sync.Mutex
	keys   []string // the Idempotency-Key of every submission seen
}

func (p *loseFirstAnswer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	out, _ := http.NewRequestWithContext(r.Context(), r.Method, p.target+r.URL.RequestURI(), bytes.NewReader(body))
	out.Header = r.Header.Clone()
	out.Host = r.Host // as a reverse proxy passes it on, so the server's links name the proxy
	first := false
	if r.Method == http.MethodPost && r.URL.Path == "/api/v1/jobs" {
		p.mu.Lock()
		p.keys = append(p.keys, r.Header.Get("Idempotency-Key"))
		first = len(p.keys) == 1
		p.mu.Unlock()
	}
	resp, err := http.DefaultTransport.RoundTrip(out)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	if first {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			conn.Close()
		}
		return
	}
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = io.Copy(w, resp.Body)
}

// TestKilnServerAnswerLost: a desktop Kiln submits through the Kiln server provider; the answer to
// its submission is lost after the server made the job. The desktop sends it again under the
// same idempotency key, the server answers with the job it made, and the model arrives: one job
// on the server, never two.
func TestKilnServerAnswerLost(t *testing.T) {
	e := newTestEnv(t, Options{})
	secret := e.key(ScopeJobsRead, ScopeJobsWrite)
	proxy := &loseFirstAnswer{target: e.ts.URL}
	front := httptest.NewServer(proxy)
	defer front.Close()

	p, err := jobsapi.New(jobsapi.Config{Endpoint: front.URL, Config: httpkit.Config{Poll: quickPoll}})
	if err != nil {
		t.Fatal(err)
	}
	reg, err := providers.NewRegistry(p)
	if err != nil {
		t.Fatal(err)
	}
	desk, err := app.Open(app.Options{Home: t.TempDir(), Providers: reg,
		Queue: app.QueueOptions{Workers: 1, CollectBackoff: 20 * time.Millisecond},
		Getenv: func(name string) string {
			if name == "KILN_JOBSAPI_KEY" {
				return secret
			}
			return ""
		}})
	if err != nil {
		t.Fatal(err)
	}
	defer desk.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	j, err := desk.Jobs.Submit(ctx, jobsapi.Name, providers.Request{
		Images: []providers.Image{{Path: e.image("stool.png")}}, Polycount: 800})
	if err != nil {
		t.Fatal(err)
	}
	done, err := desk.Jobs.Wait(ctx, j.ID)
	if err != nil || done.State != app.Done {
		t.Fatalf("desktop job: %v %s %s", err, done.State, done.Error)
	}
	if done.Triangles != 800 || done.Request.IdempotencyKey == "" {
		t.Errorf("desktop job: %d triangles, idempotency key %q", done.Triangles, done.Request.IdempotencyKey)
	}
	proxy.mu.Lock()
	keys := proxy.keys
	proxy.mu.Unlock()
	if len(keys) < 2 || keys[0] != done.Request.IdempotencyKey || keys[1] != keys[0] {
		t.Fatalf("submissions seen %q: want the same key sent again, %q", keys, done.Request.IdempotencyKey)
	}
	if jobs := mustJobs(t, e.k); len(jobs) != 1 {
		t.Fatalf("the server made %d jobs from one submission sent %d times", len(jobs), len(keys))
	}
}
