package views

import (
	"fmt"
	"slices"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/kiln3d/kiln/app"
)

// A batch (one model per image, submitted together) shows in the Jobs list as a group: a row of
// its own, where its newest job would be, with its overall progress, the counts and Cancel all,
// then its jobs, indented, in the order of their images. The batch's row folds them away.

// jobsItem is one row of the Jobs list: the job p.jobs[job], or when job is -1 the row of batch.
type jobsItem struct {
	job   int
	batch string
}

// rebuild lays the list's rows out from the jobs. It runs on the UI thread.
func (p *jobsPanel) rebuild() {
	p.members = map[string][]int{}
	for i, j := range p.jobs {
		if j.Batch != "" {
			p.members[j.Batch] = append(p.members[j.Batch], i)
		}
	}
	for _, m := range p.members {
		slices.SortStableFunc(m, func(a, b int) int { return p.jobs[a].Created.Compare(p.jobs[b].Created) })
	}
	p.items = p.items[:0]
	p.itemOf, p.headerOf = map[string]int{}, map[string]int{}
	for i, j := range p.jobs {
		if j.Batch == "" {
			p.itemOf[j.ID] = len(p.items)
			p.items = append(p.items, jobsItem{job: i})
			continue
		}
		if _, ok := p.headerOf[j.Batch]; ok {
			continue
		}
		p.headerOf[j.Batch] = len(p.items)
		p.items = append(p.items, jobsItem{job: -1, batch: j.Batch})
		if p.collapsed[j.Batch] {
			continue
		}
		for _, k := range p.members[j.Batch] {
			p.itemOf[p.jobs[k].ID] = len(p.items)
			p.items = append(p.items, jobsItem{job: k, batch: j.Batch})
		}
	}
}

// batchJobs are the jobs of batch, in the order of their images.
func (p *jobsPanel) batchJobs(batch string) []app.Job {
	idx := p.members[batch]
	out := make([]app.Job, len(idx))
	for i, k := range idx {
		out[i] = p.jobs[k]
	}
	return out
}

// fold folds a batch's jobs away under its row, or unfolds them.
func (p *jobsPanel) fold(batch string) {
	p.collapsed[batch] = !p.collapsed[batch]
	p.refresh()
}

// cancelBatch cancels every unfinished job of batch.
func (p *jobsPanel) cancelBatch(batch string) {
	p.run(func() error { return p.u.k.Jobs.CancelBatch(p.u.ctx, batch) })
}

// jobsListRow is a recycled row of the Jobs list: a job's row, or a batch's.
type jobsListRow struct {
	widget.BaseWidget
	job     *jobRow
	indent  *canvas.Rectangle // a batch's jobs stand in from its row
	batch   *batchRow
	content fyne.CanvasObject
}

func newJobsListRow(p *jobsPanel) *jobsListRow {
	r := &jobsListRow{job: newJobRow(p), batch: newBatchRow(p), indent: canvas.NewRectangle(nil)}
	r.indent.SetMinSize(fyne.NewSize(theme.Size(theme.SizeNameInlineIcon)+theme.Padding()*2, 0))
	r.indent.Hide()
	r.batch.Hide()
	r.content = container.NewStack(container.NewBorder(nil, nil, r.indent, nil, r.job), r.batch)
	r.ExtendBaseWidget(r)
	return r
}

// CreateRenderer implements fyne.Widget.
func (r *jobsListRow) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(r.content)
}

func (r *jobsListRow) show(it jobsItem) {
	if it.job < 0 {
		r.job.Hide()
		r.indent.Hide()
		r.batch.show(it.batch)
		r.batch.Show()
		return
	}
	r.batch.Hide()
	if it.batch != "" {
		r.indent.Show()
	} else {
		r.indent.Hide()
	}
	r.job.show(r.job.panel.jobs[it.job])
	r.job.Show()
}

// batchRow is a batch's row: how many of its jobs are done and failed, its overall progress, and
// Cancel all.
type batchRow struct {
	widget.BaseWidget
	panel   *jobsPanel
	id      string
	fold    *widget.Button
	title   *widget.Label
	detail  *widget.Label
	bar     *widget.ProgressBar
	cancel  *widget.Button
	compare *widget.Button // a comparison's: opens its models side by side
	content fyne.CanvasObject
}

func newBatchRow(p *jobsPanel) *batchRow {
	r := &batchRow{panel: p}
	r.fold = widget.NewButtonWithIcon("", theme.MenuDropDownIcon(), func() { p.fold(r.id) })
	r.fold.Importance = widget.LowImportance
	r.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	r.title.Truncation = fyne.TextTruncateEllipsis
	r.detail = widget.NewLabel("")
	r.detail.Truncation = fyne.TextTruncateEllipsis
	r.bar = widget.NewProgressBar()
	r.cancel = widget.NewButtonWithIcon("Cancel all", theme.CancelIcon(), func() { p.cancelBatch(r.id) })
	r.compare = widget.NewButtonWithIcon("Compare", theme.ViewFullScreenIcon(), func() { p.u.compareGroup(r.id) })
	r.compare.Hide()
	text := container.NewVBox(r.title, r.detail)
	r.content = container.NewBorder(nil, nil, container.NewCenter(r.fold), container.NewCenter(container.NewHBox(r.compare, r.cancel)),
		container.NewBorder(nil, nil, nil, container.NewCenter(container.New(fixedWidth(330), r.bar)), text))
	r.ExtendBaseWidget(r)
	return r
}

// CreateRenderer implements fyne.Widget.
func (r *batchRow) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(r.content) }

func (r *batchRow) show(batch string) {
	r.id = batch
	jobs := r.panel.batchJobs(batch)
	sum := app.SummarizeBatch(jobs)
	r.title.SetText(sum.String())
	r.bar.SetValue(sum.Share)
	switch {
	case sum.Compare:
		r.detail.SetText(comparisonDetail(r.panel, jobs))
	case len(jobs) > 0:
		first := jobs[0]
		r.detail.SetText(fmt.Sprintf("One model per image · %s · %d triangles each", r.panel.title(first.Provider), first.Request.Polycount))
	}
	if sum.Compare && r.panel.u.compare != nil {
		r.compare.Show()
		setEnabled(r.compare, sum.Done >= app.MinCompare)
	} else {
		r.compare.Hide()
	}
	if r.panel.collapsed[batch] {
		r.fold.SetIcon(theme.MenuExpandIcon())
	} else {
		r.fold.SetIcon(theme.MenuDropDownIcon())
	}
	setEnabled(r.cancel, !sum.Finished())
}

// notifyBatch announces on the desktop that a long batch ended, once: its jobs are not announced
// one by one.
func (u *UI) notifyBatch(batch string) {
	key := "batch " + batch
	jobs := u.jobs.batchJobs(batch)
	sum := app.SummarizeBatch(jobs)
	if u.notified[key] || len(jobs) == 0 || !sum.Finished() || sum.Cancelled == sum.Jobs {
		return
	}
	var began, ended time.Time
	for _, j := range jobs {
		start := j.Started
		if start.IsZero() {
			start = j.Created
		}
		if began.IsZero() || (!start.IsZero() && start.Before(began)) {
			began = start
		}
		if j.Finished.After(ended) {
			ended = j.Finished
		}
	}
	if began.IsZero() || ended.Sub(began) < notifyAfter || time.Since(ended) > time.Minute {
		return // short, or one that ended long ago (seen again when the window opens)
	}
	u.notified[key] = true
	u.fyneApp.SendNotification(fyne.NewNotification("Kiln: Batch finished", sum.String()+"."))
	u.notifications++
}
