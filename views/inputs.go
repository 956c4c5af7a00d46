package views

import (
	"errors"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"sort"

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
}

// inputList is the images on the Create tab. Its methods run on the UI thread.
type inputList struct {
	u       *UI
	items   []*input
	grid    *fyne.Container
	changed func()
}

func newInputList(u *UI, changed func()) *inputList {
	return &inputList{u: u, grid: container.NewGridWrap(fyne.NewSize(150, 190)), changed: changed}
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

func (l *inputList) addFolder(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		dialog.ShowError(fmt.Errorf("cannot read the folder %s: %w", filepath.Base(dir), err), l.u.win)
		return
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && isImageName(e.Name()) {
			names = append(names, e.Name())
		}
	}
	if len(names) == 0 {
		dialog.ShowInformation("No images", fmt.Sprintf("The folder %s holds no PNG, JPEG or WebP images.", filepath.Base(dir)), l.u.win)
		return
	}
	sort.Strings(names)
	for _, n := range names {
		l.add(filepath.Join(dir, n))
	}
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
	in.card = container.NewBorder(container.NewBorder(nil, nil, nil, remove, name), in.problem, nil, nil, in.thumb)
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
		in.problem.Refresh()
		in.thumb.Image = nil
		in.thumb.Resource = theme.BrokenImageIcon()
		in.thumb.Refresh()
	} else {
		in.problem.SetText("")
	}
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

func (l *inputList) remove(in *input) {
	for i, it := range l.items {
		if it == in {
			l.items = append(l.items[:i], l.items[i+1:]...)
			break
		}
	}
	l.grid.Remove(in.card)
	l.changed()
}

// usable returns the images Kiln can read, and how many it cannot or has not read yet.
func (l *inputList) usable() (ok []string, bad, pending int) {
	for _, in := range l.items {
		switch {
		case !in.checked:
			pending++
		case in.err != nil:
			bad++
		default:
			ok = append(ok, in.path)
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
