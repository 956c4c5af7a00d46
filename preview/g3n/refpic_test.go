package g3n

import (
	"errors"
	"flag"
	"image"
	"image/color"
	"image/png"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/kiln3d/kiln/preview"
)

// Reference pictures: a render test draws a frame and compares it with a PNG kept in
// testdata/. When they differ, the frame and a picture of the difference are written to
// testdata/failed/ for a look; `go test ./preview/g3n/ -run NAME -update` makes this run's
// frames the new references (look at them before committing).

var updatePictures = flag.Bool("update", false, "rewrite the reference pictures in testdata/ from this run's frames")

// matchPicture compares img with testdata/name.png. A pixel differs when any channel is off by
// more than tol; the test fails when more than maxShare of the pixels differ (or the sizes
// do), keeping testdata/failed/name.png and name-diff.png (differing pixels red over the frame
// dimmed).
func matchPicture(t *testing.T, name string, img *image.RGBA, tol uint8, maxShare float64) {
	t.Helper()
	ref := filepath.Join("testdata", name+".png")
	if *updatePictures {
		if err := preview.WritePNG(ref, img); err != nil {
			t.Fatal(err)
		}
		t.Logf("reference picture %s rewritten", ref)
		return
	}
	want, err := readPNG(ref)
	if errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("no reference picture %s: run the test with -update to make it, and look at it", ref)
	}
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	if want.Bounds().Size() != b.Size() {
		keepDiff(t, name, img, nil)
		t.Fatalf("the frame is %v, the reference %s %v", b.Size(), ref, want.Bounds().Size())
	}
	diff := make([]bool, b.Dx()*b.Dy())
	n := 0
	for y := range b.Dy() {
		for x := range b.Dx() {
			g, w := img.RGBAAt(b.Min.X+x, b.Min.Y+y), color.RGBAModel.Convert(want.At(want.Bounds().Min.X+x, want.Bounds().Min.Y+y)).(color.RGBA)
			if absDiff(g.R, w.R) > int(tol) || absDiff(g.G, w.G) > int(tol) || absDiff(g.B, w.B) > int(tol) || absDiff(g.A, w.A) > int(tol) {
				diff[y*b.Dx()+x] = true
				n++
			}
		}
	}
	if share := float64(n) / float64(len(diff)); share > maxShare {
		keepDiff(t, name, img, diff)
		t.Errorf("%d of %d pixels (%.2f%%) differ from %s by more than %d, more than the %.2f%% allowed",
			n, len(diff), 100*share, ref, tol, 100*maxShare)
	}
}

// keepDiff writes the frame, and the difference when known, to testdata/failed/.
func keepDiff(t *testing.T, name string, img *image.RGBA, diff []bool) {
	t.Helper()
	dir := filepath.Join("testdata", "failed")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Log(err)
		return
	}
	_ = preview.WritePNG(filepath.Join(dir, name+".png"), img)
	t.Logf("frame kept in %s", filepath.Join(dir, name+".png"))
	if diff == nil {
		return
	}
	b := img.Bounds()
	d := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	for i, bad := range diff {
		x, y := i%b.Dx(), i/b.Dx()
		c := img.RGBAAt(b.Min.X+x, b.Min.Y+y)
		if bad {
			d.SetRGBA(x, y, color.RGBA{255, 0, 0, 255})
		} else {
			d.SetRGBA(x, y, color.RGBA{c.R / 3, c.G / 3, c.B / 3, 255})
		}
	}
	_ = preview.WritePNG(filepath.Join(dir, name+"-diff.png"), d)
	t.Logf("difference kept in %s", filepath.Join(dir, name+"-diff.png"))
}

func readPNG(path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return png.Decode(f)
}

// silhouette is the frame as a mask: white where the model is (a pixel off the background,
// read from the frame's corner, by more than threshold summed over the channels), black
// elsewhere. Comparing silhouettes tests where things are drawn, not how they are lit.
func silhouette(img *image.RGBA, threshold int) *image.RGBA {
	b := img.Bounds()
	bg := img.RGBAAt(b.Min.X, b.Min.Y)
	mask := objectMask(img, bg, threshold)
	out := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	for i, in := range mask {
		c := color.RGBA{0, 0, 0, 255}
		if in {
			c = color.RGBA{255, 255, 255, 255}
		}
		out.SetRGBA(i%b.Dx(), i/b.Dx(), c)
	}
	return out
}
