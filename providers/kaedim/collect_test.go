package kaedim

import (
	"context"
	"errors"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/kaedim/kaedimtest"
	"github.com/kiln3d/kiln/providers/providertest"
)

// expireLinks is a transport that moves the fake's clock on by two hours before the first n
// downloads, so that the links Kiln just fetched have expired when it uses them.
type expireLinks struct {
	fake *kaedimtest.Server
	mu   sync.Mutex
	n    int
}

func (e *expireLinks) RoundTrip(r *http.Request) (*http.Response, error) {
	e.mu.Lock()
	if strings.HasPrefix(e.fake.StorageURL, "http://"+r.URL.Host) && e.n > 0 {
		e.n--
		e.fake.Advance(2 * time.Hour)
	}
	e.mu.Unlock()
	return http.DefaultTransport.RoundTrip(r)
}

func TestExpiredLinkIsFetchedAgain(t *testing.T) {
	var el *expireLinks
	h := setup(t, nil, func(c *Config) {
		el = &expireLinks{n: 1}
		c.HTTP = &http.Client{Transport: el}
	})
	el.fake = h.fake
	remote := h.submit()
	if _, _, err := h.collect(h.p, remote); err != nil {
		t.Fatal(err)
	}
	downloads := h.fake.Received("download")
	if len(downloads) != 2 || downloads[0].Status != http.StatusForbidden || downloads[1].Status != http.StatusOK {
		t.Fatalf("downloads answered %v, want 403 then 200", statuses(downloads))
	}
	// The second download used a fresh link from a second fetch.
	if downloads[0].Query.Get("Expires") == downloads[1].Query.Get("Expires") {
		t.Error("the same link was tried twice")
	}
}

func TestRefusedLinkStatuses(t *testing.T) {
	for _, status := range []int{400, 403, 404} {
		h := setup(t, nil)
		h.fake.Inject(kaedimtest.Fault{Route: "download", Status: status, ContentType: "application/xml",
			Body: "<Error><Code>ExpiredToken</Code><Message>The provided token has expired.</Message></Error>"})
		if _, _, err := h.collect(h.p, h.submit()); err != nil {
			t.Errorf("%d: %v", status, err)
		}
		// Between the refused download and the next, the request was fetched for fresh links.
		var order []string
		for _, rec := range h.fake.Received("download", "fetchRequest") {
			order = append(order, rec.Route)
		}
		if n := len(order); n < 3 || strings.Join(order[n-3:], " ") != "download fetchRequest download" {
			t.Errorf("%d: calls ended %v, want a download, a fetch, a download", status, order)
		}
	}
}

func TestLinksThatAlwaysExpireFail(t *testing.T) {
	var el *expireLinks
	h := setup(t, nil, func(c *Config) {
		el = &expireLinks{n: 100}
		c.HTTP = &http.Client{Transport: el}
	})
	el.fake = h.fake
	_, _, err := h.collect(h.p, h.submit())
	api := providertest.APIError(t, err)
	if !errors.Is(err, providers.ErrServer) || api.Status != 403 || !strings.Contains(api.Message, "Request has expired") {
		t.Errorf("got %v, want ErrServer quoting the storage", err)
	}
	if n := h.fake.Count("download"); n != maxLinkTries {
		t.Errorf("%d downloads, want %d", n, maxLinkTries)
	}
}

func TestDismissed(t *testing.T) {
	h := setup(t, nil)
	remote := h.submit()
	if err := h.fake.Dismiss(remote.ID, "Multiple objects in the scene"); err != nil {
		t.Fatal(err)
	}
	_, _, err := h.collect(h.p, remote)
	api := providertest.APIError(t, err)
	if !errors.Is(err, providers.ErrGenerationFailed) || api.Message != "Kaedim dismissed the request: Multiple objects in the scene" {
		t.Errorf("got %v, want ErrGenerationFailed with the reason", err)
	}
	if n := h.fake.Count("download"); n != 0 {
		t.Errorf("%d downloads of a dismissed request", n)
	}
}

// TestRestartResumes: a job stopped while Kaedim works is collected by a new Provider from the
// same Secrets and Remote: same requestID, no second /process, no second refresh.
func TestRestartResumes(t *testing.T) {
	h := setup(t, nil)
	h.fake.SetGeneration(time.Hour)
	remote := h.submit()
	ctx, cancel := context.WithCancel(context.Background())
	_, err := h.p.Collect(ctx, h.request(), remote, t.TempDir(), func(providers.Progress) { cancel() })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	h.fake.SetGeneration(50 * time.Millisecond)
	if _, _, err := h.collect(h.again(), remote); err != nil {
		t.Fatal(err)
	}
	if n := h.fake.Count("process"); n != 1 {
		t.Errorf("%d /process requests, want 1", n)
	}
	if n := h.fake.Count("refreshJWT"); n != 1 {
		t.Errorf("%d refreshes, want 1: the restart reuses the stored JWT", n)
	}
	for _, rec := range h.fake.Received("fetchRequest") {
		if rec.Query.Get("requestID") != remote.ID {
			t.Errorf("polled %q, want %q", rec.Query.Get("requestID"), remote.ID)
		}
	}
}

func TestCancelDuringPolling(t *testing.T) {
	h := setup(t, nil, func(c *Config) {
		c.Sleep = nil // a real timer, and a long one
		c.Poll = PollConfig{First: 10 * time.Minute}
	})
	h.fake.SetGeneration(time.Hour)
	remote := h.submit()
	ctx, cancel := context.WithCancel(context.Background())
	polled := make(chan struct{}, 1)
	done := make(chan error, 1)
	go func() {
		_, err := h.p.Collect(ctx, h.request(), remote, t.TempDir(), func(providers.Progress) {
			select {
			case polled <- struct{}{}:
			default:
			}
		})
		done <- err
	}()
	<-polled
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("got %v, want context.Canceled", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Collect did not return within 2 s of the cancellation")
	}
}

func TestProgressInWords(t *testing.T) {
	h := setup(t, nil)
	h.fake.SetGeneration(300 * time.Millisecond)
	remote := h.submit()
	var reports []providers.Progress
	if _, err := h.p.Collect(context.Background(), h.request(), remote, t.TempDir(), func(p providers.Progress) {
		reports = append(reports, p)
	}); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, r := range reports {
		switch {
		case r.Phase == providers.PhaseRunning && r.Fraction >= 0:
			t.Errorf("running progress with a fraction: %+v", r)
		case strings.HasPrefix(r.Message, "Queued at Kaedim ("):
			seen["queued"] = true
		case strings.HasPrefix(r.Message, `Kaedim is making the model (status "processing")`):
			seen["working"] = true
		case r.Phase == providers.PhaseDownloading && r.Fraction == 1:
			seen["downloaded"] = true
		}
		if r.Phase == providers.PhaseRunning && !strings.Contains(r.Message, "so far)") {
			t.Errorf("no elapsed time in %q", r.Message)
		}
	}
	if len(seen) != 3 {
		t.Errorf("saw %v in %+v", seen, reports)
	}
}

// TestUnknownStatusMeansRunning: statuses Kaedim has not documented keep Collect polling; only
// completed and approved end it.
func TestUnknownStatusMeansRunning(t *testing.T) {
	h := setup(t, nil)
	remote := h.submit()
	_ = h.fake.SetStatus(remote.ID, "uploaded", "")
	polls := 0
	_, err := h.p.Collect(context.Background(), h.request(), remote, t.TempDir(), func(p providers.Progress) {
		if polls++; polls == 5 {
			_ = h.fake.SetStatus(remote.ID, "approved", "")
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if polls < 5 {
		t.Errorf("Collect ended after %d polls, before the status was approved", polls)
	}
}

func TestRateLimitIsHonoured(t *testing.T) {
	h := setup(t, nil)
	remote := h.submit()
	h.fake.Inject(kaedimtest.Fault{Route: "fetchRequest", Status: 429, RetryAfter: "30", Message: "Too many requests"})
	if _, _, err := h.collect(h.p, remote); err != nil {
		t.Fatal(err)
	}
	longest := time.Duration(0)
	for _, d := range h.sleeper.Slept() {
		longest = max(longest, d)
	}
	if longest < 30*time.Second {
		t.Errorf("the longest wait was %v, want Retry-After's 30 s", longest)
	}
}

func TestPassingTroubleIsRiddenOut(t *testing.T) {
	h := setup(t, nil)
	remote := h.submit()
	h.fake.Inject(kaedimtest.Fault{Route: "fetchRequest", Status: 503, Times: 3})
	h.fake.Inject(kaedimtest.Fault{Route: "fetchRequest", Status: 200, Body: `{"requestID":"`, Times: 2})
	if _, _, err := h.collect(h.p, remote); err != nil {
		t.Fatal(err)
	}
}

func TestLastingTroubleFails(t *testing.T) {
	h := setup(t, nil)
	remote := h.submit()
	h.fake.Inject(kaedimtest.Fault{Route: "fetchRequest", Status: 200, Body: `{"requestID": "x", "iterations": [{"sta`, Times: 100})
	_, _, err := h.collect(h.p, remote)
	if api := providertest.APIError(t, err); !errors.Is(err, providers.ErrServer) || !strings.Contains(api.Message, "broken JSON") {
		t.Errorf("got %v, want ErrServer explaining the broken JSON", err)
	}
	if n := h.fake.Count("fetchRequest"); n != maxTroubles+1 {
		t.Errorf("%d polls, want %d", n, maxTroubles+1)
	}
}

func TestUnknownRequest(t *testing.T) {
	h := setup(t, nil)
	_, _, err := h.collect(h.p, providers.Remote{ID: "no-such-request"})
	if api := providertest.APIError(t, err); !errors.Is(err, providers.ErrNotFound) || api.Message != "Request not found" {
		t.Errorf("got %v, want ErrNotFound", err)
	}
}

func statuses(rs []kaedimtest.Received) []int {
	var out []int
	for _, r := range rs {
		out = append(out, r.Status)
	}
	return out
}

// TestDownloadThatIsNotAModel: a portal's page served as the glb never becomes the model.
func TestDownloadThatIsNotAModel(t *testing.T) {
	h := setup(t, nil)
	h.fake.Inject(kaedimtest.Fault{Route: "download", Status: 200, ContentType: "text/html",
		Body: "<html><body>Please sign in to the hotel Wi-Fi</body></html>", Times: maxLinkTries})
	_, dir, err := h.collect(h.p, h.submit())
	if api := providertest.APIError(t, err); !errors.Is(err, providers.ErrServer) || !strings.Contains(api.Message, `not a glb model: "Please sign in to the hotel Wi-Fi"`) {
		t.Errorf("got %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("left %v in the job's directory", entries)
	}
}

// TestUndocumentedShapeFails: an answer without the documented fields ends Collect instead of
// polling forever for a status it will never show.
func TestUndocumentedShapeFails(t *testing.T) {
	h := setup(t, nil)
	remote := h.submit()
	h.fake.Inject(kaedimtest.Fault{Route: "fetchRequest", Status: 200, Body: `{"status":"success","request":{}}`, Times: 100})
	_, _, err := h.collect(h.p, remote)
	if api := providertest.APIError(t, err); !errors.Is(err, providers.ErrServer) || !strings.Contains(api.Message, "neither a requestID nor iterations") {
		t.Errorf("got %v", err)
	}
}
