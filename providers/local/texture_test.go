package local

import (
	"bytes"
	"image"
	"image/color"
	"math"
	"testing"

	"github.com/qmuntal/gltf/modeler"

	"github.com/kiln3d/kiln/providers/modeltest"
)

// texture decodes the model's embedded texture.
func embeddedTexture(t *testing.T, m *modeltest.Model) (image.Image, string) {
	t.Helper()
	if len(m.Doc.Images) != 1 || m.Doc.Images[0].BufferView == nil {
		t.Fatalf("want one image embedded in the binary chunk, got %+v", m.Doc.Images)
	}
	data, err := modeler.ReadBufferView(m.Doc, m.Doc.BufferViews[*m.Doc.Images[0].BufferView])
	if err != nil {
		t.Fatal(err)
	}
	img, format, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return img, format
}

func sample(img image.Image, uv [2]float32) color.RGBA {
	b := img.Bounds()
	x := min(b.Max.X-1, b.Min.X+int(float64(uv[0])*float64(b.Dx())))
	y := min(b.Max.Y-1, b.Min.Y+int(float64(uv[1])*float64(b.Dy())))
	return color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)
}

// TestOneImageBackMirrorsFront checks that with one image the back shows the front mirrored: a
// back vertex has the UV of the front vertex at the same x, y. It also checks the material.
func TestOneImageBackMirrorsFront(t *testing.T) {
	img := writePNG(t, t.TempDir(), "L.png", drawRGBA(256, 256, testShapes()["L"]))
	m, err := modeltest.Load(collect(t, 5000, img))
	if err != nil {
		t.Fatal(err)
	}
	type xy [2]int64
	key := func(p [3]float64) xy { return xy{int64(math.Round(p[0] * 1e5)), int64(math.Round(p[1] * 1e5))} }
	front := map[xy][2]float32{}
	for i, p := range m.Positions {
		if p[2] > 0 {
			front[key(p)] = m.UVs[i]
		}
	}
	matched := 0
	for i, p := range m.Positions {
		if p[2] >= 0 {
			continue
		}
		uv, ok := front[key(p)]
		if !ok {
			t.Fatalf("back vertex %d at %v has no front twin", i, p)
		}
		if uv != m.UVs[i] {
			t.Fatalf("back vertex %d has UV %v, its front twin %v", i, m.UVs[i], uv)
		}
		matched++
	}
	if matched == 0 {
		t.Fatal("no back vertices")
	}
	mat := m.Doc.Materials
	if len(mat) != 1 || mat[0].PBRMetallicRoughness == nil || mat[0].PBRMetallicRoughness.BaseColorTexture == nil ||
		mat[0].PBRMetallicRoughness.MetallicFactorOrDefault() != 0 {
		t.Errorf("material %+v", mat)
	}
	if s := m.Doc.Samplers; len(s) != 1 || s[0].WrapS != 1 || s[0].WrapT != 1 {
		t.Errorf("sampler %+v, want clamp to edge", s)
	}
	if g := m.Doc.Asset.Generator; g != "Kiln" {
		t.Errorf("generator %q", g)
	}
	if n := m.Doc.Nodes; len(n) != 1 || n[0].Name != "L" {
		t.Errorf("nodes %+v, want one called L", n)
	}
}

// TestTwoImages textures the back from a second photo: a red object seen from behind. Faces
// looking back must be red, faces looking forward must show the front's pattern, and the seam
// between them must not open the mesh.
func TestTwoImages(t *testing.T) {
	dir := t.TempDir()
	shape := testShapes()["L"]
	front := writePNG(t, dir, "front.png", drawRGBA(256, 256, shape))
	// The back photo: the same L mirrored, smaller and elsewhere in its frame, plain red.
	backImg := image.NewNRGBA(image.Rect(0, 0, 200, 300))
	for y := 0; y < 300; y++ {
		for x := 0; x < 200; x++ {
			// Map back to the front's frame: mirrored, scaled by 0.8, offset.
			fx, fy := 236-(float64(x)+0.5-10)/0.8, 20+(float64(y)+0.5-30)/0.8
			if shape(fx, fy) {
				backImg.SetNRGBA(x, y, color.NRGBA{220, 20, 20, 255})
			}
		}
	}
	back := writePNG(t, dir, "back.png", backImg)
	path := collect(t, 5000, front, back)
	m := checkModel(t, path, front, 5000, 0.95)
	modeltest.Validate(t, path)

	tex, format := embeddedTexture(t, m)
	if format != "jpeg" {
		t.Errorf("texture is %s, want jpeg", format)
	}
	red, notRed := 0, 0
	for i, n := range m.Normals {
		if n[2] > -0.5 && n[2] < 0.5 {
			continue // the rim: could be either photo's edge
		}
		c := sample(tex, m.UVs[i])
		isRed := c.R > 150 && c.G < 80 && c.B < 80
		if n[2] < 0 && !isRed || n[2] > 0 && isRed {
			notRed++
		} else {
			red++
		}
	}
	if notRed > (red+notRed)/50 {
		t.Errorf("%d of %d vertices show the wrong photo", notRed, red+notRed)
	}
}

// TestLargeImage checks that an image past the working resolution is shrunk: the texture stays
// within 2048 pixels a side and the model still matches the full-size silhouette.
func TestLargeImage(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a 3000×1500 image")
	}
	img := writePNG(t, t.TempDir(), "wide.png", drawHard(3000, 1500, union(disc(900, 750, 600), disc(2200, 800, 500))))
	path := collect(t, 20000, img)
	m := checkModel(t, path, img, 20000, 0.95)
	tex, _ := embeddedTexture(t, m)
	if b := tex.Bounds(); b.Dx() > 2048 || b.Dy() > 2048 || b.Dx() < 1500 {
		t.Errorf("texture is %v, want at most 2048 a side and near it", b.Size())
	}
}
