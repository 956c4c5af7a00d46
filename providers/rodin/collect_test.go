package rodin

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/modeltest"
	"github.com/kiln3d/kiln/providers/providertest"
	"github.com/kiln3d/kiln/providers/rodin/rodintest"
)

// TestCollect: the task's progress is reported job by job; once every job is Done the model and
// the preview are downloaded, the model first.
func TestCollect(t *testing.T) {
	h := setup(t, &rodintest.Options{Generation: 150 * time.Millisecond})
	remote := h.submit()
	var mu sync.Mutex
	var reports []providers.Progress
	dir := t.TempDir()
	files, err := h.p.Collect(context.Background(), h.request(), remote, dir, func(pr providers.Progress) {
		mu.Lock()
		reports = append(reports, pr)
		mu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 2 || files[0].Format != "glb" || files[1].Format != "webp" || files[1].Role != providers.RolePreview {
		t.Fatalf("files %+v, want the glb model, then the preview", files)
	}
	if files[0].Path != "base_basic_pbr.glb" || files[1].Path != "preview.webp" {
		t.Errorf("file names %q and %q", files[0].Path, files[1].Path)
	}
	if _, err := modeltest.Load(filepath.Join(dir, files[0].Path)); err != nil {
		t.Errorf("the model does not load: %v", err)
	}
	head, err := os.ReadFile(filepath.Join(dir, files[1].Path))
	if err != nil || len(head) < 12 || string(head[8:12]) != "WEBP" {
		t.Errorf("the preview is not a WebP: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	var messages []string
	last := -1.0
	for _, pr := range reports {
		if pr.Phase == providers.PhaseRunning {
			if pr.Fraction < last {
				t.Errorf("progress went back from %v to %v", last, pr.Fraction)
			}
			last = pr.Fraction
			messages = append(messages, pr.Message)
		}
	}
	if !slices.ContainsFunc(messages, func(m string) bool { return strings.Contains(m, "(1 of 2 steps done)") }) {
		t.Errorf("no report of the first step done among %q", messages)
	}
	if !slices.ContainsFunc(reports, func(pr providers.Progress) bool { return pr.Phase == providers.PhaseDownloading && pr.Fraction == 1 }) {
		t.Error("no report of a finished download")
	}
	// The downloads came once the task was finished: the first /download listed the model.
	if n := h.fake.Count(rodintest.RouteDownload); n != 1 {
		t.Errorf("%d /download calls, want 1", n)
	}
	// The storage got no API key.
	for _, r := range h.fake.Received(rodintest.RouteStorage) {
		if r.Header.Get("Authorization") != "" {
			t.Error("a download link was sent the Authorization header")
		}
	}
}

// TestCollectResumes: after a restart, a new Provider follows the same task from the persisted
// Remote, without submitting anything.
func TestCollectResumes(t *testing.T) {
	h := setup(t, nil)
	remote := h.submit()
	saved, err := json.Marshal(remote)
	if err != nil {
		t.Fatal(err)
	}
	var back providers.Remote
	if err := json.Unmarshal(saved, &back); err != nil {
		t.Fatal(err)
	}
	files, _, err := h.collect(h.again(), back)
	if err != nil || len(files) == 0 {
		t.Fatalf("got %v, %v", files, err)
	}
	if n := h.fake.Count(rodintest.RouteSubmit); n != 1 {
		t.Errorf("%d submissions, want 1", n)
	}
}

// TestCollectFailedAndCanceled: a job that fails, or is cancelled, fails the task.
func TestCollectFailedAndCanceled(t *testing.T) {
	for status, says := range map[string]string{
		rodintest.StatusFailed:   "Rodin could not make this model",
		rodintest.StatusCanceled: "cancelled on Rodin's side",
	} {
		t.Run(status, func(t *testing.T) {
			h := setup(t, nil)
			if err := h.fake.FailNext(status); err != nil {
				t.Fatal(err)
			}
			_, dir, err := h.collect(h.p, h.submit())
			api := providertest.APIError(t, err)
			if !errors.Is(err, providers.ErrGenerationFailed) || !strings.Contains(api.Message, says) {
				t.Errorf("got %v, want ErrGenerationFailed saying %q", err, says)
			}
			if n := h.fake.Count(rodintest.RouteDownload); n != 0 {
				t.Errorf("%d /download calls for a failed task", n)
			}
			modeltest.NoFiles(t, dir)
		})
	}
}

// TestExpiredLinksAreRenewed: a link refused as expired is replaced by a fresh one from /download.
func TestExpiredLinksAreRenewed(t *testing.T) {
	h := setup(t, nil)
	h.fake.Inject(rodintest.ExpiredDownloadLinks())
	files, _, err := h.collect(h.p, h.submit())
	if err != nil || len(files) != 2 {
		t.Fatalf("got %+v, %v", files, err)
	}
	if n := h.fake.Count(rodintest.RouteDownload); n < 2 {
		t.Errorf("%d /download calls, want a second for fresh links", n)
	}
	refused := 0
	for _, r := range h.fake.Received(rodintest.RouteStorage) {
		if r.Status == http.StatusForbidden {
			refused++
		}
	}
	if refused == 0 {
		t.Error("no expired link was refused: the fault did not bite")
	}
}

// TestHostileFileNames: names with folders, "..", absolute paths, escapes and a duplicate are
// written as plain, unique names inside the folder, and nothing is written anywhere else.
func TestHostileFileNames(t *testing.T) {
	h := setup(t, nil)
	h.fake.Inject(rodintest.HostileFileNames())
	parent := t.TempDir()
	dir := filepath.Join(parent, "job", "results")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	files, err := h.p.Collect(context.Background(), h.request(), h.submit(), dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(rodintest.HostileListNames()) {
		t.Errorf("%d files for %d listed", len(files), len(rodintest.HostileListNames()))
	}
	seen := map[string]bool{}
	for _, f := range files {
		if !filepath.IsLocal(f.Path) || strings.ContainsAny(f.Path, "/\\\x1b\n\u202e") || len([]rune(f.Path)) > maxFileName {
			t.Errorf("unsafe name %q", f.Path)
		}
		if seen[strings.ToLower(f.Path)] {
			t.Errorf("%q twice", f.Path)
		}
		seen[strings.ToLower(f.Path)] = true
		if st, err := os.Stat(filepath.Join(dir, f.Path)); err != nil || !st.Mode().IsRegular() {
			t.Errorf("%q was not written in the folder: %v", f.Path, err)
		}
	}
	if files[0].Format != "glb" || files[1].Role != providers.RolePreview {
		t.Errorf("files %+v: want the model, then the preview", files)
	}
	t.Logf("written as %+v", files)
	// Nothing beside the folder.
	err = filepath.WalkDir(parent, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && filepath.Dir(path) != dir {
			t.Errorf("wrote %s outside the folder", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat("/tmp/rodin/base_basic_pbr.glb"); err == nil {
		t.Error("wrote the absolute path /tmp/rodin/base_basic_pbr.glb")
	}
}

// TestRateLimitedStatusIsHonoured: a 429 makes Collect wait as long as Retry-After says, as often
// as it comes, and the task still finishes.
func TestRateLimitedStatusIsHonoured(t *testing.T) {
	h := setup(t, nil)
	remote := h.submit()
	f := rodintest.RateLimited(rodintest.RouteStatus, "30")
	f.Times = maxTroubles + 3 // more than any passing trouble is allowed
	h.fake.Inject(f)
	if _, _, err := h.collect(h.p, remote); err != nil {
		t.Fatal(err)
	}
	waits := 0
	for _, d := range h.sleeper.Slept() {
		if d >= 30*time.Second {
			waits++
		}
	}
	if waits != f.Times {
		t.Errorf("%d waits of Retry-After's 30 s, want %d", waits, f.Times)
	}
}

// TestServerErrorsOnStatusAreRetried: a few 5xx answers (and a gateway's HTML page) pass; too many
// in a row end Collect with ErrServer, and a later Collect resumes.
func TestServerErrorsOnStatusAreRetried(t *testing.T) {
	h := setup(t, nil)
	remote := h.submit()
	h.fake.Inject(rodintest.ServerError(rodintest.RouteStatus, 503), rodintest.HTMLPage(rodintest.RouteStatus, 502),
		rodintest.ServerError(rodintest.RouteStatus, 500))
	if _, _, err := h.collect(h.p, remote); err != nil {
		t.Fatal(err)
	}
	f := rodintest.ServerError(rodintest.RouteStatus, 500)
	f.Times = -1
	h.fake.Inject(f)
	_, _, err := h.collect(h.p, remote)
	if !errors.Is(err, providers.ErrServer) {
		t.Errorf("got %v, want ErrServer", err)
	}
	h.fake.ClearFaults()
	if _, _, err := h.collect(h.p, remote); err != nil {
		t.Errorf("resuming after the trouble: %v", err)
	}
}

// TestMalformedStatus: JSON cut off is a clear ErrServer, once it persists.
func TestMalformedStatus(t *testing.T) {
	h := setup(t, nil)
	remote := h.submit()
	f := rodintest.MalformedJSON(rodintest.RouteStatus)
	f.Times = -1
	h.fake.Inject(f)
	_, _, err := h.collect(h.p, remote)
	api := providertest.APIError(t, err)
	if !errors.Is(err, providers.ErrServer) || !strings.Contains(api.Message, "Rodin sent broken JSON") {
		t.Errorf("got %v", err)
	}
	if n := h.fake.Count(rodintest.RouteStatus); n != maxTroubles+1 {
		t.Errorf("%d status calls, want %d", n, maxTroubles+1)
	}
}

// TestRefusedStatusEndsAtOnce: a refusal that waiting will not cure (the key revoked meanwhile) is
// not retried.
func TestRefusedStatusEndsAtOnce(t *testing.T) {
	h := setup(t, nil)
	remote := h.submit()
	h.fake.Revoke(h.fake.Key)
	_, _, err := h.collect(h.p, remote)
	if !errors.Is(err, providers.ErrUnauthorized) || !strings.Contains(err.Error(), "Not authenticated") {
		t.Errorf("got %v", err)
	}
	if n := h.fake.Count(rodintest.RouteStatus); n != 1 {
		t.Errorf("%d status calls, want 1", n)
	}
}

// stallFast sets a stall timeout tests can wait for.
func stallFast(c *Config) { c.StallTimeout = 50 * time.Millisecond }

// TestStalledDownload: a body that stops is given up after the stall timeout and fetched again;
// one that stalls every time ends Collect with ErrNetwork.
func TestStalledDownload(t *testing.T) {
	h := setup(t, nil, stallFast)
	h.fake.Inject(rodintest.StalledDownload())
	start := time.Now()
	if _, _, err := h.collect(h.p, h.submit()); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("took %v", took)
	}
	f := rodintest.StalledDownload()
	f.Times = maxLinkTries
	h.fake.Inject(f)
	_, dir, err := h.collect(h.p, h.submit())
	if api := providertest.APIError(t, err); !errors.Is(err, providers.ErrNetwork) || !strings.Contains(api.Message, "no byte of the model arrived") {
		t.Errorf("got %v", err)
	}
	modeltest.NoFiles(t, dir)
}

// failPreview is a transport that answers 500 for every preview download.
type failPreview struct{}

func (failPreview) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.HasSuffix(r.URL.Path, "preview.webp") {
		return &http.Response{StatusCode: http.StatusInternalServerError, Status: "500 Internal Server Error",
			Body: http.NoBody, Header: http.Header{}, Request: r}, nil
	}
	return http.DefaultTransport.RoundTrip(r)
}

// TestPreviewIsOptional: a preview that cannot be downloaded is left out, and logged.
func TestPreviewIsOptional(t *testing.T) {
	h := setup(t, nil, func(c *Config) { c.HTTP = &http.Client{Transport: failPreview{}} })
	files, _, err := h.collect(h.p, h.submit())
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 1 || files[0].Format != "glb" {
		t.Errorf("files %+v, want the model alone", files)
	}
	if !strings.Contains(h.log.String(), "rodin preview not downloaded") {
		t.Errorf("the failed preview was not logged:\n%s", h.log)
	}
}

// TestMaterialAllGivesBothModels: the PBR model comes first, the Shaded one after the preview.
func TestMaterialAllGivesBothModels(t *testing.T) {
	h := setup(t, nil)
	req := h.request(OptionMaterial, "All")
	files, _, err := h.collect(h.p, h.submit(req))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		names = append(names, f.Path)
	}
	if want := []string{"base_basic_pbr.glb", "preview.webp", "base_basic_shaded.glb"}; !slices.Equal(names, want) {
		t.Errorf("files %q, want %q", names, want)
	}
}

// TestCollectNeedsItsState: a Remote without the subscription key cannot be followed.
func TestCollectNeedsItsState(t *testing.T) {
	h := setup(t, nil)
	remote := h.submit()
	for _, state := range []string{"", "{}", "not json"} {
		r := remote
		r.State = json.RawMessage(state)
		if _, _, err := h.collect(h.p, r); err == nil || !strings.Contains(err.Error(), "subscription key") {
			t.Errorf("state %q: %v", state, err)
		}
	}
	if _, _, err := h.collect(h.p, providers.Remote{State: remote.State}); err == nil {
		t.Error("a Remote without an id was followed")
	}
}

// TestCollectCancelledWhilePolling: cancelling returns promptly, wrapping context.Canceled.
func TestCollectCancelledWhilePolling(t *testing.T) {
	h := setup(t, &rodintest.Options{Generation: time.Hour})
	remote := h.submit()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err := h.p.Collect(ctx, h.request(), remote, t.TempDir(), nil)
	if !errors.Is(err, context.Canceled) || time.Since(start) > 2*time.Second {
		t.Errorf("got %v after %v", err, time.Since(start))
	}
}
