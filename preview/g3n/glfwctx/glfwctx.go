// Package glfwctx gives the g3n renderer an OpenGL context inside a running Fyne app: a
// hidden 16×16 GLFW window of its own, sharing nothing with Fyne's windows. Fyne owns GLFW
// and the main thread, so the window is made and destroyed there (through fyne.Do); the
// renderer makes its context current on its own thread, which GLFW allows.
package glfwctx

import (
	"errors"
	"fmt"
	"sync"
	"unsafe"

	"fyne.io/fyne/v2"
	"github.com/go-gl/glfw/v3.3/glfw"
)

// Context is a hidden GLFW window's OpenGL 3.3 core context. It implements g3n.Context.
type Context struct {
	window    *glfw.Window // set once Attach has it made; used on the render thread after
	abort     chan struct{}
	abortOnce sync.Once
}

var errAborted = errors.New("glfwctx: the renderer closed before its GL window was made")

// New returns a context whose window is made when the renderer first attaches it: on
// Fyne's main thread, as soon as the app runs. New itself does nothing with GLFW, so it may
// be called before the app runs, as long as the app exists (fyne.Do needs it):
//
//	a := app.New()
//	r := g3n.Start(glfwctx.New(), g3n.Options{Samples: 4})
func New() *Context { return &Context{abort: make(chan struct{})} }

// Attach implements g3n.Context, on the renderer's thread: it has the window made on the
// main thread, waits for it, and makes its context current here.
func (c *Context) Attach() (err error) {
	if c.window == nil {
		if fyne.CurrentApp() == nil {
			return errors.New("glfwctx: no Fyne app: make it (app.New) before starting the renderer")
		}
		made := make(chan result, 1)
		fyne.Do(func() {
			select {
			case <-c.abort:
				made <- result{err: errAborted}
				return
			default:
			}
			w, err := hiddenWindow()
			made <- result{w, err}
		})
		select {
		case r := <-made:
			if r.err != nil {
				return r.err
			}
			c.window = r.window
		case <-c.abort:
			go func() { // made late: destroy it when it comes
				if r := <-made; r.window != nil {
					fyne.Do(func() { destroy(r.window) })
				}
			}()
			return errAborted
		}
	}
	defer func() {
		if p := recover(); p != nil { // go-gl/glfw panics on GLFW errors
			err = fmt.Errorf("glfwctx: make the preview's GL context current: %v", p)
		}
	}()
	c.window.MakeContextCurrent()
	return nil
}

type result struct {
	window *glfw.Window
	err    error
}

// hiddenWindow makes the window; it runs on Fyne's main thread, GLFW being up.
func hiddenWindow() (w *glfw.Window, err error) {
	defer func() {
		if p := recover(); p != nil {
			w, err = nil, fmt.Errorf("glfwctx: cannot make the preview's GL window: %v", p)
		}
	}()
	// Hints are global GLFW state that Fyne's own windows read too: start from the defaults
	// and leave the defaults behind, or Fyne's next window inherits a core profile and fails
	// ("Context profiles are only defined for OpenGL version 3.2 and above").
	glfw.DefaultWindowHints()
	defer glfw.DefaultWindowHints()
	glfw.WindowHint(glfw.Visible, glfw.False)
	glfw.WindowHint(glfw.Focused, glfw.False)
	glfw.WindowHint(glfw.FocusOnShow, glfw.False)
	glfw.WindowHint(glfw.Resizable, glfw.False)
	glfw.WindowHint(glfw.Decorated, glfw.False)
	glfw.WindowHint(glfw.ContextVersionMajor, 3)
	glfw.WindowHint(glfw.ContextVersionMinor, 3)
	glfw.WindowHint(glfw.OpenGLProfile, glfw.OpenGLCoreProfile)
	glfw.WindowHint(glfw.OpenGLForwardCompatible, glfw.True)
	w, err = glfw.CreateWindow(16, 16, "Kiln preview", nil, nil)
	if err != nil {
		return nil, fmt.Errorf("glfwctx: cannot make the preview's GL window: %w", err)
	}
	return w, nil
}

// ProcAddress implements g3n.Context.
func (c *Context) ProcAddress(name string) unsafe.Pointer { return glfw.GetProcAddress(name) }

// Detach implements g3n.Context: it releases the context on the renderer's thread and has
// the window destroyed on the main thread without waiting (the UI thread may be the one
// waiting for the renderer to stop). After the app has quit GLFW has destroyed every
// window itself, and both steps are no-ops.
func (c *Context) Detach() {
	if c.window == nil {
		return
	}
	func() {
		defer func() { _ = recover() }() // GLFW already terminated: nothing is current
		glfw.DetachCurrentContext()
	}()
	w := c.window
	c.window = nil
	fyne.Do(func() { destroy(w) })
}

// Abort is called by the renderer's Close before it waits: an Attach still waiting for the
// main thread gives up, so that closing from the UI thread cannot wait for itself.
func (c *Context) Abort() { c.abortOnce.Do(func() { close(c.abort) }) }

func destroy(w *glfw.Window) {
	defer func() { _ = recover() }() // GLFW terminated meanwhile: the window is gone
	w.Destroy()
}
