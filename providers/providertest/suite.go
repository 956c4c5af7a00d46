package providertest

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/modeltest"
)

// Run is the conformance suite every provider passes: it checks the contract written on
// providers.Provider against p. image is a reference image p accepts.
func Run(t *testing.T, p providers.Provider, image string) {
	caps := p.Capabilities()
	t.Run("Capabilities", func(t *testing.T) {
		if caps.Name == "" || caps.Title == "" {
			t.Errorf("name %q, title %q: both are needed", caps.Name, caps.Title)
		}
		if caps.MinImages < 1 || caps.MaxImages < caps.MinImages {
			t.Errorf("images %d..%d", caps.MinImages, caps.MaxImages)
		}
		r := caps.Polycount
		if r.Min < 1 || r.Default < r.Min || r.Default > r.Max {
			t.Errorf("polycount range %+v", r)
		}
	})
	t.Run("Projects", func(t *testing.T) {
		projects, err := p.Projects(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if !caps.HasProjects && len(projects) != 0 {
			t.Errorf("%d projects from a provider without projects", len(projects))
		}
	})
	t.Run("SubmitRefusesBadRequests", func(t *testing.T) { refusals(t, p, image) })
	t.Run("SubmitThenCollect", func(t *testing.T) {
		req := validRequest(caps, image)
		remote, err := p.Submit(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		if remote.ID == "" {
			t.Fatal("Submit returned no remote id")
		}
		dir := t.TempDir()
		files := collect(t, p, req, remote, dir)
		// Collecting again, as after a restart, works from the same remote.
		again := collect(t, p, req, remote, t.TempDir())
		if len(again) != len(files) {
			t.Errorf("collecting again gave %d files, the first time %d", len(again), len(files))
		}
	})
	t.Run("CollectHonoursCancellation", func(t *testing.T) {
		req := validRequest(caps, image)
		remote, err := p.Submit(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		start := time.Now()
		_, err = p.Collect(ctx, req, remote, t.TempDir(), func(providers.Progress) {})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Collect with a cancelled context: %v, want an error wrapping context.Canceled", err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("Collect took %v to notice the cancellation", d)
		}
	})
}

func validRequest(caps providers.Capabilities, image string) providers.Request {
	req := providers.Request{Polycount: caps.Polycount.Min * 2}
	req.Polycount = caps.Polycount.Clamp(max(req.Polycount, 1000))
	for range caps.MinImages {
		req.Images = append(req.Images, providers.Image{Path: image})
	}
	return req
}

func refusals(t *testing.T, p providers.Provider, image string) {
	caps := p.Capabilities()
	dir := t.TempDir()
	notImage := filepath.Join(dir, "notes.png")
	if err := os.WriteFile(notImage, []byte("a shopping list"), 0o644); err != nil {
		t.Fatal(err)
	}
	bad := map[string]providers.Request{
		"no images":       {Polycount: caps.Polycount.Default},
		"polycount 0":     validRequest(caps, image),
		"polycount above": validRequest(caps, image),
		"not an image":    validRequest(caps, notImage),
		"too many images": validRequest(caps, image),
		"missing file":    validRequest(caps, filepath.Join(dir, "missing.png")),
	}
	r := bad["polycount 0"]
	r.Polycount = 0
	bad["polycount 0"] = r
	r = bad["polycount above"]
	r.Polycount = caps.Polycount.Max + 1
	bad["polycount above"] = r
	r = bad["too many images"]
	for len(r.Images) <= caps.MaxImages {
		r.Images = append(r.Images, providers.Image{Path: image})
	}
	bad["too many images"] = r
	for what, req := range bad {
		_, err := p.Submit(context.Background(), req)
		if !errors.Is(err, providers.ErrInvalidInput) {
			t.Errorf("%s: Submit returned %v, want an error wrapping ErrInvalidInput", what, err)
		}
	}
	_, err := p.Submit(context.Background(), bad["not an image"])
	if err == nil || !strings.Contains(err.Error(), "notes.png") {
		t.Errorf("the refusal of a non-image does not name the file: %v", err)
	}
}

func collect(t *testing.T, p providers.Provider, req providers.Request, remote providers.Remote, dir string) []providers.File {
	t.Helper()
	var (
		mu      sync.Mutex
		reports []providers.Progress
	)
	files, err := p.Collect(context.Background(), req, remote, dir, func(pr providers.Progress) {
		mu.Lock()
		reports = append(reports, pr)
		mu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("Collect returned no files")
	}
	for _, pr := range reports {
		if pr.Phase != providers.PhaseRunning && pr.Phase != providers.PhaseDownloading {
			t.Errorf("progress in unknown phase %q", pr.Phase)
		}
		if pr.Fraction > 1 {
			t.Errorf("progress fraction %v above 1", pr.Fraction)
		}
	}
	for _, f := range files {
		if filepath.IsAbs(f.Path) || strings.HasPrefix(filepath.Clean(f.Path), "..") {
			t.Errorf("file %q is not inside the directory", f.Path)
		}
		if _, err := os.Stat(filepath.Join(dir, f.Path)); err != nil {
			t.Errorf("file %q was not written: %v", f.Path, err)
		}
	}
	if files[0].Format != "glb" {
		t.Errorf("the first file is %q, want the glb model", files[0].Format)
	}
	if _, err := modeltest.Load(filepath.Join(dir, files[0].Path)); err != nil {
		t.Errorf("the model does not load: %v", err)
	}
	modeltest.Validate(t, filepath.Join(dir, files[0].Path))
	return files
}
