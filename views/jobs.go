package views

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/kiln3d/kiln/app"
	"github.com/kiln3d/kiln/providers"
)

// jobsPanel is the Jobs tab: every job, newest first, with live progress; a batch's jobs are
// grouped under a row of their own (see jobs_batch.go).
type jobsPanel struct {
	u       *UI
	content fyne.CanvasObject
	list    *widget.List
	empty   *widget.Label
	jobs    []app.Job // UI thread only, newest first

	// The list's rows: items, with where each job and each batch's row is, and the batches
	// folded away. UI thread only; rebuild makes them from jobs.
	items     []jobsItem
	itemOf    map[string]int // job id → its row
	headerOf  map[string]int // batch id → its row
	members   map[string][]int
	collapsed map[string]bool
}

func newJobsPanel(u *UI) *jobsPanel {
	p := &jobsPanel{u: u, collapsed: map[string]bool{}}
	p.list = widget.NewList(
		func() int { return len(p.items) },
		func() fyne.CanvasObject { return newJobsListRow(p) },
		func(i widget.ListItemID, o fyne.CanvasObject) { o.(*jobsListRow).show(p.items[i]) },
	)
	p.empty = widget.NewLabelWithStyle("No jobs yet. Add images on the Create tab and press Submit.",
		fyne.TextAlignCenter, fyne.TextStyle{Italic: true})
	p.content = container.NewStack(p.list, container.NewCenter(p.empty))
	return p
}

// load reads the job list from the store, off the UI thread.
func (p *jobsPanel) load() {
	go func() {
		jobs, err := p.u.k.Jobs.Jobs(context.Background())
		p.u.goUI(func() {
			if err != nil {
				dialog.ShowError(err, p.u.win)
				return
			}
			// Events may have arrived first; they are newer than what was read.
			seen := map[string]bool{}
			for _, j := range p.jobs {
				seen[j.ID] = true
			}
			for _, j := range jobs {
				if !seen[j.ID] {
					p.jobs = append(p.jobs, j)
				}
			}
			p.refresh()
		})
	}()
}

// upsert shows a changed or new job.
func (p *jobsPanel) upsert(j app.Job) {
	for i := range p.jobs {
		if p.jobs[i].ID == j.ID {
			p.jobs[i] = j
			p.refreshJob(j)
			return
		}
	}
	p.jobs = append([]app.Job{j}, p.jobs...)
	p.refresh()
}

func (p *jobsPanel) refresh() {
	if len(p.jobs) == 0 {
		p.empty.Show()
	} else {
		p.empty.Hide()
	}
	p.rebuild()
	p.list.Refresh()
}

// refreshJob redraws job j's row, and its batch's.
func (p *jobsPanel) refreshJob(j app.Job) {
	if i, ok := p.itemOf[j.ID]; ok {
		p.list.RefreshItem(i)
	}
	if i, ok := p.headerOf[j.Batch]; ok && j.Batch != "" {
		p.list.RefreshItem(i)
	}
}

// refreshRunning redraws the rows whose elapsed time is moving.
func (p *jobsPanel) refreshRunning() {
	for _, j := range p.jobs {
		if !j.State.Finished() && !j.Started.IsZero() {
			p.refreshJob(j)
		}
	}
}

// jobRow is one job in the list. Rows are recycled: show rebinds every part to a job.
type jobRow struct {
	widget.BaseWidget
	panel    *jobsPanel
	id       string
	thumb    *canvas.Image
	thumbFor string
	name     *widget.Label
	detail   *widget.Label
	state    *widget.Label
	bar      *widget.ProgressBar
	elapsed  *widget.Label
	cancel   *widget.Button
	retry    *widget.Button
	save     *widget.Button
	folder   *widget.Button
	look     *widget.Button
	// why opens the whole explanation of a failed or unconfirmed job, which the row can only
	// start to show.
	why     *widget.Button
	content fyne.CanvasObject
}

func newJobRow(p *jobsPanel) *jobRow {
	r := &jobRow{panel: p, thumb: newThumbImage(56)}
	r.name = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	r.name.Truncation = fyne.TextTruncateEllipsis
	r.detail = widget.NewLabel("")
	r.detail.Truncation = fyne.TextTruncateEllipsis
	r.state = widget.NewLabel("")
	r.bar = widget.NewProgressBar()
	r.elapsed = widget.NewLabel("")
	r.cancel = widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), func() { p.cancel(r.id) })
	r.retry = widget.NewButtonWithIcon("Retry", theme.ViewRefreshIcon(), func() { p.retry(r.id) })
	r.save = widget.NewButtonWithIcon("Save as…", theme.DocumentSaveIcon(), func() { p.saveAs(r.id) })
	r.folder = widget.NewButtonWithIcon("Show in folder", theme.FolderOpenIcon(), func() { p.showFolder(r.id) })
	r.look = widget.NewButtonWithIcon("Preview", theme.VisibilityIcon(), func() { p.preview(r.id) })
	if p.u.preview == nil {
		r.look.Hide()
	}
	r.why = widget.NewButtonWithIcon("Why?", theme.InfoIcon(), func() { p.explain(r.id) })
	r.why.Hide()
	buttons := container.NewCenter(container.NewHBox(r.why, r.cancel, r.retry, r.look, r.save, r.folder))
	status := container.NewGridWithColumns(3, r.state, r.bar, r.elapsed)
	text := container.NewVBox(r.name, r.detail)
	// The name and detail take what is left; the status and the buttons keep their size.
	r.content = container.NewBorder(nil, nil, r.thumb, buttons,
		container.NewBorder(nil, nil, nil, container.NewCenter(container.New(fixedWidth(330), status)), text))
	r.ExtendBaseWidget(r)
	return r
}

// CreateRenderer implements fyne.Widget.
func (r *jobRow) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(r.content) }

func (r *jobRow) show(j app.Job) {
	r.id = j.ID
	r.name.SetText(providers.Printable(j.Name()))
	detail := fmt.Sprintf("%s · %d triangles asked", j.Provider, j.Request.Polycount)
	publishing := j.Kind == app.KindPublish && j.Publish != nil
	if publishing {
		detail = fmt.Sprintf("Publish to %s · %s", r.panel.title(j.Provider), providers.Printable(folderName(j.Publish.Folder)))
	}
	switch {
	case j.State == app.Failed:
		detail = j.Explain(r.panel.title(j.Provider))
		r.detail.Importance = widget.DangerImportance
	case j.State == app.Unconfirmed:
		detail = providers.Printable(j.Message)
		r.detail.Importance = widget.WarningImportance
	case j.State == app.Done && publishing:
		detail = providers.Printable(j.Message)
		r.detail.Importance = widget.MediumImportance
	case j.State == app.Done:
		detail = fmt.Sprintf("%s · %d triangles", j.Provider, j.Triangles)
		for _, n := range j.Notes { // how the provider made it: the shape it chose, a mirrored back
			detail += " · " + providers.Printable(n)
		}
		r.detail.Importance = widget.MediumImportance
	case j.Message != "":
		detail += " · " + providers.Printable(j.Message)
		r.detail.Importance = widget.MediumImportance
	default:
		r.detail.Importance = widget.MediumImportance
	}
	r.detail.SetText(detail)
	r.state.SetText(stateText(j.State))
	r.bar.SetValue(j.Share())
	r.elapsed.SetText(app.ElapsedText(j.Elapsed(time.Now())))
	// An unconfirmed job may have reached its provider: the artist decides between sending it
	// again and marking it as failed, in place of Retry and Cancel.
	if j.State == app.Unconfirmed {
		r.retry.SetText("Submit again…")
		r.cancel.SetText("Mark as failed")
	} else {
		r.retry.SetText("Retry")
		r.cancel.SetText("Cancel")
	}
	if j.State == app.Failed || j.State == app.Unconfirmed {
		r.why.Show()
	} else {
		r.why.Hide()
	}
	setEnabled(r.cancel, !j.State.Finished())
	setEnabled(r.retry, j.State == app.Failed || j.State == app.Cancelled || j.State == app.Unconfirmed)
	// A failed or unconfirmed job has no model, and its row needs the room for why: the model's
	// buttons show only where a model may come.
	hasModel := j.State == app.Done && len(j.Files) > 0
	for _, b := range []*widget.Button{r.save, r.folder, r.look} {
		setEnabled(b, hasModel)
		if (j.State == app.Failed || j.State == app.Unconfirmed) || (b == r.look && r.panel.u.preview == nil) {
			b.Hide()
		} else {
			b.Show()
		}
	}
	var src string
	if len(j.Request.Images) > 0 {
		src = j.Request.Images[0].Path
	}
	// A finished job shows its model; until then, its first image.
	key := j.ID + "/" + string(j.State)
	if j.State != app.Done {
		key = j.ID
	}
	if key != r.thumbFor {
		r.thumbFor = key
		id := j.ID
		want := func() bool { return r.id == id }
		switch {
		case publishing:
			// A publication shows the model it publishes from the start.
			r.panel.u.thumbs.showModel(r.thumb, r.panel.u.k, j.Origin, src, want)
		case j.State == app.Done && j.AssetID != "":
			r.panel.u.thumbs.showModel(r.thumb, r.panel.u.k, j.AssetID, src, want)
		default:
			r.panel.u.thumbs.show(r.thumb, src, want)
		}
	}
}

func (p *jobsPanel) find(id string) (app.Job, bool) {
	for _, j := range p.jobs {
		if j.ID == id {
			return j, true
		}
	}
	return app.Job{}, false
}

func (p *jobsPanel) cancel(id string) {
	unsure := false
	if j, ok := p.find(id); ok && j.State == app.Unconfirmed {
		unsure = true
	}
	go func() {
		var err error
		if unsure {
			_, err = p.u.k.Jobs.MarkFailed(id)
		} else {
			err = p.u.k.Jobs.Cancel(id)
		}
		if err != nil {
			p.u.goUI(func() { dialog.ShowError(err, p.u.win) })
		}
	}()
}

func (p *jobsPanel) retry(id string) {
	j, ok := p.find(id)
	if ok && j.State == app.Unconfirmed {
		title := p.title(j.Provider)
		dialog.ShowConfirm("Submit again?",
			fmt.Sprintf("This job may already have reached %s. If your %s account shows it, sending it again\n"+
				"makes a second job, which may be charged twice. Send it again?", title, title),
			func(yes bool) {
				if yes {
					p.run(func() error { _, err := p.u.k.Jobs.SubmitAgain(id); return err })
				}
			}, p.u.win)
		return
	}
	p.run(func() error { _, err := p.u.k.Jobs.Retry(id); return err })
}

// explain shows the whole of what a failed or unconfirmed job says, wrapped, in a dialog.
func (p *jobsPanel) explain(id string) {
	j, ok := p.find(id)
	if !ok {
		return
	}
	title, text := "Why this job failed", j.Explain(p.title(j.Provider))
	if j.State == app.Unconfirmed {
		title, text = "Did "+p.title(j.Provider)+" receive this job?", providers.Printable(j.Message)
	}
	if j.Remote.ID != "" {
		text += "\n\n" + p.title(j.Provider) + "'s id for it: " + providers.Printable(j.Remote.ID)
	}
	label := widget.NewLabel(text)
	label.Wrapping = fyne.TextWrapWord
	scroll := container.NewVScroll(label)
	scroll.SetMinSize(fyne.NewSize(520, 160))
	dialog.ShowCustom(title, "Close", scroll, p.u.win)
}

// run does f off the UI thread and shows its error.
func (p *jobsPanel) run(f func() error) {
	go func() {
		if err := f(); err != nil {
			p.u.goUI(func() { dialog.ShowError(err, p.u.win) })
		}
	}()
}

// title is the name an artist reads for provider (or target).
func (p *jobsPanel) title(provider string) string { return p.u.k.Title(provider) }

func (p *jobsPanel) saveAs(id string) {
	if j, ok := p.model(id); ok {
		p.u.saveAs(j.Files[0], j.Name())
	}
}

func (p *jobsPanel) preview(id string) {
	if j, ok := p.model(id); ok {
		p.u.showModel(j.Files[0], j.Name(), j.Request.Polycount)
	}
}

func (p *jobsPanel) showFolder(id string) {
	if j, ok := p.model(id); ok {
		p.u.showFolder(filepath.Dir(j.Files[0]))
	}
}

// model is job id when its model is still where the job left it; otherwise it says where the
// model went (the library's trash) and returns false.
func (p *jobsPanel) model(id string) (app.Job, bool) {
	j, ok := p.find(id)
	if !ok || len(j.Files) == 0 {
		return j, false
	}
	if _, err := os.Stat(j.Files[0]); err == nil {
		return j, true
	}
	msg := fmt.Sprintf("The model of %s is no longer in the library.", providers.Printable(j.Name()))
	if j.AssetID != "" && p.u.k.Library.InTrash(j.AssetID) {
		msg = fmt.Sprintf("%s is in the trash: restore it from the Library's Trash to open it.", providers.Printable(j.Name()))
	}
	dialog.ShowInformation("Model not found", msg, p.u.win)
	return j, false
}

func stateText(s app.State) string {
	switch s {
	case app.Queued:
		return "Queued"
	case app.Submitting:
		return "Submitting"
	case app.Unconfirmed:
		return "Unconfirmed"
	case app.Running:
		return "Running"
	case app.Downloading:
		return "Downloading"
	case app.Done:
		return "Done"
	case app.Failed:
		return "Failed"
	case app.Cancelled:
		return "Cancelled"
	}
	return string(s)
}

func setEnabled(b *widget.Button, on bool) {
	if on {
		b.Enable()
	} else {
		b.Disable()
	}
}
