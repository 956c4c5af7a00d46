package g3n

/*
#include <stdint.h>

// The few GL calls g3n's gls does not wrap (framebuffer targets, multisampling, deletion,
// errors), called through addresses the Context gives: no GL library is linked here, and no
// C state is kept (g3n's own loader keeps its pointers in C globals; these stay per renderer).
typedef unsigned int GLenum;
typedef unsigned int GLuint;
typedef int GLint;
typedef int GLsizei;
typedef unsigned int GLbitfield;

static void kiln_enum_uint(void *f, GLenum a, GLuint b) { ((void (*)(GLenum, GLuint))f)(a, b); }
static void kiln_gen(void *f, GLuint *out) { ((void (*)(GLsizei, GLuint *))f)(1, out); }
static void kiln_delete(void *f, GLuint name) { ((void (*)(GLsizei, const GLuint *))f)(1, &name); }
static void kiln_storage_ms(void *f, GLsizei samples, GLenum format, GLsizei w, GLsizei h) {
	((void (*)(GLenum, GLsizei, GLenum, GLsizei, GLsizei))f)(0x8D41, samples, format, w, h);
}
static void kiln_attach(void *f, GLenum attachment, GLuint rb) {
	((void (*)(GLenum, GLenum, GLenum, GLuint))f)(0x8D40, attachment, 0x8D41, rb);
}
static GLenum kiln_status(void *f) { return ((GLenum (*)(GLenum))f)(0x8D40); }
static void kiln_blit(void *f, GLint w, GLint h) {
	((void (*)(GLint, GLint, GLint, GLint, GLint, GLint, GLint, GLint, GLbitfield, GLenum))f)(
		0, 0, w, h, 0, 0, w, h, 0x00004000, 0x2600);
}
static void kiln_read(void *f, GLint w, GLint h, void *pixels) {
	((void (*)(GLint, GLint, GLsizei, GLsizei, GLenum, GLenum, void *))f)(0, 0, w, h, 0x1908, 0x1401, pixels);
}
static GLenum kiln_error(void *f) { return ((GLenum (*)(void))f)(); }
static GLint kiln_get_int(void *f, GLenum name) {
	GLint v = 0;
	((void (*)(GLenum, GLint *))f)(name, &v);
	return v;
}
*/
import "C"

import (
	"fmt"
	"unsafe"
)

// GL enums used here.
const (
	glFramebuffer      = 0x8D40
	glReadFramebuffer  = 0x8CA8
	glDrawFramebuffer  = 0x8CA9
	glRenderbuffer     = 0x8D41
	glColorAttachment0 = 0x8CE0
	glDepthStencilAtt  = 0x821A
	glRGBA8            = 0x8058
	glDepth24Stencil8  = 0x88F0
	glMaxSamples       = 0x8D57
	glFramebufferOK    = 0x8CD5
)

// glExt holds the addresses of the GL functions this package calls itself.
type glExt struct {
	bindFramebuffer, bindRenderbuffer          unsafe.Pointer
	genFramebuffers, genRenderbuffers          unsafe.Pointer
	deleteFramebuffers, deleteRenderbuffers    unsafe.Pointer
	storageMultisample, framebufferRenderbuffe unsafe.Pointer
	checkStatus, blit, readPixels, getError    unsafe.Pointer
	getIntegerv                                unsafe.Pointer
}

func loadGLExt(c Context) (*glExt, error) {
	x := &glExt{}
	for name, p := range map[string]*unsafe.Pointer{
		"glBindFramebuffer":                &x.bindFramebuffer,
		"glBindRenderbuffer":               &x.bindRenderbuffer,
		"glGenFramebuffers":                &x.genFramebuffers,
		"glGenRenderbuffers":               &x.genRenderbuffers,
		"glDeleteFramebuffers":             &x.deleteFramebuffers,
		"glDeleteRenderbuffers":            &x.deleteRenderbuffers,
		"glRenderbufferStorageMultisample": &x.storageMultisample,
		"glFramebufferRenderbuffer":        &x.framebufferRenderbuffe,
		"glCheckFramebufferStatus":         &x.checkStatus,
		"glBlitFramebuffer":                &x.blit,
		"glReadPixels":                     &x.readPixels,
		"glGetError":                       &x.getError,
		"glGetIntegerv":                    &x.getIntegerv,
	} {
		if *p = c.ProcAddress(name); *p == nil {
			return nil, fmt.Errorf("g3n: the OpenGL driver has no %s", name)
		}
	}
	return x, nil
}

func (x *glExt) bindFB(target, fb uint32) {
	C.kiln_enum_uint(x.bindFramebuffer, C.GLenum(target), C.GLuint(fb))
}

func (x *glExt) bindRB(rb uint32) { C.kiln_enum_uint(x.bindRenderbuffer, glRenderbuffer, C.GLuint(rb)) }

func (x *glExt) genFB() uint32 {
	var n C.GLuint
	C.kiln_gen(x.genFramebuffers, &n)
	return uint32(n)
}

func (x *glExt) genRB() uint32 {
	var n C.GLuint
	C.kiln_gen(x.genRenderbuffers, &n)
	return uint32(n)
}

func (x *glExt) deleteFB(fb uint32) { C.kiln_delete(x.deleteFramebuffers, C.GLuint(fb)) }
func (x *glExt) deleteRB(rb uint32) { C.kiln_delete(x.deleteRenderbuffers, C.GLuint(rb)) }

// storage allocates the bound renderbuffer; samples 0 is a plain single-sample buffer.
func (x *glExt) storage(samples int, format uint32, w, h int) {
	C.kiln_storage_ms(x.storageMultisample, C.GLsizei(samples), C.GLenum(format), C.GLsizei(w), C.GLsizei(h))
}

func (x *glExt) attach(attachment, rb uint32) {
	C.kiln_attach(x.framebufferRenderbuffe, C.GLenum(attachment), C.GLuint(rb))
}

func (x *glExt) complete() bool { return C.kiln_status(x.checkStatus) == glFramebufferOK }

// resolve copies the colour of the bound read framebuffer to the bound draw framebuffer.
func (x *glExt) resolve(w, h int) { C.kiln_blit(x.blit, C.GLint(w), C.GLint(h)) }

// read copies the bound read framebuffer's w×h RGBA8 pixels, bottom row first, into pix.
func (x *glExt) read(w, h int, pix []byte) {
	C.kiln_read(x.readPixels, C.GLint(w), C.GLint(h), unsafe.Pointer(&pix[0]))
}

// lastError returns and clears the oldest GL error flag (0 when none).
func (x *glExt) lastError() uint32 { return uint32(C.kiln_error(x.getError)) }

func (x *glExt) maxSamples() int { return int(C.kiln_get_int(x.getIntegerv, glMaxSamples)) }
