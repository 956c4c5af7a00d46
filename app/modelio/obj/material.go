package obj

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"

	"github.com/qmuntal/gltf"

	"github.com/kiln3d/kiln/app/modelio"
)

// materials is the .mtl and what goes with it: the name each glTF material has in it, the one
// primitives without a material use, and the texture images.
type materials struct {
	mtl      []byte
	names    []string
	fallback string
	images   []file
}

// dielectricSpecular is Ks for every material: Blender reads the mean of Ks as the Principled
// BSDF's Specular, and 0.5 there is glTF's fixed 4 % reflectance of non-metals.
const dielectricSpecular = "0.5"

// planMaterials writes the .mtl in memory, one material per glTF material and a neutral one
// when a drawn primitive has none, and gathers the textures they use.
//
// What the readers take from it: Blender (3.x and later) makes a Principled BSDF with Kd as
// Base Color, roughness 1 − √(Ns/1000), metallic the mean of Ka under illum 3, d as Alpha,
// map_Kd, map_Ke and map_d linked, and map_Bump through a Normal Map node of strength -bm (0
// when -bm is missing); Blender 4 also reads Pr and Pm. Unity takes Kd, map_Kd, d and map_Bump.
// norm is the PBR extension's normal map, for the tools that read it.
func planMaterials(ctx context.Context, doc *gltf.Document, stem string, draws []modelio.Draw) (*materials, error) {
	out := &materials{names: make([]string, len(doc.Materials))}
	u := newUniquer()
	for i, m := range doc.Materials {
		out.names[i] = u.name(safeName(m.Name), fmt.Sprintf("material_%d", i))
	}
	imgs := newImages(doc, stem)
	var b bytes.Buffer
	b.WriteString("# Written by Kiln: one material per glTF material.\n")
	for i, m := range doc.Materials {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := writeMaterial(&b, out.names[i], m, imgs); err != nil {
			return nil, fmt.Errorf("obj: material %q: %w", m.Name, err)
		}
	}
	if needsFallback(doc, draws) {
		out.fallback = u.name("default", "")
		b.WriteString("\n# For the primitives that have no material: the preview's neutral grey.\n")
		b.WriteString("newmtl " + out.fallback + "\nKd 0.6 0.6 0.6\nKa 0 0 0\nKs " + dielectricSpecular +
			" " + dielectricSpecular + " " + dielectricSpecular + "\nKe 0 0 0\nNs 90\nNi 1.5\nPr 0.7\nPm 0\nillum 2\n")
	}
	out.mtl = b.Bytes()
	out.images = imgs.files
	return out, nil
}

// needsFallback reports whether a drawn triangle primitive names no material.
func needsFallback(doc *gltf.Document, draws []modelio.Draw) bool {
	for _, d := range draws {
		for _, p := range doc.Meshes[d.Mesh].Primitives {
			if p.Material == nil || *p.Material < 0 || *p.Material >= len(doc.Materials) {
				return true
			}
		}
	}
	return false
}

func writeMaterial(b *bytes.Buffer, name string, m *gltf.Material, imgs *images) error {
	pbr := m.PBRMetallicRoughness
	if pbr == nil {
		pbr = &gltf.PBRMetallicRoughness{}
	}
	base := pbr.BaseColorFactorOrDefault()
	metallic, roughness := pbr.MetallicFactorOrDefault(), pbr.RoughnessFactorOrDefault()
	if t := pbr.MetallicRoughnessTexture; t != nil {
		// OBJ has no packed metal-roughness map: the factors are scaled by the texture's mean
		// (roughness in G, metal in B), so a mostly non-metal texture under glTF's default
		// metallicFactor of 1 does not come out chrome.
		g, bl, ok, err := imgs.mean(t.Index)
		if err != nil {
			return err
		}
		if ok {
			roughness *= g
			metallic *= bl
		}
	}
	metallic, roughness = clamp01(metallic), clamp01(roughness)
	strength := extensionNumber(m.Extensions, "KHR_materials_emissive_strength", "emissiveStrength", 1)
	emissive := [3]float64{m.EmissiveFactor[0] * strength, m.EmissiveFactor[1] * strength, m.EmissiveFactor[2] * strength}

	b.WriteString("\nnewmtl " + name + "\n")
	if usesTextureTransform(m) {
		b.WriteString("# KHR_texture_transform is not applied: this material's textures may sit wrongly on the UVs.\n")
	}
	line(b, "Kd", base[0], base[1], base[2])
	line(b, "Ka", metallic, metallic, metallic)
	b.WriteString("Ks " + dielectricSpecular + " " + dielectricSpecular + " " + dielectricSpecular + "\n")
	line(b, "Ke", emissive[0], emissive[1], emissive[2])
	line(b, "Ns", (1-roughness)*(1-roughness)*1000)
	line(b, "Ni", 1.5)
	blend := m.AlphaMode == gltf.AlphaBlend || m.AlphaMode == gltf.AlphaMask
	if blend {
		line(b, "d", clamp01(base[3]))
	}
	line(b, "Pr", roughness)
	line(b, "Pm", metallic)
	if metallic > 0 {
		// illum 3 (reflection on) is what makes Blender read Ka as metallic.
		b.WriteString("illum 3\n")
	} else {
		b.WriteString("illum 2\n")
	}

	if t := pbr.BaseColorTexture; t != nil {
		f, err := imgs.texture(t.Index)
		if err != nil {
			return err
		}
		if f != "" {
			b.WriteString("map_Kd " + f + "\n")
			if blend {
				// The base colour's alpha is the coverage: map_d's default channel is the
				// image's matte (alpha), and Blender links it to Alpha.
				b.WriteString("map_d " + f + "\n")
			}
		}
	}
	if t := m.EmissiveTexture; t != nil && emissive != [3]float64{} {
		// glTF multiplies the texture by the factor: with a zero factor it emits nothing.
		f, err := imgs.texture(t.Index)
		if err != nil {
			return err
		}
		if f != "" {
			b.WriteString("map_Ke " + f + "\n")
		}
	}
	if t := m.NormalTexture; t != nil && t.Index != nil {
		f, err := imgs.texture(*t.Index)
		if err != nil {
			return err
		}
		if f != "" {
			b.WriteString("map_Bump -bm ")
			b.Write(appendFloat(nil, t.ScaleOrDefault()))
			b.WriteString(" " + f + "\nnorm " + f + "\n")
		}
	}
	return nil
}

// line writes an MTL statement of numbers, at float32's precision.
func line(b *bytes.Buffer, key string, v ...float64) {
	buf := make([]byte, 0, 64)
	buf = append(buf, key...)
	for _, x := range v {
		buf = append(buf, ' ')
		buf = appendFloat(buf, x)
	}
	buf = append(buf, '\n')
	b.Write(buf)
}

func clamp01(x float64) float64 {
	if math.IsNaN(x) {
		return 0
	}
	return math.Min(math.Max(x, 0), 1)
}

// usesTextureTransform reports whether any texture of m carries KHR_texture_transform.
func usesTextureTransform(m *gltf.Material) bool {
	var exts []gltf.Extensions
	if pbr := m.PBRMetallicRoughness; pbr != nil {
		if pbr.BaseColorTexture != nil {
			exts = append(exts, pbr.BaseColorTexture.Extensions)
		}
		if pbr.MetallicRoughnessTexture != nil {
			exts = append(exts, pbr.MetallicRoughnessTexture.Extensions)
		}
	}
	if m.NormalTexture != nil {
		exts = append(exts, m.NormalTexture.Extensions)
	}
	if m.EmissiveTexture != nil {
		exts = append(exts, m.EmissiveTexture.Extensions)
	}
	for _, e := range exts {
		if _, ok := e["KHR_texture_transform"]; ok {
			return true
		}
	}
	return false
}

// extensionNumber reads a number field of an extension, which qmuntal/gltf leaves as raw JSON
// unless a package registered it.
func extensionNumber(exts gltf.Extensions, ext, field string, fallback float64) float64 {
	var fields map[string]any
	switch v := exts[ext].(type) {
	case map[string]any:
		fields = v
	case json.RawMessage:
		if json.Unmarshal(v, &fields) != nil {
			return fallback
		}
	default:
		return fallback
	}
	if f, ok := fields[field].(float64); ok && !math.IsNaN(f) && !math.IsInf(f, 0) {
		return f
	}
	return fallback
}
