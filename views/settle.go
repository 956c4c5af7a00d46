package views

import (
	"context"
	"time"
)

// settler runs slow work off the UI thread a moment after the last change that asked for it:
// typing a prompt or dragging a slider starts the work once, not at every step. A newer request
// cancels the work under way, and a result that arrives after a newer request is dropped, so the
// widgets only ever show the latest. Its methods run on the UI thread.
type settler struct {
	u      *UI
	seq    int
	cancel context.CancelFunc
	last   string // the key of the work shown, or under way
}

// due reports whether key differs from the key of the work last started, and remembers it: what
// is shown already, or on its way, is not worked out again.
func (s *settler) due(key string) bool {
	if key == s.last {
		return false
	}
	s.last = key
	return true
}

// run cancels the work under way and calls work off the UI thread after delay, with a context
// that the next run, stop or the window's closing cancels. The function work returns, when not
// nil, is called on the UI thread unless another run came meanwhile.
func (s *settler) run(delay time.Duration, work func(ctx context.Context) func()) {
	s.stop()
	s.seq++
	seq := s.seq
	ctx, cancel := context.WithCancel(s.u.ctx)
	s.cancel = cancel
	time.AfterFunc(delay, func() {
		if ctx.Err() != nil {
			return
		}
		done := work(ctx)
		if done == nil || ctx.Err() != nil {
			return
		}
		s.u.goUI(func() {
			if seq == s.seq {
				done()
			}
		})
	})
}

// stop cancels the work under way; its result, if it comes, is dropped.
func (s *settler) stop() {
	s.seq++
	if s.cancel != nil {
		s.cancel()
		s.cancel = nil
	}
}

// forget makes the next due true whatever its key (what is shown may be out of date).
func (s *settler) forget() { s.last = "" }
