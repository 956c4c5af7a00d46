package views

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/kiln3d/kiln/app"
	"github.com/kiln3d/kiln/providers"
)

// planDelay is how long the cost line waits after the last change before it works out the plan:
// typing a prompt or dragging the slider asks the core once, not at every step.
const planDelay = 400 * time.Millisecond

// balanceAge is how long an account's balance is taken as known before it is asked again.
const balanceAge = time.Minute

// costLine shows what a job will cost against the account's balance, for providers that charge
// credits: the core's Plan, worked out off the UI thread (it asks the provider for the balance)
// a moment after the last change, a stale one cancelled. Its methods run on the UI thread.
type costLine struct {
	u     *UI
	label *widget.Label
	delay time.Duration

	plans settler // the plan shown, or under way
	okFor string  // the provider/credential whose cost is shown; "" while none is

	balanceFor string // provider/credential the balance below belongs to
	balance    *float64
	balanceAt  time.Time
}

func newCostLine(u *UI) *costLine {
	l := &costLine{u: u, label: widget.NewLabel(""), delay: planDelay, plans: settler{u: u}}
	l.label.Wrapping = fyne.TextWrapWord
	l.label.Hide()
	return l
}

// update works out the plan of req on provider with credential ("" for the default) unless it
// is the one shown already. Providers that charge nothing show nothing.
func (l *costLine) update(p providers.Provider, credential string, req providers.Request) {
	l.updateEach(p, credential, req, false)
}

// updateEach is update for one model per image of req when each is set: a batch, whose cost is
// all its models'.
func (l *costLine) updateEach(p providers.Provider, credential string, req providers.Request, each bool) {
	if _, ok := p.(providers.Pricer); !ok {
		l.plans.stop()
		l.plans.forget()
		l.okFor = ""
		l.label.Hide()
		return
	}
	name := p.Capabilities().Name
	blob, _ := json.Marshal(req)
	if !l.plans.due(fmt.Sprint(name, "\x00", credential, "\x00", each, "\x00", string(blob))) {
		return
	}
	account := name + "/" + credential
	if l.okFor != account {
		setNote(l.label, "Working out the cost…", widget.LowImportance)
	}
	withBalance := l.balanceFor != account || l.balance == nil || time.Since(l.balanceAt) > balanceAge
	known := l.balance
	l.plans.run(l.delay, func(ctx context.Context) func() {
		planOf := l.u.k.Plan
		if each {
			planOf = l.u.k.PlanEach
		}
		plan, err := planOf(ctx, name, credential, req, withBalance)
		return func() {
			switch {
			case err != nil:
			case withBalance && plan.Balance != nil:
				l.balanceFor, l.balance, l.balanceAt = account, plan.Balance, time.Now()
			case !withBalance:
				plan.Balance = known
			}
			l.show(plan, err)
			l.okFor = ""
			if err == nil {
				l.okFor = account
			}
		}
	})
}

// show puts the plan's summary and notes in the line; a short balance is a warning.
func (l *costLine) show(plan app.Plan, err error) {
	var ie *providers.InputError
	switch {
	case errors.As(err, &ie):
		l.label.Hide() // the hint under Submit says what is wrong with the request
	case err != nil:
		setNote(l.label, providers.Printable(err.Error()), widget.WarningImportance)
	default:
		lines := append([]string{plan.Summary()}, plan.Notes...)
		text := strings.TrimSpace(strings.Join(lines, "\n"))
		importance := widget.MediumImportance
		switch {
		case plan.Short():
			importance = widget.DangerImportance
		case plan.BalanceError != "":
			importance = widget.WarningImportance
		}
		setNote(l.label, text, importance)
	}
}

// forget makes the next update ask again, the balance included (after a submission).
func (l *costLine) forget() {
	l.plans.forget()
	l.balance = nil
}

// stop cancels the plan under way.
func (l *costLine) stop() { l.plans.stop() }
