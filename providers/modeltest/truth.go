package modeltest

import (
	"fmt"
	"image"
	"image/color"
	"io"
	"math"
	"runtime"
	"slices"
	"sync"

	"github.com/qmuntal/gltf"
	"github.com/qmuntal/gltf/modeler"

	"github.com/kiln3d/kiln/providers/atomicfile"
)

// The known shapes a generator's output is judged against: each is finely tessellated (over 50k
// triangles) with every vertex exactly on the analytic surface, closed once vertices are welded by
// position, in glTF axes (+Y up, the front facing +Z), 1 unit tall, standing on y = 0 and centred
// on the Y axis. A coarse truth would itself be a few tenths of a percent from the shape it
// stands for, which is the size of the errors the fidelity targets ask about.

// around is how many segments a solid of revolution has around its axis: a chord of 256 sides
// strays 0.008% of the radius from the circle.
const around = 256

// TruthNames lists the shapes Truth makes, in the order reports show them.
func TruthNames() []string { return []string{"cylinder", "sphere", "cone", "vase", "torus"} }

// Truth makes the known shape called name (one of TruthNames). Its Doc is nil: the model was
// never a file; WriteGLB makes one.
func Truth(name string) (*Model, error) {
	switch name {
	case "cylinder":
		// Radius 0.3: as wide as the vase's belly, so that one image of either fills the frame alike.
		const r = 0.3
		return revolve(
			profile{line(0, 0, r, 0), 24},
			profile{line(r, 0, r, 1), 80},
			profile{line(r, 1, 0, 1), 24},
		), nil
	case "sphere":
		return revolve(profile{func(t float64) (float64, float64) {
			a := math.Pi * (t - 0.5)
			return 0.5 * math.Cos(a), 0.5 + 0.5*math.Sin(a)
		}, 128}), nil
	case "cone":
		const r = 0.4
		return revolve(
			profile{line(0, 0, r, 0), 32},
			profile{line(r, 0, 0, 1), 100},
		), nil
	case "vase":
		bottom, top := vaseRadius(0), vaseRadius(1)
		return revolve(
			profile{line(0, 0, bottom, 0), 20},
			profile{func(t float64) (float64, float64) { return vaseRadius(t), t }, 120},
			profile{line(top, 1, 0, 1), 16},
		), nil
	case "torus":
		return torus(0.36, 0.14, 320, 96), nil
	}
	return nil, fmt.Errorf("modeltest: no truth called %q (there are %v)", name, TruthNames())
}

// vaseRadius is the vase's radius at height y in [0, 1]: between knots the radius eases along half
// a cosine wave, so the profile is smooth (its slope is continuous, and level at every knot, which
// makes each knot an exact widest or narrowest point).
func vaseRadius(y float64) float64 {
	// By height: the foot, the waist above it, the belly, the neck and the lip.
	vaseKnots := [...][2]float64{{0, 0.22}, {0.06, 0.19}, {0.38, 0.36}, {0.80, 0.12}, {1, 0.17}}
	for i := 1; i < len(vaseKnots); i++ {
		a, b := vaseKnots[i-1], vaseKnots[i]
		if y <= b[0] || i == len(vaseKnots)-1 {
			u := math.Min(1, math.Max(0, (y-a[0])/(b[0]-a[0])))
			return a[1] + (b[1]-a[1])*(1-math.Cos(math.Pi*u))/2
		}
	}
	return vaseKnots[0][1]
}

// profile is one smooth piece of a solid of revolution's outline: at t in [0, 1] the radius and
// height, sampled at n evenly spaced t. Where two pieces meet, the outline may turn a corner (the
// rim of a cylinder): each piece has vertices of its own there, so that the corner's normals
// stay sharp, at the same positions as its neighbour's.
type profile struct {
	at func(t float64) (r, y float64)
	n  int
}

// line is the straight piece from (r0, y0) to (r1, y1).
func line(r0, y0, r1, y1 float64) func(float64) (float64, float64) {
	return func(t float64) (float64, float64) { return r0 + (r1-r0)*t, y0 + (y1-y0)*t }
}

// revolve turns the outline pieces, which run from the axis at the bottom to the axis at the top,
// around the Y axis. A point of the outline on the axis is a pole: rather than one vertex with
// one normal, each segment around has its own vertex there, so that a cone's tip keeps the
// normals of the faces that meet at it.
func revolve(pieces ...profile) *Model {
	m := &Model{}
	for _, pc := range pieces {
		// rings[i] is the first of sample i's around vertices: at angles j·2π/around, or for a
		// pole at the half steps between, one for each triangle of the fan around it.
		rings := make([]int, pc.n)
		poles := make([]bool, pc.n)
		for i := range pc.n {
			t := float64(i) / float64(pc.n-1)
			r, y := pc.at(t)
			nr, ny := outlineNormal(pc.at, t)
			rings[i] = len(m.Positions)
			// cos(π/2) is 6e-17, not 0: an outline reaching the axis through trigonometry
			// reaches it within rounding.
			if poles[i] = r < 1e-12; poles[i] {
				r = 0
			}
			for j := range around {
				a := 2 * math.Pi * float64(j) / around
				if poles[i] {
					a += math.Pi / around
				}
				s, c := math.Sincos(a)
				m.Positions = append(m.Positions, [3]float64{r * s, y, r * c})
				m.Normals = append(m.Normals, [3]float32{float32(nr * s), float32(ny), float32(nr * c)})
			}
		}
		for i := 1; i < pc.n; i++ {
			a, b := rings[i-1], rings[i]
			for j := range around {
				k := (j + 1) % around
				// Walking up the outline and around the axis counter-clockwise seen from above
				// (the angle grows from +Z toward +X), (a_j, a_k, b_k) faces outward.
				switch {
				case poles[i-1]:
					m.Triangles = append(m.Triangles, [3]int{a + j, b + k, b + j})
				case poles[i]:
					m.Triangles = append(m.Triangles, [3]int{a + j, a + k, b + j})
				default:
					m.Triangles = append(m.Triangles, [3]int{a + j, a + k, b + k}, [3]int{a + j, b + k, b + j})
				}
			}
		}
	}
	return m
}

// outlineNormal is the outward unit normal (radial, up) of the outline at t: its tangent turned a
// quarter clockwise, which points away from the axis for an outline running bottom to top.
func outlineNormal(at func(float64) (float64, float64), t float64) (float64, float64) {
	const h = 1e-6
	t0, t1 := math.Max(0, t-h), math.Min(1, t+h)
	r0, y0 := at(t0)
	r1, y1 := at(t1)
	dr, dy := r1-r0, y1-y0
	l := math.Hypot(dr, dy)
	return dy / l, -dr / l
}

// torus is a ring standing upright and facing the front, as a wheel seen head-on: its hole goes
// through along Z and the front view shows it. Major is the distance from the centre to the
// tube's centre line, minor the tube's radius; major+minor = 0.5 makes it 1 tall. u and v are
// the segments around the ring and around the tube; multiples of 4 put vertices exactly at the
// top, bottom and sides.
func torus(major, minor float64, u, v int) *Model {
	m := &Model{}
	for i := range u {
		su, cu := math.Sincos(2 * math.Pi * float64(i) / float64(u))
		for j := range v {
			sv, cv := math.Sincos(2 * math.Pi * float64(j) / float64(v))
			d := major + minor*cv
			m.Positions = append(m.Positions, [3]float64{d * cu, 0.5 + d*su, minor * sv})
			m.Normals = append(m.Normals, [3]float32{float32(cv * cu), float32(cv * su), float32(sv)})
		}
	}
	at := func(i, j int) int { return (i%u)*v + j%v }
	for i := range u {
		for j := range v {
			a, b, c, d := at(i, j), at(i+1, j), at(i+1, j+1), at(i, j+1)
			m.Triangles = append(m.Triangles, [3]int{a, b, c}, [3]int{a, c, d})
		}
	}
	return m
}

// WriteGLB writes the model's triangles as a binary glTF at path, atomically: positions, its
// normals when it has one per vertex, and indices; nothing else (no material, no UVs). Truths
// are written this way for the independent checker and the validator.
func (m *Model) WriteGLB(path string) error {
	if len(m.Triangles) == 0 {
		return fmt.Errorf("modeltest: write %s: the model has no triangles", path)
	}
	pos := make([][3]float32, len(m.Positions))
	for i, p := range m.Positions {
		pos[i] = [3]float32{float32(p[0]), float32(p[1]), float32(p[2])}
	}
	idx := make([]uint32, 0, 3*len(m.Triangles))
	for _, t := range m.Triangles {
		for _, v := range t {
			if v < 0 || v >= len(pos) {
				return fmt.Errorf("modeltest: write %s: index %d past %d vertices", path, v, len(pos))
			}
			idx = append(idx, uint32(v))
		}
	}
	doc := gltf.NewDocument()
	attrs := gltf.PrimitiveAttributes{gltf.POSITION: modeler.WritePosition(doc, pos)}
	if len(m.Normals) == len(pos) {
		attrs[gltf.NORMAL] = modeler.WriteNormal(doc, slices.Clone(m.Normals))
	}
	doc.Meshes = []*gltf.Mesh{{Name: "truth", Primitives: []*gltf.Primitive{{
		Attributes: attrs,
		Indices:    gltf.Index(modeler.WriteIndices(doc, idx)),
		Mode:       gltf.PrimitiveTriangles,
	}}}}
	doc.Nodes = []*gltf.Node{{Name: "truth", Mesh: gltf.Index(0)}}
	doc.Scenes[0].Nodes = []int{0}
	return atomicfile.Write(path, 0o644, func(w io.Writer) error {
		enc := gltf.NewEncoder(w)
		enc.AsBinary = true
		if err := enc.Encode(doc); err != nil {
			return fmt.Errorf("modeltest: encode %s: %w", path, err)
		}
		return nil
	})
}

// Render draws the model as seen orthographically from view ("front", "back", "left", "right",
// "top": where the camera stands, projected as the independent checker projects) on a
// transparent w×h image, fitted inside it with a margin of a tenth of the smaller side, with
// colour(x, y) at each covered pixel: what Solid.Render draws for a union of primitives, for
// any mesh. Edge pixels are partly transparent (4×4 samples per pixel, each covered when it
// lies in a projected triangle), so that an outline's position is known to a quarter pixel.
// Bands of rows are drawn on every core, so colour may be called from several goroutines.
func (m *Model) Render(view string, w, h int, colour func(x, y int) color.NRGBA) (*image.NRGBA, error) {
	if w < 1 || h < 1 || w > 8192 || h > 8192 {
		return nil, fmt.Errorf("modeltest: render %dx%d: the size must be 1 to 8192 pixels", w, h)
	}
	ulo, uhi, vlo, vhi := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, t := range m.Triangles {
		for _, i := range t {
			if i < 0 || i >= len(m.Positions) {
				return nil, fmt.Errorf("modeltest: render: index %d past %d vertices", i, len(m.Positions))
			}
			u, v := ViewProject(view, m.Positions[i])
			ulo, uhi = min(ulo, u), max(uhi, u)
			vlo, vhi = min(vlo, v), max(vhi, v)
		}
	}
	if !(uhi > ulo) || !(vhi > vlo) {
		return nil, fmt.Errorf("modeltest: render: the model has no extent seen from the %s", view)
	}
	const sub = 4
	margin := 0.1 * float64(min(w, h))
	k := min((float64(w)-2*margin)/(uhi-ulo), (float64(h)-2*margin)/(vhi-vlo)) * sub
	cu, cv := (ulo+uhi)/2, (vlo+vhi)/2
	fw, fh := w*sub, h*sub
	// Each triangle in the fine grid's pixels.
	type flat struct{ px, py [3]float64 }
	tris := make([]flat, len(m.Triangles))
	for n, t := range m.Triangles {
		for j, i := range t {
			u, v := ViewProject(view, m.Positions[i])
			tris[n].px[j], tris[n].py[j] = float64(fw)/2+(u-cu)*k, float64(fh)/2-(v-cv)*k
		}
	}
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	fine := make([]bool, fw*fh)
	rows := max(1, (h+4*runtime.GOMAXPROCS(0)-1)/(4*runtime.GOMAXPROCS(0)))
	var wg sync.WaitGroup
	for y0 := 0; y0 < h; y0 += rows {
		y1 := min(h, y0+rows)
		wg.Go(func() {
			// The band's own rows of the fine grid: a triangle is drawn into it shifted up by
			// the band's top, and clipped to it by fillTriangle.
			band := Mask{W: fw, H: (y1 - y0) * sub, In: fine[y0*sub*fw : y1*sub*fw]}
			top := float64(y0 * sub)
			for _, t := range tris {
				if max(t.py[0], t.py[1], t.py[2]) < top || min(t.py[0], t.py[1], t.py[2]) > top+float64(band.H) {
					continue
				}
				fillTriangle(band, t.px, [3]float64{t.py[0] - top, t.py[1] - top, t.py[2] - top})
			}
			for y := y0; y < y1; y++ {
				for x := range w {
					n := 0
					for sy := range sub {
						row := (y*sub + sy) * fw
						for sx := range sub {
							if fine[row+x*sub+sx] {
								n++
							}
						}
					}
					if n == 0 {
						continue
					}
					c := colour(x, y)
					c.A = uint8(n * 255 / (sub * sub))
					img.SetNRGBA(x, y, c)
				}
			}
		})
	}
	wg.Wait()
	return img, nil
}
