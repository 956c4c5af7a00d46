package g3n

import (
	"bytes"
	"context"
	"image"
	"math"
	"testing"
	"time"

	"github.com/kiln3d/kiln/preview"
	"github.com/kiln3d/kiln/providers/modeltest"
)

// smallProxies makes models above 20k triangles get a proxy of about 5k, for the duration of
// the test, so that the tests stay fast.
func smallProxies(t *testing.T) {
	above, target := proxyAbove, proxyTarget
	proxyAbove, proxyTarget = 20_000, 5_000
	t.Cleanup(func() { proxyAbove, proxyTarget = above, target })
}

// proxyOf loads the model at path as a scene and makes its proxy, waiting for it.
func proxyOf(t *testing.T, path string) (*scene, []*meshData) {
	t.Helper()
	s, err := loadScene(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	b := startProxy(s.meshes, s.instances)
	if b == nil {
		return s, nil
	}
	select {
	case out := <-b.done:
		return s, out
	case <-time.After(20 * time.Second):
		t.Fatal("no proxy after 20 s")
	}
	return s, nil
}

// TestProxyClustersSphere: the proxy of a 60k-triangle sphere has about the target's
// triangles, every vertex near the sphere (within a grid cell), unit normals pointing out,
// and indices that stay in range.
func TestProxyClustersSphere(t *testing.T) {
	smallProxies(t)
	s, meshes := proxyOf(t, sphereModel(t, 60_000, "sphere60k.glb"))
	if len(meshes) != 1 || meshes[0] == nil {
		t.Fatalf("proxy meshes %v; want one", meshes)
	}
	full, p := s.meshes[0], meshes[0]
	tris := len(p.indices) / 3
	t.Logf("%d triangles → %d, %d vertices", len(full.indices)/3, tris, len(p.verts)/p.stride())
	if tris < proxyTarget/2 || tris > proxyTarget*3/2 {
		t.Errorf("the proxy has %d triangles; want about %d", tris, proxyTarget)
	}
	stride := p.stride()
	n := len(p.verts) / stride
	for _, i := range p.indices {
		if int(i) >= n {
			t.Fatalf("index %d of %d vertices", i, n)
		}
	}
	// A cell is about 1/sqrt(target/4) of the sphere's 1 m size; its diagonal bounds how far
	// a cluster's mean may sit from the surface.
	cell := 1 / math.Sqrt(float64(proxyTarget)/4)
	for v := range n {
		a := p.verts[v*stride:]
		x, y, z := float64(a[0]), float64(a[1])-0.5, float64(a[2])
		r := math.Sqrt(x*x + y*y + z*z)
		if math.Abs(r-0.5) > cell*math.Sqrt(3) {
			t.Fatalf("vertex %d is %.3f m from the centre; the sphere's radius is 0.5 (cell %.3f)", v, r, cell)
		}
		nl := math.Sqrt(float64(a[3]*a[3] + a[4]*a[4] + a[5]*a[5]))
		out := (x*float64(a[3]) + y*float64(a[4]) + z*float64(a[5])) / r
		if math.Abs(nl-1) > 1e-3 || out < 0.5 {
			t.Fatalf("vertex %d's normal %v: length %.3f, outwards %.3f", v, a[3:6], nl, out)
		}
	}
}

// TestProxyOnlyForHeavy: a model under the threshold gets no proxy.
func TestProxyOnlyForHeavy(t *testing.T) {
	smallProxies(t)
	if _, meshes := proxyOf(t, sphereModel(t, 10_000, "sphere10k.glb")); meshes != nil {
		t.Errorf("a 10k-triangle model got a proxy of %d meshes", len(meshes))
	}
}

// TestMovingFramesDrawProxy: a heavy model loaded into the renderer gets its proxy after its
// first frame; a moving frame draws it, aliased, with nearly the model's silhouette, and a
// still frame the model again. A one-shot picture (RenderFile) makes none, and loading another
// model releases it (the GL objects come back to what they were).
func TestMovingFramesDrawProxy(t *testing.T) {
	smallProxies(t)
	sphere := sphereModel(t, 60_000, "sphere60k.glb")
	r := newRenderer(t, 4)
	ctx := context.Background()
	load(t, r, texturedCube(t))
	frame(t, r, 128, preview.DefaultView())
	base, err := r.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	load(t, r, sphere)
	v := preview.DefaultView()
	still := frame(t, r, 256, v)
	deadline := time.Now().Add(20 * time.Second)
	for {
		var ready bool
		if err := r.do(ctx, func(e *engine) error { e.useProxy(false); ready = e.proxy.model != nil; return nil }); err != nil {
			t.Fatal(err)
		}
		if ready {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no proxy 20 s after the first frame")
		}
		time.Sleep(10 * time.Millisecond)
	}
	v.Moving = true
	moving := frame(t, r, 256, v)
	v.Moving = false
	again := frame(t, r, 256, v)
	keep(t, "proxy-moving", moving)
	iou := modeltest.IoU(modeltest.ObjectMask(still), modeltest.ObjectMask(moving))
	if iou < 0.95 {
		t.Errorf("the moving frame's silhouette matches the still one's by %.3f; want ≥ 0.95", iou)
	}
	if equalPix(still, moving) {
		t.Error("the moving frame is the still frame: no proxy, no aliasing")
	}
	if !equalPix(still, again) {
		t.Error("the still frame after a moving one differs from the first: the model is not drawn again")
	}

	load(t, r, texturedCube(t))
	frame(t, r, 128, preview.DefaultView())
	if got, err := r.Stats(ctx); err != nil || got != base {
		t.Errorf("after switching back: %+v alive (%v), want %+v", got, err, base)
	}

	out := t.TempDir() + "/one.png"
	if err := r.RenderFile(ctx, sphere, out, RenderOptions{Size: 64}); err != nil {
		t.Fatal(err)
	}
	if err := r.do(ctx, func(e *engine) error {
		if e.proxy.build != nil || e.proxy.model != nil {
			t.Error("a one-shot picture started a proxy")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

func equalPix(a, b *image.RGBA) bool { return a.Rect == b.Rect && bytes.Equal(a.Pix, b.Pix) }

// TestUpscale2: each enlarged pixel is 3/4 its source and 1/4 the neighbour on its side along
// each axis, edges clamped, and an odd size is cropped.
func TestUpscale2(t *testing.T) {
	src := image.NewRGBA(image.Rect(0, 0, 2, 2))
	set := func(x, y int, v byte) { copy(src.Pix[y*src.Stride+4*x:], []byte{v, v, v, 255}) }
	set(0, 0, 0)
	set(1, 0, 160)
	set(0, 1, 80)
	set(1, 1, 240)
	out := upscale2(src, 4, 3)
	if out.Rect != image.Rect(0, 0, 4, 3) {
		t.Fatalf("enlarged to %v, want 4×3", out.Rect)
	}
	want := [3][4]byte{
		{0, 40, 120, 160},   // row 0: source row 0 alone (clamped above)
		{20, 60, 140, 180},  // row 1: 3/4 row 0, 1/4 row 1
		{60, 100, 180, 220}, // row 2: 3/4 row 1, 1/4 row 0
	}
	for y := range 3 {
		for x := range 4 {
			p := out.Pix[y*out.Stride+4*x:]
			if p[0] != want[y][x] || p[1] != want[y][x] || p[3] != 255 {
				t.Errorf("(%d,%d) = %v, want %d (alpha 255)", x, y, p[:4], want[y][x])
			}
		}
	}
}

// TestMovingFrameHalfSize: a moving frame at a window's size is drawn at half size and
// enlarged: it has the size asked for and the still frame's silhouette.
func TestMovingFrameHalfSize(t *testing.T) {
	r := newRenderer(t, 0)
	load(t, r, texturedCube(t))
	v := preview.DefaultView()
	v.Grid = false // its lines, a pixel wide at half size, would count in the silhouette
	still, err := r.Render(context.Background(), 1000, 600, v)
	if err != nil {
		t.Fatal(err)
	}
	v.Moving = true
	moving, err := r.Render(context.Background(), 1000, 600, v)
	if err != nil {
		t.Fatal(err)
	}
	defer keep(t, "moving-half", moving)
	defer keep(t, "still-full", still)
	if moving.Rect != still.Rect {
		t.Fatalf("the moving frame is %v, the still one %v", moving.Rect, still.Rect)
	}
	if iou := modeltest.IoU(modeltest.ObjectMask(still), modeltest.ObjectMask(moving)); iou < 0.97 {
		t.Errorf("the moving frame's silhouette matches the still one's by %.3f; want ≥ 0.97", iou)
	}
	if equalPix(still, moving) {
		t.Error("the moving frame is the still frame: not drawn at half size")
	}
}
