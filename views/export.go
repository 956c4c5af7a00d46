package views

import (
	"context"
	"errors"
	"fmt"
	"strconv"
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

// exportDialog exports library models for an engine: the preset, the format, the folder, the
// triangle budget and the texture limit, above the pre-flight checklist of each model with a
// verdict per line and a button for each fix. Export stays disabled while a line fails.
type exportDialog struct {
	u   *UI
	dlg dialog.Dialog
	// ids are the assets to export, a fixed copy replacing its original; names are theirs.
	ids, names []string

	preset     *widget.Select
	format     *widget.Select
	folder     *widget.Entry
	polycount  *widget.Entry
	maxTexture *widget.Entry
	checks     *fyne.Container
	summary    *widget.Label
	status     *widget.Label
	ok         *widget.Button

	// seq numbers the checks asked for: only the latest answer is shown (UI thread only).
	seq int
	// failed says whether the latest checks stop the export.
	failed bool
	// stopCheck cancels the checks under way (UI thread only).
	stopCheck context.CancelFunc
}

// maxChecklists bounds how many models' checklists the dialog shows; the others are still
// checked, and a failure among them is said.
const maxChecklists = 6

// showExport opens the export dialog for the entries.
func (u *UI) showExport(sel []app.Entry) *exportDialog {
	d := &exportDialog{u: u}
	for _, e := range sel {
		if e.Usable() {
			d.ids, d.names = append(d.ids, e.ID), append(d.names, e.Name)
		}
	}
	titles := make([]string, len(app.Presets))
	for i, p := range app.Presets {
		titles[i] = p.Title
	}
	d.preset = widget.NewSelect(titles, func(string) { d.presetChanged() })
	d.format = widget.NewSelect(nil, func(string) { d.recheck() })
	d.folder = widget.NewEntry()
	d.folder.SetPlaceHolder("the folder to export into (a Godot or Unity project's folder, say)")
	d.folder.OnSubmitted = func(string) { d.folderChanged() }
	choose := widget.NewButtonWithIcon("", theme.FolderOpenIcon(), func() {
		u.chooseFolder("Export into", func(dir string) {
			d.folder.SetText(dir)
			d.folderChanged()
		})
	})
	d.polycount = widget.NewEntry()
	d.polycount.SetPlaceHolder("none (a budget counts the triangles the engine draws)")
	d.polycount.OnChanged = func(string) { d.recheck() }
	d.polycount.Validator = wholeOrEmpty(app.MinReduceTarget)
	d.maxTexture = widget.NewEntry()
	d.maxTexture.OnChanged = func(string) { d.recheck() }
	d.maxTexture.Validator = wholeOrEmpty(16)
	d.checks = container.NewVBox()
	d.status = widget.NewLabel("")
	d.status.Wrapping = fyne.TextWrapWord
	d.ok = widget.NewButtonWithIcon("Export", theme.DocumentSaveIcon(), d.export)
	d.ok.Importance = widget.HighImportance
	cancel := widget.NewButton("Cancel", func() { d.dlg.Hide() })

	form := widget.NewForm(
		widget.NewFormItem("Engine", d.preset),
		widget.NewFormItem("Format", d.format),
		widget.NewFormItem("Folder", container.NewBorder(nil, nil, nil, choose, d.folder)),
		widget.NewFormItem("Triangle budget", d.polycount),
		widget.NewFormItem("Largest texture", d.maxTexture),
	)
	d.summary = widget.NewLabel("")
	d.summary.Wrapping = fyne.TextWrapWord
	d.summary.Importance = widget.LowImportance
	body := container.NewBorder(container.NewVBox(form, d.summary), d.status, nil, nil, container.NewVScroll(d.checks))
	content := container.NewBorder(nil, container.NewHBox(layout.NewSpacer(), cancel, d.ok), nil, nil, body)
	title := fmt.Sprintf("Export %d models", len(d.names))
	if len(d.names) == 1 {
		title = "Export " + providers.Printable(d.names[0])
	}
	d.dlg = dialog.NewCustomWithoutButtons(title, content, u.win)
	d.dlg.SetOnClosed(func() {
		d.seq++ // nothing more is shown
		if d.stopCheck != nil {
			d.stopCheck()
		}
	})
	d.dlg.Resize(fyne.NewSize(680, 640))

	// Start where the artist exported last, with the choices made for that folder.
	d.folder.SetText(u.k.Settings.ExportFolder())
	d.folderChanged()
	d.dlg.Show()
	return d
}

// wholeOrEmpty accepts an empty field or a whole number of at least low.
func wholeOrEmpty(low int) fyne.StringValidator {
	return func(s string) error {
		if strings.TrimSpace(s) == "" {
			return nil
		}
		if n, err := strconv.Atoi(strings.TrimSpace(s)); err != nil || n < low {
			return fmt.Errorf("a whole number of at least %d", low)
		}
		return nil
	}
}

// chosenPreset is the preset picked.
func (d *exportDialog) chosenPreset() app.Preset {
	for _, p := range app.Presets {
		if p.Title == d.preset.Selected {
			return p
		}
	}
	return app.Presets[0]
}

// folderChanged takes the choices last made for the folder, or guesses the engine from the
// project the folder is in.
func (d *exportDialog) folderChanged() {
	dir := strings.TrimSpace(d.folder.Text)
	if c, ok := d.u.k.Settings.ExportChoice(dir); ok && dir != "" {
		if p, err := app.FindPreset(c.Preset); err == nil {
			d.setPreset(p, c.Format)
			d.polycount.SetText(numberOrEmpty(c.Polycount))
			d.maxTexture.SetText(numberOrEmpty(c.MaxTexture))
			d.recheck()
			return
		}
	}
	if dir != "" {
		if name := app.GuessPreset(dir); name != "" {
			p, _ := app.FindPreset(name)
			d.setPreset(p, "")
			d.recheck()
			return
		}
	}
	if d.preset.Selected == "" {
		d.setPreset(app.Presets[0], "")
	}
	d.recheck()
}

func numberOrEmpty(n int) string {
	if n <= 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// setPreset selects p and its formats, format (or p's default) chosen.
func (d *exportDialog) setPreset(p app.Preset, format app.Format) {
	d.preset.Selected = p.Title
	d.preset.Refresh()
	d.presetFormats(p, format)
}

func (d *exportDialog) presetFormats(p app.Preset, format app.Format) {
	opts := make([]string, len(p.Formats))
	for i, f := range p.Formats {
		opts[i] = formatLabel(p, f)
	}
	d.format.Options = opts
	if !p.Allows(format) {
		format = p.Formats[0]
	}
	d.format.Selected = formatLabel(p, format)
	d.format.Refresh()
	d.maxTexture.SetPlaceHolder(fmt.Sprintf("%d px a side, %s's limit", p.MaxTexture, p.Title))
}

// formatLabel names a format with what reads it in the engine.
func formatLabel(p app.Preset, f app.Format) string {
	return fmt.Sprintf(".%s (%s)", f, p.Importer[f])
}

func (d *exportDialog) presetChanged() {
	d.presetFormats(d.chosenPreset(), "")
	d.recheck()
}

// options are the dialog's choices; ok is false while a field holds something invalid.
func (d *exportDialog) options() (app.ExportOptions, bool) {
	p := d.chosenPreset()
	opt := app.ExportOptions{Preset: p.Name, Out: strings.TrimSpace(d.folder.Text)}
	for _, f := range p.Formats {
		if formatLabel(p, f) == d.format.Selected {
			opt.Format = f
		}
	}
	if d.polycount.Validate() != nil || d.maxTexture.Validate() != nil {
		return opt, false
	}
	opt.Polycount, _ = strconv.Atoi(strings.TrimSpace(d.polycount.Text))
	opt.MaxTexture, _ = strconv.Atoi(strings.TrimSpace(d.maxTexture.Text))
	return opt, true
}

// recheck runs the pre-flight of every model off the UI thread and shows the latest answer.
func (d *exportDialog) recheck() {
	if d.summary == nil {
		return // still being built
	}
	opt, valid := d.options()
	d.summary.SetText(d.chosenPreset().Summary(opt.Format))
	d.seq++
	seq := d.seq
	d.ok.Disable()
	if !valid {
		d.say(widget.DangerImportance, "Fix the fields marked above.")
		return
	}
	d.say(widget.LowImportance, "Checking…")
	ids := append([]string(nil), d.ids...)
	// A quarter of a second's pause first: typing a budget checks once, not at every digit.
	time.AfterFunc(checkDelay, func() {
		d.u.goUI(func() {
			if seq == d.seq {
				d.check(seq, ids, opt)
			}
		})
	})
}

// checkDelay is how long the dialog waits after a change before checking the models again.
const checkDelay = 250 * time.Millisecond

// check runs the pre-flights of ids off the UI thread and shows them if they are still wanted.
func (d *exportDialog) check(seq int, ids []string, opt app.ExportOptions) {
	// The previous checks are no longer wanted: they stop where they can.
	if d.stopCheck != nil {
		d.stopCheck()
	}
	ctx, stop := context.WithCancel(context.Background())
	d.stopCheck = stop
	go func() {
		defer stop()
		lists := make([]app.Preflight, len(ids))
		errs := make([]error, len(ids))
		for i, id := range ids {
			lists[i], errs[i] = d.u.k.CheckAsset(ctx, id, opt)
		}
		d.u.goUI(func() {
			if seq == d.seq {
				d.showChecks(lists, errs)
			}
		})
	}()
}

// showChecks lays out the checklists and enables Export when nothing fails.
func (d *exportDialog) showChecks(lists []app.Preflight, errs []error) {
	d.checks.RemoveAll()
	failed, hidden := 0, 0
	for i, pf := range lists {
		bad := errs[i] != nil || !pf.OK()
		if bad {
			failed++
		}
		if i >= maxChecklists {
			if bad {
				hidden++
			}
			continue
		}
		if len(lists) > 1 {
			d.checks.Add(widget.NewLabelWithStyle(providers.Printable(d.names[i]), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
		}
		if errs[i] != nil {
			l := widget.NewLabel(providers.Printable(errs[i].Error()))
			l.Wrapping, l.Importance = fyne.TextWrapWord, widget.DangerImportance
			d.checks.Add(l)
			continue
		}
		for _, c := range pf.Checks {
			d.checks.Add(d.checkRow(i, c))
		}
	}
	d.failed = failed > 0
	switch {
	case len(d.ids) == 0:
		d.say(widget.DangerImportance, "None of the selected models can be exported (download them first).")
	case strings.TrimSpace(d.folder.Text) == "":
		d.say(widget.MediumImportance, "Choose the folder to export into.")
	case failed > 0:
		msg := "The model is not ready: fix the lines marked ✗ first."
		if len(lists) > 1 {
			msg = fmt.Sprintf("%d of %d models are not ready: fix the lines marked ✗ first.", failed, len(lists))
		}
		if hidden > 0 {
			msg += fmt.Sprintf(" (%d of them not shown here.)", hidden)
		}
		d.say(widget.DangerImportance, msg)
	default:
		msg := fmt.Sprintf("Ready to export %d models.", len(d.ids))
		if len(d.ids) == 1 {
			msg = fmt.Sprintf("Ready to export %q.", d.names[0])
		}
		d.say(widget.SuccessImportance, providers.Printable(msg))
		d.ok.Enable()
	}
}

// verdictMark is how a verdict reads at a glance.
var verdictMark = map[app.Verdict]string{app.Pass: "✓", app.Warn: "!", app.Fail: "✗"}

// checkRow is one line of a checklist: the verdict, the title, what was found, and the fix.
func (d *exportDialog) checkRow(i int, c app.Check) fyne.CanvasObject {
	mark := widget.NewLabelWithStyle(verdictMark[c.Verdict], fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	switch c.Verdict {
	case app.Fail:
		mark.Importance = widget.DangerImportance
	case app.Warn:
		mark.Importance = widget.WarningImportance
	default:
		mark.Importance = widget.SuccessImportance
	}
	text := widget.NewLabel(c.Title + ": " + providers.Printable(c.Detail))
	text.Wrapping = fyne.TextWrapWord
	var fix fyne.CanvasObject
	if c.Fix != nil { // a passing line can offer one too (Recentre: the export moves the pivot anyway)
		f := *c.Fix
		fix = container.NewVBox(widget.NewButton(f.Label, func() { d.applyFix(i, f) }))
	}
	// The marks take one width, so that the lines' words start in one column.
	return container.NewBorder(nil, nil, container.NewGridWrap(fyne.NewSize(24, mark.MinSize().Height), mark), fix, text)
}

// applyFix makes the fixed copy (a new library asset) and exports that instead of model i.
func (d *exportDialog) applyFix(i int, f app.Fix) {
	if f.Kind == app.FixRescale && f.HeightCM <= 0 {
		d.askHeight(i, f)
		return
	}
	id, name := d.ids[i], d.names[i]
	d.u.runTask(f.Label, func(ctx context.Context, report progress) error {
		report(0, providers.Printable(f.Label)+"…")
		a, err := d.u.k.Fix(ctx, id, f, func(x float64) { report(x, "") })
		if err != nil {
			return err
		}
		d.u.goUI(func() {
			if d.ids[i] == id {
				d.ids[i], d.names[i] = a.ID, a.Name
			}
		})
		return nil
	}, func(err error) {
		if err != nil && !errors.Is(err, context.Canceled) {
			dialog.ShowError(fmt.Errorf("%s: %w", providers.Printable(name), err), d.u.win)
		}
		if d.u.library != nil {
			d.u.library.reload()
		}
		d.recheck()
	})
}

// askHeight asks the height a rescaled model gets.
func (d *exportDialog) askHeight(i int, f app.Fix) {
	entry := widget.NewEntry()
	entry.SetPlaceHolder("e.g. 30")
	entry.Validator = func(s string) error {
		v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil || v <= 0 || v > 100_000 {
			return errors.New("a height in centimetres, above 0")
		}
		return nil
	}
	dialog.ShowForm("Rescale to a height", "Rescale", "Cancel",
		[]*widget.FormItem{hinted("Height (cm)", entry, "the model is scaled evenly to this height")}, func(ok bool) {
			if !ok {
				return
			}
			f.HeightCM, _ = strconv.ParseFloat(strings.TrimSpace(entry.Text), 64)
			d.applyFix(i, f)
		}, d.u.win)
}

func (d *exportDialog) say(imp widget.Importance, msg string) {
	d.status.Importance = imp
	d.status.SetText(msg)
}

// export writes the files off the UI thread; a file that exists is replaced only when the artist
// says so.
func (d *exportDialog) export() {
	opt, valid := d.options()
	if !valid || d.failed {
		return
	}
	d.run(opt)
}

func (d *exportDialog) run(opt app.ExportOptions) {
	ids := append([]string(nil), d.ids...)
	var done []app.Exported
	d.u.runTask("Export", func(ctx context.Context, report progress) error {
		var err error
		done, err = d.u.k.Export(ctx, ids, opt, func(i int, f float64) {
			report((float64(i)+f)/float64(len(ids)), fmt.Sprintf("Exporting %d of %d…", i+1, len(ids)))
		})
		return err
	}, func(err error) {
		switch {
		case errors.Is(err, app.ErrExists) && !opt.Force:
			dialog.ShowConfirm("Replace the files?", providers.Printable(err.Error())+"\n\nReplace the files there?", func(yes bool) {
				if yes {
					opt.Force = true
					d.run(opt)
				}
			}, d.u.win)
		case errors.Is(err, context.Canceled):
		case err != nil:
			dialog.ShowError(err, d.u.win)
		default:
			d.dlg.Hide()
			if d.u.library != nil && len(done) > 0 {
				d.u.library.say(fmt.Sprintf("Exported %s for %s into %s.", app.Plural(len(done), "model"),
					d.chosenPreset().Title, providers.Printable(opt.Out)))
			}
		}
	})
}
