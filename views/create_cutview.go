package views

import (
	"context"
	"fmt"
	"image"
	"math"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/kiln3d/kiln/app"
	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/imageio"
)

// toleranceDelay is how long the large view waits after the Tolerance slider last moved before it
// cuts the image out again: a drag along the slider is one graph cut, not one per step.
const toleranceDelay = 300 * time.Millisecond

// minRectSide is the smallest rectangle, in image pixels, taken as meant: a click is not a drag.
const minRectSide = 4

// cutDialog is the large view of an image's cut-out. The artist drags a rectangle around the
// object and Kiln separates object from background inside it (off the UI thread, cancellable),
// re-running it as the tolerance changes; Use this cut-out keeps it for the job, Automatic goes
// back to the provider's own. UI thread only.
type cutDialog struct {
	l  *inputList
	in *input

	view      *cutView
	tolerance *widget.Slider
	tolText   *widget.Label
	status    *widget.Label
	busy      *widget.Activity
	stop      *widget.Button
	use, auto *widget.Button
	dlg       *dialog.CustomDialog

	runs   settler         // the cut-out under way
	rect   image.Rectangle // the artist's rectangle in the image's pixels; empty for none
	result *image.NRGBA    // the cut-out made here, ready to use; nil when none
	mask   *image.Alpha    // result, scaled for the overlays
	saving bool
	// shown counts the overlays asked of the view: one drawn off the UI thread is shown only if
	// no other was asked for meanwhile.
	shown int
}

func newCutDialog(l *inputList, in *input) *cutDialog {
	d := &cutDialog{l: l, in: in, runs: settler{u: l.u}}
	d.view = newCutView(in.thumb.Image, d.rectDragged)
	d.showMask(in.cut.shown())
	d.tolText = widget.NewLabel("")
	d.tolerance = widget.NewSlider(0, 1)
	d.tolerance.Step = 0.05
	d.tolerance.SetValue(0.5)
	d.showTolerance()
	d.tolerance.OnChanged = func(float64) {
		d.showTolerance()
		d.run(toleranceDelay)
	}
	d.tolerance.Disable() // it weighs colours inside a rectangle: there is none yet
	d.status = widget.NewLabel("")
	d.status.Wrapping = fyne.TextWrapWord
	d.busy = widget.NewActivity()
	d.busy.Hide()
	// Cancel stays in its place, disabled while nothing runs, so that the picture does not
	// jump as cut-outs start and end.
	d.stop = widget.NewButton("Cancel", d.cancelRun)
	d.stop.Disable()
	d.use = widget.NewButton("Use this cut-out", d.useResult)
	d.use.Importance = widget.HighImportance
	d.use.Disable()
	d.auto = widget.NewButton("Automatic", d.useAutomatic)
	closeBtn := widget.NewButton("Close", func() { d.dlg.Hide() })

	help := widget.NewLabel("Drag a rectangle around the object: Kiln separates it from the background inside the rectangle.")
	help.Wrapping = fyne.TextWrapWord
	tolerance := container.NewBorder(nil, nil, widget.NewLabel("Tolerance"), d.tolText, d.tolerance)
	working := container.NewBorder(nil, nil, d.busy, d.stop, d.status)
	content := container.NewBorder(help, container.NewVBox(tolerance, working), nil, nil, d.view)
	d.dlg = dialog.NewCustomWithoutButtons("Cut-out of "+providers.Printable(filepath.Base(in.path)), content, l.u.win)
	d.dlg.SetButtons([]fyne.CanvasObject{closeBtn, d.auto, d.use})
	d.dlg.SetOnClosed(func() {
		d.runs.stop()
		d.busy.Stop()
		in.cut.open = nil
	})
	d.sayWhatIsShown()
	return d
}

// show opens the view, and reads the picture at a size worth enlarging, and the image's own size
// that rectangles are measured in, off the UI thread.
func (d *cutDialog) show() {
	d.in.cut.open = d
	win := d.l.u.win.Canvas().Size()
	d.dlg.Resize(fyne.NewSize(max(480, win.Width*0.8), max(400, win.Height*0.85)))
	d.dlg.Show()
	path := d.in.path
	go func() {
		info, err := imageio.Check(path)
		var pic image.Image
		if err == nil {
			pic, err = app.Thumbnail(path, maskSide)
		}
		d.l.u.goUI(func() {
			if err != nil {
				setNote(d.status, "Kiln cannot read this image: "+problemText(err), widget.DangerImportance)
				return
			}
			d.view.setPicture(pic, image.Pt(info.Width, info.Height))
		})
	}()
}

func (d *cutDialog) showTolerance() {
	d.tolText.SetText(fmt.Sprintf("%.0f%%", d.tolerance.Value*100))
}

// sayWhatIsShown says which cut-out the view shows and what the artist can do about it.
func (d *cutDialog) sayWhatIsShown() {
	c := d.in.cut
	switch {
	case d.result != nil:
		setNote(d.status, "Your cut-out: Use this cut-out keeps it for the job. Drag again, or move Tolerance, to change it.", widget.MediumImportance)
	case c.corrected != nil:
		setNote(d.status, "Your corrected cut-out, which the job uses. Drag a rectangle to make another, or go back to Automatic.", widget.MediumImportance)
	case c.auto != nil:
		setNote(d.status, "The cut-out Kiln found by itself. If it is wrong, drag a rectangle around the object.", widget.MediumImportance)
	case c.autoErr != nil:
		setNote(d.status, "No cut-out: "+providers.Printable(problemText(c.autoErr))+". Drag a rectangle around the object.", widget.WarningImportance)
	default:
		setNote(d.status, "Finding the object…", widget.LowImportance)
	}
	setEnabled(d.auto, c.corrected != nil)
}

// autoMade shows the card's automatic cut-out, made while the view was open, unless the artist
// has made another here.
func (d *cutDialog) autoMade() {
	if d.result == nil && d.in.cut.corrected == nil && !d.busy.Visible() {
		d.showMask(d.in.cut.auto)
		d.sayWhatIsShown()
	}
}

// showMask lays a cut-out over the picture; its overlay, a megapixel, is drawn off the UI thread.
func (d *cutDialog) showMask(mask *image.Alpha) {
	d.shown++
	seq := d.shown
	if mask == nil {
		d.view.setOverlay(nil)
		return
	}
	go func() {
		overlay := overlayOf(mask, maskSide)
		d.l.u.goUI(func() {
			if seq == d.shown {
				d.view.setOverlay(overlay)
			}
		})
	}()
}

// rectDragged cuts the image out again inside the rectangle the artist dragged.
func (d *cutDialog) rectDragged(r image.Rectangle) {
	d.rect = r
	d.tolerance.Enable()
	d.run(0)
}

// run cuts the image out with the rectangle and tolerance chosen, off the UI thread after delay,
// cancelling the cut-out under way.
func (d *cutDialog) run(delay time.Duration) {
	opt := app.CutOptions{Rect: d.rect, Tolerance: d.tolerance.Value}
	path, cut := d.in.path, d.l.cut
	d.busy.Show()
	d.busy.Start()
	d.stop.Enable()
	d.use.Disable()
	setNote(d.status, "Separating the object from the background…", widget.LowImportance)
	d.runs.run(delay, func(ctx context.Context) func() {
		img, err := cut(ctx, path, opt)
		var mask *image.Alpha
		var overlay image.Image
		if err == nil {
			mask = maskOf(img, maskSide)
			overlay = overlayOf(mask, maskSide)
		}
		return func() {
			d.idle()
			if err != nil {
				setNote(d.status, "The cut-out failed: "+providers.Printable(problemText(err)), widget.DangerImportance)
				setEnabled(d.use, d.result != nil)
				return
			}
			d.result, d.mask = img, mask
			d.shown++
			d.view.setOverlay(overlay)
			d.sayWhatIsShown()
			d.use.Enable()
		}
	})
}

// idle hides the progress of a cut-out.
func (d *cutDialog) idle() {
	d.busy.Stop()
	d.busy.Hide()
	d.stop.Disable()
}

// cancelRun stops the cut-out under way; the one shown before stays.
func (d *cutDialog) cancelRun() {
	d.runs.stop()
	d.idle()
	d.sayWhatIsShown()
	setNote(d.status, "Stopped. "+d.status.Text, d.status.Importance)
	setEnabled(d.use, d.result != nil)
}

// useResult saves the cut-out made here for the job, off the UI thread, and closes the view.
func (d *cutDialog) useResult() {
	if d.result == nil || d.saving {
		return
	}
	d.saving = true
	d.use.Disable()
	img, mask, in := d.result, d.mask, d.in
	go func() {
		path, err := d.l.u.k.SaveCutOut(img)
		var overlay image.Image
		if err == nil {
			mask = maskOf(mask, cardMaskSide)
			overlay = overlayOf(mask, overlaySide)
		}
		d.l.u.goUI(func() {
			d.saving = false
			if err != nil {
				setNote(d.status, "The cut-out could not be kept: "+providers.Printable(err.Error()), widget.DangerImportance)
				d.use.Enable()
				return
			}
			d.l.setCorrection(in, path, mask, overlay)
			d.dlg.Hide()
		})
	}()
}

// useAutomatic goes back to the provider's own cut-out, and closes the view.
func (d *cutDialog) useAutomatic() {
	d.l.setCorrection(d.in, "", nil, nil)
	d.dlg.Hide()
}

// cutView shows an image with its cut-out laid over it, and lets the artist drag a rectangle on
// it; rectangles are reported in the image's own pixels.
type cutView struct {
	widget.BaseWidget
	picture, overlay *canvas.Image
	box              *canvas.Rectangle

	img      image.Point     // the image's own size; zero until known, when dragging does nothing
	rect     image.Rectangle // the rectangle shown, in image pixels
	from     fyne.Position   // where the drag under way started
	dragging bool
	onRect   func(image.Rectangle)
}

func newCutView(picture image.Image, onRect func(image.Rectangle)) *cutView {
	v := &cutView{onRect: onRect}
	v.picture = canvas.NewImageFromImage(picture)
	v.picture.FillMode = canvas.ImageFillContain
	v.picture.ScaleMode = canvas.ImageScaleSmooth
	v.overlay = canvas.NewImageFromImage(nil)
	v.overlay.FillMode = canvas.ImageFillContain
	v.box = canvas.NewRectangle(nil)
	v.box.StrokeColor = outlineTint
	v.box.StrokeWidth = 2
	v.box.Hide()
	v.ExtendBaseWidget(v)
	return v
}

// setPicture shows a larger picture of the image, whose own size is img.
func (v *cutView) setPicture(pic image.Image, img image.Point) {
	v.picture.Image = pic
	v.img = img
	v.picture.Refresh()
	v.Refresh()
}

// setOverlay lays a cut-out's overlay (overlayOf) over the picture; nil shows the picture alone.
func (v *cutView) setOverlay(overlay image.Image) {
	v.overlay.Image = overlay
	v.overlay.Refresh()
}

// Dragged implements fyne.Draggable: the rectangle follows the pointer from where it was pressed.
func (v *cutView) Dragged(e *fyne.DragEvent) {
	if v.img == (image.Point{}) {
		return
	}
	if !v.dragging {
		v.dragging = true
		v.from = e.Position.Subtract(e.Dragged)
	}
	v.rect = dragRect(v.from, e.Position, v.Size(), v.img)
	v.Refresh()
}

// DragEnd implements fyne.Draggable: a rectangle big enough to mean something is reported.
func (v *cutView) DragEnd() {
	if !v.dragging {
		return
	}
	v.dragging = false
	if v.rect.Dx() < minRectSide || v.rect.Dy() < minRectSide {
		v.rect = image.Rectangle{}
		v.Refresh()
		return
	}
	if v.onRect != nil {
		v.onRect(v.rect)
	}
}

// MinSize implements fyne.Widget.
func (v *cutView) MinSize() fyne.Size { return fyne.NewSize(320, 240) }

// CreateRenderer implements fyne.Widget.
func (v *cutView) CreateRenderer() fyne.WidgetRenderer { return &cutViewRenderer{v: v} }

type cutViewRenderer struct{ v *cutView }

func (r *cutViewRenderer) Layout(size fyne.Size) {
	v := r.v
	for _, o := range []fyne.CanvasObject{v.picture, v.overlay} {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
	if v.rect.Empty() || v.img == (image.Point{}) {
		v.box.Hide()
		return
	}
	a, b := toArea(v.rect.Min, size, v.img), toArea(v.rect.Max, size, v.img)
	v.box.Move(a)
	v.box.Resize(fyne.NewSize(b.X-a.X, b.Y-a.Y))
	v.box.Show()
}

func (r *cutViewRenderer) MinSize() fyne.Size { return r.v.MinSize() }

func (r *cutViewRenderer) Refresh() {
	r.Layout(r.v.Size())
	canvas.Refresh(r.v.box)
}

func (r *cutViewRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.v.picture, r.v.overlay, r.v.box}
}

func (r *cutViewRenderer) Destroy() {}

// fitted is where a picture of img pixels is drawn in an area of size when scaled to fit whole and
// centred (canvas.ImageFillContain): the picture's top-left corner and the area's units per
// image pixel.
func fitted(size fyne.Size, img image.Point) (fyne.Position, float32) {
	scale := min(size.Width/float32(img.X), size.Height/float32(img.Y))
	return fyne.NewPos((size.Width-float32(img.X)*scale)/2, (size.Height-float32(img.Y)*scale)/2), scale
}

// toImage is the image pixel edge nearest a point of the area, clamped to the image.
func toImage(p fyne.Position, size fyne.Size, img image.Point) image.Point {
	if img.X <= 0 || img.Y <= 0 || size.Width <= 0 || size.Height <= 0 {
		return image.Point{}
	}
	o, s := fitted(size, img)
	x := int(math.Round(float64((p.X - o.X) / s)))
	y := int(math.Round(float64((p.Y - o.Y) / s)))
	return image.Pt(max(0, min(img.X, x)), max(0, min(img.Y, y)))
}

// toArea is where an image pixel edge is drawn in the area.
func toArea(pt image.Point, size fyne.Size, img image.Point) fyne.Position {
	o, s := fitted(size, img)
	return fyne.NewPos(o.X+float32(pt.X)*s, o.Y+float32(pt.Y)*s)
}

// dragRect is the rectangle of image pixels between two points of the area, whichever way the
// pointer went; the part outside the picture is left out.
func dragRect(a, b fyne.Position, size fyne.Size, img image.Point) image.Rectangle {
	return image.Rectangle{Min: toImage(a, size, img), Max: toImage(b, size, img)}.Canon()
}
