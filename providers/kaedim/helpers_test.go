package kaedim

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/httpkit"
	"github.com/kiln3d/kiln/providers/kaedim/kaedimtest"
	"github.com/kiln3d/kiln/providers/modeltest"
	"github.com/kiln3d/kiln/providers/providertest"
)

// Compile-time checks of the interfaces the core looks for.
var (
	_ providers.Provider   = (*Provider)(nil)
	_ providers.KeyTester  = (*Provider)(nil)
	_ providers.Endpointed = (*Provider)(nil)
)

// harness is a fake Kaedim and a Provider pointed at it, with a clock, a log and a record of the
// waits the provider asked for.
type harness struct {
	t       *testing.T
	fake    *kaedimtest.Server
	secrets *MemorySecrets
	p       *Provider
	clock   *clock
	log     *providertest.LogBuffer
	// sleeper records the waits the provider asked for; long ones (a Retry-After) are not slept.
	sleeper *providertest.Sleeper
}

// setup starts a fake (with o, or New's defaults when o is nil) and a provider whose polls wait a
// few milliseconds. cfg, when given, adjusts the provider's Config before New.
func setup(t *testing.T, o *kaedimtest.Options, cfg ...func(*Config)) *harness {
	t.Helper()
	h := &harness{t: t, clock: &clock{}, log: &providertest.LogBuffer{}, sleeper: &providertest.Sleeper{Cap: 20 * time.Millisecond}}
	if o == nil {
		h.fake = kaedimtest.New(t)
	} else {
		if o.BasePath == "" {
			o.BasePath = "/kaedim-base"
		}
		if o.Generation == 0 {
			o.Generation = 200 * time.Millisecond
		}
		h.fake = kaedimtest.NewWith(t, *o)
	}
	a := h.fake.Account
	h.secrets = NewMemorySecrets(Credentials{DevID: a.DevID, APIKey: a.APIKey, RefreshToken: a.RefreshToken, StudioID: a.StudioID})
	c := Config{
		Endpoint: h.fake.URL,
		Secrets:  h.secrets,
		Config: httpkit.Config{
			Poll:  PollConfig{First: 2 * time.Millisecond, Max: 10 * time.Millisecond, Jitter: -1},
			Now:   h.clock.Now,
			Sleep: h.sleeper.Sleep,
			Log:   slog.New(slog.NewTextHandler(h.log, &slog.HandlerOptions{Level: slog.LevelDebug})),
		},
	}
	for _, f := range cfg {
		f(&c)
	}
	p, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	h.p = p
	return h
}

// again returns a new Provider with the same Config and Secrets, as after a restart.
func (h *harness) again() *Provider {
	h.t.Helper()
	p, err := New(Config{Endpoint: h.fake.URL, Secrets: h.secrets, Config: httpkit.Config{Poll: h.p.Poll, Now: h.clock.Now,
		Sleep: h.p.Sleep, Log: h.p.Log, StallTimeout: h.p.Stall}})
	if err != nil {
		h.t.Fatal(err)
	}
	return p
}

// request is a valid request for one image.
func (h *harness) request() providers.Request {
	return providers.Request{Images: []providers.Image{{Path: writePNG(h.t, "chair.png")}}, Polycount: 20000}
}

// submit submits h.request() and fails the test on an error.
func (h *harness) submit() providers.Remote {
	h.t.Helper()
	r, err := h.p.Submit(context.Background(), h.request())
	if err != nil {
		h.t.Fatal(err)
	}
	return r
}

// collect collects r into a new directory.
func (h *harness) collect(p *Provider, r providers.Remote) ([]providers.File, string, error) {
	dir := h.t.TempDir()
	files, err := p.Collect(context.Background(), h.request(), r, dir, func(providers.Progress) {})
	return files, dir, err
}

// clock is the provider's clock: real time moved on by Advance.
type clock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}

func writePNG(t *testing.T, name string) string {
	t.Helper()
	return modeltest.WriteImage(t, t.TempDir(), name, modeltest.Pattern(0))
}

func writeJPEG(t *testing.T, name string) string {
	t.Helper()
	return modeltest.WriteImage(t, t.TempDir(), name, modeltest.Pattern(0))
}

// rewriteForm is a transport that changes one field of a /process form on its way, to send what
// the client itself never would.
type rewriteForm struct{ field, value string }

func (rw rewriteForm) RoundTrip(r *http.Request) (*http.Response, error) {
	if !strings.HasSuffix(r.URL.Path, "/process") {
		return http.DefaultTransport.RoundTrip(r)
	}
	_, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return nil, err
	}
	mr := multipart.NewReader(r.Body, params["boundary"])
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		w, _ := mw.CreatePart(part.Header)
		if part.FormName() == rw.field {
			_, _ = io.WriteString(w, rw.value)
		} else {
			_, _ = io.Copy(w, part)
		}
	}
	mw.Close()
	r2 := r.Clone(r.Context())
	r2.Body = io.NopCloser(&body)
	r2.ContentLength = int64(body.Len())
	r2.Header.Set("Content-Type", mw.FormDataContentType())
	return http.DefaultTransport.RoundTrip(r2)
}
