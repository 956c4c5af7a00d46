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
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/kiln3d/kiln/app"
	"github.com/kiln3d/kiln/providers"
)

// The library's actions. Each runs its work off the UI thread and says what it did in the status
// line; a failure is shown as it is.

// act runs work off the UI thread, then on it: the error in a dialog, or said on success; the
// library reloads either way.
func (p *libraryPanel) act(work func() (string, error)) {
	go func() {
		said, err := work()
		p.u.goUI(func() {
			if err != nil {
				dialog.ShowError(err, p.u.win)
			} else if said != "" {
				p.say(said)
			}
			p.reload()
		})
	}()
}

// showRename asks for a new name.
func (p *libraryPanel) showRename(a app.Asset) {
	entry := widget.NewEntry()
	entry.SetText(a.Name)
	entry.Validator = func(s string) error {
		_, err := app.CleanName(s)
		return err
	}
	dialog.ShowForm("Rename "+providers.Printable(a.Name), "Rename", "Cancel",
		[]*widget.FormItem{widget.NewFormItem("Name", entry)}, func(ok bool) {
			if !ok {
				return
			}
			name := entry.Text
			p.act(func() (string, error) {
				b, err := p.u.k.Library.Rename(a.ID, name)
				return fmt.Sprintf("Renamed “%s” to “%s”.", providers.Printable(a.Name), providers.Printable(b.Name)), err
			})
		}, p.u.win)
	p.u.win.Canvas().Focus(entry)
}

// showTags edits the tags of one asset, or adds and removes tags on several.
func (p *libraryPanel) showTags(sel []app.Entry) {
	if len(sel) == 0 {
		return
	}
	ids := make([]string, len(sel))
	for i, e := range sel {
		ids[i] = e.ID
	}
	if len(sel) == 1 {
		entry := widget.NewEntry()
		entry.SetText(strings.Join(sel[0].Tags, ", "))
		entry.SetPlaceHolder("hero, kitchen, low poly")
		dialog.ShowForm("Tags of "+providers.Printable(sel[0].Name), "Save", "Cancel",
			[]*widget.FormItem{hinted("Tags", entry, "separated by commas")}, func(ok bool) {
				if !ok {
					return
				}
				tags := app.ParseTags(entry.Text)
				p.act(func() (string, error) {
					_, err := p.u.k.Library.SetTags(ids[0], tags)
					return fmt.Sprintf("Tagged “%s”: %s.", providers.Printable(sel[0].Name), cmp.Or(providers.Printable(strings.Join(tags, ", ")), "no tags")), err
				})
			}, p.u.win)
		p.u.win.Canvas().Focus(entry)
		return
	}
	add, remove := widget.NewEntry(), widget.NewEntry()
	add.SetPlaceHolder("hero, kitchen")
	dialog.ShowForm(fmt.Sprintf("Tags of %s", app.Plural(len(sel), "model")), "Save", "Cancel",
		[]*widget.FormItem{
			hinted("Add", add, "separated by commas"),
			hinted("Remove", remove, "separated by commas"),
		}, func(ok bool) {
			if !ok {
				return
			}
			plus, minus := app.ParseTags(add.Text), app.ParseTags(remove.Text)
			p.act(func() (string, error) {
				done, err := p.u.k.Library.Tag(ids, plus, minus)
				return fmt.Sprintf("Changed the tags of %s.", app.Plural(len(done), "model")), err
			})
		}, p.u.win)
	p.u.win.Canvas().Focus(add)
}

// showNotes edits an asset's notes.
func (p *libraryPanel) showNotes(a app.Asset) {
	entry := widget.NewMultiLineEntry()
	entry.Wrapping = fyne.TextWrapWord
	entry.SetText(a.Notes)
	entry.SetMinRowsVisible(6)
	d := dialog.NewForm("Notes on "+providers.Printable(a.Name), "Save", "Cancel",
		[]*widget.FormItem{widget.NewFormItem("Notes", entry)}, func(ok bool) {
			if !ok {
				return
			}
			text := entry.Text
			p.act(func() (string, error) {
				_, err := p.u.k.Library.SetNotes(a.ID, text)
				return fmt.Sprintf("Saved the notes on “%s”.", providers.Printable(a.Name)), err
			})
		}, p.u.win)
	d.Resize(fyne.NewSize(520, 300))
	d.Show()
	p.u.win.Canvas().Focus(entry)
}

// duplicate copies an asset and selects the copy.
func (p *libraryPanel) duplicate(a app.Asset) {
	go func() {
		c, err := p.u.k.Library.Duplicate(a.ID)
		p.u.goUI(func() {
			if err != nil {
				dialog.ShowError(err, p.u.win)
				return
			}
			p.say(fmt.Sprintf("Made “%s”, a copy of “%s”.", providers.Printable(c.Name), providers.Printable(a.Name)))
			clear(p.selected)
			p.selected[c.ID] = true
			p.reload()
		})
	}()
}

// undoFor is how long Undo stays offered after a delete (Ctrl+Z works until the next delete).
const undoFor = 30 * time.Second

// deleteSelected moves the selected assets to the trash and offers Undo.
func (p *libraryPanel) deleteSelected() {
	sel := p.selection()
	if len(sel) == 0 {
		return
	}
	ids, names := make([]string, len(sel)), make([]string, len(sel))
	for i, e := range sel {
		ids[i], names[i] = e.ID, e.Name
	}
	go func() {
		done, err := p.u.k.Library.Trash(ids...)
		p.u.goUI(func() {
			moved := make([]string, len(done))
			for i, a := range done {
				moved[i] = a.ID
			}
			if len(done) > 0 {
				p.deleted = moved
				p.say(fmt.Sprintf("Moved %s to the trash.", printable(names[:len(done)])))
				p.undo.Show()
				at := p.saidAt
				time.AfterFunc(undoFor, func() {
					p.u.goUI(func() {
						if p.saidAt.Equal(at) {
							p.undo.Hide()
						}
					})
				})
			}
			if err != nil {
				dialog.ShowError(err, p.u.win)
			}
			p.reload()
		})
	}()
}

// undoDelete brings back what the last delete moved to the trash (Undo, Ctrl+Z).
func (p *libraryPanel) undoDelete() {
	ids := p.deleted
	if len(ids) == 0 {
		return
	}
	p.deleted = nil
	p.undo.Hide()
	go func() {
		var (
			names []string
			errs  []error
		)
		for _, id := range ids {
			a, err := p.u.k.Library.Restore(id)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			names = append(names, a.Name)
		}
		p.u.goUI(func() {
			if len(names) > 0 {
				p.say(fmt.Sprintf("Restored %s from the trash.", printable(names)))
				clear(p.selected)
				for _, id := range ids {
					p.selected[id] = true
				}
			}
			if err := errors.Join(errs...); err != nil {
				dialog.ShowError(err, p.u.win)
			}
			p.reload()
		})
	}()
}

// showTrash lists the trash, each with Restore, and offers to empty it.
func (p *libraryPanel) showTrash() {
	go func() {
		items, err := p.u.k.Library.TrashList()
		p.u.goUI(func() {
			if err != nil {
				dialog.ShowError(err, p.u.win)
				return
			}
			p.trashDialog(items)
		})
	}()
}

func (p *libraryPanel) trashDialog(items []app.Trashed) {
	var d dialog.Dialog
	rows := container.NewVBox()
	for _, it := range items {
		text := fmt.Sprintf("%s · deleted %s", providers.Printable(it.Name), it.Trashed.Local().Format("2 Jan 2006 15:04"))
		if it.Damaged != "" {
			text += " · damaged"
		}
		label := widget.NewLabel(text)
		label.Truncation = fyne.TextTruncateEllipsis
		id := it.ID
		restore := widget.NewButtonWithIcon("Restore", theme.ContentUndoIcon(), func() {
			d.Hide()
			p.act(func() (string, error) {
				a, err := p.u.k.Library.Restore(id)
				return fmt.Sprintf("Restored “%s” from the trash.", providers.Printable(a.Name)), err
			})
		})
		rows.Add(container.NewBorder(nil, nil, nil, restore, label))
	}
	if len(items) == 0 {
		rows.Add(widget.NewLabel("The trash is empty."))
	}
	empty := widget.NewButtonWithIcon("Empty the trash…", theme.DeleteIcon(), func() {
		dialog.ShowConfirm("Empty the trash?",
			fmt.Sprintf("%s will be deleted for good. This cannot be undone.", app.Plural(len(items), "model")),
			func(ok bool) {
				if !ok {
					return
				}
				d.Hide()
				p.act(func() (string, error) {
					gone, err := p.u.k.EmptyTrash()
					return fmt.Sprintf("Deleted %s for good.", app.Plural(len(gone), "model")), err
				})
			}, p.u.win)
	})
	empty.Importance = widget.DangerImportance
	setEnabled(empty, len(items) > 0)
	body := container.NewBorder(nil, container.NewHBox(empty), nil, nil, container.NewVScroll(rows))
	d = dialog.NewCustom(fmt.Sprintf("Trash (%s)", app.Plural(len(items), "model")), "Close", body, p.u.win)
	d.Resize(fyne.NewSize(560, 420))
	d.Show()
}

// showAddModels asks for model files to add.
func (p *libraryPanel) showAddModels() {
	p.u.askOpen(FileDialogs.OpenModels, modelExtensions, p.addModels, func(err error) { dialog.ShowError(err, p.u.win) })
}

// showAddFolder asks for a folder whose models to add.
func (p *libraryPanel) showAddFolder() {
	p.u.chooseFolder("Add the models in a folder", func(dir string) { p.addModels([]string{dir}) })
}

// addModels adds models (or folders of them) to the library, with progress and Cancel, then
// selects what was added and names what was refused, with why.
func (p *libraryPanel) addModels(paths []string) {
	var added []app.Asset
	p.u.runTask("Add models", func(ctx context.Context, report progress) error {
		report(-1, "Checking the models…")
		var err error
		added, err = p.u.k.Library.AddModels(ctx, paths, func(done, total int) {
			report(float64(done)/float64(max(total, 1)), fmt.Sprintf("Checking and copying model %d of %d…", min(done+1, total), total))
		})
		return err
	}, func(err error) {
		p.u.selectTab("Library")
		if len(added) > 0 {
			names := make([]string, len(added))
			clear(p.selected)
			for i, a := range added {
				names[i] = a.Name
				p.selected[a.ID] = true
			}
			p.say(fmt.Sprintf("Added %s to the library.", printable(names)))
		}
		switch {
		case errors.Is(err, context.Canceled):
		case err != nil:
			dialog.ShowError(fmt.Errorf("%s:\n%w", refusedTitle(len(added)), err), p.u.win)
		}
		p.reload()
	})
}

func refusedTitle(added int) string {
	if added == 0 {
		return "Nothing was added"
	}
	return "Some models were not added"
}

// saveCopies copies the selected models into a folder the artist chooses, never replacing a file
// there (name-2.glb…).
func (p *libraryPanel) saveCopies(sel []app.Entry) {
	p.u.chooseFolder("Save copies of the models into", func(dir string) {
		p.act(func() (string, error) {
			var (
				saved int
				errs  []error
			)
			for _, e := range sel {
				if !e.Usable() {
					continue
				}
				a, err := p.u.k.Library.Get(e.ID)
				if err == nil {
					err = a.Err()
				}
				if err == nil {
					ext := filepath.Ext(a.ModelPath())
					_, err = app.Export(a.ModelPath(), filepath.Join(dir, app.SafeFileName(a.Name)+ext), false)
					if errors.Is(err, app.ErrExists) {
						_, err = app.Export(a.ModelPath(), dir+string(filepath.Separator), false)
					}
				}
				if err != nil {
					errs = append(errs, fmt.Errorf("%s: %w", providers.Printable(e.Name), err))
					continue
				}
				saved++
			}
			return fmt.Sprintf("Saved %s into %s.", app.Plural(saved, "model"), providers.Printable(dir)), errors.Join(errs...)
		})
	})
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
		// The budget counts what the engine draws, which can be more than a.Triangles (each
		// mesh once) when meshes are reused: Reduce itself says when a budget is not below it.
		if err != nil || n < app.MinReduceTarget {
			return fmt.Errorf("a whole number of at least %d", app.MinReduceTarget)
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

// publishedText says where a was published; "" when nowhere.
func publishedText(k *app.Kiln, a app.Asset) string {
	var parts []string
	for _, pub := range a.PublishedTo("") {
		parts = append(parts, fmt.Sprintf("%s: %s, %s", k.Title(pub.Target), folderName(pub.Folder),
			pub.Published.Local().Format("2 Jan 2006 15:04")))
	}
	return providers.Printable(strings.Join(parts, " · "))
}

// hinted is a form item with a hint under its field.
func hinted(label string, w fyne.CanvasObject, hint string) *widget.FormItem {
	it := widget.NewFormItem(label, w)
	it.HintText = hint
	return it
}
