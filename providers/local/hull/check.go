package hull

import (
	"context"
	"fmt"
	"math"
	"strings"
)

// Conflict says that some views' outlines cannot all belong to one object: the views were
// probably tagged wrongly, or show different objects.
type Conflict struct {
	// Views are the views in conflict. When Odd > 0, the first Odd of them are the ones whose
	// outlines the others leave mostly uncovered; when Odd is 0, the views do not overlap at all.
	Views []string
	Odd   int
	// Covered is the share of the odd views' outline that the hull of all the views still fills.
	Covered float64
}

func (c *Conflict) Error() string {
	if c.Odd == 0 {
		return fmt.Sprintf("hull: the %s views do not overlap", strings.Join(c.Views, ", "))
	}
	return fmt.Sprintf("hull: the hull covers %.0f%% of the %s views' outline", 100*c.Covered, strings.Join(c.Views[:c.Odd], ", "))
}

// Check thresholds: the hull is judged on a lattice of checkCells along the box's longest side,
// and a view whose outline the hull fills less than minCovered of disagrees with the others.
// Photos' outlines are never exact, but a view that really shows the same object is covered to
// within a few percent; one tagged with the wrong view typically loses a third or more.
const (
	checkCells = 96
	minCovered = 0.6
)

// Check looks for views that contradict each other: opposite views (front and back, left and
// right) whose outlines barely overlap, views whose hull is empty, or a view whose outline the
// hull of all the views leaves largely unfilled. It returns a *Conflict, or nil.
func Check(ctx context.Context, h *Hull) error {
	s := math.Max(h.Size[0], math.Max(h.Size[1], h.Size[2])) / checkCells
	g, err := NewGrid(ctx, h, s)
	if err != nil {
		return err
	}
	// Each camera's own outline on its plane of the lattice.
	own := make([][]bool, len(h.Cameras))
	for ci := range h.Cameras {
		own[ci] = g.outline(&h.Cameras[ci])
	}
	for a := 0; a < 3; a++ {
		var along []int
		for ci := range h.Cameras {
			if h.Cameras[ci].Axis() == a {
				along = append(along, ci)
			}
		}
		if len(along) == 2 {
			both, least := 0, math.MaxInt
			for _, ci := range along {
				least = min(least, count(own[ci]))
			}
			for i := range own[along[0]] {
				if own[along[0]][i] && own[along[1]][i] {
					both++
				}
			}
			if float64(both) < minCovered*float64(least) {
				c := &Conflict{Views: []string{h.Cameras[along[0]].View, h.Cameras[along[1]].View}, Odd: 1, Covered: float64(both) / float64(least)}
				if both == 0 {
					c.Odd = 0
				}
				return c
			}
		}
	}
	shadow, inside, err := g.shadows(ctx)
	if err != nil {
		return err
	}
	if inside == 0 {
		return &Conflict{Views: views(h)}
	}
	worst, worstCover := -1, 1.0
	for a := 0; a < 3; a++ {
		if g.planes[a] == nil {
			continue
		}
		outline := 0
		for _, v := range g.planes[a] {
			if v > 0 {
				outline++
			}
		}
		if c := float64(count(shadow[a])) / float64(max(outline, 1)); c < worstCover {
			worst, worstCover = a, c
		}
	}
	if worst < 0 || worstCover >= minCovered {
		return nil
	}
	c := &Conflict{Covered: worstCover}
	for ci := range h.Cameras {
		if h.Cameras[ci].Axis() == worst {
			c.Views = append(c.Views, h.Cameras[ci].View)
			c.Odd++
		}
	}
	for ci := range h.Cameras {
		if h.Cameras[ci].Axis() != worst {
			c.Views = append(c.Views, h.Cameras[ci].View)
		}
	}
	return c
}

func views(h *Hull) []string {
	var vs []string
	for _, c := range h.Cameras {
		vs = append(vs, c.View)
	}
	return vs
}

func count(b []bool) int {
	n := 0
	for _, v := range b {
		if v {
			n++
		}
	}
	return n
}

// outline samples camera c's own silhouette on the lattice plane across its axis, laid out as
// the grid's plane for that axis.
func (g *Grid) outline(c *Camera) []bool {
	a := c.Axis()
	b, d := others(a)
	out := make([]bool, g.N[b]*g.N[d])
	var p [3]float64
	for y := 0; y < g.N[d]; y++ {
		p[d] = g.Origin[d] + float64(y)*g.S
		for x := 0; x < g.N[b]; x++ {
			p[b] = g.Origin[b] + float64(x)*g.S
			out[y*g.N[b]+x] = c.Dist(p) > 0
		}
	}
	return out
}

// shadows projects the hull's inside lattice points along each axis onto the planes across it
// and counts them.
func (g *Grid) shadows(ctx context.Context) ([3][]bool, int, error) {
	nx, ny, nz := g.N[0], g.N[1], g.N[2]
	sh := [3][]bool{make([]bool, ny*nz), make([]bool, nx*nz), make([]bool, nx*ny)}
	v := make([]float32, nx*ny)
	inside := 0
	for k := 0; k < nz; k++ {
		if err := ctx.Err(); err != nil {
			return sh, 0, err
		}
		g.slab(k, v)
		for j := 0; j < ny; j++ {
			for i := 0; i < nx; i++ {
				if v[j*nx+i] > 0 {
					inside++
					sh[0][k*ny+j] = true
					sh[1][k*nx+i] = true
					sh[2][j*nx+i] = true
				}
			}
		}
	}
	return sh, inside, nil
}
