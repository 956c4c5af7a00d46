package g3n

import (
	"fmt"
	"math"

	"github.com/qmuntal/gltf"
	"github.com/qmuntal/gltf/modeler"

	"github.com/kiln3d/kiln/preview/inspect"
	"github.com/kiln3d/kiln/providers/geom/gltfdoc"
)

// meshData is one primitive's triangles, interleaved for one VBO: position, normal, then
// the texture coordinates and the vertex colour when it has them.
type meshData struct {
	verts           []float32
	indices         []uint32
	hasUV, hasColor bool
	// lo and hi bound the positions in the mesh's own space.
	lo, hi [3]float32
}

// stride is the number of floats per vertex.
func (m *meshData) stride() int {
	n := 6
	if m.hasUV {
		n += 2
	}
	if m.hasColor {
		n += 3
	}
	return n
}

// readPrimitive reads one triangle primitive, with its default morph weights and, when skin
// holds joint matrices, posed by them. Primitives that draw no triangles return nil.
func readPrimitive(doc *gltf.Document, p *gltf.Primitive, uvSet int, weights []float64, skin [][16]float64) (*meshData, error) {
	pi, ok := p.Attributes[gltf.POSITION]
	if !ok {
		return nil, nil
	}
	switch p.Mode {
	case gltf.PrimitiveTriangles, gltf.PrimitiveTriangleStrip, gltf.PrimitiveTriangleFan:
	default:
		return nil, nil
	}
	pos, err := modeler.ReadPosition(doc, doc.Accessors[pi], nil)
	if err != nil {
		return nil, fmt.Errorf("positions: %w", err)
	}
	var normals [][3]float32
	if ni, ok := p.Attributes[gltf.NORMAL]; ok {
		if normals, err = modeler.ReadNormal(doc, doc.Accessors[ni], nil); err != nil || len(normals) != len(pos) {
			normals = nil // computed below, as if the model had none
		}
	}
	if err := morph(doc, p, weights, pos, normals); err != nil {
		return nil, err
	}
	if skin != nil {
		if err := pose(doc, p, skin, pos, normals); err != nil {
			return nil, err
		}
	}
	indices, err := triangles(doc, p, len(pos))
	if err != nil {
		return nil, err
	}
	if len(indices) == 0 {
		return nil, nil
	}
	if normals == nil {
		normals = computeNormals(pos, indices)
	}
	m := &meshData{indices: indices}
	var uv [][2]float32
	if a, ok := p.Attributes[fmt.Sprintf("TEXCOORD_%d", uvSet)]; ok {
		if uv, err = modeler.ReadTextureCoord(doc, doc.Accessors[a], nil); err == nil && len(uv) == len(pos) {
			m.hasUV = true
		}
	}
	var colors [][3]float32
	if a, ok := p.Attributes[gltf.COLOR_0]; ok {
		if colors, err = readColors(doc, doc.Accessors[a]); err == nil && len(colors) == len(pos) {
			m.hasColor = true
		}
	}
	m.interleave(pos, normals, uv, colors)
	return m, nil
}

func (m *meshData) interleave(pos, normals [][3]float32, uv [][2]float32, colors [][3]float32) {
	stride := m.stride()
	m.verts = make([]float32, 0, stride*len(pos))
	m.lo = [3]float32{float32(math.Inf(1)), float32(math.Inf(1)), float32(math.Inf(1))}
	m.hi = [3]float32{float32(math.Inf(-1)), float32(math.Inf(-1)), float32(math.Inf(-1))}
	for i, p := range pos {
		m.verts = append(m.verts, p[0], p[1], p[2], normals[i][0], normals[i][1], normals[i][2])
		if m.hasUV {
			m.verts = append(m.verts, uv[i][0], uv[i][1])
		}
		if m.hasColor {
			m.verts = append(m.verts, colors[i][0], colors[i][1], colors[i][2])
		}
		for k := range 3 {
			m.lo[k], m.hi[k] = min(m.lo[k], p[k]), max(m.hi[k], p[k])
		}
	}
}

// triangles returns the primitive's triangle list, strips and fans unrolled, every index
// checked against the vertex count.
func triangles(doc *gltf.Document, p *gltf.Primitive, n int) ([]uint32, error) {
	var idx []uint32
	if p.Indices != nil {
		var err error
		if idx, err = modeler.ReadIndices(doc, doc.Accessors[*p.Indices], nil); err != nil {
			return nil, fmt.Errorf("indices: %w", err)
		}
	} else {
		idx = make([]uint32, n)
		for i := range idx {
			idx[i] = uint32(i)
		}
	}
	for _, v := range idx {
		if int(v) >= n {
			return nil, fmt.Errorf("index %d is past its %d vertices", v, n)
		}
	}
	return gltfdoc.Triangles(p.Mode, idx), nil
}

// computeNormals gives each vertex the area-weighted mean of its triangles' normals. glTF's
// front faces wind counter-clockwise, so (b−a)×(c−a) points out of the surface (g3n's own
// helper assumes the other winding and lights the inside).
func computeNormals(pos [][3]float32, idx []uint32) [][3]float32 {
	acc := make([][3]float64, len(pos))
	for t := 0; t+2 < len(idx); t += 3 {
		a, b, c := pos[idx[t]], pos[idx[t+1]], pos[idx[t+2]]
		e1 := [3]float64{float64(b[0] - a[0]), float64(b[1] - a[1]), float64(b[2] - a[2])}
		e2 := [3]float64{float64(c[0] - a[0]), float64(c[1] - a[1]), float64(c[2] - a[2])}
		f := [3]float64{e1[1]*e2[2] - e1[2]*e2[1], e1[2]*e2[0] - e1[0]*e2[2], e1[0]*e2[1] - e1[1]*e2[0]}
		for _, v := range idx[t : t+3] {
			acc[v][0] += f[0]
			acc[v][1] += f[1]
			acc[v][2] += f[2]
		}
	}
	out := make([][3]float32, len(pos))
	for i, n := range acc {
		l := math.Sqrt(n[0]*n[0] + n[1]*n[1] + n[2]*n[2])
		if l == 0 {
			out[i] = [3]float32{0, 1, 0}
			continue
		}
		out[i] = [3]float32{float32(n[0] / l), float32(n[1] / l), float32(n[2] / l)}
	}
	return out
}

// morph applies the default morph-target weights to positions and normals.
func morph(doc *gltf.Document, p *gltf.Primitive, weights []float64, pos, normals [][3]float32) error {
	for t, target := range p.Targets {
		if t >= len(weights) || weights[t] == 0 {
			continue
		}
		w := float32(weights[t])
		if a, ok := target[gltf.POSITION]; ok {
			d, err := modeler.ReadPosition(doc, doc.Accessors[a], nil)
			if err != nil {
				return fmt.Errorf("morph target %d positions: %w", t, err)
			}
			if len(d) != len(pos) {
				return fmt.Errorf("morph target %d has %d positions for %d vertices", t, len(d), len(pos))
			}
			for i := range pos {
				pos[i][0] += w * d[i][0]
				pos[i][1] += w * d[i][1]
				pos[i][2] += w * d[i][2]
			}
		}
		if a, ok := target[gltf.NORMAL]; ok && normals != nil {
			d, err := modeler.ReadNormal(doc, doc.Accessors[a], nil)
			if err != nil || len(d) != len(normals) {
				continue
			}
			for i := range normals {
				normals[i][0] += w * d[i][0]
				normals[i][1] += w * d[i][1]
				normals[i][2] += w * d[i][2]
			}
		}
	}
	return nil
}

// skinMatrices returns each joint's world matrix times its inverse bind matrix: the pose the
// file's node transforms put the skin in.
func skinMatrices(doc *gltf.Document, skinIndex int, worlds []*[16]float64) ([][16]float64, error) {
	if skinIndex < 0 || skinIndex >= len(doc.Skins) {
		return nil, fmt.Errorf("skin %d does not exist", skinIndex)
	}
	skin := doc.Skins[skinIndex]
	var ibm [][4][4]float32
	if skin.InverseBindMatrices != nil {
		var err error
		if ibm, err = modeler.ReadInverseBindMatrices(doc, doc.Accessors[*skin.InverseBindMatrices], nil); err != nil {
			return nil, fmt.Errorf("skin %d inverse bind matrices: %w", skinIndex, err)
		}
	}
	out := make([][16]float64, len(skin.Joints))
	for j, node := range skin.Joints {
		world := inspect.Identity
		if node >= 0 && node < len(worlds) && worlds[node] != nil {
			world = *worlds[node]
		}
		bind := inspect.Identity
		if j < len(ibm) {
			// qmuntal gives matrices row by row: ibm[j][row][column].
			for c := range 4 {
				for r := range 4 {
					bind[c*4+r] = float64(ibm[j][r][c])
				}
			}
		}
		out[j] = inspect.Mul(world, bind)
	}
	return out, nil
}

// pose moves positions and normals by their joints' blended matrices (linear blend skinning).
func pose(doc *gltf.Document, p *gltf.Primitive, skin [][16]float64, pos, normals [][3]float32) error {
	ja, ok1 := p.Attributes[gltf.JOINTS_0]
	wa, ok2 := p.Attributes[gltf.WEIGHTS_0]
	if !ok1 || !ok2 {
		return nil
	}
	joints, err := modeler.ReadJoints(doc, doc.Accessors[ja], nil)
	if err != nil {
		return fmt.Errorf("joints: %w", err)
	}
	weights, err := modeler.ReadWeights(doc, doc.Accessors[wa], nil)
	if err != nil {
		return fmt.Errorf("weights: %w", err)
	}
	if len(joints) != len(pos) || len(weights) != len(pos) {
		return fmt.Errorf("%d joints and %d weights for %d vertices", len(joints), len(weights), len(pos))
	}
	for i := range pos {
		var m [16]float64
		var total float64
		for k := range 4 {
			j, w := int(joints[i][k]), float64(weights[i][k])
			if w == 0 || j >= len(skin) {
				continue
			}
			total += w
			for e := range m {
				m[e] += w * skin[j][e]
			}
		}
		if total == 0 {
			continue
		}
		for e := range m {
			m[e] /= total
		}
		q := transform(m, [3]float64{float64(pos[i][0]), float64(pos[i][1]), float64(pos[i][2])})
		pos[i] = [3]float32{float32(q[0]), float32(q[1]), float32(q[2])}
		if normals != nil {
			n := normals[i]
			x := m[0]*float64(n[0]) + m[4]*float64(n[1]) + m[8]*float64(n[2])
			y := m[1]*float64(n[0]) + m[5]*float64(n[1]) + m[9]*float64(n[2])
			z := m[2]*float64(n[0]) + m[6]*float64(n[1]) + m[10]*float64(n[2])
			if l := math.Sqrt(x*x + y*y + z*z); l > 0 {
				normals[i] = [3]float32{float32(x / l), float32(y / l), float32(z / l)}
			}
		}
	}
	return nil
}

// readColors reads COLOR_0 as linear RGB, whatever its component type.
func readColors(doc *gltf.Document, a *gltf.Accessor) ([][3]float32, error) {
	data, err := modeler.ReadAccessor(doc, a, nil)
	if err != nil {
		return nil, err
	}
	var out [][3]float32
	switch d := data.(type) {
	case [][3]float32:
		out = d
	case [][4]float32:
		for _, c := range d {
			out = append(out, [3]float32{c[0], c[1], c[2]})
		}
	case [][3]uint8:
		for _, c := range d {
			out = append(out, [3]float32{float32(c[0]) / 255, float32(c[1]) / 255, float32(c[2]) / 255})
		}
	case [][4]uint8:
		for _, c := range d {
			out = append(out, [3]float32{float32(c[0]) / 255, float32(c[1]) / 255, float32(c[2]) / 255})
		}
	case [][3]uint16:
		for _, c := range d {
			out = append(out, [3]float32{float32(c[0]) / 65535, float32(c[1]) / 65535, float32(c[2]) / 65535})
		}
	case [][4]uint16:
		for _, c := range d {
			out = append(out, [3]float32{float32(c[0]) / 65535, float32(c[1]) / 65535, float32(c[2]) / 65535})
		}
	default:
		return nil, fmt.Errorf("COLOR_0 of type %T", data)
	}
	return out, nil
}
