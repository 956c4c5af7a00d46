package g3n

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/kiln3d/kiln/preview"
)

// The GL tests run on Mesa's surfaceless EGL: no display, no GPU. A machine without EGL
// fails them (they are the renderer's only proof); it does not skip them.

func newRenderer(t testing.TB, samples int) *Renderer {
	t.Helper()
	r, err := NewHeadless(Options{Samples: samples})
	if err != nil {
		t.Fatalf("no headless OpenGL: %v", err)
	}
	t.Cleanup(func() { _ = r.Close() })
	return r
}

func load(t testing.TB, r *Renderer, path string) {
	t.Helper()
	if _, err := r.Load(context.Background(), path); err != nil {
		t.Fatalf("load %s: %v", filepath.Base(path), err)
	}
}

func frame(t testing.TB, r *Renderer, n int, v preview.View) *image.RGBA {
	t.Helper()
	img, err := r.Render(context.Background(), n, n, v)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// keep writes img to testdata/failed when the test has failed, for a look.
func keep(t *testing.T, name string, img image.Image) {
	t.Helper()
	if !t.Failed() {
		return
	}
	dir := filepath.Join("testdata", "failed")
	if err := os.MkdirAll(dir, 0o755); err == nil {
		_ = preview.WritePNG(filepath.Join(dir, name+".png"), img)
		t.Logf("frame kept in %s", filepath.Join(dir, name+".png"))
	}
}

// bgColour is the rendered background for b, as bytes.
func bgColour(b preview.Background) color.RGBA {
	c := background(b)
	return color.RGBA{c[0], c[1], c[2], 255}
}

// objectMask marks the pixels that differ from the background by more than half the way
// to white (a white unlit model) or, for lit models, by a clear margin.
func objectMask(img *image.RGBA, bg color.RGBA, threshold int) []bool {
	n := img.Bounds().Dx() * img.Bounds().Dy()
	m := make([]bool, n)
	for i := range n {
		p := img.Pix[4*i : 4*i+3]
		d := absDiff(p[0], bg.R) + absDiff(p[1], bg.G) + absDiff(p[2], bg.B)
		m[i] = d > threshold
	}
	return m
}

func absDiff(a, b uint8) int {
	if a > b {
		return int(a - b)
	}
	return int(b - a)
}

func count(m []bool) int {
	n := 0
	for _, v := range m {
		if v {
			n++
		}
	}
	return n
}

func iou(a, b []bool) float64 {
	inter, union := 0, 0
	for i := range a {
		if a[i] && b[i] {
			inter++
		}
		if a[i] || b[i] {
			union++
		}
	}
	if union == 0 {
		return 0
	}
	return float64(inter) / float64(union)
}

// TestUnlitIsDrawn: g3n's own loader draws KHR_materials_unlit as nothing.
func TestUnlitIsDrawn(t *testing.T) {
	r := newRenderer(t, 0)
	doc := newDoc()
	cube := box{[3]float32{-0.1, -0.1, -0.1}, [3]float32{0.1, 0.1, 0.1}}
	finish(doc, writeBoxes(doc, []box{cube}, meshOptions{}), unlitMaterial(doc, 1, 0, 1))
	load(t, r, save(t, doc, "unlit.glb"))
	v := preview.View{}.WithPreset(preview.Iso)
	img := frame(t, r, 128, v)
	defer keep(t, "unlit", img)
	// Unlit means the base colour exactly, on every face, whatever the light.
	magenta := 0
	for i := 0; i < len(img.Pix); i += 4 {
		if img.Pix[i] == 255 && img.Pix[i+1] == 0 && img.Pix[i+2] == 255 {
			magenta++
		}
	}
	if magenta < 128*128/5 {
		t.Errorf("%d pure magenta pixels of %d: the unlit cube is not drawn in its colour", magenta, 128*128)
	}
}

// TestMissingNormalsAreComputedOutward: a cube without normals must shade like the same
// cube with them (not black, not lit from inside).
func TestMissingNormalsAreComputedOutward(t *testing.T) {
	r := newRenderer(t, 0)
	v := preview.View{}.WithPreset(preview.Iso)
	load(t, r, plainCube(t, matte(0.6, 0.6, 0.6), false, "normals.glb"))
	want := frame(t, r, 128, v)
	load(t, r, plainCube(t, matte(0.6, 0.6, 0.6), true, "nonormals.glb"))
	got := frame(t, r, 128, v)
	defer keep(t, "nonormals", got)
	mask := objectMask(want, bgColour(preview.Dark), 30)
	var diff, luma float64
	n := 0
	for i, in := range mask {
		if !in {
			continue
		}
		n++
		for c := range 3 {
			diff += math.Abs(float64(got.Pix[4*i+c]) - float64(want.Pix[4*i+c]))
			luma += float64(got.Pix[4*i+c]) / 3
		}
	}
	if n < 1000 {
		t.Fatalf("the cube covers %d pixels", n)
	}
	if luma/float64(n) < 60 {
		t.Errorf("mean brightness %.0f: the cube without normals is black", luma/float64(n))
	}
	if diff/float64(3*n) > 2 {
		t.Errorf("mean difference %.1f per channel from the cube with normals: computed normals are wrong (inverted?)", diff/float64(3*n))
	}
}

// TestTextureShowsUpright: the front face of the textured cube shows the texture's four
// quadrants in place (top-left red, top-right green, bottom-left blue, bottom-right yellow).
// Clay loses their hue; wireframe adds line pixels to the shaded frame.
func TestTextureClayAndWireframe(t *testing.T) {
	r := newRenderer(t, 4)
	load(t, r, texturedCube(t))
	const n = 256
	v := preview.View{}.WithPreset(preview.Front)
	shaded := frame(t, r, n, v)
	defer keep(t, "textured", shaded)
	// The cube's half-diagonal is √3·0.1; the smaller side spans 2·r/FrameFill.
	half := math.Sqrt(3) * 0.1 / preview.FrameFill
	px := func(u, v float64) (int, int) {
		return int(n/2 + u/half*n/2), int(n/2 - v/half*n/2)
	}
	type probe struct {
		u, v float64
		hue  string
	}
	probes := []probe{{-0.05, 0.05, "red"}, {0.05, 0.05, "green"}, {-0.05, -0.05, "blue"}, {0.05, -0.05, "yellow"}}
	for _, p := range probes {
		x, y := px(p.u, p.v)
		c := shaded.RGBAAt(x, y)
		if got := hue(c); got != p.hue {
			t.Errorf("shaded: at (%d, %d) %v reads as %s, want %s", x, y, c, got, p.hue)
		}
	}

	clay := frame(t, r, n, preview.View{Mode: preview.Clay}.WithPreset(preview.Front))
	defer keep(t, "clay", clay)
	for _, p := range probes {
		x, y := px(p.u, p.v)
		c := clay.RGBAAt(x, y)
		if sat := int(max(c.R, c.G, c.B)) - int(min(c.R, c.G, c.B)); sat > 25 {
			t.Errorf("clay: at (%d, %d) %v still has colour (spread %d)", x, y, c, sat)
		}
		if c.R < 60 {
			t.Errorf("clay: at (%d, %d) %v is too dark to show form", x, y, c)
		}
	}

	wire := frame(t, r, n, preview.View{Mode: preview.Wireframe}.WithPreset(preview.Front))
	defer keep(t, "wireframe", wire)
	object := objectMask(shaded, bgColour(preview.Dark), 30)
	changed := 0
	for i, in := range object {
		if in && absDiff(wire.Pix[4*i], shaded.Pix[4*i])+absDiff(wire.Pix[4*i+1], shaded.Pix[4*i+1])+absDiff(wire.Pix[4*i+2], shaded.Pix[4*i+2]) > 60 {
			changed++
		}
	}
	// The front face alone has its four edges and a diagonal, about 5 × 180 pixels long.
	if area := count(object); changed < 400 || changed > area/3 {
		t.Errorf("wireframe changed %d of the cube's %d pixels: want line pixels, not none or a fill", changed, area)
	}
}

// hue names a clearly coloured pixel's hue, or "grey".
func hue(c color.RGBA) string {
	r, g, b := int(c.R), int(c.G), int(c.B)
	switch {
	case r > g+60 && r > b+60:
		return "red"
	case g > r+60 && g > b+60:
		return "green"
	case b > r+60 && b > g+60:
		return "blue"
	case r > b+80 && g > b+80:
		return "yellow"
	}
	return "grey"
}

// TestEmptyRendererDrawsBackground: before any model, a frame is the background.
func TestEmptyRendererDrawsBackground(t *testing.T) {
	r := newRenderer(t, 0)
	for _, bg := range []preview.Background{preview.Dark, preview.Light} {
		img := frame(t, r, 32, preview.View{Background: bg})
		if got, want := img.RGBAAt(5, 5), bgColour(bg); got != want {
			t.Errorf("%s background: %v, want %v", bg, got, want)
		}
	}
	if _, err := r.Render(context.Background(), 0, 10, preview.View{}); err == nil {
		t.Error("a 0×10 frame rendered")
	}
}

// TestClosedRenderer: calls after Close fail with ErrClosed; Close is idempotent.
func TestClosedRenderer(t *testing.T) {
	r := newRenderer(t, 0)
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Render(context.Background(), 8, 8, preview.View{}); !errors.Is(err, preview.ErrClosed) {
		t.Errorf("Render after Close: %v", err)
	}
	if _, err := r.Load(context.Background(), "x.glb"); !errors.Is(err, preview.ErrClosed) {
		t.Errorf("Load after Close: %v", err)
	}
	if err := r.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// TestMirroredInstance: a node with a negative scale turns its triangles' winding over; it
// must still show its outside (front faces kept, lit from outside), not its inside.
func TestMirroredInstance(t *testing.T) {
	r := newRenderer(t, 0)
	doc := newDoc()
	cube := box{[3]float32{-0.1, -0.1, -0.1}, [3]float32{0.1, 0.1, 0.1}}
	finish(doc, writeBoxes(doc, []box{cube}, meshOptions{}), matte(0.6, 0.6, 0.6))
	v := preview.View{}.WithPreset(preview.Iso)
	load(t, r, save(t, doc, "plain.glb"))
	want := frame(t, r, 96, v)
	doc.Nodes[0].Scale = [3]float64{-1, 1, 1}
	load(t, r, save(t, doc, "mirrored.glb"))
	got := frame(t, r, 96, v)
	defer keep(t, "mirrored", got)
	mask := objectMask(want, bgColour(preview.Dark), 30)
	var diff float64
	for i, in := range mask {
		if in {
			for c := range 3 {
				diff += math.Abs(float64(got.Pix[4*i+c]) - float64(want.Pix[4*i+c]))
			}
		}
	}
	// A symmetric cube mirrored is the same cube: the same picture.
	if d := diff / float64(3*max(1, count(mask))); d > 2 {
		t.Errorf("the mirrored cube differs by %.1f per channel: culled or lit from inside", d)
	}
}

// TestTwoRenderersAtOnce: the viewport's renderer and the thumbnailer's run side by side in
// one process, each on its own thread and context; neither sees the other's model.
func TestTwoRenderersAtOnce(t *testing.T) {
	a, b := newRenderer(t, 0), newRenderer(t, 0)
	doc := newDoc()
	cube := box{[3]float32{-0.1, -0.1, -0.1}, [3]float32{0.1, 0.1, 0.1}}
	finish(doc, writeBoxes(doc, []box{cube}, meshOptions{}), unlitMaterial(doc, 1, 0, 0))
	load(t, a, save(t, doc, "red.glb"))
	doc.Materials[0].PBRMetallicRoughness.BaseColorFactor = &[4]float64{0, 0, 1, 1}
	load(t, b, save(t, doc, "blue.glb"))
	v := preview.View{}.WithPreset(preview.Front)
	errs := make(chan error, 2)
	for _, c := range []struct {
		r    *Renderer
		want color.RGBA
	}{{a, color.RGBA{255, 0, 0, 255}}, {b, color.RGBA{0, 0, 255, 255}}} {
		go func() {
			for i := range 20 {
				img, err := c.r.Render(context.Background(), 64, 64, v.Zoomed(1+float64(i)/40))
				if err == nil && img.RGBAAt(32, 32) != c.want {
					err = fmt.Errorf("frame %d: centre %v, want %v", i, img.RGBAAt(32, 32), c.want)
				}
				if err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
