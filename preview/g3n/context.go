package g3n

import "unsafe"

// Context is an OpenGL 3.3 core context for the renderer's own thread. The renderer locks a
// goroutine to an OS thread and calls every method there: Attach first, Detach last. Keeping
// windowing out of this package (see the glfwctx sub-package for the one inside Fyne) lets
// `kiln render` and the tests run with EGL alone, no display.
//
// A Context whose Attach may wait on another thread may also have an Abort() method: the
// renderer's Close calls it first (from the closing goroutine), and Attach must then give up.
type Context interface {
	// Attach makes the context current on the calling thread, creating it if it needs to.
	Attach() error
	// ProcAddress returns the address of an OpenGL function, or nil; the context is current.
	ProcAddress(name string) unsafe.Pointer
	// Detach releases the context from the calling thread and frees what it holds. It must
	// not wait for another thread (the UI thread may be waiting for the renderer to stop).
	Detach()
}
