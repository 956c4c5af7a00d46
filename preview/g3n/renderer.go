// Package g3n is the preview's OpenGL renderer, built on the g3n engine: the only package
// of Kiln that touches OpenGL. It draws one model at a time into an offscreen framebuffer
// and returns frames as images, for the viewport widget, `kiln render` and thumbnails.
//
// All GL work happens on one goroutine locked to its OS thread, where the context stays
// current; the Renderer's methods send requests there and are safe from any goroutine.
package g3n

import (
	"context"
	"fmt"
	"image"
	"runtime"
	"sync"

	"github.com/kiln3d/kiln/preview"
	"github.com/kiln3d/kiln/preview/inspect"
)

// Options tune a Renderer.
type Options struct {
	// Samples is the multisampling (anti-aliasing) level, e.g. 4; 0 draws aliased edges,
	// which is cheaper on a CPU rasteriser. It is capped at what the driver offers.
	Samples int
	// Supersample draws frames this many times larger each way and averages them down: 2
	// gives 4 samples per pixel. It is the anti-aliasing for one-shot renders: multisampling
	// costs a fresh llvmpipe context about 0.1 s of shader compiling in its first frame,
	// supersampling only fill, which is cheap at 512 px. 0 and 1 mean none.
	Supersample int
	// Debug checks every GL call. g3n then ends the process on the first GL error, from
	// C: for tests, never for the app.
	Debug bool
}

// Stats counts what the renderer holds on the GPU, to show that switching models gives
// everything back.
type Stats struct {
	VAOs, Buffers, Textures int // live GL objects, as g3n counts its own
	Programs                int // compiled shader programs
	Meshes                  int // drawn mesh instances of the current model
}

// Renderer draws models with g3n. It implements preview.Renderer.
type Renderer struct {
	ctx       Context
	calls     chan func(*engine)
	quit      chan struct{}
	done      chan struct{}
	ready     chan struct{} // closed once the context is up, or has failed (startErr)
	startErr  error
	closeOnce sync.Once
}

var _ preview.Renderer = (*Renderer)(nil)

// New starts a renderer drawing with c, which it attaches on its own thread; it returns
// once the context is current and the shaders are compiled (about 0.1 s on llvmpipe).
func New(c Context, opt Options) (*Renderer, error) {
	r := Start(c, opt)
	<-r.ready
	if r.startErr != nil {
		<-r.done
		return nil, r.startErr
	}
	return r, nil
}

// Start is New without the wait, for the UI thread: the renderer gets ready in the
// background, calls wait for it, and a failure to start is what they return.
func Start(c Context, opt Options) *Renderer {
	r := &Renderer{ctx: c, calls: make(chan func(*engine)), quit: make(chan struct{}),
		done: make(chan struct{}), ready: make(chan struct{})}
	go r.run(c, opt)
	return r
}

// NewHeadless starts a renderer on a surfaceless EGL context: no display needed.
func NewHeadless(opt Options) (*Renderer, error) { return New(NewEGL(), opt) }

// run is the render goroutine: it owns the OS thread and the GL context until Close.
func (r *Renderer) run(c Context, opt Options) {
	// Never unlocked: a thread that held a GL context is let die with the goroutine rather
	// than handed back to the scheduler.
	runtime.LockOSThread()
	defer close(r.done)
	e, err := safeNewEngine(c, opt)
	r.startErr = err
	close(r.ready)
	if err != nil {
		c.Detach()
		return
	}
	defer func() {
		e.release()
		c.Detach()
	}()
	for {
		select {
		case f := <-r.calls:
			f(e)
		case <-r.quit:
			return
		}
	}
}

func safeNewEngine(c Context, opt Options) (e *engine, err error) {
	defer func() {
		if p := recover(); p != nil {
			e, err = nil, fmt.Errorf("g3n: start the renderer: %v", p)
		}
	}()
	return newEngine(c, opt)
}

// do runs f on the render thread and waits for it. A panic in g3n becomes an error.
func (r *Renderer) do(ctx context.Context, f func(*engine) error) error {
	errc := make(chan error, 1)
	call := func(e *engine) {
		defer func() {
			if p := recover(); p != nil {
				errc <- fmt.Errorf("g3n: %v", p)
			}
		}()
		errc <- f(e)
	}
	select {
	case <-r.ready:
		if r.startErr != nil {
			return r.startErr
		}
	case <-r.quit:
		return preview.ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case r.calls <- call:
	case <-r.quit:
		return preview.ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	// Once taken, a call runs to the end even if ctx ends; its result is dropped then.
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Load implements preview.Renderer: the model is checked and parsed on the calling
// goroutine, and only the swap happens on the render thread.
func (r *Renderer) Load(ctx context.Context, path string) (*inspect.Report, error) {
	if r.closed() {
		return nil, preview.ErrClosed
	}
	s, err := loadScene(ctx, path)
	if err != nil {
		return nil, err
	}
	// A model loaded to be looked around gets a proxy to orbit with, if it is heavy.
	if err := r.do(ctx, func(e *engine) error { e.install(s); e.proxy.wanted = true; return nil }); err != nil {
		return nil, err
	}
	return s.report, nil
}

// Render implements preview.Renderer.
func (r *Renderer) Render(ctx context.Context, w, h int, v preview.View) (*image.RGBA, error) {
	var img *image.RGBA
	err := r.do(ctx, func(e *engine) (err error) {
		img, err = e.render(w, h, v)
		return err
	})
	return img, err
}

// Stats reports the GPU objects the renderer holds now.
func (r *Renderer) Stats(ctx context.Context) (Stats, error) {
	var s Stats
	err := r.do(ctx, func(e *engine) error { s = e.stats(); return nil })
	return s, err
}

// Close implements preview.Renderer: it stops the render thread after the request in
// progress, releases the GPU objects and detaches the context, and waits for all that.
func (r *Renderer) Close() error {
	r.closeOnce.Do(func() {
		close(r.quit)
		if a, ok := r.ctx.(aborter); ok {
			a.Abort()
		}
	})
	<-r.done
	return nil
}

// aborter is a Context whose Attach may wait on another thread (glfwctx's waits for the UI
// thread): Close calls Abort first, so that Attach gives up instead of waiting on a UI
// thread that is itself waiting for Close.
type aborter interface{ Abort() }

func (r *Renderer) closed() bool {
	select {
	case <-r.quit:
		return true
	default:
		return false
	}
}
