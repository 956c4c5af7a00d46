package views

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/kiln3d/kiln/preview"
	"github.com/kiln3d/kiln/preview/inspect"
	"github.com/kiln3d/kiln/preview/viewport"
)

// previewPanel is the Preview tab: the 3D viewport, its controls, and the model's stats.
type previewPanel struct {
	u       *UI
	content fyne.CanvasObject
	vp      *viewport.Viewport
	title   *widget.Label
	stats   *widget.Label
	warn    *widget.Label
	// asked is the polycount the model was requested at, 0 when unknown: more triangles than
	// that is worth a warning before the model goes into an engine.
	asked int
	path  string
}

func newPreviewPanel(u *UI, r preview.Renderer) *previewPanel {
	p := &previewPanel{u: u, vp: viewport.NewWithUI(r, u.goUI)}
	p.title = widget.NewLabelWithStyle("No model yet: finish a job, or press Preview on one.", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	p.title.Wrapping = fyne.TextWrapWord
	p.stats = widget.NewLabel("")
	p.stats.Wrapping = fyne.TextWrapWord
	p.warn = widget.NewLabel("")
	p.warn.Wrapping = fyne.TextWrapWord
	p.warn.Importance = widget.WarningImportance
	p.vp.OnReport = p.report
	p.vp.OnError = func(err error) {
		p.stats.SetText("")
		p.warn.Importance = widget.DangerImportance
		p.warn.SetText(err.Error())
	}

	views := container.NewGridWithColumns(3)
	for _, pr := range preview.Presets() {
		label := strings.ToUpper(string(pr[:1])) + string(pr[1:])
		if pr == preview.Iso {
			label = "3/4"
		}
		views.Add(widget.NewButton(label, func() { p.vp.SetView(pr) }))
	}
	mode := widget.NewRadioGroup([]string{"Shaded", "Clay", "Wireframe"}, func(s string) {
		if m, err := preview.ParseMode(strings.ToLower(s)); err == nil {
			p.vp.SetMode(m)
		}
	})
	mode.Horizontal = true
	mode.SetSelected("Shaded")
	bg := widget.NewRadioGroup([]string{"Dark", "Light"}, func(s string) {
		b := preview.Dark
		if s == "Light" {
			b = preview.Light
		}
		p.vp.SetBackground(b)
	})
	bg.Horizontal = true
	bg.SetSelected("Dark")
	grid := widget.NewCheck("Ground grid", p.vp.SetGrid)
	grid.SetChecked(true)
	reset := widget.NewButtonWithIcon("Reset view", theme.ViewRestoreIcon(), p.vp.Reset)
	save := widget.NewButtonWithIcon("Save image…", theme.DocumentSaveIcon(), p.saveImage)
	help := widget.NewLabel("Drag to orbit, scroll to zoom, right- or shift-drag to pan, double-click to reset.")
	help.Wrapping = fyne.TextWrapWord
	help.Importance = widget.LowImportance

	side := container.NewVBox(p.title, views, mode, bg, grid, container.NewGridWithColumns(2, reset, save),
		widget.NewSeparator(), p.stats, p.warn, help)
	p.content = container.NewBorder(nil, nil, nil, container.New(fixedWidth(340), container.NewVScroll(side)), p.vp)
	return p
}

// show loads a model; asked is the polycount requested for it (0 when unknown).
func (p *previewPanel) show(path, name string, asked int) {
	p.path, p.asked = path, asked
	p.title.SetText(name)
	p.stats.SetText("Loading…")
	p.warn.SetText("")
	p.vp.Load(path)
}

// report fills in the stats panel from what inspect measured.
func (p *previewPanel) report(r *inspect.Report) {
	size := r.SizeCM()
	var tex []string
	for _, t := range r.Textures {
		tex = append(tex, fmt.Sprintf("%d×%d", t.Width, t.Height))
	}
	texText := "none"
	if len(tex) > 0 {
		texText = fmt.Sprintf("%d (%s)", len(tex), strings.Join(tex, ", "))
	}
	fileSize := ""
	if st, err := os.Stat(p.path); err == nil {
		fileSize = humanBytes(st.Size())
	}
	p.stats.SetText(fmt.Sprintf("Triangles: %d\nVertices: %d\nMeshes: %d\nMaterials: %d\nTextures: %s\n"+
		"Size: %.1f × %.1f × %.1f cm (W × H × D)\nFile: %s",
		r.Triangles, r.Vertices, r.Meshes, r.Materials, texText, size[0], size[1], size[2], fileSize))
	warnings := append([]string(nil), r.Warnings...)
	if p.asked > 0 && r.Triangles > p.asked {
		warnings = append([]string{fmt.Sprintf("%d triangles: more than the %d asked for", r.Triangles, p.asked)}, warnings...)
	}
	p.warn.Importance = widget.WarningImportance
	p.warn.SetText(strings.Join(warnings, "\n"))
}

func (p *previewPanel) saveImage() {
	if p.vp.Frame() == nil {
		return
	}
	base := strings.TrimSuffix(filepath.Base(p.path), filepath.Ext(p.path))
	if base == "" || base == "." {
		base = "preview"
	}
	write := func(dest string) {
		if !strings.EqualFold(filepath.Ext(dest), ".png") {
			dest += ".png"
		}
		if err := p.vp.SaveImage(dest); err != nil {
			dialog.ShowError(err, p.u.win)
		}
	}
	if p.u.dialogs == nil {
		fyneSave(p.u.win, base+".png", write)
		return
	}
	go func() {
		dest, err := p.u.dialogs.SaveImage(base + ".png")
		p.u.goUI(func() {
			switch {
			case errors.Is(err, ErrDialogCancelled):
			case errors.Is(err, ErrNoNativeDialogs):
				fyneSave(p.u.win, base+".png", write)
			case err != nil:
				dialog.ShowError(err, p.u.win)
			default:
				write(dest)
			}
		})
	}()
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
