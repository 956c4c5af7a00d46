package views

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2/widget"

	"github.com/kiln3d/kiln/app"
	"github.com/kiln3d/kiln/providers"
)

// sizeLine says, under the size fields, the size the model will get and what the provider
// decided about it (the local provider's shape and why), as the core's plan foresees it: worked
// out off the UI thread a moment after the last change of images, options or size. A plan that
// refuses the request (a width and height at odds with the image's proportions) is Create's
// reason not to submit. Its methods run on the UI thread.
type sizeLine struct {
	u     *UI
	label *widget.Label
	row   formRow
	delay time.Duration
	plans settler
	// changed is called when problem changes, so that Create looks at Submit again.
	changed func()
	// problem is why the plan refuses the request last asked about; "" when it does not.
	problem string
}

func newSizeLine(u *UI, changed func()) *sizeLine {
	l := &sizeLine{u: u, label: noteLabel(), delay: planDelay, plans: settler{u: u}, changed: changed}
	l.row = newFormRow("", l.label)
	l.row.setVisible(false)
	return l
}

// update shows what a job of req on provider p with credential would make. Each says that every
// image makes a model of its own: their shapes and sizes differ, so only the default is said.
func (l *sizeLine) update(p providers.Provider, credential string, req providers.Request, each bool) {
	caps := p.Capabilities()
	if !caps.Dimensions {
		l.plans.stop()
		l.plans.forget()
		l.row.setVisible(false)
		l.problem = "" // Create is validating already
		return
	}
	height := l.u.k.Settings.HeightCM() // the key holds it: a change in Settings is a new plan
	keyed := req
	keyed.Polycount = 0 // what a model's size and shape follow: dragging the polycount asks nothing
	blob, _ := json.Marshal(keyed)
	if !l.plans.due(fmt.Sprint(caps.Name, "\x00", credential, "\x00", each, "\x00", height, "\x00", string(blob))) {
		return
	}
	l.problem = "" // the refusal was of another request (Create is validating already)
	given := req.Size != (providers.Dimensions{})
	if _, ok := p.(providers.Foreseer); !ok || each || len(req.Images) == 0 {
		l.plans.stop()
		l.row.setVisible(!given)
		setNote(l.label, "Size: auto ("+defaultHint(height)+")", widget.LowImportance)
		return
	}
	if !l.row.visible() || l.label.Importance == widget.DangerImportance {
		// A foresight shown stays while the next is worked out (no flicker at every keystroke),
		// but a refusal of the request before is not left standing.
		setNote(l.label, "Working out the size and shape…", widget.LowImportance)
		l.row.setVisible(true)
	}
	name := caps.Name
	l.plans.run(l.delay, func(ctx context.Context) func() {
		plan, err := l.u.k.Plan(ctx, name, credential, req, false)
		return func() {
			var ie *providers.InputError
			switch {
			case errors.As(err, &ie):
				reason := sentence(providers.Printable(ie.Reason))
				setNote(l.label, reason, widget.DangerImportance)
				l.row.setVisible(true)
				l.setProblem(reason)
			case err != nil:
				setNote(l.label, providers.Printable(err.Error()), widget.WarningImportance)
				l.row.setVisible(true)
			case plan.Foresight != nil:
				lines := plan.Outlook()
				for i, n := range lines {
					lines[i] = providers.Printable(n)
				}
				setNote(l.label, strings.Join(lines, "\n"), widget.MediumImportance) // a line each: the column is narrow
				l.row.setVisible(true)
			default: // the provider had nothing to say of this request
				setNote(l.label, "Size: auto ("+defaultHint(height)+")", widget.LowImportance)
				l.row.setVisible(!given)
			}
		}
	})
}

// setProblem records why the plan refuses the request and has Create look again when it changed.
func (l *sizeLine) setProblem(p string) {
	if p == l.problem {
		return
	}
	l.problem = p
	if l.changed != nil {
		l.changed()
	}
}

// defaultHint says the height a model gets without a size, and where to change it.
func defaultHint(height float64) string {
	return fmt.Sprintf("default: %s cm tall, change it in Settings", app.Centimetres(height))
}
