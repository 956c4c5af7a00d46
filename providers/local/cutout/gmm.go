package cutout

import (
	"math"
	"math/rand/v2"
)

// components is how many Gaussians model each side's colours, as in GrabCut: enough for an
// object of a few colours, or a background of a few surfaces, without fitting the noise.
const components = 5

// varianceFloor is added to every Gaussian's variances, in squared 8-bit levels: a flat colour
// (a drawing, a studio backdrop) would otherwise give a Gaussian so narrow that one level of JPEG
// noise makes a background pixel look like nothing the background has.
const varianceFloor = 16.0

// gaussian is one component of a mixture, over RGB in 8-bit levels.
type gaussian struct {
	weight float64
	mean   [3]float64
	inv    [3][3]float64 // the inverse covariance
	// logNorm is log(weight) minus the log of the density's normalisation.
	logNorm float64
}

// gmm is a Gaussian mixture over colours; empty when it has seen no colour.
type gmm struct {
	g []gaussian
}

// stats accumulates the colours assigned to one component.
type stats struct {
	n          float64
	sum        [3]float64
	sumSquares [3][3]float64
}

func (s *stats) add(c [3]float64) {
	s.n++
	for i := range 3 {
		s.sum[i] += c[i]
		for j := range 3 {
			s.sumSquares[i][j] += c[i] * c[j]
		}
	}
}

// fit makes the mixture of the accumulated components; components with too few colours to
// estimate a covariance are left out.
func fit(acc []stats) gmm {
	total := 0.0
	for _, s := range acc {
		total += s.n
	}
	var m gmm
	for _, s := range acc {
		if s.n < 4 {
			continue
		}
		var g gaussian
		var cov [3][3]float64
		for i := range 3 {
			g.mean[i] = s.sum[i] / s.n
		}
		for i := range 3 {
			for j := range 3 {
				cov[i][j] = s.sumSquares[i][j]/s.n - g.mean[i]*g.mean[j]
			}
			cov[i][i] += varianceFloor
		}
		det, inv, ok := invert(cov)
		if !ok {
			continue
		}
		g.weight = s.n / total
		g.inv = inv
		g.logNorm = math.Log(g.weight) - 0.5*math.Log(det) - 1.5*math.Log(2*math.Pi)
		m.g = append(m.g, g)
	}
	return m
}

// invert returns the determinant and inverse of a symmetric positive definite 3×3 matrix.
func invert(c [3][3]float64) (float64, [3][3]float64, bool) {
	det := c[0][0]*(c[1][1]*c[2][2]-c[1][2]*c[2][1]) -
		c[0][1]*(c[1][0]*c[2][2]-c[1][2]*c[2][0]) +
		c[0][2]*(c[1][0]*c[2][1]-c[1][1]*c[2][0])
	if !(det > 1e-9) {
		return 0, [3][3]float64{}, false
	}
	var inv [3][3]float64
	inv[0][0] = (c[1][1]*c[2][2] - c[1][2]*c[2][1]) / det
	inv[0][1] = (c[0][2]*c[2][1] - c[0][1]*c[2][2]) / det
	inv[0][2] = (c[0][1]*c[1][2] - c[0][2]*c[1][1]) / det
	inv[1][0] = (c[1][2]*c[2][0] - c[1][0]*c[2][2]) / det
	inv[1][1] = (c[0][0]*c[2][2] - c[0][2]*c[2][0]) / det
	inv[1][2] = (c[0][2]*c[1][0] - c[0][0]*c[1][2]) / det
	inv[2][0] = (c[1][0]*c[2][1] - c[1][1]*c[2][0]) / det
	inv[2][1] = (c[0][1]*c[2][0] - c[0][0]*c[2][1]) / det
	inv[2][2] = (c[0][0]*c[1][1] - c[0][1]*c[1][0]) / det
	return det, inv, true
}

// logDensity is the log of component g's weighted density at c.
func (g *gaussian) logDensity(c [3]float64) float64 {
	d0, d1, d2 := c[0]-g.mean[0], c[1]-g.mean[1], c[2]-g.mean[2]
	q := d0*(g.inv[0][0]*d0+g.inv[0][1]*d1+g.inv[0][2]*d2) +
		d1*(g.inv[1][0]*d0+g.inv[1][1]*d1+g.inv[1][2]*d2) +
		d2*(g.inv[2][0]*d0+g.inv[2][1]*d1+g.inv[2][2]*d2)
	return g.logNorm - 0.5*q
}

// maxCost caps a colour's cost under a model: a colour the model has never seen costs this much
// (an empty model, or one far in its tails), which keeps the numbers finite for the max-flow.
const maxCost = 60.0

// nearest is the component most likely to have made c, or -1 for an empty model.
func (m *gmm) nearest(c [3]float64) int {
	best, bestK := math.Inf(-1), -1
	for k := range m.g {
		if ld := m.g[k].logDensity(c); ld > best {
			best, bestK = ld, k
		}
	}
	return bestK
}

// kmeansSamples bounds the colours the first clustering looks at: its result is only a start
// that the iterations refine.
const kmeansSamples = 10000

// initial fits a first mixture to colours by k-means, seeded as k-means++ does with a fixed
// seed so that the same image always gives the same cut-out.
func initial(colors [][3]float64) gmm {
	if len(colors) == 0 {
		return gmm{}
	}
	sample := colors
	if len(sample) > kmeansSamples {
		step := len(colors) / kmeansSamples
		sample = make([][3]float64, 0, kmeansSamples+1)
		for i := 0; i < len(colors); i += step {
			sample = append(sample, colors[i])
		}
	}
	rng := rand.New(rand.NewPCG(1, 2)) //nolint:gosec // seeding a clustering, not a secret: fixed so that a cut-out is reproducible
	centres := [][3]float64{sample[rng.IntN(len(sample))]}
	d2 := make([]float64, len(sample))
	for len(centres) < components {
		total := 0.0
		for i, c := range sample {
			d2[i] = math.Inf(1)
			for _, m := range centres {
				d2[i] = min(d2[i], dist2(c, m))
			}
			total += d2[i]
		}
		if total == 0 {
			break // fewer distinct colours than components
		}
		r := rng.Float64() * total
		pick := len(sample) - 1
		for i, d := range d2 {
			if r -= d; r <= 0 {
				pick = i
				break
			}
		}
		centres = append(centres, sample[pick])
	}
	label := make([]int, len(sample))
	for it := range 10 {
		var sum [components][3]float64
		var n [components]float64
		moved := 0
		for i, c := range sample {
			best, bestD := 0, math.Inf(1)
			for k, m := range centres {
				if d := dist2(c, m); d < bestD {
					best, bestD = k, d
				}
			}
			if label[i] != best || it == 0 {
				moved++
			}
			label[i] = best
			n[best]++
			for j := range 3 {
				sum[best][j] += c[j]
			}
		}
		if moved == 0 {
			break
		}
		for k := range centres {
			if n[k] > 0 {
				for j := range 3 {
					centres[k][j] = sum[k][j] / n[k]
				}
			}
		}
	}
	acc := make([]stats, len(centres))
	for i, c := range sample {
		acc[label[i]].add(c)
	}
	return fit(acc)
}

func dist2(a, b [3]float64) float64 {
	d0, d1, d2 := a[0]-b[0], a[1]-b[1], a[2]-b[2]
	return d0*d0 + d1*d1 + d2*d2
}
