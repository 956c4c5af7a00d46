package viewport

import (
	"context"
	"image"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/kiln3d/kiln/preview"
	"github.com/kiln3d/kiln/preview/inspect"
)

// fakeRenderer records what the viewport asks for and draws a plain frame, with no GL.
type fakeRenderer struct {
	mu      sync.Mutex
	views   []preview.View
	sizes   []image.Point
	loads   []string
	loadErr error
	report  *inspect.Report
	gate    chan struct{} // when set, each Render waits for a token from it
	started int           // Render calls begun, finished or not
	closed  bool
}

func (f *fakeRenderer) Load(ctx context.Context, path string) (*inspect.Report, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.loads = append(f.loads, path)
	return f.report, f.loadErr
}

func (f *fakeRenderer) Render(ctx context.Context, w, h int, v preview.View) (*image.RGBA, error) {
	f.mu.Lock()
	gate := f.gate
	f.started++
	f.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.views = append(f.views, v)
	f.sizes = append(f.sizes, image.Pt(w, h))
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = 200, 100, uint8(len(f.views)), 255
	}
	return img, nil
}

func (f *fakeRenderer) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
	return nil
}

func (f *fakeRenderer) rendered() []preview.View {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]preview.View(nil), f.views...)
}

// uiQueue stands in for Fyne's main thread. Fyne's test driver runs fyne.Do at once on the
// calling goroutine, which would put the frame loop inside the widget tree while the test
// drives it; here what the viewport posts runs when the test pumps, on the test goroutine,
// as the app's UI thread would run it between events.
type uiQueue struct {
	mu  sync.Mutex
	fns []func()
}

func (q *uiQueue) post(f func()) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.fns = append(q.fns, f)
}

// pump runs what has been posted.
func (q *uiQueue) pump() {
	q.mu.Lock()
	fns := q.fns
	q.fns = nil
	q.mu.Unlock()
	for _, f := range fns {
		f()
	}
}

// waitFor pumps the UI queue and polls cond for up to two seconds.
func (q *uiQueue) waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for q.pump(); !cond(); q.pump() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// give lets one gated Render through, pumping meanwhile (the loop waits for the UI
// thread to take a frame before it draws the next).
func (q *uiQueue) give(t *testing.T, gate chan struct{}) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for {
		select {
		case gate <- struct{}{}:
			return
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("no frame asked to be drawn")
		}
		q.pump()
		time.Sleep(time.Millisecond)
	}
}

// settle pumps until nothing new has been posted for a few frame intervals.
func (q *uiQueue) settle() {
	for quiet := 0; quiet < 5; {
		q.mu.Lock()
		n := len(q.fns)
		q.mu.Unlock()
		if n == 0 {
			quiet++
		} else {
			quiet = 0
		}
		q.pump()
		time.Sleep(frameInterval)
	}
}

// setup shows a viewport on a 200×200 test window.
func setup(t *testing.T, f *fakeRenderer) (*Viewport, fyne.Window, *uiQueue) {
	t.Helper()
	test.NewTempApp(t)
	q := &uiQueue{}
	v := newViewport(f, q.post)
	w := test.NewTempWindow(t, v)
	w.Resize(fyne.NewSize(200, 200))
	t.Cleanup(v.Close)
	return v, w, q
}
