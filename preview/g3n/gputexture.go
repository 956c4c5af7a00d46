package g3n

import "github.com/g3n/engine/gls"

// gpuTexture is a decoded texture uploaded, with the mipmaps made on the CPU, when it is
// first drawn. g3n's Texture2D is not used: it can only make mipmaps with glGenerateMipmap
// (see decodeTexture) and keeps the pixels in memory after the upload; these are let go.
type gpuTexture struct {
	data *textureData // nil once uploaded
	gs   *gls.GLS
	name uint32
}

// bind makes the texture the one on texture unit 0, uploading it the first time.
func (t *gpuTexture) bind(gs *gls.GLS) {
	gs.ActiveTexture(gls.TEXTURE0)
	if t.gs == nil {
		t.gs, t.name = gs, gs.GenTexture()
		gs.BindTexture(gls.TEXTURE_2D, t.name)
		d := t.data
		for i, l := range d.levels {
			gs.TexImage2D(gls.TEXTURE_2D, int32(i), gls.RGBA8, int32(l.w), int32(l.h), gls.RGBA, gls.UNSIGNED_BYTE, l.pix)
		}
		gs.TexParameteri(gls.TEXTURE_2D, gls.TEXTURE_MAX_LEVEL, int32(len(d.levels)-1))
		gs.TexParameteri(gls.TEXTURE_2D, gls.TEXTURE_MAG_FILTER, int32(d.magFilter))
		gs.TexParameteri(gls.TEXTURE_2D, gls.TEXTURE_MIN_FILTER, int32(d.minFilter))
		gs.TexParameteri(gls.TEXTURE_2D, gls.TEXTURE_WRAP_S, int32(d.wrapS))
		gs.TexParameteri(gls.TEXTURE_2D, gls.TEXTURE_WRAP_T, int32(d.wrapT))
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
