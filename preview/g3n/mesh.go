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

// readPrimitive reads one triangle primitive, with its morph weights and, when skin holds
// joint matrices, posed by them. keep says an animation deforms it: what re-posing needs (the
// file's vertices, its morph targets, its joints and weights) is then kept in a deformer, which
// a static primitive does not get, so that a large scan is not held twice. Primitives that draw
// no triangles return nil.
func readPrimitive(doc *gltf.Document, p *gltf.Primitive, uvSet int, weights []float64, skin [][16]float64, keep bool) (*meshData, *deformer, error) {
	pi, ok := p.Attributes[gltf.POSITION]
	if !ok {
		return nil, nil, nil
	}
	switch p.Mode {
	case gltf.PrimitiveTriangles, gltf.PrimitiveTriangleStrip, gltf.PrimitiveTriangleFan:
	default:
		return nil, nil, nil
	}
	pos, err := modeler.ReadPosition(doc, doc.Accessors[pi], nil)
	if err != nil {
		return nil, nil, fmt.Errorf("positions: %w", err)
	}
	var normals [][3]float32
	if ni, ok := p.Attributes[gltf.NORMAL]; ok {
		if normals, err = modeler.ReadNormal(doc, doc.Accessors[ni], nil); err != nil || len(normals) != len(pos) {
			normals = nil // computed below, as if the model had none
		}
	}
	var d *deformer
	if keep {
		if d, err = newDeformer(doc, p, pos, normals, skin != nil); err != nil {
			return nil, nil, err
		}
		d.deform(weights, skin, pos, normals, 0, len(pos))
	} else {
		if err := morph(doc, p, weights, pos, normals); err != nil {
			return nil, nil, err
		}
		if skin != nil {
			joints, jw, err := readSkinning(doc, p, len(pos))
			if err != nil {
				return nil, nil, err
			}
			skinVertices(joints, jw, skin, pos, normals, 0, len(pos))
		}
	}
	indices, err := triangles(doc, p, len(pos))
	if err != nil {
		return nil, nil, err
	}
	if len(indices) == 0 {
		return nil, nil, nil
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
	if d != nil {
		d.indices = indices
	}
	return m, d, nil
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

// morph applies the default morph-target weights to positions and normals, reading one target
// at a time: a static model's targets are not kept.
func morph(doc *gltf.Document, p *gltf.Primitive, weights []float64, pos, normals [][3]float32) error {
	for t := range p.Targets {
		if t >= len(weights) || weights[t] == 0 {
			continue
		}
		d, err := readTarget(doc, p, t, len(pos), normals != nil)
		if err != nil {
			return err
		}
		w := float32(weights[t])
		addScaled(pos, d.pos, w, 0, len(pos))
		if normals != nil {
			addScaled(normals, d.normals, w, 0, len(normals))
		}
	}
	return nil
}

// morphTarget is one morph target's displacements; either may be nil.
type morphTarget struct{ pos, normals [][3]float32 }

// readTarget reads morph target t of p, for n vertices; its normals only when wanted, and left
// out (not an error) when they cannot be read, as the model's own normals are.
func readTarget(doc *gltf.Document, p *gltf.Primitive, t, n int, normals bool) (morphTarget, error) {
	var d morphTarget
	if a, ok := p.Targets[t][gltf.POSITION]; ok {
		var err error
		if d.pos, err = modeler.ReadPosition(doc, doc.Accessors[a], nil); err != nil {
			return d, fmt.Errorf("morph target %d positions: %w", t, err)
		}
		if len(d.pos) != n {
			return d, fmt.Errorf("morph target %d has %d positions for %d vertices", t, len(d.pos), n)
		}
	}
	if a, ok := p.Targets[t][gltf.NORMAL]; ok && normals {
		if nor, err := modeler.ReadNormal(doc, doc.Accessors[a], nil); err == nil && len(nor) == n {
			d.normals = nor
		}
	}
	return d, nil
}

// addScaled adds w·d to v over vertices [lo, hi); a nil d adds nothing.
func addScaled(v, d [][3]float32, w float32, lo, hi int) {
	if d == nil {
		return
	}
	for i := lo; i < hi; i++ {
		v[i][0] += w * d[i][0]
		v[i][1] += w * d[i][1]
		v[i][2] += w * d[i][2]
	}
}

// skinData is a skin's joints (node indices) and their inverse bind matrices, read once.
type skinData struct {
	joints []int
	ibm    [][16]float64 // identity where the file gives none
}

// readSkin reads skin skinIndex.
func readSkin(doc *gltf.Document, skinIndex int) (*skinData, error) {
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
	sd := &skinData{joints: skin.Joints, ibm: make([][16]float64, len(skin.Joints))}
	for j := range sd.ibm {
		sd.ibm[j] = inspect.Identity
		if j < len(ibm) {
			// qmuntal gives matrices row by row: ibm[j][row][column].
			for c := range 4 {
				for r := range 4 {
					sd.ibm[j][c*4+r] = float64(ibm[j][r][c])
				}
			}
		}
	}
	return sd, nil
}

// matrices writes each joint's world matrix times its inverse bind matrix into out: the pose
// the node transforms put the skin in. world gives a node's world matrix, nil for a node
// outside the scene (drawn as if at the origin).
func (sd *skinData) matrices(world func(node int) *[16]float64, out [][16]float64) {
	for j, node := range sd.joints {
		w := &inspect.Identity
		if node >= 0 {
			if m := world(node); m != nil {
				w = m
			}
		}
		out[j] = inspect.Mul(*w, sd.ibm[j])
	}
}

// skinMatrices returns skin skinIndex's joint matrices in the file's own pose.
func skinMatrices(doc *gltf.Document, skinIndex int, worlds []*[16]float64) ([][16]float64, error) {
	sd, err := readSkin(doc, skinIndex)
	if err != nil {
		return nil, err
	}
	out := make([][16]float64, len(sd.joints))
	sd.matrices(func(n int) *[16]float64 {
		if n < len(worlds) {
			return worlds[n]
		}
		return nil
	}, out)
	return out, nil
}

// readSkinning reads p's JOINTS_0 and WEIGHTS_0 for n vertices; nil for both when it has none.
func readSkinning(doc *gltf.Document, p *gltf.Primitive, n int) ([][4]uint16, [][4]float32, error) {
	ja, ok1 := p.Attributes[gltf.JOINTS_0]
	wa, ok2 := p.Attributes[gltf.WEIGHTS_0]
	if !ok1 || !ok2 {
		return nil, nil, nil
	}
	joints, err := modeler.ReadJoints(doc, doc.Accessors[ja], nil)
	if err != nil {
		return nil, nil, fmt.Errorf("joints: %w", err)
	}
	weights, err := modeler.ReadWeights(doc, doc.Accessors[wa], nil)
	if err != nil {
		return nil, nil, fmt.Errorf("weights: %w", err)
	}
	if len(joints) != n || len(weights) != n {
		return nil, nil, fmt.Errorf("%d joints and %d weights for %d vertices", len(joints), len(weights), n)
	}
	return joints, weights, nil
}

// skinVertices moves positions and normals [lo, hi) by their joints' blended matrices (linear
// blend skinning). Joints past the skin's are left out; a vertex without weight stays put.
func skinVertices(joints [][4]uint16, weights [][4]float32, skin [][16]float64, pos, normals [][3]float32, lo, hi int) {
	if joints == nil {
		return
	}
	for i := lo; i < hi; i++ {
		// Only the affine part is blended: joint matrices are affine (the validator refuses
		// inverse bind matrices that are not), and transform reads no more.
		var m [16]float64
		var total float64
		for k := range 4 {
			j, w := int(joints[i][k]), float64(weights[i][k])
			if w == 0 || j >= len(skin) {
				continue
			}
			total += w
			addAffine(&m, w, &skin[j])
		}
		if total == 0 {
			continue
		}
		if total != 1 {
			addAffine(&m, 1/total-1, &m) // m divided by total
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
}

// addAffine adds w times the affine part of s (its first three rows) to m.
func addAffine(m *[16]float64, w float64, s *[16]float64) {
	m[0], m[1], m[2] = m[0]+w*s[0], m[1]+w*s[1], m[2]+w*s[2]
	m[4], m[5], m[6] = m[4]+w*s[4], m[5]+w*s[5], m[6]+w*s[6]
	m[8], m[9], m[10] = m[8]+w*s[8], m[9]+w*s[9], m[10]+w*s[10]
	m[12], m[13], m[14] = m[12]+w*s[12], m[13]+w*s[13], m[14]+w*s[14]
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
