package local

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/kiln3d/kiln/providers"
)

func TestCancelledBeforeStart(t *testing.T) {
	img := writePNG(t, t.TempDir(), "disc.png", drawRGBA(64, 64, disc(32, 32, 20)))
	req := providers.Request{Images: []providers.Image{{Path: img}}, Polycount: 1000}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	p := New()
	if _, err := p.Submit(ctx, req); !errors.Is(err, context.Canceled) {
		t.Errorf("Submit: %v, want context.Canceled", err)
	}
	if _, err := p.Collect(ctx, req, providers.Remote{ID: "local-1"}, t.TempDir(), nil); !errors.Is(err, context.Canceled) {
		t.Errorf("Collect: %v, want context.Canceled", err)
	}
}

// TestCancelAtEachStage cancels as each stage is reported: Collect must stop with an error
// wrapping context.Canceled and write nothing.
func TestCancelAtEachStage(t *testing.T) {
	img := writePNG(t, t.TempDir(), "disc.png", drawRGBA(128, 128, disc(64, 64, 50)))
	stages := map[string][]string{
		ShapeRound:  {msgReading, msgFinding, msgInflating, msgBuilding, msgTexturing, msgWriting},
		ShapeTurned: {msgTurning, msgTexturing, msgWriting},
		ShapeFlat:   {msgExtruding, msgTexturing, msgWriting},
	}
	for shape, list := range stages {
		req := providers.Request{Images: []providers.Image{{Path: img}}, Polycount: 2000, Options: map[string]string{OptionShape: shape}}
		cancelAtEachStage(t, req, list)
	}
}

// cancelAtEachStage runs req, cancelling it as each stage is reported.
func cancelAtEachStage(t *testing.T, req providers.Request, stages []string) {
	t.Helper()
	for _, stage := range stages {
		ctx, cancel := context.WithCancel(context.Background())
		dir := t.TempDir()
		reports := 0
		_, err := New().Collect(ctx, req, providers.Remote{ID: "local-1"}, dir, func(p providers.Progress) {
			reports++
			if p.Message == stage {
				cancel()
			}
		})
		cancel()
		if !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled at %q: %v, want context.Canceled", stage, err)
		}
		if _, err := os.Stat(filepath.Join(dir, ModelFile)); err == nil {
			t.Errorf("cancelled at %q: the model was written", stage)
		}
	}
}

// TestCancelMidStage cancels while a big job is running, from another goroutine as the app
// would, and expects Collect back promptly.
func TestCancelMidStage(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a 2048² image")
	}
	img := writePNG(t, t.TempDir(), "big.png", drawHard(2048, 2048, disc(1024, 1024, 900)))
	for shape, stages := range map[string][]string{
		ShapeRound:  {msgFinding, msgInflating, msgBuilding},
		ShapeTurned: {msgTurning},
		ShapeFlat:   {msgExtruding},
	} {
		req := providers.Request{Images: []providers.Image{{Path: img}}, Polycount: 200000, Options: map[string]string{OptionShape: shape}}
		cancelMidStage(t, req, stages)
	}
}

// cancelMidStage runs req, cancelling it a moment into each stage.
func cancelMidStage(t *testing.T, req providers.Request, stages []string) {
	t.Helper()
	for _, stage := range stages {
		ctx, cancel := context.WithCancel(context.Background())
		var cancelled time.Time
		done := make(chan error, 1)
		go func() {
			_, err := New().Collect(ctx, req, providers.Remote{ID: "local-1"}, t.TempDir(), func(p providers.Progress) {
				if p.Message == stage {
					// Cancel a moment into the stage, from elsewhere.
					go func() {
						time.Sleep(5 * time.Millisecond)
						cancelled = time.Now()
						cancel()
					}()
				}
			})
			done <- err
		}()
		select {
		case err := <-done:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("cancelled in %q: %v, want context.Canceled", stage, err)
			} else if late := time.Since(cancelled); late > time.Second {
				t.Errorf("cancelled in %q: Collect returned %v after the cancel", stage, late)
			} else {
				t.Logf("cancelled in %q: Collect returned %v after the cancel", stage, late)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("cancelled in %q: Collect did not return", stage)
		}
		cancel()
	}
}

// TestCancelCarvedAtEachStage is TestCancelAtEachStage for views that are carved.
func TestCancelCarvedAtEachStage(t *testing.T) {
	images := drawViews(t, t.TempDir(), "mug", mug(), map[string][2]int{"front": {160, 160}, "left": {160, 160}, "top": {160, 160}})
	req := providers.Request{Images: images, Polycount: 2000}
	var seen []string
	if _, err := New().Collect(context.Background(), req, providers.Remote{ID: "local-1"}, t.TempDir(), func(p providers.Progress) {
		seen = append(seen, p.Message)
	}); err != nil {
		t.Fatal(err)
	}
	want := []string{msgReading, msgFinding, msgCarving, msgBuilding, msgTexturing, msgWriting, msgWriting}
	if !slices.Equal(seen, want) {
		t.Errorf("stages %q, want %q", seen, want)
	}
	for _, stage := range want[:len(want)-1] {
		ctx, cancel := context.WithCancel(context.Background())
		dir := t.TempDir()
		_, err := New().Collect(ctx, req, providers.Remote{ID: "local-1"}, dir, func(p providers.Progress) {
			if p.Message == stage {
				cancel()
			}
		})
		cancel()
		if !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled at %q: %v, want context.Canceled", stage, err)
		}
		if _, err := os.Stat(filepath.Join(dir, ModelFile)); err == nil {
			t.Errorf("cancelled at %q: the model was written", stage)
		}
	}
}

// TestCancelCarvingMidStage cancels a big carving job from elsewhere while it builds the mesh.
func TestCancelCarvingMidStage(t *testing.T) {
	images := drawViews(t, t.TempDir(), "torus", torus(), map[string][2]int{"front": {400, 400}, "left": {400, 400}, "top": {400, 400}})
	req := providers.Request{Images: images, Polycount: 200000}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var cancelled time.Time
	var mu sync.Mutex
	done := make(chan error, 1)
	go func() {
		_, err := New().Collect(ctx, req, providers.Remote{ID: "local-1"}, t.TempDir(), func(p providers.Progress) {
			if p.Message == msgBuilding {
				go func() {
					time.Sleep(20 * time.Millisecond)
					mu.Lock()
					cancelled = time.Now()
					mu.Unlock()
					cancel()
				}()
			}
		})
		done <- err
	}()
	select {
	case err := <-done:
		mu.Lock()
		late := time.Since(cancelled)
		mu.Unlock()
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%v, want context.Canceled", err)
		} else if late > time.Second {
			t.Errorf("Collect returned %v after the cancel", late)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("Collect did not return")
	}
}
