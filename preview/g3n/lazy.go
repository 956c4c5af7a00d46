package g3n

import (
	"context"
	"sync"
)

// Lazy is a headless renderer started on first use, for work a process may never need (model
// thumbnails): the GL context and shaders cost nothing until then, and one renderer then serves
// every picture.
type Lazy struct {
	opts Options
	once sync.Once
	mu   sync.Mutex
	r    *Renderer
	err  error
}

// NewLazy returns a headless renderer that starts with the first RenderFile.
func NewLazy(opts Options) *Lazy { return &Lazy{opts: opts} }

// RenderFile renders the model at path into a PNG at out, as Renderer.RenderFile does.
func (l *Lazy) RenderFile(ctx context.Context, path, out string, opts RenderOptions) error {
	l.once.Do(func() {
		r, err := NewHeadless(l.opts)
		l.mu.Lock()
		l.r, l.err = r, err
		l.mu.Unlock()
	})
	l.mu.Lock()
	r, err := l.r, l.err
	l.mu.Unlock()
	if err != nil {
		return err
	}
	return r.RenderFile(ctx, path, out, opts)
}

// Close releases the renderer, if it ever started.
func (l *Lazy) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.r == nil {
		return nil
	}
	return l.r.Close()
}
