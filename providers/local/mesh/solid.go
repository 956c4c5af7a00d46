package mesh

// Solid is a closed surface built from one image (a Turned or Flat shape), in image space like a
// Relief: X and Y in the image's pixels (y down), Z towards the camera that took the image, in
// pixels. Every vertex also says where its colour comes from, so that the surface is textured
// from the image without smearing: a vertex the camera sees takes the point it is seen at; one it
// cannot see (a side seen edge-on, the back) takes the nearest point along the surface that it
// does see, mirrored for the back.
//
// Where neighbouring triangles take their colour from different places (the seam between front
// and back), each side has its own copy of the vertex at the same position: welded by position,
// the surface is closed and manifold.
type Solid struct {
	Pos     [][3]float64
	Indices []uint32
	// Look is, for each vertex, the image point (in pixels) whose colour it takes.
	Look [][2]float64
	// Back marks vertices coloured from the far side: from the back photo when one is given (Look
	// is then mirrored into it), else the front image seen through the object.
	Back []bool
}

// Triangles is the number of triangles.
func (s *Solid) Triangles() int { return len(s.Indices) / 3 }
