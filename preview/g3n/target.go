package g3n

import (
	"fmt"
	"image"
)

// target is the offscreen framebuffer frames are drawn into: RGBA8 colour with a
// DEPTH24_STENCIL8 depth buffer, multisampled when samples > 0 and then resolved into a
// single-sample framebuffer for reading.
type target struct {
	x            *glExt
	samples      int
	w, h         int
	drawFB       uint32
	color, depth uint32
	resolveFB    uint32 // 0 without multisampling
	resolveColor uint32
}

// fit makes the framebuffer w×h, reallocating only when the size changes.
func (t *target) fit(w, h int) error {
	if w == t.w && h == t.h && t.drawFB != 0 {
		return nil
	}
	t.release()
	x := t.x
	t.drawFB, t.color, t.depth = x.genFB(), x.genRB(), x.genRB()
	x.bindRB(t.color)
	x.storage(t.samples, glRGBA8, w, h)
	x.bindRB(t.depth)
	x.storage(t.samples, glDepth24Stencil8, w, h)
	x.bindFB(glFramebuffer, t.drawFB)
	x.attach(glColorAttachment0, t.color)
	x.attach(glDepthStencilAtt, t.depth)
	if !x.complete() {
		t.release()
		return fmt.Errorf("g3n: the %d×%d framebuffer (%d samples) is incomplete", w, h, t.samples)
	}
	if t.samples > 0 {
		t.resolveFB, t.resolveColor = x.genFB(), x.genRB()
		x.bindRB(t.resolveColor)
		x.storage(0, glRGBA8, w, h)
		x.bindFB(glFramebuffer, t.resolveFB)
		x.attach(glColorAttachment0, t.resolveColor)
		if !x.complete() {
			t.release()
			return fmt.Errorf("g3n: the %d×%d resolve framebuffer is incomplete", w, h)
		}
	}
	x.bindRB(0)
	t.w, t.h = w, h
	return nil
}

// bind makes the framebuffer the one drawn into.
func (t *target) bind() { t.x.bindFB(glFramebuffer, t.drawFB) }

// image reads the finished frame, top row first. The shaders write premultiplied alpha,
// which is what image.RGBA holds; opaque sets every alpha to 255 (blending writes alpha
// too, and over an opaque background the frame is opaque whatever the model's alpha).
//
// The pixels are read straight into the image and its rows turned over in place: a 4096²
// frame supersampled twice is 256 MB, and a second copy of it would double that.
func (t *target) image(opaque bool) *image.RGBA {
	x := t.x
	if t.samples > 0 {
		x.bindFB(glReadFramebuffer, t.drawFB)
		x.bindFB(glDrawFramebuffer, t.resolveFB)
		x.resolve(t.w, t.h)
		x.bindFB(glReadFramebuffer, t.resolveFB)
	} else {
		x.bindFB(glReadFramebuffer, t.drawFB)
	}
	img := image.NewRGBA(image.Rect(0, 0, t.w, t.h))
	x.read(t.w, t.h, img.Pix)
	stride := img.Stride
	tmp := make([]byte, stride)
	for y := 0; y < t.h/2; y++ {
		// GL's rows go bottom-up.
		a := img.Pix[y*stride : (y+1)*stride]
		b := img.Pix[(t.h-1-y)*stride : (t.h-y)*stride]
		copy(tmp, a)
		copy(a, b)
		copy(b, tmp)
	}
	if opaque {
		for i := 3; i < len(img.Pix); i += 4 {
			img.Pix[i] = 255
		}
	}
	return img
}

// shrink averages each s×s block of a frame into one pixel. The pixels are premultiplied, so
// a plain average of each channel, alpha included, is the right one: a pixel half covered by
// an opaque red edge becomes half-transparent red, not dark red.
func shrink(img *image.RGBA, s int) *image.RGBA {
	w, h := img.Rect.Dx()/s, img.Rect.Dy()/s
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	n := s * s
	for y := range h {
		o := out.Pix[y*out.Stride : y*out.Stride+4*w]
		for x := range w {
			var r, g, b, a int
			for dy := range s {
				row := img.Pix[(y*s+dy)*img.Stride+4*x*s:]
				for dx := range s {
					r += int(row[4*dx])
					g += int(row[4*dx+1])
					b += int(row[4*dx+2])
					a += int(row[4*dx+3])
				}
			}
			o[4*x], o[4*x+1], o[4*x+2], o[4*x+3] = byte((r+n/2)/n), byte((g+n/2)/n), byte((b+n/2)/n), byte((a+n/2)/n)
		}
	}
	return out
}

func (t *target) release() {
	x := t.x
	for _, fb := range []*uint32{&t.drawFB, &t.resolveFB} {
		if *fb != 0 {
			x.deleteFB(*fb)
			*fb = 0
		}
	}
	for _, rb := range []*uint32{&t.color, &t.depth, &t.resolveColor} {
		if *rb != 0 {
			x.deleteRB(*rb)
			*rb = 0
		}
	}
	t.w, t.h = 0, 0
}
