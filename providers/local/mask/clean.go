package mask

import "context"

// Specks are components both absolutely small and tiny next to the largest one: a lone 10-pixel
// island beside a 300-pixel object is kept (it may be a real part), beside a 300,000-pixel one it is
// JPEG noise or dust that would only add slivers to the mesh.
const (
	speckPixels   = 16
	speckFraction = 0.001
)

// Clean drops specks of object and fills pinholes of background enclosed by the object, both
// judged against the largest object part. Object parts are 8-connected and background regions
// 4-connected, the usual pairing that keeps the two partitions consistent; a background region
// touching the image border is never a pinhole.
func Clean(ctx context.Context, m *Mask) error {
	parts := label(m, true)
	largest := 0
	for _, s := range parts.size {
		largest = max(largest, s)
	}
	tiny := func(n int) bool { return n < speckPixels && float64(n) < speckFraction*float64(largest) }
	for _, r := range parts.runs {
		if tiny(parts.size[r.part]) {
			clear(m.In[r.y*m.W+r.x0 : r.y*m.W+r.x1])
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	holes := label(m, false)
	for _, r := range holes.runs {
		if !holes.border[r.part] && tiny(holes.size[r.part]) {
			row := m.In[r.y*m.W : (r.y+1)*m.W]
			for x := r.x0; x < r.x1; x++ {
				row[x] = true
			}
		}
	}
	return ctx.Err()
}

// run is a horizontal stretch [x0, x1) of row y, all object or all background.
type run struct {
	y, x0, x1 int
	part      int // component, once labelled
}

// parts are the connected components of one kind of pixel, as runs.
type parts struct {
	runs   []run
	size   []int  // pixels per component
	border []bool // whether a component touches the image border
}

// label finds the connected components of the pixels whose mask value is want: 8-connected for
// the object, 4-connected for the background. Working on runs rather than pixels makes it a
// union-find over a few runs per row, about a millisecond for a megapixel.
func label(m *Mask, want bool) parts {
	var runs []run
	rowStart := make([]int, m.H+1)
	for y := 0; y < m.H; y++ {
		rowStart[y] = len(runs)
		row := m.In[y*m.W : (y+1)*m.W]
		for x := 0; x < m.W; {
			if row[x] != want {
				x++
				continue
			}
			x0 := x
			for x < m.W && row[x] == want {
				x++
			}
			runs = append(runs, run{y: y, x0: x0, x1: x})
		}
	}
	rowStart[m.H] = len(runs)

	parent := make([]int, len(runs))
	for i := range parent {
		parent[i] = i
	}
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	// Runs on consecutive rows touch when their column spans overlap; diagonal contact (8-connected
	// object pixels) widens each span by one.
	reach := 0
	if want {
		reach = 1
	}
	for y := 1; y < m.H; y++ {
		p, pEnd := rowStart[y-1], rowStart[y]
		for c := rowStart[y]; c < rowStart[y+1]; c++ {
			cr := runs[c]
			for p < pEnd && runs[p].x1+reach <= cr.x0 {
				p++
			}
			for q := p; q < pEnd && runs[q].x0 < cr.x1+reach; q++ {
				if a, b := find(c), find(q); a != b {
					parent[max(a, b)] = min(a, b)
				}
			}
		}
	}
	id := make([]int, len(runs))
	for i := range id {
		id[i] = -1
	}
	var ps parts
	for i := range runs {
		r := find(i)
		if id[r] < 0 {
			id[r] = len(ps.size)
			ps.size = append(ps.size, 0)
			ps.border = append(ps.border, false)
		}
		k := id[r]
		runs[i].part = k
		ps.size[k] += runs[i].x1 - runs[i].x0
		if runs[i].y == 0 || runs[i].y == m.H-1 || runs[i].x0 == 0 || runs[i].x1 == m.W {
			ps.border[k] = true
		}
	}
	ps.runs = runs
	return ps
}
