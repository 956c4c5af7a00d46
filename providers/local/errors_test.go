package local

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/modeltest"
)

func encodePNG(t *testing.T, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestBadInputs checks that each kind of bad image is refused as an InputError naming the file,
// with a reason an artist can act on: at Submit when the header shows it, else at Collect.
func TestBadInputs(t *testing.T) {
	dir := t.TempDir()
	good := encodePNG(t, drawRGBA(64, 64, disc(32, 32, 20)))
	white := image.NewNRGBA(image.Rect(0, 0, 64, 64))
	for i := range white.Pix {
		white.Pix[i] = 255
	}
	half := image.NewNRGBA(image.Rect(0, 0, 64, 64))
	for i := 3; i < len(half.Pix); i += 4 {
		half.Pix[i] = 100 // everywhere less than half opaque
	}
	cases := []struct {
		name     string
		data     []byte
		atSubmit bool
		want     string
	}{
		{"empty.png", nil, true, "the file is empty"},
		{"notes.png", []byte("these are my notes, not a picture\n"), true, "not a PNG, JPEG or WebP image"},
		{"anim.png", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), true, "is a GIF image"},
		{"truncated.png", good[:len(good)/2], false, "the PNG file is damaged"},
		{"huge.png", modeltest.PNGHeader(40000, 40000), true, "the image is 40000×40000 pixels; Kiln accepts up to 8192"},
		{"clear.png", encodePNG(t, image.NewNRGBA(image.Rect(0, 0, 64, 64))), false, "no object found in clear.png (the image is fully transparent)"},
		{"faint.png", encodePNG(t, half), false, "no object found in faint.png (no part of the image is more than half opaque)"},
		{"white.png", encodePNG(t, white), false, "no object found in white.png (the image is all background)"},
	}
	p := New()
	ctx := context.Background()
	for _, c := range cases {
		path := writeFile(t, dir, c.name, c.data)
		req := providers.Request{Images: []providers.Image{{Path: path}}, Polycount: 1000}
		_, err := p.Submit(ctx, req)
		if !c.atSubmit {
			if err != nil {
				t.Errorf("%s: Submit: %v, want it accepted until the pixels are read", c.name, err)
				continue
			}
			out := t.TempDir()
			_, err = p.Collect(ctx, req, providers.Remote{ID: "local-test"}, out, nil)
			if _, statErr := os.Stat(filepath.Join(out, ModelFile)); statErr == nil {
				t.Errorf("%s: a model was written despite the error", c.name)
			}
		}
		if err == nil {
			t.Errorf("%s: accepted", c.name)
			continue
		}
		if !errors.Is(err, providers.ErrInvalidInput) {
			t.Errorf("%s: %v is not an ErrInvalidInput", c.name, err)
		}
		if !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), c.name) {
			t.Errorf("%s: error %q, want it to name the file and say %q", c.name, err, c.want)
		}
	}
}

// TestHugeHeaderIsCheap checks that a 40000×40000 image is refused from its header: fast, and
// without allocating anything like its 6.4 GB of pixels, in Submit and in Collect alike.
func TestHugeHeaderIsCheap(t *testing.T) {
	path := writeFile(t, t.TempDir(), "huge.png", modeltest.PNGHeader(40000, 40000))
	req := providers.Request{Images: []providers.Image{{Path: path}}, Polycount: 1000}
	p := New()
	for _, call := range []struct {
		name string
		run  func() error
	}{
		{"Submit", func() error { _, err := p.Submit(context.Background(), req); return err }},
		{"Collect", func() error {
			_, err := p.Collect(context.Background(), req, providers.Remote{ID: "local-x"}, t.TempDir(), nil)
			return err
		}},
	} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		start := time.Now()
		err := call.run()
		took := time.Since(start)
		runtime.ReadMemStats(&after)
		if !errors.Is(err, providers.ErrInvalidInput) {
			t.Fatalf("%s: %v, want an input error", call.name, err)
		}
		if took > time.Second {
			t.Errorf("%s took %v to refuse a header", call.name, took)
		}
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 4<<20 {
			t.Errorf("%s allocated %d bytes to refuse a header", call.name, alloc)
		}
	}
}

// TestBadRequests checks the request-level refusals.
func TestBadRequests(t *testing.T) {
	img := writePNG(t, t.TempDir(), "disc.png", drawRGBA(64, 64, disc(32, 32, 20)))
	one := []providers.Image{{Path: img}}
	p := New()
	for _, c := range []struct {
		req  providers.Request
		want string
	}{
		{providers.Request{Polycount: 1000}, "add a reference image"},
		{providers.Request{Images: slices.Repeat(one, 6), Polycount: 1000}, "at most 5 images"},
		{providers.Request{Images: slices.Repeat(one, 3), Polycount: 1000}, "disc.png: cannot tell which view this image shows"},
		{providers.Request{Images: one, Polycount: 100}, "polycount 100 is outside"},
		{providers.Request{Images: one, Polycount: 300000}, "polycount 300000 is outside"},
		{providers.Request{Images: []providers.Image{{Path: filepath.Join(t.TempDir(), "gone.png")}}, Polycount: 1000}, "the file does not exist"},
	} {
		_, err := p.Submit(context.Background(), c.req)
		if !errors.Is(err, providers.ErrInvalidInput) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Submit(%+v) = %v, want %q", c.req, err, c.want)
		}
	}
	_, err := p.Collect(context.Background(), providers.Request{Images: one, Polycount: 1000},
		providers.Remote{ID: "kaedim-123"}, t.TempDir(), nil)
	if err == nil || !strings.Contains(err.Error(), "not a local job") {
		t.Errorf("Collect of a foreign job: %v", err)
	}
}
