package views

import (
	"context"
	"slices"

	"fyne.io/fyne/v2/widget"

	"github.com/kiln3d/kiln/app"
	"github.com/kiln3d/kiln/providers"
)

// credentialPicker chooses which of a provider's credentials a job runs with. It shows only when
// the provider has more than one; it starts on the one jobs use by default (the environment's
// when set, else the default one). Its methods run on the UI thread.
type credentialPicker struct {
	u        *UI
	sel      *widget.Select
	row      formRow
	provider string
	names    []string
	seq      int
	changed  func()
	syncing  bool
}

func newCredentialPicker(u *UI, changed func()) *credentialPicker {
	p := &credentialPicker{u: u, changed: changed}
	p.sel = widget.NewSelect(nil, func(string) {
		if !p.syncing {
			p.changed()
		}
	})
	p.row = newFormRow("Account", p.sel)
	p.row.setVisible(false)
	return p
}

// load lists caps's credentials off the UI thread, and shows the picker when there are several.
func (p *credentialPicker) load(caps providers.Capabilities) {
	p.seq++
	seq := p.seq
	if p.provider != caps.Name {
		p.provider, p.names = caps.Name, nil
		p.row.setVisible(false)
	}
	if !caps.NeedsKey {
		p.provider, p.names = caps.Name, nil
		p.row.setVisible(false)
		return
	}
	go func() {
		creds, err := p.u.k.Keys.List(context.Background())
		p.u.goUI(func() {
			if seq != p.seq {
				return // the artist picked another provider meanwhile
			}
			if err != nil {
				return // Submit names the problem with the key when there is one
			}
			p.show(creds)
		})
	}()
}

func (p *credentialPicker) show(creds []app.Credential) {
	var names []string
	pick := ""
	for _, c := range creds {
		if c.Provider != p.provider {
			continue
		}
		names = append(names, c.Name)
		if c.FromEnv || (c.Default && pick == "") {
			pick = c.Name
		}
	}
	keep := p.sel.Selected
	p.names = names
	p.syncing = true
	p.sel.Options = names
	switch {
	case keep != "" && slices.Contains(names, keep):
		p.sel.SetSelected(keep)
	case pick != "":
		p.sel.SetSelected(pick)
	case len(names) > 0:
		p.sel.SetSelected(names[0])
	default:
		p.sel.ClearSelected()
	}
	p.syncing = false
	p.row.setVisible(len(names) > 1)
	if keep != p.sel.Selected {
		p.changed()
	}
}

// chosen is the credential's name to run with, or "" for the one jobs use by default.
func (p *credentialPicker) chosen() string {
	if len(p.names) < 2 {
		return ""
	}
	return p.sel.Selected
}
