// Package bake colours a mesh from its reference views: every face takes its texture from the
// view that sees it best, the one it faces most squarely among those that see it unoccluded, with
// UVs into the views' crops in one atlas.
package bake

import (
	"context"
	"fmt"
	"image"
	"math"

	"github.com/kiln3d/kiln/providers/local/mesh"
	"github.com/kiln3d/kiln/providers/local/texture"
	"github.com/kiln3d/kiln/providers/local/work"
)

// View is one reference image as the texture sees it.
type View struct {
	// Dir is the unit vector from the object toward the camera.
	Dir [3]float64
	// Project gives the image position, in pixels, of a model point.
	Project func(p [3]float64) (x, y float64)
	// Box is the object's box in the image: the part of it the depth test covers.
	Box image.Rectangle
	// Place is where the view's crop is in the atlas.
	Place texture.Place
}

// Occlusion test settings. The depth buffers need not be sharp: a face is judged at its centre,
// and only against surfaces clearly in front of it.
const (
	// depthSide caps a depth buffer's longer side, in texels.
	depthSide = 512
	// depthSlack is how far behind the nearest surface a face may be and still count as seen,
	// as a share of the model's largest dimension: more than a texel's worth of depth along a
	// slanted face, less than any gap between parts worth telling apart.
	depthSlack = 0.01
	// minFacing is the least cosine between a face's normal and a camera's direction for the
	// camera to count as seeing the face: grazing views smear the texture.
	minFacing = 0.05
)

// Choose returns, for every triangle, the index of the view that colours it: the largest cosine
// between the face's normal and the view's direction among the views that see it unoccluded. A
// face no view sees from the front (the underside, with no view from below) takes the view facing
// it most squarely from either side, which shows the colours of the surface just opposite.
func Choose(ctx context.Context, pos [][3]float64, indices []uint32, views []View) ([]uint8, error) {
	if len(views) == 0 || len(views) > 255 {
		return nil, fmt.Errorf("bake: %d views", len(views))
	}
	lo, hi := bounds(pos)
	size := math.Max(hi[0]-lo[0], math.Max(hi[1]-lo[1], hi[2]-lo[2]))
	buffers := make([]*depthBuffer, len(views))
	err := work.Each(ctx, len(views), func(v int) error {
		d, err := render(ctx, pos, indices, views[v])
		buffers[v] = d
		return err
	})
	if err != nil {
		return nil, err
	}
	tris := len(indices) / 3
	label := make([]uint8, tris)
	facing := make([]float32, tris*len(views)) // the cosine of each view the face may take, else -2
	err = work.Split(ctx, tris, func(a, b int) error {
		for t := a; t < b; t++ {
			if t%4096 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			p0, p1, p2 := pos[indices[3*t]], pos[indices[3*t+1]], pos[indices[3*t+2]]
			n := normal(p0, p1, p2)
			c := [3]float64{(p0[0] + p1[0] + p2[0]) / 3, (p0[1] + p1[1] + p2[1]) / 3, (p0[2] + p1[2] + p2[2]) / 3}
			best, bestCos := -1, minFacing
			fallback, fallbackCos := 0, -1.0
			for v, view := range views {
				cos := dot(n, view.Dir)
				if math.Abs(cos) > fallbackCos {
					fallback, fallbackCos = v, math.Abs(cos)
				}
				facing[t*len(views)+v] = -2
				if cos > minFacing && buffers[v].sees(view, c, depthSlack*size) {
					facing[t*len(views)+v] = float32(cos)
					if cos > bestCos {
						best, bestCos = v, cos
					}
				}
			}
			if best < 0 {
				best = fallback
			}
			label[t] = uint8(best)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	smooth(indices, label, facing, len(views))
	return label, nil
}

// Seams between views are smoothed: a face whose edge neighbours mostly take another view takes
// it too, when that view sees it and faces it nearly as squarely (within smoothSlack of the
// cosine). Where two views face a rounded edge about equally, the best view flips from face to
// face and the seam between their textures zigzags; this straightens it at no visible cost.
const (
	smoothSlack  = 0.4
	smoothPasses = 4
)

// smooth relabels faces toward their neighbours' view (see smoothSlack). facing holds each
// face's cosine for each view it may take, -2 for the others.
func smooth(indices []uint32, label []uint8, facing []float32, views int) {
	twin := mesh.Twins(indices)
	next := make([]uint8, len(label))
	for pass := 0; pass < smoothPasses; pass++ {
		copy(next, label)
		for t := range label {
			var count [256]uint8
			major := -1
			for e := 0; e < 3; e++ {
				if o := twin[3*t+e]; o >= 0 {
					l := label[o/3]
					count[l]++
					if count[l] >= 2 {
						major = int(l)
					}
				}
			}
			if major < 0 || major == int(label[t]) {
				continue
			}
			own := facing[t*views+int(label[t])]
			if cand := facing[t*views+major]; cand > -2 && cand >= own-smoothSlack {
				next[t] = uint8(major)
			}
		}
		copy(label, next)
	}
}

// Textured builds the model's mesh from the surface and each triangle's view: vertex normals
// from the whole surface, UVs from the views' projections into the atlas. A vertex shared by
// faces of different views is copied once per view, at the same position, so the mesh stays
// closed once welded by position.
func Textured(pos [][3]float64, indices []uint32, label []uint8, views []View) *mesh.Mesh {
	normals := mesh.Normals(pos, indices)
	nv := len(views)
	copyOf := make([]int32, len(pos)*nv)
	for i := range copyOf {
		copyOf[i] = -1
	}
	m := &mesh.Mesh{Indices: make([]uint32, len(indices))}
	for t := range label {
		view := views[label[t]]
		for k := 0; k < 3; k++ {
			v := indices[3*t+k]
			slot := int(v)*nv + int(label[t])
			if copyOf[slot] < 0 {
				copyOf[slot] = int32(len(m.Positions))
				p := pos[v]
				m.Positions = append(m.Positions, [3]float32{float32(p[0]), float32(p[1]), float32(p[2])})
				m.Normals = append(m.Normals, normals[v])
				m.UVs = append(m.UVs, view.Place.UV(view.Project(p)))
			}
			m.Indices[3*t+k] = uint32(copyOf[slot])
		}
	}
	return m
}

func bounds(pos [][3]float64) (lo, hi [3]float64) {
	lo = [3]float64{math.Inf(1), math.Inf(1), math.Inf(1)}
	hi = [3]float64{math.Inf(-1), math.Inf(-1), math.Inf(-1)}
	for _, p := range pos {
		for a := 0; a < 3; a++ {
			lo[a], hi[a] = math.Min(lo[a], p[a]), math.Max(hi[a], p[a])
		}
	}
	return lo, hi
}

func normal(a, b, c [3]float64) [3]float64 {
	u := [3]float64{b[0] - a[0], b[1] - a[1], b[2] - a[2]}
	v := [3]float64{c[0] - a[0], c[1] - a[1], c[2] - a[2]}
	n := [3]float64{u[1]*v[2] - u[2]*v[1], u[2]*v[0] - u[0]*v[2], u[0]*v[1] - u[1]*v[0]}
	l := math.Sqrt(dot(n, n))
	if l == 0 {
		return n
	}
	return [3]float64{n[0] / l, n[1] / l, n[2] / l}
}

func dot(a, b [3]float64) float64 { return a[0]*b[0] + a[1]*b[1] + a[2]*b[2] }
