package views

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/kiln3d/kiln/app"
	"github.com/kiln3d/kiln/providers"
)

// libraryPanel is the Library tab: every model as a grid of pictures or a compact list, searched
// as the artist types and filtered, with the selected model's details and actions beside it.
// The core's index answers every query (app.Library.Find); the panel only shows.
type libraryPanel struct {
	u       *UI
	content fyne.CanvasObject

	search                         *widget.Entry
	provider, state, when, tag, by *widget.Select
	providerNames                  []string // the provider select's options' names, "" for all
	gridButton, listButton         *widget.Button
	tileSize                       *widget.Slider
	add, addFolder, trash          *widget.Button
	imports                        []*widget.Button

	grid    *widget.GridWrap
	list    *widget.List
	body    *fyne.Container
	details *detailsPane
	status  *widget.Label
	undo    *widget.Button

	// entries are what the query found, in its order (UI thread only).
	entries []app.Entry
	// total is how many assets the library holds, filters aside; filtersGen the library's
	// generation the filters' choices and total were read at (-1: never).
	total      int
	filtersGen int64
	// selected are the ids of the selected entries; anchor the index a Shift-click extends from.
	selected map[string]bool
	anchor   int
	// mode is "grid" or "list"; tile is the side of a grid tile's picture.
	mode string
	tile float32
	// seq numbers the queries: only the latest one's answer is shown.
	seq int
	// deleted is what the last delete moved to the trash, for Undo.
	deleted []string
	// painters are the providers that can paint a model; targets where a model can be published.
	painters []providers.Provider
	targets  []providers.TargetInfo
	// saidAt is when an action last said what it did in the status line (UI thread only).
	saidAt time.Time
	// answered counts the queries shown (tests wait on it).
	answered int
}

// The library view's settings remembered between runs.
const (
	prefLibraryView = "library.view"
	prefLibraryTile = "library.tile"
	prefLibrarySort = "library.sort"
)

// Tile sizes, in pixels of the picture's side.
const (
	minTile     = 64
	maxTile     = 256
	defaultTile = 128
)

// The date filter's choices, in days back (0: any time).
var libraryDates = []struct {
	label string
	days  int
}{{"Any time", 0}, {"Today", 1}, {"Past 7 days", 7}, {"Past 30 days", 30}, {"Past year", 365}}

// The state filter's choices.
var libraryShows = []struct{ label, state string }{
	{"All models", ""}, {"On this computer", app.StateDownloaded}, {"On the provider only", app.StateRemote},
	{"Published", app.StatePublished}, {"Damaged", app.StateDamaged},
}

// The orders' labels.
var librarySorts = []struct{ label, sort string }{
	{"Newest first", app.SortNewest}, {"Oldest first", app.SortOldest}, {"Name", app.SortName},
	{"Most triangles", app.SortTriangles}, {"Largest files", app.SortSize},
}

const allTags = "All tags"

func newLibraryPanel(u *UI) *libraryPanel {
	prefs := u.fyneApp.Preferences()
	p := &libraryPanel{u: u, painters: painters(u.k), selected: map[string]bool{}, anchor: -1, filtersGen: -1,
		mode: prefs.StringWithFallback(prefLibraryView, "grid"),
		tile: float32(min(maxTile, max(minTile, prefs.IntWithFallback(prefLibraryTile, defaultTile))))}
	for _, t := range u.k.Providers.Targets() {
		p.targets = append(p.targets, t.Describe())
	}

	p.search = widget.NewEntry()
	p.search.SetPlaceHolder("Search names, tags, notes, prompts, files…")
	p.search.OnChanged = func(string) { p.reload() }
	p.search.ActionItem = widget.NewButtonWithIcon("", theme.ContentClearIcon(), func() { p.search.SetText("") })

	p.provider = widget.NewSelect(nil, func(string) { p.reload() })
	p.tag = widget.NewSelect([]string{allTags}, func(string) { p.reload() })
	p.state = widget.NewSelect(labels(libraryShows, func(s struct{ label, state string }) string { return s.label }), func(string) { p.reload() })
	p.when = widget.NewSelect(nil, func(string) { p.reload() })
	for _, d := range libraryDates {
		p.when.Options = append(p.when.Options, d.label)
	}
	p.by = widget.NewSelect(labels(librarySorts, func(s struct{ label, sort string }) string { return s.label }), func(string) {
		p.u.fyneApp.Preferences().SetString(prefLibrarySort, p.sortKey())
		p.reload()
	})
	p.state.SetSelectedIndex(0)
	p.when.SetSelectedIndex(0)
	p.tag.SetSelectedIndex(0)
	p.by.SetSelectedIndex(max(0, slices.IndexFunc(librarySorts, func(s struct{ label, sort string }) bool {
		return s.sort == prefs.StringWithFallback(prefLibrarySort, app.SortNewest)
	})))
	p.setProviders(nil)

	p.gridButton = widget.NewButtonWithIcon("", theme.GridIcon(), func() { p.setMode("grid") })
	p.listButton = widget.NewButtonWithIcon("", theme.ListIcon(), func() { p.setMode("list") })
	p.tileSize = widget.NewSlider(minTile, maxTile)
	p.tileSize.Step = 16
	p.tileSize.SetValue(float64(p.tile))
	p.tileSize.OnChangeEnded = func(v float64) { p.setTile(float32(v)) }

	p.add = widget.NewButtonWithIcon("Add models…", theme.ContentAddIcon(), p.showAddModels)
	p.addFolder = widget.NewButtonWithIcon("Add a folder…", theme.FolderOpenIcon(), p.showAddFolder)
	p.trash = widget.NewButtonWithIcon("Trash", theme.DeleteIcon(), p.showTrash)
	bar := container.NewHBox(p.add, p.addFolder)
	for _, pr := range u.k.Providers.All() {
		if _, ok := pr.(providers.Importer); ok {
			name, title := pr.Capabilities().Name, pr.Capabilities().Title
			b := widget.NewButtonWithIcon("Import from "+title+"…", theme.DownloadIcon(), func() { p.showImport(name, title) })
			p.imports = append(p.imports, b)
			bar.Add(b)
		}
	}
	bar.Add(p.trash)

	filters := container.NewHBox(p.provider, p.state, p.when, p.tag, p.by)
	view := container.NewHBox(p.gridButton, p.listButton, container.New(fixedWidth(120), p.tileSize))
	top := container.NewVBox(
		container.NewBorder(nil, nil, nil, view, p.search),
		container.NewBorder(nil, nil, filters, nil, layout.NewSpacer()),
	)

	p.grid = widget.NewGridWrap(
		func() int { return len(p.entries) },
		func() fyne.CanvasObject { return newAssetTile(p, false) },
		func(i widget.GridWrapItemID, o fyne.CanvasObject) { o.(*assetTile).show(i, p.entries[i]) },
	)
	p.list = widget.NewList(
		func() int { return len(p.entries) },
		func() fyne.CanvasObject { return newAssetTile(p, true) },
		func(i widget.ListItemID, o fyne.CanvasObject) { o.(*assetTile).show(i, p.entries[i]) },
	)
	p.body = container.NewStack()
	p.details = newDetailsPane(p)
	p.status = widget.NewLabel("")
	p.status.Truncation = fyne.TextTruncateEllipsis
	p.undo = widget.NewButtonWithIcon("Undo", theme.ContentUndoIcon(), p.undoDelete)
	p.undo.Hide()
	split := container.NewHSplit(p.body, p.details.content)
	split.Offset = 0.64
	p.content = container.NewBorder(container.NewVBox(bar, top), container.NewBorder(nil, nil, nil, p.undo, p.status), nil, nil, split)
	p.setMode(p.mode)
	return p
}

func labels[T any](items []T, label func(T) string) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = label(it)
	}
	return out
}

// setProviders fills the provider filter with the providers the library's models came from,
// keeping the choice.
func (p *libraryPanel) setProviders(names []string) {
	current := p.providerName()
	p.providerNames = append([]string{""}, names...)
	opts := []string{"All providers"}
	for _, n := range names {
		opts = append(opts, providerLabel(p.u.k, n))
	}
	p.provider.Options = opts
	p.provider.SetSelectedIndex(max(0, slices.Index(p.providerNames, current)))
}

// providerLabel is how a provider is named in the library: its title, and for models added from
// disk, that.
func providerLabel(k *app.Kiln, name string) string {
	if name == app.ProviderFile {
		return "Added from disk"
	}
	return k.Title(name)
}

func (p *libraryPanel) providerName() string {
	if i := p.provider.SelectedIndex(); i > 0 && i < len(p.providerNames) {
		return p.providerNames[i]
	}
	return ""
}

func (p *libraryPanel) sortKey() string {
	return librarySorts[max(0, p.by.SelectedIndex())].sort
}

// query is what the search field and the filters ask for.
func (p *libraryPanel) query() app.LibraryQuery {
	q := app.LibraryQuery{Search: p.search.Text, Provider: p.providerName(), Sort: p.sortKey(),
		State: libraryShows[max(0, p.state.SelectedIndex())].state}
	if p.tag.Selected != allTags {
		q.Tag = p.tag.Selected
	}
	if days := libraryDates[max(0, p.when.SelectedIndex())].days; days > 0 {
		now := time.Now()
		q.Since = time.Date(now.Year(), now.Month(), now.Day()-days+1, 0, 0, 0, 0, time.Local)
	}
	return q
}

// setMode shows the grid or the list (and remembers the choice).
func (p *libraryPanel) setMode(mode string) {
	if mode != "list" {
		mode = "grid"
	}
	p.mode = mode
	p.u.fyneApp.Preferences().SetString(prefLibraryView, mode)
	if mode == "grid" {
		p.body.Objects = []fyne.CanvasObject{p.grid}
		p.gridButton.Importance, p.listButton.Importance = widget.HighImportance, widget.MediumImportance
		p.tileSize.Enable()
	} else {
		p.body.Objects = []fyne.CanvasObject{p.list}
		p.gridButton.Importance, p.listButton.Importance = widget.MediumImportance, widget.HighImportance
		p.tileSize.Disable()
	}
	p.gridButton.Refresh()
	p.listButton.Refresh()
	p.body.Refresh()
}

// setTile sets the grid's picture size (and remembers it).
func (p *libraryPanel) setTile(side float32) {
	p.tile = min(maxTile, max(minTile, side))
	p.u.fyneApp.Preferences().SetInt(prefLibraryTile, int(p.tile))
	p.grid.Refresh() // the grid measures a new tile and lays out again
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

// reload runs the query off the UI thread and shows its answer, unless a newer query was asked
// meanwhile (a keystroke in the search field).
func (p *libraryPanel) reload() {
	if p.by == nil || p.provider.Options == nil {
		return // still being built
	}
	p.seq++
	seq, q := p.seq, p.query()
	lib := p.u.k.Library
	seen := p.filtersGen
	go func() {
		ctx := context.Background()
		// The filters' choices and the count change only when the library does: a keystroke
		// asks for the entries alone.
		gen := lib.Generation(ctx)
		whole := gen != seen
		entries, err := lib.Find(ctx, q)
		total := -1
		var provs, tags []string
		if err == nil && whole {
			total, _ = lib.Count(ctx)
			provs, _ = lib.Providers(ctx)
			tags, _ = lib.Tags(ctx)
		}
		p.u.goUI(func() {
			if seq != p.seq {
				return // a newer query is on its way
			}
			p.answered++
			if err != nil {
				p.status.Importance = widget.DangerImportance
				p.status.SetText(err.Error())
				return
			}
			filtersChanged := false
			if whole {
				p.filtersGen = gen
				if !slices.Equal(provs, p.providerNames[1:]) {
					p.setProviders(provs)
					filtersChanged = true
				}
				if want := append([]string{allTags}, tags...); !slices.Equal(want, p.tag.Options) {
					cur := p.tag.Selected
					p.tag.Options = want
					if !slices.Contains(want, cur) {
						cur = allTags
						filtersChanged = true
					}
					p.tag.SetSelected(cur)
				}
			} else {
				total = p.total
			}
			p.show(entries, total)
			if filtersChanged {
				p.reload()
			}
		})
	}()
}

// refresh shows the index's answer at once, then takes in what changed in the library's folders
// on disk (another Kiln, a hand edit) and shows the answer again if anything did.
func (p *libraryPanel) refresh() {
	p.reload()
	lib := p.u.k.Library
	go func() {
		ctx := context.Background()
		before := lib.Generation(ctx)
		err := lib.Refresh(ctx)
		changed := lib.Generation(ctx) != before
		p.u.goUI(func() {
			switch {
			case err != nil:
				p.status.Importance = widget.DangerImportance
				p.status.SetText(err.Error())
			case changed:
				p.reload()
			}
		})
	}()
}

// show puts a query's answer on screen (UI thread).
func (p *libraryPanel) show(entries []app.Entry, total int) {
	p.entries, p.total = entries, total
	// The selection keeps what is still shown.
	for id := range p.selected {
		if !slices.ContainsFunc(entries, func(e app.Entry) bool { return e.ID == id }) {
			delete(p.selected, id)
		}
	}
	p.anchor = min(p.anchor, len(entries)-1)
	p.grid.Refresh()
	p.list.Refresh()
	p.details.update()
	if time.Since(p.saidAt) < sayFor {
		return // what the artist just did stays said a while; the count can wait
	}
	damaged := 0
	for _, e := range entries {
		if e.State == app.StateDamaged {
			damaged++
		}
	}
	p.status.Importance = widget.LowImportance
	switch {
	case total == 0:
		p.status.SetText("Finished models appear here, and your own with Add models…; the library lives in " + p.u.k.Library.Dir())
	case len(entries) == total:
		p.status.SetText(fmt.Sprintf("%s in %s", app.Plural(total, "model"), p.u.k.Library.Dir()))
	default:
		p.status.SetText(fmt.Sprintf("%d of %s shown", len(entries), app.Plural(total, "model")))
	}
	if damaged > 0 {
		p.status.Importance = widget.WarningImportance
		p.status.SetText(p.status.Text + fmt.Sprintf(" · %s damaged: select one to see why", app.Plural(damaged, "model")))
	}
}

// selection is the selected entries, in the order shown.
func (p *libraryPanel) selection() []app.Entry {
	var out []app.Entry
	for _, e := range p.entries {
		if p.selected[e.ID] {
			out = append(out, e)
		}
	}
	return out
}

// clicked selects entry i as a click with the given modifiers does: alone, added or taken away
// (Ctrl), or the range from the last click (Shift).
func (p *libraryPanel) clicked(i int, mods fyne.KeyModifier) {
	if i < 0 || i >= len(p.entries) {
		return
	}
	id := p.entries[i].ID
	switch {
	case mods&fyne.KeyModifierShift != 0 && p.anchor >= 0:
		lo, hi := min(p.anchor, i), max(p.anchor, i)
		if mods&fyne.KeyModifierShortcutDefault == 0 {
			clear(p.selected)
		}
		for _, e := range p.entries[lo : hi+1] {
			p.selected[e.ID] = true
		}
	case mods&fyne.KeyModifierShortcutDefault != 0:
		if p.selected[id] {
			delete(p.selected, id)
		} else {
			p.selected[id] = true
		}
		p.anchor = i
	default:
		clear(p.selected)
		p.selected[id] = true
		p.anchor = i
	}
	p.grid.Refresh()
	p.list.Refresh()
	p.details.update()
}

// selectID selects the asset id alone, showing it (a lineage link); false when it is not shown.
func (p *libraryPanel) selectID(id string) bool {
	i := slices.IndexFunc(p.entries, func(e app.Entry) bool { return e.ID == id })
	if i < 0 {
		return false
	}
	p.clicked(i, 0)
	p.grid.ScrollTo(i)
	p.list.ScrollTo(i)
	return true
}

// selectAll selects every entry shown.
func (p *libraryPanel) selectAll() {
	for _, e := range p.entries {
		p.selected[e.ID] = true
	}
	p.grid.Refresh()
	p.list.Refresh()
	p.details.update()
}

// focusSearch puts the cursor in the search field (Ctrl+F).
func (p *libraryPanel) focusSearch() {
	p.u.selectTab("Library")
	p.u.win.Canvas().Focus(p.search)
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

// printable joins names for a message, escaped.
func printable(names []string) string {
	for i, n := range names {
		names[i] = "“" + providers.Printable(n) + "”"
	}
	if len(names) > 3 {
		return strings.Join(names[:3], ", ") + fmt.Sprintf(" and %d more", len(names)-3)
	}
	return strings.Join(names, ", ")
}
