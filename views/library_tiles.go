package views

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/kiln3d/kiln/app"
	"github.com/kiln3d/kiln/providers"
)

// assetTile is one library entry: in the grid, its picture with the name under it; in the list,
// a compact row of picture, name and figures. A click selects it (with Ctrl: adds or takes it
// away; with Shift: the range); a right click offers its actions.
type assetTile struct {
	widget.BaseWidget
	p      *libraryPanel
	row    bool
	index  int
	entry  app.Entry
	bg     *canvas.Rectangle
	thumb  *canvas.Image
	name   *widget.Label
	detail *widget.Label
	// cancel stops the picture being made for the entry shown before.
	cancel context.CancelFunc
	// mods are the keys held at the last mouse press.
	mods    fyne.KeyModifier
	content fyne.CanvasObject
}

// rowThumb is the side of a list row's picture; rowName the width of its name.
const (
	rowThumb = 36
	rowName  = 240
)

func newAssetTile(p *libraryPanel, row bool) *assetTile {
	t := &assetTile{p: p, row: row, index: -1, bg: canvas.NewRectangle(theme.Color(theme.ColorNameSelection))}
	t.bg.CornerRadius = theme.InputRadiusSize()
	t.bg.Hide()
	t.name = widget.NewLabel("")
	t.name.Truncation = fyne.TextTruncateEllipsis
	if row {
		t.thumb = newThumbImage(rowThumb)
		t.name.TextStyle.Bold = true
		t.detail = widget.NewLabel("")
		t.detail.Truncation = fyne.TextTruncateEllipsis
		t.detail.Importance = widget.LowImportance
		// The name in a column of its own; the figures have the rest of the row.
		cols := container.NewBorder(nil, nil, container.New(fixedWidth(rowName), t.name), nil, t.detail)
		t.content = container.NewStack(t.bg, container.NewBorder(nil, nil, t.thumb, nil, cols))
	} else {
		t.thumb = newThumbImage(p.tile)
		t.name.Alignment = fyne.TextAlignCenter
		// The selection's colour frames the picture and runs under the name.
		t.content = container.NewStack(t.bg, container.NewBorder(nil, t.name, nil, nil, container.NewPadded(t.thumb)))
	}
	t.ExtendBaseWidget(t)
	return t
}

// CreateRenderer implements fyne.Widget.
func (t *assetTile) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(t.content) }

// MouseDown implements desktop.Mouseable: it notes the modifier keys for the tap that follows.
func (t *assetTile) MouseDown(e *desktop.MouseEvent) { t.mods = e.Modifier }

// MouseUp implements desktop.Mouseable.
func (t *assetTile) MouseUp(*desktop.MouseEvent) {}

// Tapped implements fyne.Tappable.
func (t *assetTile) Tapped(*fyne.PointEvent) {
	mods := t.mods
	t.mods = 0
	t.p.clicked(t.index, mods)
}

// TappedSecondary implements fyne.SecondaryTappable: the tile's actions in a menu.
func (t *assetTile) TappedSecondary(e *fyne.PointEvent) {
	if !t.p.selected[t.entry.ID] {
		t.p.clicked(t.index, 0)
	}
	menu := t.p.details.menu()
	widget.ShowPopUpMenuAtPosition(menu, t.p.u.win.Canvas(), e.AbsolutePosition)
}

func (t *assetTile) show(i int, e app.Entry) {
	changed := t.entry.ID != e.ID || t.entry.ModelHash != e.ModelHash || t.entry.State != e.State || t.entry.Picture != e.Picture
	t.index, t.entry = i, e
	if t.p.selected[e.ID] {
		t.bg.Show()
	} else {
		t.bg.Hide()
	}
	name := providers.Printable(e.Name)
	if e.State == app.StateDamaged {
		name = "⚠ " + name
		t.name.Importance = widget.WarningImportance
	} else {
		t.name.Importance = widget.MediumImportance
	}
	t.name.SetText(name)
	if t.row {
		t.detail.SetText(entrySummary(t.p.u.k, e))
	}
	if !t.row && t.thumb.MinSize().Width != t.p.tile {
		t.thumb.SetMinSize(fyne.NewSquareSize(t.p.tile))
	}
	if changed {
		if t.cancel != nil {
			t.cancel()
		}
		ctx, cancel := context.WithCancel(t.p.u.ctx)
		t.cancel = cancel
		id, hash := e.ID, e.ModelHash
		want := func() bool { return t.entry.ID == id && t.entry.ModelHash == hash }
		t.p.u.thumbs.showEntry(ctx, t.thumb, t.p.u.k, e, want)
	}
}

// entrySummary is a list row's figures: provider, triangles, date, size, tags, or why it is
// damaged.
func entrySummary(k *app.Kiln, e app.Entry) string {
	parts := []string{providerLabel(k, e.Provider)}
	switch e.State {
	case app.StateDamaged:
		parts = append(parts, "damaged: "+e.Damaged)
	case app.StateRemote:
		parts = append(parts, "on the provider, not downloaded")
	default:
		parts = append(parts, fmt.Sprintf("%s triangles", app.Thousands(e.Triangles)), app.ByteSize(e.Bytes))
	}
	parts = append(parts, e.Finished.Local().Format("2 Jan 2006"))
	if e.Published {
		parts = append(parts, "published")
	}
	if len(e.Tags) > 0 {
		parts = append(parts, "#"+strings.Join(e.Tags, " #"))
	}
	return providers.Printable(strings.Join(parts, " · "))
}
