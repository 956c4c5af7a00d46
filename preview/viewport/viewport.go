// Package viewport is the Fyne widget that shows a 3D model: frames from a preview.Renderer
// in a canvas.Image, turned, zoomed and panned with the mouse. It never calls OpenGL itself
// (the renderer does, on its own thread), so it tests headless with a fake renderer.
package viewport

import (
	"context"
	"errors"
	"image"
	"image/color"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/kiln3d/kiln/preview"
	"github.com/kiln3d/kiln/preview/inspect"
)

// Viewport shows one model and lets the artist look around it: drag to orbit, scroll to
// zoom, right-drag, middle-drag or shift-drag to pan, double-click to reset.
//
// Its methods are for the UI thread and return at once: loading and drawing happen on
// goroutines of the viewport's own, and their results come back through fyne.Do.
type Viewport struct {
	widget.BaseWidget

	// OnReport receives what inspect measured of each model that loads, on the UI thread.
	OnReport func(*inspect.Report)
	// OnError receives load and render failures, on the UI thread.
	OnError func(error)
	// OnReloaded receives the outcome of each reload a Watch made, on the UI thread: the new
	// report, or why the changed file was refused (the last good model stays on screen).
	OnReloaded func(*inspect.Report, error)
	// OnTime receives the animation's time as playback moves it, and whether it still plays
	// (a clip that does not loop stops at its end), on the UI thread.
	OnTime func(t float64, playing bool)
	// OnCameraMoved receives the view each time the artist moves the camera with the mouse
	// (orbit, pan, zoom, reset), and once more when a drag ends (View.Moving false), on the UI
	// thread: how viewports side by side follow one another (SetCamera). Camera changes made
	// by calling the viewport are not reported.
	OnCameraMoved func(preview.View)

	r preview.Renderer
	// onUI runs a function on the UI thread: fyne.Do, or the tests' stand-in for it.
	onUI func(func())

	// mu guards the state below: input events change it on the UI thread, the frame loop
	// reads it on its own goroutine.
	mu         sync.Mutex
	view       preview.View
	pixels     image.Point // the frame size the widget shows, in device pixels
	frame      *image.RGBA // the newest frame on screen
	caption    string      // the grid's scale, once a model is loaded
	notes      []note      // load results for the UI thread, delivered with the next frame
	loadCancel context.CancelFunc
	loadSeq    int
	drag       dragState
	// draft says the next frame is the draft of a still one (View.Draft), the drag just over;
	// it is not part of the view the viewport reports.
	draft      bool
	clips      []inspect.Animation // the loaded model's
	anim       animState
	watch      watchState
	watchFiles []string // the files beside the model that it names, watched with it
	// watchEvery is how often a watched model's files are looked at.
	watchEvery time.Duration

	ctx    context.Context // ends at Close
	cancel context.CancelFunc
	wake   chan struct{} // capacity 1: a frame is wanted
	done   chan struct{} // closed when the frame loop has stopped
	closed bool
}

// note is a load's outcome, to hand to OnReport or OnError.
type note struct {
	report *inspect.Report
	err    error
}

// New returns a viewport drawing with r, showing nothing until Load. The viewport owns r:
// Close closes it.
func New(r preview.Renderer) *Viewport { return newViewport(r, fyne.Do) }

// NewWithUI is New with onUI standing in for fyne.Do: for windows whose tests run the UI thread
// themselves.
func NewWithUI(r preview.Renderer, onUI func(func())) *Viewport { return newViewport(r, onUI) }

func newViewport(r preview.Renderer, onUI func(func())) *Viewport {
	ctx, cancel := context.WithCancel(context.Background())
	v := &Viewport{r: r, onUI: onUI, view: preview.DefaultView(), ctx: ctx, cancel: cancel,
		wake: make(chan struct{}, 1), done: make(chan struct{}), watchEvery: watchInterval}
	v.ExtendBaseWidget(v)
	go v.loop()
	return v
}

// Load shows the model at path, replacing the current one once it has loaded, seen from the
// default camera and in its rest pose. It returns at once; the report or the error arrives
// through OnReport or OnError. A newer Load cancels an older one still parsing. It stops a
// Watch of the previous model, and playback.
func (v *Viewport) Load(path string) {
	v.StopWatching()
	v.Pause()
	v.load(path, false)
}

// load asks the renderer for the model at path on a goroutine. A reload (keep) leaves the
// camera and the animation where the artist has them and reports through OnReloaded; a failed
// one leaves the current model on screen (the renderer keeps it).
func (v *Viewport) load(path string, keep bool) {
	v.mu.Lock()
	if v.closed {
		v.mu.Unlock()
		return
	}
	if v.loadCancel != nil {
		v.loadCancel()
	}
	ctx, cancel := context.WithCancel(v.ctx)
	v.loadCancel = cancel
	if !keep {
		v.watchFiles = nil // the files the last model named are not this one's
	}
	v.loadSeq++
	seq := v.loadSeq
	v.mu.Unlock()
	go func() {
		defer cancel()
		rep, err := v.r.Load(ctx, path)
		v.mu.Lock()
		if seq != v.loadSeq || v.closed || errors.Is(err, context.Canceled) {
			// A newer load or Close took over; its outcome is the one to show.
			v.mu.Unlock()
			return
		}
		if err == nil {
			v.loaded(rep, keep)
		}
		if !keep {
			v.notes = append(v.notes, note{report: rep, err: err})
			v.request()
			v.mu.Unlock()
			return
		}
		v.mu.Unlock()
		// A reload's outcome goes straight to the UI thread (not with the next frame, which a
		// refused file does not change).
		v.onUI(func() {
			if f := v.OnReloaded; f != nil && !v.isClosed() {
				f(rep, err)
			}
		})
	}()
}

// loaded takes in a model the renderer now shows; the caller holds mu.
func (v *Viewport) loaded(rep *inspect.Report, keep bool) {
	v.clips = rep.Animations
	v.watchFiles = rep.Files
	v.caption = gridCaption(rep)
	if !keep {
		v.view = v.view.Reset()
		v.view.Clip, v.view.Time = 0, 0
	} else if v.view.Clip > len(v.clips) {
		// The new file has fewer clips than the one that was playing: back to the rest pose
		// (the playback clock stops at its next tick).
		v.view.Clip, v.view.Time = 0, 0
	}
	v.request()
}

// gridCaption names the grid's spacing for the model's size.
func gridCaption(rep *inspect.Report) string {
	size := 0.0
	for k := range 3 {
		size = max(size, rep.Max[k]-rep.Min[k])
	}
	minor, major := preview.GridScale(size)
	return "grid " + preview.FormatLength(minor) + " / " + preview.FormatLength(major)
}

// SetView moves the camera to a preset view (orthographic).
func (v *Viewport) SetView(p preview.Preset) {
	v.update(func(w *preview.View) { *w = w.WithPreset(p) })
}

// SetMode draws shaded, clay, wireframe or one of the debug views.
func (v *Viewport) SetMode(m preview.Mode) { v.update(func(w *preview.View) { w.Mode = m }) }

// SetLighting lights shaded models with the environment or the studio lights.
func (v *Viewport) SetLighting(l preview.Lighting) { v.update(func(w *preview.View) { w.Light = l }) }

// SetEnvironment lights with the equirectangular .hdr at path, or Kiln's own when path is "".
// A file the renderer cannot read is reported through OnError with the next frame.
func (v *Viewport) SetEnvironment(path string) {
	v.update(func(w *preview.View) { w.EnvironmentFile = path })
}

// SetExposure brightens (or darkens) the lit model by ev stops.
func (v *Viewport) SetExposure(ev float64) { v.update(func(w *preview.View) { w.Exposure = ev }) }

// SetToneMap picks how the lit scene is turned into screen colours.
func (v *Viewport) SetToneMap(t preview.ToneMap) { v.update(func(w *preview.View) { w.ToneMap = t }) }

// SetBackground draws on a light or dark background.
func (v *Viewport) SetBackground(b preview.Background) {
	v.update(func(w *preview.View) { w.Background = b })
}

// SetGrid shows or hides the ground grid.
func (v *Viewport) SetGrid(on bool) { v.update(func(w *preview.View) { w.Grid = on }) }

// SetCamera moves the camera to where c's stands, keeping this viewport's look. While c is
// Moving (another viewport being dragged) this one draws moving frames too, and its still
// frame follows when c stops moving or pauses, as a drag of its own would.
func (v *Viewport) SetCamera(c preview.View) {
	v.update(func(w *preview.View) {
		*w = w.SameCamera(c)
		if c.Moving {
			v.moved()
		} else {
			v.still()
		}
	})
}

// cameraMoved tells OnCameraMoved, on the UI thread, after input moved the camera.
func (v *Viewport) cameraMoved() {
	if f := v.OnCameraMoved; f != nil {
		f(v.View())
	}
}

// Reset returns to the default three-quarter view, framed. Only the camera moves: the look
// the artist chose (mode, light, exposure, the animation) stays.
func (v *Viewport) Reset() { v.update(func(w *preview.View) { *w = w.Reset() }) }

// View returns how the model is seen now.
func (v *Viewport) View() preview.View {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.view
}

// Frame returns the frame on screen, or nil before the first.
func (v *Viewport) Frame() *image.RGBA {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.frame
}

// SaveImage writes the frame on screen to path as a PNG, atomically. It draws nothing
// new, so what is saved is what the artist sees.
func (v *Viewport) SaveImage(path string) error {
	img := v.Frame()
	if img == nil {
		return errors.New("viewport: nothing to save yet")
	}
	return preview.WritePNG(path, img)
}

// Close stops drawing, cancels a load in progress and closes the renderer. Call it before
// the window goes (its close intercept): the renderer's GL context must be released while
// the windowing system is still up.
func (v *Viewport) Close() {
	v.mu.Lock()
	if v.closed {
		v.mu.Unlock()
		return
	}
	v.closed = true
	v.mu.Unlock()
	v.cancel()
	<-v.done
	v.stopTicker()
	v.StopWatching()
	_ = v.r.Close()
}

func (v *Viewport) isClosed() bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.closed
}

// update changes the view and asks for a frame.
func (v *Viewport) update(change func(*preview.View)) {
	v.mu.Lock()
	defer v.mu.Unlock()
	change(&v.view)
	v.request()
}

// request asks the frame loop for a frame; asks made before it draws count once.
// The caller holds mu.
func (v *Viewport) request() {
	select {
	case v.wake <- struct{}{}:
	default:
	}
}

// Resize implements fyne.CanvasObject: the frames follow the widget's size in pixels.
func (v *Viewport) Resize(size fyne.Size) {
	v.BaseWidget.Resize(size)
	scale := float32(1)
	if c := fyne.CurrentApp().Driver().CanvasForObject(v); c != nil {
		scale = c.Scale()
	}
	px := image.Pt(int(size.Width*scale+0.5), int(size.Height*scale+0.5))
	v.mu.Lock()
	defer v.mu.Unlock()
	if px != v.pixels {
		v.pixels = px
		v.request()
	}
}

// CreateRenderer implements fyne.Widget.
func (v *Viewport) CreateRenderer() fyne.WidgetRenderer {
	v.ExtendBaseWidget(v)
	raster := canvas.NewImageFromImage(nil)
	raster.FillMode = canvas.ImageFillStretch
	caption := canvas.NewText("", captionColour(preview.Dark))
	caption.TextSize = theme.CaptionTextSize()
	return &viewportRenderer{v: v, raster: raster, caption: caption,
		objects: []fyne.CanvasObject{raster, caption}}
}

type viewportRenderer struct {
	v       *Viewport
	raster  *canvas.Image
	caption *canvas.Text
	objects []fyne.CanvasObject
}

func (r *viewportRenderer) Layout(size fyne.Size) {
	r.raster.Resize(size)
	pad := theme.Padding()
	cs := r.caption.MinSize()
	r.caption.Move(fyne.NewPos(pad, size.Height-cs.Height-pad))
	r.caption.Resize(cs)
}

func (r *viewportRenderer) MinSize() fyne.Size { return fyne.NewSize(64, 64) }

// Refresh shows the newest frame and caption.
func (r *viewportRenderer) Refresh() {
	r.v.mu.Lock()
	img, caption, grid, bg := r.v.frame, r.v.caption, r.v.view.Grid, r.v.view.Background
	r.v.mu.Unlock()
	if !grid {
		caption = ""
	}
	if c := captionColour(bg); r.caption.Color != c {
		r.caption.Color = c
		r.caption.Refresh()
	}
	if img != nil && r.raster.Image != img {
		r.raster.Image = img
		r.raster.Refresh()
	}
	if r.caption.Text != caption {
		r.caption.Text = caption
		r.caption.Refresh()
	}
}

// captionColour stands out on the frame's background (not on the theme's, which the
// frame covers).
func captionColour(bg preview.Background) color.Color {
	if bg == preview.Light {
		return color.NRGBA{R: 60, G: 60, B: 66, A: 230}
	}
	return color.NRGBA{R: 200, G: 200, B: 206, A: 220}
}

func (r *viewportRenderer) Objects() []fyne.CanvasObject { return r.objects }
func (r *viewportRenderer) Destroy()                     {}
