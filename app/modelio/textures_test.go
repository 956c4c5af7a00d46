package modelio_test

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/qmuntal/gltf"
	"github.com/qmuntal/gltf/modeler"

	"github.com/kiln3d/kiln/app/modelio"
	"github.com/kiln3d/kiln/providers/modeltest"
)

// TestDownscaleBoxTextured brings BoxTextured's 211×211 logo down to 64×64, and, asked for powers
// of two under 100, to 64×64 too; the GLB written is smaller and valid.
func TestDownscaleBoxTextured(t *testing.T) {
	path := ioCorpus(t, "khronos_BoxTextured.glb")
	for _, c := range []struct {
		max        int
		powerOfTwo bool
		want       [2]int
	}{{64, false, [2]int{64, 64}}, {100, true, [2]int{64, 64}}, {100, false, [2]int{100, 100}}, {0, true, [2]int{128, 128}}} {
		m := ioLoad(t, path)
		changes, err := m.DownscaleTextures(c.max, c.powerOfTwo)
		if err != nil {
			t.Fatal(err)
		}
		want := []modelio.TextureChange{{Image: 0, From: [2]int{211, 211}, To: c.want}}
		if !slices.Equal(changes, want) {
			t.Errorf("to %d (powers of two %v): %v, want %v", c.max, c.powerOfTwo, changes, want)
		}
		if got := ioImageSize(t, m, 0); got != c.want {
			t.Errorf("to %d (powers of two %v): the image is %v", c.max, c.powerOfTwo, got)
		}
		if c.max != 64 {
			continue
		}
		out := ioValidGLB(t, m)
		before, _ := os.Stat(path)
		after, err := os.Stat(out)
		if err != nil {
			t.Fatal(err)
		}
		if after.Size() >= before.Size() {
			t.Errorf("the GLB has %d bytes, %d before", after.Size(), before.Size())
		}
		if changes, err := m.DownscaleTextures(64, true); err != nil || len(changes) != 0 {
			t.Errorf("a second time: %v, %v", changes, err)
		}
	}
}

// TestDownscaleNothing changes nothing where every image fits, or where there is no limit.
func TestDownscaleNothing(t *testing.T) {
	m := ioLoad(t, ioCorpus(t, "khronos_BoxTextured.glb"))
	views := len(m.Doc.BufferViews)
	for _, max := range []int{0, -1, 211, 4096} {
		changes, err := m.DownscaleTextures(max, false)
		if err != nil || len(changes) != 0 {
			t.Errorf("to %d: %v, %v", max, changes, err)
		}
	}
	if len(m.Doc.BufferViews) != views {
		t.Errorf("%d buffer views, %d before", len(m.Doc.BufferViews), views)
	}
}

// TestDownscaleFormats keeps each format: a PNG with alpha stays one (and transparent texels
// keep their colour), a JPEG stays a JPEG, a grey PNG stays grey; an image that does not decode
// is an error naming it.
func TestDownscaleFormats(t *testing.T) {
	box := ioCorpus(t, "khronos_BoxTextured.glb")

	t.Run("png alpha", func(t *testing.T) {
		img := image.NewNRGBA(image.Rect(0, 0, 300, 200))
		for y := range 200 {
			for x := range 300 {
				a := uint8(255)
				if x < 150 {
					a = 0 // transparent red: an engine filtering across the edge must find red
				}
				img.SetNRGBA(x, y, color.NRGBA{R: 255, G: uint8(y), A: a})
			}
		}
		m := ioLoad(t, box)
		ioSetImage(t, m, 0, "cutout", "image/png", ioEncode(t, img, "png"))
		changes, err := m.DownscaleTextures(128, true)
		if err != nil {
			t.Fatal(err)
		}
		// 300×200 fits 128 as 128×85; powers of two below are 128×64.
		if len(changes) != 1 || changes[0].Name != "cutout" || changes[0].From != [2]int{300, 200} || changes[0].To != [2]int{128, 64} {
			t.Errorf("changes %v", changes)
		}
		out, format, err := image.Decode(bytes.NewReader(ioImageData(t, m, 0)))
		if err != nil || format != "png" || m.Doc.Images[0].MimeType != "image/png" {
			t.Fatalf("%s %s: %v", format, m.Doc.Images[0].MimeType, err)
		}
		left := color.NRGBAModel.Convert(out.At(10, 30)).(color.NRGBA)
		right := color.NRGBAModel.Convert(out.At(120, 30)).(color.NRGBA)
		if left.A != 0 || left.R != 255 || right.A != 255 || right.R != 255 {
			t.Errorf("transparent texel %v, opaque texel %v", left, right)
		}
		ioValidGLB(t, m)
	})

	t.Run("jpeg", func(t *testing.T) {
		m := ioLoad(t, box)
		big := image.NewRGBA(image.Rect(0, 0, 200, 100))
		for i := range big.Pix {
			big.Pix[i] = uint8(i)
		}
		ioSetImage(t, m, 0, "photo", "image/jpeg", ioEncode(t, big, "jpeg"))
		changes, err := m.DownscaleTextures(50, false)
		if err != nil || len(changes) != 1 || changes[0].To != [2]int{50, 25} {
			t.Fatalf("%v, %v", changes, err)
		}
		if _, format, err := image.DecodeConfig(bytes.NewReader(ioImageData(t, m, 0))); err != nil || format != "jpeg" || m.Doc.Images[0].MimeType != "image/jpeg" {
			t.Errorf("%s %s: %v", format, m.Doc.Images[0].MimeType, err)
		}
		ioValidGLB(t, m)
	})

	t.Run("grey", func(t *testing.T) {
		m := ioLoad(t, box)
		g := image.NewGray(image.Rect(0, 0, 100, 60))
		for i := range g.Pix {
			g.Pix[i] = uint8(i)
		}
		ioSetImage(t, m, 0, "roughness", "image/png", ioEncode(t, g, "png"))
		if _, err := m.DownscaleTextures(30, false); err != nil {
			t.Fatal(err)
		}
		out, _, err := image.Decode(bytes.NewReader(ioImageData(t, m, 0)))
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := out.(*image.Gray); !ok || out.Bounds().Dx() != 30 || out.Bounds().Dy() != 18 {
			t.Errorf("a %T of %v", out, out.Bounds())
		}
	})

	t.Run("broken", func(t *testing.T) {
		m := ioLoad(t, box)
		ioSetImage(t, m, 0, "broken", "image/png", []byte("not a picture at all"))
		if _, err := m.DownscaleTextures(0, false); err != nil {
			t.Errorf("with no limit the image need not be read: %v", err)
		}
		_, err := m.DownscaleTextures(64, false)
		if err == nil || !strings.Contains(err.Error(), `image 0 "broken"`) {
			t.Errorf("%v", err)
		}
	})

	t.Run("too large", func(t *testing.T) {
		m := ioLoad(t, box)
		// Only a header: the size alone must refuse it, before 1.6 GB of pixels are decoded.
		ioSetImage(t, m, 0, "huge", "image/png", modeltest.PNGHeader(20000, 20000))
		_, err := m.DownscaleTextures(4096, false)
		if err == nil || !strings.Contains(err.Error(), `image 0 "huge" is 20000×20000 pixels`) {
			t.Errorf("%v", err)
		}
	})
}

// TestDownscaleWebP writes a WebP that must shrink as a PNG: the texture that used it through
// EXT_texture_webp names it as its plain source, and the extension leaves the document. A WebP
// that fits stays as it is.
func TestDownscaleWebP(t *testing.T) {
	webp, err := os.ReadFile(filepath.Join("..", "..", "providers", "rodin", "rodintest", "preview.webp")) // 64×64
	if err != nil {
		t.Fatal(err)
	}
	withWebP := func(t *testing.T) *modelio.Model {
		m := ioLoad(t, ioCorpus(t, "khronos_BoxTextured.glb"))
		i, err := modeler.WriteImage(m.Doc, "preview", "image/webp", bytes.NewReader(webp))
		if err != nil {
			t.Fatal(err)
		}
		// The PNG stays the fallback source, as the extension's examples have it.
		m.Doc.Textures[0].Extensions = gltf.Extensions{"EXT_texture_webp": map[string]any{"source": i}}
		m.Doc.ExtensionsUsed = append(m.Doc.ExtensionsUsed, "EXT_texture_webp")
		m.Doc.ExtensionsRequired = append(m.Doc.ExtensionsRequired, "EXT_texture_webp")
		return m
	}

	m := withWebP(t)
	changes, err := m.DownscaleTextures(32, false)
	if err != nil {
		t.Fatal(err)
	}
	want := []modelio.TextureChange{{Image: 0, From: [2]int{211, 211}, To: [2]int{32, 32}}, {Image: 1, Name: "preview", From: [2]int{64, 64}, To: [2]int{32, 32}}}
	if !slices.Equal(changes, want) {
		t.Errorf("changes %v, want %v", changes, want)
	}
	tex := m.Doc.Textures[0]
	if tex.Source == nil || *tex.Source != 1 || tex.Extensions != nil || m.Doc.Images[1].MimeType != "image/png" {
		t.Errorf("texture %+v, image %+v", tex, m.Doc.Images[1])
	}
	if slices.Contains(m.Doc.ExtensionsUsed, "EXT_texture_webp") || slices.Contains(m.Doc.ExtensionsRequired, "EXT_texture_webp") {
		t.Errorf("extensions used %v, required %v", m.Doc.ExtensionsUsed, m.Doc.ExtensionsRequired)
	}
	if _, format, err := image.DecodeConfig(bytes.NewReader(ioImageData(t, m, 1))); err != nil || format != "png" {
		t.Errorf("%s: %v", format, err)
	}
	ioValidGLB(t, m)

	m = withWebP(t)
	changes, err = m.DownscaleTextures(128, false)
	if err != nil || len(changes) != 1 || changes[0].Image != 0 {
		t.Errorf("%v, %v", changes, err)
	}
	if m.Doc.Textures[0].Extensions == nil || !slices.Contains(m.Doc.ExtensionsRequired, "EXT_texture_webp") || m.Doc.Images[1].MimeType != "image/webp" {
		t.Errorf("the WebP that fits changed: %+v", m.Doc.Textures[0])
	}
	ioValidGLB(t, m)
}

// ioSetImage replaces image i of m with data.
func ioSetImage(t *testing.T, m *modelio.Model, i int, name, mime string, data []byte) {
	t.Helper()
	n, err := modeler.WriteImage(m.Doc, name, mime, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	m.Doc.Images[i] = m.Doc.Images[n]
	m.Doc.Images = m.Doc.Images[:n]
}

// ioEncode encodes img as a PNG or a JPEG.
func ioEncode(t *testing.T, img image.Image, format string) []byte {
	t.Helper()
	var b bytes.Buffer
	var err error
	if format == "jpeg" {
		err = jpeg.Encode(&b, img, nil)
	} else {
		err = png.Encode(&b, img)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
