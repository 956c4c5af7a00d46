package viewport

import (
	"testing"
	"time"

	"github.com/kiln3d/kiln/preview/inspect"
)

// loadAnimated loads a model with two clips and waits for its report.
func loadAnimated(t *testing.T, v *Viewport, q *uiQueue) {
	t.Helper()
	var got *inspect.Report
	v.OnReport = func(r *inspect.Report) { got = r }
	v.Load("walk.glb")
	q.waitFor(t, "the report", func() bool { return got != nil })
}

func animatedRenderer() *fakeRenderer {
	return &fakeRenderer{report: &inspect.Report{Max: [3]float64{1, 1, 1}, Animations: []inspect.Animation{
		{Name: "Walk", Duration: 0.4, Channels: 3, Transforms: true},
		{Name: "Idle", Duration: 30, Channels: 1, Transforms: true},
	}}}
}

func TestPlayAdvancesTimeAndPauseStops(t *testing.T) {
	f := animatedRenderer()
	v, _, q := setup(t, f)
	loadAnimated(t, v, q)
	if n := len(v.Clips()); n != 2 {
		t.Fatalf("%d clips", n)
	}
	v.Play() // no clip chosen: the rest pose does not play
	if v.Playing() {
		t.Fatal("playing the rest pose")
	}
	v.SetClip(2)
	var told []float64
	v.OnTime = func(t float64, _ bool) { told = append(told, t) }
	start := time.Now()
	v.Play()
	q.waitFor(t, "time to pass", func() bool { return v.View().Time >= 0.1 })
	if elapsed := time.Since(start).Seconds(); v.View().Time > elapsed+0.02 {
		t.Errorf("time %.3f s after %.3f s of real time", v.View().Time, elapsed)
	}
	q.waitFor(t, "a frame of the moving clip", func() bool {
		views := f.rendered()
		last := views[len(views)-1]
		return last.Clip == 2 && last.Time > 0
	})
	if len(told) == 0 {
		t.Error("OnTime was not told the time")
	}
	v.Pause()
	paused := v.View().Time
	time.Sleep(5 * frameInterval)
	q.pump()
	if v.Playing() || v.View().Time != paused {
		t.Errorf("after Pause: playing %v, time %v then %v", v.Playing(), paused, v.View().Time)
	}

	// Scrubbing moves the time, within the clip.
	v.SetTime(12.5)
	if got := v.View().Time; got != 12.5 {
		t.Errorf("scrubbed to %v, want 12.5", got)
	}
	v.SetTime(99)
	if got := v.View().Time; got >= 30 || got < 29.99 {
		t.Errorf("scrubbed past the end to %v, want the last pose (just under 30)", got)
	}
	q.waitFor(t, "the scrubbed frame", func() bool {
		views := f.rendered()
		return views[len(views)-1].Time == v.View().Time
	})
}

func TestClipStopsAtItsEndUnlessLooping(t *testing.T) {
	f := animatedRenderer()
	v, _, q := setup(t, f)
	loadAnimated(t, v, q)
	v.SetClip(1) // 0.4 s
	v.Play()
	q.waitFor(t, "the clip's end", func() bool { return !v.Playing() })
	if got := v.View().Time; got < 0.39 || got >= 0.4 {
		t.Errorf("stopped at %v, want the last pose of a 0.4 s clip", got)
	}
	v.SetLoop(true)
	v.Play() // from the start again
	time.Sleep(600 * time.Millisecond)
	q.pump()
	if !v.Playing() {
		t.Fatal("a looping clip stopped")
	}
	if got := v.View().Time; got < 0 || got >= 0.4 {
		t.Errorf("looping time %v outside the 0.4 s clip", got)
	}
	v.Pause()
}

func TestHiddenViewportWaits(t *testing.T) {
	f := animatedRenderer()
	v, _, q := setup(t, f)
	loadAnimated(t, v, q)
	v.SetClip(2)
	v.Play()
	q.waitFor(t, "time to pass", func() bool { return v.View().Time > 0 })
	v.Hide()
	hidden := v.View().Time
	time.Sleep(5 * frameInterval)
	if got := v.View().Time; got != hidden {
		t.Errorf("a hidden viewport's animation went on: %v → %v", hidden, got)
	}
	if !v.Playing() {
		t.Error("hiding paused the animation for good")
	}
	v.Show()
	q.waitFor(t, "playback to carry on", func() bool { return v.View().Time > hidden })
}

func TestCloseStopsPlayback(t *testing.T) {
	f := animatedRenderer()
	v, _, q := setup(t, f)
	loadAnimated(t, v, q)
	v.SetClip(2)
	v.Play()
	v.mu.Lock()
	stopped := v.anim.stopped
	v.mu.Unlock()
	v.Close()
	select {
	case <-stopped:
	case <-time.After(time.Second):
		t.Fatal("the playback goroutine outlived Close")
	}
	v.Play() // after Close: nothing starts
	v.mu.Lock()
	running := v.anim.stop != nil
	v.mu.Unlock()
	if running {
		t.Error("Play after Close started a clock")
	}
}

func TestNewModelStartsAtRest(t *testing.T) {
	f := animatedRenderer()
	v, _, q := setup(t, f)
	loadAnimated(t, v, q)
	v.SetClip(1)
	v.SetTime(0.2)
	v.Play()
	loadAnimated(t, v, q)
	if got := v.View(); got.Clip != 0 || got.Time != 0 || v.Playing() {
		t.Errorf("a new model shows clip %d at %v, playing %v; want the rest pose, still", got.Clip, got.Time, v.Playing())
	}
	v.SetClip(7) // not a clip of this model
	if v.View().Clip != 0 {
		t.Error("chose a clip the model does not have")
	}
}

// TestPlayAgainAfterTheRestPose: choosing the rest pose while playing stops the clock, and
// playing a clip afterwards starts it again.
func TestPlayAgainAfterTheRestPose(t *testing.T) {
	f := animatedRenderer()
	v, _, q := setup(t, f)
	loadAnimated(t, v, q)
	v.SetClip(2)
	v.Play()
	q.waitFor(t, "time to pass", func() bool { return v.View().Time > 0 })
	v.SetClip(0)
	q.waitFor(t, "the clock to stop", func() bool {
		v.mu.Lock()
		defer v.mu.Unlock()
		return v.anim.stop == nil
	})
	if v.Playing() || v.View().Time != 0 {
		t.Fatalf("the rest pose plays (%v) at %v", v.Playing(), v.View().Time)
	}
	v.SetClip(2)
	v.Play()
	q.waitFor(t, "time to pass again", func() bool { return v.View().Time > 0.05 })
	v.Pause()
}
