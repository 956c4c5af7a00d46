package views

import (
	"context"
	"fmt"
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

// settingsPanel is the Settings tab: the providers' API keys and, for the advanced, their
// addresses. A secret is typed or pasted once and never shown again; only its prefix is.
type settingsPanel struct {
	u       *UI
	content fyne.CanvasObject
	keys    []app.Credential // UI thread only
	list    *widget.List
	status  *widget.Label
	addKey  *widget.Button
	// endpoints are the address fields, by provider name.
	endpoints map[string]*widget.Entry
	// height is the default height of a model made without a size; heightNote says it was saved,
	// or why it was refused.
	height     *widget.Entry
	heightNote *widget.Label
}

func newSettingsPanel(u *UI) *settingsPanel {
	p := &settingsPanel{u: u, endpoints: map[string]*widget.Entry{}}
	p.list = widget.NewList(
		func() int { return len(p.keys) },
		func() fyne.CanvasObject { return newKeyRow(p) },
		func(i widget.ListItemID, o fyne.CanvasObject) { o.(*keyRow).show(p.keys[i]) },
	)
	p.status = widget.NewLabel("")
	p.status.Wrapping = fyne.TextWrapWord
	p.addKey = widget.NewButtonWithIcon("Add key…", theme.ContentAddIcon(), p.showAdd)
	var keyed []string
	for _, svc := range u.k.Providers.Services() {
		if svc.NeedsKey {
			keyed = append(keyed, svc.Title)
		}
	}
	if len(keyed) == 0 {
		p.addKey.Disable()
	}
	header := container.NewBorder(nil, nil,
		widget.NewLabelWithStyle("API keys", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), p.addKey)
	keysBox := container.NewBorder(header, p.status, nil, nil, p.list)

	addresses := widget.NewForm()
	for _, svc := range u.k.Providers.Services() {
		pr, _ := u.k.Providers.Lookup(svc.Name)
		e, ok := pr.(providers.Endpointed)
		if !ok {
			continue
		}
		name := svc.Name
		entry := widget.NewEntry()
		entry.SetText(e.Endpoint())
		entry.SetPlaceHolder(e.DefaultEndpoint())
		p.endpoints[name] = entry
		save := widget.NewButton("Save", func() { p.saveEndpoint(name, entry) })
		reset := widget.NewButton("Default", func() { entry.SetText(e.DefaultEndpoint()); p.saveEndpoint(name, entry) })
		addresses.Append(svc.Title, container.NewBorder(nil, nil, nil, container.NewHBox(save, reset), entry))
	}
	advanced := widget.NewAccordion(widget.NewAccordionItem("Advanced: service addresses", addresses))
	if len(addresses.Items) == 0 {
		advanced.Hide()
	}
	p.height = widget.NewEntry()
	p.height.SetText(strconv.FormatFloat(u.k.Settings.HeightCM(), 'f', -1, 64))
	p.height.OnSubmitted = func(string) { p.saveHeight() }
	p.heightNote = noteLabel()
	saveHeight := widget.NewButton("Save", p.saveHeight)
	models := widget.NewForm(widget.NewFormItem("Default height (cm)", container.NewVBox(
		container.NewHBox(container.New(fixedWidth(160), p.height), saveHeight), p.heightNote)))
	models.Items[0].HintText = "The height of a model made without a size"
	p.content = container.NewPadded(container.NewBorder(nil, container.NewVBox(models, advanced), nil, nil, keysBox))
	return p
}

// reload reads the key index off the UI thread.
func (p *settingsPanel) reload() {
	go func() {
		keys, err := p.u.k.Keys.List(context.Background())
		p.u.goUI(func() {
			p.keys = keys
			p.list.Refresh()
			switch {
			case err != nil:
				p.status.Importance = widget.DangerImportance
				p.status.SetText(err.Error())
			case len(keys) == 0 && p.addKey.Disabled():
				p.status.Importance = widget.LowImportance
				p.status.SetText("No provider here needs a key: the local provider works offline.")
			case len(keys) == 0:
				p.status.Importance = widget.LowImportance
				p.status.SetText("No keys yet. Keys live in your system's keychain; Kiln shows only their first characters.")
			default:
				p.status.Importance = widget.LowImportance
				p.status.SetText("Keys live in your system's keychain; Kiln shows only their first characters.")
			}
		})
	}()
}

// showAdd asks for a new key: provider, name and its fields, secrets hidden.
func (p *settingsPanel) showAdd() {
	var keyed []providers.Service
	var titles []string
	for _, svc := range p.u.k.Providers.Services() {
		if svc.NeedsKey {
			keyed = append(keyed, svc)
			titles = append(titles, svc.Title)
		}
	}
	name := widget.NewEntry()
	name.SetPlaceHolder("Personal, Studio…")
	fieldsBox := container.NewVBox()
	var entries map[string]*widget.Entry
	var chosen *providers.Service
	pick := widget.NewSelect(titles, func(title string) {
		for i := range keyed {
			if keyed[i].Title == title {
				chosen = &keyed[i]
			}
		}
		entries = map[string]*widget.Entry{}
		form := widget.NewForm()
		for _, f := range chosen.KeyFields {
			e := widget.NewEntry()
			if f.Secret {
				e = widget.NewPasswordEntry()
			}
			if f.Optional {
				e.SetPlaceHolder("optional")
			}
			entries[f.Key] = e
			form.Append(f.Label, e)
		}
		fieldsBox.Objects = []fyne.CanvasObject{form}
		fieldsBox.Refresh()
	})
	pick.SetSelectedIndex(0)
	content := container.NewVBox(widget.NewForm(widget.NewFormItem("Service", pick), widget.NewFormItem("Name", name)), fieldsBox,
		widget.NewLabelWithStyle("The key is stored in your system's keychain and not shown again.", fyne.TextAlignLeading, fyne.TextStyle{Italic: true}))
	d := dialog.NewCustomConfirm("Add an API key", "Add", "Cancel", content, func(ok bool) {
		if !ok || chosen == nil {
			return
		}
		values := map[string]string{}
		for k, e := range entries {
			values[k] = e.Text
		}
		provider, keyName := chosen.Name, name.Text
		go func() {
			_, err := p.u.k.Keys.Add(context.Background(), provider, keyName, values)
			p.u.goUI(func() {
				if err != nil {
					dialog.ShowError(err, p.u.win)
				}
				p.reload()
			})
		}()
	}, p.u.win)
	d.Resize(fyne.NewSize(480, d.MinSize().Height))
	d.Show()
}

func (p *settingsPanel) test(c app.Credential) {
	p.status.Importance = widget.MediumImportance
	p.status.SetText(fmt.Sprintf("Testing %s key %q…", c.Provider, c.Name))
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		outcome, err := p.u.k.Keys.TestKey(ctx, c.Provider, c.Name)
		p.u.goUI(func() {
			if err != nil && outcome == "" {
				outcome = err.Error()
			}
			p.reload()
			if err != nil {
				dialog.ShowInformation("Key test", outcome, p.u.win)
			}
		})
	}()
}

func (p *settingsPanel) makeDefault(c app.Credential) {
	go func() {
		err := p.u.k.Keys.SetDefault(context.Background(), c.Provider, c.Name)
		p.u.goUI(func() {
			if err != nil {
				dialog.ShowError(err, p.u.win)
			}
			p.reload()
		})
	}()
}

func (p *settingsPanel) remove(c app.Credential) {
	msg := fmt.Sprintf("Remove the %s key %q (%s) from the keychain? Jobs using it will need another key.", c.Provider, c.Name, c.Prefix)
	dialog.ShowConfirm("Remove key", msg, func(ok bool) {
		if !ok {
			return
		}
		go func() {
			err := p.u.k.Keys.Remove(context.Background(), c.Provider, c.Name)
			p.u.goUI(func() {
				if err != nil {
					dialog.ShowError(err, p.u.win)
				}
				p.reload()
			})
		}()
	}, p.u.win)
}

func (p *settingsPanel) saveEndpoint(provider string, entry *widget.Entry) {
	url := strings.TrimSpace(entry.Text)
	go func() {
		err := p.u.k.SetEndpoint(provider, url)
		p.u.goUI(func() {
			if err != nil {
				dialog.ShowError(err, p.u.win)
				return
			}
			p.status.Importance = widget.MediumImportance
			p.status.SetText(fmt.Sprintf("%s now uses %s", provider, entry.Text))
		})
	}()
}

// saveHeight saves the default height typed, or says why it is refused.
func (p *settingsPanel) saveHeight() {
	text := strings.TrimSpace(strings.ReplaceAll(p.height.Text, ",", "."))
	cm, err := strconv.ParseFloat(text, 64)
	if err != nil {
		setNote(p.heightNote, "The default height must be a number of centimetres, such as 100.", widget.DangerImportance)
		return
	}
	go func() {
		err := p.u.k.Settings.SetHeightCM(cm)
		p.u.goUI(func() {
			if err != nil {
				setNote(p.heightNote, sentence(err.Error()), widget.DangerImportance)
				return
			}
			p.height.SetText(strconv.FormatFloat(cm, 'f', -1, 64))
			setNote(p.heightNote, fmt.Sprintf("Saved: a model made without a size is %s cm tall.", strconv.FormatFloat(cm, 'f', -1, 64)), widget.SuccessImportance)
		})
	}()
}

// keyRow is one credential in the list.
type keyRow struct {
	widget.BaseWidget
	cred    app.Credential
	title   *widget.Label
	detail  *widget.Label
	test    *widget.Button
	def     *widget.Button
	remove  *widget.Button
	content fyne.CanvasObject
}

func newKeyRow(p *settingsPanel) *keyRow {
	r := &keyRow{}
	r.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	r.detail = widget.NewLabel("")
	r.detail.Truncation = fyne.TextTruncateEllipsis
	r.test = widget.NewButtonWithIcon("Test", theme.ConfirmIcon(), func() { p.test(r.cred) })
	r.def = widget.NewButtonWithIcon("Make default", theme.RadioButtonCheckedIcon(), func() { p.makeDefault(r.cred) })
	r.remove = widget.NewButtonWithIcon("Remove", theme.DeleteIcon(), func() { p.remove(r.cred) })
	r.content = container.NewBorder(nil, nil, nil, container.NewCenter(container.NewHBox(r.test, r.def, r.remove)),
		container.NewVBox(r.title, r.detail))
	r.ExtendBaseWidget(r)
	return r
}

// CreateRenderer implements fyne.Widget.
func (r *keyRow) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(r.content) }

func (r *keyRow) show(c app.Credential) {
	r.cred = c
	title := fmt.Sprintf("%s · %s · %s", c.Provider, c.Name, c.Prefix)
	if c.Default {
		title += " · default"
	}
	r.title.SetText(title)
	var parts []string
	if c.FromEnv {
		parts = append(parts, "from environment variables (overrides the keychain; not stored)")
	} else {
		parts = append(parts, "added "+c.Created.Local().Format("2 Jan 2006"))
		if !c.LastUsed.IsZero() {
			parts = append(parts, "last used "+c.LastUsed.Local().Format("2 Jan 2006 15:04"))
		}
	}
	status := "not tested"
	if c.LastTest != "" {
		status = c.LastTest
	}
	parts = append(parts, status)
	r.detail.SetText(strings.Join(parts, " · "))
	setEnabled(r.def, !c.Default && !c.FromEnv)
	setEnabled(r.remove, !c.FromEnv)
}
