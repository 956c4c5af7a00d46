package local

import (
	"context"
	"image"
	"path/filepath"
	"testing"

	"github.com/kiln3d/kiln/providers/imageio"
	"github.com/kiln3d/kiln/providers/local/mask"
	"github.com/kiln3d/kiln/providers/local/raster"
	"github.com/kiln3d/kiln/providers/modeltest"
)

// keyedMask keys the image at path as the generator does.
func keyedMask(t *testing.T, path string) *mask.Mask {
	t.Helper()
	img, _, err := imageio.Decode(path)
	if err != nil {
		t.Fatal(err)
	}
	m, method, err := mask.Extract(context.Background(), raster.NRGBA(img))
	if err != nil {
		t.Fatal(err)
	}
	if method != mask.Keyed {
		t.Fatalf("%s was not keyed", filepath.Base(path))
	}
	return m
}

// alphaMask is the object of a cut-out, by its alpha channel.
func alphaMask(t *testing.T, path string) modeltest.Mask {
	t.Helper()
	m, err := modeltest.ObjectMaskFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func asModeltest(m *mask.Mask) modeltest.Mask { return modeltest.Mask{W: m.W, H: m.H, In: m.In} }

// onWhite flattens the cut-out at path onto white, as a product photo is shot.
func onWhite(t *testing.T, path string) *image.NRGBA {
	t.Helper()
	src, _, err := imageio.Decode(path)
	if err != nil {
		t.Fatal(err)
	}
	img := raster.NRGBA(src)
	out := image.NewNRGBA(img.Rect)
	for i := 0; i < len(img.Pix); i += 4 {
		a := uint32(img.Pix[i+3])
		for c := 0; c < 3; c++ {
			out.Pix[i+c] = uint8((uint32(img.Pix[i+c])*a + 255*(255-a) + 127) / 255)
		}
		out.Pix[i+3] = 255
	}
	return out
}

// TestPhotoOnWhite keys the corpus's apricot photographed on white: the mask must match the
// original cut-out's alpha, with no hole punched by a highlight.
func TestPhotoOnWhite(t *testing.T) {
	dir := modeltest.CorpusDir(t, "images")
	got := keyedMask(t, filepath.Join(dir, "DERIVED_tux_Apricot_whole_on_white.jpg"))
	want := alphaMask(t, filepath.Join(dir, "tux_Apricot_whole.png"))
	iou := modeltest.IoU(asModeltest(got), want)
	if iou < 0.97 {
		t.Errorf("apricot on white: mask IoU %.4f against the cut-out's alpha", iou)
	}
	if holes := enclosedHoles(got); holes != 0 {
		t.Errorf("apricot on white: %d holes in the mask", holes)
	}
	t.Logf("apricot on white: IoU %.4f", iou)
}

// TestWheelOnWhiteKeepsHoles flattens the corpus's tractor wheel onto white (JPEG, as a photo
// would be): the openings between rim and hub show the backdrop and must stay holes.
func TestWheelOnWhiteKeepsHoles(t *testing.T) {
	dir := modeltest.CorpusDir(t, "images")
	src := filepath.Join(dir, "tux_wheel_tractor.png")
	path := writeJPEG(t, t.TempDir(), "wheel on white.jpg", onWhite(t, src))
	got := keyedMask(t, path)
	want := alphaMask(t, src)
	iou := modeltest.IoU(asModeltest(got), want)
	wantHoles, gotHoles := enclosedHoles(&mask.Mask{W: want.W, H: want.H, In: want.In}), enclosedHoles(got)
	if iou < 0.95 || gotHoles == 0 {
		t.Errorf("wheel on white: mask IoU %.4f, %d holes (the cut-out has %d)", iou, gotHoles, wantHoles)
	}
	t.Logf("wheel on white: IoU %.4f, %d holes (the cut-out has %d)", iou, gotHoles, wantHoles)
}

// TestRingOnWhiteKeepsHole: a generated ring on white keeps its middle open.
func TestRingOnWhiteKeepsHole(t *testing.T) {
	path := writeJPEG(t, t.TempDir(), "ring.jpg", drawOnWhite(256, 256, testShapes()["ring"]))
	got := keyedMask(t, path)
	if got.At(128, 128) || enclosedHoles(got) != 1 {
		t.Errorf("the ring's middle is not a hole (%d holes)", enclosedHoles(got))
	}
	if !got.At(128, 128-80) {
		t.Error("the ring itself was keyed out")
	}
}

// enclosedHoles counts the 4-connected background regions that do not touch the image border
// and hold at least 20 pixels.
func enclosedHoles(m *mask.Mask) int {
	seen := make([]bool, len(m.In))
	holes := 0
	for s := range m.In {
		if m.In[s] || seen[s] {
			continue
		}
		n, border, stack := 0, false, []int{s}
		seen[s] = true
		for len(stack) > 0 {
			i := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			n++
			x, y := i%m.W, i/m.W
			if x == 0 || y == 0 || x == m.W-1 || y == m.H-1 {
				border = true
			}
			for _, d := range [4][2]int{{-1, 0}, {1, 0}, {0, -1}, {0, 1}} {
				nx, ny := x+d[0], y+d[1]
				if nx < 0 || ny < 0 || nx >= m.W || ny >= m.H {
					continue
				}
				if j := ny*m.W + nx; !m.In[j] && !seen[j] {
					seen[j] = true
					stack = append(stack, j)
				}
			}
		}
		if !border && n >= 20 {
			holes++
		}
	}
	return holes
}
