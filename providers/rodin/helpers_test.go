package rodin

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/httpkit"
	"github.com/kiln3d/kiln/providers/modeltest"
	"github.com/kiln3d/kiln/providers/providertest"
	"github.com/kiln3d/kiln/providers/rodin/rodintest"
)

// Compile-time checks of the interfaces the core looks for.
var (
	_ providers.Provider   = (*Provider)(nil)
	_ providers.Keyed      = (*Provider)(nil)
	_ providers.KeyTester  = (*Provider)(nil)
	_ providers.Endpointed = (*Provider)(nil)
	_ providers.Pricer     = (*Provider)(nil)
)

// harness is a fake Rodin and a Provider pointed at it, with a log and a record of the waits the
// provider asked for.
type harness struct {
	t       *testing.T
	fake    *rodintest.Server
	secrets *providertest.Secrets
	p       *Provider
	cfg     Config
	log     *providertest.LogBuffer
	// sleeper records the waits the provider asked for; long ones (a Retry-After) are not slept.
	sleeper *providertest.Sleeper
}

// setup starts a fake (rodintest.New, or o) and a provider whose polls wait a few milliseconds.
// cfg, when given, adjusts the provider's Config before New.
func setup(t *testing.T, o *rodintest.Options, cfg ...func(*Config)) *harness {
	t.Helper()
	h := &harness{t: t, log: &providertest.LogBuffer{}, sleeper: &providertest.Sleeper{Cap: 10 * time.Millisecond}}
	if o == nil {
		h.fake = rodintest.NewWith(t, rodintest.Options{BasePath: rodintest.TestBasePath, Generation: 60 * time.Millisecond})
	} else {
		if o.BasePath == "" {
			o.BasePath = rodintest.TestBasePath
		}
		if o.Generation == 0 {
			o.Generation = 60 * time.Millisecond
		}
		h.fake = rodintest.NewWith(t, *o)
	}
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

// again returns a new Provider with the same Config, as after a restart.
func (h *harness) again() *Provider {
	h.t.Helper()
	p, err := New(h.cfg)
	if err != nil {
		h.t.Fatal(err)
	}
	return p
}

// request is a valid request for one image, with options.
func (h *harness) request(options ...string) providers.Request {
	req := providers.Request{Images: []providers.Image{{Path: writePNG(h.t, "chair.png", 1)}}, Polycount: 20000}
	if len(options) > 0 {
		req.Options = map[string]string{}
		for i := 0; i+1 < len(options); i += 2 {
			req.Options[options[i]] = options[i+1]
		}
	}
	return req
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

// collect collects r with p into a new directory.
func (h *harness) collect(p *Provider, r providers.Remote) ([]providers.File, string, error) {
	dir := h.t.TempDir()
	files, err := p.Collect(context.Background(), h.request(), r, dir, func(providers.Progress) {})
	return files, dir, err
}

// lastSubmit is the last /rodin the fake received.
func (h *harness) lastSubmit(route ...string) rodintest.Received {
	h.t.Helper()
	rt := rodintest.RouteSubmit
	if len(route) > 0 {
		rt = route[0]
	}
	got := h.fake.Received(rt)
	if len(got) == 0 {
		h.t.Fatalf("no %s request was received", rt)
	}
	return got[len(got)-1]
}

// keyOf is a credential holding the API key key.
func keyOf(key string) *providertest.Secrets {
	return providertest.NewSecrets(map[string]string{FieldAPIKey: key})
}

// writePNG writes a small PNG whose pixels depend on seed, so that images differ.
func writePNG(t *testing.T, name string, seed int) string {
	t.Helper()
	return modeltest.WriteImage(t, t.TempDir(), name, modeltest.Pattern(seed))
}

func writeJPEG(t *testing.T, name string) string {
	t.Helper()
	return modeltest.WriteImage(t, t.TempDir(), name, modeltest.Pattern(0))
}

func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	return modeltest.WriteFile(t, t.TempDir(), name, data)
}
