package views

import (
	"fmt"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/kiln3d/kiln/app"
)

// libraryPanel is the Library tab: every finished model, newest first.
type libraryPanel struct {
	u       *UI
	content fyne.CanvasObject
	list    *widget.List
	status  *widget.Label
	assets  []app.Asset // UI thread only
}

func newLibraryPanel(u *UI) *libraryPanel {
	p := &libraryPanel{u: u}
	p.list = widget.NewList(
		func() int { return len(p.assets) },
		func() fyne.CanvasObject { return newAssetRow(p) },
		func(i widget.ListItemID, o fyne.CanvasObject) { o.(*assetRow).show(p.assets[i]) },
	)
	p.status = widget.NewLabel("")
	p.status.Wrapping = fyne.TextWrapWord
	p.content = container.NewBorder(nil, p.status, nil, nil, p.list)
	return p
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
			case len(assets) == 0:
				p.status.Importance = widget.LowImportance
				p.status.SetText("Finished models appear here. The library lives in " + p.u.k.Library.Dir())
			default:
				p.status.Importance = widget.LowImportance
				p.status.SetText(fmt.Sprintf("%s in %s", plural(len(assets), "model"), p.u.k.Library.Dir()))
			}
		})
	}()
}

type assetRow struct {
	widget.BaseWidget
	panel   *libraryPanel
	asset   app.Asset
	thumb   *canvas.Image
	name    *widget.Label
	detail  *widget.Label
	content fyne.CanvasObject
}

func newAssetRow(p *libraryPanel) *assetRow {
	r := &assetRow{panel: p, thumb: newThumbImage(56)}
	r.name = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	r.detail = widget.NewLabel("")
	r.detail.Truncation = fyne.TextTruncateEllipsis
	save := widget.NewButtonWithIcon("Save as…", theme.DocumentSaveIcon(), func() { p.u.saveAs(r.asset.ModelPath(), r.asset.Name) })
	folder := widget.NewButtonWithIcon("Show in folder", theme.FolderOpenIcon(), func() { p.u.showFolder(r.asset.Dir) })
	r.content = container.NewBorder(nil, nil, r.thumb, container.NewHBox(save, folder), container.NewVBox(r.name, r.detail))
	r.ExtendBaseWidget(r)
	return r
}

// CreateRenderer implements fyne.Widget.
func (r *assetRow) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(r.content) }

func (r *assetRow) show(a app.Asset) {
	changed := r.asset.ID != a.ID
	r.asset = a
	r.name.SetText(a.Name)
	r.detail.SetText(fmt.Sprintf("%s · %d triangles · %s · %s", a.Provider, a.Triangles,
		a.Finished.Local().Format("2 Jan 2006 15:04"), filepath.Base(a.ModelPath())))
	if changed {
		var src string
		if len(a.Inputs) > 0 {
			src = filepath.Join(a.Dir, a.Inputs[0].Path)
		}
		id := a.ID
		r.panel.u.thumbs.show(r.thumb, src, func() bool { return r.asset.ID == id })
	}
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
