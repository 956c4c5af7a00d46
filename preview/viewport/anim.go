package viewport

import (
	"context"
	"math"
	"time"

	"github.com/kiln3d/kiln/preview/inspect"
)

// animState is the playback clock; Viewport.mu guards it.
type animState struct {
	playing bool
	loop    bool
	hidden  bool // the viewport is hidden (another tab): the clock waits
	// The clock reads base seconds at since; it advances from there in real time.
	base  float64
	since time.Time
	// stop ends the ticker goroutine; stopped is closed when it has. Both nil when none runs.
	stop    context.CancelFunc
	stopped chan struct{}
	// told says an OnTime call is queued for the UI thread: a slow UI thread gets the newest
	// time once, not a backlog of them.
	told bool
}

// Clips returns the loaded model's animations (inspect.Report.Animations), nil before a model.
func (v *Viewport) Clips() []inspect.Animation {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.clips
}

// SetClip poses clip n (1-based, as preview.View.Clip; 0 is the rest pose the file gives) at
// its start. Playback goes on with the new clip if it was playing; a clip the model does not
// have is ignored.
func (v *Viewport) SetClip(n int) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if n < 0 || n > len(v.clips) {
		return
	}
	v.view.Clip, v.view.Time = n, 0
	v.anim.base, v.anim.since = 0, time.Now()
	if n == 0 {
		v.anim.playing = false
	}
	v.request()
}

// SetTime moves the animation to t seconds (scrubbing), within the clip; playing goes on from
// there.
func (v *Viewport) SetTime(t float64) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if math.IsNaN(t) || math.IsInf(t, 0) {
		return
	}
	if d := v.duration(); t >= d {
		t = endOf(d)
	}
	t = max(0, t)
	v.view.Time = t
	v.anim.base, v.anim.since = t, time.Now()
	v.request()
}

// SetLoop says whether playback starts over at the clip's end (on) or stops there.
func (v *Viewport) SetLoop(on bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.anim.loop = on
}

// Playing reports whether the animation is playing (it may be waiting while hidden).
func (v *Viewport) Playing() bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.anim.playing
}

// Play plays the chosen clip from where it stands (from its start when it stood at its end).
// Without a clip chosen, it does nothing.
func (v *Viewport) Play() {
	v.mu.Lock()
	if v.closed || v.view.Clip == 0 || v.view.Clip > len(v.clips) {
		v.mu.Unlock()
		return
	}
	if v.view.Time >= endOf(v.duration()) {
		v.view.Time = 0
	}
	v.anim.playing = true
	v.anim.base, v.anim.since = v.view.Time, time.Now()
	v.mu.Unlock()
	v.startTicker()
}

// Pause stops the animation where it is.
func (v *Viewport) Pause() {
	v.mu.Lock()
	v.anim.playing = false
	v.mu.Unlock()
	v.stopTicker()
}

// Hide implements fyne.CanvasObject: a hidden viewport's animation waits where it is.
func (v *Viewport) Hide() {
	v.BaseWidget.Hide()
	v.mu.Lock()
	v.anim.hidden = true
	v.mu.Unlock()
	v.stopTicker()
}

// Show implements fyne.CanvasObject: playback carries on from where it waited.
func (v *Viewport) Show() {
	v.BaseWidget.Show()
	v.mu.Lock()
	v.anim.hidden = false
	v.anim.base, v.anim.since = v.view.Time, time.Now()
	v.mu.Unlock()
	v.startTicker()
}

// duration is the chosen clip's length in seconds, 0 for the rest pose; the caller holds mu.
func (v *Viewport) duration() float64 {
	if c := v.view.Clip; c > 0 && c <= len(v.clips) {
		d := v.clips[c-1].Duration
		if d > 0 && !math.IsInf(d, 0) {
			return d
		}
	}
	return 0
}

// endOf is the time that shows a clip of d seconds' last pose: preview.View.Time wraps at the
// duration, so a hair before it.
func endOf(d float64) float64 {
	if d <= 0 {
		return 0
	}
	return math.Nextafter(d, 0)
}

// startTicker starts the clock's goroutine when the animation should run and none does.
func (v *Viewport) startTicker() {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.closed || !v.anim.playing || v.anim.hidden || v.anim.stop != nil {
		return
	}
	ctx, stop := context.WithCancel(v.ctx)
	stopped := make(chan struct{})
	v.anim.stop, v.anim.stopped = stop, stopped
	go v.tick(ctx, stopped)
}

// stopTicker stops the clock's goroutine and waits for it to end.
func (v *Viewport) stopTicker() {
	v.mu.Lock()
	stop, stopped := v.anim.stop, v.anim.stopped
	v.anim.stop, v.anim.stopped = nil, nil
	v.mu.Unlock()
	if stop != nil {
		stop()
		<-stopped
	}
}

// tick moves the animation's time on at real time, asking for a frame each frameInterval: the
// frame loop draws the newest time when the renderer is ready, so a slow model skips frames
// rather than slowing the clock. It never waits for the UI thread, so stopTicker can wait for it
// there.
func (v *Viewport) tick(ctx context.Context, stopped chan struct{}) {
	defer close(stopped)
	t := time.NewTicker(frameInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			if !v.advance(ctx, now, stopped) {
				return
			}
		}
	}
}

// advance sets the time the clock reads at now and says whether playback goes on. stopped is
// the calling goroutine's: when playback ends here (the clip's end, or no clip left to play)
// the goroutine is forgotten, so that Play can start another.
func (v *Viewport) advance(ctx context.Context, now time.Time, stopped chan struct{}) bool {
	v.mu.Lock()
	if ctx.Err() != nil {
		v.mu.Unlock()
		return false
	}
	d := v.duration()
	t := v.anim.base + now.Sub(v.anim.since).Seconds()
	ended := !v.anim.playing || d <= 0
	switch {
	case ended:
		t = v.view.Time
		if d <= 0 {
			t = 0 // the clip went (SetClip(0), or a reload with fewer clips): the rest pose
		}
	case t >= d && v.anim.loop:
		t = math.Mod(t, d)
	case t >= d:
		t = endOf(d)
		ended = true
	}
	var end context.CancelFunc
	if ended {
		v.anim.playing = false
		if v.anim.stopped == stopped {
			end = v.anim.stop
			v.anim.stop, v.anim.stopped = nil, nil
		}
	}
	v.view.Time = t
	v.request()
	tell := !v.anim.told && v.OnTime != nil
	v.anim.told = v.anim.told || tell
	v.mu.Unlock()
	if end != nil {
		end()
	}
	if tell {
		v.onUI(v.tellTime)
	}
	return !ended
}

// tellTime hands the newest time to OnTime, on the UI thread.
func (v *Viewport) tellTime() {
	v.mu.Lock()
	v.anim.told = false
	t, playing, closed := v.view.Time, v.anim.playing, v.closed
	v.mu.Unlock()
	if f := v.OnTime; f != nil && !closed {
		f(t, playing)
	}
}
