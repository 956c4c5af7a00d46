package g3n

import (
	"fmt"
	"image"
	"math"
	"time"

	"github.com/g3n/engine/core"
	"github.com/g3n/engine/gls"

	"github.com/kiln3d/kiln/preview"
)

// maxSide bounds a frame's side, well under any driver's renderbuffer limit.
const maxSide = 8192

// maxSupersampled bounds a supersampled frame's pixels: its colour, its depth and the image
// read back are 64 MB each at 4096², where a 4096² picture supersampled twice would hold
// 768 MB and take llvmpipe seconds. Bigger pictures are drawn with less supersampling (a
// 4096² one with none: its pixels are small enough).
const maxSupersampled = 4096 * 4096

// engine is everything that lives on the render thread: the GL context's state, g3n's
// renderer, the framebuffer and the model on the GPU. Only the render goroutine touches it.
type engine struct {
	ctx    Context
	x      *glExt
	gs     *gls.GLS
	progs  *programs
	list   drawList
	target target
	look   frameLook
	root   *core.Node
	model  *model
	grid   *grid
	shader string      // the surfaces' current program
	env    *envTexture // the environment on the GPU, nil until a frame is lit by one
	// envFile is the View.EnvironmentFile env was made from, and envLooked when that file was
	// last looked at: an orbit asks for it every frame, the disk is asked about once a second.
	envFile   string
	envLooked time.Time
	scale     int        // supersampling factor, 1 for none
	moving    target     // frames drawn while the camera moves (View.Moving): no multisampling
	proxy     proxyState // a lighter stand-in for a heavy model while the camera moves
	heavy     bool       // the model draws over proxyAbove triangles
	// draft is a light model's View.Draft frame, kept for the full-quality frame of the same
	// view that follows it: for a light model the draft is drawn at full quality already.
	draft struct {
		v    preview.View // Draft cleared
		size image.Point
		img  *image.RGBA
	}
}

// newEngine attaches the context on the calling (locked) thread and compiles the shaders.
func newEngine(c Context, opt Options) (*engine, error) {
	warmEnvironment() // prefiltered on another core while the context starts
	if err := c.Attach(); err != nil {
		return nil, err
	}
	gs, err := gls.New()
	if err != nil {
		return nil, fmt.Errorf("g3n: load OpenGL: %w", err)
	}
	// g3n's error check calls exit(1) from C on any GL error: fine for finding bugs in
	// tests, not for an artist's session. Errors are read once per frame instead.
	gs.SetCheckErrors(opt.Debug)
	x, err := loadGLExt(c)
	if err != nil {
		return nil, err
	}
	e := &engine{ctx: c, x: x, gs: gs, progs: newPrograms(gs), root: core.NewNode(), shader: shaderSurface,
		scale: min(max(opt.Supersample, 1), 4)}
	e.target = target{x: x, samples: min(max(opt.Samples, 0), x.maxSamples())}
	e.progs.add(shaderSurface, programSource{gls.VERTEX_SHADER, surfaceVertex},
		programSource{gls.FRAGMENT_SHADER, surfaceFragment})
	e.progs.add(shaderWire, programSource{gls.VERTEX_SHADER, surfaceVertex},
		programSource{gls.GEOMETRY_SHADER, wireGeometry},
		programSource{gls.FRAGMENT_SHADER, "#define WIRE 1\n" + surfaceFragment})
	e.progs.add(shaderLine, programSource{gls.VERTEX_SHADER, lineVertex},
		programSource{gls.FRAGMENT_SHADER, lineFragment})
	// Compile the programs every frame needs now, while the caller parses the model.
	for _, name := range []string{shaderSurface, shaderLine} {
		if err := e.progs.use(name); err != nil {
			return nil, fmt.Errorf("g3n: %w", err)
		}
	}
	return e, e.glError("start")
}

// install makes s the drawn model, releasing the previous one's GPU objects.
func (e *engine) install(s *scene) {
	e.releaseProxy()
	if e.model != nil {
		e.root.Remove(e.model.root)
		e.model.release()
	}
	if e.grid != nil {
		e.root.Remove(e.grid.root)
		e.grid.release()
	}
	e.model = newModel(s, &e.look)
	e.model.setShader(e.shader)
	e.heavy = drawnTriangles(s.meshes, s.instances) > proxyAbove
	e.draft.img = nil
	e.grid = newGrid(s.lo, s.hi)
	e.root.Add(e.model.root)
	e.root.Add(e.grid.root)
}

// render draws one frame and reads it back.
func (e *engine) render(w, h int, v preview.View) (*image.RGBA, error) {
	if w <= 0 || h <= 0 || w > maxSide || h > maxSide {
		return nil, fmt.Errorf("g3n: cannot render a %d×%d frame", w, h)
	}
	asked, final := image.Pt(w, h), v
	final.Draft = false
	if d := &e.draft; d.img != nil {
		img := d.img
		d.img = nil
		if !v.Draft && !v.Moving && d.v == final && d.size == asked {
			return img, nil // the light model's draft was this very frame
		}
	}
	s, t := e.scale, &e.target
	var full image.Point // the size a moving frame drawn at half size is brought back to
	if v.Draft && !v.Moving && e.heavy {
		// The first still frame after a drag: the whole model at full size at once, without
		// multisampling (which costs llvmpipe more than the drawing); the full frame follows.
		s, t = 1, e.movingTarget()
	}
	if v.Moving {
		// The camera is being dragged: speed first (see proxy.go), full quality in the next
		// still frame.
		s, t = 1, e.movingTarget()
		if w*h > movingHalfAbove {
			full, w, h = image.Pt(w, h), (w+1)/2, (h+1)/2
		}
	}
	for s > 1 && (max(w, h)*s > maxSide || w*h*s*s > maxSupersampled) {
		s--
	}
	w, h = w*s, h*s
	if err := t.fit(w, h); err != nil {
		return nil, err
	}
	t.bind()
	gs := e.gs
	gs.Viewport(0, 0, int32(w), int32(h))
	if v.Transparent {
		gs.ClearColor(0, 0, 0, 0) // premultiplied: nothing there
	} else {
		bg := background(v.Background)
		gs.ClearColor(float32(bg[0])/255, float32(bg[1])/255, float32(bg[2])/255, 1)
	}
	gs.DepthMask(true)
	gs.Clear(gls.COLOR_BUFFER_BIT | gls.DEPTH_BUFFER_BIT | gls.STENCIL_BUFFER_BIT)

	if e.model != nil {
		centre, r := e.model.scene.sphere()
		cam := placeCamera(v, centre, r, w, h, e.grid.reach)
		if err := e.light(cam, v, w, h); err != nil {
			return nil, err
		}
		e.look.lineScale = float32(s)
		shader := shaderSurface
		if v.Mode == preview.Wireframe {
			shader = shaderWire
		}
		if shader != e.shader {
			e.model.setShader(shader)
			e.shader = shader
		}
		e.grid.root.SetVisible(v.Grid && !v.Transparent)
		e.grid.paint(v.Background, s)
		e.model.pose(v.Clip, v.Time)
		e.useProxy(v.Moving)
		if err := e.draw(e.root, cam); err != nil {
			return nil, fmt.Errorf("g3n: render: %w", err)
		}
	}
	img := t.image(!v.Transparent)
	if e.model != nil {
		// After the read back, which waits for the drawing to finish: making the proxy does
		// not compete with this frame's rasterising.
		e.startProxy()
		e.model.dropVertices()
	}
	if s > 1 {
		img = shrink(img, s)
	}
	if full.X > 0 {
		img = upscale2(img, full.X, full.Y)
	}
	if v.Draft && !v.Moving && !e.heavy {
		e.draft.v, e.draft.size, e.draft.img = final, asked, cloneRGBA(img)
	}
	return img, e.glError("render")
}

// cloneRGBA copies img: a frame handed to the caller is the caller's to keep (and change).
func cloneRGBA(img *image.RGBA) *image.RGBA {
	c := *img
	c.Pix = append([]uint8(nil), img.Pix...)
	return &c
}

// Exposure before View.Exposure: what makes a mid-grey matte surface read as mid-grey
// under each lighting.
const (
	studioExposure = 0.55
	envExposure    = 0.8
)

// light sets what a frame's surfaces share: the look (shaded, clay or a debug view), the
// tone mapping and exposure, and the lighting. The studio lights stay put relative to the
// viewer (key from the upper left, fill from the right, rim from behind), while the
// hemisphere's sky stays the world's up; the environment stays put in the world, so its
// reflections move as the camera orbits, as they would in an engine.
func (e *engine) light(cam *viewCamera, v preview.View, w, h int) error {
	l := &e.look
	l.look = lookOf(v.Mode)
	l.toneMap = int32(v.ToneMap)
	if v.ToneMap < preview.ACES || v.ToneMap > preview.Linear {
		l.toneMap = int32(preview.ACES)
	}
	exposure := v.Exposure
	if math.IsNaN(exposure) || math.IsInf(exposure, 0) {
		exposure = 0
	}
	exposure = min(max(exposure, -20), 20)
	l.lighting = 0
	base := envExposure
	if v.Light == preview.Studio {
		l.lighting, base = 1, studioExposure
	}
	l.exposure = float32(base * math.Exp2(exposure))
	l.key = normalize([3]float32{-0.55, 0.65, 0.55})
	l.fill = normalize([3]float32{0.8, 0.05, 0.45})
	l.rim = normalize([3]float32{0.15, 0.45, -0.9})
	l.up = cam.toCamera([3]float64{0, 1, 0})
	b := cam.basis
	l.viewToWorld = [9]float32{
		float32(b[0][0]), float32(b[0][1]), float32(b[0][2]),
		float32(b[1][0]), float32(b[1][1]), float32(b[1][2]),
		float32(b[2][0]), float32(b[2][1]), float32(b[2][2]),
	}
	l.viewport = [2]float32{float32(w), float32(h)}
	// The environment is read (and prefiltered, once per file) only for a lit look.
	if v.Light == preview.Environment && l.look <= lookClay &&
		(e.env == nil || v.EnvironmentFile != e.envFile || time.Since(e.envLooked) > envRecheck) {
		env, err := loadEnvironment(v.EnvironmentFile)
		if err != nil {
			return fmt.Errorf("g3n: %w", err)
		}
		if e.env == nil || e.env.env != env {
			e.env.release()
			e.env = newEnvTexture(e.gs, env)
		}
		e.envFile, e.envLooked = v.EnvironmentFile, time.Now()
	}
	l.env = e.env
	return nil
}

// envRecheck is how often a frame looks whether the environment's file was saved again.
const envRecheck = time.Second

// The shader's looks.
const (
	lookShaded = iota
	lookClay
	lookNormals
	lookUV
	lookBase
	lookRoughness
	lookMetallic
	lookOcclusion
)

// lookOf is the shader's look for a mode; wireframe is the shaded look with the wire
// program's lines over it.
func lookOf(m preview.Mode) int32 {
	switch m {
	case preview.Clay:
		return lookClay
	case preview.Normals:
		return lookNormals
	case preview.UVChecker:
		return lookUV
	case preview.BaseColour:
		return lookBase
	case preview.Roughness:
		return lookRoughness
	case preview.Metallic:
		return lookMetallic
	case preview.Occlusion:
		return lookOcclusion
	}
	return lookShaded
}

// background is the clear colour: sRGB bytes, written to the frame as they are.
func background(b preview.Background) [3]uint8 {
	if b == preview.Light {
		return [3]uint8{230, 230, 232}
	}
	return [3]uint8{41, 42, 46}
}

// glError reports the GL errors raised since the last check.
func (e *engine) glError(during string) error {
	var codes []uint32
	for c := e.x.lastError(); c != 0 && len(codes) < 8; c = e.x.lastError() {
		codes = append(codes, c)
	}
	if len(codes) == 0 {
		return nil
	}
	return fmt.Errorf("g3n: OpenGL error during %s: %#x", during, codes)
}

// stats counts the GPU objects alive: what a model switch must give back.
func (e *engine) stats() Stats {
	var s gls.Stats
	e.gs.Stats(&s)
	st := Stats{VAOs: s.Vaos, Buffers: s.Buffers, Textures: s.Textures, Programs: s.Shaders}
	if e.model != nil {
		st.Meshes = len(e.model.root.Children())
	}
	return st
}

// release frees the model, the grid and the framebuffer, on the render thread.
func (e *engine) release() {
	e.releaseProxy()
	if e.model != nil {
		e.model.release()
		e.model = nil
	}
	if e.grid != nil {
		e.grid.release()
		e.grid = nil
	}
	e.target.release()
	e.moving.release()
	e.env.release()
	e.env = nil
}
