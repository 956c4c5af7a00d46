package rodintest

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/image/webp"

	"github.com/kiln3d/kiln/preview/inspect"
	"github.com/kiln3d/kiln/providers/modeltest"
)

func TestPreviewIsWebP(t *testing.T) {
	img, err := webp.Decode(bytes.NewReader(previewWebP))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 64 || b.Dy() != 64 {
		t.Errorf("preview %v", b)
	}
}

// TestModelsAreValid downloads every material's model, from each image format, and holds them to
// the Khronos validator and to Kiln's own inspection.
func TestModelsAreValid(t *testing.T) {
	c := newClient(t, Options{Balance: 100})
	webpImage := file("images", "p.webp", previewWebP)
	dir := t.TempDir()
	var paths []string
	for i, parts := range [][]part{
		{file("images", "a.png", pngOf(red)), file("images", "b.jpg", jpegOf(red)), field("material", "All")},
		{file("images", "a.jpg", jpegOf(color.NRGBA{G: 255, A: 255})), field("material", "Shaded")},
		{webpImage, field("material", "PBR"), field("tier", "Gen-2.5-High"), field("height", "30"), field("bbox_condition", "[2,1,1]")},
		{field("prompt", "a box"), field("material", "None")},
		// An image that is a PNG by its header only: the texture falls back to grey.
		{file("images", "h.png", modeltest.PNGHeader(1<<15, 1<<15))},
	} {
		id := c.finished(parts...)
		names, links := c.listed(id)
		for j, n := range names {
			if !strings.HasSuffix(n, ".glb") {
				continue
			}
			a := get(t, links[j])
			if a.status != 200 {
				t.Fatalf("%s: %d %s", n, a.status, a.raw)
			}
			p := filepath.Join(dir, strings.TrimSuffix(n, ".glb")+"_"+string(rune('a'+i))+".glb")
			if err := os.WriteFile(p, a.raw, 0o600); err != nil {
				t.Fatal(err)
			}
			paths = append(paths, p)
		}
	}
	if len(paths) != 6 {
		t.Fatalf("%d models: %v", len(paths), paths)
	}
	for _, p := range paths {
		r, err := inspect.Inspect(p)
		if err != nil {
			t.Errorf("%s: %v", filepath.Base(p), err)
			continue
		}
		m, err := modeltest.Load(p)
		if err != nil {
			t.Fatal(err)
		}
		if topo := m.Topology(); !topo.Watertight || topo.Triangles != 4 {
			t.Errorf("%s: %+v", filepath.Base(p), topo)
		}
		textured := !strings.Contains(p, "_none_")
		if r.Materials != 1 || (r.TextureCount == 1) != textured || r.Unlit != strings.Contains(p, "_shaded_") {
			t.Errorf("%s: %d materials, %d textures, unlit %v", filepath.Base(p), r.Materials, r.TextureCount, r.Unlit)
		}
		if textured && (r.Textures[0].Width > textureSide || r.Textures[0].Height > textureSide || r.Textures[0].MIMEType != "image/png") {
			t.Errorf("%s: texture %+v", filepath.Base(p), r.Textures)
		}
		// height 30 cm and bbox [2,1,1]: 60 cm wide, 30 high, 30 deep.
		if strings.HasSuffix(p, "_c.glb") {
			if size := r.SizeCM(); math.Abs(size[0]-60) > 0.01 || math.Abs(size[1]-30) > 0.01 || math.Abs(size[2]-30) > 0.01 {
				t.Errorf("%s: %v cm", filepath.Base(p), size)
			}
		}
	}
	for _, r := range modeltest.Validate(t, paths...) {
		if r.Warnings != 0 || r.Triangles != 4 {
			t.Errorf("glTF-Validator: %+v", r)
		}
	}
}

func TestTextureComesFromTheFirstImage(t *testing.T) {
	c := newClient(t, Options{})
	id := c.finished(file("images", "a.png", pngOf(red)), file("images", "b.png", pngOf(color.NRGBA{B: 255, A: 255})))
	names, links := c.listed(id)
	a := get(t, linkNamed(t, names, links, TextureName))
	if a.status != 200 || a.header.Get("Content-Type") != "image/png" {
		t.Fatalf("%d %v", a.status, a.header)
	}
	img, err := decodePNG(a.raw)
	if err != nil {
		t.Fatal(err)
	}
	if r, g, b, _ := img.At(0, 0).RGBA(); r>>8 != 220 || g>>8 != 30 || b>>8 != 30 {
		t.Errorf("texture colour %d %d %d, want the first image's red", r>>8, g>>8, b>>8)
	}
}

func TestOtherFormats(t *testing.T) {
	c := newClient(t, Options{})
	for _, tc := range []struct {
		format, name, prefix string
	}{
		{"obj", "base_basic_pbr.obj", "# rodintest\n"},
		{"stl", "base_basic_pbr.stl", "rodintest"},
		{"fbx", "base_basic_pbr.fbx", "; FBX"},
		{"usdz", "base_basic_pbr.usdz", "rodintest stand-in"},
	} {
		id := c.finished(field("prompt", "a"), field("geometry_file_format", tc.format))
		names, links := c.listed(id)
		a := get(t, linkNamed(t, names, links, tc.name))
		if a.status != 200 || !strings.HasPrefix(string(a.raw), tc.prefix) {
			t.Errorf("%s: %d %q", tc.format, a.status, a.raw[:min(20, len(a.raw))])
		}
		if tc.format == "stl" {
			if n := binary.LittleEndian.Uint32(a.raw[80:84]); n != 4 || len(a.raw) != 84+50*4 {
				t.Errorf("stl: %d triangles in %d bytes", n, len(a.raw))
			}
		}
		if tc.format == "obj" && (strings.Count(string(a.raw), "\nv ") != 4 || strings.Count(string(a.raw), "\nf ") != 4) {
			t.Errorf("obj:\n%s", a.raw)
		}
	}
	// A link to an object the task does not have is S3's NoSuchKey.
	id := c.finished(field("prompt", "a"))
	c.s.mu.Lock()
	link := c.s.link("/"+id+"/model_pbr.stl", c.s.now().Add(time.Minute))
	c.s.mu.Unlock()
	if a := get(t, link); a.status != 404 || !strings.Contains(string(a.raw), "NoSuchKey") {
		t.Errorf("%d %s", a.status, a.raw)
	}
}

func decodePNG(data []byte) (image.Image, error) { return png.Decode(bytes.NewReader(data)) }
