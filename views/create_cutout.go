package views

import (
	"context"
	"image"
	"image/color"
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
	xdraw "golang.org/x/image/draw"

	"github.com/kiln3d/kiln/app"
	"github.com/kiln3d/kiln/providers"
)

// cutOutProvider is the provider that separates the object from the background itself and takes
// the artist's corrected cut-out (providers.Image.Mask): the local provider. It is named here,
// not imported, because only main picks concrete providers.
const cutOutProvider = "local"

// usesCutOut reports whether a provider's jobs use the cut-out Create shows: the one place that
// decides it.
func usesCutOut(caps providers.Capabilities) bool { return caps.Name == cutOutProvider }

// cutter separates the object in the image at path from its background: app.CutOut, which tests
// replace to see what it is asked.
type cutter func(ctx context.Context, path string, opt app.CutOptions) (*image.NRGBA, error)

// maskSide bounds the cut-outs the large view draws: a 1024×1024 mask is 1 MB, however large the
// image, and as much as the view shows.
const maskSide = 1024

// cardMaskSide bounds the cut-out each card keeps for the large view: 256 KB, so that a folder of
// a couple of hundred images holds tens of megabytes, not hundreds.
const cardMaskSide = 512

// overlaySide is the side of a card's overlay, the side its thumbnail is decoded at.
const overlaySide = thumbSide

// Colours of the overlays: the background dimmed, the object's outline in a colour few pictures
// have much of.
var (
	backdropTint = color.NRGBA{R: 14, G: 16, B: 30, A: 170}
	outlineTint  = color.NRGBA{R: 255, G: 190, B: 0, A: 255}
)

// cardCut is an image card's cut-out: the automatic one, worked out off the UI thread when the
// image has been read, and the artist's correction when there is one. UI thread only.
type cardCut struct {
	overlay *canvas.Image // over the thumbnail
	note    *widget.Label // "cut-out: corrected", or why there is no cut-out
	area    *tapArea      // the thumbnail and its overlay: a click opens the large view

	cancel      context.CancelFunc // stops the automatic cut-out under way; nil when none is
	auto        *image.Alpha       // the automatic cut-out, at most cardMaskSide; nil until made
	autoOverlay image.Image        // its overlay, for going back to it
	autoErr     error              // why there is no automatic cut-out

	mask      string       // the corrected cut-out saved for the job (Image.Mask); "" for automatic
	corrected *image.Alpha // its picture, at most cardMaskSide
	open      *cutDialog   // the large view, while it is open
}

func newCardCut(thumb *canvas.Image, open func()) *cardCut {
	c := &cardCut{overlay: newThumbImage(120), note: noteLabel()}
	c.overlay.Hide()
	c.area = newTapArea(container.NewStack(thumb, c.overlay), open)
	return c
}

// shown is the cut-out the card shows and the job uses: the correction, else the automatic one.
func (c *cardCut) shown() *image.Alpha {
	if c.corrected != nil {
		return c.corrected
	}
	return c.auto
}

// stop cancels the automatic cut-out under way.
func (c *cardCut) stop() {
	if c.cancel != nil {
		c.cancel()
		c.cancel = nil
	}
}

// showCutOuts shows the cut-outs on the cards, working out those not yet made, or hides them and
// stops the work under way, for a provider that uses them or not.
func (l *inputList) showCutOuts(on bool) {
	l.cutOuts = on
	for _, in := range l.items {
		if on {
			l.startCut(in)
			l.showCut(in)
			continue
		}
		in.cut.stop()
		l.showCut(in)
	}
}

// startCut works out the automatic cut-out of a readable image off the UI thread, one image at a
// time (it is a graph cut on the whole image), unless it is made or under way already. Removing
// the image, or picking a provider without cut-outs, cancels it.
func (l *inputList) startCut(in *input) {
	c := in.cut
	if !l.cutOuts || !in.checked || in.err != nil || c.cancel != nil || c.auto != nil || c.autoErr != nil {
		return
	}
	ctx, cancel := context.WithCancel(l.u.ctx)
	c.cancel = cancel
	setNote(c.note, "Finding the object…", widget.LowImportance)
	cut, path := l.cut, in.path
	go func() {
		select {
		case l.cutSlots <- struct{}{}:
		case <-ctx.Done():
			return
		}
		img, err := cut(ctx, path, app.CutOptions{})
		<-l.cutSlots
		var mask *image.Alpha
		var overlay image.Image
		if err == nil {
			mask = maskOf(img, cardMaskSide)
			overlay = overlayOf(mask, overlaySide)
		}
		if ctx.Err() != nil {
			return // removed, or another provider picked: started again when wanted
		}
		l.u.goUI(func() {
			if c.cancel == nil {
				return // stopped meanwhile
			}
			c.cancel()
			c.cancel = nil
			c.auto, c.autoOverlay, c.autoErr = mask, overlay, err
			if c.corrected == nil {
				c.overlay.Image = overlay
			}
			l.showCut(in)
			if c.open != nil {
				c.open.autoMade()
			}
		})
	}()
}

// showCut shows the card's overlay and says which cut-out it is, or why there is none.
func (l *inputList) showCut(in *input) {
	c := in.cut
	c.area.enabled = l.cutOuts && in.checked && in.err == nil
	if !c.area.enabled {
		c.overlay.Hide()
		setNote(c.note, "", widget.LowImportance)
		return
	}
	switch {
	case c.corrected != nil:
		setNote(c.note, "cut-out: corrected", widget.SuccessImportance)
	case c.autoErr != nil:
		setNote(c.note, "No cut-out: "+providers.Printable(problemText(c.autoErr)), widget.WarningImportance)
	case c.auto != nil:
		setNote(c.note, "", widget.LowImportance)
	}
	if c.overlay.Image != nil && c.shown() != nil {
		c.overlay.Show()
		c.overlay.Refresh()
	} else {
		c.overlay.Hide()
	}
}

// setCorrection makes mask (saved at path) the cut-out the card shows and the job uses; an empty
// path goes back to the automatic one.
func (l *inputList) setCorrection(in *input, path string, mask *image.Alpha, overlay image.Image) {
	c := in.cut
	c.mask, c.corrected = path, mask
	if path == "" {
		c.corrected, overlay = nil, c.autoOverlay
	}
	c.overlay.Image = overlay
	l.showCut(in)
	l.changed()
}

// maskFor is the cut-out the job of in uses: the corrected one's path, "" for the provider's own.
func (l *inputList) maskFor(in *input) string {
	if !l.cutOuts {
		return ""
	}
	return in.cut.mask
}

// openCut opens the large view of an image's cut-out, where the artist can correct it.
func (l *inputList) openCut(in *input) {
	if !l.cutOuts || !in.checked || in.err != nil || in.cut.open != nil {
		return
	}
	newCutDialog(l, in).show()
}

// maskOf scales a cut-out's alpha into at most side×side pixels, keeping its proportions.
func maskOf(cut image.Image, side int) *image.Alpha {
	b := cut.Bounds()
	scale := min(float64(side)/float64(b.Dx()), float64(side)/float64(b.Dy()), 1)
	w := max(1, int(math.Round(float64(b.Dx())*scale)))
	h := max(1, int(math.Round(float64(b.Dy())*scale)))
	out := image.NewAlpha(image.Rect(0, 0, w, h))
	xdraw.ApproxBiLinear.Scale(out, out.Bounds(), cut, b, xdraw.Src, nil)
	return out
}

// overlayOf draws a cut-out to lay over its image, at most side×side: the background dimmed, the
// object clear and its outline traced, so that what will be modelled stands out.
func overlayOf(mask *image.Alpha, side int) *image.NRGBA {
	m := mask
	if b := mask.Bounds(); b.Dx() > side || b.Dy() > side || b.Min != (image.Point{}) {
		m = maskOf(mask, side)
	}
	w, h := m.Rect.Dx(), m.Rect.Dy()
	object := func(x, y int) bool { return m.Pix[y*m.Stride+x] >= 128 }
	// The outline is the object's pixels within r of the background or of the image's edge: the
	// object less its erosion by a (2r+1)² box, done as a pass along the rows and one down the
	// columns, each counting with running sums.
	r := max(1, max(w, h)/120)
	inner := func(n int, at func(int) bool, full []bool) {
		sum := make([]int, n+1)
		for i := range n {
			sum[i+1] = sum[i]
			if at(i) {
				sum[i+1]++
			}
		}
		for i := range n {
			full[i] = i-r >= 0 && i+r < n && sum[i+r+1]-sum[i-r] == 2*r+1
		}
	}
	rows := make([]bool, w*h) // the row's run x-r..x+r is all object
	for y := range h {
		inner(w, func(x int) bool { return object(x, y) }, rows[y*w:(y+1)*w])
	}
	eroded := make([]bool, h)
	out := image.NewNRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		inner(h, func(y int) bool { return rows[y*w+x] }, eroded)
		for y := range h {
			switch {
			case !object(x, y):
				out.SetNRGBA(x, y, backdropTint)
			case !eroded[y]:
				out.SetNRGBA(x, y, outlineTint)
			}
		}
	}
	return out
}

// tapArea is a picture that does something when clicked, with a hand cursor to say so.
type tapArea struct {
	widget.BaseWidget
	content fyne.CanvasObject
	onTap   func()
	enabled bool
}

func newTapArea(content fyne.CanvasObject, onTap func()) *tapArea {
	t := &tapArea{content: content, onTap: onTap}
	t.ExtendBaseWidget(t)
	return t
}

// CreateRenderer implements fyne.Widget.
func (t *tapArea) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(t.content) }

// Tapped implements fyne.Tappable.
func (t *tapArea) Tapped(*fyne.PointEvent) {
	if t.enabled && t.onTap != nil {
		t.onTap()
	}
}

// Cursor implements desktop.Cursorable.
func (t *tapArea) Cursor() desktop.Cursor {
	if t.enabled {
		return desktop.PointerCursor
	}
	return desktop.DefaultCursor
}
