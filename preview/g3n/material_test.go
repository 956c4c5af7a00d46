package g3n

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/qmuntal/gltf"
)

// TestReadMaterial: every map is read with its own transform and parameters, one image
// shared by several maps is decoded once, the emissive strength scales the factor whether or
// not there is an emissive map, and hostile numbers fall back to the defaults.
func TestReadMaterial(t *testing.T) {
	doc := newDoc()
	doc.Textures = []*gltf.Texture{{}, {}}
	m := &gltf.Material{
		PBRMetallicRoughness: &gltf.PBRMetallicRoughness{
			BaseColorTexture: &gltf.TextureInfo{Index: 0, TexCoord: 1, Extensions: gltf.Extensions{
				"KHR_texture_transform": json.RawMessage(`{"offset":[0.25,0.5],"rotation":0,"scale":[2,3]}`)}},
			MetallicRoughnessTexture: &gltf.TextureInfo{Index: 1},
		},
		NormalTexture:    &gltf.NormalTexture{Index: gltf.Index(1), Scale: gltf.Float(0.5)},
		OcclusionTexture: &gltf.OcclusionTexture{Index: gltf.Index(0), Strength: gltf.Float(7)},
		EmissiveTexture:  &gltf.TextureInfo{Index: 5}, // no such texture
		EmissiveFactor:   [3]float64{1, 0.5, 0},
		Extensions:       gltf.Extensions{"KHR_materials_emissive_strength": json.RawMessage(`{"emissiveStrength":3}`)},
	}
	used := map[int]int{}
	d := readMaterial(doc, m, used)
	if len(used) != 2 {
		t.Errorf("%d textures to decode for two images: %v", len(used), used)
	}
	if d.maps[mapBase].slot != d.maps[mapOcclusion].slot || d.maps[mapMR].slot != d.maps[mapNormal].slot {
		t.Errorf("maps sharing an image do not share its decoded texture: %+v", d.maps)
	}
	if d.maps[mapEmissive].slot != -1 {
		t.Errorf("an emissive map naming texture 5 of 2 was kept")
	}
	if want := [9]float32{2, 0, 0, 0, 3, 0, 0.25, 0.5, 1}; d.maps[mapBase].transform != want {
		t.Errorf("base transform %v, want %v", d.maps[mapBase].transform, want)
	}
	if d.maps[mapMR].transform != identityUV {
		t.Errorf("a map without the extension moved: %v", d.maps[mapMR].transform)
	}
	if d.uvSet != 1 || d.normalScale != 0.5 || d.occlusionStrength != 1 {
		t.Errorf("uv set %d, normal scale %v, occlusion strength %v (want 1, 0.5, clamped to 1)", d.uvSet, d.normalScale, d.occlusionStrength)
	}
	if d.emissive != [3]float32{3, 1.5, 0} {
		t.Errorf("emissive %v, want the factor × 3", d.emissive)
	}

	for _, bad := range []string{`{"emissiveStrength":-2}`, `{"emissiveStrength":"x"}`, `[]`} {
		m := &gltf.Material{EmissiveFactor: [3]float64{1, 1, 1}, Extensions: gltf.Extensions{
			"KHR_materials_emissive_strength": json.RawMessage(bad)}}
		if d := readMaterial(doc, m, map[int]int{}); d.emissive != [3]float32{1, 1, 1} {
			t.Errorf("strength %s: emissive %v, want the factor alone", bad, d.emissive)
		}
	}
	for _, bad := range []string{`{"offset":[1e999,0]}`, `{"scale":"big"}`, `{"rotation":null,"texCoord":-4}`} {
		tr, tc := textureTransform(gltf.Extensions{"KHR_texture_transform": json.RawMessage(bad)})
		if tr != identityUV || tc != -1 {
			t.Errorf("transform %s: %v, texCoord %d; want the identity", bad, tr, tc)
		}
	}
	// A quarter turn as the extension's matrix: (u, v) → (−v, u).
	tr, _ := textureTransform(gltf.Extensions{"KHR_texture_transform": map[string]any{"rotation": math.Pi / 2}})
	u, v := float32(0.3), float32(0.1)
	if x, y := tr[0]*u+tr[3]*v+tr[6], tr[1]*u+tr[4]*v+tr[7]; math.Abs(float64(x+v)) > 1e-6 || math.Abs(float64(y-u)) > 1e-6 {
		t.Errorf("a quarter turn maps (%v, %v) to (%v, %v)", u, v, x, y)
	}
}
