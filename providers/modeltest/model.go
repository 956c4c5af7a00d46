package modeltest

import (
	"fmt"
	"math"

	"github.com/qmuntal/gltf"
	"github.com/qmuntal/gltf/modeler"
)

// Model is the triangles of a glTF file's default scene in world coordinates, every primitive's
// vertices appended into one list.
type Model struct {
	Doc       *gltf.Document
	Positions [][3]float64
	Triangles [][3]int
	// UVs and Normals are per vertex when every primitive has them, else nil.
	UVs     [][2]float32
	Normals [][3]float32
}

// Load reads the model at path (.glb or .gltf) and flattens its default scene, applying node
// transforms. Primitives other than triangle lists are skipped.
func Load(path string) (*Model, error) {
	doc, err := gltf.Open(path)
	if err != nil {
		return nil, fmt.Errorf("modeltest: open %s: %w", path, err)
	}
	m := &Model{Doc: doc}
	withUV, withNormal := true, true
	var visit func(node int, parent [16]float64) error
	visit = func(node int, parent [16]float64) error {
		n := doc.Nodes[node]
		world := mul(parent, n.MatrixOrDefault(), trs(n))
		if n.Mesh != nil {
			for _, p := range doc.Meshes[*n.Mesh].Primitives {
				if p.Mode != gltf.PrimitiveTriangles {
					continue
				}
				uv, nor, err := m.addPrimitive(doc, p, world)
				if err != nil {
					return err
				}
				withUV, withNormal = withUV && uv, withNormal && nor
			}
		}
		for _, c := range n.Children {
			if err := visit(c, world); err != nil {
				return err
			}
		}
		return nil
	}
	scene := 0
	if doc.Scene != nil {
		scene = *doc.Scene
	}
	if scene >= len(doc.Scenes) {
		return nil, fmt.Errorf("modeltest: %s has no scene %d", path, scene)
	}
	for _, n := range doc.Scenes[scene].Nodes {
		if err := visit(n, identity()); err != nil {
			return nil, fmt.Errorf("modeltest: %s: %w", path, err)
		}
	}
	if !withUV {
		m.UVs = nil
	}
	if !withNormal {
		m.Normals = nil
	}
	return m, nil
}

func (m *Model) addPrimitive(doc *gltf.Document, p *gltf.Primitive, world [16]float64) (bool, bool, error) {
	pi, ok := p.Attributes[gltf.POSITION]
	if !ok {
		return false, false, nil
	}
	pos, err := modeler.ReadPosition(doc, doc.Accessors[pi], nil)
	if err != nil {
		return false, false, err
	}
	base := len(m.Positions)
	for _, v := range pos {
		x, y, z := float64(v[0]), float64(v[1]), float64(v[2])
		m.Positions = append(m.Positions, [3]float64{
			world[0]*x + world[4]*y + world[8]*z + world[12],
			world[1]*x + world[5]*y + world[9]*z + world[13],
			world[2]*x + world[6]*y + world[10]*z + world[14],
		})
	}
	var idx []uint32
	if p.Indices != nil {
		if idx, err = modeler.ReadIndices(doc, doc.Accessors[*p.Indices], nil); err != nil {
			return false, false, err
		}
	} else {
		for i := range pos {
			idx = append(idx, uint32(i))
		}
	}
	for k := 0; k+2 < len(idx); k += 3 {
		t := [3]int{base + int(idx[k]), base + int(idx[k+1]), base + int(idx[k+2])}
		for _, v := range t {
			if v >= len(m.Positions) {
				return false, false, fmt.Errorf("index %d past %d vertices", v, len(m.Positions))
			}
		}
		m.Triangles = append(m.Triangles, t)
	}
	hasUV, hasNormal := false, false
	if a, ok := p.Attributes[gltf.TEXCOORD_0]; ok {
		uv, err := modeler.ReadTextureCoord(doc, doc.Accessors[a], nil)
		if err != nil {
			return false, false, err
		}
		m.UVs, hasUV = append(m.UVs, uv...), len(uv) == len(pos)
	}
	if a, ok := p.Attributes[gltf.NORMAL]; ok {
		nor, err := modeler.ReadNormal(doc, doc.Accessors[a], nil)
		if err != nil {
			return false, false, err
		}
		m.Normals, hasNormal = append(m.Normals, nor...), len(nor) == len(pos)
	}
	return hasUV, hasNormal, nil
}

// Bounds returns the smallest and largest coordinates of the model's vertices.
func (m *Model) Bounds() (lo, hi [3]float64) {
	lo = [3]float64{math.Inf(1), math.Inf(1), math.Inf(1)}
	hi = [3]float64{math.Inf(-1), math.Inf(-1), math.Inf(-1)}
	for _, p := range m.Positions {
		for a := 0; a < 3; a++ {
			lo[a], hi[a] = math.Min(lo[a], p[a]), math.Max(hi[a], p[a])
		}
	}
	return lo, hi
}

func identity() [16]float64 { return [16]float64{1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1} }

// trs is the node's translation·rotation·scale as a column-major matrix.
func trs(n *gltf.Node) [16]float64 {
	q, s, t := n.RotationOrDefault(), n.ScaleOrDefault(), n.TranslationOrDefault()
	x, y, z, w := q[0], q[1], q[2], q[3]
	return [16]float64{
		(1 - 2*(y*y+z*z)) * s[0], 2 * (x*y + z*w) * s[0], 2 * (x*z - y*w) * s[0], 0,
		2 * (x*y - z*w) * s[1], (1 - 2*(x*x+z*z)) * s[1], 2 * (y*z + x*w) * s[1], 0,
		2 * (x*z + y*w) * s[2], 2 * (y*z - x*w) * s[2], (1 - 2*(x*x+y*y)) * s[2], 0,
		t[0], t[1], t[2], 1,
	}
}

// mul multiplies column-major 4×4 matrices left to right.
func mul(ms ...[16]float64) [16]float64 {
	r := identity()
	for _, b := range ms {
		var p [16]float64
		for c := 0; c < 4; c++ {
			for row := 0; row < 4; row++ {
				for k := 0; k < 4; k++ {
					p[c*4+row] += r[k*4+row] * b[c*4+k]
				}
			}
		}
		r = p
	}
	return r
}
