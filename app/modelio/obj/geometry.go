package obj

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"

	"github.com/qmuntal/gltf"
	"github.com/qmuntal/gltf/modeler"

	"github.com/kiln3d/kiln/app/modelio"
	"github.com/kiln3d/kiln/providers/geom/gltfdoc"
)

// checkEvery is how many vertices or faces are written between two looks at the context: often
// enough that a cancel stops a million-triangle model at once, rarely enough to cost nothing.
const checkEvery = 1 << 14

// geometry writes the .obj: every drawn primitive baked into world space.
type geometry struct {
	ctx   context.Context
	doc   *gltf.Document
	zUp   bool
	scale float64
	// materials names each glTF material in the .mtl; fallback is for primitives without one.
	materials []string
	fallback  string

	w    *bufio.Writer
	line []byte
	// nv, nvt and nvn count the v, vt and vn lines written so far: OBJ's indices are global.
	nv, nvt, nvn int
	// Scratch space reused from one primitive to the next.
	pos, nrm [][3]float32
	uv       [][2]float32
	idx      []uint32
	remap    []int32
	sparse   bool
}

func (g *geometry) write(w io.Writer, mtlName string, draws []modelio.Draw) error {
	g.w = bufio.NewWriterSize(w, 1<<16)
	g.line = make([]byte, 0, 256)
	g.put("# Written by Kiln. 1 unit = " + strconv.FormatFloat(1/g.scale, 'g', -1, 64) + " m, ")
	if g.zUp {
		g.put("+Z up.\n")
	} else {
		g.put("+Y up.\n")
	}
	g.put("mtllib " + mtlName + "\n")
	names := nodeNames(g.doc, draws)
	for i, d := range draws {
		if err := g.draw(d, names[i]); err != nil {
			return err
		}
	}
	return g.w.Flush()
}

// draw writes one node's mesh as its own object, in world space.
func (g *geometry) draw(d modelio.Draw, name string) error {
	g.put("o " + name + "\ng " + name + "\n")
	normals, mirrored := normalMatrix(d.World)
	for pi, p := range g.doc.Meshes[d.Mesh].Primitives {
		if err := g.ctx.Err(); err != nil {
			return err
		}
		if err := g.primitive(d, p, normals, mirrored); err != nil {
			return fmt.Errorf("node %q, mesh %d, primitive %d: %w", name, d.Mesh, pi, err)
		}
	}
	return nil
}

func (g *geometry) primitive(d modelio.Draw, p *gltf.Primitive, normals [9]float64, mirrored bool) error {
	switch p.Mode {
	case gltf.PrimitiveTriangles, gltf.PrimitiveTriangleStrip, gltf.PrimitiveTriangleFan:
	default:
		return nil // points and lines: OBJ's l and p elements import as loose edges, if at all
	}
	if _, ok := p.Attributes[gltf.POSITION]; !ok {
		return nil
	}
	mat, set := g.fallback, 0
	if p.Material != nil && *p.Material >= 0 && *p.Material < len(g.materials) {
		mat, set = g.materials[*p.Material], uvSet(g.doc.Materials[*p.Material])
	}
	hasNormals, hasUV, err := g.read(p, set)
	if err != nil {
		return err
	}
	used := g.compact()

	g.put("usemtl " + mat + "\n")
	// glTF draws a primitive without normals flat; one with normals as they say, which
	// Blender applies only to smooth faces.
	if hasNormals {
		g.put("s 1\n")
	} else {
		g.put("s off\n")
	}
	for i, v := range g.pos {
		if i%checkEvery == 0 {
			if err := g.ctx.Err(); err != nil {
				return err
			}
		}
		if g.sparse && g.remap[i] < 0 {
			continue
		}
		w := g.axes(modelio.Apply(d.World, v))
		g.vec3("v ", w[0]*g.scale, w[1]*g.scale, w[2]*g.scale)
	}
	if hasUV {
		for i, t := range g.uv {
			if g.sparse && g.remap[i] < 0 {
				continue
			}
			// glTF's UV origin is the image's top left, OBJ's its bottom left.
			g.line = append(g.line[:0], "vt "...)
			g.line = appendFloat(g.line, float64(t[0]))
			g.line = append(g.line, ' ')
			g.line = appendFloat(g.line, 1-float64(t[1]))
			g.line = append(g.line, '\n')
			g.putLine()
		}
	}
	if hasNormals {
		for i, v := range g.nrm {
			if g.sparse && g.remap[i] < 0 {
				continue
			}
			w := g.axes(transformNormal(normals, v))
			g.vec3("vn ", w[0], w[1], w[2])
		}
	}
	if err := g.faces(p.Mode, mirrored, hasUV, hasNormals); err != nil {
		return err
	}
	g.nv += used
	if hasUV {
		g.nvt += used
	}
	if hasNormals {
		g.nvn += used
	}
	return nil
}

// read reads a primitive's positions, normals if it has them, the UV set given (else set 0) if
// it has it, and its indices (0…n−1 when it has none) into the scratch buffers.
func (g *geometry) read(p *gltf.Primitive, set int) (hasNormals, hasUV bool, err error) {
	acc, err := g.accessor(p.Attributes[gltf.POSITION])
	if err != nil {
		return false, false, err
	}
	if g.pos, err = modeler.ReadPosition(g.doc, acc, g.pos[:0]); err != nil {
		return false, false, fmt.Errorf("positions: %w", err)
	}
	n := len(g.pos)
	if a, ok := p.Attributes[gltf.NORMAL]; ok {
		if acc, err = g.accessor(a); err != nil {
			return false, false, err
		}
		if g.nrm, err = modeler.ReadNormal(g.doc, acc, g.nrm[:0]); err != nil {
			return false, false, fmt.Errorf("normals: %w", err)
		}
		if len(g.nrm) != n {
			return false, false, fmt.Errorf("%d normals for %d positions", len(g.nrm), n)
		}
		hasNormals = true
	}
	a, ok := p.Attributes[fmt.Sprintf("TEXCOORD_%d", set)]
	if !ok {
		a, ok = p.Attributes[gltf.TEXCOORD_0]
	}
	if ok {
		if acc, err = g.accessor(a); err != nil {
			return false, false, err
		}
		if g.uv, err = modeler.ReadTextureCoord(g.doc, acc, g.uv[:0]); err != nil {
			return false, false, fmt.Errorf("texture coordinates: %w", err)
		}
		if len(g.uv) != n {
			return false, false, fmt.Errorf("%d texture coordinates for %d positions", len(g.uv), n)
		}
		hasUV = true
	}
	g.idx = g.idx[:0]
	if p.Indices == nil {
		for i := range n {
			g.idx = append(g.idx, uint32(i))
		}
		return hasNormals, hasUV, nil
	}
	if acc, err = g.accessor(*p.Indices); err != nil {
		return false, false, err
	}
	if g.idx, err = modeler.ReadIndices(g.doc, acc, g.idx); err != nil {
		return false, false, fmt.Errorf("indices: %w", err)
	}
	for _, i := range g.idx {
		if int(i) >= n {
			return false, false, fmt.Errorf("index %d past the %d vertices", i, n)
		}
	}
	return hasNormals, hasUV, nil
}

// compact leaves out the vertices no index uses, as when the primitives of a mesh each index a
// part of one shared accessor. When some are unused, g.sparse is set, g.remap gives each vertex
// its place among those written (−1 for one left out) and the indices are rewritten to match.
// It returns the number of vertices to write.
func (g *geometry) compact() int {
	n := len(g.pos)
	g.remap = slices.Grow(g.remap[:0], n)[:n]
	for i := range g.remap {
		g.remap[i] = -1
	}
	for _, i := range g.idx {
		g.remap[i] = 0
	}
	used := 0
	for i, r := range g.remap {
		if r == 0 {
			g.remap[i] = int32(used)
			used++
		}
	}
	g.sparse = used < n
	if !g.sparse {
		return n
	}
	for k, i := range g.idx {
		g.idx[k] = uint32(g.remap[i])
	}
	return used
}

// accessor returns accessor i, or an error naming it when the document has none such.
func (g *geometry) accessor(i int) (*gltf.Accessor, error) {
	if i < 0 || i >= len(g.doc.Accessors) || g.doc.Accessors[i] == nil {
		return nil, fmt.Errorf("accessor %d does not exist", i)
	}
	return g.doc.Accessors[i], nil
}

// faces writes the primitive's triangles, strips and fans unrolled as glTF defines them, each
// corner giving the same index to v, vt and vn (offset by what earlier primitives wrote).
func (g *geometry) faces(mode gltf.PrimitiveMode, mirrored, hasUV, hasNormals bool) error {
	// Strips and fans unrolled as glTF defines them, every triangle facing one way.
	tris := gltfdoc.Triangles(mode, g.idx)
	for t := range len(tris) / 3 {
		if t%checkEvery == 0 {
			if err := g.ctx.Err(); err != nil {
				return err
			}
		}
		a, b, c := tris[3*t], tris[3*t+1], tris[3*t+2]
		if mirrored {
			// A mirroring node turns the triangles inside out: reversing the corners keeps
			// them facing out, where the normals point.
			b, c = c, b
		}
		g.line = append(g.line[:0], 'f')
		for _, i := range [3]uint32{a, b, c} {
			g.line = append(g.line, ' ')
			g.line = strconv.AppendInt(g.line, int64(g.nv)+int64(i)+1, 10)
			switch {
			case hasUV && hasNormals:
				g.line = append(g.line, '/')
				g.line = strconv.AppendInt(g.line, int64(g.nvt)+int64(i)+1, 10)
				g.line = append(g.line, '/')
				g.line = strconv.AppendInt(g.line, int64(g.nvn)+int64(i)+1, 10)
			case hasUV:
				g.line = append(g.line, '/')
				g.line = strconv.AppendInt(g.line, int64(g.nvt)+int64(i)+1, 10)
			case hasNormals:
				g.line = append(g.line, '/', '/')
				g.line = strconv.AppendInt(g.line, int64(g.nvn)+int64(i)+1, 10)
			}
		}
		g.line = append(g.line, '\n')
		if _, err := g.w.Write(g.line); err != nil {
			return err // a full disk stops the longest part at once
		}
	}
	return nil
}

// axes turns glTF's axes into the ones written: with Z up, (x, y, z) becomes (x, −z, y), a
// rotation (so no winding changes) that stands +Y up as +Z and turns the front (+Z) to −Y.
func (g *geometry) axes(v [3]float64) [3]float64 {
	if g.zUp {
		return [3]float64{v[0], -v[2], v[1]}
	}
	return v
}

func (g *geometry) vec3(key string, x, y, z float64) {
	g.line = append(g.line[:0], key...)
	g.line = appendFloat(g.line, x)
	g.line = append(g.line, ' ')
	g.line = appendFloat(g.line, y)
	g.line = append(g.line, ' ')
	g.line = appendFloat(g.line, z)
	g.line = append(g.line, '\n')
	g.putLine()
}

// put and putLine write to the buffered file, which keeps the first error and returns it from
// every later call: it is checked by each face line and by the final Flush.
func (g *geometry) put(s string) { _, _ = g.w.WriteString(s) }

func (g *geometry) putLine() { _, _ = g.w.Write(g.line) }

// appendFloat writes x with 7 significant digits, float32's precision, which the positions and
// normals were read at; zero is written "0", never "-0".
func appendFloat(b []byte, x float64) []byte {
	if x == 0 {
		return append(b, '0')
	}
	return strconv.AppendFloat(b, x, 'g', 7, 64)
}

// normalMatrix returns the inverse transpose of w's upper 3×3, which carries normals (row-major),
// and whether w mirrors (a negative determinant). It is computed once per node rather than once
// per vertex. A singular matrix (a node scaled flat) gives its cofactor matrix instead: the
// normals of a flattened mesh still point off its plane.
func normalMatrix(w [16]float64) (n [9]float64, mirrored bool) {
	a, b, c := w[0], w[4], w[8]
	d, e, f := w[1], w[5], w[9]
	gg, h, i := w[2], w[6], w[10]
	// The cofactor matrix is the inverse transpose scaled by the determinant.
	co := [9]float64{
		e*i - f*h, f*gg - d*i, d*h - e*gg,
		c*h - b*i, a*i - c*gg, b*gg - a*h,
		b*f - c*e, c*d - a*f, a*e - b*d,
	}
	det := a*co[0] + b*co[1] + c*co[2]
	if det == 0 || math.IsNaN(det) || math.IsInf(det, 0) {
		return co, false
	}
	for k := range co {
		co[k] /= det
	}
	return co, det < 0
}

// transformNormal applies a normal matrix and normalises; a normal it cannot carry (zero, or
// flattened away) is left as it was.
func transformNormal(m [9]float64, v [3]float32) [3]float64 {
	x, y, z := float64(v[0]), float64(v[1]), float64(v[2])
	r := [3]float64{m[0]*x + m[1]*y + m[2]*z, m[3]*x + m[4]*y + m[5]*z, m[6]*x + m[7]*y + m[8]*z}
	l := math.Sqrt(r[0]*r[0] + r[1]*r[1] + r[2]*r[2])
	if l == 0 || math.IsNaN(l) || math.IsInf(l, 0) {
		return [3]float64{x, y, z}
	}
	return [3]float64{r[0] / l, r[1] / l, r[2] / l}
}

// uvSet is the TEXCOORD set the material's textures read: the base colour texture's, else the
// normal or emissive texture's. OBJ holds one set.
func uvSet(m *gltf.Material) int {
	if m == nil {
		return 0
	}
	if pbr := m.PBRMetallicRoughness; pbr != nil && pbr.BaseColorTexture != nil {
		return pbr.BaseColorTexture.TexCoord
	}
	if m.NormalTexture != nil && m.NormalTexture.Index != nil {
		return m.NormalTexture.TexCoord
	}
	if m.EmissiveTexture != nil {
		return m.EmissiveTexture.TexCoord
	}
	return 0
}

// nodeNames names each draw's object after its node: spaces and other characters OBJ readers
// split on become '_', an unnamed node is node_<index>, and a name taken gets _2, _3…
func nodeNames(doc *gltf.Document, draws []modelio.Draw) []string {
	u := newUniquer()
	out := make([]string, len(draws))
	for i, d := range draws {
		out[i] = u.name(safeName(doc.Nodes[d.Node].Name), fmt.Sprintf("node_%d", d.Node))
	}
	return out
}
