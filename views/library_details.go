package views

import (
	"cmp"
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/kiln3d/kiln/app"
	"github.com/kiln3d/kiln/providers"
)

// detailsPane shows the selected asset: a larger picture, what it was made from and with, its
// files and lineage, and every action. With several selected it offers what applies to all.
type detailsPane struct {
	p       *libraryPanel
	content fyne.CanvasObject
	box     *fyne.Container

	// asset is the single selected asset as its folder says (UI thread only); zero with none or
	// several.
	asset    app.Asset
	parent   *app.Entry
	children []app.Entry
	// shown is the selection the pane was last asked to show; loaded the one it shows.
	shown, loaded string

	pic      *canvas.Image
	title    *widget.Label
	state    *widget.Label
	download *widget.Button
	look     *widget.Button
	reduce   *widget.Button
	texture  []*widget.Button // one per provider that can paint the model
	publish  []*widget.Button // one per target
	save     *widget.Button
	export   *widget.Button
	folder   *widget.Button
	rename   *widget.Button
	tags     *widget.Button
	notes    *widget.Button
	dup      *widget.Button
	del      *widget.Button
	// open copies what the latest publication made.
	open   *widget.Button
	facts  *fyne.Container
	inputs *fyne.Container
	// The actions for several assets at once.
	multiTitle  *widget.Label
	multiTags   *widget.Button
	multiSave   *widget.Button
	multiExport *widget.Button
	multiDel    *widget.Button
	// multiCompare sets 2 to 4 selected models side by side (the Compare tab).
	multiCompare *widget.Button
	single       *fyne.Container
	multi        *fyne.Container
	empty        *widget.Label
}

// detailPicture is the side of the pane's picture.
const detailPicture = 220

func newDetailsPane(p *libraryPanel) *detailsPane {
	d := &detailsPane{p: p, pic: newThumbImage(detailPicture)}
	u := p.u
	d.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	d.title.Wrapping = fyne.TextWrapWord
	d.state = widget.NewLabel("")
	d.state.Wrapping = fyne.TextWrapWord
	d.download = widget.NewButtonWithIcon("Download", theme.DownloadIcon(), func() { p.download(d.asset) })
	d.look = widget.NewButtonWithIcon("Preview", theme.VisibilityIcon(), func() { d.preview() })
	d.reduce = widget.NewButtonWithIcon("Reduce…", theme.ZoomOutIcon(), func() { p.showReduce(d.asset) })
	d.export = widget.NewButtonWithIcon("Export…", theme.MailForwardIcon(), func() { u.showExport(p.selection()) })
	d.save = widget.NewButtonWithIcon("Save as…", theme.DocumentSaveIcon(), func() { u.saveAs(d.asset.ModelPath(), d.asset.Name) })
	d.folder = widget.NewButtonWithIcon("Show in folder", theme.FolderOpenIcon(), func() { u.showFolder(d.asset.Dir) })
	d.rename = widget.NewButtonWithIcon("Rename…", theme.DocumentCreateIcon(), func() { p.showRename(d.asset) })
	d.tags = widget.NewButtonWithIcon("Tags…", theme.ListIcon(), func() { p.showTags(p.selection()) })
	d.notes = widget.NewButtonWithIcon("Notes…", theme.FileTextIcon(), func() { p.showNotes(d.asset) })
	d.dup = widget.NewButtonWithIcon("Duplicate", theme.ContentCopyIcon(), func() { p.duplicate(d.asset) })
	d.del = widget.NewButtonWithIcon("Delete", theme.DeleteIcon(), func() { p.deleteSelected() })
	d.del.Importance = widget.DangerImportance
	actions := []fyne.CanvasObject{d.download, d.look, d.reduce}
	for _, pr := range p.painters {
		b := widget.NewButtonWithIcon(pr.Capabilities().Retexture.Title+"…", theme.ColorPaletteIcon(), func() { p.showRetexture(d.asset, pr) })
		d.texture = append(d.texture, b)
		actions = append(actions, b)
	}
	for _, t := range p.targets {
		b := widget.NewButtonWithIcon("Publish to "+t.Title+"…", theme.UploadIcon(), func() { p.showPublish(d.asset, t) })
		d.publish = append(d.publish, b)
		actions = append(actions, b)
	}
	d.open = widget.NewButtonWithIcon("", theme.ContentCopyIcon(), func() { p.copyPublished(d.asset) })
	actions = append(actions, d.open, d.export, d.save, d.folder, d.rename, d.tags, d.notes, d.dup, d.del)
	d.facts = container.New(&factsLayout{})
	d.inputs = container.NewGridWrap(fyne.NewSquareSize(72))
	d.single = container.NewVBox(
		container.NewCenter(d.pic), d.title, d.state,
		container.NewGridWithColumns(2, actions...),
		widget.NewSeparator(), d.facts,
		widget.NewLabelWithStyle("Inputs", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), d.inputs,
	)
	d.multiTitle = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	d.multiTags = widget.NewButtonWithIcon("Tags…", theme.ListIcon(), func() { p.showTags(p.selection()) })
	d.multiExport = widget.NewButtonWithIcon("Export…", theme.MailForwardIcon(), func() { u.showExport(p.selection()) })
	d.multiSave = widget.NewButtonWithIcon("Save copies to a folder…", theme.DocumentSaveIcon(), func() { p.saveCopies(p.selection()) })
	d.multiDel = widget.NewButtonWithIcon("Delete", theme.DeleteIcon(), func() { p.deleteSelected() })
	d.multiDel.Importance = widget.DangerImportance
	d.multiCompare = widget.NewButtonWithIcon("Compare", theme.ViewFullScreenIcon(), func() { p.compareSelected() })
	d.multi = container.NewVBox(d.multiTitle, d.multiCompare, d.multiTags, d.multiExport, d.multiSave, d.multiDel)
	if u.compare == nil {
		d.multiCompare.Hide() // no renderer, no viewports
	}
	d.empty = widget.NewLabel("Select a model to see its details. Ctrl-click or Shift-click selects several.")
	d.empty.Wrapping = fyne.TextWrapWord
	d.empty.Importance = widget.LowImportance
	d.box = container.NewStack(d.empty)
	d.content = container.NewVScroll(container.NewPadded(d.box))
	return d
}

// update shows the selection: nothing, one asset (read from its folder off the UI thread) or
// several.
func (d *detailsPane) update() {
	sel := d.p.selection()
	key := fmt.Sprintf("%v", sel) // what the index says of each: a change shows anew
	if key == d.shown {
		return
	}
	d.shown = key
	switch len(sel) {
	case 0:
		d.asset, d.loaded = app.Asset{}, key
		d.box.Objects = []fyne.CanvasObject{d.empty}
		d.box.Refresh()
	case 1:
		d.load(sel[0])
	default:
		d.asset = app.Asset{}
		usable := 0
		for _, e := range sel {
			if e.Usable() {
				usable++
			}
		}
		d.multiTitle.SetText(fmt.Sprintf("%s selected", app.Plural(len(sel), "model")))
		setEnabled(d.multiSave, usable > 0)
		setEnabled(d.multiExport, usable > 0)
		setEnabled(d.multiCompare, usable == len(sel) && len(sel) <= app.MaxCompare)
		d.box.Objects = []fyne.CanvasObject{d.multi}
		d.box.Refresh()
		d.loaded = key
	}
}

// load reads the asset, its parent and what was made from it, then shows them.
func (d *detailsPane) load(e app.Entry) {
	k, key := d.p.u.k, d.shown
	go func() {
		ctx := context.Background()
		a, err := k.Library.Get(e.ID)
		if err != nil {
			a = app.Asset{ID: e.ID, Name: e.Name, Dir: e.Dir, Damaged: err.Error()}
		}
		var parent *app.Entry
		if a.DerivedFrom != nil {
			if found, err := k.Library.Entry(ctx, a.DerivedFrom.Asset); err == nil {
				parent = &found
			}
		}
		children, _ := k.Library.Derived(ctx, e.ID)
		d.p.u.goUI(func() {
			if d.shown != key {
				return // the selection changed meanwhile
			}
			d.asset, d.parent, d.children = a, parent, children
			d.showAsset(e)
			d.loaded = key
		})
	}()
}

// showAsset builds the pane for d.asset (UI thread).
func (d *detailsPane) showAsset(e app.Entry) {
	a, k := d.asset, d.p.u.k
	d.title.SetText(providers.Printable(a.Name))
	damaged := a.Damaged != ""
	switch {
	case damaged:
		d.state.Importance = widget.WarningImportance
		d.state.SetText("Damaged: " + providers.Printable(a.Damaged) + ". Kiln will not open it; fix or delete the folder.")
	case a.Remote != nil && !a.Downloaded():
		d.state.Importance = widget.MediumImportance
		d.state.SetText(fmt.Sprintf("On %s, not downloaded (%s).", k.Title(a.Provider), providers.Printable(a.Remote.Status)))
	default:
		d.state.Importance = widget.LowImportance
		d.state.SetText(fmt.Sprintf("%s triangles · %s", app.Thousands(a.Triangles), app.ByteSize(e.Bytes)))
	}
	usable := a.Downloaded() && !damaged
	if a.Remote != nil && !a.Downloaded() && !damaged {
		d.download.Show()
		setEnabled(d.download, a.Remote.Ready)
	} else {
		d.download.Hide()
	}
	setEnabled(d.look, usable)
	if d.p.u.preview == nil { // the window has no 3D preview (made after this pane)
		d.look.Hide()
	} else {
		d.look.Show()
	}
	setEnabled(d.save, usable)
	setEnabled(d.export, usable)
	setEnabled(d.reduce, usable && a.Triangles > app.MinReduceTarget)
	setEnabled(d.dup, usable)
	setEnabled(d.rename, !damaged)
	setEnabled(d.tags, !damaged)
	setEnabled(d.notes, !damaged)
	setEnabled(d.folder, true)
	for _, b := range d.texture {
		setEnabled(b, usable)
	}
	for _, b := range d.publish {
		setEnabled(b, usable)
	}
	if last := a.PublishedTo(""); len(last) > 0 && !damaged {
		d.open.SetText("Copy the " + k.Title(last[len(last)-1].Target) + " id")
		d.open.Show()
	} else {
		d.open.Hide()
	}
	d.showFacts(a)
	d.showInputs(a)
	id, hash := a.ID, e.ModelHash
	d.p.u.thumbs.showEntry(d.p.u.ctx, d.pic, k, e, func() bool { return d.asset.ID == id && d.p.selectedHash(id) == hash })
	d.box.Objects = []fyne.CanvasObject{d.single}
	d.box.Refresh()
}

// selectedHash is the model hash of the shown entry id ("" when not shown).
func (p *libraryPanel) selectedHash(id string) string {
	for _, e := range p.entries {
		if e.ID == id {
			return e.ModelHash
		}
	}
	return ""
}

// showFacts lists what is known of the asset, one line each, values escaped.
func (d *detailsPane) showFacts(a app.Asset) {
	k := d.p.u.k
	var rows []fyne.CanvasObject
	add := func(label, value string) {
		if value == "" {
			return
		}
		l := widget.NewLabelWithStyle(label, fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
		v := widget.NewLabel(providers.Printable(value))
		v.Wrapping = fyne.TextWrapWord
		v.Selectable = true
		rows = append(rows, l, v)
	}
	link := func(label string, e app.Entry) {
		b := widget.NewButton(providers.Printable(e.Name), func() {
			if !d.p.selectID(e.ID) {
				d.p.say(fmt.Sprintf("%s is hidden by the search or the filters.", providers.Printable(e.Name)))
			}
		})
		b.Importance = widget.LowImportance
		b.Alignment = widget.ButtonAlignLeading
		rows = append(rows, widget.NewLabelWithStyle(label, fyne.TextAlignTrailing, fyne.TextStyle{Bold: true}), b)
	}
	add("Provider", providerLabel(k, a.Provider))
	add("Credential", a.Credential)
	add("Project", a.Parameters.ProjectID)
	if a.Parameters.Polycount > 0 {
		add("Polycount asked", app.Thousands(a.Parameters.Polycount))
	}
	add("Size asked", sizeText(a.Parameters.Size))
	add("How it was made", strings.Join(a.Made, "\n"))
	add("Prompt", a.Parameters.Prompt)
	if len(a.Parameters.Options) > 0 {
		var opts []string
		for key, v := range a.Parameters.Options {
			opts = append(opts, key+"="+v)
		}
		sort.Strings(opts)
		add("Options", strings.Join(opts, ", "))
	}
	if a.Parameters.Cost > 0 {
		add("Cost", fmt.Sprintf("%g credits", a.Parameters.Cost))
	}
	if !a.Created.IsZero() {
		add("Created", a.Created.Local().Format("2 Jan 2006 15:04"))
	}
	if !a.Finished.IsZero() {
		add("In the library", a.Finished.Local().Format("2 Jan 2006 15:04"))
	}
	add("Tags", strings.Join(a.Tags, ", "))
	add("Notes", a.Notes)
	for i, f := range a.Files {
		label := "File"
		if i == 0 {
			label = "Model"
		}
		add(label, fmt.Sprintf("%s · %s · SHA-256 %s", f.Path, app.ByteSize(f.Bytes), shortHash(f.SHA256)))
	}
	if a.DerivedFrom != nil {
		how := cmp.Or(a.DerivedFrom.Operation, "made")
		if d.parent != nil {
			link("Made from ("+how+")", *d.parent)
		} else {
			add("Made from ("+how+")", a.DerivedFrom.Asset+" (no longer in the library)")
		}
	}
	for _, c := range d.children {
		link("Made from it", c)
	}
	add("Published on", publishedText(k, a))
	add("Id", a.ID)
	add("Folder", a.Dir)
	d.facts.Objects = rows
	d.facts.Refresh()
}

// sizeText writes a real size asked for: "height 30 cm · width 12 cm".
func sizeText(s providers.Dimensions) string {
	var parts []string
	for _, d := range []struct {
		name string
		cm   float64
	}{{"height", s.HeightCM}, {"width", s.WidthCM}, {"depth", s.DepthCM}} {
		if d.cm > 0 {
			parts = append(parts, fmt.Sprintf("%s %g cm", d.name, d.cm))
		}
	}
	if s.Default && len(parts) > 0 {
		parts[len(parts)-1] += " (the default)"
	}
	return strings.Join(parts, " · ")
}

func shortHash(h string) string {
	if len(h) > 12 {
		return h[:12] + "…"
	}
	return h
}

// showInputs shows the input images' thumbnails, each with its view.
func (d *detailsPane) showInputs(a app.Asset) {
	d.inputs.Objects = nil
	for _, in := range a.Inputs {
		img := newThumbImage(56)
		path := filepath.Join(a.Dir, in.Path)
		d.p.u.thumbs.show(img, path, func() bool { return d.asset.ID == a.ID })
		caption := cmp.Or(in.View, filepath.Base(in.Path))
		if in.Role == app.RoleCutOut {
			caption = "cut-out"
			if in.View != "" {
				caption = in.View + " cut-out"
			}
		}
		label := widget.NewLabel(providers.Printable(caption))
		label.Truncation = fyne.TextTruncateEllipsis
		label.Alignment = fyne.TextAlignCenter
		d.inputs.Add(container.NewBorder(nil, label, nil, nil, img))
	}
	if len(a.Inputs) == 0 {
		none := widget.NewLabel("none")
		none.Importance = widget.LowImportance
		d.inputs.Add(none)
	}
	d.inputs.Refresh()
}

// preview opens the selected asset in the Preview tab.
func (d *detailsPane) preview() {
	if d.asset.ModelPath() != "" && d.asset.Damaged == "" {
		d.p.u.showModel(d.asset.ModelPath(), d.asset.Name, d.asset.Parameters.Polycount)
	}
}

// menu is the selection's actions as a menu (a tile's right click).
func (d *detailsPane) menu() *fyne.Menu {
	p := d.p
	sel := p.selection()
	item := func(label string, on bool, action func()) *fyne.MenuItem {
		it := fyne.NewMenuItem(label, action)
		it.Disabled = !on
		return it
	}
	if len(sel) != 1 {
		usable := slices.ContainsFunc(sel, func(e app.Entry) bool { return e.Usable() })
		return fyne.NewMenu("",
			item("Tags…", len(sel) > 0, func() { p.showTags(p.selection()) }),
			item("Save copies to a folder…", usable, func() { p.saveCopies(p.selection()) }),
			fyne.NewMenuItemSeparator(),
			item("Delete", len(sel) > 0, p.deleteSelected))
	}
	e := sel[0]
	ok := e.State != app.StateDamaged
	// The asset may not be loaded yet: the menu's actions read it first.
	with := func(act func(app.Asset)) func() {
		return func() {
			if a, err := p.u.k.Library.Get(e.ID); err == nil {
				act(a)
			}
		}
	}
	return fyne.NewMenu("",
		item("Preview", e.Usable() && p.u.preview != nil, with(func(a app.Asset) { p.u.showModel(a.ModelPath(), a.Name, a.Parameters.Polycount) })),
		item("Rename…", ok, with(p.showRename)),
		item("Tags…", ok, func() { p.showTags(p.selection()) }),
		item("Notes…", ok, with(p.showNotes)),
		item("Duplicate", e.Usable(), with(p.duplicate)),
		item("Export…", e.Usable(), func() { p.u.showExport(p.selection()) }),
		item("Save as…", e.Usable(), with(func(a app.Asset) { p.u.saveAs(a.ModelPath(), a.Name) })),
		item("Show in folder", true, func() { p.u.showFolder(e.Dir) }),
		fyne.NewMenuItemSeparator(),
		item("Delete", true, p.deleteSelected))
}

// factsLayout lays label–value pairs in two columns: the labels as wide as the widest, the values
// the rest, each row as tall as its taller cell.
type factsLayout struct{}

func (factsLayout) label(objects []fyne.CanvasObject) float32 {
	var w float32
	for i := 0; i+1 < len(objects); i += 2 {
		w = max(w, objects[i].MinSize().Width)
	}
	return w
}

func (f factsLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	lw := f.label(objects)
	pad := theme.Padding()
	y := float32(0)
	for i := 0; i+1 < len(objects); i += 2 {
		vw := max(0, size.Width-lw-pad)
		objects[i+1].Resize(fyne.NewSize(vw, objects[i+1].MinSize().Height))
		h := max(objects[i].MinSize().Height, objects[i+1].MinSize().Height)
		objects[i].Move(fyne.NewPos(0, y))
		objects[i].Resize(fyne.NewSize(lw, objects[i].MinSize().Height))
		objects[i+1].Move(fyne.NewPos(lw+pad, y))
		y += h
	}
}

func (f factsLayout) MinSize(objects []fyne.CanvasObject) fyne.Size {
	lw := f.label(objects)
	var h, vw float32
	for i := 0; i+1 < len(objects); i += 2 {
		h += max(objects[i].MinSize().Height, objects[i+1].MinSize().Height)
		vw = max(vw, min(objects[i+1].MinSize().Width, 160))
	}
	return fyne.NewSize(lw+theme.Padding()+vw, h)
}
