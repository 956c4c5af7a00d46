package g3n

import (
	"encoding/json"

	"github.com/g3n/engine/gls"
	"github.com/g3n/engine/material"
	"github.com/qmuntal/gltf"
)

// materialData is what the preview shows of a glTF material: base colour (factor and
// texture), metal and roughness factors, emission, alpha mode, sidedness, unlit.
type materialData struct {
	base                [4]float32
	emissive            [3]float32
	metallic, roughness float32
	texture             int // index in scene.textures, −1 for none
	uvSet               int
	cutoff              float32 // alpha MASK threshold; −1 when not masked
	blend, doubleSided  bool
	unlit               bool
}

// neutral is the material of primitives that name none. The spec's default is a white
// metal, which without an environment to reflect reads as flat grey; a matte grey shows form.
func neutral() materialData {
	return materialData{base: [4]float32{0.6, 0.6, 0.6, 1}, roughness: 0.7, texture: -1, cutoff: -1}
}

// readMaterial converts a glTF material, noting in used each texture it needs decoded.
func readMaterial(doc *gltf.Document, m *gltf.Material, used map[int]int) materialData {
	d := materialData{base: [4]float32{1, 1, 1, 1}, metallic: 1, roughness: 1, texture: -1, cutoff: -1,
		doubleSided: m.DoubleSided}
	if pbr := m.PBRMetallicRoughness; pbr != nil {
		for k, v := range pbr.BaseColorFactorOrDefault() {
			d.base[k] = float32(v)
		}
		d.metallic = float32(pbr.MetallicFactorOrDefault())
		d.roughness = float32(pbr.RoughnessFactorOrDefault())
		if t := pbr.BaseColorTexture; t != nil && t.Index >= 0 && t.Index < len(doc.Textures) {
			slot, ok := used[t.Index]
			if !ok {
				slot = len(used)
				used[t.Index] = slot
			}
			d.texture, d.uvSet = slot, t.TexCoord
		}
	}
	// An emissive texture is not drawn, and its factor alone would paint the whole surface.
	if m.EmissiveTexture == nil {
		strength := extensionNumber(m.Extensions, "KHR_materials_emissive_strength", "emissiveStrength", 1)
		for k, v := range m.EmissiveFactor {
			d.emissive[k] = float32(v * strength)
		}
	}
	switch m.AlphaMode {
	case gltf.AlphaMask:
		d.cutoff = float32(m.AlphaCutoffOrDefault())
	case gltf.AlphaBlend:
		d.blend = true
	}
	_, d.unlit = m.Extensions["KHR_materials_unlit"]
	return d
}

// extensionNumber reads a number field of a material extension, qmuntal leaving unknown
// extensions as raw JSON.
func extensionNumber(exts gltf.Extensions, ext, field string, fallback float64) float64 {
	raw, ok := exts[ext]
	if !ok {
		return fallback
	}
	var fields map[string]float64
	switch v := raw.(type) {
	case json.RawMessage:
		if json.Unmarshal(v, &fields) != nil {
			return fallback
		}
	case map[string]any:
		if f, ok := v[field].(float64); ok {
			return f
		}
	}
	if f, ok := fields[field]; ok {
		return f
	}
	return fallback
}

// frameLook is what every surface of a frame shares: the look (shaded or clay) and the
// studio lights' directions in camera space. The engine fills it in before each frame.
type frameLook struct {
	clay               bool
	key, fill, rim, up [3]float32
	viewport           [2]float32
	lineScale          float32 // wireframe line width in pixels of the drawn frame
}

// Surface flags, as the fragment shader reads them.
const (
	flagTexture = 1
	flagColor   = 2
	flagUnlit   = 4
)

// surface is the g3n material of one glTF material on one kind of mesh (with or without
// vertex colours, mirrored or not).
type surface struct {
	material.Material
	look     *frameLook
	tex      *gpuTexture // nil without a base colour texture
	base     [4]float32
	emissive [3]float32
	params   [4]float32
	mirrored bool
	uni      struct {
		base, emissive, params, look, key, fill, rim, up, viewport, sampler, lineScale gls.Uniform
	}
}

// newSurface makes the material; tex is the base colour texture, or nil.
func newSurface(d materialData, tex *gpuTexture, vertexColor, mirrored bool, look *frameLook) *surface {
	s := &surface{look: look, tex: tex, base: d.base, emissive: d.emissive, mirrored: mirrored}
	s.Init()
	s.SetShader(shaderSurface)
	// The shader does not depend on the light or texture count: one program for all.
	s.SetShaderUnique(true)
	s.SetUseLights(material.UseLightNone)
	flags := 0
	if tex != nil {
		flags |= flagTexture
	}
	if vertexColor {
		flags |= flagColor
	}
	if d.unlit {
		flags |= flagUnlit
	}
	s.params = [4]float32{d.metallic, d.roughness, d.cutoff, float32(flags)}
	if d.doubleSided {
		s.SetSide(material.SideDouble)
	}
	if d.blend {
		s.SetTransparent(true)
	}
	for u, name := range map[*gls.Uniform]string{
		&s.uni.base: "BaseColor", &s.uni.emissive: "Emissive", &s.uni.params: "Params",
		&s.uni.look: "Look", &s.uni.key: "KeyDir", &s.uni.fill: "FillDir", &s.uni.rim: "RimDir",
		&s.uni.up: "UpDir", &s.uni.viewport: "Viewport", &s.uni.sampler: "MatTexture",
		&s.uni.lineScale: "LineScale",
	} {
		u.Init(name)
	}
	return s
}

// RenderSetup implements material.IMaterial.
func (s *surface) RenderSetup(gs *gls.GLS) {
	s.Material.RenderSetup(gs)
	if s.mirrored {
		// A mirroring transform turns the winding over: its front faces are clockwise.
		gs.FrontFace(gls.CW)
	}
	if s.tex != nil {
		s.tex.bind(gs)
		gs.Uniform1i(s.uni.sampler.Location(gs), 0)
	}
	gs.Uniform4f(s.uni.base.Location(gs), s.base[0], s.base[1], s.base[2], s.base[3])
	gs.Uniform3f(s.uni.emissive.Location(gs), s.emissive[0], s.emissive[1], s.emissive[2])
	gs.Uniform4f(s.uni.params.Location(gs), s.params[0], s.params[1], s.params[2], s.params[3])
	look := int32(0)
	if s.look.clay {
		look = 1
	}
	gs.Uniform1i(s.uni.look.Location(gs), look)
	l := s.look
	gs.Uniform3f(s.uni.key.Location(gs), l.key[0], l.key[1], l.key[2])
	gs.Uniform3f(s.uni.fill.Location(gs), l.fill[0], l.fill[1], l.fill[2])
	gs.Uniform3f(s.uni.rim.Location(gs), l.rim[0], l.rim[1], l.rim[2])
	gs.Uniform3f(s.uni.up.Location(gs), l.up[0], l.up[1], l.up[2])
	gs.Uniform2f(s.uni.viewport.Location(gs), l.viewport[0], l.viewport[1])
	gs.Uniform1f(s.uni.lineScale.Location(gs), l.lineScale)
}

// lineMaterial draws the grid in one colour.
type lineMaterial struct {
	material.Material
	color [4]float32
	uni   gls.Uniform
}

func newLineMaterial() *lineMaterial {
	m := &lineMaterial{}
	m.Init()
	m.SetShader(shaderLine)
	m.SetShaderUnique(true)
	m.SetUseLights(material.UseLightNone)
	m.SetTransparent(true)
	m.uni.Init("LineColor")
	return m
}

// RenderSetup implements material.IMaterial.
func (m *lineMaterial) RenderSetup(gs *gls.GLS) {
	m.Material.RenderSetup(gs)
	gs.Uniform4f(m.uni.Location(gs), m.color[0], m.color[1], m.color[2], m.color[3])
}

// Shader program names.
const (
	shaderSurface = "kiln_surface"
	shaderWire    = "kiln_wire"
	shaderLine    = "kiln_line"
)
