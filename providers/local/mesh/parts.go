package mesh

// TriangleParts labels the connected pieces the triangles of indices form over n vertices
// (triangles sharing a vertex belong together): part[t] is triangle t's piece, numbered from 0 in
// the order of their first triangle. It also returns the number of pieces.
func TriangleParts(n int, indices []uint32) (part []int32, count int) {
	parent := make([]int32, n)
	for i := range parent {
		parent[i] = int32(i)
	}
	find := func(i int32) int32 {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	for t := 0; t+2 < len(indices); t += 3 {
		a := find(int32(indices[t]))
		for e := 1; e < 3; e++ {
			if b := find(int32(indices[t+e])); a != b {
				parent[max(a, b)] = min(a, b)
				a = min(a, b)
			}
		}
	}
	id := make([]int32, n)
	for i := range id {
		id[i] = -1
	}
	part = make([]int32, len(indices)/3)
	for t := range part {
		r := find(int32(indices[3*t]))
		if id[r] < 0 {
			id[r] = int32(count)
			count++
		}
		part[t] = id[r]
	}
	return part, count
}

// Split returns one mesh per part (see TriangleParts), each with only the vertices its
// triangles use, in their original order.
func (m *Mesh) Split(part []int32, count int) []*Mesh {
	if count <= 1 {
		return []*Mesh{m}
	}
	out := make([]*Mesh, count)
	for k := range out {
		out[k] = &Mesh{}
	}
	where := make([]int32, len(m.Positions)) // the vertex's index in its part, plus one
	for t, k := range part {
		o := out[k]
		for c := 0; c < 3; c++ {
			v := m.Indices[3*t+c]
			if where[v] == 0 {
				o.Positions = append(o.Positions, m.Positions[v])
				o.Normals = append(o.Normals, m.Normals[v])
				o.UVs = append(o.UVs, m.UVs[v])
				where[v] = int32(len(o.Positions))
			}
			o.Indices = append(o.Indices, uint32(where[v]-1))
		}
	}
	return out
}
