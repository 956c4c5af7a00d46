package inspect

import (
	"math"
	"slices"

	"github.com/qmuntal/gltf"
)

// WorldMatrices gives every node of the default scene (or, without scenes, every root and its
// descendants) its world matrix, column-major; nodes outside it stay nil. Call it on a document
// Inspect accepted: it has made sure the hierarchy is a tree.
func WorldMatrices(doc *gltf.Document) []*[16]float64 {
	worlds := make([]*[16]float64, len(doc.Nodes))
	var roots []int
	switch {
	case len(doc.Scenes) > 0:
		s := 0
		if doc.Scene != nil {
			s = *doc.Scene
		}
		roots = doc.Scenes[s].Nodes
	default:
		child := make([]bool, len(doc.Nodes))
		for _, n := range doc.Nodes {
			for _, c := range n.Children {
				child[c] = true
			}
		}
		for i := range doc.Nodes {
			if !child[i] {
				roots = append(roots, i)
			}
		}
	}
	// An explicit stack, not recursion: a chain of a million nodes is a valid tree, and
	// recursing down it could exhaust the goroutine's stack.
	type visit struct {
		node   int
		parent *[16]float64
	}
	identity := Identity
	var stack []visit
	for _, r := range slices.Backward(roots) {
		stack = append(stack, visit{r, &identity})
	}
	for len(stack) > 0 {
		v := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if worlds[v.node] != nil {
			continue // listed twice among the roots
		}
		w := Mul(*v.parent, local(doc.Nodes[v.node]))
		worlds[v.node] = &w
		for _, c := range slices.Backward(doc.Nodes[v.node].Children) {
			stack = append(stack, visit{c, &w})
		}
	}
	return worlds
}

// Identity is the 4×4 identity matrix, column-major.
var Identity = [16]float64{1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1}

// local is a node's matrix, from Matrix or from translation, rotation and scale.
func local(n *gltf.Node) [16]float64 {
	if n.Matrix != [16]float64{} && n.Matrix != Identity {
		return n.Matrix
	}
	q, s, t := n.RotationOrDefault(), n.ScaleOrDefault(), n.TranslationOrDefault()
	x, y, z, w := q[0], q[1], q[2], q[3]
	return [16]float64{
		(1 - 2*(y*y+z*z)) * s[0], 2 * (x*y + z*w) * s[0], 2 * (x*z - y*w) * s[0], 0,
		2 * (x*y - z*w) * s[1], (1 - 2*(x*x+z*z)) * s[1], 2 * (y*z + x*w) * s[1], 0,
		2 * (x*z + y*w) * s[2], 2 * (y*z - x*w) * s[2], (1 - 2*(x*x+y*y)) * s[2], 0,
		t[0], t[1], t[2], 1,
	}
}

// Mul multiplies column-major 4×4 matrices: a·b.
func Mul(a, b [16]float64) [16]float64 {
	var r [16]float64
	for c := range 4 {
		for row := range 4 {
			var s float64
			for k := range 4 {
				s += a[k*4+row] * b[c*4+k]
			}
			r[c*4+row] = s
		}
	}
	return r
}

// accessorBounds is a POSITION accessor's box, its min/max: the check has made sure they are
// given (the spec requires them) and are the data's own.
func accessorBounds(a *gltf.Accessor) (lo, hi [3]float64) {
	if len(a.Min) == 3 && len(a.Max) == 3 {
		return [3]float64(a.Min), [3]float64(a.Max)
	}
	return [3]float64{}, [3]float64{}
}

// growBox adds the 8 corners of a local box, transformed by world, to the report's bounds.
func growBox(rep *Report, world [16]float64, lo, hi [3]float64) {
	for corner := range 8 {
		p := [3]float64{lo[0], lo[1], lo[2]}
		for k := range 3 {
			if corner&(1<<k) != 0 {
				p[k] = hi[k]
			}
		}
		for k := range 3 {
			v := world[k]*p[0] + world[4+k]*p[1] + world[8+k]*p[2] + world[12+k]
			rep.Min[k] = math.Min(rep.Min[k], v)
			rep.Max[k] = math.Max(rep.Max[k], v)
		}
	}
}
