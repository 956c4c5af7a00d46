//go:build !linux

package g3n

import (
	"errors"
	"unsafe"
)

// EGL is the headless context; outside Linux (Mesa) it is not available.
type EGL struct{}

// NewEGL returns a context whose Attach fails: headless rendering needs Mesa's EGL.
func NewEGL() *EGL { return &EGL{} }

// Attach implements Context.
func (*EGL) Attach() error {
	return errors.New("g3n: headless rendering needs EGL (Mesa on Linux)")
}

// ProcAddress implements Context.
func (*EGL) ProcAddress(string) unsafe.Pointer { return nil }

// Detach implements Context.
func (*EGL) Detach() {}
