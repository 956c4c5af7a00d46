package g3n

import (
	"encoding/json"
	"math"

	"github.com/g3n/engine/gls"
	"github.com/g3n/engine/material"
	"github.com/qmuntal/gltf"
)

// The maps a material may have, in the order the shader's UVTransform array holds them.
const (
	mapBase = iota
	mapMR
	mapNormal
	mapOcclusion
	mapEmissive
	mapCount
)

// textureRef is one map of a material: its index in scene.textures (−1 for none) and its
// KHR_texture_transform as a column-major 3×3 matrix.
type textureRef struct {
	slot      int
	transform [9]float32
}

// identityUV is a map without KHR_texture_transform.
var identityUV = [9]float32{1, 0, 0, 0, 1, 0, 0, 0, 1}

// materialData is what the preview shows of a glTF material: the metallic-roughness model
// with its five maps, emission (KHR_materials_emissive_strength), alpha mode, sidedness,
// unlit (KHR_materials_unlit).
type materialData struct {
	base                [4]float32
	emissive            [3]float32
	metallic, roughness float32
	maps                [mapCount]textureRef
	normalScale         float32
	occlusionStrength   float32
	// uvSet is the TEXCOORD set the maps read: the preview uploads one set per primitive,
	// so a map naming another texCoord (directly or through KHR_texture_transform) reads
	// this one, the base colour map's (or the first map's).
	uvSet              int
	cutoff             float32 // alpha MASK threshold; −1 when not masked
	blend, doubleSided bool
	unlit              bool
}

// noMaps is a materialData's maps before any is read.
func noMaps() (m [mapCount]textureRef) {
	for i := range m {
		m[i] = textureRef{slot: -1, transform: identityUV}
	}
	return m
}

// neutral is the material of primitives that name none. The spec's default is a white
// metal, which reads as a mirror of the environment; a matte grey shows form.
func neutral() materialData {
	return materialData{base: [4]float32{0.6, 0.6, 0.6, 1}, roughness: 0.7, maps: noMaps(), cutoff: -1,
		normalScale: 1, occlusionStrength: 1}
}

// readMaterial converts a glTF material, noting in used each texture it needs decoded (each
// glTF texture once, whichever maps share it).
func readMaterial(doc *gltf.Document, m *gltf.Material, used map[int]int) materialData {
	d := materialData{base: [4]float32{1, 1, 1, 1}, metallic: 1, roughness: 1, maps: noMaps(), cutoff: -1,
		normalScale: 1, occlusionStrength: 1, doubleSided: m.DoubleSided}
	uvSet := -1
	ref := func(which, index, texCoord int, exts gltf.Extensions) {
		if index < 0 || index >= len(doc.Textures) {
			return
		}
		slot, ok := used[index]
		if !ok {
			slot = len(used)
			used[index] = slot
		}
		d.maps[which].slot = slot
		tr, override := textureTransform(exts)
		d.maps[which].transform = tr
		if override >= 0 {
			texCoord = override
		}
		if uvSet < 0 || which == mapBase {
			uvSet = texCoord
		}
	}
	if pbr := m.PBRMetallicRoughness; pbr != nil {
		for k, v := range pbr.BaseColorFactorOrDefault() {
			d.base[k] = float32(v)
		}
		d.metallic = float32(pbr.MetallicFactorOrDefault())
		d.roughness = float32(pbr.RoughnessFactorOrDefault())
		if t := pbr.BaseColorTexture; t != nil {
			ref(mapBase, t.Index, t.TexCoord, t.Extensions)
		}
		if t := pbr.MetallicRoughnessTexture; t != nil {
			ref(mapMR, t.Index, t.TexCoord, t.Extensions)
		}
	}
	if t := m.NormalTexture; t != nil && t.Index != nil {
		ref(mapNormal, *t.Index, t.TexCoord, t.Extensions)
		d.normalScale = float32(t.ScaleOrDefault())
	}
	if t := m.OcclusionTexture; t != nil && t.Index != nil {
		ref(mapOcclusion, *t.Index, t.TexCoord, t.Extensions)
		d.occlusionStrength = float32(min(max(t.StrengthOrDefault(), 0), 1))
	}
	if t := m.EmissiveTexture; t != nil {
		ref(mapEmissive, t.Index, t.TexCoord, t.Extensions)
	}
	d.uvSet = max(uvSet, 0)
	strength := extensionNumber(m.Extensions, "KHR_materials_emissive_strength", "emissiveStrength", 1)
	if strength < 0 || math.IsNaN(strength) || math.IsInf(strength, 0) {
		strength = 1
	}
	for k, v := range m.EmissiveFactor {
		d.emissive[k] = float32(v * strength)
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

// textureTransform reads a textureInfo's KHR_texture_transform: offset, rotation (radians,
// counter-clockwise) and scale, as the extension's matrix translation × rotation × scale,
// and its texCoord override (−1 when it has none). Malformed or non-finite values leave
// the identity.
func textureTransform(exts gltf.Extensions) (m [9]float32, texCoord int) {
	m, texCoord = identityUV, -1
	raw, ok := exts["KHR_texture_transform"]
	if !ok {
		return m, texCoord
	}
	var t struct {
		Offset   *[2]float64 `json:"offset"`
		Rotation float64     `json:"rotation"`
		Scale    *[2]float64 `json:"scale"`
		TexCoord *int        `json:"texCoord"`
	}
	data, ok := raw.(json.RawMessage)
	if !ok {
		// A registered extension type, or a generic map: through JSON again.
		var err error
		if data, err = json.Marshal(raw); err != nil {
			return m, texCoord
		}
	}
	if json.Unmarshal(data, &t) != nil {
		return m, texCoord
	}
	off, scale := [2]float64{0, 0}, [2]float64{1, 1}
	if t.Offset != nil {
		off = *t.Offset
	}
	if t.Scale != nil {
		scale = *t.Scale
	}
	for _, v := range []float64{off[0], off[1], scale[0], scale[1], t.Rotation} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return identityUV, -1
		}
	}
	s, c := math.Sincos(t.Rotation)
	m = [9]float32{
		float32(c * scale[0]), float32(s * scale[0]), 0,
		float32(-s * scale[1]), float32(c * scale[1]), 0,
		float32(off[0]), float32(off[1]), 1,
	}
	if t.TexCoord != nil && *t.TexCoord >= 0 {
		texCoord = *t.TexCoord
	}
	return m, texCoord
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

// frameLook is what every surface of a frame shares: the look, the lighting and its
// environment, the tone mapping, and the studio lights' directions in camera space. The
// engine fills it in before each frame.
type frameLook struct {
	look               int32 // the shader's Look: see lookOf
	lighting           int32 // 0 environment, 1 studio
	toneMap            int32
	exposure           float32 // linear
	key, fill, rim, up [3]float32
	viewToWorld        [9]float32 // column-major
	env                *envTexture
	viewport           [2]float32
	lineScale          float32 // wireframe line width in pixels of the drawn frame
}

// Surface flags, as the fragment shader reads them.
const (
	flagBase      = 1
	flagColor     = 2
	flagUnlit     = 4
	flagMR        = 8
	flagNormal    = 16
	flagOcclusion = 32
	flagEmissive  = 64
	flagUV        = 128
	flagBlend     = 256
)

// mapFlags are the flags of each map, in map order.
var mapFlags = [mapCount]int{flagBase, flagMR, flagNormal, flagOcclusion, flagEmissive}

// mapSamplers are the shader's sampler names, in map order; map i is on texture unit i and
// the environment on unit envUnit.
var mapSamplers = [mapCount]string{"BaseMap", "MRMap", "NormalMap", "OcclusionMap", "EmissiveMap"}

const envUnit = mapCount

// surface is the g3n material of one glTF material on one kind of mesh (with or without
// vertex colours and UVs, mirrored or not).
type surface struct {
	material.Material
	look      *frameLook
	tex       [mapCount]*gpuTexture // nil where the material has no such map
	base      [4]float32
	emissive  [3]float32
	params    [4]float32
	mapParams [2]float32
	uv        [mapCount * 9]float32
	mirrored  bool
	blend     bool
	uni       struct {
		base, emissive, params, mapParams, uv, look, lighting, toneMap, exposure, viewToWorld,
		envMap, envLod, envSH, key, fill, rim, up, viewport, lineScale gls.Uniform
		samplers [mapCount]gls.Uniform
	}
}

// newSurface makes the material; tex holds its maps' textures (nil where it has none, or
// where the mesh has no UVs to read them with).
func newSurface(d materialData, tex [mapCount]*gpuTexture, vertexColor, hasUV, mirrored bool, look *frameLook) *surface {
	s := &surface{look: look, tex: tex, base: d.base, emissive: d.emissive, mirrored: mirrored, blend: d.blend}
	s.Init()
	s.SetShader(shaderSurface)
	// The shader does not depend on the light or texture count: one program for all.
	s.SetShaderUnique(true)
	s.SetUseLights(material.UseLightNone)
	flags := 0
	for i, t := range tex {
		if t != nil {
			flags |= mapFlags[i]
		}
		copy(s.uv[9*i:], d.maps[i].transform[:])
	}
	if vertexColor {
		flags |= flagColor
	}
	if hasUV {
		flags |= flagUV
	}
	if d.unlit {
		flags |= flagUnlit
	}
	if d.blend {
		flags |= flagBlend
	}
	s.params = [4]float32{d.metallic, d.roughness, d.cutoff, float32(flags)}
	s.mapParams = [2]float32{d.normalScale, d.occlusionStrength}
	if d.doubleSided {
		s.SetSide(material.SideDouble)
	}
	// Opaque and masked surfaces replace what is behind them; blended ones are drawn after,
	// back to front, over it (see RenderSetup for the blend function).
	s.SetBlending(material.BlendNone)
	if d.blend {
		s.SetTransparent(true)
	}
	for u, name := range map[*gls.Uniform]string{
		&s.uni.base: "BaseColor", &s.uni.emissive: "Emissive", &s.uni.params: "Params",
		&s.uni.mapParams: "MapParams", &s.uni.uv: "UVTransform", &s.uni.look: "Look",
		&s.uni.lighting: "Lighting", &s.uni.toneMap: "ToneMap", &s.uni.exposure: "Exposure",
		&s.uni.viewToWorld: "ViewToWorld", &s.uni.envMap: "EnvMap", &s.uni.envLod: "EnvLod",
		&s.uni.envSH: "EnvSH", &s.uni.key: "KeyDir", &s.uni.fill: "FillDir", &s.uni.rim: "RimDir",
		&s.uni.up: "UpDir", &s.uni.viewport: "Viewport", &s.uni.lineScale: "LineScale",
	} {
		u.Init(name)
	}
	for i := range s.uni.samplers {
		s.uni.samplers[i].Init(mapSamplers[i])
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
	if s.blend {
		// The shader writes premultiplied colour, so the frame's alpha comes out right for
		// a transparent background too: over = src + (1 − src.a) · dst, alpha included.
		// (One BlendFunc for colour and alpha: g3n caches BlendFunc and BlendFuncSeparate
		// apart, so mixing them with the grid's BlendFunc would let a stale cache skip a call.)
		gs.Enable(gls.BLEND)
		gs.BlendEquation(gls.FUNC_ADD)
		gs.BlendFunc(gls.ONE, gls.ONE_MINUS_SRC_ALPHA)
	}
	// Every sampler names its own unit, bound or not: samplers of one program must not
	// share a unit with different texture types, and unused ones cost nothing.
	for i, t := range s.tex {
		if t != nil {
			t.bind(gs, i)
		}
		gs.Uniform1i(s.uni.samplers[i].Location(gs), int32(i))
	}
	l := s.look
	gs.Uniform1i(s.uni.envMap.Location(gs), envUnit)
	if l.env != nil {
		l.env.bind(gs, envUnit)
		gs.Uniform1f(s.uni.envLod.Location(gs), float32(envLevels-1))
		gs.Uniform3fv(s.uni.envSH.Location(gs), 9, &l.env.sh[0][0])
	}
	gs.Uniform4f(s.uni.base.Location(gs), s.base[0], s.base[1], s.base[2], s.base[3])
	gs.Uniform3f(s.uni.emissive.Location(gs), s.emissive[0], s.emissive[1], s.emissive[2])
	gs.Uniform4f(s.uni.params.Location(gs), s.params[0], s.params[1], s.params[2], s.params[3])
	gs.Uniform2f(s.uni.mapParams.Location(gs), s.mapParams[0], s.mapParams[1])
	gs.UniformMatrix3fv(s.uni.uv.Location(gs), mapCount, false, &s.uv[0])
	gs.Uniform1i(s.uni.look.Location(gs), l.look)
	gs.Uniform1i(s.uni.lighting.Location(gs), l.lighting)
	gs.Uniform1i(s.uni.toneMap.Location(gs), l.toneMap)
	gs.Uniform1f(s.uni.exposure.Location(gs), l.exposure)
	gs.UniformMatrix3fv(s.uni.viewToWorld.Location(gs), 1, false, &l.viewToWorld[0])
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
