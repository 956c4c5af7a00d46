package obj_test

import (
	"bytes"
	"encoding/base64"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qmuntal/gltf"
	"github.com/qmuntal/gltf/modeler"

	"github.com/kiln3d/kiln/app/modelio"
	"github.com/kiln3d/kiln/app/modelio/obj"
)

// webp1x1 is a 1×1 lossless WebP: x/image decodes WebP but cannot encode it.
const webp1x1 = "UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA=="

// synthetic builds what the corpus lacks, so that these cases run on every machine: a unit cube
// drawn plainly, mirrored (scale −1 in x) and rotated a quarter turn about Z with Y stretched
// twice; under the rotated one, a square sheet as a triangle fan (no normals, UVs or material),
// as a triangle strip (UVs, a metal-roughness texture) and as a point amid it, which OBJ skips. Node
// and material names have spaces and repeat; two images differ only in case; one is WebP. A
// fourth cube is two primitives that each index half of one shared set of vertices.
func synthetic(t *testing.T) *modelio.Model {
	t.Helper()
	doc := gltf.NewDocument()

	// The cube: four corners per face, wound counter-clockwise seen from outside.
	var pos, nrm [][3]float32
	var uv [][2]float32
	var idx []uint16
	for _, n := range [][3]float32{{1, 0, 0}, {-1, 0, 0}, {0, 1, 0}, {0, -1, 0}, {0, 0, 1}, {0, 0, -1}} {
		// v = n × u, so that u × v = n.
		u := [3]float32{n[1], n[2], n[0]}
		v := [3]float32{n[1]*u[2] - n[2]*u[1], n[2]*u[0] - n[0]*u[2], n[0]*u[1] - n[1]*u[0]}
		base := uint16(len(pos))
		for _, s := range [][2]float32{{-1, -1}, {1, -1}, {1, 1}, {-1, 1}} {
			var p [3]float32
			for k := range 3 {
				p[k] = 0.5 * (n[k] + s[0]*u[k] + s[1]*v[k])
			}
			pos = append(pos, p)
			nrm = append(nrm, n)
			uv = append(uv, [2]float32{(s[0] + 1) / 2, (s[1] + 1) / 4})
		}
		idx = append(idx, base, base+1, base+2, base, base+2, base+3)
	}
	cube := &gltf.Primitive{
		Mode:       gltf.PrimitiveTriangles,
		Indices:    gltf.Index(modeler.WriteIndices(doc, idx)),
		Attributes: gltf.PrimitiveAttributes{gltf.POSITION: modeler.WritePosition(doc, pos), gltf.NORMAL: modeler.WriteNormal(doc, nrm), gltf.TEXCOORD_0: modeler.WriteTextureCoord(doc, uv)},
		Material:   gltf.Index(0),
	}
	square := [][3]float32{{0, 0, 0}, {1, 0, 0}, {1, 1, 0}, {0, 1, 0}}
	fan := &gltf.Primitive{Mode: gltf.PrimitiveTriangleFan, Attributes: gltf.PrimitiveAttributes{gltf.POSITION: modeler.WritePosition(doc, square)}}
	// The strip visits the square's corners 0, 1, 3, 2.
	strip := &gltf.Primitive{
		Mode:    gltf.PrimitiveTriangleStrip,
		Indices: gltf.Index(modeler.WriteIndices(doc, []uint16{0, 1, 3, 2})),
		Attributes: gltf.PrimitiveAttributes{gltf.POSITION: modeler.WritePosition(doc, square),
			gltf.TEXCOORD_0: modeler.WriteTextureCoord(doc, [][2]float32{{0, 1}, {1, 1}, {1, 0}, {0, 0}})},
		Material: gltf.Index(1),
	}
	points := &gltf.Primitive{Mode: gltf.PrimitivePoints, Attributes: gltf.PrimitiveAttributes{gltf.POSITION: modeler.WritePosition(doc, [][3]float32{{0.5, 0.5, 0}})}, Material: gltf.Index(1)}
	// The cube again as two primitives, each indexing three faces of the cube's own accessors.
	var halves []*gltf.Primitive
	for _, part := range [][]uint16{idx[:18], idx[18:]} {
		h := *cube
		h.Indices = gltf.Index(modeler.WriteIndices(doc, part))
		halves = append(halves, &h)
	}
	doc.Meshes = []*gltf.Mesh{{Name: "cube", Primitives: []*gltf.Primitive{cube}}, {Name: "sheet", Primitives: []*gltf.Primitive{fan, strip, points}},
		{Name: "halves", Primitives: halves}}

	webp, err := base64.StdEncoding.DecodeString(webp1x1)
	if err != nil {
		t.Fatal(err)
	}
	for _, im := range []struct {
		name, mime string
		data       []byte
	}{
		{"leaf texture", "image/webp", webp},
		{"Wood", "image/png", pngOf(t, color.NRGBA{200, 150, 100, 255})},
		{"wood", "image/png", pngOf(t, color.NRGBA{128, 128, 255, 255})},
		{"", "image/png", pngOf(t, color.NRGBA{255, 128, 0, 255})}, // metal-roughness: rough 0.5, no metal
	} {
		if _, err := modeler.WriteImage(doc, im.name, im.mime, bytes.NewReader(im.data)); err != nil {
			t.Fatal(err)
		}
	}
	doc.Textures = []*gltf.Texture{
		{Extensions: gltf.Extensions{"EXT_texture_webp": map[string]any{"source": 0}}},
		{Source: gltf.Index(1)}, {Source: gltf.Index(2)}, {Source: gltf.Index(3)},
	}
	doc.ExtensionsUsed = []string{"EXT_texture_webp", "KHR_texture_transform", "KHR_materials_emissive_strength"}
	doc.Materials = []*gltf.Material{
		{
			Name: "leaf mat",
			PBRMetallicRoughness: &gltf.PBRMetallicRoughness{
				BaseColorFactor:  &[4]float64{1, 1, 1, 0.5},
				BaseColorTexture: &gltf.TextureInfo{Index: 0, Extensions: gltf.Extensions{"KHR_texture_transform": map[string]any{"scale": []float64{2, 2}}}},
				MetallicFactor:   gltf.Float(0),
			},
			AlphaMode:       gltf.AlphaBlend,
			EmissiveFactor:  [3]float64{1, 0.5, 0},
			EmissiveTexture: &gltf.TextureInfo{Index: 1},
			Extensions:      gltf.Extensions{"KHR_materials_emissive_strength": map[string]any{"emissiveStrength": 2}},
			NormalTexture:   &gltf.NormalTexture{Index: gltf.Index(2), Scale: gltf.Float(0.8)},
		},
		{
			Name: "metal",
			PBRMetallicRoughness: &gltf.PBRMetallicRoughness{
				BaseColorTexture:         &gltf.TextureInfo{Index: 1},
				MetallicRoughnessTexture: &gltf.TextureInfo{Index: 3},
			},
		},
	}

	quarter := math.Sqrt2 / 2
	doc.Nodes = []*gltf.Node{
		{Name: "Cube A", Mesh: gltf.Index(0), Rotation: [4]float64{0, 0, 0, 1}, Scale: [3]float64{1, 1, 1}},
		{Name: "Cube A", Mesh: gltf.Index(0), Translation: [3]float64{3, 0, 0}, Rotation: [4]float64{0, 0, 0, 1}, Scale: [3]float64{-1, 1, 1}},
		{Name: "spun", Mesh: gltf.Index(0), Translation: [3]float64{0, 3, 0}, Rotation: [4]float64{0, 0, quarter, quarter}, Scale: [3]float64{1, 2, 1}, Children: []int{3}},
		{Mesh: gltf.Index(1), Translation: [3]float64{0, 0, 2}, Rotation: [4]float64{0, 0, 0, 1}, Scale: [3]float64{1, 1, 1}},
		{Name: "halves", Mesh: gltf.Index(2), Translation: [3]float64{0, -3, 0}, Rotation: [4]float64{0, 0, 0, 1}, Scale: [3]float64{1, 1, 1}},
	}
	doc.Scenes[0].Nodes = []int{0, 1, 2, 4}

	var glb bytes.Buffer
	if err := gltf.NewEncoder(&glb).Encode(doc); err != nil {
		t.Fatal(err)
	}
	m, err := modelio.Decode(glb.Bytes(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func pngOf(t *testing.T, c color.NRGBA) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 4, 4))
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = c.R, c.G, c.B, c.A
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestSynthetic(t *testing.T) {
	m := synthetic(t)
	if _, drawn := m.Triangles(); drawn != 4*12+2+2 {
		t.Fatalf("the synthetic model draws %d triangles, want 52", drawn)
	}
	for _, axis := range []string{"y", "z"} {
		t.Run(axis, func(t *testing.T) {
			e := writeChecked(t, m, obj.Options{Up: axis})
			o := e.obj
			// Each half of the last cube writes the 12 vertices it uses, not all 24.
			if len(o.v) != 3*24+4+4+24 || len(o.vn) != 4*24 || len(o.vt) != 4*24+4 {
				t.Errorf("v %d, vn %d, vt %d: want 104, 96 and 100: four cubes and two squares, not the point", len(o.v), len(o.vn), len(o.vt))
			}
			want := []string{"Cube_A", "Cube_A_2", "spun", "node_3", "halves"}
			if strings.Join(o.objects, " ") != strings.Join(want, " ") {
				t.Fatalf("objects %q, want %q", o.objects, want)
			}
			// Mirrored or not, each cube's faces turn outward; the stretched one holds twice
			// the volume.
			for name, v := range map[string]float64{"Cube_A": 1, "Cube_A_2": 1, "spun": 2, "halves": 1} {
				if got := signedVolume(o, name); math.Abs(got-v) > 1e-5 {
					t.Errorf("%s: volume %g, want %g", name, got, v)
				}
			}
			// A cube's faces are flat: each corner's normal is the face's own.
			for i, f := range o.faces {
				if f.object == "node_3" {
					continue
				}
				g := faceNormal(o, f)
				g = scaled(g, 1/math.Sqrt(dot(g, g)))
				for _, c := range f.corners {
					if d := sub(o.vn[c.vn], g); math.Sqrt(dot(d, d)) > 1e-5 {
						t.Fatalf("face %d of %s: normal %v, the face's is %v", i+1, f.object, o.vn[c.vn], g)
					}
				}
			}
			// The sheet: the fan's two triangles have neither UVs nor normals and use the
			// default material; the strip's have UVs; both face up the sheet's +Z (glTF axes).
			sheetUp := [3]float64{0, 0, 1}
			if axis == "z" {
				sheetUp = [3]float64{0, -1, 0} // glTF's +Z, the front, faces −Y
			}
			var kinds []string
			for _, f := range o.faces {
				if f.object != "node_3" {
					continue
				}
				c := f.corners[0]
				kinds = append(kinds, f.material+map[bool]string{true: "/vt", false: ""}[c.vt >= 0]+map[bool]string{true: "/vn", false: ""}[c.vn >= 0])
				if g := faceNormal(o, f); dot(g, sheetUp) <= 0 {
					t.Errorf("a sheet triangle faces %v", g)
				}
			}
			if strings.Join(kinds, " ") != "default default metal/vt metal/vt" {
				t.Errorf("sheet faces %q: want two default, then two metal with UVs", kinds)
			}

			leaf, metal, def := e.mtl["leaf_mat"], e.mtl["metal"], e.mtl["default"]
			if leaf == nil || metal == nil || def == nil || len(e.mtl) != 3 {
				t.Fatalf("materials %v: want leaf_mat, metal and default", e.mtl)
			}
			if leaf.number("d") != 0.5 || leaf.mapFile("map_Kd") != "model_leaf_texture.png" || leaf.mapFile("map_d") != "model_leaf_texture.png" {
				t.Errorf("leaf_mat %v: want d 0.5, map_Kd and map_d model_leaf_texture.png", leaf)
			}
			if strings.Join(leaf["Ke"], " ") != "2 1 0" || leaf.mapFile("map_Ke") != "model_Wood.png" {
				t.Errorf("leaf_mat %v: want Ke 2 1 0 (the factor times its strength), map_Ke model_Wood.png", leaf)
			}
			if strings.Join(leaf["map_Bump"], " ") != "-bm 0.8 model_wood_2.png" || leaf.mapFile("norm") != "model_wood_2.png" {
				t.Errorf("leaf_mat %v: want map_Bump -bm 0.8 model_wood_2.png and norm", leaf)
			}
			// The metal-roughness texture is all rough 0.5, no metal: glTF's default
			// metallicFactor of 1 does not make it metal.
			if math.Abs(metal.number("Pr")-128.0/255) > 1e-3 || metal.number("Pm") != 0 || metal.number("illum") != 2 || metal.mapFile("map_Kd") != "model_Wood.png" {
				t.Errorf("metal %v: want Pr 0.502, Pm 0, illum 2, map_Kd model_Wood.png", metal)
			}
			if _, ok := metal["d"]; ok {
				t.Errorf("metal %v: an opaque material has d", metal)
			}
			mtl, err := os.ReadFile(e.files[1])
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(mtl, []byte("# KHR_texture_transform is not applied")) {
				t.Errorf("the .mtl does not say that leaf_mat's texture transform is not applied")
			}
			// Images: each once, the WebP as PNG, the metal-roughness one not at all.
			var names []string
			for _, f := range e.files[2:] {
				names = append(names, filepath.Base(f))
			}
			if strings.Join(names, " ") != "model_leaf_texture.png model_Wood.png model_wood_2.png" {
				t.Errorf("images %q", names)
			}
			leafPNG, err := os.ReadFile(filepath.Join(e.dir, "model_leaf_texture.png"))
			if err != nil || !bytes.HasPrefix(leafPNG, []byte("\x89PNG")) {
				t.Errorf("the WebP was not written as PNG (%v)", err)
			}
		})
	}
}

func scaled(a [3]float64, s float64) [3]float64 { return [3]float64{a[0] * s, a[1] * s, a[2] * s} }
