package views

import (
	"errors"
	"fmt"
	"image"
	"os"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/kiln3d/kiln/app"
	"github.com/kiln3d/kiln/providers"
)

// input is one image the artist added, with what Kiln found when it read it.
type input struct {
	path    string
	checked bool  // the file has been read
	err     error // why Kiln cannot use it; nil when it can

	card    fyne.CanvasObject
	thumb   *canvas.Image
	problem *widget.Label
	view    *widget.Select // where the camera stood; shown for providers that take views
	cut     *cardCut       // the cut-out, for providers that use one
}

// noView is the view picker's entry for an image whose view is not said.
const noView = "view: auto"

// inputList is the images on the Create tab. Its methods run on the UI thread.
type inputList struct {
	u         *UI
	items     []*input
	grid      *fyne.Container
	changed   func()
	withViews bool
	// fromFolder says that a folder gave images since the list was last empty: Create then
	// offers one model per image.
	fromFolder bool
	// cutOuts says that the provider uses the cut-outs the cards show; cut makes them, one at a
	// time (cutSlots).
	cutOuts  bool
	cut      cutter
	cutSlots chan struct{}
}

func newInputList(u *UI, changed func()) *inputList {
	return &inputList{u: u, grid: container.NewGridWrap(fyne.NewSize(150, 220)), changed: changed,
		cut: app.CutOut, cutSlots: make(chan struct{}, 1)}
}

// addPaths adds image files, and the images inside folders. Files already there are skipped.
func (l *inputList) addPaths(paths []string) {
	for _, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil {
			abs = p
		}
		if st, err := os.Stat(abs); err == nil && st.IsDir() {
			l.addFolder(abs)
			continue
		}
		l.add(abs)
	}
	l.changed()
}

// addFolder adds the images in dir, as the core lists them: not those in its sub-folders nor
// hidden ones, and at most app.MaxBatch.
func (l *inputList) addFolder(dir string) {
	images, total, err := app.FolderImages(dir)
	switch {
	case err != nil:
		dialog.ShowError(err, l.u.win)
		return
	case total == 0:
		dialog.ShowInformation("No images", fmt.Sprintf("The folder %s holds no PNG, JPEG or WebP images.", filepath.Base(dir)), l.u.win)
		return
	case total > len(images):
		dialog.ShowInformation("Too many images", fmt.Sprintf("The folder %s holds %d images: the first %d, by name, were added.",
			filepath.Base(dir), total, len(images)), l.u.win)
	}
	l.fromFolder = true
	for _, img := range images {
		l.add(img)
	}
}

// paths are the files in the list, read or not, in their order.
func (l *inputList) paths() []string {
	out := make([]string, len(l.items))
	for i, in := range l.items {
		out[i] = in.path
	}
	return out
}

func (l *inputList) add(path string) {
	for _, in := range l.items {
		if in.path == path {
			return
		}
	}
	in := &input{path: path, thumb: newThumbImage(120)}
	in.problem = widget.NewLabel("Reading…")
	in.problem.Wrapping = fyne.TextWrapWord
	in.problem.Importance = widget.LowImportance
	name := widget.NewLabel(filepath.Base(path))
	name.Truncation = fyne.TextTruncateEllipsis
	remove := widget.NewButtonWithIcon("", theme.DeleteIcon(), func() { l.remove(in) })
	remove.Importance = widget.LowImportance
	in.view = widget.NewSelect(append([]string{noView}, providers.Views...), func(v string) { l.viewPicked(in, v) })
	// A file called chair_left.png is a left view until the artist says otherwise.
	if guess := providers.GuessView(path); guess != "" && !l.viewTaken(guess) {
		in.view.SetSelected(guess)
	} else {
		in.view.SetSelected(noView)
	}
	if !l.withViews {
		in.view.Hide()
	}
	in.cut = newCardCut(in.thumb, func() { l.openCut(in) })
	in.card = container.NewBorder(container.NewBorder(nil, nil, nil, remove, name),
		container.NewVBox(in.view, in.problem, in.cut.note), nil, nil, in.cut.area)
	l.items = append(l.items, in)
	l.grid.Add(in.card)

	// Reading the header is quick, but decoding for the thumbnail is not: both happen off the UI
	// thread. The thumbnail decode also finds files whose header is fine but whose data is damaged.
	go func() {
		err := app.CheckImage(path)
		l.u.goUI(func() { l.checked(in, err) })
		if err == nil {
			l.u.thumbs.load(path, func(img image.Image, err error) { l.decoded(in, img, err) })
		}
	}()
}

func (l *inputList) checked(in *input, err error) {
	in.checked, in.err = true, err
	if err != nil {
		in.problem.SetText(problemText(err))
		in.problem.Importance = widget.DangerImportance
		in.problem.Show() // hidden when the header was fine but the pixels are not
		in.problem.Refresh()
		in.thumb.Image = nil
		in.thumb.Resource = theme.BrokenImageIcon()
		in.thumb.Refresh()
	} else {
		in.problem.SetText("")
		in.problem.Hide() // the room goes to the thumbnail
	}
	l.startCut(in)
	l.showCut(in)
	l.changed()
}

func (l *inputList) decoded(in *input, img image.Image, err error) {
	if err != nil {
		l.checked(in, err)
		return
	}
	in.thumb.Image = img
	in.thumb.Refresh()
}

// showViews shows or hides the view pickers, for providers that take views or not.
func (l *inputList) showViews(on bool) {
	l.withViews = on
	for _, in := range l.items {
		if on {
			in.view.Show()
		} else {
			in.view.Hide()
		}
	}
}

func (l *inputList) viewTaken(v string) bool {
	for _, in := range l.items {
		if in.view.Selected == v {
			return true
		}
	}
	return false
}

// viewPicked keeps views unique: the image that had the view loses it.
func (l *inputList) viewPicked(in *input, v string) {
	if v != noView {
		for _, other := range l.items {
			if other != in && other.view.Selected == v {
				other.view.SetSelected(noView)
			}
		}
	}
	if l.changed != nil {
		l.changed()
	}
}

func (l *inputList) remove(in *input) {
	for i, it := range l.items {
		if it == in {
			l.items = append(l.items[:i], l.items[i+1:]...)
			break
		}
	}
	l.grid.Remove(in.card)
	in.cut.stop()
	if len(l.items) == 0 {
		l.fromFolder = false
	}
	l.changed()
}

// usable returns the images Kiln can read, with their views when the provider takes them, and
// how many images it cannot use or has not read yet.
func (l *inputList) usable() (ok []providers.Image, bad, pending int) {
	for _, in := range l.items {
		switch {
		case !in.checked:
			pending++
		case in.err != nil:
			bad++
		default:
			img := providers.Image{Path: in.path, Mask: l.maskFor(in)}
			if l.withViews && in.view.Selected != noView {
				img.View = in.view.Selected
			}
			ok = append(ok, img)
		}
	}
	return ok, bad, pending
}

// problemText is the short explanation shown under a bad image: the reason without the file
// name, which the card already shows.
func problemText(err error) string {
	var ie *providers.InputError
	if errors.As(err, &ie) {
		return ie.Reason
	}
	return err.Error()
}
