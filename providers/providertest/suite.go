package providertest

import (
	"context"
	"errors"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
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
		checkOptions(t, caps, caps.Options)
		for _, pr := range caps.PolycountRanges {
			if pr.Min < 1 || pr.Default < pr.Min || pr.Default > pr.Max || pr.Note == "" {
				t.Errorf("polycount range %+v: want 1 <= min <= default <= max, and a note saying when it applies", pr)
			}
			checkCondition(t, caps.Options, "a polycount range", pr.When)
		}
		if caps.Retexture != nil {
			if caps.Retexture.Title == "" {
				t.Error("texturing has no title")
			}
			checkOptions(t, caps, caps.Retexture.Options)
		}
		if caps.NeedsKey {
			if len(caps.KeyFields) == 0 {
				t.Error("the provider needs a key but lists no key fields")
			}
			if _, ok := p.(providers.Keyed); !ok {
				t.Error("the provider needs a key but does not implement providers.Keyed: the core cannot give each job its credential")
			}
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
	t.Run("Prompt", func(t *testing.T) {
		req := validRequest(caps, image)
		req.Images, req.Prompt = nil, "a small wooden stool with three legs"
		if !caps.Prompt {
			if _, err := p.Submit(context.Background(), req); !errors.Is(err, providers.ErrInvalidInput) {
				t.Errorf("a prompt to a provider without prompts: %v, want ErrInvalidInput", err)
			}
			return
		}
		// Text-to-3D: the prompt alone is a request.
		remote, err := p.Submit(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		collect(t, p, req, remote, t.TempDir())
	})
	if imp, ok := p.(providers.Importer); ok {
		t.Run("Importer", func(t *testing.T) { importer(t, p, imp, image) })
	}
	if e, ok := p.(providers.Endpointed); ok {
		t.Run("Endpoint", func(t *testing.T) { endpoint(t, e) })
	}
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
	req := providers.Request{}
	for range caps.MinImages {
		req.Images = append(req.Images, providers.Image{Path: image})
	}
	r := caps.PolycountFor(req)
	req.Polycount = r.Clamp(max(r.Min*2, 1000))
	return req
}

// checkOptions checks that options describe themselves: a key, a label, either choices or a
// number range, defaults among the choices, and conditions on options that exist.
func checkOptions(t *testing.T, caps providers.Capabilities, options []providers.Option) {
	t.Helper()
	seen := map[string]bool{}
	for _, o := range options {
		if o.Key == "" || o.Label == "" || seen[o.Key] {
			t.Errorf("option %+v: want a unique key and a label", o)
		}
		seen[o.Key] = true
		if (len(o.Choices) == 0) == (o.Number == nil) {
			t.Errorf("option %s: want either choices or a number range", o.Key)
		}
		if o.Number != nil && o.Number.Min > o.Number.Max {
			t.Errorf("option %s: number range %+v", o.Key, *o.Number)
		}
		for _, d := range o.Defaults {
			if o.Check(d.Value) != nil {
				t.Errorf("option %s: default %q is not allowed", o.Key, d.Value)
			}
			checkCondition(t, options, "option "+o.Key+"'s default", d.When)
		}
		checkCondition(t, options, "option "+o.Key, o.When)
	}
}

func checkCondition(t *testing.T, options []providers.Option, what string, c providers.Condition) {
	t.Helper()
	for key, values := range c {
		i := slices.IndexFunc(options, func(o providers.Option) bool { return o.Key == key })
		if i < 0 {
			t.Errorf("%s depends on an option %q that does not exist", what, key)
			continue
		}
		for _, v := range values {
			if options[i].Check(v) != nil {
				t.Errorf("%s depends on %s=%q, which is not allowed", what, key, v)
			}
		}
	}
}

// importer checks that work submitted through the provider shows in the account's list and can be
// downloaded from it.
func importer(t *testing.T, p providers.Provider, imp providers.Importer, image string) {
	req := validRequest(p.Capabilities(), image)
	remote, err := p.Submit(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	collect(t, p, req, remote, t.TempDir()) // waits until it is done
	list, err := imp.ListRemote(context.Background(), time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(list, func(a providers.RemoteAsset) bool { return a.ID == remote.ID })
	if i < 0 {
		t.Fatalf("the submitted work %s is not in the account's list of %d", remote.ID, len(list))
	}
	if !list[i].Ready || list[i].Name == "" || list[i].Created.IsZero() {
		t.Errorf("the finished work is listed as %+v: want it ready, named and dated", list[i])
	}
	dir := t.TempDir()
	files, err := imp.Download(context.Background(), remote.ID, dir, func(providers.Progress) {})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 || files[0].Format != "glb" {
		t.Fatalf("Download returned %+v, want the glb model first", files)
	}
	modeltest.Validate(t, filepath.Join(dir, files[0].Path))
}

// endpoint checks that the address can be changed safely: plain http only on loopback, the
// default restored by "", and a refused address leaves the old one in place.
func endpoint(t *testing.T, e providers.Endpointed) {
	old := e.Endpoint()
	t.Cleanup(func() {
		if err := e.SetEndpoint(old); err != nil {
			t.Errorf("restore the endpoint %s: %v", old, err)
		}
	})
	// A cloud service's default is https; a self-hosted one's (Kiln's own server) may be plain
	// http on this computer.
	if d, err := url.Parse(e.DefaultEndpoint()); err != nil || (d.Scheme != "https" && (d.Scheme != "http" || !loopback(d.Hostname()))) {
		t.Errorf("the default address %q uses neither https nor plain http on loopback", e.DefaultEndpoint())
	}
	for _, bad := range []string{"http://api.example.com", "ftp://127.0.0.1", "not a url", "https://"} {
		if err := e.SetEndpoint(bad); err == nil {
			t.Errorf("SetEndpoint(%q) was accepted", bad)
		}
		if e.Endpoint() != old {
			t.Errorf("a refused address changed the endpoint to %q", e.Endpoint())
		}
	}
	if err := e.SetEndpoint("http://127.0.0.1:9"); err != nil {
		t.Errorf("plain http on loopback (a local fake) was refused: %v", err)
	}
	if err := e.SetEndpoint(""); err != nil || e.Endpoint() != e.DefaultEndpoint() {
		t.Errorf("SetEndpoint(\"\") gave %q, %v; want the default %q", e.Endpoint(), err, e.DefaultEndpoint())
	}
}

// loopback reports whether host names this computer.
func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// RunKeyTest checks a providers.KeyTester: good is a working credential, wrong one the service
// refuses. The refusal wraps ErrUnauthorized, a cancelled test returns at once, and no error
// shows the secrets.
func RunKeyTest(t *testing.T, kt providers.KeyTester, good, wrong providers.Secrets) {
	ctx := context.Background()
	if err := kt.TestKey(ctx, good); err != nil {
		t.Errorf("a working key: %v", err)
	}
	err := kt.TestKey(ctx, wrong)
	if !errors.Is(err, providers.ErrUnauthorized) {
		t.Errorf("a wrong key: %v, want an error wrapping ErrUnauthorized", err)
	}
	if err != nil {
		fields, _ := wrong.Fields(ctx)
		for _, v := range fields {
			if len(v) >= 8 && strings.Contains(err.Error(), v) {
				t.Errorf("the refusal shows the key: %v", err)
			}
		}
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := kt.TestKey(cctx, good); !errors.Is(err, context.Canceled) {
		t.Errorf("a cancelled key test: %v, want an error wrapping context.Canceled", err)
	}
}

func refusals(t *testing.T, p providers.Provider, image string) {
	caps := p.Capabilities()
	dir := t.TempDir()
	notImage := filepath.Join(dir, "notes.png")
	if err := os.WriteFile(notImage, []byte("a shopping list"), 0o644); err != nil {
		t.Fatal(err)
	}
	bad := map[string]providers.Request{
		"no images":       {Polycount: validRequest(caps, image).Polycount},
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
	r.Polycount = caps.PolycountFor(r).Max + 1
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
