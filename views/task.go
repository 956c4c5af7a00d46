package views

import (
	"context"
	"errors"
	"math"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
)

// task is long work started from the window (a download, a reduction): it runs off the UI
// thread, shows its progress in a dialog, and the dialog's Cancel stops it.
type task struct {
	u      *UI
	bar    *widget.ProgressBar
	busy   *widget.ProgressBarInfinite
	label  *widget.Label
	dialog *dialog.CustomDialog
	cancel context.CancelFunc
}

// progress reports a share done (negative when unknown) and what is happening.
type progress func(fraction float64, message string)

// runTask runs work with a progress dialog titled title; done is called on the UI thread with
// work's error (nil on success; context.Canceled when the artist cancelled).
func (u *UI) runTask(title string, work func(ctx context.Context, report progress) error, done func(error)) *task {
	ctx, cancel := context.WithCancel(context.Background())
	t := &task{u: u, bar: widget.NewProgressBar(), busy: widget.NewProgressBarInfinite(), label: widget.NewLabel("Starting…"), cancel: cancel}
	t.bar.Hide()
	t.label.Wrapping = fyne.TextWrapWord
	content := container.NewVBox(t.label, container.NewStack(t.bar, t.busy))
	t.dialog = dialog.NewCustom(title, "Cancel", content, u.win)
	t.dialog.SetOnClosed(cancel)
	t.dialog.Resize(fyne.NewSize(420, t.dialog.MinSize().Height))
	t.dialog.Show()
	go func() {
		err := work(ctx, throttled(func(f float64, msg string) { u.goUI(func() { t.show(f, msg) }) }))
		if ctx.Err() != nil && err != nil {
			err = errors.Join(context.Canceled, err)
		}
		u.goUI(func() {
			t.dialog.Hide() // its close callback cancels ctx: harmless once work has returned
			if done != nil {
				done(err)
			}
		})
	}()
	return t
}

func (t *task) show(fraction float64, message string) {
	if message != "" {
		t.label.SetText(message)
	}
	if fraction < 0 {
		t.bar.Hide()
		t.busy.Show()
		return
	}
	t.busy.Hide()
	t.bar.Show()
	t.bar.SetValue(fraction)
}

// throttled passes on a new message at once, and a new fraction only when it has moved by a
// step the bar shows (half a percent) or a tenth of a second has passed: a simplifier reports
// after every few collapses, and queueing each to the UI thread slowed a reduction fifty-fold.
// It may be called from any one goroutine at a time.
func throttled(report progress) progress {
	last, lastMsg := -2.0, ""
	var at time.Time
	return func(f float64, msg string) {
		now := time.Now()
		if msg == "" && math.Abs(f-last) < 0.005 && (f != 1 || last == 1) && now.Sub(at) < 100*time.Millisecond {
			return
		}
		if msg == lastMsg && msg != "" && f == last {
			return
		}
		last, at = f, now
		if msg != "" {
			lastMsg = msg
		}
		report(f, msg)
	}
}
