package glfwctx_test

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/widget"

	"github.com/kiln3d/kiln/preview"
	"github.com/kiln3d/kiln/preview/g3n"
	"github.com/kiln3d/kiln/preview/g3n/glfwctx"
)

// TestMain runs a real Fyne app on the main goroutine, as Kiln does, and the tests beside
// it; only with a display (an X server such as Xvfb). The renderer is started after the app
// is made but before it runs, as the app's composition root will do.
func TestMain(m *testing.M) {
	if os.Getenv("DISPLAY") == "" {
		os.Exit(m.Run())
	}
	a := app.NewWithID("io.github.kiln3d.kiln.glfwctx-test")
	early = g3n.Start(glfwctx.New(), g3n.Options{Samples: 4})
	code := 0
	a.Lifecycle().SetOnStarted(func() {
		go func() {
			code = m.Run()
			fyne.Do(a.Quit)
		}()
	})
	// The app needs a window to run; the tests open theirs beside it.
	w := a.NewWindow("glfwctx test")
	w.SetContent(widget.NewLabel("running the preview's GL context tests"))
	w.Show()
	a.Run()
	os.Exit(code)
}

// early is a renderer started before the app ran.
var early *g3n.Renderer

// TestRendererInsideFyne draws with a hidden GLFW window's context while Fyne runs, opens
// another Fyne window afterwards (which fails if the window hints were left in core
// profile), and closes the renderer with Fyne still up.
func TestRendererInsideFyne(t *testing.T) {
	if os.Getenv("DISPLAY") == "" {
		t.Skip("needs an X server (run under xvfb-run); the same renderer runs headless in preview/g3n's tests")
	}
	img, err := early.Render(context.Background(), 64, 48, preview.View{Background: preview.Light})
	if err != nil {
		t.Fatal(err)
	}
	if img.Bounds().Dx() != 64 || img.RGBAAt(10, 10).R < 200 {
		t.Errorf("frame %v, pixel %v: not the light background", img.Bounds(), img.RGBAAt(10, 10))
	}
	var second fyne.Window
	fyne.DoAndWait(func() {
		second = fyne.CurrentApp().NewWindow("after the hidden window")
		second.SetContent(widget.NewLabel("Fyne still opens windows"))
		second.Show()
	})
	time.Sleep(200 * time.Millisecond) // a few of Fyne's frames in the new window
	fyne.DoAndWait(second.Close)
	if err := early.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := early.Render(context.Background(), 8, 8, preview.View{}); !errors.Is(err, preview.ErrClosed) {
		t.Errorf("after Close: %v", err)
	}
}

// TestCloseOnUIThreadBeforeAttach: closing from the UI thread while the renderer still
// waits for its window must not hang.
func TestCloseOnUIThreadBeforeAttach(t *testing.T) {
	if os.Getenv("DISPLAY") == "" {
		t.Skip("needs an X server (run under xvfb-run)")
	}
	done := make(chan struct{})
	fyne.Do(func() {
		r := g3n.Start(glfwctx.New(), g3n.Options{}) // its window can only be made after this returns
		_ = r.Close()
		close(done)
	})
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close on the UI thread hung")
	}
}
