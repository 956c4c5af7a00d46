package jobsapi

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/modeltest"
)

// TestCollect: progress in the server's words, then the model first and the preview, written
// into the folder, downloaded with the key.
func TestCollect(t *testing.T) {
	h := setup(t)
	h.fake.Polls = 4
	remote := h.submit()
	files, dir, reports, err := h.collect(h.p, remote)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 2 || files[0] != (providers.File{Path: "model.glb", Format: "glb"}) ||
		files[1] != (providers.File{Path: "preview.png", Format: "png", Role: providers.RolePreview}) {
		t.Fatalf("files %+v", files)
	}
	if _, err := modeltest.Load(filepath.Join(dir, files[0].Path)); err != nil {
		t.Errorf("the model does not load: %v", err)
	}
	running := 0
	for _, pr := range reports {
		if pr.Phase == providers.PhaseRunning && pr.Message == "Inflating the silhouette" && pr.Fraction == 0.5 {
			running++
		}
	}
	if running < 2 {
		t.Errorf("reports %+v: want the server's progress and message each poll", reports)
	}
	if polls := len(h.fake.Received(routeJob)); polls != 4 {
		t.Errorf("%d polls, want 4", polls)
	}
	for _, r := range h.fake.Received(routeFile) {
		if r.Header.Get("X-Api-Key") != h.fake.Key || r.Status != 200 {
			t.Errorf("download %s: status %d, key sent %v", r.Path, r.Status, r.Header.Get("X-Api-Key") != "")
		}
	}
}

// TestCollectFailed: a failed job's kind and words; a refused input says so.
func TestCollectFailed(t *testing.T) {
	for code, says := range map[string]string{
		"provider_failed": "the server's local provider could not make the model: no object found (provider_failed)",
		"invalid_input":   "the server's local provider refused the input: no object found (invalid_input)",
	} {
		h := setup(t)
		h.fake.Outcome, h.fake.Failure = StatusFailed, Failure{Code: code, Message: "no object found"}
		files, dir, _, err := h.collect(h.p, h.submit())
		if !errors.Is(err, providers.ErrGenerationFailed) || !strings.Contains(err.Error(), says) || files != nil {
			t.Errorf("%s: %v, want ErrGenerationFailed saying %q", code, err, says)
		}
		modeltest.NoFiles(t, dir)
	}
}

func TestCollectCancelled(t *testing.T) {
	h := setup(t)
	h.fake.Outcome = StatusCancelled
	_, _, _, err := h.collect(h.p, h.submit())
	if !errors.Is(err, providers.ErrGenerationFailed) || !strings.Contains(err.Error(), "cancelled on the server") {
		t.Errorf("a cancelled job: %v", err)
	}
}

func TestCollectUnknownJob(t *testing.T) {
	h := setup(t)
	_, _, _, err := h.collect(h.p, providers.Remote{ID: "20261204-212145-00000000"})
	if !errors.Is(err, providers.ErrNotFound) || providers.Transient(err) {
		t.Errorf("an unknown job: %v, want ErrNotFound", err)
	}
	if n := len(h.fake.Received(routeJob)); n != 1 {
		t.Errorf("%d polls of an unknown job, want 1", n)
	}
}

// TestFileOnAnotherHost: a file link to any other origin is refused, and nothing (least of all
// the key) goes there.
func TestFileOnAnotherHost(t *testing.T) {
	var visits atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		visits.Add(1)
		_, _ = w.Write([]byte("glTF"))
	}))
	defer other.Close()
	h := setup(t)
	h.fake.FileHost = strings.TrimPrefix(other.URL, "http://")
	_, dir, _, err := h.collect(h.p, h.submit())
	if !errors.Is(err, providers.ErrServer) || !strings.Contains(err.Error(), "another host") {
		t.Errorf("a file on another host: %v", err)
	}
	if visits.Load() != 0 {
		t.Errorf("%d requests went to the other host", visits.Load())
	}
	modeltest.NoFiles(t, dir)
}

// TestDamagedModel: a glb whose numbers lie is refused for good, and not written.
func TestDamagedModel(t *testing.T) {
	h := setup(t)
	h.fake.Model = modeltest.GLB(modeltest.TerabyteJSON, make([]byte, 64))
	_, dir, _, err := h.collect(h.p, h.submit())
	if !errors.Is(err, providers.ErrDamagedResult) {
		t.Errorf("a damaged model: %v, want ErrDamagedResult", err)
	}
	if n := len(h.fake.Received(routeFile)); n != 1 {
		t.Errorf("%d downloads of a damaged model, want 1", n)
	}
	modeltest.NoFiles(t, dir)
}

// TestCollectRidesOutTrouble: a few failed polls are tried again; more give up with the last.
func TestCollectRidesOutTrouble(t *testing.T) {
	h := setup(t)
	remote := h.submit()
	h.fake.Inject(routeJob, 2, fault{Status: 503, Code: "shutting_down", Message: "restarting"})
	h.fake.Inject(routeJob, 1, fault{Status: 200, Body: `{"id": "x", "status": `})
	if _, _, _, err := h.collect(h.p, remote); err != nil {
		t.Errorf("after three failed polls: %v", err)
	}
	h.fake.Inject(routeJob, -1, fault{Status: 500, Code: "internal", Message: "database is locked"})
	_, _, _, err := h.collect(h.p, remote)
	if !errors.Is(err, providers.ErrServer) || !strings.Contains(err.Error(), "database is locked") {
		t.Errorf("a server that keeps failing: %v", err)
	}
	h.fake.ClearFaults()
	h.fake.Inject(routeJob, -1, fault{Status: 200, Body: `<html>not json`})
	_, _, _, err = h.collect(h.p, remote)
	if !errors.Is(err, providers.ErrServer) || !strings.Contains(err.Error(), "broken JSON") {
		t.Errorf("a server that answers garbage: %v", err)
	}
}
