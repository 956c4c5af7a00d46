package cutout

import (
	"context"
	"image"
	"math"
	"runtime"
	"sync"
)

// Pixel states in a segmentation problem.
const (
	free    int8 = iota // to be decided by the cut
	fixedBG             // background whatever the colours say: outside the rectangle, transparent
	fixedFG             // object whatever the colours say (only in the boundary refinement)
)

// gamma weighs the smoothness term against the colour terms: the value the GrabCut paper found
// good on many images, for 8-bit colours and 8-connected pixels.
const gamma = 50.0

// problem is one graph cut over the free pixels of an image; fixed pixels enter it through the
// smoothness terms of their free neighbours.
type problem struct {
	w, h  int
	state []int8
	nodes []int32      // the free pixels, by index
	color [][3]float64 // their colours
	graph *graph
	// srcExtra and snkExtra are what a node's fixed neighbours add to the cost of it going to
	// the background and to the object.
	srcExtra, snkExtra []float32
	// per node, for one cut
	src, snk []float32
	nearFG   []int8 // the component of the object's model nearest each node's colour
	nearBG   []int8
}

// around are the 8-connected offsets, with the smoothness weight's scale for their distance.
var around = [8]struct {
	dx, dy int
	scale  float64
}{{1, 0, 1}, {-1, 0, 1}, {0, 1, 1}, {0, -1, 1}, {1, 1, 1 / math.Sqrt2}, {-1, -1, 1 / math.Sqrt2}, {1, -1, 1 / math.Sqrt2}, {-1, 1, 1 / math.Sqrt2}}

// newProblem lays out the graph for img's free pixels (state says which), all of which lie
// inside rect. The smoothness weight of two neighbours is gamma·exp(−β‖zm−zn‖²)/distance, with β
// set from the mean contrast of the neighbours inside rect, as GrabCut does: so the outline
// follows the places where the colours change, whatever the image's overall contrast.
func newProblem(ctx context.Context, img *image.NRGBA, state []int8, rect image.Rectangle) (*problem, error) {
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	p := &problem{w: w, h: h, state: state}
	index := make([]int32, w*h)
	n := 0
	for _, s := range state {
		if s == free {
			n++
		}
	}
	p.nodes = make([]int32, 0, n)
	for i, s := range state {
		index[i] = -1
		if s == free {
			index[i] = int32(len(p.nodes))
			p.nodes = append(p.nodes, int32(i))
		}
	}
	p.color = make([][3]float64, n)
	for k, i := range p.nodes {
		p.color[k] = colorAt(img, int(i)%w, int(i)/w)
	}
	// exp(−β‖zm−zn‖²) for every squared distance two 8-bit colours can have: a table of 195,076
	// values costs less than the four or more exponentials of each pixel.
	beta := contrast(img, rect)
	falloff := make([]float32, 3*255*255+1)
	for d := range falloff {
		falloff[d] = float32(math.Exp(-beta * float64(d)))
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p.srcExtra = make([]float32, n)
	p.snkExtra = make([]float32, n)
	edges := make([]edge, 0, 4*n)
	for k, i := range p.nodes {
		if k%(1<<14) == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		x, y := int(i)%w, int(i)/w
		for _, d := range around {
			nx, ny := x+d.dx, y+d.dy
			if nx < 0 || ny < 0 || nx >= w || ny >= h {
				continue
			}
			j := ny*w + nx
			if state[j] == free && index[j] < int32(k) {
				continue // that pair was made from the other end
			}
			v := float32(gamma*d.scale) * falloff[pixelDist2(img, x, y, nx, ny)]
			switch state[j] {
			case free:
				edges = append(edges, edge{int32(k), index[j], v})
			case fixedFG:
				p.srcExtra[k] += v
			default:
				p.snkExtra[k] += v
			}
		}
	}
	p.graph = newGraph(n, edges)
	p.src = make([]float32, n)
	p.snk = make([]float32, n)
	p.nearFG = make([]int8, n)
	p.nearBG = make([]int8, n)
	return p, nil
}

// contrast is GrabCut's β for the pixels in r: 1/(2·mean‖zm−zn‖²) over 8-connected neighbours,
// or 0 for a flat region.
func contrast(img *image.NRGBA, r image.Rectangle) float64 {
	sum, pairs := 0, 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			// The four forward neighbours, so that each pair counts once.
			for _, d := range around[:] {
				if d.dy < 0 || (d.dy == 0 && d.dx < 0) {
					continue
				}
				nx, ny := x+d.dx, y+d.dy
				if nx < r.Min.X || nx >= r.Max.X || ny >= r.Max.Y {
					continue
				}
				sum += pixelDist2(img, x, y, nx, ny)
				pairs++
			}
		}
	}
	if sum == 0 {
		return 0
	}
	return float64(pairs) / (2 * float64(sum))
}

// pixelDist2 is the squared RGB distance between two pixels.
func pixelDist2(img *image.NRGBA, x0, y0, x1, y1 int) int {
	a := img.Pix[y0*img.Stride+4*x0:]
	b := img.Pix[y1*img.Stride+4*x1:]
	d0, d1, d2 := int(a[0])-int(b[0]), int(a[1])-int(b[1]), int(a[2])-int(b[2])
	return d0*d0 + d1*d1 + d2*d2
}

func colorAt(img *image.NRGBA, x, y int) [3]float64 {
	p := img.Pix[y*img.Stride+4*x:]
	return [3]float64{float64(p[0]), float64(p[1]), float64(p[2])}
}

// cut labels every node object (true) or background under the two colour models. bias, in the
// same units as the costs, is added to the cost of the background: positive favours the object.
// It also records each node's nearest component in either model, for relearning them.
func (p *problem) cut(ctx context.Context, fg, bg *gmm, bias float64, out []bool) error {
	// The colour terms are most of an iteration's work and independent per pixel: one share per
	// core.
	parts := max(1, min(runtime.GOMAXPROCS(0), len(p.color)/4096))
	var wg sync.WaitGroup
	for part := range parts {
		lo, hi := part*len(p.color)/parts, (part+1)*len(p.color)/parts
		wg.Go(func() { p.costs(ctx, fg, bg, bias, lo, hi) })
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := p.graph.run(ctx, p.src, p.snk); err != nil {
		return err
	}
	for k := range out {
		out[k] = p.graph.inSource(k)
	}
	return nil
}

// costs sets the terminal capacities of nodes lo to hi, and their nearest components.
func (p *problem) costs(ctx context.Context, fg, bg *gmm, bias float64, lo, hi int) {
	for k := lo; k < hi; k++ {
		if (k-lo)%(1<<14) == 0 && ctx.Err() != nil {
			return
		}
		c := p.color[k]
		costFG, nf := costNearest(fg, c)
		costBG, nb := costNearest(bg, c)
		p.nearFG[k], p.nearBG[k] = nf, nb
		src := costBG + float64(p.srcExtra[k])
		snk := costFG + float64(p.snkExtra[k])
		if bias > 0 {
			src += bias
		} else {
			snk -= bias
		}
		p.src[k], p.snk[k] = float32(src), float32(snk)
	}
}

// costNearest is −log of m's density at c (at most maxCost) and m's most likely component there.
func costNearest(m *gmm, c [3]float64) (float64, int8) {
	if len(m.g) == 0 {
		return maxCost, -1
	}
	var lds [components]float64
	best, bestK := math.Inf(-1), 0
	for k := range m.g {
		lds[k] = m.g[k].logDensity(c)
		if lds[k] > best {
			best, bestK = lds[k], k
		}
	}
	sum := 1.0 // the best component's own term
	for k := range m.g {
		// Components e⁻²⁰ times less likely than the best one change the sum by less than
		// float32 resolves: skip their exponentials, most of this function's time.
		if d := lds[k] - best; k != bestK && d > -20 {
			sum += math.Exp(d)
		}
	}
	return min(maxCost, -(best + math.Log(sum))), int8(bestK)
}
