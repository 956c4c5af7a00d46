package kaedim

import (
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/kaedim/kaedimtest"
	"github.com/kiln3d/kiln/providers/modeltest"
	"github.com/kiln3d/kiln/providers/providertest"
)

// stallFast sets a stall timeout tests can wait for.
func stallFast(c *Config) { c.StallTimeout = 50 * time.Millisecond }

// TestStalledDownloadIsRetried: a body that stops arriving is given up after the stall timeout
// (not the client's half hour) and fetched again through a fresh link.
func TestStalledDownloadIsRetried(t *testing.T) {
	h := setup(t, nil, stallFast)
	h.fake.Inject(kaedimtest.StalledDownload())
	start := time.Now()
	if _, _, err := h.collect(h.p, h.submit()); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("took %v", took)
	}
	if n := h.count("download", 2); n != 2 {
		t.Errorf("%d downloads, want the stalled one and another", n)
	}
}

func TestStalledDownloadGivesUp(t *testing.T) {
	h := setup(t, nil, stallFast)
	h.fake.Inject(kaedimtest.Fault{Route: "download", Mode: kaedimtest.StallBody, Times: maxLinkTries})
	_, dir, err := h.collect(h.p, h.submit())
	if api := providertest.APIError(t, err); !errors.Is(err, providers.ErrNetwork) || !strings.Contains(api.Message, "no byte of the model arrived") {
		t.Errorf("got %v", err)
	}
	if n := h.count("download", maxLinkTries); n != maxLinkTries {
		t.Errorf("%d downloads", n)
	}
	modeltest.NoFiles(t, dir)
}

// TestHugeDownloadIsRefusedAtOnce: a declared 4 GiB is refused from its Content-Length, once.
func TestHugeDownloadIsRefusedAtOnce(t *testing.T) {
	h := setup(t, nil)
	h.fake.Inject(kaedimtest.Fault{Route: "download", Mode: kaedimtest.HugeBody, Times: maxLinkTries})
	_, dir, err := h.collect(h.p, h.submit())
	if api := providertest.APIError(t, err); !errors.Is(err, providers.ErrDamagedResult) || api.Message != "the model is 4 GiB, more than the 1 GiB Kiln accepts" {
		t.Errorf("got %v", err)
	}
	if n := h.count("download", 1); n != 1 {
		t.Errorf("%d downloads, want 1", n)
	}
	modeltest.NoFiles(t, dir)
}

// TestHostileModelIsRefused: a glb whose buffer claims a terabyte never reaches the disk.
func TestHostileModelIsRefused(t *testing.T) {
	h := setup(t, nil)
	h.fake.Inject(kaedimtest.HostileModelDownload())
	_, dir, err := h.collect(h.p, h.submit())
	if api := providertest.APIError(t, err); !errors.Is(err, providers.ErrDamagedResult) || !strings.Contains(api.Message, "claims 1 TiB") {
		t.Errorf("got %v", err)
	}
	if n := h.count("download", 1); n != 1 {
		t.Errorf("%d downloads, want 1", n)
	}
	modeltest.NoFiles(t, dir)
}

// TestRedirectToPlainHTTPIsRefused: the storage's redirect to plain http elsewhere is refused
// before anything connects there.
func TestRedirectToPlainHTTPIsRefused(t *testing.T) {
	var mu sync.Mutex
	var dialled []string
	h := setup(t, nil, func(c *Config) {
		c.HTTP = &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			mu.Lock()
			dialled = append(dialled, addr)
			mu.Unlock()
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		}}}
	})
	h.fake.Inject(kaedimtest.PlainHTTPRedirect())
	_, dir, err := h.collect(h.p, h.submit())
	if api := providertest.APIError(t, err); !errors.Is(err, providers.ErrServer) || !strings.Contains(api.Message, "refused a redirect: plain http") {
		t.Errorf("got %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, a := range dialled {
		if !strings.HasPrefix(a, "127.0.0.1:") {
			t.Errorf("dialled %s", a)
		}
	}
	modeltest.NoFiles(t, dir)
}

// TestProcessIsNeverSentTwice: once /process may have reached Kaedim, its failure comes back as
// an error and nothing sends it again: not do, not net/http on a redirect.
func TestProcessIsNeverSentTwice(t *testing.T) {
	for name, c := range map[string]struct {
		fault kaedimtest.Fault
		kind  error
	}{
		"503 after accepting": {kaedimtest.AcceptedThen503(), providers.ErrServer},
		"reset mid-reply":     {kaedimtest.ResetAfterAccepting("process"), providers.ErrNetwork},
		"500":                 {kaedimtest.Fault{Route: "process", Status: 500}, providers.ErrServer},
		"307 to itself":       {kaedimtest.Fault{Route: "process", Status: http.StatusTemporaryRedirect}, providers.ErrServer},
		"308 elsewhere":       {kaedimtest.Fault{Route: "process", Status: http.StatusPermanentRedirect}, providers.ErrServer},
	} {
		h := setup(t, nil)
		if c.fault.Status == http.StatusTemporaryRedirect {
			c.fault.Redirect = h.fake.URL + "/api/v1/process"
		}
		if c.fault.Status == http.StatusPermanentRedirect {
			c.fault.Redirect = h.fake.URL + "/api/v1/process?again=1"
		}
		h.fake.Inject(c.fault)
		_, err := h.p.Submit(context.Background(), h.request())
		if !errors.Is(err, c.kind) {
			t.Errorf("%s: got %v, want %v", name, err, c.kind)
		}
		if n := h.count("process", 1); n != 1 {
			t.Errorf("%s: %d /process requests, want 1", name, n)
		}
	}
	// A timeout after the upload: the caller's deadline, and still one request.
	h := setup(t, nil)
	h.fake.Inject(kaedimtest.Fault{Route: "process", Latency: time.Minute})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if _, err := h.p.Submit(ctx, h.request()); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("timeout: %v", err)
	}
	if n := h.count("process", 1); n != 1 {
		t.Errorf("timeout: %d /process requests, want 1", n)
	}
}

// TestProcessRefusedJWTIsSentOnceMore: a 401 is Kaedim refusing before it takes the work, so
// /process goes once more with a fresh JWT.
func TestProcessRefusedJWTIsSentOnceMore(t *testing.T) {
	h := setup(t, nil)
	h.fake.Inject(kaedimtest.Fault{Route: "process", Status: 401, Message: "Invalid token"})
	if _, err := h.p.Submit(context.Background(), h.request()); err != nil {
		t.Fatal(err)
	}
	if n := h.fake.Count("process"); n != 2 || len(h.fake.Requests()) != 1 {
		t.Errorf("%d /process requests, %d created", n, len(h.fake.Requests()))
	}
}

// TestSubmitLostIsFound: Kaedim took the job but the answer was a 503; FindSubmitted finds the
// request, and Collect downloads its model.
func TestSubmitLostIsFound(t *testing.T) {
	h := setup(t, nil)
	req := h.request()
	other := h.request()
	other.Polycount = 5000
	if _, err := h.p.Submit(context.Background(), other); err != nil { // a neighbour that must not match
		t.Fatal(err)
	}
	h.fake.Inject(kaedimtest.AcceptedThen503())
	since := h.clock.Now()
	_, err := h.p.Submit(context.Background(), req)
	if !errors.Is(err, providers.ErrServer) {
		t.Fatalf("got %v, want ErrServer", err)
	}
	until := h.clock.Now()
	var reconciler providers.Reconciler = h.p
	remote, found, err := reconciler.FindSubmitted(context.Background(), req, since, until, nil)
	if err != nil || !found {
		t.Fatalf("found %v, %v", found, err)
	}
	created := h.fake.Requests()
	if len(created) != 2 || remote.ID != created[1].ID {
		t.Fatalf("found %s among %+v", remote.ID, created)
	}
	// Another job already follows that request: it is never this job's.
	if other, found, _ := reconciler.FindSubmitted(context.Background(), req, since, until, []string{remote.ID}); found && other.ID == remote.ID {
		t.Errorf("found %s, which another job follows", other.ID)
	}
	files, dir, err := h.collect(h.p, remote)
	if err != nil || len(files) != 1 {
		t.Fatalf("collect: %v", err)
	}
	if data, err := os.ReadFile(dir + "/" + files[0].Path); err != nil || string(data[:4]) != "glTF" {
		t.Errorf("model: %v", err)
	}
}

func TestFindSubmittedRulesOut(t *testing.T) {
	h := setup(t, nil)
	ctx := context.Background()
	req := h.request()
	since := h.clock.Now()
	_, _ = h.p.Submit(ctx, providers.Request{Images: req.Images, Polycount: 20000,
		Options: map[string]string{OptionQuality: "high"}}) // another quality
	two := req
	two.Images = append(two.Images, providers.Image{Path: writePNG(t, "back.png")})
	_, _ = h.p.Submit(ctx, two) // another number of images
	if _, found, err := h.p.FindSubmitted(ctx, req, since, h.clock.Now(), nil); found || err != nil {
		t.Errorf("found %v, %v: nothing matches", found, err)
	}
	// A match outside the window is not it.
	_, _ = h.p.Submit(ctx, req)
	h.fake.Advance(time.Hour)
	if _, found, _ := h.p.FindSubmitted(ctx, req, h.fake.Now(), h.fake.Now().Add(time.Minute), nil); found {
		t.Error("found a request from an hour before the window")
	}
	// Of two that match, the one whose images bear the request's file names wins.
	h.fake.Advance(-time.Hour)
	renamed := providers.Request{Images: []providers.Image{{Path: writePNG(t, "table.png")}}, Polycount: 20000}
	want, _ := h.p.Submit(ctx, renamed)
	r, found, err := h.p.FindSubmitted(ctx, renamed, since, h.clock.Now(), nil)
	if err != nil || !found || r.ID != want.ID {
		t.Errorf("found %s, %v, %v; want %s", r.ID, found, err, want.ID)
	}
}

// TestHostileNamesAreListedAsData: names with newlines and escapes come through as data (the
// views escape them with providers.Printable), and nothing breaks on them.
func TestHostileNamesAreListedAsData(t *testing.T) {
	h := setup(t, nil)
	h.submit()
	h.fake.Inject(kaedimtest.HostileFileNames())
	list, err := h.p.ListRemote(context.Background(), time.Time{}, time.Time{})
	if err != nil || len(list) != 1 {
		t.Fatalf("%v, %v", list, err)
	}
	want := strings.TrimSuffix(kaedimtest.HostileName, ".png")
	if list[0].Name != want || strings.ContainsAny(providers.Printable(list[0].Name), "\n\x1b") {
		t.Errorf("listed %q", list[0].Name)
	}
}

// TestDevIDIsScrubbedFromLinks: a server echoing a link with the devID in its query shows it
// redacted.
func TestDevIDIsScrubbedFromLinks(t *testing.T) {
	h := setup(t, nil)
	h.fake.Inject(kaedimtest.Fault{Route: "fetchRequest", Status: 404,
		Message: "no request at https://api.kaedim3d.com/api/v1/fetchRequest?devID=" + h.fake.Account.DevID + "&requestID=x"})
	_, _, err := h.collect(h.p, providers.Remote{ID: "x"})
	if err == nil || strings.Contains(err.Error(), h.fake.Account.DevID) || !strings.Contains(err.Error(), "devID=[redacted]") {
		t.Errorf("got %v", err)
	}
}

// count is how many requests to route the fake has recorded, once it has recorded want or a
// second has passed: the fake records a request when its handler returns, which for a stalled or
// cut answer is after the client has given up on it.
func (h *harness) count(route string, want int) int {
	for deadline := time.Now().Add(time.Second); h.fake.Count(route) < want && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(10 * time.Millisecond) // and a moment for one too many to show
	return h.fake.Count(route)
}
