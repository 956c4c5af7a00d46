package g3n

import (
	"context"
	"errors"

	"github.com/kiln3d/kiln/preview"
)

// RenderOptions describe one picture of a model.
type RenderOptions struct {
	// Size is the square image's side in pixels; 0 means 512.
	Size int
	// View is an axis or iso preset (orthographic); "" is the viewport's default
	// three-quarter perspective view.
	View       preview.Preset
	Mode       preview.Mode
	Background preview.Background
	// Grid draws the ground grid.
	Grid bool
	// Light, EnvironmentFile, Exposure, ToneMap and Transparent are preview.View's.
	Light           preview.Lighting
	EnvironmentFile string
	Exposure        float64
	ToneMap         preview.ToneMap
	Transparent     bool
	// Clip and Time pose the model as preview.View's do: Time seconds into clip number Clip
	// (1-based, of inspect.Report.Animations); Clip 0 is the rest pose.
	Clip int
	Time float64
}

// view is the preview.View the options describe.
func (o RenderOptions) view() preview.View {
	v := preview.DefaultView()
	if o.View != "" {
		v = v.WithPreset(o.View)
	}
	v.Mode, v.Background, v.Grid = o.Mode, o.Background, o.Grid
	v.Light, v.EnvironmentFile, v.Exposure, v.ToneMap, v.Transparent = o.Light, o.EnvironmentFile, o.Exposure, o.ToneMap, o.Transparent
	v.Clip, v.Time = o.Clip, o.Time
	return v
}

func (o RenderOptions) size() int {
	if o.Size <= 0 {
		return 512
	}
	return o.Size
}

// RenderFile renders the model at path once, headless, into a PNG at out (written
// atomically), then releases everything. It prints nothing. Starting the GL context and
// compiling the shaders overlap with parsing the model.
//
// For many files (thumbnails), start one renderer with NewHeadless and call its RenderFile:
// that skips the context and shader start-up each time.
func RenderFile(ctx context.Context, path, out string, opts RenderOptions) error {
	type started struct {
		r   *Renderer
		err error
	}
	ready := make(chan started, 1)
	go func() {
		r, err := NewHeadless(Options{Supersample: 2})
		ready <- started{r, err}
	}()
	s, loadErr := loadScene(ctx, path)
	st := <-ready
	if st.err != nil {
		return st.err
	}
	defer func() { _ = st.r.Close() }()
	if loadErr != nil {
		return loadErr
	}
	return st.r.renderScene(ctx, s, out, opts)
}

// RenderFile renders the model at path into a PNG at out with this renderer, replacing
// its current model.
func (r *Renderer) RenderFile(ctx context.Context, path, out string, opts RenderOptions) error {
	if r.closed() {
		return preview.ErrClosed
	}
	s, err := loadScene(ctx, path)
	if err != nil {
		return err
	}
	return r.renderScene(ctx, s, out, opts)
}

func (r *Renderer) renderScene(ctx context.Context, s *scene, out string, opts RenderOptions) error {
	if out == "" {
		return errors.New("g3n: no output file")
	}
	n := opts.size()
	var err error
	if err = r.do(ctx, func(e *engine) error { e.install(s); return nil }); err != nil {
		return err
	}
	img, err := r.Render(ctx, n, n, opts.view())
	if err != nil {
		return err
	}
	return preview.WritePNG(out, img)
}
