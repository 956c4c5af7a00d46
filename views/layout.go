package views

import (
	"fyne.io/fyne/v2"
)

// fixedWidth lays its objects out at a fixed width and at least their own height: for side panels
// whose content wraps text.
type fixedWidth float32

// MinSize implements fyne.Layout.
func (w fixedWidth) MinSize(objects []fyne.CanvasObject) fyne.Size {
	h := float32(0)
	for _, o := range objects {
		if o.Visible() {
			h = max(h, o.MinSize().Height)
		}
	}
	return fyne.NewSize(float32(w), h)
}

// Layout implements fyne.Layout.
func (w fixedWidth) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objects {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}
