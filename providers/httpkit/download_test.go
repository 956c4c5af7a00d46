package httpkit

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/providertest"
)

// storage is a loopback server that counts its requests and answers with handle.
type storage struct {
	*httptest.Server
	hits atomic.Int32
}

func newStorage(t *testing.T, handle http.HandlerFunc) *storage {
	s := &storage{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		handle(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

// waits records the waits Download asks for, without waiting.
type waits struct {
	mu sync.Mutex
	ds []time.Duration
}

func (w *waits) wait(ctx context.Context, d time.Duration) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.ds = append(w.ds, d)
	return ctx.Err()
}

func (w *waits) count() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.ds)
}

// spec is a download of url into a fresh folder, with fast timeouts and instant waits.
func spec(t *testing.T, url string, w *waits) DownloadSpec {
	return DownloadSpec{Op: "download", What: "the model", URL: url, Dest: filepath.Join(t.TempDir(), "model.glb"),
		StallTimeout: 50 * time.Millisecond, Tries: 3, Wait: w.wait}
}

// onlyFile fails the test unless d's folder holds just want (or nothing, for "").
func onlyFile(t *testing.T, d DownloadSpec, want string) {
	t.Helper()
	entries, _ := os.ReadDir(filepath.Dir(d.Dest))
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, ",") != want {
		t.Errorf("the folder holds %v, want %q", names, want)
	}
}

func TestDownload(t *testing.T) {
	body := bytes.Repeat([]byte("k"), 3<<20)
	s := newStorage(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			t.Error("the download sent credentials")
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		_, _ = w.Write(body)
	})
	var reports []providers.Progress
	d := spec(t, s.URL+"/m.glb", &waits{})
	d.Report = func(p providers.Progress) { reports = append(reports, p) }
	if err := svc.Download(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(d.Dest); !bytes.Equal(got, body) {
		t.Errorf("wrote %d bytes", len(got))
	}
	last := reports[len(reports)-1]
	if len(reports) < 3 || last.Fraction != 1 || last.Phase != providers.PhaseDownloading ||
		!strings.HasPrefix(last.Message, "Downloading the model (3.1 of 3.1 MB)") {
		t.Errorf("reports %+v", reports)
	}
	onlyFile(t, d, "model.glb")
}

// TestDownloadStall: a body that stops arriving is given up after the stall timeout, not the
// client's half hour, and tried again a bounded number of times.
func TestDownloadStall(t *testing.T) {
	s := newStorage(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000")
		_, _ = w.Write([]byte("glTF and then nothing"))
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	})
	w := &waits{}
	d := spec(t, s.URL+"/m.glb", w)
	d.Tries = 2
	start := time.Now()
	err := svc.Download(context.Background(), d)
	if api := providertest.APIError(t, err); !errors.Is(err, providers.ErrNetwork) || api.Message != "no byte of the model arrived for 50ms" {
		t.Errorf("got %v", err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("gave up after %v", took)
	}
	if n := s.hits.Load(); n != 2 || w.count() != 1 {
		t.Errorf("%d tries, %d waits; want 2 and 1", n, w.count())
	}
	onlyFile(t, d, "")
}

// TestDownloadStallBeforeHeaders: the watch covers the wait for the headers too.
func TestDownloadStallBeforeHeaders(t *testing.T) {
	s := newStorage(t, func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	d := spec(t, s.URL+"/m.glb", &waits{})
	d.Tries = 1
	if err := svc.Download(context.Background(), d); !errors.Is(err, providers.ErrNetwork) {
		t.Errorf("got %v", err)
	}
}

// TestDownloadDeclaredTooLarge: a declared 4 GiB is refused before a byte is read, and neither
// tried again nor fetched again.
func TestDownloadDeclaredTooLarge(t *testing.T) {
	s := newStorage(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.FormatInt(4<<30, 10))
		_, _ = w.Write([]byte("glTF"))
	})
	refetched := 0
	d := spec(t, s.URL+"/m.glb", &waits{})
	d.MaxBytes = 1 << 30
	d.Refetch = func(context.Context) (string, error) { refetched++; return s.URL + "/again", nil }
	d.Sniff = func([]byte, int64) error { t.Error("sniffed a body it should not read"); return nil }
	err := svc.Download(context.Background(), d)
	if api := providertest.APIError(t, err); !errors.Is(err, providers.ErrDamagedResult) || api.Message != "the model is 4 GiB, more than the 1 GiB Kiln accepts" {
		t.Errorf("got %v", err)
	}
	if s.hits.Load() != 1 || refetched != 0 {
		t.Errorf("%d downloads, %d refetches; want 1 and 0", s.hits.Load(), refetched)
	}
	onlyFile(t, d, "")
}

// TestDownloadActualTooLarge: a body with no length is cut at the cap, and not tried again.
func TestDownloadActualTooLarge(t *testing.T) {
	s := newStorage(t, func(w http.ResponseWriter, r *http.Request) {
		for range 64 {
			if _, err := w.Write(make([]byte, 64<<10)); err != nil {
				return
			}
		}
	})
	d := spec(t, s.URL+"/m.glb", &waits{})
	d.MaxBytes = 1 << 20
	err := svc.Download(context.Background(), d)
	if api := providertest.APIError(t, err); !errors.Is(err, providers.ErrDamagedResult) || api.Message != "the model is larger than the 1 MiB Kiln accepts" {
		t.Errorf("got %v", err)
	}
	if s.hits.Load() != 1 {
		t.Errorf("%d downloads", s.hits.Load())
	}
	onlyFile(t, d, "")
}

// TestDownloadExpiredLink: a refused link is fetched afresh at once, without a wait.
func TestDownloadExpiredLink(t *testing.T) {
	s := newStorage(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("sig") != "fresh" {
			w.WriteHeader(http.StatusForbidden)
			_, _ = w.Write([]byte("<Error><Message>Request has expired</Message></Error>"))
			return
		}
		_, _ = w.Write([]byte("model"))
	})
	w := &waits{}
	d := spec(t, s.URL+"/m.glb?sig=old", w)
	d.Refetch = func(context.Context) (string, error) { return s.URL + "/m.glb?sig=fresh", nil }
	if err := svc.Download(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	if s.hits.Load() != 2 || w.count() != 0 {
		t.Errorf("%d downloads, %d waits", s.hits.Load(), w.count())
	}
	// Links that keep being refused end with the storage's words, the signature scrubbed.
	d = spec(t, s.URL+"/m.glb?sig=old", w)
	d.Refetch = func(context.Context) (string, error) { return s.URL + "/m.glb?sig=stale", nil }
	err := svc.Download(context.Background(), d)
	if api := providertest.APIError(t, err); api.Status != 403 || !errors.Is(err, providers.ErrServer) ||
		api.Message != "the storage refused the download link, which may have expired: Request has expired" {
		t.Errorf("got %v", err)
	}
	// A refetch that fails ends the download with its own error.
	boom := errors.New("the request was dismissed")
	d = spec(t, s.URL+"/m.glb?sig=old", w)
	d.Refetch = func(context.Context) (string, error) { return "", boom }
	if err := svc.Download(context.Background(), d); !errors.Is(err, boom) {
		t.Errorf("got %v", err)
	}
}

// TestDownloadServerFailureWaits: a failing storage is given Backoff before the same link again.
func TestDownloadServerFailureWaits(t *testing.T) {
	var failed atomic.Bool
	s := newStorage(t, func(w http.ResponseWriter, r *http.Request) {
		if failed.CompareAndSwap(false, true) {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("model"))
	})
	w := &waits{}
	d := spec(t, s.URL+"/m.glb", w)
	d.Backoff = 7 * time.Second
	if err := svc.Download(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	if w.count() != 1 || w.ds[0] != 7*time.Second || s.hits.Load() != 2 {
		t.Errorf("waits %v, %d tries", w.ds, s.hits.Load())
	}
}

// TestDownloadIsAtomic: a download cut short leaves the file as it was and no partial file.
func TestDownloadIsAtomic(t *testing.T) {
	s := newStorage(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100")
		_, _ = w.Write(bytes.Repeat([]byte("n"), 50))
		w.(http.Flusher).Flush()
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			_ = conn.Close()
		}
	})
	d := spec(t, s.URL+"/m.glb", &waits{})
	if err := os.WriteFile(d.Dest, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := svc.Download(context.Background(), d)
	if !errors.Is(err, providers.ErrNetwork) || s.hits.Load() != 3 {
		t.Errorf("got %v after %d tries", err, s.hits.Load())
	}
	if got, _ := os.ReadFile(d.Dest); string(got) != "old" {
		t.Errorf("the file holds %q", got)
	}
	onlyFile(t, d, "model.glb")
}

func TestDownloadSniff(t *testing.T) {
	s := newStorage(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("<html><body>Please sign in to the hotel Wi-Fi</body></html>"))
	})
	d := spec(t, s.URL+"/m.glb", &waits{})
	d.Sniff = SniffGLB
	err := svc.Download(context.Background(), d)
	if api := providertest.APIError(t, err); !errors.Is(err, providers.ErrServer) ||
		api.Message != `the download is not a glb model: "Please sign in to the hotel Wi-Fi"` || s.hits.Load() != 3 {
		t.Errorf("got %v after %d tries, want ErrServer after 3", err, s.hits.Load())
	}
	d.Sniff = func([]byte, int64) error { return Damaged("the model lies") }
	s.hits.Store(0)
	err = svc.Download(context.Background(), d)
	if !errors.Is(err, providers.ErrDamagedResult) || s.hits.Load() != 1 {
		t.Errorf("got %v after %d tries, want ErrDamagedResult after 1", err, s.hits.Load())
	}
	onlyFile(t, d, "")
}

// TestDownloadRefusesLinks: a link to plain http elsewhere, or a redirect there, is refused for
// good, without a connection to it.
func TestDownloadRefusesLinks(t *testing.T) {
	var log dialLog
	s := newStorage(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://203.0.113.5/model.glb", http.StatusFound)
	})
	for link, want := range map[string]string{
		"http://203.0.113.5/model.glb?Signature=s3cr3t": "Svc sent a download link Kiln will not follow: plain http",
		"ftp://127.0.0.1/model.glb":                     "Svc sent a download link Kiln will not follow: the address must start with https://",
		s.URL + "/m.glb":                                "refused a redirect: plain http",
	} {
		d := spec(t, link, &waits{})
		d.Client = NewClient(log.client())
		err := svc.Download(context.Background(), d)
		if api := providertest.APIError(t, err); !errors.Is(err, providers.ErrServer) || !strings.HasPrefix(api.Message, want) || strings.Contains(api.Message, "s3cr3t") {
			t.Errorf("%s: got %v, want %q", link, err, want)
		}
	}
	if s.hits.Load() != 1 || log.dialed("203.0.113.5:80") {
		t.Errorf("%d redirects followed; dialled the remote address: %v", s.hits.Load(), log.dialed("203.0.113.5:80"))
	}
}

func TestDownloadCancelled(t *testing.T) {
	s := newStorage(t, func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	d := spec(t, s.URL+"/m.glb", &waits{})
	d.StallTimeout = time.Minute
	if err := svc.Download(ctx, d); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("got %v", err)
	}
}

func TestDownloadDiskError(t *testing.T) {
	s := newStorage(t, func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("model")) })
	d := spec(t, s.URL+"/m.glb", &waits{})
	d.Dest = filepath.Join(t.TempDir(), "missing", "model.glb")
	err := svc.Download(context.Background(), d)
	var api *providers.APIError
	if err == nil || errors.As(err, &api) || s.hits.Load() != 1 {
		t.Errorf("got %v after %d tries, want the disk's error at once", err, s.hits.Load())
	}
}
