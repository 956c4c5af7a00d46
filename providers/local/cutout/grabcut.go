package cutout

import (
	"context"
	"image"

	"github.com/kiln3d/kiln/providers/local/mask"
)

// Background colours the model learns from: the fixed background is sampled evenly down to
// backgroundSamples, and when it has fewer than minBackground (a rectangle drawn to the image's
// edges), the image's own border is taken as background too.
const (
	backgroundSamples = 60000
	minBackground     = 64
)

// grabCut segments img inside rect by GrabCut's iterations and returns the object with the two
// colour models it settled on. bias (see problem.cut) applies to the final cut alone.
func grabCut(ctx context.Context, img *image.NRGBA, rect image.Rectangle, bias float64) (*mask.Mask, gmm, gmm, error) {
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	state := make([]int8, w*h)
	opaque := func(i int) bool { return img.Pix[(i/w)*img.Stride+4*(i%w)+3] >= 128 }
	for i := range state {
		state[i] = fixedBG
		if image.Pt(i%w, i/w).In(rect) && opaque(i) {
			state[i] = free
		}
	}
	var bgColors [][3]float64
	sampleBackground := func(step int) {
		for i := 0; i < len(state); i += step {
			if state[i] == fixedBG && opaque(i) {
				bgColors = append(bgColors, colorAt(img, i%w, i/w))
			}
		}
	}
	outside := w*h - rect.Dx()*rect.Dy()
	sampleBackground(max(1, outside/backgroundSamples))
	if len(bgColors) < minBackground {
		bgColors = bgColors[:0]
		for i := range state {
			if x, y := i%w, i/w; x == 0 || y == 0 || x == w-1 || y == h-1 {
				state[i] = fixedBG
			}
		}
		sampleBackground(1)
	}
	if err := ctx.Err(); err != nil {
		return nil, gmm{}, gmm{}, err
	}
	p, err := newProblem(ctx, img, state, rect)
	if err != nil {
		return nil, gmm{}, gmm{}, err
	}
	n := len(p.nodes)
	m := mask.New(w, h)
	if n == 0 {
		return m, gmm{}, gmm{}, nil
	}
	fg, bg := initial(p.color), initial(bgColors)
	labels, prev := make([]bool, n), make([]bool, n)
	for k := range prev {
		prev[k] = true // everything inside the rectangle starts as the object
	}
	bgNear := make([]int8, len(bgColors))
	for it := 0; it < maxIterations; it++ {
		if err := p.cut(ctx, &fg, &bg, 0, labels); err != nil {
			return nil, gmm{}, gmm{}, err
		}
		changed := 0
		for k := range labels {
			if labels[k] != prev[k] {
				changed++
			}
		}
		copy(prev, labels)
		if it > 0 && float64(changed) <= settled*float64(n) {
			break
		}
		// Relearn both models from the pixels each now holds, every pixel counting for the
		// component that explains it best, as GrabCut does.
		accFG := make([]stats, len(fg.g))
		accBG := make([]stats, len(bg.g))
		for k, c := range p.color {
			if labels[k] && p.nearFG[k] >= 0 {
				accFG[p.nearFG[k]].add(c)
			} else if !labels[k] && p.nearBG[k] >= 0 {
				accBG[p.nearBG[k]].add(c)
			}
		}
		for i, c := range bgColors {
			bgNear[i] = int8(bg.nearest(c))
			if bgNear[i] >= 0 {
				accBG[bgNear[i]].add(c)
			}
		}
		fg, bg = fit(accFG), fit(accBG)
		if len(fg.g) == 0 {
			break // nothing, or almost nothing, of the object is left
		}
		if err := ctx.Err(); err != nil {
			return nil, gmm{}, gmm{}, err
		}
	}
	// The tolerance moves only the last cut, under the settled models: were it felt while the
	// models learn, a low tolerance could shrink the object, teach the object's model less of
	// its colours and shrink it again until nothing is left (a wheel on a textured cloth vanished
	// at 0.2). Under fixed models a higher tolerance gives a larger object holding the smaller.
	if bias != 0 && len(fg.g) > 0 {
		if err := p.cut(ctx, &fg, &bg, bias, labels); err != nil {
			return nil, gmm{}, gmm{}, err
		}
	}
	for k, i := range p.nodes {
		m.In[i] = labels[k]
	}
	return m, fg, bg, nil
}

// refine redraws the coarse cut-out c's outline at fine's resolution: the pixels within about
// two coarse pixels of the outline are cut again under the settled colour models, the rest keep
// the coarse answer.
func refine(ctx context.Context, fine *image.NRGBA, rect image.Rectangle, c *mask.Mask, fg, bg gmm, bias float64) (*mask.Mask, error) {
	fw, fh := fine.Bounds().Dx(), fine.Bounds().Dy()
	// The coarse pixels next to one of the other side, then their neighbours.
	edge := make([]bool, c.W*c.H)
	for y := 0; y < c.H; y++ {
		for x := 0; x < c.W; x++ {
			v := c.In[y*c.W+x]
			for dy := -1; dy <= 1 && !edge[y*c.W+x]; dy++ {
				for dx := -1; dx <= 1; dx++ {
					if nx, ny := x+dx, y+dy; nx >= 0 && ny >= 0 && nx < c.W && ny < c.H && c.In[ny*c.W+nx] != v {
						edge[y*c.W+x] = true
						break
					}
				}
			}
		}
	}
	band := make([]bool, len(edge))
	for y := 0; y < c.H; y++ {
		for x := 0; x < c.W; x++ {
			for dy := -1; dy <= 1; dy++ {
				for dx := -1; dx <= 1; dx++ {
					if nx, ny := x+dx, y+dy; nx >= 0 && ny >= 0 && nx < c.W && ny < c.H && edge[ny*c.W+nx] {
						band[y*c.W+x] = true
					}
				}
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	state := make([]int8, fw*fh)
	freeCount := 0
	for y := 0; y < fh; y++ {
		cy := min(c.H-1, y*c.H/fh)
		for x := 0; x < fw; x++ {
			i, ci := y*fw+x, cy*c.W+min(c.W-1, x*c.W/fw)
			switch {
			case !image.Pt(x, y).In(rect) || fine.Pix[y*fine.Stride+4*x+3] < 128:
				state[i] = fixedBG
			case band[ci]:
				state[i] = free
				freeCount++
			case c.In[ci]:
				state[i] = fixedFG
			default:
				state[i] = fixedBG
			}
		}
	}
	if freeCount > maxBandNodes {
		return mask.Resize(c, fw, fh), nil
	}
	p, err := newProblem(ctx, fine, state, rect)
	if err != nil {
		return nil, err
	}
	labels := make([]bool, len(p.nodes))
	if err := p.cut(ctx, &fg, &bg, bias, labels); err != nil {
		return nil, err
	}
	m := mask.New(fw, fh)
	for i, s := range state {
		m.In[i] = s == fixedFG
	}
	for k, i := range p.nodes {
		m.In[i] = labels[k]
	}
	return m, nil
}
