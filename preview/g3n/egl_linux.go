package g3n

/*
#cgo LDFLAGS: -lEGL
#include <stdlib.h>
#include <string.h>
#include <EGL/egl.h>
#include <EGL/eglext.h>

// kiln_egl_display prefers Mesa's surfaceless platform: no X server, no GPU device needed.
static EGLDisplay kiln_egl_display(void) {
	const char *ext = eglQueryString(EGL_NO_DISPLAY, EGL_EXTENSIONS);
	if (ext != NULL && strstr(ext, "EGL_MESA_platform_surfaceless") != NULL) {
		PFNEGLGETPLATFORMDISPLAYEXTPROC get =
			(PFNEGLGETPLATFORMDISPLAYEXTPROC)eglGetProcAddress("eglGetPlatformDisplayEXT");
		if (get != NULL) {
			EGLDisplay d = get(EGL_PLATFORM_SURFACELESS_MESA, EGL_DEFAULT_DISPLAY, NULL);
			if (d != EGL_NO_DISPLAY) {
				return d;
			}
		}
	}
	return eglGetDisplay(EGL_DEFAULT_DISPLAY);
}

// kiln_egl_create initialises d and makes a GL 3.3 core context current, with no surface when
// the display allows it (EGL_KHR_surfaceless_context), else with a 16x16 pbuffer: the renderer
// draws into its own framebuffer either way. It returns the step that failed, or 0.
static int kiln_egl_create(EGLDisplay d, EGLContext *ctx, EGLSurface *surf) {
	*ctx = EGL_NO_CONTEXT;
	*surf = EGL_NO_SURFACE;
	EGLint major, minor;
	if (!eglInitialize(d, &major, &minor)) {
		return 1;
	}
	if (!eglBindAPI(EGL_OPENGL_API)) {
		return 2;
	}
	const char *ext = eglQueryString(d, EGL_EXTENSIONS);
	int surfaceless = ext != NULL && strstr(ext, "EGL_KHR_surfaceless_context") != NULL;
	EGLint cfgAttr[] = {
		EGL_SURFACE_TYPE, EGL_PBUFFER_BIT,
		EGL_RENDERABLE_TYPE, EGL_OPENGL_BIT,
		EGL_RED_SIZE, 8, EGL_GREEN_SIZE, 8, EGL_BLUE_SIZE, 8,
		EGL_NONE,
	};
	EGLConfig cfg;
	EGLint n = 0;
	if (!eglChooseConfig(d, cfgAttr, &cfg, 1, &n) || n < 1) {
		return 3;
	}
	EGLint ctxAttr[] = {
		EGL_CONTEXT_MAJOR_VERSION, 3,
		EGL_CONTEXT_MINOR_VERSION, 3,
		EGL_CONTEXT_OPENGL_PROFILE_MASK, EGL_CONTEXT_OPENGL_CORE_PROFILE_BIT,
		EGL_NONE,
	};
	*ctx = eglCreateContext(d, cfg, EGL_NO_CONTEXT, ctxAttr);
	if (*ctx == EGL_NO_CONTEXT) {
		return 4;
	}
	if (!surfaceless) {
		EGLint pb[] = {EGL_WIDTH, 16, EGL_HEIGHT, 16, EGL_NONE};
		*surf = eglCreatePbufferSurface(d, cfg, pb);
		if (*surf == EGL_NO_SURFACE) {
			return 5;
		}
	}
	if (!eglMakeCurrent(d, *surf, *surf, *ctx)) {
		return 6;
	}
	return 0;
}

static void kiln_egl_destroy(EGLDisplay d, EGLContext ctx, EGLSurface surf) {
	eglMakeCurrent(d, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
	if (ctx != EGL_NO_CONTEXT) {
		eglDestroyContext(d, ctx);
	}
	if (surf != EGL_NO_SURFACE) {
		eglDestroySurface(d, surf);
	}
	eglReleaseThread();
}
*/
import "C"

import (
	"fmt"
	"unsafe"
)

// EGL is a headless OpenGL context from Mesa's surfaceless EGL platform: it needs no X server
// and no GPU (llvmpipe draws on the CPU). It is what `kiln render`, thumbnails and the tests use.
type EGL struct {
	display C.EGLDisplay
	context C.EGLContext
	surface C.EGLSurface
}

// NewEGL returns a headless context; it is created on the renderer's thread, by Attach.
func NewEGL() *EGL { return &EGL{} }

var eglSteps = [...]string{1: "initialise the display", 2: "bind the OpenGL API",
	3: "find an RGBA8 OpenGL config", 4: "create a GL 3.3 core context",
	5: "create a pbuffer", 6: "make the context current"}

// Attach implements Context.
func (e *EGL) Attach() error {
	if e.context != nil {
		if C.eglMakeCurrent(e.display, e.surface, e.surface, e.context) == C.EGL_FALSE {
			return fmt.Errorf("g3n: EGL: make the context current: error 0x%x", int(C.eglGetError()))
		}
		return nil
	}
	e.display = C.kiln_egl_display()
	if e.display == 0 {
		return fmt.Errorf("g3n: EGL: no display (is Mesa's libEGL installed?)")
	}
	if step := C.kiln_egl_create(e.display, &e.context, &e.surface); step != 0 {
		code := int(C.eglGetError())
		C.kiln_egl_destroy(e.display, e.context, e.surface)
		e.context, e.surface = nil, nil
		return fmt.Errorf("g3n: EGL: %s: error 0x%x", eglSteps[step], code)
	}
	return nil
}

// ProcAddress implements Context.
func (e *EGL) ProcAddress(name string) unsafe.Pointer {
	cs := C.CString(name)
	defer C.free(unsafe.Pointer(cs))
	return unsafe.Pointer(C.eglGetProcAddress(cs))
}

// Detach implements Context. The display is left initialised on purpose: eglTerminate would
// end every other renderer's context on the same display in this process (the viewport's and
// the thumbnailer's share Mesa's one surfaceless display), and an initialised display costs
// next to nothing.
func (e *EGL) Detach() {
	if e.display == 0 {
		return
	}
	C.kiln_egl_destroy(e.display, e.context, e.surface)
	e.context, e.surface = nil, nil
}
