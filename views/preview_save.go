package views

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/kiln3d/kiln/preview"
	"github.com/kiln3d/kiln/preview/viewport"
	"github.com/kiln3d/kiln/providers"
)

// saveForm is the Save image dialog: the picture's size (a preset, the viewport's own, or any
// width and height up to 4096) and whether its background is transparent.
type saveForm struct {
	size          *widget.Select
	width, height *widget.Entry
	transparent   *widget.Check
	dlg           *dialog.FormDialog
	// submit goes on to ask where to save, as the dialog's Save button does.
	submit func()
}

// minImageSide is the smallest picture Save image draws, as `kiln render`.
const minImageSide = 16

// customSize is the size choice when width and height are typed in.
const customSize = "Custom"

// showProgressAfter is how long a picture may take before a progress dialog offers to cancel.
const showProgressAfter = 300 * time.Millisecond

// saveImage opens the Save image dialog.
func (p *previewPanel) saveImage() {
	window := p.vp.Frame()
	if window == nil {
		return // nothing on screen yet: no view to draw
	}
	ws := window.Bounds().Size()
	f := &saveForm{width: widget.NewEntry(), height: widget.NewEntry(),
		transparent: widget.NewCheck("Transparent background", nil)}
	presets := map[string][2]int{
		"1024 × 1024": {1024, 1024},
		"2048 × 2048": {2048, 2048},
		"4096 × 4096": {4096, 4096},
		fmt.Sprintf("Window (%d × %d)", ws.X, ws.Y): {ws.X, ws.Y},
	}
	options := []string{"1024 × 1024", "2048 × 2048", "4096 × 4096", fmt.Sprintf("Window (%d × %d)", ws.X, ws.Y), customSize}
	choosing := false
	f.size = widget.NewSelect(options, func(s string) {
		if wh, ok := presets[s]; ok {
			choosing = true
			f.width.SetText(strconv.Itoa(wh[0]))
			f.height.SetText(strconv.Itoa(wh[1]))
			choosing = false
		}
	})
	// A size typed in names its preset when it is one, Custom otherwise.
	typed := func(string) {
		if choosing {
			return
		}
		w, h, _ := parseImageSize(f.width.Text, f.height.Text)
		f.size.Selected = customSize
		for name, wh := range presets {
			if wh == [2]int{w, h} {
				f.size.Selected = name
			}
		}
		f.size.Refresh()
	}
	f.width.OnChanged, f.height.OnChanged = typed, typed
	f.width.Validator = sideValidator("width")
	f.height.Validator = sideValidator("height")
	f.size.SetSelected(options[1])
	f.submit = func() {
		w, h, err := parseImageSize(f.width.Text, f.height.Text)
		if err != nil {
			dialog.ShowError(err, p.u.win)
			return
		}
		p.save = nil
		p.askImagePath(w, h, f.transparent.Checked)
	}
	items := []*widget.FormItem{
		widget.NewFormItem("Size", f.size),
		widget.NewFormItem("Width", f.width),
		widget.NewFormItem("Height", f.height),
		widget.NewFormItem("", f.transparent),
	}
	f.dlg = dialog.NewForm("Save image", "Save…", "Cancel", items, func(ok bool) {
		if ok {
			f.submit()
		} else {
			p.save = nil
		}
	}, p.u.win)
	f.dlg.Resize(fyne.NewSize(380, f.dlg.MinSize().Height))
	p.save = f
	f.dlg.Show()
}

// sideValidator checks a typed width or height as the dialog is filled in.
func sideValidator(what string) fyne.StringValidator {
	return func(s string) error {
		_, err := parseSide(what, s)
		return err
	}
}

// parseImageSize reads the dialog's width and height.
func parseImageSize(width, height string) (int, int, error) {
	w, err := parseSide("width", width)
	if err != nil {
		return 0, 0, err
	}
	h, err := parseSide("height", height)
	if err != nil {
		return 0, 0, err
	}
	return w, h, nil
}

func parseSide(what, s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < minImageSide || n > viewport.MaxImageSide {
		return 0, fmt.Errorf("the %s is %d to %d pixels", what, minImageSide, viewport.MaxImageSide)
	}
	return n, nil
}

// askImagePath asks where to save the picture, then draws and writes it.
func (p *previewPanel) askImagePath(w, h int, transparent bool) {
	name := baseName(p.path) + ".png"
	write := func(dest string) {
		if !strings.EqualFold(filepath.Ext(dest), ".png") {
			dest += ".png"
		}
		p.renderImage(dest, w, h, transparent)
	}
	if p.u.dialogs == nil {
		fyneSave(p.u.win, name, write)
		return
	}
	go func() {
		dest, err := p.u.dialogs.SaveImage(name)
		p.u.goUI(func() {
			switch {
			case errors.Is(err, ErrDialogCancelled):
			case errors.Is(err, ErrNoNativeDialogs):
				fyneSave(p.u.win, name, write)
			case err != nil:
				dialog.ShowError(fmt.Errorf("the save dialog failed: %w", err), p.u.win)
			default:
				write(dest)
			}
		})
	}()
}

// imageSave is a Save image in progress.
type imageSave struct {
	progress dialog.Dialog // shown once the picture takes longer than showProgressAfter
	shown    bool
	finished bool
}

// renderImage draws the current view at w×h off the UI thread and writes it to dest as a PNG,
// atomically. A picture that takes a while shows its progress with a Cancel button.
func (p *previewPanel) renderImage(dest string, w, h int, transparent bool) {
	ctx, cancel := context.WithCancel(p.u.ctx)
	what := fmt.Sprintf("%d × %d", w, h)
	s := &imageSave{progress: dialog.NewCustom("Saving image", "Cancel", container.NewVBox(
		widget.NewLabel("Drawing "+what+" pixels…"), widget.NewProgressBarInfinite()), p.u.win)}
	s.progress.SetOnClosed(cancel)
	p.saving = s
	timer := time.AfterFunc(showProgressAfter, func() {
		p.u.goUI(func() {
			if !s.finished {
				s.shown = true
				s.progress.Show()
			}
		})
	})
	go func() {
		img, err := p.vp.RenderImage(ctx, w, h, transparent)
		if err == nil && ctx.Err() == nil {
			err = preview.WritePNG(dest, img)
		}
		cancelled := ctx.Err() != nil
		p.u.goUI(func() {
			s.finished = true
			timer.Stop()
			if s.shown {
				s.progress.Hide()
			}
			cancel()
			if p.saving == s {
				p.saving = nil
			}
			switch {
			case cancelled:
				p.setStatus("Save image cancelled.", widget.LowImportance)
			case err != nil:
				dialog.ShowError(err, p.u.win)
			default:
				p.setStatus("Saved "+providers.Printable(filepath.Base(dest))+" ("+what+")", widget.SuccessImportance)
			}
		})
	}()
}
