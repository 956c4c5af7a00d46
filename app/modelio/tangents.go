package modelio

import (
	"fmt"
	"math"

	"github.com/qmuntal/gltf"
	"github.com/qmuntal/gltf/modeler"
)

// tangentSource is what a primitive's tangents are computed from; primitives that share all of
// it share one TANGENT accessor.
type tangentSource struct {
	position, normal, uv, indices int
	mode                          gltf.PrimitiveMode
}

// AddTangents gives a TANGENT accessor to every triangle primitive that has none but has a NORMAL
// and the UV set its normal map reads (TEXCOORD_0 without a normal map), and returns how many
// primitives got one. Tangents point along +u of that set, are unit length and orthogonal to the
// normal, and w = ±1 makes cross(normal, tangent)·w point along −v, glTF's bitangent (its v runs
// down the image; a normal map's green runs up). Nothing is written unless every primitive's
// tangents could be made.
func (m *Model) AddTangents() (int, error) {
	type target struct {
		p   *gltf.Primitive
		src tangentSource
	}
	var targets []target
	made := map[tangentSource][][4]float32{}
	for mi, mesh := range m.Doc.Meshes {
		for pi, p := range mesh.Primitives {
			src, ok := tangentSourceOf(m.Doc, p)
			if !ok {
				continue
			}
			targets = append(targets, target{p, src})
			if _, done := made[src]; done {
				continue
			}
			t, err := m.primitiveTangents(p, src)
			if err != nil {
				return 0, fmt.Errorf("modelio: tangents for %s: %w", primitiveLabel(m.Doc, mi, pi), err)
			}
			made[src] = t
		}
	}
	written := map[tangentSource]int{}
	for _, t := range targets {
		acc, done := written[t.src]
		if !done {
			acc = modeler.WriteTangent(m.Doc, made[t.src])
			written[t.src] = acc
		}
		t.p.Attributes[gltf.TANGENT] = acc
	}
	return len(targets), nil
}

// tangentSourceOf says whether a primitive wants tangents and has what they are made from.
func tangentSourceOf(doc *gltf.Document, p *gltf.Primitive) (tangentSource, bool) {
	if !drawsTriangles(p.Mode) {
		return tangentSource{}, false
	}
	if _, has := p.Attributes[gltf.TANGENT]; has {
		return tangentSource{}, false
	}
	set, _ := normalMapUV(doc, p)
	pos, okP := p.Attributes[gltf.POSITION]
	nrm, okN := p.Attributes[gltf.NORMAL]
	uv, okUV := p.Attributes[fmt.Sprintf("TEXCOORD_%d", set)]
	if !okP || !okN || !okUV {
		return tangentSource{}, false
	}
	src := tangentSource{position: pos, normal: nrm, uv: uv, indices: -1, mode: p.Mode}
	if p.Indices != nil {
		src.indices = *p.Indices
	}
	return src, true
}

// primitiveTangents reads what a primitive's tangents are made from and makes them.
func (m *Model) primitiveTangents(p *gltf.Primitive, src tangentSource) ([][4]float32, error) {
	pos, err := modeler.ReadPosition(m.Doc, m.Doc.Accessors[src.position], nil)
	if err != nil {
		return nil, fmt.Errorf("positions: %w", err)
	}
	nrm, err := modeler.ReadNormal(m.Doc, m.Doc.Accessors[src.normal], nil)
	if err != nil {
		return nil, fmt.Errorf("normals: %w", err)
	}
	uv, err := modeler.ReadTextureCoord(m.Doc, m.Doc.Accessors[src.uv], nil)
	if err != nil {
		return nil, fmt.Errorf("texture coordinates: %w", err)
	}
	if len(nrm) != len(pos) || len(uv) != len(pos) {
		return nil, fmt.Errorf("%d positions, %d normals and %d texture coordinates", len(pos), len(nrm), len(uv))
	}
	corners, err := triangleCorners(m.Doc, p, len(pos))
	if err != nil {
		return nil, err
	}
	return computeTangents(pos, nrm, uv, corners), nil
}

// tangentSum gathers, for one vertex and one handedness, its triangles' tangents weighted by the
// angle of the triangle's corner at the vertex.
type tangentSum struct {
	t      [3]float64
	weight float64
}

// computeTangents makes per-vertex tangents the way MikkTSpace does, short of splitting
// vertices: each triangle's direction of +u is projected onto the plane of each corner's normal
// and added to the vertex weighted by the corner's angle, kept apart by handedness so that
// mirrored UVs meeting at a vertex do not cancel; the vertex takes the handedness with the most
// weight (the other if that sum cancels out). A vertex whose triangles give no direction (UVs
// collapsed to a point or a line) gets some unit vector orthogonal to its normal.
func computeTangents(pos, nrm [][3]float32, uv [][2]float32, corners []uint32) [][4]float32 {
	// sums[2v] holds right-handed triangles (w = +1), sums[2v+1] left-handed ones.
	sums := make([]tangentSum, 2*len(pos))
	unit := make([][3]float64, len(nrm))
	for i, n := range nrm {
		unit[i] = unit64([3]float64{float64(n[0]), float64(n[1]), float64(n[2])})
	}
	for t := 0; t+2 < len(corners); t += 3 {
		tri := [3]uint32{corners[t], corners[t+1], corners[t+2]}
		e1, e2 := sub64(pos[tri[1]], pos[tri[0]]), sub64(pos[tri[2]], pos[tri[0]])
		du1 := float64(uv[tri[1]][0]) - float64(uv[tri[0]][0])
		dv1 := float64(uv[tri[1]][1]) - float64(uv[tri[0]][1])
		du2 := float64(uv[tri[2]][0]) - float64(uv[tri[0]][0])
		dv2 := float64(uv[tri[2]][1]) - float64(uv[tri[0]][1])
		r := du1*dv2 - du2*dv1
		if r == 0 {
			continue
		}
		// dP/du and dP/dv up to the positive factor 1/|r|, which normalising drops.
		s := math.Copysign(1, r)
		dPdu := [3]float64{s * (e1[0]*dv2 - e2[0]*dv1), s * (e1[1]*dv2 - e2[1]*dv1), s * (e1[2]*dv2 - e2[2]*dv1)}
		dPdv := [3]float64{s * (e2[0]*du1 - e1[0]*du2), s * (e2[1]*du1 - e1[1]*du2), s * (e2[2]*du1 - e1[2]*du2)}
		for c, v := range tri {
			angle := cornerAngle(pos[v], pos[tri[(c+1)%3]], pos[tri[(c+2)%3]])
			if angle == 0 {
				continue
			}
			n := unit[v]
			tan := unit64(reject64(dPdu, n))
			if tan == ([3]float64{}) {
				continue
			}
			k := 2 * int(v)
			if dot64(cross64(n, tan), dPdv) > 0 {
				// cross(n, t) runs along +v, against glTF's bitangent: left-handed.
				k++
			}
			sums[k].t = [3]float64{sums[k].t[0] + angle*tan[0], sums[k].t[1] + angle*tan[1], sums[k].t[2] + angle*tan[2]}
			sums[k].weight += angle
		}
	}
	out := make([][4]float32, len(pos))
	for v := range pos {
		right, left := sums[2*v], sums[2*v+1]
		pick, w := right, float32(1)
		if left.weight > right.weight {
			pick, w = left, -1
		}
		tan := unit64(reject64(pick.t, unit[v]))
		if tan == ([3]float64{}) {
			other := left
			if w < 0 {
				other = right
			}
			tan, w = unit64(reject64(other.t, unit[v])), -w
		}
		if tan == ([3]float64{}) {
			tan, w = anyOrthogonal(unit[v]), 1
		}
		out[v] = unitFloat32(tan, w)
	}
	return out
}

// cornerAngle is the angle at corner a of the triangle abc, 0 when an edge from a has no length.
func cornerAngle(a, b, c [3]float32) float64 {
	u, v := unit64(sub64(b, a)), unit64(sub64(c, a))
	if u == ([3]float64{}) || v == ([3]float64{}) {
		return 0
	}
	return math.Acos(max(-1, min(1, dot64(u, v))))
}

// reject64 removes from v its part along the unit vector n (Gram-Schmidt).
func reject64(v, n [3]float64) [3]float64 {
	d := dot64(v, n)
	return [3]float64{v[0] - d*n[0], v[1] - d*n[1], v[2] - d*n[2]}
}

// unit64 scales v to unit length; a zero, tiny or non-finite v gives the zero vector.
func unit64(v [3]float64) [3]float64 {
	l := math.Sqrt(dot64(v, v))
	if !(l > 1e-30) || math.IsInf(l, 0) {
		return [3]float64{}
	}
	return [3]float64{v[0] / l, v[1] / l, v[2] / l}
}

// anyOrthogonal is a unit vector orthogonal to the unit vector n: the axis least along n with
// n's part taken out. For a zero n it is +X.
func anyOrthogonal(n [3]float64) [3]float64 {
	axis := [3]float64{1, 0, 0}
	if math.Abs(n[1]) < math.Abs(n[0]) && math.Abs(n[1]) <= math.Abs(n[2]) {
		axis = [3]float64{0, 1, 0}
	} else if math.Abs(n[2]) < math.Abs(n[0]) && math.Abs(n[2]) < math.Abs(n[1]) {
		axis = [3]float64{0, 0, 1}
	}
	if t := unit64(reject64(axis, n)); t != ([3]float64{}) {
		return t
	}
	return [3]float64{1, 0, 0}
}

// unitFloat32 rounds a unit vector to float32 and normalises it again there, so that the stored
// vector's length is 1 to float32 precision; w is stored exactly.
func unitFloat32(t [3]float64, w float32) [4]float32 {
	x, y, z := float32(t[0]), float32(t[1]), float32(t[2])
	l := math.Sqrt(float64(x)*float64(x) + float64(y)*float64(y) + float64(z)*float64(z))
	return [4]float32{float32(float64(x) / l), float32(float64(y) / l), float32(float64(z) / l), w}
}
