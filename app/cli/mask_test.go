package cli

import (
	"context"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln3d/kiln/providers/modeltest"
	"github.com/kiln3d/kiln/providers/providertest"
)

// writePhoto writes an opaque 120×100 PNG: a red disc on a white backdrop, with a blue square in
// the top-left corner that a rectangle around the disc leaves out.
func writePhoto(t *testing.T, dir, name string) string {
	t.Helper()
	return modeltest.WriteImage(t, dir, name, modeltest.DiscPhoto())
}

func readAlpha(t *testing.T, path string) func(x, y int) uint8 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return func(x, y int) uint8 {
		_, _, _, a := img.At(x, y).RGBA()
		return uint8(a >> 8)
	}
}

func TestMask(t *testing.T) {
	src, dst := t.TempDir(), t.TempDir()
	photo := writePhoto(t, src, "mug.png")
	ctx := context.Background()

	out := filepath.Join(dst, "auto.png")
	r := kiln(t, ctx, t.TempDir(), []*providertest.Fake{providertest.NewFake("local")}, "mask", photo, "--out", out)
	if r.status != 0 || strings.TrimSpace(r.stdout) != out {
		t.Fatalf("status %d stdout %q stderr %q", r.status, r.stdout, r.stderr)
	}
	a := readAlpha(t, out)
	if a(70, 55) != 255 || a(10, 10) != 255 || a(110, 90) != 0 {
		t.Errorf("the automatic cut-out: disc %d, square %d, backdrop %d; want 255, 255, 0", a(70, 55), a(10, 10), a(110, 90))
	}

	out = filepath.Join(dst, "crop.png")
	r = kiln(t, ctx, t.TempDir(), []*providertest.Fake{providertest.NewFake("local")}, "mask", photo, "--crop", "35,20,70,70", "--tolerance", "0", "--out", out)
	if r.status != 0 {
		t.Fatalf("status %d stderr %q", r.status, r.stderr)
	}
	a = readAlpha(t, out)
	if a(70, 55) != 255 || a(10, 10) != 0 || a(38, 23) != 0 {
		t.Errorf("the rectangle's cut-out: disc %d, square %d, corner %d; want 255, 0, 0", a(70, 55), a(10, 10), a(38, 23))
	}

	notImage := filepath.Join(src, "notes.png")
	if err := os.WriteFile(notImage, []byte("not a picture"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{photo}, "usage: kiln mask"},
		{[]string{"--out", filepath.Join(dst, "x.png")}, "usage: kiln mask"},
		{[]string{photo, "--crop", "1,2,3", "--out", filepath.Join(dst, "x.png")}, "want X,Y,W,H"},
		{[]string{photo, "--crop", "1,2,0,5", "--out", filepath.Join(dst, "x.png")}, "at least 1 pixel"},
		{[]string{photo, "--crop", "a,2,3,4", "--out", filepath.Join(dst, "x.png")}, `"a" is not a whole number`},
		{[]string{photo, "--crop", "500,500,20,20", "--out", filepath.Join(dst, "x.png")}, "outside the 120×100 image"},
		{[]string{photo, "--crop", "99999999999999999999,0,5,5", "--out", filepath.Join(dst, "x.png")}, "far larger than any image"},
		{[]string{photo, "--crop", "-9,-9,5,5", "--out", filepath.Join(dst, "x.png")}, "outside the 120×100 image"},
		{[]string{photo, "--crop", "100,80,18,18", "--out", filepath.Join(dst, "x.png")}, "stands out from the background"},
		{[]string{photo, "--crop", "front=1,2,3,4", "--out", filepath.Join(dst, "x.png")}, "takes one image"},
		{[]string{photo, "--crop", "1,2,3,4", "--crop", "5,6,7,8", "--out", filepath.Join(dst, "x.png")}, "one rectangle"},
		{[]string{photo, "--crop", "35,20,70,70", "--tolerance", "1.5", "--out", filepath.Join(dst, "x.png")}, "give 0 to 1"},
		{[]string{photo, "--tolerance", "0.3", "--out", filepath.Join(dst, "x.png")}, "--tolerance goes with --crop"},
		{[]string{notImage, "--out", filepath.Join(dst, "x.png")}, "notes.png"},
		{[]string{filepath.Join(src, "missing.png"), "--out", filepath.Join(dst, "x.png")}, "does not exist"},
		{[]string{photo, "--out", photo}, "is the image itself"},
		{[]string{photo, "--out", filepath.Join(dst, "no", "such", "folder.png")}, "the folder " + filepath.Join(dst, "no", "such") + " does not exist"},
	} {
		r := kiln(t, ctx, t.TempDir(), []*providertest.Fake{providertest.NewFake("local")}, append([]string{"mask"}, c.args...)...)
		if r.status == 0 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%v: status %d stderr %q, want %q", c.args, r.status, r.stderr, c.want)
		}
		if r.status != 0 && strings.Count(strings.TrimSpace(r.stderr), "\n") > 0 && !strings.Contains(r.stderr, "usage") {
			t.Errorf("%v: the failure takes more than one line: %q", c.args, r.stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(dst, "x.png")); !os.IsNotExist(err) {
		t.Errorf("a refused run left a file behind: %v", err)
	}
	if got, _ := os.ReadFile(photo); len(got) == 0 {
		t.Error("the image was overwritten")
	}
}

func TestGenerateCrop(t *testing.T) {
	fake := providertest.NewFake("local")
	fake.Caps.Views = true
	src := t.TempDir()
	front := writePhoto(t, src, "front.png")
	side := writePhoto(t, src, "side.png")
	ctx := context.Background()

	home := t.TempDir()
	r := kiln(t, ctx, home, []*providertest.Fake{fake}, "generate", "--out", t.TempDir(), front, "--crop", "35,20,70,70")
	if r.status != 0 {
		t.Fatalf("status %d: %s", r.status, r.stderr)
	}
	if !strings.Contains(r.stderr, "the object inside the rectangle is") {
		t.Errorf("stderr does not say what was cut out: %q", r.stderr)
	}
	if img := fake.Requests()[0].Images[0]; img.Mask == "" {
		t.Fatal("the cut-out did not reach the provider")
	}
	// The job's inputs are its own; the cut-out that was copied into them is kept in the cache.
	cuts, _ := filepath.Glob(filepath.Join(home, "cache", "cutouts", "*.png"))
	if len(cuts) != 1 {
		t.Fatalf("cut-outs in the cache: %v", cuts)
	}
	a := readAlpha(t, cuts[0])
	if a(70, 55) != 255 || a(10, 10) != 0 {
		t.Errorf("the provider's cut-out: disc %d, square %d; want 255, 0", a(70, 55), a(10, 10))
	}

	// Several images: the crop names its image by view or by file name; the other keeps none.
	r = kiln(t, ctx, t.TempDir(), []*providertest.Fake{fake}, "generate", "--out", t.TempDir(),
		"--view", "front="+front, "--view", "left="+side, "--crop", "LEFT=35,20,70,70")
	if r.status != 0 {
		t.Fatalf("status %d: %s", r.status, r.stderr)
	}
	imgs := fake.Requests()[1].Images
	if imgs[0].Mask != "" || imgs[1].Mask == "" {
		t.Errorf("masks front %q left %q, want the left one only", imgs[0].Mask, imgs[1].Mask)
	}
	r = kiln(t, ctx, t.TempDir(), []*providertest.Fake{fake}, "generate", "--out", t.TempDir(),
		front, side, "--crop", "front.png=35,20,70,70")
	if r.status != 0 {
		t.Fatalf("status %d: %s", r.status, r.stderr)
	}
	if imgs := fake.Requests()[2].Images; imgs[0].Mask == "" || imgs[1].Mask != "" {
		t.Errorf("masks %q %q, want front.png's only", imgs[0].Mask, imgs[1].Mask)
	}

	submitted := len(fake.Requests())
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{front, side, "--crop", "35,20,70,70"}, "there are 2 images; say which one"},
		{[]string{front, "--crop", "back=35,20,70,70"}, "no image is the back view or named back"},
		{[]string{"--prompt", "a mug", "--crop", "35,20,70,70"}, "no image to crop"},
		{[]string{front, "--crop", "500,500,10,10"}, "outside the 120×100 image"},
		{[]string{front, "--crop", "35,20,70,70", "--crop", "front.png=1,1,50,50"}, "one rectangle per image"},
		{[]string{front, "--crop", "35,20,-70,70"}, "at least 1 pixel"},
		{[]string{"--each", front, side, "--crop", "front.png=35,20,70,70"}, "not --each"},
	} {
		r := kiln(t, ctx, t.TempDir(), []*providertest.Fake{fake}, append([]string{"generate", "--out", t.TempDir()}, c.args...)...)
		if r.status == 0 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%v: status %d stderr %q, want %q", c.args, r.status, r.stderr, c.want)
		}
	}
	if n := len(fake.Requests()); n != submitted {
		t.Errorf("%d jobs submitted by refused crops", n-submitted)
	}
}
