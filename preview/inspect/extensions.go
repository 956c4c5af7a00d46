package inspect

import (
	"fmt"
	"maps"
	"slices"

	"github.com/qmuntal/gltf"
)

// checkExtensions finds extensions that objects use without the file declaring them in
// extensionsUsed (UNDECLARED_EXTENSION), required ones it does not use, and extras that are not
// objects (an info).
func checkExtensions(c *checker, doc *gltf.Document) {
	for i, ext := range doc.ExtensionsRequired {
		if !slices.Contains(doc.ExtensionsUsed, ext) {
			c.errorf("UNUSED_EXTENSION_REQUIRED", fmt.Sprintf("/extensionsRequired/%d", i), "the model requires the %s extension but does not list it as used", ext)
		}
	}
	seen := map[string]bool{}
	visit := func(at string, exts gltf.Extensions, extras any) {
		if extras != nil {
			if _, ok := extras.(map[string]any); !ok {
				c.infof("NON_OBJECT_EXTRAS", at+"/extras", "extras that are not a JSON object, which tools expect")
			}
		}
		for _, name := range slices.Sorted(maps.Keys(exts)) {
			if !slices.Contains(doc.ExtensionsUsed, name) && !seen[name] {
				seen[name] = true // once per extension: an exporter that forgot it forgot it everywhere
				c.errorf("UNDECLARED_EXTENSION", at+"/extensions/"+name, "the model uses the %s extension without declaring it (extensionsUsed)", name)
			}
		}
	}
	visit("", doc.Extensions, doc.Extras)
	for i, a := range doc.Accessors {
		visit(fmt.Sprintf("/accessors/%d", i), a.Extensions, a.Extras)
	}
	for i, a := range doc.Animations {
		visit(fmt.Sprintf("/animations/%d", i), a.Extensions, a.Extras)
	}
	for i, b := range doc.Buffers {
		visit(fmt.Sprintf("/buffers/%d", i), b.Extensions, b.Extras)
	}
	for i, b := range doc.BufferViews {
		visit(fmt.Sprintf("/bufferViews/%d", i), b.Extensions, b.Extras)
	}
	for i, cam := range doc.Cameras {
		visit(fmt.Sprintf("/cameras/%d", i), cam.Extensions, cam.Extras)
	}
	for i, img := range doc.Images {
		visit(fmt.Sprintf("/images/%d", i), img.Extensions, img.Extras)
	}
	for i, m := range doc.Materials {
		at := fmt.Sprintf("/materials/%d", i)
		visit(at, m.Extensions, m.Extras)
		if m.NormalTexture != nil {
			visit(at+"/normalTexture", m.NormalTexture.Extensions, m.NormalTexture.Extras)
		}
		if m.OcclusionTexture != nil {
			visit(at+"/occlusionTexture", m.OcclusionTexture.Extensions, m.OcclusionTexture.Extras)
		}
		if m.EmissiveTexture != nil {
			visit(at+"/emissiveTexture", m.EmissiveTexture.Extensions, m.EmissiveTexture.Extras)
		}
		if pbr := m.PBRMetallicRoughness; pbr != nil {
			visit(at+"/pbrMetallicRoughness", pbr.Extensions, pbr.Extras)
			if pbr.BaseColorTexture != nil {
				visit(at+"/pbrMetallicRoughness/baseColorTexture", pbr.BaseColorTexture.Extensions, pbr.BaseColorTexture.Extras)
			}
			if pbr.MetallicRoughnessTexture != nil {
				visit(at+"/pbrMetallicRoughness/metallicRoughnessTexture", pbr.MetallicRoughnessTexture.Extensions, pbr.MetallicRoughnessTexture.Extras)
			}
		}
	}
	for i, m := range doc.Meshes {
		visit(fmt.Sprintf("/meshes/%d", i), m.Extensions, m.Extras)
		for pi, p := range m.Primitives {
			visit(fmt.Sprintf("/meshes/%d/primitives/%d", i, pi), p.Extensions, p.Extras)
		}
	}
	for i, n := range doc.Nodes {
		visit(fmt.Sprintf("/nodes/%d", i), n.Extensions, n.Extras)
	}
	for i, s := range doc.Samplers {
		visit(fmt.Sprintf("/samplers/%d", i), s.Extensions, s.Extras)
	}
	for i, s := range doc.Scenes {
		visit(fmt.Sprintf("/scenes/%d", i), s.Extensions, s.Extras)
	}
	for i, s := range doc.Skins {
		visit(fmt.Sprintf("/skins/%d", i), s.Extensions, s.Extras)
	}
	for i, t := range doc.Textures {
		visit(fmt.Sprintf("/textures/%d", i), t.Extensions, t.Extras)
	}
}

// unused lists, as infos, objects nothing in the model refers to (UNUSED_OBJECT): an exporter's
// leftovers, which cost file size. Textures and images reached only through an extension the
// check does not read (a clearcoat texture, a WebP source) are not counted as unused.
func unused(c *checker, doc *gltf.Document) {
	accessors := make([]bool, len(doc.Accessors))
	views := make([]bool, len(doc.BufferViews))
	meshes := make([]bool, len(doc.Meshes))
	materials := make([]bool, len(doc.Materials))
	textures := make([]bool, len(doc.Textures))
	images := make([]bool, len(doc.Images))
	samplers := make([]bool, len(doc.Samplers))
	skins := make([]bool, len(doc.Skins))
	for _, m := range doc.Meshes {
		for _, p := range m.Primitives {
			for _, a := range p.Attributes {
				accessors[a] = true
			}
			if p.Indices != nil {
				accessors[*p.Indices] = true
			}
			for _, t := range p.Targets {
				for _, a := range t {
					accessors[a] = true
				}
			}
			if p.Material != nil {
				materials[*p.Material] = true
			}
		}
	}
	for _, s := range doc.Skins {
		if s.InverseBindMatrices != nil {
			accessors[*s.InverseBindMatrices] = true
		}
	}
	for _, a := range doc.Animations {
		for _, s := range a.Samplers {
			if s.Input >= 0 && s.Input < len(accessors) {
				accessors[s.Input] = true
			}
			if s.Output >= 0 && s.Output < len(accessors) {
				accessors[s.Output] = true
			}
		}
	}
	for _, a := range doc.Accessors {
		if a.BufferView != nil {
			views[*a.BufferView] = true
		}
	}
	for _, a := range doc.Accessors {
		if a.Sparse != nil {
			views[a.Sparse.Indices.BufferView], views[a.Sparse.Values.BufferView] = true, true
		}
	}
	for _, img := range doc.Images {
		if img.BufferView != nil {
			views[*img.BufferView] = true
		}
	}
	for _, n := range doc.Nodes {
		if n.Mesh != nil {
			meshes[*n.Mesh] = true
		}
		if n.Skin != nil {
			skins[*n.Skin] = true
		}
	}
	viaExtension := false
	for _, m := range doc.Materials {
		for _, t := range materialTextures(m) {
			textures[t] = true
		}
		for name := range m.Extensions {
			viaExtension = viaExtension || (name != "KHR_materials_unlit" && name != "KHR_materials_emissive_strength")
		}
	}
	for _, t := range doc.Textures {
		if t.Source != nil {
			images[*t.Source] = true
		}
		if t.Sampler != nil {
			samplers[*t.Sampler] = true
		}
		viaExtension = viaExtension || len(t.Extensions) > 0
	}
	report := func(kind string, used []bool) {
		for i, u := range used {
			if !u {
				c.infof("UNUSED_OBJECT", fmt.Sprintf("/%s/%d", kind, i), "%s %d is not used by anything in the model", kindWords[kind], i)
			}
		}
	}
	report("accessors", accessors)
	report("bufferViews", views)
	report("meshes", meshes)
	report("materials", materials)
	report("skins", skins)
	if !viaExtension {
		report("textures", textures)
		report("images", images)
		report("samplers", samplers)
	}
}

var kindWords = map[string]string{"accessors": "accessor", "bufferViews": "bufferView", "meshes": "mesh", "materials": "material",
	"skins": "skin", "textures": "texture", "images": "image", "samplers": "sampler"}
