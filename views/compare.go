package views

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/kiln3d/kiln/app"
	"github.com/kiln3d/kiln/preview"
	"github.com/kiln3d/kiln/preview/viewport"
	"github.com/kiln3d/kiln/providers"
)

// comparePanel is the Compare tab: 2 to 4 models side by side, each in a viewport of its own,
// their cameras following one another, the same stats under each in the same order (a value that
// differs between the models in bold), and Keep under each model a comparison made. It opens when
// a comparison finishes, from a comparison's row in Jobs, or from 2 to 4 models picked in the
// Library. Its methods run on the UI thread.
type comparePanel struct {
	u           *UI
	newRenderer func() preview.Renderer
	content     fyne.CanvasObject
	title       *widget.Label
	note        *widget.Label
	mode        *widget.RadioGroup
	grid        *fyne.Container
	columns     []*compareColumn
	// seq numbers the comparisons shown: a measure that comes back after a newer one started is
	// dropped.
	seq    int
	cancel context.CancelFunc
}

// compareColumn is one model of the comparison.
type compareColumn struct {
	stats app.ModelStats
	vp    *viewport.Viewport
	name  *widget.Label
	lines []*canvas.Text
	keep  *widget.Button
}

func newComparePanel(u *UI, newRenderer func() preview.Renderer) *comparePanel {
	p := &comparePanel{u: u, newRenderer: newRenderer}
	p.title = widget.NewLabelWithStyle("Nothing to compare yet", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	p.note = widget.NewLabel("Tick Compare on the Create tab to send one set of references to several providers or " +
		"settings, or select 2 to 4 models in the Library and press Compare.")
	p.note.Wrapping = fyne.TextWrapWord
	reset := widget.NewButtonWithIcon("Reset views", theme.ViewRestoreIcon(), p.resetViews)
	// Shaded models at two polycounts can look alike: wireframe shows what the triangles are.
	p.mode = widget.NewRadioGroup([]string{"Shaded", "Clay", "Wireframe"}, func(s string) {
		if m, err := preview.ParseMode(strings.ToLower(s)); err == nil {
			for _, c := range p.columns {
				c.vp.SetMode(m)
			}
		}
	})
	p.mode.Horizontal = true
	p.mode.Required = true
	p.mode.SetSelected("Shaded")
	help := widget.NewLabel("Drag any model to orbit all of them, scroll to zoom, right- or shift-drag to pan.")
	help.Importance = widget.LowImportance
	help.Truncation = fyne.TextTruncateEllipsis
	p.grid = container.NewGridWithColumns(1)
	top := container.NewVBox(container.NewBorder(nil, nil, nil, container.NewHBox(p.mode, reset), p.title), p.note)
	p.content = container.NewBorder(top, help, nil, nil, p.grid)
	return p
}

// show measures the library's models ids off the UI thread and sets them side by side.
func (p *comparePanel) show(ids []string, title string) {
	p.seq++
	seq := p.seq
	if p.cancel != nil {
		p.cancel()
	}
	ctx, cancel := context.WithCancel(p.u.ctx)
	p.cancel = cancel
	p.title.SetText(title)
	setNote(p.note, "Measuring the models…", widget.LowImportance)
	go func() {
		stats, err := p.u.k.CompareStats(ctx, ids)
		p.u.goUI(func() {
			if seq != p.seq {
				return
			}
			if err != nil {
				setNote(p.note, "Cannot compare these models: "+providers.Printable(err.Error()), widget.DangerImportance)
				return
			}
			p.setModels(stats)
		})
	}()
}

// setModels replaces the columns with stats' models, each in a new viewport.
func (p *comparePanel) setModels(stats []app.ModelStats) {
	p.close()
	p.columns = make([]*compareColumn, len(stats))
	objects := make([]fyne.CanvasObject, len(stats))
	for i, s := range stats {
		col := &compareColumn{stats: s, vp: viewport.NewWithUI(p.newRenderer(), p.u.goUI)}
		col.vp.OnCameraMoved = func(v preview.View) { p.follow(col, v) }
		if m, err := preview.ParseMode(strings.ToLower(p.mode.Selected)); err == nil {
			col.vp.SetMode(m)
		}
		col.vp.OnError = func(err error) { setNote(p.note, providers.Printable(err.Error()), widget.DangerImportance) }
		col.name = widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
		col.name.Truncation = fyne.TextTruncateEllipsis
		col.keep = widget.NewButtonWithIcon("Keep", theme.ConfirmIcon(), func() { p.keep(col) })
		col.keep.Importance = widget.HighImportance
		look := widget.NewButtonWithIcon("Preview", theme.VisibilityIcon(), func() {
			p.u.showModel(col.stats.Asset.ModelPath(), col.stats.Asset.Name, col.stats.Asked)
		})
		// Plain text rather than labels: without a label's padding the lines stay close, and the
		// viewports keep the room.
		labels, values := container.NewVBox(), container.NewVBox()
		for _, line := range s.Lines() {
			value := canvas.NewText(line.Value, theme.Color(theme.ColorNameForeground))
			col.lines = append(col.lines, value)
			labels.Add(canvas.NewText(line.Label, theme.Color(theme.ColorNamePlaceHolder)))
			values.Add(value)
		}
		form := container.NewPadded(container.NewHBox(labels, values))
		buttons := container.NewGridWithColumns(2, col.keep, look)
		if s.Group == "" {
			col.keep.Hide() // only a comparison's model is kept
			buttons = container.NewGridWithColumns(1, look)
		}
		col.setName(s.Asset.Name)
		objects[i] = container.NewBorder(col.name, container.NewVBox(form, buttons), nil, nil, col.vp)
		p.columns[i] = col
		col.vp.Load(s.Asset.ModelPath())
	}
	p.markDifferences()
	p.grid.Objects = objects
	p.grid.Layout = layout.NewGridLayoutWithColumns(max(1, len(objects)))
	p.grid.Refresh()
	setNote(p.note, "", widget.LowImportance)
	p.note.Hide()
	for _, c := range p.columns {
		setEnabled(c.keep, !c.kept())
	}
}

// setName shows the model's name, and whether it is the one kept.
func (c *compareColumn) setName(name string) {
	c.stats.Asset.Name = name
	text := providers.Printable(name)
	c.keep.SetText("Keep")
	if c.kept() {
		text += " (kept)"
		c.keep.SetText("Kept")
	}
	c.name.SetText(text)
}

// kept reports whether the column's model is its comparison's kept one.
func (c *compareColumn) kept() bool { return c.stats.Kept() }

// markDifferences writes in bold the values that are not the same in every model, so that the
// eye goes to what differs.
func (p *comparePanel) markDifferences() {
	if len(p.columns) == 0 {
		return
	}
	for i := range p.columns[0].lines {
		differs := false
		for _, c := range p.columns[1:] {
			differs = differs || c.lines[i].Text != p.columns[0].lines[i].Text
		}
		for _, c := range p.columns {
			c.lines[i].TextStyle.Bold = differs
			c.lines[i].Refresh()
		}
	}
}

// follow moves the other viewports' cameras to where the artist moved from's.
func (p *comparePanel) follow(from *compareColumn, v preview.View) {
	for _, c := range p.columns {
		if c != from {
			c.vp.SetCamera(v)
		}
	}
}

func (p *comparePanel) resetViews() {
	for _, c := range p.columns {
		c.vp.Reset()
	}
}

// keep files col's model as the one to use (app.Keep), off the UI thread, and shows the outcome:
// its new name, and the others back in the group.
func (p *comparePanel) keep(col *compareColumn) {
	id := col.stats.Asset.ID
	setEnabled(col.keep, false)
	go func() {
		kept, err := p.u.k.Keep(p.u.ctx, id)
		var others []app.Asset
		if err == nil {
			for _, c := range p.columns {
				if c != col {
					if a, err := p.u.k.Library.Get(c.stats.Asset.ID); err == nil {
						others = append(others, a)
					}
				}
			}
		}
		p.u.goUI(func() {
			if err != nil {
				setEnabled(col.keep, !errors.Is(err, app.ErrNotCompared))
				dialog.ShowError(err, p.u.win)
				return
			}
			col.stats.Asset = kept
			for _, c := range p.columns {
				for _, a := range others {
					if a.ID == c.stats.Asset.ID {
						c.stats.Asset = a
					}
				}
			}
			for _, c := range p.columns {
				c.setName(c.stats.Asset.Name)
				setEnabled(c.keep, !c.kept())
			}
			tag := app.CompareTag(col.stats.Group)
			setNote(p.note, fmt.Sprintf("Kept %s in the Library. The other models stay there tagged %s, to look at again or delete.",
				providers.Printable(kept.Name), tag), widget.SuccessImportance)
			p.note.Show()
			// The kept model is the one selected when the artist turns to the Library.
			clear(p.u.library.selected)
			p.u.library.selected[kept.ID] = true
			p.u.library.reload()
		})
	}()
}

// close stops the viewports shown (and their renderers).
func (p *comparePanel) close() {
	for _, c := range p.columns {
		c.vp.Close()
	}
	p.columns = nil
}

// compareModels opens the Compare tab on the library's models ids.
func (u *UI) compareModels(ids []string, title string) {
	if u.compare == nil {
		return
	}
	u.compare.show(ids, title)
	u.selectTab("Compare")
}

// compareGroup opens the Compare tab on the finished models of comparison group.
func (u *UI) compareGroup(group string) {
	jobs := u.jobs.batchJobs(group)
	var ids []string
	name := ""
	for _, j := range jobs {
		if j.State == app.Done && j.AssetID != "" {
			ids = append(ids, j.AssetID)
		}
		single := j
		single.AssetName = ""
		name = single.Name()
	}
	if len(ids) < app.MinCompare {
		return
	}
	u.compareModels(ids, fmt.Sprintf("Comparison of %s: %s", providers.Printable(name), app.Plural(len(ids), "model")))
}

// comparisonEnded opens the Compare tab on a comparison that has just ended, once, when at least
// two of its models were made: the artist decides by looking, as a single job opens the Preview.
func (u *UI) comparisonEnded(group string) {
	key := "compare " + group
	sum := app.SummarizeBatch(u.jobs.batchJobs(group))
	if u.notified[key] || !sum.Finished() || sum.Done < app.MinCompare {
		return
	}
	u.notified[key] = true
	u.compareGroup(group)
}

// comparisonDetail says what a comparison sent where: "Same references · Local 2,000 · Local 500".
func comparisonDetail(p *jobsPanel, jobs []app.Job) string {
	parts := []string{"Same references"}
	for _, j := range jobs {
		parts = append(parts, app.ShortTitle(p.title(j.Provider))+" "+app.Thousands(j.Request.Polycount))
	}
	return strings.Join(parts, " · ")
}

// compareSelected sets the 2 to 4 models selected in the Library side by side.
func (p *libraryPanel) compareSelected() {
	sel := p.selection()
	if len(sel) < app.MinCompare || len(sel) > app.MaxCompare {
		return
	}
	ids := make([]string, len(sel))
	for i, e := range sel {
		ids[i] = e.ID
	}
	p.u.compareModels(ids, fmt.Sprintf("%s from the Library", app.Plural(len(ids), "model")))
}
