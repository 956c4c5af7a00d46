package views

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/kiln3d/kiln/app"
	"github.com/kiln3d/kiln/providers"
)

// libraryPanel is the Library tab: every model, newest first, including jobs imported from a
// provider's account that are still to be downloaded.
type libraryPanel struct {
	u       *UI
	content fyne.CanvasObject
	list    *widget.List
	status  *widget.Label
	assets  []app.Asset // UI thread only
	imports []*widget.Button
	// painters are the providers that can paint a model: each row offers them.
	painters []providers.Provider
	// targets are where a model can be published: each row offers them.
	targets []providers.TargetInfo
	// saidAt is when an action last said what it did in the status line (UI thread only).
	saidAt time.Time
}

func newLibraryPanel(u *UI) *libraryPanel {
	p := &libraryPanel{u: u, painters: painters(u.k)}
	for _, t := range u.k.Providers.Targets() {
		p.targets = append(p.targets, t.Describe())
	}
	p.list = widget.NewList(
		func() int { return len(p.assets) },
		func() fyne.CanvasObject { return newAssetRow(p) },
		func(i widget.ListItemID, o fyne.CanvasObject) { o.(*assetRow).show(p.assets[i]) },
	)
	p.status = widget.NewLabel("")
	p.status.Wrapping = fyne.TextWrapWord
	bar := container.NewHBox()
	for _, pr := range u.k.Providers.All() {
		if _, ok := pr.(providers.Importer); ok {
			name, title := pr.Capabilities().Name, pr.Capabilities().Title
			b := widget.NewButtonWithIcon("Import from "+title+"…", theme.DownloadIcon(), func() { p.showImport(name, title) })
			p.imports = append(p.imports, b)
			bar.Add(b)
		}
	}
	p.content = container.NewBorder(bar, p.status, nil, nil, p.list)
	return p
}

// sayFor is how long what an action said stays in the status line before a reload's count of
// models replaces it.
const sayFor = 10 * time.Second

// say puts what an action did in the status line (UI thread).
func (p *libraryPanel) say(text string) {
	p.status.Importance = widget.MediumImportance
	p.status.SetText(text)
	p.saidAt = time.Now()
}

// reload reads the library folder off the UI thread.
func (p *libraryPanel) reload() {
	go func() {
		assets, err := p.u.k.Library.List()
		p.u.goUI(func() {
			p.assets = assets
			p.list.Refresh()
			switch {
			case err != nil:
				// Damaged assets are skipped, never deleted: say which.
				p.status.Importance = widget.WarningImportance
				p.status.SetText(err.Error())
			case time.Since(p.saidAt) < sayFor:
				// What the artist just did stays said a while; the count can wait.
			case len(assets) == 0:
				p.status.Importance = widget.LowImportance
				p.status.SetText("Finished models appear here. The library lives in " + p.u.k.Library.Dir())
			default:
				p.status.Importance = widget.LowImportance
				p.status.SetText(fmt.Sprintf("%s in %s", app.Plural(len(assets), "model"), p.u.k.Library.Dir()))
			}
		})
	}()
}

// showImport asks for a date range and files the provider's jobs made in it.
func (p *libraryPanel) showImport(provider, title string) {
	since, until := widget.NewEntry(), widget.NewEntry()
	since.SetPlaceHolder("YYYY-MM-DD (empty: from the start)")
	until.SetPlaceHolder("YYYY-MM-DD (empty: until today)")
	form := []*widget.FormItem{widget.NewFormItem("From", since), widget.NewFormItem("To", until)}
	dialog.ShowForm("Import from "+title, "Import", "Cancel", form, func(ok bool) {
		if !ok {
			return
		}
		from, to, err := app.DayRange(since.Text, until.Text)
		if err != nil {
			dialog.ShowError(err, p.u.win)
			return
		}
		var found, added int
		p.u.runTask("Import from "+title, func(ctx context.Context, report progress) error {
			report(-1, "Listing your "+title+" jobs…")
			var err error
			found, added, err = p.u.k.Import(ctx, provider, from, to)
			return err
		}, func(err error) {
			p.reload()
			switch {
			case errors.Is(err, context.Canceled):
			case err != nil:
				dialog.ShowError(err, p.u.win)
			default:
				p.say(fmt.Sprintf("%s found on %s, %d new in the library.", app.Plural(found, "job"), title, added))
			}
		})
	}, p.u.win)
}

// download fetches a remote asset's model.
func (p *libraryPanel) download(a app.Asset) {
	p.u.runTask("Download "+a.Name, func(ctx context.Context, report progress) error {
		_, err := p.u.k.Download(ctx, a.ID, func(pr providers.Progress) { report(pr.Fraction, pr.Message) })
		return err
	}, func(err error) {
		if err != nil && !errors.Is(err, context.Canceled) {
			dialog.ShowError(err, p.u.win)
		}
		p.reload()
	})
}

// showReduce asks for a triangle budget and makes a reduced copy of the asset.
func (p *libraryPanel) showReduce(a app.Asset) {
	entry := widget.NewEntry()
	entry.SetText(strconv.Itoa(max(app.MinReduceTarget, a.Triangles/2)))
	entry.Validator = func(s string) error {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < app.MinReduceTarget || n >= a.Triangles {
			return fmt.Errorf("a whole number from %d to %d", app.MinReduceTarget, a.Triangles-1)
		}
		return nil
	}
	items := []*widget.FormItem{widget.NewFormItem("Triangles", entry)}
	dialog.ShowForm(fmt.Sprintf("Reduce %s (%d triangles)", a.Name, a.Triangles), "Reduce", "Cancel", items, func(ok bool) {
		if !ok {
			return
		}
		target, _ := strconv.Atoi(strings.TrimSpace(entry.Text))
		p.u.runTask("Reduce "+a.Name, func(ctx context.Context, report progress) error {
			report(0, fmt.Sprintf("Reducing to %d triangles…", target))
			_, err := p.u.k.Reduce(ctx, a.ID, target, func(f float64) { report(f, "") })
			return err
		}, func(err error) {
			if err != nil && !errors.Is(err, context.Canceled) {
				dialog.ShowError(err, p.u.win)
			}
			p.reload()
		})
	}, p.u.win)
}

// showRetexture opens the dialog that paints asset a's model with provider pr.
func (p *libraryPanel) showRetexture(a app.Asset, pr providers.Provider) {
	p.u.showRetexture(a, pr, func(j app.Job) {
		p.say(fmt.Sprintf("Submitted %s: %s paints %s; the result comes into the library as a new model.",
			providers.Printable(j.Name()), pr.Capabilities().Title, providers.Printable(a.Name)))
		p.u.selectTab("Jobs")
	})
}

// showPublish opens the dialog that publishes asset a to target.
func (p *libraryPanel) showPublish(a app.Asset, target providers.TargetInfo) {
	p.u.showPublish(a, target, func(j app.Job) {
		p.say(fmt.Sprintf("Publishing %s to %s: follow it in Jobs.", providers.Printable(a.Name), target.Title))
		p.u.selectTab("Jobs")
	})
}

// copyPublished puts the ids (or links) of what a's latest publication made on the clipboard,
// for the artist to open in the target's own console.
func (p *libraryPanel) copyPublished(a app.Asset) {
	pubs := a.PublishedTo("")
	if len(pubs) == 0 {
		return
	}
	last := pubs[len(pubs)-1]
	var refs []string
	for _, pa := range last.Assets {
		refs = append(refs, cmp.Or(pa.Link, pa.ID))
	}
	p.u.fyneApp.Clipboard().SetContent(strings.Join(refs, "\n"))
	p.say(fmt.Sprintf("Copied the %s id of %s: paste it into %s's asset browser.",
		app.Plural(len(refs), "asset"), providers.Printable(a.Name), p.u.k.Title(last.Target)))
}

// publishedText says where a was published, for the row's publication column; "" when nowhere.
func publishedText(k *app.Kiln, a app.Asset) string {
	var parts []string
	for _, pub := range a.PublishedTo("") {
		parts = append(parts, fmt.Sprintf("%s: %s, %s", k.Title(pub.Target), folderName(pub.Folder),
			pub.Published.Local().Format("2 Jan 2006 15:04")))
	}
	return providers.Printable(strings.Join(parts, " · "))
}

type assetRow struct {
	widget.BaseWidget
	panel    *libraryPanel
	asset    app.Asset
	thumb    *canvas.Image
	name     *widget.Label
	detail   *widget.Label
	download *widget.Button
	save     *widget.Button
	folder   *widget.Button
	look     *widget.Button
	reduce   *widget.Button
	texture  []*widget.Button // one per provider that can paint the model
	publish  []*widget.Button // one per target
	// published says where the model was published; open copies what that made.
	published *widget.Label
	open      *widget.Button
	content   fyne.CanvasObject
	// shownDownloaded is whether the thumbnail shown is of a downloaded model.
	shownDownloaded bool
}

func newAssetRow(p *libraryPanel) *assetRow {
	r := &assetRow{panel: p, thumb: newThumbImage(56)}
	r.name = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	r.detail = widget.NewLabel("")
	r.detail.Truncation = fyne.TextTruncateEllipsis
	r.download = widget.NewButtonWithIcon("Download", theme.DownloadIcon(), func() { p.download(r.asset) })
	r.save = widget.NewButtonWithIcon("Save as…", theme.DocumentSaveIcon(), func() { p.u.saveAs(r.asset.ModelPath(), r.asset.Name) })
	r.folder = widget.NewButtonWithIcon("Show in folder", theme.FolderOpenIcon(), func() { p.u.showFolder(r.asset.Dir) })
	r.look = widget.NewButtonWithIcon("Preview", theme.VisibilityIcon(), func() {
		p.u.showModel(r.asset.ModelPath(), r.asset.Name, r.asset.Parameters.Polycount)
	})
	if p.u.preview == nil {
		r.look.Hide()
	}
	r.reduce = widget.NewButtonWithIcon("Reduce…", theme.ZoomOutIcon(), func() { p.showReduce(r.asset) })
	bar := container.NewHBox(r.download, r.look, r.reduce)
	for _, pr := range p.painters {
		b := widget.NewButtonWithIcon(pr.Capabilities().Retexture.Title+"…", theme.ColorPaletteIcon(), func() { p.showRetexture(r.asset, pr) })
		r.texture = append(r.texture, b)
		bar.Add(b)
	}
	for _, t := range p.targets {
		b := widget.NewButtonWithIcon("Publish to "+t.Title+"…", theme.UploadIcon(), func() { p.showPublish(r.asset, t) })
		r.publish = append(r.publish, b)
		bar.Add(b)
	}
	bar.Add(r.save)
	bar.Add(r.folder)
	buttons := container.NewCenter(bar)
	r.published = widget.NewLabel("")
	r.published.Importance = widget.LowImportance
	r.published.Truncation = fyne.TextTruncateEllipsis
	r.open = widget.NewButtonWithIcon("", theme.ContentCopyIcon(), func() { p.copyPublished(r.asset) })
	// Where the model was published runs the width of the row, under its name and buttons,
	// with the action that copies what was made at its end.
	indent := container.New(fixedWidth(r.thumb.MinSize().Width), layout.NewSpacer())
	where := container.NewBorder(nil, nil, indent, container.NewHBox(r.open), r.published)
	r.content = container.NewVBox(container.NewBorder(nil, nil, r.thumb, buttons, container.NewVBox(r.name, r.detail)), where)
	r.ExtendBaseWidget(r)
	return r
}

// CreateRenderer implements fyne.Widget.
func (r *assetRow) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(r.content) }

func (r *assetRow) show(a app.Asset) {
	changed := r.asset.ID != a.ID
	r.asset = a
	r.name.SetText(providers.Printable(a.Name))
	damaged := a.Damaged != ""
	switch {
	case damaged:
		// Its files cannot be trusted: it is named with the reason, and nothing opens it.
		r.detail.SetText(fmt.Sprintf("%s · damaged: %s", a.Provider, providers.Printable(a.Damaged)))
		r.download.Hide()
	case a.Downloaded():
		r.detail.SetText(fmt.Sprintf("%s · %d triangles · %s · %s", a.Provider, a.Triangles,
			a.Finished.Local().Format("2 Jan 2006 15:04"), filepath.Base(a.ModelPath())))
		r.download.Hide()
	case a.Remote != nil:
		r.detail.SetText(fmt.Sprintf("%s · on the provider, not downloaded · %s · made %s", a.Provider,
			providers.Printable(a.Remote.Status), a.Created.Local().Format("2 Jan 2006")))
		r.download.Show()
		setEnabled(r.download, a.Remote.Ready)
	}
	usable := a.Downloaded() && !damaged
	setEnabled(r.save, usable)
	setEnabled(r.look, usable)
	setEnabled(r.reduce, usable && a.Triangles > app.MinReduceTarget)
	for _, b := range r.texture {
		setEnabled(b, usable)
	}
	for _, b := range r.publish {
		setEnabled(b, usable)
	}
	if text := publishedText(r.panel.u.k, a); text != "" && !damaged {
		last := a.PublishedTo("")
		r.published.SetText("Published on " + text)
		r.open.SetText("Open in " + r.panel.u.k.Title(last[len(last)-1].Target))
		r.open.Show()
	} else {
		r.published.SetText("")
		r.open.Hide()
	}
	setEnabled(r.folder, a.Downloaded())
	if changed || r.shownDownloaded != usable {
		r.shownDownloaded = usable
		var src string
		if len(a.Inputs) > 0 {
			src = filepath.Join(a.Dir, a.Inputs[0].Path)
		}
		id := a.ID
		want := func() bool { return r.asset.ID == id }
		if usable {
			r.panel.u.thumbs.showModel(r.thumb, r.panel.u.k, a.ID, src, want)
		} else {
			r.panel.u.thumbs.show(r.thumb, src, want)
		}
	}
}
