package viewport

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
)

// drag is one drag event of a drag still in progress (test.Drag also releases the button).
func drag(v *Viewport, dx float32) {
	v.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(100, 100)},
		Dragged: fyne.Delta{DX: dx}})
}

// TestDragPauseDrawsStill: frames drawn while a drag goes on say Moving; when the drag pauses
// without the button being released, one still frame of the same camera follows, and nothing
// after it.
func TestDragPauseDrawsStill(t *testing.T) {
	f := &fakeRenderer{}
	v, _, q := setup(t, f)
	q.settle()
	before := len(f.rendered())
	for range 5 {
		drag(v, 4)
		q.pump()
		time.Sleep(frameInterval)
	}
	q.waitFor(t, "the still frame after the pause", func() bool {
		views := f.rendered()
		return len(views) > before && !views[len(views)-1].Moving && !views[len(views)-1].Draft
	})
	q.settle()
	time.Sleep(2 * stillAfter)
	q.settle()
	views := f.rendered()[before:]
	if len(views) < 3 {
		t.Fatalf("%d frames for a drag and its pause; want moving ones, a draft and a still one", len(views))
	}
	draft, last := views[len(views)-2], views[len(views)-1]
	for i, w := range views[:len(views)-2] {
		if !w.Moving {
			t.Errorf("frame %d of %d, drawn during the drag, is not Moving", i+1, len(views))
		}
	}
	if draft.Moving || !draft.Draft || last.Moving || last.Draft {
		t.Errorf("the frames after the pause: %+v then %+v; want a draft, then the still frame", draft, last)
	}
	if moving := views[len(views)-3]; moving.SameCamera(last) != moving || moving.SameCamera(draft) != moving {
		t.Errorf("the still frames' cameras %+v, %+v are not the last drag's %+v", draft, last, moving)
	}
	if v.View().Moving {
		t.Error("the view says Moving after the pause")
	}
}

// TestReleaseDrawsStill: releasing the button draws the still frame without waiting for the
// pause, and the pause's timer then draws nothing more.
func TestReleaseDrawsStill(t *testing.T) {
	f := &fakeRenderer{}
	v, _, q := setup(t, f)
	q.settle()
	drag(v, 6)
	q.waitFor(t, "a moving frame", func() bool {
		views := f.rendered()
		return len(views) > 0 && views[len(views)-1].Moving
	})
	before := len(f.rendered())
	released := time.Now()
	v.DragEnd()
	q.waitFor(t, "the still frame after the release", func() bool { return len(f.rendered()) > before })
	if took := time.Since(released); took >= stillAfter {
		t.Logf("the still frame came %v after the release (the machine is busy?)", took)
	}
	time.Sleep(2 * stillAfter)
	q.settle()
	views := f.rendered()[before:]
	if len(views) != 2 || views[0].Moving || !views[0].Draft || views[1].Moving || views[1].Draft {
		t.Fatalf("after the release: %d frames (%+v); want a draft, then one still frame", len(views), views)
	}
}

// TestRightPanMoves: a pan with the secondary button (mouse moves, not drags) is moving too,
// and its release draws the still frame.
func TestRightPanMoves(t *testing.T) {
	f := &fakeRenderer{}
	v, _, q := setup(t, f)
	q.settle()
	before := len(f.rendered())
	v.MouseDown(&desktop.MouseEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(50, 50)}, Button: desktop.MouseButtonSecondary})
	v.MouseMoved(&desktop.MouseEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(60, 50)}, Button: desktop.MouseButtonSecondary})
	q.waitFor(t, "a moving frame", func() bool {
		views := f.rendered()
		return len(views) > before && views[len(views)-1].Moving
	})
	v.MouseUp(&desktop.MouseEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(60, 50)}, Button: desktop.MouseButtonSecondary})
	q.waitFor(t, "the still frame after the release", func() bool {
		views := f.rendered()
		return !views[len(views)-1].Moving && !views[len(views)-1].Draft
	})
	if v.View().Moving {
		t.Error("the view says Moving after the release")
	}
}

// TestFollowerMovesWithLeader: a viewport following another's camera (SetCamera from
// OnCameraMoved, as Compare does) draws moving frames while the other is dragged, and its still
// frame when the drag ends.
func TestFollowerMovesWithLeader(t *testing.T) {
	lead := &fakeRenderer{}
	v, _, q := setup(t, lead)
	f := &fakeRenderer{}
	follower := newViewport(f, q.post)
	w := test.NewTempWindow(t, follower)
	w.Resize(fyne.NewSize(200, 200))
	t.Cleanup(follower.Close)
	v.OnCameraMoved = follower.SetCamera
	q.settle()
	drag(v, 8)
	q.waitFor(t, "a moving frame of the follower", func() bool {
		views := f.rendered()
		return len(views) > 0 && views[len(views)-1].Moving
	})
	if got, want := follower.View().Yaw, v.View().Yaw; got != want {
		t.Errorf("the follower's yaw %v, the leader's %v", got, want)
	}
	before := len(f.rendered())
	v.DragEnd()
	q.waitFor(t, "the follower's still frame", func() bool {
		views := f.rendered()
		return len(views) > before && !views[len(views)-1].Moving && !views[len(views)-1].Draft
	})
	if follower.View().Moving {
		t.Error("the follower still says Moving after the leader's drag ended")
	}
}
