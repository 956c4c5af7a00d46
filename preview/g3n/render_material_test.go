package g3n

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/qmuntal/gltf"
	"github.com/qmuntal/gltf/modeler"

	"github.com/kiln3d/kiln/preview"
)

// Render tests of materials and light: each draws a small model whose right picture is known,
// checks properties that hold whatever the reference says (a normal map's bumps shade, an
// emissive patch glows in the dark, masked texels show the background…), then compares the
// frame with its reference in testdata/material-*.png (refpic_test.go; -update rewrites them).

const matSize = 128

// Reference comparison: llvmpipe is deterministic, but another Mesa may round differently.
const (
	matTol   = 10    // per channel
	matShare = 0.005 // of the pixels
)

// plate is a 20 cm square facing +Z (the Front view's camera), its UV (0, 0) at the top left
// unless uv says otherwise (corners top-left, bottom-left, bottom-right, top-right).
func plate(doc *gltf.Document, uv [4][2]float32) *gltf.Primitive {
	pos := [][3]float32{{-0.1, 0.1, 0}, {-0.1, -0.1, 0}, {0.1, -0.1, 0}, {0.1, 0.1, 0}}
	nor := [][3]float32{{0, 0, 1}, {0, 0, 1}, {0, 0, 1}, {0, 0, 1}}
	return &gltf.Primitive{Attributes: gltf.PrimitiveAttributes{
		gltf.POSITION:   modeler.WritePosition(doc, pos),
		gltf.NORMAL:     modeler.WriteNormal(doc, nor),
		gltf.TEXCOORD_0: modeler.WriteTextureCoord(doc, uv[:]),
	}, Indices: gltf.Index(modeler.WriteIndices(doc, []uint32{0, 1, 2, 0, 2, 3}))}
}

var (
	plainUV    = [4][2]float32{{0, 0}, {0, 1}, {1, 1}, {1, 0}}
	mirroredUV = [4][2]float32{{1, 0}, {1, 1}, {0, 1}, {0, 0}} // u runs right to left
)

// addTexture embeds img as a PNG texture and returns the texture's index.
func addTexture(t testing.TB, doc *gltf.Document, img image.Image) int {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	i, err := modeler.WriteImage(doc, "map", "image/png", &b)
	if err != nil {
		t.Fatal(err)
	}
	doc.Textures = append(doc.Textures, &gltf.Texture{Source: gltf.Index(i)})
	return len(doc.Textures) - 1
}

// texels makes a w×h image coloured by f(u, v), u and v at texel centres in 0…1.
func texels(w, h int, f func(u, v float64) color.NRGBA) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.SetNRGBA(x, y, f((float64(x)+0.5)/float64(w), (float64(y)+0.5)/float64(h)))
		}
	}
	return img
}

// plateModel writes a plate of material m.
func plateModel(t testing.TB, doc *gltf.Document, uv [4][2]float32, m *gltf.Material, name string) string {
	finish(doc, plate(doc, uv), m)
	return save(t, doc, name)
}

// at is the frame's pixel over the plate's point (u, v) in its own UV layout, seen from the
// front: u right, v down, the plate framed as preview.FrameFill says.
func at(img *image.RGBA, u, v float64) color.RGBA {
	half := math.Sqrt2 * 0.1 / preview.FrameFill
	x := int(matSize/2 + (u-0.5)*0.2/half*matSize/2)
	y := int(matSize/2 + (v-0.5)*0.2/half*matSize/2)
	return img.RGBAAt(x, y)
}

func luma(c color.RGBA) float64 {
	return 0.2126*float64(c.R) + 0.7152*float64(c.G) + 0.0722*float64(c.B)
}

// region lists the plate's pixel values over the UV square [u0, u1]×[v0, v1].
func region(img *image.RGBA, u0, v0, u1, v1 float64) []color.RGBA {
	var out []color.RGBA
	for v := v0; v <= v1; v += 0.02 {
		for u := u0; u <= u1; u += 0.02 {
			out = append(out, at(img, u, v))
		}
	}
	return out
}

func stddevLuma(cs []color.RGBA) (mean, sd float64) {
	for _, c := range cs {
		mean += luma(c)
	}
	mean /= float64(len(cs))
	for _, c := range cs {
		sd += (luma(c) - mean) * (luma(c) - mean)
	}
	return mean, math.Sqrt(sd / float64(len(cs)))
}

// blackHDR writes an environment that sends no light at all.
func blackHDR(t testing.TB) string {
	path := filepath.Join(t.TempDir(), "black.hdr")
	data := append([]byte("#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y 8 +X 16\n"), make([]byte, 4*16*8)...)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

var front = preview.View{}.WithPreset(preview.Front)

// TestNormalMap: bumps in a normal map shade the flat plate; a map tilting every normal
// toward +u and up the image turns the Normals view's colour that way (the tangent frame
// from derivatives is right), and a plate whose UVs run right to left turns it the other way.
func TestNormalMap(t *testing.T) {
	r := newRenderer(t, 0)
	bumps := texels(64, 64, func(u, v float64) color.NRGBA {
		// Domes: the slope of sin·sin, as tangent-space normals.
		dx := math.Cos(8*math.Pi*u) * math.Sin(8*math.Pi*v)
		dy := math.Sin(8*math.Pi*u) * math.Cos(8*math.Pi*v)
		n := [3]float64{-0.6 * dx, 0.6 * dy, 1}
		l := math.Sqrt(n[0]*n[0] + n[1]*n[1] + n[2]*n[2])
		return color.NRGBA{byte(127.5 + 127.5*n[0]/l), byte(127.5 + 127.5*n[1]/l), byte(127.5 + 127.5*n[2]/l), 255}
	})
	doc := newDoc()
	m := matte(0.8, 0.8, 0.8)
	m.NormalTexture = &gltf.NormalTexture{Index: gltf.Index(addTexture(t, doc, bumps)), Scale: gltf.Float(1)}
	load(t, r, plateModel(t, doc, plainUV, m, "bumps.glb"))
	img := frame(t, r, matSize, front)
	_, sdBumps := stddevLuma(region(img, 0.1, 0.1, 0.9, 0.9))
	load(t, r, plateModel(t, newDoc(), plainUV, matte(0.8, 0.8, 0.8), "flat.glb"))
	flat := frame(t, r, matSize, front)
	_, sdFlat := stddevLuma(region(flat, 0.1, 0.1, 0.9, 0.9))
	if sdBumps < 8 || sdBumps < 4*sdFlat {
		t.Errorf("luma spread %.1f with the normal map, %.1f without: the bumps do not shade", sdBumps, sdFlat)
	}
	matchPicture(t, "material-normalmap", img, matTol, matShare)

	// A uniform tilt: +X of tangent space (toward +u) and +Y (up the image, −v).
	tilt := texels(4, 4, func(u, v float64) color.NRGBA { return color.NRGBA{200, 200, 200, 255} })
	for _, c := range []struct {
		name   string
		uv     [4][2]float32
		rightX bool // the normal leans toward +X in the world
	}{{"plain", plainUV, true}, {"mirrored", mirroredUV, false}} {
		doc := newDoc()
		m := matte(0.8, 0.8, 0.8)
		m.NormalTexture = &gltf.NormalTexture{Index: gltf.Index(addTexture(t, doc, tilt))}
		load(t, r, plateModel(t, doc, c.uv, m, "tilt.glb"))
		v := front
		v.Mode = preview.Normals
		img := frame(t, r, matSize, v)
		p := img.RGBAAt(matSize/2, matSize/2)
		if right := p.R > 150; right != c.rightX || p.G < 150 || p.B < 150 {
			keep(t, "normalmap-tilt-"+c.name, img)
			t.Errorf("%s UVs: the Normals view reads %v; want red %s 128, green and blue over 150 (the map leans the normal toward +u and up)",
				c.name, p, map[bool]string{true: "over", false: "under"}[c.rightX])
		}
	}
}

// TestEmissive: with no light at all (a black environment), only the emissive map's square
// glows, as bright as emissiveFactor × KHR_materials_emissive_strength makes it.
func TestEmissive(t *testing.T) {
	r := newRenderer(t, 0)
	patch := texels(32, 32, func(u, v float64) color.NRGBA {
		if math.Abs(u-0.5) < 0.25 && math.Abs(v-0.5) < 0.25 {
			return color.NRGBA{255, 255, 255, 255}
		}
		return color.NRGBA{0, 0, 0, 255}
	})
	model := func(strength float64) string {
		doc := newDoc()
		m := matte(0.5, 0.5, 0.5)
		m.EmissiveTexture = &gltf.TextureInfo{Index: addTexture(t, doc, patch)}
		m.EmissiveFactor = [3]float64{1, 0.5, 0.2}
		m.Extensions = gltf.Extensions{"KHR_materials_emissive_strength": json.RawMessage(`{"emissiveStrength":` +
			jsonNumber(strength) + `}`)}
		doc.ExtensionsUsed = append(doc.ExtensionsUsed, "KHR_materials_emissive_strength")
		return plateModel(t, doc, plainUV, m, "emissive.glb")
	}
	v := front
	v.EnvironmentFile = blackHDR(t)
	load(t, r, model(1))
	dim := frame(t, r, matSize, v)
	load(t, r, model(4))
	img := frame(t, r, matSize, v)
	defer keep(t, "emissive-dim", dim)
	glow, dark := at(img, 0.5, 0.5), at(img, 0.1, 0.1)
	if glow.R < 200 || glow.R <= glow.G || glow.G <= glow.B {
		t.Errorf("the emissive square reads %v: want bright and orange (factor 1, 0.5, 0.2 × 4)", glow)
	}
	if luma(dark) > 3 {
		t.Errorf("outside the square, under no light, the plate reads %v: want black", dark)
	}
	if d := at(dim, 0.5, 0.5); luma(d) >= luma(glow)-30 {
		t.Errorf("strength 1 reads %v, strength 4 %v: the strength is not applied", d, glow)
	}
	matchPicture(t, "material-emissive", img, matTol, matShare)
}

func jsonNumber(f float64) string {
	b, _ := json.Marshal(f)
	return string(b)
}

// TestAlphaMask: texels under the cutoff are not drawn (the background shows through,
// exactly), the others are opaque, however translucent their alpha.
func TestAlphaMask(t *testing.T) {
	r := newRenderer(t, 0)
	checks := texels(8, 8, func(u, v float64) color.NRGBA {
		if (int(u*8)+int(v*8))%2 == 0 {
			return color.NRGBA{220, 40, 40, 170} // kept: over the 0.5 cutoff
		}
		return color.NRGBA{40, 220, 40, 90} // cut
	})
	doc := newDoc()
	m := matte(1, 1, 1)
	m.PBRMetallicRoughness.BaseColorTexture = &gltf.TextureInfo{Index: addTexture(t, doc, checks)}
	m.AlphaMode = gltf.AlphaMask
	m.AlphaCutoff = gltf.Float(0.5)
	load(t, r, plateModel(t, doc, plainUV, m, "mask.glb"))
	v := front
	v.Background = preview.Light
	img := frame(t, r, matSize, v)
	kept, cut := at(img, 1.5/8, 1.5/8), at(img, 1.5/8, 0.5/8)
	if cut != bgColour(preview.Light) {
		t.Errorf("a cut texel reads %v: want the background %v", cut, bgColour(preview.Light))
	}
	if hue(kept) != "red" || kept.A != 255 {
		t.Errorf("a kept texel reads %v: want opaque red", kept)
	}
	matchPicture(t, "material-mask", img, matTol, matShare)
}

// TestTextureTransform: KHR_texture_transform's offset moves the quadrant texture by half
// its width (left and right quadrants swap); a quarter turn rotates it.
func TestTextureTransform(t *testing.T) {
	r := newRenderer(t, 0)
	quadrants, err := png.Decode(bytes.NewReader(quadrantTexture()))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		ext  string
		want [4]string // top-left, top-right, bottom-left, bottom-right of the plate
	}{
		{"none", "", [4]string{"red", "green", "blue", "yellow"}},
		{"offset", `{"offset":[0.5,0]}`, [4]string{"green", "red", "yellow", "blue"}},
		// The extension's matrix: u' = u cos r − v sin r, v' = u sin r + v cos r.
		{"rotation", `{"rotation":1.5707963}`, [4]string{"green", "yellow", "red", "blue"}},
		{"scale", `{"scale":[0.5,0.5]}`, [4]string{"red", "red", "red", "red"}},
	} {
		doc := newDoc()
		m := matte(1, 1, 1)
		info := &gltf.TextureInfo{Index: addTexture(t, doc, quadrants)}
		if c.ext != "" {
			info.Extensions = gltf.Extensions{"KHR_texture_transform": json.RawMessage(c.ext)}
			doc.ExtensionsUsed = append(doc.ExtensionsUsed, "KHR_texture_transform")
		}
		m.PBRMetallicRoughness.BaseColorTexture = info
		load(t, r, plateModel(t, doc, plainUV, m, "transform.glb"))
		v := front
		v.Mode = preview.BaseColour
		img := frame(t, r, matSize, v)
		for i, uv := range [][2]float64{{0.25, 0.25}, {0.75, 0.25}, {0.25, 0.75}, {0.75, 0.75}} {
			if got := hue(at(img, uv[0], uv[1])); got != c.want[i] {
				keep(t, "transform-"+c.name, img)
				t.Errorf("%s: at UV %v the plate is %s, want %s", c.name, uv, got, c.want[i])
			}
		}
		if c.name == "rotation" {
			v.Mode = preview.Shaded
			matchPicture(t, "material-transform", frame(t, r, matSize, v), matTol, matShare)
		}
	}
}

// metalSphere writes the half-metre sphere as a polished metal.
func metalSphere(t testing.TB) string {
	doc, err := gltf.Open(sphereModel(t, 20000, "sphere.glb"))
	if err != nil {
		t.Fatal(err)
	}
	doc.Materials[0] = &gltf.Material{PBRMetallicRoughness: &gltf.PBRMetallicRoughness{
		BaseColorFactor: &[4]float64{0.95, 0.95, 0.95, 1}, MetallicFactor: gltf.Float(1), RoughnessFactor: gltf.Float(0.1)}}
	return save(t, doc, "metal.glb")
}

// TestEnvironmentAgainstStudio: a polished metal sphere mirrors the studio HDR: the key
// soft box (world direction (−0.6, 0.55, 0.6)) shows as a bright patch where the sphere's
// normal halves the way between it and the camera, the floor below as a dark band; the
// studio lights draw another picture.
func TestEnvironmentAgainstStudio(t *testing.T) {
	r := newRenderer(t, 0)
	load(t, r, metalSphere(t))
	env := frame(t, r, matSize, front)
	studio := front
	studio.Light = preview.Studio
	lit := frame(t, r, matSize, studio)
	defer keep(t, "metal-studio", lit)
	// The framed bounding sphere is the bounding box's (radius 0.5·√3); the sphere's own
	// outline is 1/√3 of it.
	pixel := func(n [3]float64) color.RGBA {
		rad := preview.FrameFill * matSize / 2 / math.Sqrt(3)
		return env.RGBAAt(int(matSize/2+n[0]*rad), int(matSize/2-n[1]*rad))
	}
	key := unit(-0.6, 0.55, 0.6)
	half := unit(key[0], key[1], key[2]+1)
	floor := unit(0, -0.7, 0.7) // reflects the view straight down
	if c := pixel(half); luma(c) < 200 {
		t.Errorf("where the key soft box should be mirrored the sphere reads %v: want bright", c)
	}
	if c := pixel(floor); luma(c) > 110 {
		t.Errorf("where the floor should be mirrored the sphere reads %v: want dark", c)
	}
	if d := differing(env, lit); d < 500 {
		t.Errorf("environment and studio lighting differ in %d pixels: the lighting is not switched", d)
	}
	matchPicture(t, "material-metal-environment", env, matTol, matShare)
	matchPicture(t, "material-metal-studio", lit, matTol, matShare)
}

// TestDebugViews: each debug view shows its channel unlit, exactly: factor times map.
func TestDebugViews(t *testing.T) {
	r := newRenderer(t, 0)
	doc := newDoc()
	// Metallic-roughness: roughness (G) 0 → 1 left to right, metal (B) 1 in the top half.
	mr := texels(16, 16, func(u, v float64) color.NRGBA {
		metal := byte(0)
		if v < 0.5 {
			metal = 255
		}
		return color.NRGBA{0, byte(u * 255), metal, 255}
	})
	occ := texels(16, 16, func(u, v float64) color.NRGBA { return color.NRGBA{byte(255 * (1 - v)), 0, 0, 255} })
	m := matte(0.5, 0.25, 1)
	m.PBRMetallicRoughness.MetallicFactor = gltf.Float(1)
	m.PBRMetallicRoughness.RoughnessFactor = gltf.Float(0.5)
	m.PBRMetallicRoughness.MetallicRoughnessTexture = &gltf.TextureInfo{Index: addTexture(t, doc, mr)}
	m.OcclusionTexture = &gltf.OcclusionTexture{Index: gltf.Index(addTexture(t, doc, occ)), Strength: gltf.Float(0.5)}
	load(t, r, plateModel(t, doc, plainUV, m, "debug.glb"))
	near := func(got uint8, want float64) bool { return math.Abs(float64(got)-want) <= 6 }
	for _, c := range []struct {
		mode  preview.Mode
		check func(img *image.RGBA) string
	}{
		{preview.Normals, func(img *image.RGBA) string {
			// The plate faces +Z: (0, 0, 1) → (128, 128, 255).
			if p := at(img, 0.5, 0.5); !near(p.R, 128) || !near(p.G, 128) || p.B < 250 {
				return "the +Z normal reads " + rgb(p)
			}
			return ""
		}},
		{preview.BaseColour, func(img *image.RGBA) string {
			// Linear (0.5, 0.25, 1) in sRGB.
			if p := at(img, 0.5, 0.5); !near(p.R, 188) || !near(p.G, 137) || p.B < 250 {
				return "base colour (0.5, 0.25, 1) reads " + rgb(p)
			}
			return ""
		}},
		{preview.Roughness, func(img *image.RGBA) string {
			// 0.5 × the map's G, 0.25 and 0.75 of the way across.
			if a, b := at(img, 0.25, 0.5), at(img, 0.75, 0.5); !near(a.R, 0.5*0.25*255) || !near(b.R, 0.5*0.75*255) {
				return "roughness reads " + rgb(a) + " and " + rgb(b)
			}
			return ""
		}},
		{preview.Metallic, func(img *image.RGBA) string {
			if a, b := at(img, 0.5, 0.25), at(img, 0.5, 0.75); a.R < 250 || b.R > 5 {
				return "metal reads " + rgb(a) + " (top) and " + rgb(b) + " (bottom)"
			}
			return ""
		}},
		{preview.Occlusion, func(img *image.RGBA) string {
			// 1 + 0.5 × (map − 1): 1 at the top, 0.5 at the bottom.
			if a, b := at(img, 0.5, 0.05), at(img, 0.5, 0.95); a.R < 240 || !near(b.R, 0.5*255+0.05*0.5*255) {
				return "occlusion reads " + rgb(a) + " (top) and " + rgb(b) + " (bottom)"
			}
			return ""
		}},
		{preview.UVChecker, func(img *image.RGBA) string {
			// Squares alternate: neighbours differ clearly; the plate is not one colour.
			a, b := at(img, 1.5/8, 1.5/8), at(img, 2.5/8, 1.5/8)
			if math.Abs(luma(a)-luma(b)) < 40 {
				return "neighbouring squares read " + rgb(a) + " and " + rgb(b)
			}
			return ""
		}},
	} {
		v := front
		v.Mode = c.mode
		img := frame(t, r, matSize, v)
		if msg := c.check(img); msg != "" {
			keep(t, "debug-"+c.mode.String(), img)
			t.Errorf("%s view: %s", c.mode, msg)
		}
		matchPicture(t, "material-debug-"+c.mode.String(), img, matTol, matShare)
	}
}

func rgb(c color.RGBA) string {
	b, _ := json.Marshal([]uint8{c.R, c.G, c.B, c.A})
	return string(b)
}

// TestTransparentBackground: with Transparent the background and grid are left out (alpha 0),
// the opaque model is opaque, a half-transparent one half, premultiplied as image.RGBA must be
// (no channel over alpha), and the supersampled frame's edges are partly transparent.
func TestTransparentBackground(t *testing.T) {
	r := newRenderer(t, 0)
	doc := newDoc()
	glass := matte(0.2, 0.4, 1)
	glass.PBRMetallicRoughness.BaseColorFactor[3] = 0.5
	glass.AlphaMode = gltf.AlphaBlend
	load(t, r, plateModel(t, doc, plainUV, glass, "glass.glb"))
	v := front
	v.Transparent, v.Grid = true, true
	img := frame(t, r, matSize, v)
	if c := img.RGBAAt(2, 2); c != (color.RGBA{}) {
		t.Errorf("the background reads %v: want transparent", c)
	}
	if c := at(img, 0.5, 0.5); c.A < 120 || c.A > 136 || c.R > c.A || c.G > c.A || c.B > c.A || c.B < c.R {
		t.Errorf("the half-transparent blue plate reads %v: want alpha about 128, premultiplied blue", c)
	}
	matchPicture(t, "material-transparent", img, matTol, matShare)

	// A whole process's picture: supersampled, written as PNG.
	out := filepath.Join(t.TempDir(), "t.png")
	if err := RenderFile(context.Background(), plainCube(t, matte(0.6, 0.6, 0.6), false, "cube.glb"), out,
		RenderOptions{Size: 64, Transparent: true, Grid: true}); err != nil {
		t.Fatal(err)
	}
	f, err := readPNG(out)
	if err != nil {
		t.Fatal(err)
	}
	var clear, solid, edge int
	b := f.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			_, _, _, a := f.At(x, y).RGBA()
			switch a {
			case 0:
				clear++
			case 0xffff:
				solid++
			default:
				edge++
			}
		}
	}
	if clear < 1000 || solid < 500 || edge < 20 {
		t.Errorf("the transparent PNG has %d clear, %d opaque and %d edge pixels", clear, solid, edge)
	}
}

// TestExposureAndToneMaps: each stop of exposure brightens the model, by twice the light with
// linear tone mapping; the three tone mappings draw three pictures.
func TestExposureAndToneMaps(t *testing.T) {
	r := newRenderer(t, 0)
	load(t, r, plateModel(t, newDoc(), plainUV, matte(0.18, 0.18, 0.18), "grey.glb"))
	toLinear := func(c uint8) float64 {
		s := float64(c) / 255
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	v := front
	v.ToneMap = preview.Linear
	var prev float64
	for _, ev := range []float64{-1, 0, 1} {
		v.Exposure = ev
		img := frame(t, r, matSize, v)
		lin := toLinear(at(img, 0.5, 0.5).G)
		if prev > 0 && math.Abs(lin/prev-2) > 0.25 {
			keep(t, "exposure", img)
			t.Errorf("exposure %+g: linear %.3f, %.2f× the stop below (want 2×)", ev, lin, lin/prev)
		}
		prev = lin
	}
	v.Exposure = 2
	var pics []*image.RGBA
	for _, tm := range []preview.ToneMap{preview.ACES, preview.Neutral, preview.Linear} {
		v.ToneMap = tm
		pics = append(pics, frame(t, r, matSize, v))
	}
	if at(pics[0], 0.5, 0.5) == at(pics[1], 0.5, 0.5) || at(pics[1], 0.5, 0.5) == at(pics[2], 0.5, 0.5) {
		t.Errorf("ACES, Neutral and Linear read %v, %v, %v: want three", at(pics[0], 0.5, 0.5), at(pics[1], 0.5, 0.5), at(pics[2], 0.5, 0.5))
	}
	v.ToneMap = preview.ACES
	matchPicture(t, "material-exposure-plus2", pics[0], matTol, matShare)
}

// TestBadEnvironmentFile: a frame lit by a damaged .hdr fails with the file's name and
// the reason; the studio lights and the debug views do not read it.
func TestBadEnvironmentFile(t *testing.T) {
	r := newRenderer(t, 0)
	load(t, r, plateModel(t, newDoc(), plainUV, matte(0.5, 0.5, 0.5), "plate.glb"))
	bad := filepath.Join(t.TempDir(), "broken.hdr")
	if err := os.WriteFile(bad, []byte("#?RADIANCE\n\n-Y 8 +X 16\n\x02\x02"), 0o644); err != nil {
		t.Fatal(err)
	}
	v := front
	v.EnvironmentFile = bad
	if _, err := r.Render(context.Background(), 32, 32, v); err == nil || !bytes.Contains([]byte(err.Error()), []byte("broken.hdr")) {
		t.Errorf("a damaged environment: %v", err)
	}
	v.Light = preview.Studio
	if _, err := r.Render(context.Background(), 32, 32, v); err != nil {
		t.Errorf("the studio lights read the environment: %v", err)
	}
	// kiln render's way: the error names the file, and no picture is left behind.
	out := filepath.Join(t.TempDir(), "shot.png")
	err := RenderFile(context.Background(), plateModel(t, newDoc(), plainUV, matte(0.5, 0.5, 0.5), "p.glb"), out,
		RenderOptions{Size: 32, EnvironmentFile: bad})
	if err == nil || !bytes.Contains([]byte(err.Error()), []byte("broken.hdr")) {
		t.Errorf("RenderFile with a damaged environment: %v", err)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a picture was written despite the error: %v", err)
	}
}

// TestLargeTransparentPicture: a 4096² picture (Save image's largest), transparent, is drawn
// and written whole, within the supersampled frame's memory bound.
func TestLargeTransparentPicture(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: a 4096² frame takes seconds on a CPU rasteriser (make test runs it)")
	}
	out := filepath.Join(t.TempDir(), "big.png")
	if err := RenderFile(context.Background(), plainCube(t, matte(0.6, 0.6, 0.6), false, "cube.glb"), out,
		RenderOptions{Size: 4096, Transparent: true}); err != nil {
		t.Fatal(err)
	}
	img, err := readPNG(out)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 4096 || b.Dy() != 4096 {
		t.Fatalf("the picture is %v", b)
	}
	if _, _, _, a := img.At(10, 10).RGBA(); a != 0 {
		t.Errorf("the corner's alpha is %d: want transparent", a)
	}
	if _, _, _, a := img.At(2048, 2048).RGBA(); a != 0xffff {
		t.Errorf("the cube's alpha is %d: want opaque", a)
	}
}

// TestBlendIsRepeatable: a blended surface and the grid's lines, each with its own blend
// function, draw the same frame twice over (a cached GL state gone stale would draw the
// second frame's grid with the glass's function).
func TestBlendIsRepeatable(t *testing.T) {
	r := newRenderer(t, 0)
	glass := matte(0.2, 0.4, 1)
	glass.PBRMetallicRoughness.BaseColorFactor[3] = 0.5
	glass.AlphaMode = gltf.AlphaBlend
	load(t, r, plateModel(t, newDoc(), plainUV, glass, "glass.glb"))
	v := preview.DefaultView()
	first := frame(t, r, matSize, v)
	second := frame(t, r, matSize, v)
	if d := differing(first, second); d != 0 {
		keep(t, "blend-first", first)
		keep(t, "blend-second", second)
		t.Errorf("the same view drawn twice differs in %d pixels", d)
	}
}
