package mesh

// Unshare gives the back surface its own copies of the rim vertices, for a model whose front and
// back take their colours from different places: the triangles are the same, but those on the
// back use a copy, at the same position, of every rim vertex they touch. It returns the new
// index buffer and, for each copy in order (numbered from len(r.Pos) on), the rim vertex it
// copies. Welded by position the surface is as closed as before.
func (r *Relief) Unshare() (indices []uint32, copied []uint32) {
	indices = make([]uint32, len(r.Indices))
	copy(indices, r.Indices)
	backCopy := make(map[uint32]uint32)
	for t := 0; t+2 < len(indices); t += 3 {
		tri := indices[t : t+3]
		// Every triangle has a corner off the outline (see the builder's fans), which tells its
		// side.
		if r.Side[tri[0]] != Back && r.Side[tri[1]] != Back && r.Side[tri[2]] != Back {
			continue
		}
		for e, v := range tri {
			if r.Side[v] != Rim {
				continue
			}
			c, ok := backCopy[v]
			if !ok {
				c = uint32(len(r.Pos) + len(copied))
				copied = append(copied, v)
				backCopy[v] = c
			}
			tri[e] = c
		}
	}
	return indices, copied
}
