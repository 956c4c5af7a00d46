package viewport

import (
	"math"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"

	"github.com/kiln3d/kiln/preview"
)

// Mouse sensitivity, per Fyne unit of movement.
const (
	orbitPerUnit = 0.008 // radians: a 400-unit drag turns the model about half round
	zoomPerUnit  = 0.014 // one wheel notch (10 units) zooms by about 15%
)

// dragState is what the button pressed last decided for the drag that follows.
type dragState struct {
	pan   bool          // shift or the middle button: a left drag pans
	right bool          // the secondary button is down: mouse moves pan
	last  fyne.Position // where the secondary-button pan last was
	// at is when the camera last moved with a drag: View.Moving stays set until stillAfter
	// has passed without another (or the button is released).
	at time.Time
}

// stillAfter is how long a drag may pause before the frame loop draws a still frame at full
// quality: long enough not to draw one between the events of a slow drag, short enough that
// the full picture follows a pause at once to the eye.
const stillAfter = 120 * time.Millisecond

// moved marks the view as moving with a drag, for the frame loop; the caller holds mu.
func (v *Viewport) moved() {
	v.view.Moving, v.draft = true, false
	v.drag.at = time.Now()
}

// still ends a drag's moving frames: the next frame is the draft of the still one (the whole
// model at once), and the loop asks for the full-quality frame after it. It reports whether
// the view was moving. The caller holds mu.
func (v *Viewport) still() bool {
	if !v.view.Moving {
		return false
	}
	v.view.Moving, v.draft = false, true
	v.request()
	return true
}

var (
	_ fyne.Draggable      = (*Viewport)(nil)
	_ fyne.Scrollable     = (*Viewport)(nil)
	_ fyne.DoubleTappable = (*Viewport)(nil)
	_ desktop.Mouseable   = (*Viewport)(nil)
	_ desktop.Hoverable   = (*Viewport)(nil)
)

// MouseDown implements desktop.Mouseable: the button and modifiers pressed decide whether
// the drag that follows orbits or pans (Fyne's drag events do not carry them).
func (v *Viewport) MouseDown(e *desktop.MouseEvent) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.drag.pan = e.Button == desktop.MouseButtonTertiary || e.Modifier&fyne.KeyModifierShift != 0
	if e.Button == desktop.MouseButtonSecondary {
		v.drag.right, v.drag.last = true, e.Position
	}
}

// MouseUp implements desktop.Mouseable.
func (v *Viewport) MouseUp(e *desktop.MouseEvent) {
	v.mu.Lock()
	settled := false
	if e.Button == desktop.MouseButtonSecondary {
		v.drag.right = false
		settled = v.still()
	}
	v.mu.Unlock()
	if settled {
		v.cameraMoved() // viewports following this one settle with it
	}
}

// Dragged implements fyne.Draggable: orbit, or pan when MouseDown said so.
func (v *Viewport) Dragged(e *fyne.DragEvent) {
	size := v.Size()
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.drag.pan {
		v.panBy(e.Dragged.DX, e.Dragged.DY, size)
	} else {
		v.view = v.view.Orbit(-float64(e.Dragged.DX)*orbitPerUnit, float64(e.Dragged.DY)*orbitPerUnit)
	}
	v.moved()
	v.request()
	v.mu.Unlock()
	v.cameraMoved()
	v.mu.Lock()
}

// DragEnd implements fyne.Draggable: the button is released, the still frame follows.
func (v *Viewport) DragEnd() {
	v.mu.Lock()
	v.drag.pan = false
	settled := v.still()
	v.mu.Unlock()
	if settled {
		v.cameraMoved() // viewports following this one settle with it
	}
}

// MouseMoved implements desktop.Hoverable. Fyne sends no drag events for the secondary
// button, so a right-button pan follows the pointer here.
func (v *Viewport) MouseMoved(e *desktop.MouseEvent) {
	size := v.Size()
	v.mu.Lock()
	defer v.mu.Unlock()
	if !v.drag.right || e.Button&desktop.MouseButtonSecondary == 0 {
		v.drag.right = false
		v.still()
		return
	}
	d := e.Position.Subtract(v.drag.last)
	v.drag.last = e.Position
	v.panBy(d.X, d.Y, size)
	v.moved()
	v.request()
	v.mu.Unlock()
	v.cameraMoved()
	v.mu.Lock()
}

// MouseIn implements desktop.Hoverable.
func (v *Viewport) MouseIn(*desktop.MouseEvent) {}

// MouseOut implements desktop.Hoverable.
func (v *Viewport) MouseOut() {}

// panBy moves the model with the pointer; the caller holds mu.
func (v *Viewport) panBy(dx, dy float32, size fyne.Size) {
	side := math.Max(1, float64(min(size.Width, size.Height)))
	v.view = v.view.Panned(float64(dx)/side, float64(dy)/side)
}

// Scrolled implements fyne.Scrollable: the wheel away from the artist zooms in.
func (v *Viewport) Scrolled(e *fyne.ScrollEvent) {
	v.update(func(w *preview.View) { *w = w.Zoomed(math.Exp(float64(e.Scrolled.DY) * zoomPerUnit)) })
	v.cameraMoved()
}

// DoubleTapped implements fyne.DoubleTappable: back to the default view.
func (v *Viewport) DoubleTapped(*fyne.PointEvent) {
	v.Reset()
	v.cameraMoved()
}
