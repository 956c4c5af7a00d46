package threedverse

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/httpkit"
	"github.com/kiln3d/kiln/providers/modeltest"
	"github.com/kiln3d/kiln/providers/providertest"
	"github.com/kiln3d/kiln/providers/threedverse/threedversetest"
)

// step is how long the fake's upload tasks stay in each status: a conversion takes four.
const step = 20 * time.Millisecond

// harness is a fake 3dverse and a Target pointed at it, bound to an API key with every scope.
type harness struct {
	t       *testing.T
	fake    *threedversetest.Server
	key     string
	secrets *providertest.Secrets
	cfg     Config
	// tg is the unbound target; bound acts with secrets.
	tg, bound *Target
	log       *providertest.LogBuffer
	sleeper   *providertest.Sleeper
	// folder is an app folder (nobody has access until granted).
	folder providers.Folder
}

// setup starts a fake and a target whose polls wait a few milliseconds and whose clock is the
// fake's. opts adjust the fake, cfg the target's Config before New.
func setup(t *testing.T, opts threedversetest.Options, cfg ...func(*Config)) *harness {
	t.Helper()
	if opts.Step == 0 {
		opts.Step = step
	}
	h := &harness{t: t, fake: threedversetest.New(t, opts), log: &providertest.LogBuffer{},
		sleeper: &providertest.Sleeper{Cap: 5 * time.Millisecond}}
	h.key = h.fake.AddAPIKey(threedversetest.KeyOptions{})
	h.secrets = keyOf(h.key)
	h.cfg = Config{
		Endpoint: h.fake.URL(),
		Config: httpkit.Config{
			Poll:  httpkit.PollConfig{First: 2 * time.Millisecond, Max: 5 * time.Millisecond, Jitter: -1},
			Now:   h.fake.Clock().Now,
			Sleep: h.sleeper.Sleep,
			Log:   slog.New(slog.NewTextHandler(h.log, &slog.HandlerOptions{Level: slog.LevelDebug})),
		},
	}
	for _, f := range cfg {
		f(&h.cfg)
	}
	tg, err := New(h.cfg)
	if err != nil {
		t.Fatal(err)
	}
	h.tg = tg
	h.bound = tg.WithSecrets(h.secrets).(*Target)
	f := h.fake.CreateFolder("Published")
	h.folder = providers.Folder{ID: f.ID, Name: f.Name}
	return h
}

// keyOf is a credential holding the API key key.
func keyOf(key string) *providertest.Secrets {
	return providertest.NewSecrets(map[string]string{FieldAPIKey: key})
}

// tokenOf is a credential holding the pasted user token token.
func tokenOf(token string) *providertest.Secrets {
	return providertest.NewSecrets(map[string]string{FieldUserToken: token})
}

// glb is a small binary glTF 3dverse accepts.
func glb() []byte {
	return modeltest.GLB(`{"asset":{"version":"2.0"},"scenes":[{"nodes":[]}],"scene":0}`, nil)
}

// model writes a .glb called name in a new folder and returns its path.
func model(t *testing.T, name string) string {
	t.Helper()
	return modeltest.WriteFile(t, t.TempDir(), name, glb())
}

// publication is a publication of the model file into h's folder.
func (h *harness) publication(file string) providers.Publication {
	return providers.Publication{Folder: h.folder, Name: "Chair", Files: []string{file}}
}

// run is what one Publish saved and reported, and what it returned.
type run struct {
	mu      sync.Mutex
	handles []json.RawMessage
	reports []providers.Progress
	got     providers.Published
	err     error
	// onReport, when set, sees every report (on Publish's goroutine).
	onReport func(providers.Progress)
	// failSave, when set, says whether the nth save (from 1) fails.
	failSave func(n int) error
}

func (r *run) save(h json.RawMessage) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.failSave != nil {
		if err := r.failSave(len(r.handles) + 1); err != nil {
			return err
		}
	}
	r.handles = append(r.handles, append(json.RawMessage(nil), h...))
	return nil
}

func (r *run) report(p providers.Progress) {
	r.mu.Lock()
	r.reports = append(r.reports, p)
	f := r.onReport
	r.mu.Unlock()
	if f != nil {
		f(p)
	}
}

// last is the last handle saved.
func (r *run) last() json.RawMessage {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.handles) == 0 {
		return nil
	}
	return r.handles[len(r.handles)-1]
}

// state is the last handle saved, read.
func (r *run) state(t *testing.T) handle {
	t.Helper()
	st, err := readHandle(r.last())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// publish publishes pub with tg from the handle h (nil for a new publication).
func publish(ctx context.Context, tg providers.Target, pub providers.Publication, h json.RawMessage, r *run) *run {
	if r == nil {
		r = &run{}
	}
	r.got, r.err = tg.Publish(ctx, pub, h, r.save, r.report)
	return r
}

// uploads is how many uploads the fake has received.
func (h *harness) uploads() int { return len(h.fake.Uploads()) }

// requests counts the fake's requests to route.
func (h *harness) requests(route string) int { return len(h.fake.Requests(route)) }

// noSecret fails the test when an error or the log shows a key or a token the fake issued.
func (h *harness) noSecret(errs ...error) {
	h.t.Helper()
	secrets := h.fake.Secrets()
	for _, s := range secrets {
		for _, err := range errs {
			if err != nil && (strings.Contains(err.Error(), s) || strings.Contains(err.Error(), s[:16])) {
				h.t.Errorf("an error shows a secret: %v", err)
			}
		}
		if log := h.log.String(); strings.Contains(log, s) || strings.Contains(log, s[:16]) {
			h.t.Errorf("the log shows a secret:\n%s", log)
		}
	}
}

// apiError returns err's *providers.APIError, failing the test when there is none.
func apiError(t *testing.T, err error) *providers.APIError {
	t.Helper()
	return providertest.APIError(t, err)
}
