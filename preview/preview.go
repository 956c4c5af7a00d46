// Package preview is the 3D viewport's contract: a Renderer that draws a model into images, and
// the View that says how to look at it. The g3n (OpenGL) renderer lives in preview/g3n, the Fyne
// widget in preview/viewport; both meet here, so that the widget tests with a fake renderer and
// the thumbnail cache and `kiln render` need no window.
package preview

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"

	"github.com/kiln3d/kiln/preview/inspect"
)

// Renderer draws one model at a time into images, off the UI thread.
//
// Every method is safe for concurrent use and may block for as long as the work takes (parsing
// a model, drawing a frame): call them from a goroutine of your own, never from the UI thread.
// The camera is not the renderer's state: each Render says how to look, so the newest request
// is simply the one that is drawn, and one renderer can serve several views.
type Renderer interface {
	// Load replaces the current model with the one at path (.glb, or .gltf with its files) and
	// returns what inspect measured. The file is checked before any GL work: a malformed or
	// unsupported model gets an error (an *inspect.Error when refused), never a crash, and the
	// previous model stays. A cancelled ctx stops parsing; once the model reaches the GPU thread
	// the swap completes even if ctx ends.
	Load(ctx context.Context, path string) (*inspect.Report, error)
	// Render draws the current model (or only the background and grid, before any Load) as a
	// w×h image seen as v says: opaque, unless v.Transparent. The image is the caller's to keep.
	Render(ctx context.Context, w, h int, v View) (*image.RGBA, error)
	// Close releases the model, the GPU resources and the renderer's thread. Later calls return
	// ErrClosed; Close itself may be called more than once.
	Close() error
}

// ErrClosed is returned by a Renderer used after Close.
var ErrClosed = errors.New("preview: the renderer is closed")

// Mode is how surfaces are drawn.
type Mode int

const (
	// Shaded draws materials, textures and vertex colours under the studio lights.
	Shaded Mode = iota
	// Clay draws every surface in one neutral matte grey: the form without its paint.
	Clay
	// Wireframe draws the triangle edges over the shaded model.
	Wireframe
	// The debug views an artist judges a mesh and its maps with, each unlit:
	// Normals shows the shading normal (normal map included) in world axes as colour
	// (x red, y green, z blue, mapped from −1…1 to 0…1).
	Normals
	// UVChecker draws a checker of numbered squares over UV set 0, to show stretching and seams.
	UVChecker
	// BaseColour shows the base colour (factor, texture, vertex colour) without light.
	BaseColour
	// Roughness, Metallic and Occlusion show that channel (factor times map) as grey.
	Roughness
	Metallic
	Occlusion
)

var modeNames = [...]string{"shaded", "clay", "wireframe", "normals", "uv", "basecolor", "roughness", "metallic", "occlusion"}

// Modes lists every mode, in the order a menu shows them.
func Modes() []Mode {
	out := make([]Mode, len(modeNames))
	for i := range out {
		out[i] = Mode(i)
	}
	return out
}

func (m Mode) String() string {
	if m >= 0 && int(m) < len(modeNames) {
		return modeNames[m]
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// ParseMode reads "shaded", "clay" or "wireframe".
func ParseMode(s string) (Mode, error) {
	for i, n := range modeNames {
		if s == n {
			return Mode(i), nil
		}
	}
	return 0, fmt.Errorf("unknown mode %q (want shaded, clay, wireframe, normals, uv, basecolor, roughness, metallic or occlusion)", s)
}

// Lighting is what lights a shaded model.
type Lighting int

const (
	// Environment lights with an image of the surroundings (image-based lighting): the studio
	// HDR Kiln ships, or the artist's own (View.EnvironmentFile).
	Environment Lighting = iota
	// Studio lights with three lights fixed to the camera (key, fill, rim) over a sky and
	// ground hemisphere.
	Studio
)

func (l Lighting) String() string {
	if l == Studio {
		return "studio"
	}
	return "environment"
}

// ParseLighting reads "environment" or "studio".
func ParseLighting(s string) (Lighting, error) {
	switch s {
	case "environment":
		return Environment, nil
	case "studio":
		return Studio, nil
	}
	return 0, fmt.Errorf("unknown lighting %q (want environment or studio)", s)
}

// ToneMap turns the lit scene's radiance into displayable colour.
type ToneMap int

const (
	// ACES is the filmic curve most engines default to: highlights roll off, colours saturate.
	ACES ToneMap = iota
	// Neutral is Khronos PBR Neutral: base colours come out as authored under a white light.
	Neutral
	// Linear only clips (what an engine without tone mapping shows).
	Linear
)

var toneMapNames = [...]string{"aces", "neutral", "linear"}

func (t ToneMap) String() string {
	if t >= 0 && int(t) < len(toneMapNames) {
		return toneMapNames[t]
	}
	return fmt.Sprintf("ToneMap(%d)", int(t))
}

// ParseToneMap reads "aces", "neutral" or "linear".
func ParseToneMap(s string) (ToneMap, error) {
	for i, n := range toneMapNames {
		if s == n {
			return ToneMap(i), nil
		}
	}
	return 0, fmt.Errorf("unknown tone mapping %q (want aces, neutral or linear)", s)
}

// Background is the colour behind the model.
type Background int

const (
	Dark Background = iota
	Light
)

func (b Background) String() string {
	if b == Light {
		return "light"
	}
	return "dark"
}

// Preset is a named camera position, by where the camera stands in glTF axes (+Y up, the
// model's front facing +Z): Front stands on +Z looking toward −Z, Back on −Z, Left on −X,
// Right on +X, Top on +Y looking down with −Z at the top of the image, and Iso at the
// three-quarter (isometric) position front-right and above.
type Preset string

const (
	Front Preset = "front"
	Back  Preset = "back"
	Left  Preset = "left"
	Right Preset = "right"
	Top   Preset = "top"
	Iso   Preset = "iso"
)

// Presets lists every preset, in the order a menu shows them.
func Presets() []Preset { return []Preset{Front, Back, Left, Right, Top, Iso} }

// ParsePreset reads a preset's name.
func ParsePreset(s string) (Preset, error) {
	for _, p := range Presets() {
		if string(p) == s {
			return p, nil
		}
	}
	return "", fmt.Errorf("unknown view %q (want front, back, left, right, top or iso)", s)
}

// Framing conventions shared by the renderer (which builds the camera) and the widget (which
// turns mouse movement into View changes).
const (
	// FrameFill is the part of the image's smaller side that the model's bounding sphere
	// fills at Zoom 0.
	FrameFill = 0.9
	// FieldOfView is the perspective camera's vertical angle, in radians (about 35°: a
	// slightly long lens distorts product shots less than a wide one).
	FieldOfView = 35 * math.Pi / 180
	// isoPitch is the true isometric elevation, atan(1/√2), about 35.26°.
	isoPitch = 0.6154797086703874
)

// View says how to look at the model: where the camera stands around it, how it draws.
// The zero View looks from the front, framed, in perspective, shaded on dark, without grid.
type View struct {
	// Yaw and Pitch place the camera around the model's centre, in radians: Yaw 0 is the
	// front (+Z), Yaw π/2 the right (+X); Pitch π/2 looks straight down from the top.
	Yaw, Pitch float64
	// Zoom is in doublings from the framed view: 1 is twice as close, −1 twice as far.
	Zoom float64
	// PanX and PanY move the point looked at across and up the image, in units of the
	// model's bounding-sphere radius.
	PanX, PanY float64
	// Ortho draws with a parallel (orthographic) projection, as the axis presets do.
	Ortho      bool
	Mode       Mode
	Background Background
	// Grid draws the ground grid on y = 0, its spacing chosen by GridScale.
	Grid bool

	// Light is what lights the Shaded mode; EnvironmentFile, an equirectangular Radiance
	// .hdr, replaces Kiln's own environment when not "". Exposure brightens in stops (+1 is
	// twice as bright) before ToneMap.
	Light           Lighting
	EnvironmentFile string
	Exposure        float64
	ToneMap         ToneMap
	// Transparent leaves the background (and the grid) out: those pixels have alpha 0.
	Transparent bool

	// Clip poses the model Time seconds into its animation number Clip−1, an index into
	// inspect.Report.Animations (skins, morph targets and node transforms); 0 shows the rest
	// pose the file gives. Time wraps around the clip's duration.
	Clip int
	Time float64

	// Moving says the camera is being dragged: the renderer may trade quality for speed (a
	// lighter proxy of a heavy model, no anti-aliasing) until a frame without it follows.
	Moving bool
	// Draft asks for the first still frame after a drag: the whole model at full size, but a
	// heavy one without anti-aliasing, so that the artist sees it at once; the same view
	// without Draft follows, anti-aliased (a light model's is the draft itself, kept).
	Draft bool
}

// SameCamera copies where c's camera stands (yaw, pitch, zoom, pan, projection) into v,
// keeping v's look: how side-by-side viewports share one camera.
func (v View) SameCamera(c View) View {
	v.Yaw, v.Pitch, v.Zoom, v.PanX, v.PanY, v.Ortho = c.Yaw, c.Pitch, c.Zoom, c.PanX, c.PanY, c.Ortho
	return v
}

// DefaultView is where the viewport starts and what Reset returns to: three-quarter from
// the front right and a little above, in perspective, with the grid.
func DefaultView() View {
	return View{Yaw: math.Pi / 6, Pitch: 0.35, Grid: true}
}

// WithPreset moves the camera to p, framed, in orthographic projection (so that axis views
// show true silhouettes); mode, background and grid are kept.
func (v View) WithPreset(p Preset) View {
	yaw, pitch := 0.0, 0.0
	switch p {
	case Back:
		yaw = math.Pi
	case Left:
		yaw = -math.Pi / 2
	case Right:
		yaw = math.Pi / 2
	case Top:
		pitch = math.Pi / 2
	case Iso:
		yaw, pitch = math.Pi/4, isoPitch
	}
	v.Yaw, v.Pitch, v.Zoom, v.PanX, v.PanY, v.Ortho = yaw, pitch, 0, 0, 0, true
	return v
}

// Reset returns to DefaultView's camera, keeping everything else: the mode, background,
// grid, lighting and the animation's pose.
func (v View) Reset() View { return v.SameCamera(DefaultView()) }

// Orbit turns the camera around the model by dyaw and dpitch radians, the pitch held within
// straight up and straight down. Orbiting leaves an axis view for perspective, as Blender's
// auto-perspective does: depth reads better once the view is no longer flat-on.
func (v View) Orbit(dyaw, dpitch float64) View {
	v.Yaw = math.Remainder(v.Yaw+dyaw, 2*math.Pi)
	v.Pitch = math.Max(-math.Pi/2, math.Min(math.Pi/2, v.Pitch+dpitch))
	v.Ortho = false
	return v
}

// Zoomed moves the camera factor times closer (factor > 1) or farther (factor < 1).
func (v View) Zoomed(factor float64) View {
	if factor > 0 {
		v.Zoom = math.Max(-6, math.Min(12, v.Zoom+math.Log2(factor)))
	}
	return v
}

// Panned moves the model across the image by dx, dy, given as fractions of the image's
// smaller side (right and down positive, as the mouse moves), so that the model follows it.
func (v View) Panned(dx, dy float64) View {
	// At Zoom 0 the smaller side spans 2/FrameFill radii.
	k := 2 / FrameFill * math.Exp2(-v.Zoom)
	v.PanX -= dx * k
	v.PanY += dy * k
	return v
}

// GridScale picks the ground grid's spacing for a model whose largest side is size metres:
// minor lines a tenth of the major ones, the major spacing the power of ten nearest the size
// (a 1.5 m chair gets 10 cm / 1 m, a 12 cm cup 1 cm / 10 cm).
func GridScale(size float64) (minor, major float64) {
	if !(size > 0) || math.IsInf(size, 0) {
		return 0.1, 1
	}
	major = math.Pow(10, math.Round(math.Log10(size)))
	return major / 10, major
}

// FormatLength writes a length in metres the way the grid caption shows it: "1 mm", "10 cm",
// "1 m", "10 m".
func FormatLength(m float64) string {
	switch {
	case m >= 1:
		return fmt.Sprintf("%g m", math.Round(m*1000)/1000)
	case m >= 0.01:
		return fmt.Sprintf("%g cm", math.Round(m*1e5)/1e3)
	default:
		return fmt.Sprintf("%g mm", math.Round(m*1e6)/1e3)
	}
}

// WritePNG writes img to path as a PNG atomically: into a temporary file beside it, then
// renamed over path, so that a reader (a file browser, the thumbnail cache) never sees half a
// file and a failure leaves any earlier file intact.
func WritePNG(path string, img image.Image) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("preview: write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(f.Name())
		}
	}()
	// CreateTemp makes the file private (0600); a picture is as readable as any other file.
	if err = f.Chmod(0o644); err != nil {
		return fmt.Errorf("preview: write %s: %w", path, err)
	}
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err = enc.Encode(f, img); err != nil {
		return fmt.Errorf("preview: encode %s: %w", path, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("preview: write %s: %w", path, err)
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("preview: write %s: %w", path, err)
	}
	return nil
}
