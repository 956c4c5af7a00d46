package mask

// Parts labels the object's 8-connected parts: part[i] is pixel i's part, numbered from 0 in the
// order of their first pixel, or -1 for background. It also returns each part's size in pixels.
func Parts(m *Mask) (part []int32, sizes []int) {
	ps := label(m, true)
	part = make([]int32, len(m.In))
	for i := range part {
		part[i] = -1
	}
	for _, r := range ps.runs {
		row := part[r.y*m.W : (r.y+1)*m.W]
		for x := r.x0; x < r.x1; x++ {
			row[x] = int32(r.part)
		}
	}
	return part, ps.size
}

// Largest returns a mask of m's largest part alone (the first of equals).
func Largest(m *Mask) *Mask {
	part, sizes := Parts(m)
	keep := -1
	for p, n := range sizes {
		if keep < 0 || n > sizes[keep] {
			keep = p
		}
	}
	out := New(m.W, m.H)
	for i, p := range part {
		out.In[i] = p >= 0 && int(p) == keep
	}
	return out
}
