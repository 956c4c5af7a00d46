package g3n

import "github.com/g3n/engine/gls"

// gpuTexture is a decoded texture uploaded, with the mipmaps made on the CPU, when it is
// first drawn. g3n's Texture2D is not used: it can only make mipmaps with glGenerateMipmap
// (see decodeTexture) and keeps the pixels in memory after the upload; these are let go.
//
// Colour maps (base colour, emissive) and data maps (metallic-roughness, normal,
// occlusion) are uploaded alike, as plain RGBA8: the shader decodes sRGB where a map holds
// colour, so one texture serves a material that uses one image both ways.
type gpuTexture struct {
	data *textureData // nil once uploaded
	gs   *gls.GLS
	name uint32
}

// bind makes the texture the one on texture unit unit, uploading it the first time.
func (t *gpuTexture) bind(gs *gls.GLS, unit int) {
	gs.ActiveTexture(gls.TEXTURE0 + uint32(unit))
	if t.gs == nil {
		t.gs, t.name = gs, gs.GenTexture()
		gs.BindTexture(gls.TEXTURE_2D, t.name)
		d := t.data
		// The sampler first: told the level count and filter before any image, the driver
		// allocates the whole mipmap chain once instead of again for each level.
		gs.TexParameteri(gls.TEXTURE_2D, gls.TEXTURE_MAX_LEVEL, int32(len(d.levels)-1))
		gs.TexParameteri(gls.TEXTURE_2D, gls.TEXTURE_MAG_FILTER, int32(d.magFilter))
		gs.TexParameteri(gls.TEXTURE_2D, gls.TEXTURE_MIN_FILTER, int32(d.minFilter))
		gs.TexParameteri(gls.TEXTURE_2D, gls.TEXTURE_WRAP_S, int32(d.wrapS))
		gs.TexParameteri(gls.TEXTURE_2D, gls.TEXTURE_WRAP_T, int32(d.wrapT))
		for i, l := range d.levels {
			gs.TexImage2D(gls.TEXTURE_2D, int32(i), gls.RGBA8, int32(l.w), int32(l.h), gls.RGBA, gls.UNSIGNED_BYTE, l.pix)
		}
		t.data = nil // the driver has its copy
		return
	}
	gs.BindTexture(gls.TEXTURE_2D, t.name)
}

// release deletes the GL texture, if it was ever made.
func (t *gpuTexture) release() {
	if t.gs != nil {
		t.gs.DeleteTextures(t.name)
		t.gs = nil
	}
}

// envTexture is an environment's roughness levels on the GPU, as one mipmapped half-float
// texture, and its irradiance coefficients.
type envTexture struct {
	env  *environment
	sh   [9][3]float32
	gs   *gls.GLS
	name uint32
}

// newEnvTexture uploads env.
func newEnvTexture(gs *gls.GLS, env *environment) *envTexture {
	t := &envTexture{env: env, sh: env.sh, gs: gs, name: gs.GenTexture()}
	gs.ActiveTexture(gls.TEXTURE0 + envUnit)
	gs.BindTexture(gls.TEXTURE_2D, t.name)
	gs.TexParameteri(gls.TEXTURE_2D, gls.TEXTURE_MAX_LEVEL, int32(len(env.levels)-1))
	gs.TexParameteri(gls.TEXTURE_2D, gls.TEXTURE_MAG_FILTER, gls.LINEAR)
	gs.TexParameteri(gls.TEXTURE_2D, gls.TEXTURE_MIN_FILTER, gls.LINEAR_MIPMAP_LINEAR)
	// Around the horizon the map wraps; at the poles it ends.
	gs.TexParameteri(gls.TEXTURE_2D, gls.TEXTURE_WRAP_S, gls.REPEAT)
	gs.TexParameteri(gls.TEXTURE_2D, gls.TEXTURE_WRAP_T, gls.CLAMP_TO_EDGE)
	for i, l := range env.levels {
		gs.TexImage2D(gls.TEXTURE_2D, int32(i), gls.RGB16F, int32(l.w), int32(l.h), gls.RGB, gls.FLOAT, l.pix)
	}
	return t
}

func (t *envTexture) bind(gs *gls.GLS, unit int) {
	gs.ActiveTexture(gls.TEXTURE0 + uint32(unit))
	gs.BindTexture(gls.TEXTURE_2D, t.name)
}

func (t *envTexture) release() {
	if t != nil && t.gs != nil {
		t.gs.DeleteTextures(t.name)
		t.gs = nil
	}
}
