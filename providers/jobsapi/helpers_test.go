package jobsapi

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/httpkit"
	"github.com/kiln3d/kiln/providers/modeltest"
	"github.com/kiln3d/kiln/providers/providertest"
)

// Compile-time checks of the interfaces the core looks for.
var (
	_ providers.Provider   = (*Provider)(nil)
	_ providers.Keyed      = (*Provider)(nil)
	_ providers.KeyTester  = (*Provider)(nil)
	_ providers.Endpointed = (*Provider)(nil)
)

// harness is a fake server and a Provider pointed at it, with a log and a record of the waits the
// provider asked for.
type harness struct {
	t       *testing.T
	fake    *fakeServer
	secrets *providertest.Secrets
	p       *Provider
	cfg     Config
	log     *providertest.LogBuffer
	// sleeper records the waits the provider asked for; long ones (a Retry-After) are not slept.
	sleeper *providertest.Sleeper
}

// setup starts a fake and a provider bound to its key whose polls wait a few milliseconds. cfg,
// when given, adjusts the provider's Config before New.
func setup(t *testing.T, cfg ...func(*Config)) *harness {
	t.Helper()
	h := &harness{t: t, fake: newFake(t), log: &providertest.LogBuffer{}, sleeper: &providertest.Sleeper{Cap: 10 * time.Millisecond}}
	h.secrets = keyOf(h.fake.Key)
	h.cfg = Config{
		Endpoint: h.fake.URL,
		Secrets:  h.secrets,
		Config: httpkit.Config{
			Poll:  PollConfig{First: 2 * time.Millisecond, Max: 10 * time.Millisecond, Jitter: -1},
			Sleep: h.sleeper.Sleep,
			Log:   slog.New(slog.NewTextHandler(h.log, &slog.HandlerOptions{Level: slog.LevelDebug})),
		},
	}
	for _, f := range cfg {
		f(&h.cfg)
	}
	p, err := New(h.cfg)
	if err != nil {
		t.Fatal(err)
	}
	h.p = p
	return h
}

// request is a valid request for one image, under an idempotency key.
func (h *harness) request() providers.Request {
	return providers.Request{Images: []providers.Image{{Path: writePNG(h.t, "chair.png", 1)}}, Polycount: 8000,
		IdempotencyKey: "kiln-" + time.Now().Format("150405.000000000")}
}

// submit submits req (h.request() when none) and fails the test on an error.
func (h *harness) submit(req ...providers.Request) providers.Remote {
	h.t.Helper()
	r := h.request()
	if len(req) > 0 {
		r = req[0]
	}
	remote, err := h.p.Submit(context.Background(), r)
	if err != nil {
		h.t.Fatal(err)
	}
	return remote
}

// collect collects r with p into a new directory, recording the progress reports.
func (h *harness) collect(p *Provider, r providers.Remote) ([]providers.File, string, []providers.Progress, error) {
	dir := h.t.TempDir()
	var mu sync.Mutex
	var reports []providers.Progress
	files, err := p.Collect(context.Background(), h.request(), r, dir, func(pr providers.Progress) {
		mu.Lock()
		reports = append(reports, pr)
		mu.Unlock()
	})
	return files, dir, reports, err
}

// lastSubmit is the last submission the fake received.
func (h *harness) lastSubmit() received {
	h.t.Helper()
	got := h.fake.Received(routeSubmit)
	if len(got) == 0 {
		h.t.Fatal("no submission was received")
	}
	return got[len(got)-1]
}

// keyOf is a credential holding the API key key.
func keyOf(key string) *providertest.Secrets {
	return providertest.NewSecrets(map[string]string{FieldKey: key})
}

// writePNG writes a small PNG whose pixels depend on seed, so that images differ.
func writePNG(t *testing.T, name string, seed int) string {
	t.Helper()
	return modeltest.WriteImage(t, t.TempDir(), name, modeltest.Pattern(seed))
}

// fakeClock is a clock that moves only when the provider sleeps: a wait is checked to the
// second, and never waited out.
type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	waits []time.Duration
}

func newClock() *fakeClock { return &fakeClock{now: time.Date(2026, 12, 4, 21, 21, 45, 0, time.UTC)} }

// Now is the clock's time.
func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Sleep records d and moves the clock on by it.
func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.waits = append(c.waits, d)
	c.now = c.now.Add(d)
	return nil
}

// Waits are the waits asked for so far.
func (c *fakeClock) Waits() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.waits...)
}
