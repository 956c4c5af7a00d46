package views

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/kiln3d/kiln/preview"
	"github.com/kiln3d/kiln/preview/inspect"
	"github.com/kiln3d/kiln/preview/viewport"
	"github.com/kiln3d/kiln/providers"
)

// previewPanel is the Preview tab: the 3D viewport, its controls, the model's stats and the
// check's report. The model on screen is watched: saved again (from Blender, say), it reloads.
type previewPanel struct {
	u       *UI
	content fyne.CanvasObject
	vp      *viewport.Viewport
	title   *widget.Label
	// status says what happened to the file lately: loading, reloaded, a reload refused.
	status *widget.Label
	stats  *widget.Label
	warn   *widget.Label
	model  *fyne.Container // the Model section: stats and warnings, hidden for a refused model
	look   *lookControls
	anim   *animControls
	check  *checkReport
	save   *saveForm  // the Save image dialog while it is open
	saving *imageSave // the picture being drawn and written
	// asked is the polycount the model was requested at, 0 when unknown: more triangles than
	// that is worth a warning before the model goes into an engine.
	asked int
	path  string
	// loading says a model is on its way: an error now is the model's refusal, not a frame's.
	loading bool
	// now tells the time for the status line (tests fix it).
	now func() time.Time
}

// previewSide is the width of the panel beside the viewport.
const previewSide = 340

func newPreviewPanel(u *UI, r preview.Renderer) *previewPanel {
	p := &previewPanel{u: u, vp: viewport.NewWithUI(r, u.goUI), now: time.Now}
	p.title = widget.NewLabelWithStyle("No model yet: finish a job, or press Preview on one.", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	p.title.Wrapping = fyne.TextWrapWord
	p.status = widget.NewLabel("")
	p.status.Wrapping = fyne.TextWrapWord
	p.status.Importance = widget.LowImportance
	p.status.Hide()
	p.stats = widget.NewLabel("")
	p.stats.Wrapping = fyne.TextWrapWord
	p.warn = widget.NewLabel("")
	p.warn.Wrapping = fyne.TextWrapWord
	p.warn.Importance = widget.WarningImportance
	p.vp.OnReport = p.report
	p.vp.OnError = p.failed
	p.vp.OnReloaded = p.reloaded
	p.model = container.NewVBox(heading("Model"), p.stats, p.warn)
	p.look = newLookControls(p, widget.NewButtonWithIcon("Save image…", theme.DocumentSaveIcon(), p.saveImage))
	p.anim = newAnimControls(p.vp)
	p.check = newCheckReport()

	help := widget.NewLabel("Drag to orbit, scroll to zoom, right- or shift-drag to pan, double-click to reset. " +
		"A model opened here reloads when its file is saved again.")
	help.Wrapping = fyne.TextWrapWord
	help.Importance = widget.LowImportance

	side := container.NewVBox(p.title, p.status,
		p.look.camera,
		heading("Look"), p.look.form,
		p.anim.box,
		p.model,
		heading("Check"), p.check.box,
		widget.NewSeparator(), help)
	panel := container.New(fixedWidth(previewSide), container.NewVScroll(side))
	p.content = newPreviewContent(container.NewBorder(nil, nil, nil, panel, p.vp), p.vp)
	return p
}

// heading starts a group of the panel's controls.
func heading(text string) fyne.CanvasObject {
	return container.NewVBox(widget.NewSeparator(),
		widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
}

// show loads a model and watches its file; asked is the polycount requested for it (0 when
// unknown).
func (p *previewPanel) show(path, name string, asked int) {
	p.path, p.asked, p.loading = path, asked, true
	p.title.SetText(providers.Printable(name))
	p.setStatus("Loading…", widget.LowImportance)
	p.stats.SetText("")
	p.setWarnings("")
	p.check.clear()
	p.anim.setClips(nil)
	p.vp.Load(path)
	p.vp.Watch(path)
}

// setStatus shows the status line, or hides it for "".
func (p *previewPanel) setStatus(text string, imp widget.Importance) {
	p.status.Importance = imp
	p.status.SetText(text)
	if text == "" {
		p.status.Hide()
	} else {
		p.status.Show()
	}
}

// setWarnings shows the model's warnings, or nothing (not even the label's space) for "".
func (p *previewPanel) setWarnings(text string) {
	p.warn.SetText(text)
	if text == "" {
		p.warn.Hide()
	} else {
		p.warn.Show()
	}
}

// report fills in the panel from what inspect measured of a model that loaded.
func (p *previewPanel) report(r *inspect.Report) {
	p.loading = false
	p.setStatus("", widget.LowImportance)
	p.model.Show()
	p.fill(r)
	p.anim.setClips(r.Animations)
}

// fill shows the stats, warnings and the check's report.
func (p *previewPanel) fill(r *inspect.Report) {
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
	anims := "none"
	if n := len(r.Animations); n > 0 {
		anims = fmt.Sprint(n)
	}
	p.stats.SetText(fmt.Sprintf("Triangles: %d\nVertices: %d\nMeshes: %d\nMaterials: %d\nTextures: %s\nAnimations: %s\n"+
		"Size: %.1f × %.1f × %.1f cm (W × H × D)\nFile: %s",
		r.Triangles, r.Vertices, r.Meshes, r.Materials, texText, anims, size[0], size[1], size[2], fileSize))
	warnings := append([]string(nil), r.Warnings...)
	if p.asked > 0 && r.Triangles > p.asked {
		warnings = append([]string{fmt.Sprintf("%d triangles: more than the %d asked for", r.Triangles, p.asked)}, warnings...)
	}
	p.setWarnings(strings.Join(warnings, "\n"))
	p.check.show(r.Issues, nil)
}

// failed shows a load's refusal in the check's report, or a frame's failure in the status line
// (a picture that could not be drawn, an environment that could not be read: the model's stats
// stand).
func (p *previewPanel) failed(err error) {
	var refused *inspect.Error
	if !p.loading && !errors.As(err, &refused) {
		p.setStatus("Could not draw: "+providers.Printable(err.Error()), widget.DangerImportance)
		return
	}
	// The reason goes at the top, where it is seen at once; the check lists it with the rest.
	p.loading = false
	p.setStatus("Refused: "+providers.Printable(err.Error()), widget.DangerImportance)
	p.stats.SetText("")
	p.setWarnings("")
	p.model.Hide()
	p.anim.setClips(nil)
	p.check.show(nil, err)
}

// reloaded answers a reload the watch made after the file changed.
func (p *previewPanel) reloaded(r *inspect.Report, err error) {
	at := p.now().Format("15:04:05")
	if err != nil {
		p.setStatus(fmt.Sprintf("Reload at %s refused: %s. The last good version stays on screen.",
			at, providers.Printable(err.Error())), widget.DangerImportance)
		return
	}
	p.loading = false
	p.setStatus("Reloaded "+at, widget.SuccessImportance)
	p.model.Show()
	p.fill(r)
	p.anim.modelChanged(r.Animations)
}

// previewContent is the Preview tab's content: it tells the viewport when the tab is hidden,
// so that an animation waits rather than drawing for nobody (tabs hide their content, not
// what is inside it).
type previewContent struct {
	widget.BaseWidget
	inner fyne.CanvasObject
	vp    *viewport.Viewport
}

func newPreviewContent(inner fyne.CanvasObject, vp *viewport.Viewport) *previewContent {
	c := &previewContent{inner: inner, vp: vp}
	c.ExtendBaseWidget(c)
	return c
}

// CreateRenderer implements fyne.Widget.
func (c *previewContent) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(c.inner)
}

// Hide implements fyne.CanvasObject.
func (c *previewContent) Hide() {
	c.BaseWidget.Hide()
	c.vp.Hide()
}

// Show implements fyne.CanvasObject.
func (c *previewContent) Show() {
	c.BaseWidget.Show()
	c.vp.Show()
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

// baseName is the model's file name without its extension, for files saved from it.
func baseName(path string) string {
	base := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	if base == "" || base == "." || base == string(filepath.Separator) {
		return "preview"
	}
	return base
}
