package viewport

import (
	"image"
	"time"
)

// frameInterval caps the frame rate near 60 per second, as fyne-io/terminal caps its redraws:
// a drag sends events much faster than that, and each would otherwise cost a frame.
const frameInterval = 17 * time.Millisecond

// loop draws frames when asked, at most one per frameInterval, always of the newest view:
// asks that arrive while a frame is drawn collapse into one. Frames and load results reach
// the widget only through fyne.Do. It never waits for the UI thread, so Close (called on the
// UI thread) can wait for it.
func (v *Viewport) loop() {
	defer close(v.done)
	shown := make(chan struct{}, 1) // the UI thread has taken the last frame
	shown <- struct{}{}
	var last time.Time
	var lastErr string
	// Set after a frame drawn while the camera moved: when it fires, the drag has paused (or
	// not; it then waits again) and the still frame is drawn.
	var settle <-chan time.Time
	for {
		select {
		case <-v.ctx.Done():
			return
		case <-v.wake:
		case <-settle:
			settle = nil
			v.mu.Lock()
			wait := stillAfter - time.Since(v.drag.at)
			moving := v.view.Moving
			if moving && wait <= 0 {
				v.view.Moving, v.draft = false, true
			}
			v.mu.Unlock()
			if !moving {
				continue // released meanwhile, which asked for the still frame itself
			}
			if wait > 0 {
				settle = time.After(wait)
				continue
			}
		}
		if wait := frameInterval - time.Since(last); wait > 0 {
			select {
			case <-v.ctx.Done():
				return
			case <-time.After(wait):
			}
		}
		// One frame in flight at most: fyne's queue never fills with stale frames.
		select {
		case <-v.ctx.Done():
			return
		case <-shown:
		}
		last = time.Now()

		v.mu.Lock()
		view, size, notes := v.view, v.pixels, v.notes
		view.Draft = v.draft && !view.Moving
		v.notes = nil
		v.mu.Unlock()

		var img *image.RGBA
		var err error
		if size.X > 0 && size.Y > 0 {
			img, err = v.r.Render(v.ctx, size.X, size.Y, view)
			if v.ctx.Err() != nil {
				return
			}
		}
		if view.Moving {
			settle = time.After(stillAfter)
		}
		if view.Draft {
			// The draft of a still frame is on its way: the full-quality one follows, unless
			// the camera moves again first.
			v.mu.Lock()
			if v.draft {
				v.draft = false
				v.request()
			}
			v.mu.Unlock()
		}
		if err != nil {
			// A frame that fails once will fail at every mouse move: say it once.
			if err.Error() != lastErr {
				notes = append(notes, note{err: err})
			}
			lastErr = err.Error()
		} else {
			lastErr = ""
		}
		v.onUI(func() {
			v.show(img, notes)
			shown <- struct{}{}
		})
	}
}

// show puts a frame on screen and delivers load results, on the UI thread.
func (v *Viewport) show(img *image.RGBA, notes []note) {
	v.mu.Lock()
	if img != nil {
		v.frame = img
	}
	closed := v.closed
	v.mu.Unlock()
	if closed {
		return
	}
	v.Refresh()
	for _, n := range notes {
		switch {
		case n.err != nil && v.OnError != nil:
			v.OnError(n.err)
		case n.report != nil && v.OnReport != nil:
			v.OnReport(n.report)
		}
	}
}
