package local

import (
	"image"
	"math"

	"github.com/kiln3d/kiln/providers/local/field"
	"github.com/kiln3d/kiln/providers/local/mesh"
	"github.com/kiln3d/kiln/providers/local/texture"
)

// uvMap gives the texture coordinates of a surface point from its position in the front image.
type uvMap func(x, y float64) [2]float32

// place turns a relief in image pixels into the model in glTF's frame: +Y up, metres, the front
// facing +Z with image right along +X. The object is 1 m tall, stands on y = 0 and is centred on
// the origin in x and z. Scale and offsets come from the vertices themselves, so these hold
// exactly whatever the lattice did to the outline's extreme points.
//
// Normals are computed on the closed mesh, where front and back share the outline, so outline
// vertices get in-plane normals facing out. When the back has its own picture (seam), the back's
// triangles then get their own copies of the outline vertices with the back's UVs: the mesh stays
// closed once vertices are welded by position (see Relief.Unshare). Without a seam the mesh
// takes over r's index slice.
//
// A vertex the camera sees edge-on (the rounded sides near the outline) takes the UV of the
// nearest well-seen point inside, found on the outline's distance field f (see field.Look): its
// own position would stretch the outline's pixels into streaks down the sides.
func place(r *mesh.Relief, f *field.Field, frontUV, backUV uvMap, seam bool) *mesh.Mesh {
	world := toModel(r.Pos)
	normals := mesh.Normals(world, r.Indices)
	for i, n := range normals {
		// The surface leaves the outline square to the mid-plane (see mesh.RoundRings), so an
		// outline vertex faces straight out; front and back, triangulated a little differently
		// by their flips, would otherwise tilt it a hair.
		if l := math.Hypot(float64(n[0]), float64(n[1])); r.Side[i] == mesh.Rim && l > 1e-6 {
			normals[i] = [3]float32{float32(float64(n[0]) / l), float32(float64(n[1]) / l), 0}
		}
	}

	n := len(r.Pos)
	m := &mesh.Mesh{
		Positions: make([][3]float32, n, n+n/8),
		Normals:   normals,
		UVs:       make([][2]float32, n, n+n/8),
		Indices:   r.Indices,
	}
	// Where a ball the size of the largest inscribed disc turns 75° from the view.
	inset := f.MaxDist * (1 - math.Sqrt(1-field.EdgeOn*field.EdgeOn))
	look := make([][2]float64, n)
	for i, p := range world {
		m.Positions[i] = [3]float32{float32(p[0]), float32(p[1]), float32(p[2])}
		// Normals are unit vectors in the model's frame, whose z is the image's, uniformly scaled.
		x, y := f.Look(r.Pos[i][0], r.Pos[i][1], float64(normals[i][2]), inset)
		look[i] = [2]float64{x, y}
		if r.Side[i] == mesh.Back {
			m.UVs[i] = backUV(x, y)
		} else {
			m.UVs[i] = frontUV(x, y)
		}
	}
	if !seam {
		return m
	}
	indices, copied := r.Unshare()
	m.Indices = indices
	for _, v := range copied {
		m.Positions = append(m.Positions, m.Positions[v])
		m.Normals = append(m.Normals, m.Normals[v])
		m.UVs = append(m.UVs, backUV(look[v][0], look[v][1]))
	}
	return m
}

// toModel takes points in image pixels (y down, z towards the camera) to glTF's frame: +Y up,
// 1 unit tall from y = 0, centred in x. Scale and offsets come from the points themselves, so
// these hold exactly whatever the lattice did to the outline's extreme points.
func toModel(pos [][3]float64) [][3]float64 {
	minX, maxX := math.Inf(1), math.Inf(-1)
	minY, maxY := math.Inf(1), math.Inf(-1)
	for _, p := range pos {
		minX, maxX = math.Min(minX, p[0]), math.Max(maxX, p[0])
		minY, maxY = math.Min(minY, p[1]), math.Max(maxY, p[1])
	}
	k := 1 / (maxY - minY)
	cx := (minX + maxX) / 2
	world := make([][3]float64, len(pos))
	for i, p := range pos {
		world[i] = [3]float64{(p[0] - cx) * k, (maxY - p[1]) * k, p[2] * k}
	}
	return world
}

// mirrored maps front-image positions to the back photo's texture: the back photo sees the object
// from behind, so its left is the front's right. The two are aligned by their objects' bounding
// boxes, which are the same silhouette mirrored.
func mirrored(front, back image.Rectangle, p texture.Place) uvMap {
	sx := float64(back.Dx()) / float64(front.Dx())
	sy := float64(back.Dy()) / float64(front.Dy())
	return func(x, y float64) [2]float32 {
		return p.UV(float64(back.Max.X)-(x-float64(front.Min.X))*sx, float64(back.Min.Y)+(y-float64(front.Min.Y))*sy)
	}
}
