package local

import (
	"context"
	"errors"
	"image"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln3d/kiln/providers"
)

// drawTagged writes a 200×200 image of shape, tagged with view.
func drawTagged(t *testing.T, dir, view string, shape inside) providers.Image {
	t.Helper()
	return providers.Image{Path: writePNG(t, dir, view+".png", drawHard(200, 200, shape)), View: view}
}

// collectErr runs Submit and Collect on req and returns Collect's error; it fails t if a model
// was written anyway.
func collectErr(t *testing.T, req providers.Request) error {
	t.Helper()
	p := New()
	r, err := p.Submit(context.Background(), req)
	if err != nil {
		return err
	}
	out := t.TempDir()
	_, err = p.Collect(context.Background(), req, r, out, nil)
	if _, statErr := os.Stat(filepath.Join(out, ModelFile)); statErr == nil {
		t.Error("a model was written despite the error")
	}
	return err
}

// TestContradictingViews: views no single object can have are refused, naming the views.
func TestContradictingViews(t *testing.T) {
	square := rect(40, 40, 160, 160)
	cases := []struct {
		name   string
		images func(dir string) []providers.Image
		want   string
	}{
		{
			// Seen from behind, the back view shows its object's right on the image's left: these
			// two squares sit on the same side as the front's and miss them.
			"front and back apart",
			func(dir string) []providers.Image {
				return []providers.Image{
					drawTagged(t, dir, "front", union(rect(20, 20, 90, 90), rect(110, 110, 180, 180))),
					drawTagged(t, dir, "back", union(rect(20, 20, 90, 90), rect(110, 110, 180, 180))),
					drawTagged(t, dir, "left", square),
				}
			},
			"the front (front.png) and back (back.png) views do not overlap",
		},
		{
			// Each pair of views agrees, the three together have nothing in common.
			"no common object",
			func(dir string) []providers.Image {
				return []providers.Image{
					drawTagged(t, dir, "front", union(rect(20, 20, 90, 90), rect(110, 110, 180, 180))),
					drawTagged(t, dir, "left", union(rect(20, 20, 90, 90), rect(110, 110, 180, 180))),
					drawTagged(t, dir, "top", union(rect(20, 110, 90, 180), rect(110, 20, 180, 90))),
				}
			},
			"the front (front.png), left (left.png) and top (top.png) views do not overlap",
		},
		{
			// The top view shows nothing above the front's wide right bar but a speck at its end.
			"front unexplained",
			func(dir string) []providers.Image {
				return []providers.Image{
					drawTagged(t, dir, "front", union(rect(10, 10, 60, 190), rect(85, 10, 190, 190))),
					drawTagged(t, dir, "left", square),
					drawTagged(t, dir, "top", union(rect(10, 10, 60, 190), rect(180, 95, 190, 105))),
				}
			},
			"the front (front.png) view does not match the left (left.png) and top (top.png) views",
		},
	}
	for _, c := range cases {
		err := collectErr(t, providers.Request{Images: c.images(t.TempDir()), Polycount: 2000})
		ie, ok := errors.AsType[*providers.InputError](err)
		if !ok || !errors.Is(err, providers.ErrInvalidInput) {
			t.Errorf("%s: %v, want an InputError", c.name, err)
			continue
		}
		if !strings.HasPrefix(ie.Error(), c.want) || !strings.Contains(ie.Error(), "tagged with the view it shows") {
			t.Errorf("%s: %q, want it to start %q and say what to check", c.name, ie.Error(), c.want)
		}
		t.Logf("%s: %v", c.name, err)
	}
}

// TestEmptyView: a view without an object is refused, naming its file, among good ones.
func TestEmptyView(t *testing.T) {
	dir := t.TempDir()
	images := drawViews(t, dir, "mug", mug(), map[string][2]int{"front": {200, 200}, "top": {200, 200}})
	empty := writePNG(t, dir, "side.png", image.NewNRGBA(image.Rect(0, 0, 200, 200)))
	images = append(images, providers.Image{Path: empty, View: "left"})
	err := collectErr(t, providers.Request{Images: images, Polycount: 2000})
	ie, ok := errors.AsType[*providers.InputError](err)
	if !ok || ie.File != empty || !strings.Contains(ie.Reason, "no object found in side.png") {
		t.Errorf("%v, want an InputError about side.png saying no object found in it", err)
	}
}
