package g3n

import (
	"context"
	"image"
	"image/draw"
	"path/filepath"
	"testing"

	"github.com/kiln3d/kiln/preview"
	"github.com/kiln3d/kiln/providers/modeltest"
)

// differing counts the pixels of a and b whose channels differ by more than 30 in all.
func differing(a, b *image.RGBA) int {
	n := 0
	for i := 0; i+3 < len(a.Pix) && i+3 < len(b.Pix); i += 4 {
		if absDiff(a.Pix[i], b.Pix[i])+absDiff(a.Pix[i+1], b.Pix[i+1])+absDiff(a.Pix[i+2], b.Pix[i+2]) > 30 {
			n++
		}
	}
	return n
}

// TestAnimationFrame: the two-bone bar half way through its bend, drawn, matches its reference
// silhouette (testdata/anim-bar-bend.png: the upper half leaning 45° left); the rest pose is
// another picture, and Clip 0 brings it back exactly.
func TestAnimationFrame(t *testing.T) {
	r := newRenderer(t, 0)
	load(t, r, skinnedBar(t))
	const n = 96
	front := preview.View{}.WithPreset(preview.Front)
	rest := frame(t, r, n, front)
	bent := front
	bent.Clip, bent.Time = 1, 0.5
	img := frame(t, r, n, bent)
	matchPicture(t, "anim-bar-bend", silhouette(img, 30), 0, 0.01)
	if got := iou(objectMask(img, bgColour(preview.Dark), 30), objectMask(rest, bgColour(preview.Dark), 30)); got > 0.9 {
		keep(t, "anim-bar-rest", rest)
		t.Errorf("the bent bar overlaps the rest pose by %.2f: the clip did not bend it", got)
	}
	again := frame(t, r, n, front)
	if d := differing(again, rest); d != 0 {
		keep(t, "anim-bar-back", again)
		t.Errorf("back at Clip 0, %d pixels differ from the rest pose", d)
	}
}

// TestCorpusAnimationsPlay: the corpus's animated models list their clips, and a frame half
// way through each differs from the rest pose (skinned, morphed), which Clip 0 restores; the
// hand, skinned without clips, draws its rest pose whatever clip is asked for.
func TestCorpusAnimationsPlay(t *testing.T) {
	dir := modeltest.CorpusDir(t, "models")
	r := newRenderer(t, 0)
	for _, c := range []struct {
		file  string
		clips int
	}{
		{"khronos_AnimatedMorphCube/AnimatedMorphCube.gltf", 1},
		{"cge_knight/knight.gltf", 5},
		{"webxr_generic-hand_left.glb", 0},
	} {
		t.Run(filepath.Dir(c.file), func(t *testing.T) {
			rep, err := r.Load(context.Background(), filepath.Join(dir, c.file))
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Animations) != c.clips {
				t.Fatalf("%d clips listed, want %d: %+v", len(rep.Animations), c.clips, rep.Animations)
			}
			const n = 128
			v := preview.View{}.WithPreset(preview.Iso)
			rest := frame(t, r, n, v)
			for i, a := range rep.Animations {
				mid := v
				mid.Clip, mid.Time = i+1, a.Duration/2
				img := frame(t, r, n, mid)
				if d := differing(img, rest); d < n*n/200 {
					keep(t, "corpus-anim-"+a.Name, img)
					t.Errorf("clip %q half way (%.2f s): only %d pixels differ from the rest pose", a.Name, mid.Time, d)
				}
			}
			other := v
			other.Clip, other.Time = 1, 0.3
			if c.clips > 0 {
				other.Clip = 0
			}
			if d := differing(frame(t, r, n, other), rest); d != 0 {
				t.Errorf("the rest pose again: %d pixels differ", d)
			}
		})
	}
}

// TestRenderFilePosesClip: a one-shot picture (kiln render) shows the clip and time asked for.
func TestRenderFilePosesClip(t *testing.T) {
	model, dir := skinnedBar(t), t.TempDir()
	opts := RenderOptions{Size: 64, View: preview.Front}
	rest, bent := filepath.Join(dir, "rest.png"), filepath.Join(dir, "bent.png")
	if err := RenderFile(context.Background(), model, rest, opts); err != nil {
		t.Fatal(err)
	}
	opts.Clip, opts.Time = 1, 0.5
	if err := RenderFile(context.Background(), model, bent, opts); err != nil {
		t.Fatal(err)
	}
	a, errA := readPNG(rest)
	b, errB := readPNG(bent)
	if errA != nil || errB != nil {
		t.Fatal(errA, errB)
	}
	ra, rb := image.NewRGBA(a.Bounds()), image.NewRGBA(b.Bounds())
	draw.Draw(ra, ra.Bounds(), a, image.Point{}, draw.Src)
	draw.Draw(rb, rb.Bounds(), b, image.Point{}, draw.Src)
	if d := differing(ra, rb); d < 20 {
		t.Errorf("the bent bar's picture differs from the rest pose's in %d pixels", d)
	}
}
