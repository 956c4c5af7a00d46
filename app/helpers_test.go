package app

import (
	"context"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/providertest"
)

// writePNG writes a small opaque-disc-on-transparent PNG and returns its path.
func writePNG(t testing.TB, dir, name string) string {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 32, 32))
	for y := range 32 {
		for x := range 32 {
			if (x-16)*(x-16)+(y-16)*(y-16) < 100 {
				img.Set(x, y, color.NRGBA{200, 80, 40, 255})
			}
		}
	}
	path := filepath.Join(dir, name)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	return path
}

// openKiln opens a Kiln on home with the given fake providers.
func openKiln(t testing.TB, home string, opts QueueOptions, fakes ...*providertest.Fake) *Kiln {
	t.Helper()
	ps := make([]providers.Provider, len(fakes))
	for i, f := range fakes {
		ps[i] = f
	}
	reg, err := providers.NewRegistry(ps...)
	if err != nil {
		t.Fatal(err)
	}
	k, err := Open(Options{Home: home, Providers: reg, Queue: opts})
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// recorder keeps every event a queue emits.
type recorder struct {
	mu     sync.Mutex
	events []Job
}

func (r *recorder) add(e Event) {
	r.mu.Lock()
	r.events = append(r.events, e.Job)
	r.mu.Unlock()
}

func (r *recorder) states(id string) []State {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []State
	for _, j := range r.events {
		if j.ID == id && (len(out) == 0 || out[len(out)-1] != j.State) {
			out = append(out, j.State)
		}
	}
	return out
}

// waitFor polls until cond holds or fails t after a generous deadline.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func wait(t testing.TB, k *Kiln, id string) Job {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	j, err := k.Jobs.Wait(ctx, id)
	if err != nil {
		t.Fatalf("wait for job %s: %v", id, err)
	}
	return j
}

func request(paths ...string) providers.Request {
	req := providers.Request{Polycount: 1000}
	for _, p := range paths {
		req.Images = append(req.Images, providers.Image{Path: p})
	}
	return req
}

func timeNowPlus(hours int) time.Time { return time.Now().Add(time.Duration(hours) * time.Hour) }

func mustRegistry(t testing.TB, ps ...providers.Provider) *providers.Registry {
	t.Helper()
	reg, err := providers.NewRegistry(ps...)
	if err != nil {
		t.Fatal(err)
	}
	return reg
}
