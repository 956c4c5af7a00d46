package views

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/kiln3d/kiln/app"
	"github.com/kiln3d/kiln/providers"
)

// listTimeout bounds the wait for a target's folders: the dialog says why when it runs out.
const listTimeout = 2 * time.Minute

// folderName names a target's folder for the artist.
func folderName(f providers.Folder) string {
	if f.Name != "" {
		return "folder " + f.Name
	}
	return "folder " + f.ID
}

// The choices of the publish dialog for a model published before.
const (
	choiceReplace = "Replace the earlier publication"
	choiceAdd     = "Add another beside it"
)

// publishDialog asks where to publish a library model on a target: a folder picked from the
// target's list or named anew, and for a model published there before, whether this replaces the
// earlier publication or is added beside it.
type publishDialog struct {
	u      *UI
	asset  app.Asset
	target providers.TargetInfo
	dlg    dialog.Dialog
	folder *widget.SelectEntry
	mode   *widget.RadioGroup
	status *widget.Label
	ok     *widget.Button
	// folders are the target's folders once listed (UI thread only).
	folders []providers.Folder
	done    func(app.Job)
}

// showPublish opens the publish dialog for a on target; done hears of the queued job.
func (u *UI) showPublish(a app.Asset, target providers.TargetInfo, done func(app.Job)) *publishDialog {
	d := &publishDialog{u: u, asset: a, target: target, done: done}
	d.folder = widget.NewSelectEntry(nil)
	d.folder.SetPlaceHolder("Listing your folders…")
	d.folder.SetText("Kiln")
	d.status = widget.NewLabel("")
	d.status.Wrapping = fyne.TextWrapWord
	d.mode = widget.NewRadioGroup([]string{choiceReplace, choiceAdd}, nil)
	d.mode.SetSelected(choiceReplace)
	d.mode.Hide()
	before := widget.NewLabel("")
	before.Wrapping = fyne.TextWrapWord
	if pubs := a.PublishedTo(target.Name); len(pubs) > 0 {
		last := pubs[len(pubs)-1]
		before.SetText(fmt.Sprintf("%s was published to %s before, into the %s on %s.", providers.Printable(a.Name),
			target.Title, providers.Printable(folderName(last.Folder)), last.Published.Local().Format("2 Jan 2006 15:04")))
		d.mode.Show()
	} else {
		before.Hide()
	}
	d.ok = widget.NewButton("Publish", d.publish)
	d.ok.Importance = widget.HighImportance
	cancel := widget.NewButton("Cancel", func() { d.dlg.Hide() })
	help := widget.NewLabel(target.Help)
	help.Wrapping = fyne.TextWrapWord
	form := widget.NewForm(widget.NewFormItem("Folder", d.folder))
	body := container.NewVBox(help, form, before, d.mode, d.status)
	content := container.NewBorder(nil, container.NewHBox(layout.NewSpacer(), cancel, d.ok), nil, nil, body)
	d.dlg = dialog.NewCustomWithoutButtons(fmt.Sprintf("Publish %s to %s", providers.Printable(a.Name), target.Title), content, u.win)
	d.dlg.Resize(fyne.NewSize(520, 320))
	d.dlg.Show()
	d.listFolders()
	return d
}

// listFolders asks the target for its folders off the UI thread.
func (d *publishDialog) listFolders() {
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), listTimeout)
		defer cancel()
		folders, err := d.u.k.Folders(ctx, d.target.Name, "")
		d.u.goUI(func() {
			d.folder.SetPlaceHolder("a folder's name: a new one is made")
			if err != nil {
				d.status.Importance = widget.DangerImportance
				d.status.SetText("Could not list the folders: " + providers.Printable(explainTargetError(d.target.Title, err)))
				return
			}
			d.folders = folders
			names := make([]string, len(folders))
			for i, f := range folders {
				names[i] = f.Name
			}
			d.folder.SetOptions(names)
			d.status.Importance = widget.LowImportance
			d.status.SetText(fmt.Sprintf("%s on %s. Pick one, or type a new name.", app.Plural(len(folders), "folder"), d.target.Title))
		})
	}()
}

// publish queues the publication, off the UI thread (the model's hash is checked first).
func (d *publishDialog) publish() {
	name := strings.TrimSpace(d.folder.Text)
	place := providers.Folder{Name: name}
	for _, f := range d.folders {
		if f.Name == name {
			place = f
			break
		}
	}
	mode := app.PublishAsk
	if d.mode.Visible() {
		mode = app.PublishAdd
		if d.mode.Selected == choiceReplace {
			mode = app.PublishReplace
		}
	}
	d.ok.Disable()
	go func() {
		j, err := d.u.k.Jobs.Publish(context.Background(), d.target.Name, d.asset.ID, place, mode)
		d.u.goUI(func() {
			d.ok.Enable()
			if err != nil {
				d.status.Importance = widget.DangerImportance
				d.status.SetText(providers.Printable(explainTargetError(d.target.Title, err)))
				return
			}
			d.dlg.Hide()
			if d.done != nil {
				d.done(j)
			}
		})
	}()
}

// explainTargetError says what a target's refusal means, the way a key test's is explained.
func explainTargetError(title string, err error) string {
	var api *providers.APIError
	if errors.Is(err, app.ErrNoCredential) || !errors.As(err, &api) {
		return err.Error()
	}
	return app.ExplainKeyError(title, err)
}
