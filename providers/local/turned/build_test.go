package turned

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/kiln3d/kiln/providers/local/field"
	"github.com/kiln3d/kiln/providers/local/mask"
	"github.com/kiln3d/kiln/providers/local/mesh"
	"github.com/kiln3d/kiln/providers/modeltest"
)

// profileMask draws the outline of a turned object: rows y0 … y1−1 of a w×h mask, each as wide
// either side of x = cx as half(y) says (at the row's centre).
func profileMask(w, h int, cx float64, y0, y1 int, half func(y float64) float64) *mask.Mask {
	m := mask.New(w, h)
	for y := y0; y < y1; y++ {
		r := half(float64(y) + 0.5)
		for x := 0; x < w; x++ {
			if math.Abs(float64(x)+0.5-cx) <= r {
				m.In[y*w+x] = true
			}
		}
	}
	return m
}

func rectangle() *mask.Mask {
	return profileMask(400, 400, 200, 50, 350, func(float64) float64 { return 80 })
}

// cone: apex at the top (y = 40), base 300 wide at y = 360.
func cone() *mask.Mask {
	return profileMask(400, 400, 200, 40, 360, func(y float64) float64 { return 150 * (y - 40) / 320 })
}

// vase: a belly, a waist and a flared lip, flat on the bottom.
func vase() *mask.Mask {
	return profileMask(400, 400, 200, 30, 370, func(y float64) float64 {
		t := (y - 30) / 340
		waist, lip := (t-0.85)/0.08, t/0.05
		return 60 + 70*math.Sin(math.Pi*t*1.3) - 30*math.Exp(-waist*waist) + 25*math.Exp(-lip*lip)
	})
}

func disc() *mask.Mask {
	return profileMask(400, 400, 200, 50, 350, func(y float64) float64 {
		d := 150*150 - (y-200)*(y-200)
		return math.Sqrt(math.Max(0, d))
	})
}

func turn(t testing.TB, m *mask.Mask, target int) *mesh.Solid {
	t.Helper()
	ctx := context.Background()
	f, err := field.NewDistance(ctx, m, 3)
	if err != nil {
		t.Fatal(err)
	}
	axis, _ := Axis(m)
	s, err := Build(ctx, f, m, axis, target)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// model is the solid as the checker sees it: y up.
func model(s *mesh.Solid) *modeltest.Model {
	m := &modeltest.Model{Positions: make([][3]float64, len(s.Pos))}
	for i, p := range s.Pos {
		m.Positions[i] = [3]float64{p[0], -p[1], p[2]}
	}
	for t := 0; t+2 < len(s.Indices); t += 3 {
		m.Triangles = append(m.Triangles, [3]int{int(s.Indices[t]), int(s.Indices[t+1]), int(s.Indices[t+2])})
	}
	return m
}

// volume is the signed volume enclosed: positive when triangles wind counter-clockwise seen from
// outside.
func volume(m *modeltest.Model) float64 {
	v := 0.0
	for _, t := range m.Triangles {
		a, b, c := m.Positions[t[0]], m.Positions[t[1]], m.Positions[t[2]]
		v += a[0]*(b[1]*c[2]-b[2]*c[1]) - a[1]*(b[0]*c[2]-b[2]*c[0]) + a[2]*(b[0]*c[1]-b[1]*c[0])
	}
	return v / 6
}

// meanAspect is the mean over the triangles of the longest edge squared over twice the area.
func meanAspect(m *modeltest.Model) float64 {
	sum := 0.0
	for _, t := range m.Triangles {
		p := [3][3]float64{m.Positions[t[0]], m.Positions[t[1]], m.Positions[t[2]]}
		var l2 float64
		for k := range 3 {
			a, b := p[k], p[(k+1)%3]
			l2 = math.Max(l2, (a[0]-b[0])*(a[0]-b[0])+(a[1]-b[1])*(a[1]-b[1])+(a[2]-b[2])*(a[2]-b[2]))
		}
		u := [3]float64{p[1][0] - p[0][0], p[1][1] - p[0][1], p[1][2] - p[0][2]}
		w := [3]float64{p[2][0] - p[0][0], p[2][1] - p[0][1], p[2][2] - p[0][2]}
		x, y, z := u[1]*w[2]-u[2]*w[1], u[2]*w[0]-u[0]*w[2], u[0]*w[1]-u[1]*w[0]
		sum += l2 / math.Sqrt(x*x+y*y+z*z)
	}
	return sum / float64(len(m.Triangles))
}

// checkClosed asserts the solid is a closed, consistently wound, manifold surface of the given
// triangle count with every vertex described.
func checkClosed(t *testing.T, name string, s *mesh.Solid, want int) {
	t.Helper()
	if len(s.Look) != len(s.Pos) || len(s.Back) != len(s.Pos) {
		t.Fatalf("%s: %d positions, %d looks, %d back flags", name, len(s.Pos), len(s.Look), len(s.Back))
	}
	if s.Triangles() != want {
		t.Errorf("%s: %d triangles, want %d", name, s.Triangles(), want)
	}
	m := model(s)
	top := m.Topology()
	if !top.Watertight || top.Degenerate != 0 {
		t.Errorf("%s: not closed: %+v", name, top)
	}
	if n := m.ZeroArea(1e-9); n != 0 {
		t.Errorf("%s: %d triangles of no area", name, n)
	}
	// A closed surface of genus 0 per part: V − E + F = 2 per part.
	if v := volume(m); !(v > 0) {
		t.Errorf("%s: signed volume %g: the triangles wind inwards", name, v)
	}
	for i, p := range s.Pos {
		if math.IsNaN(p[0]+p[1]+p[2]) || math.IsNaN(s.Look[i][0]+s.Look[i][1]) {
			t.Fatalf("%s: vertex %d is %v looking at %v", name, i, p, s.Look[i])
		}
	}
}

// TestCounts: closed and manifold at exactly the triangles asked for (one fewer when odd), with
// slivers under 1%, for every kind of profile.
func TestCounts(t *testing.T) {
	shapes := map[string]*mask.Mask{"cylinder": rectangle(), "cone": cone(), "vase": vase(), "sphere": disc()}
	for name, m := range shapes {
		for _, target := range []int{500, 501, 2000, 20000, 200000} {
			if target > 20000 && (testing.Short() || name != "vase") {
				continue // the finest count once: it takes as long as all the others
			}
			s := turn(t, m, target)
			checkClosed(t, name, s, target&^1)
			if sl := model(s).Slivers(); sl >= 0.01 {
				t.Errorf("%s at %d: %.2f%% slivers", name, target, 100*sl)
			}
			if q := meanAspect(model(s)); q > 1.8 {
				t.Errorf("%s at %d: triangles' mean longest edge² over twice the area %.2f (equilateral 1.15, half a square 2)", name, target, q)
			}
		}
	}
}

// TestFidelity: from a front view alone, each turned truth comes back within 0.1% of its surface
// (the issue asks for 0.5%; inflation managed 1.1 to 2%).
func TestFidelity(t *testing.T) {
	for _, name := range []string{"cylinder", "cone", "vase", "sphere"} {
		truth, err := modeltest.Truth(name)
		if err != nil {
			t.Fatal(err)
		}
		s := turn(t, truthMask(t, name, 400), 20000)
		d := modeltest.Distance(truth, model(s), 1000)
		t.Logf("%s: mean %.4f%%, p95 %.4f%%", name, 100*d.Mean, 100*d.P95)
		if d.Mean > 0.001 {
			t.Errorf("%s: %.3f%% from the truth", name, 100*d.Mean)
		}
	}
}

// TestCylinder: a rectangle turns into a cylinder of its half-width and height, with flat caps.
func TestCylinder(t *testing.T) {
	s := turn(t, rectangle(), 20000)
	lo, hi := model(s).Bounds()
	height := hi[1] - lo[1]
	radius := (hi[0] - lo[0]) / 2
	depth := (hi[2] - lo[2]) / 2
	if math.Abs(height-300)/300 > 0.005 || math.Abs(radius-80)/80 > 0.005 || math.Abs(depth-80)/80 > 0.005 {
		t.Errorf("cylinder %.2f tall, radius %.2f across and %.2f deep; want 300 and 80", height, radius, depth)
	}
	// Every vertex lies on the side (radius 80) or a cap (y at the rectangle's edges).
	for _, p := range s.Pos {
		r := math.Hypot(p[0]-200, p[2])
		onSide := math.Abs(r-80) < 0.4
		onCap := math.Abs(p[1]-50) < 1e-9 || math.Abs(p[1]-350) < 1e-9
		if !onSide && !onCap {
			t.Fatalf("vertex %v is neither on the side nor on a cap", p)
		}
	}
}

// TestCone: a triangle turns into a cone that comes to a point at the apex.
func TestCone(t *testing.T) {
	s := turn(t, cone(), 20000)
	m := model(s)
	checkClosed(t, "cone", s, 20000)
	lo, hi := m.Bounds()
	if math.Abs((hi[0]-lo[0])/2-150)/150 > 0.01 || math.Abs(hi[1]-lo[1]-320)/320 > 0.005 {
		t.Errorf("cone %v … %v; want radius 150, height 320", lo, hi)
	}
	// Near the apex the radius shrinks with the height: no flat top.
	for _, p := range s.Pos {
		r := math.Hypot(p[0]-200, p[2])
		if p[1] < 300 && p[1] > 40 && math.Abs(r-150*(p[1]-40)/320) > 1.5 {
			t.Fatalf("vertex %v is %.2f from the axis; the cone is %.2f there", p, r, 150*(p[1]-40)/320)
		}
	}
}

// TestHostile: masks at the edges of what makes sense still give closed solids, or clear errors.
func TestHostile(t *testing.T) {
	one := mask.New(10, 10)
	one.In[5*10+5] = true
	row := mask.New(100, 10)
	for x := 10; x < 90; x++ {
		row.In[5*100+x] = true
	}
	border := profileMask(100, 100, 30, 0, 100, func(float64) float64 { return 40 })
	two := mask.New(100, 100)
	for y := 0; y < 100; y++ {
		for x := 0; x < 100; x++ {
			two.In[y*100+x] = (y > 10 && y < 40 && x > 30 && x < 60) || (y > 60 && y < 90 && x > 20 && x < 80)
		}
	}
	side := mask.New(100, 100)
	for y := 20; y < 80; y++ {
		for x := 0; x < 100; x++ {
			side.In[y*100+x] = (x > 5 && x < 30) || (x > 70 && x < 95)
		}
	}
	for name, m := range map[string]*mask.Mask{"one pixel": one, "one row": row, "touching the border": border, "two objects": two, "side by side": side} {
		for _, target := range []int{500, 20000} {
			s := turn(t, m, target)
			checkClosed(t, name, s, target)
		}
	}

	// The fewest triangles each part can have.
	checkClosed(t, "two objects at 16", turn(t, two, 16), 16)
	steps := profileMask(300, 600, 150, 10, 590, func(y float64) float64 { return float64(10 + 20*(int(y)/40%5)) })
	checkClosed(t, "steps at 8", turn(t, steps, 8), 8)
	needle := profileMask(50, 1000, 25, 5, 995, func(float64) float64 { return 0.5 })
	checkClosed(t, "needle at 500", turn(t, needle, 500), 500)

	ctx := context.Background()
	f, err := field.NewDistance(ctx, two, 3)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Build(ctx, f, two, 50, 9); !errors.Is(err, ErrTooFew) {
		t.Errorf("two parts in 9 triangles: %v, want ErrTooFew", err)
	}
	if _, err := Build(ctx, f, two, 50, -2); !errors.Is(err, ErrTooFew) {
		t.Errorf("a negative count: %v, want ErrTooFew", err)
	}
	if _, err := Build(ctx, f, two, 50, 1<<40); err == nil {
		t.Error("a trillion triangles were attempted")
	}
	if _, err := Build(ctx, f, two, math.NaN(), 500); err == nil {
		t.Error("a NaN axis was taken")
	}
	if _, err := Build(ctx, nil, two, 50, 500); err == nil {
		t.Error("a nil field was taken")
	}
	if _, err := Build(ctx, &field.Field{Rect: f.Rect}, two, 50, 500); err == nil {
		t.Error("a field without samples was taken")
	}
}

// countdown is a context that is cancelled once its Err has been asked n times.
type countdown struct {
	context.Context
	n *int
}

func (c countdown) Err() error {
	if *c.n <= 0 {
		return context.Canceled
	}
	*c.n--
	return nil
}

// TestRandomOutlines: whatever the outline (a mushroom, unions of ellipses, ragged steps), the
// solid is closed at the count asked for.
func TestRandomOutlines(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 1))
	for k := range 12 {
		var m *mask.Mask
		switch k % 3 {
		case 0: // a mushroom: a domed cap over a ragged stem
			cap := 60 + rng.Float64()*120
			m = profileMask(420, 400, 210, 10, 390, func(y float64) float64 {
				if y < 140 {
					d := (140 - y) / 130
					return cap * math.Sqrt(math.Max(0, 1-d*d))
				}
				return 15 + rng.Float64()*3
			})
		case 1: // ellipses here and there
			type ellipse struct{ x, y, a, b float64 }
			var es []ellipse
			for range 4 {
				es = append(es, ellipse{100 + rng.Float64()*200, 60 + rng.Float64()*280, 5 + rng.Float64()*70, 5 + rng.Float64()*50})
			}
			m = mask.Draw(400, 400, func(x, y float64) bool {
				for _, e := range es {
					if math.Hypot((x-e.x)/e.a, (y-e.y)/e.b) < 1 {
						return true
					}
				}
				return false
			})
		default: // steps of random widths and heights
			widths := make([]float64, 12)
			for i := range widths {
				widths[i] = 1 + rng.Float64()*120
			}
			m = profileMask(300, 400, 150, 5, 395, func(y float64) float64 { return widths[int(y)/33] })
		}
		for _, target := range []int{500, 2001} {
			checkClosed(t, fmt.Sprintf("outline %d", k), turn(t, m, target), target&^1)
		}
	}
}

// TestCancel: a cancelled context stops the build, before it starts or at any point on the way,
// with the context's error and no solid.
func TestCancel(t *testing.T) {
	m := vase()
	// Two parts: the vase, and a bar under it.
	for y := 380; y < 390; y++ {
		for x := 100; x < 300; x++ {
			m.In[y*m.W+x] = true
		}
	}
	f, err := field.NewDistance(context.Background(), m, 3)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Build(ctx, f, m, 200, 20000); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled build: %v", err)
	}
	for n := 0; ; n++ {
		left := n
		s, err := Build(countdown{context.Background(), &left}, f, m, 200, 20000)
		if err == nil {
			if n < 3 {
				t.Errorf("the build looked at its context only %d times", n)
			}
			checkClosed(t, "uncancelled", s, 20000)
			break
		}
		if !errors.Is(err, context.Canceled) || s != nil {
			t.Fatalf("cancelled after %d checks: %v, %v", n, s != nil, err)
		}
	}
}

// TestLeftMatchesFront: turned, the object looks the same from the left as from the front.
func TestLeftMatchesFront(t *testing.T) {
	for name, m := range map[string]*mask.Mask{"vase": vase(), "cone": cone(), "sphere": disc()} {
		s := turn(t, m, 20000)
		mm := model(s)
		like := modeltest.Mask{W: m.W, H: m.H, In: m.In}
		front, err := mm.ViewSilhouette(like, "front")
		if err != nil {
			t.Fatal(err)
		}
		left, err := mm.ViewSilhouette(like, "left")
		if err != nil {
			t.Fatal(err)
		}
		if iou := modeltest.IoU(front, left); iou < 0.97 {
			t.Errorf("%s: left silhouette against front IoU %.3f", name, iou)
		}
		if iou := modeltest.IoU(like, front); iou < 0.97 {
			t.Errorf("%s: front silhouette against the mask IoU %.3f", name, iou)
		}
	}
}

// TestLook: a vertex takes the image point the front camera sees it at, the back the same point
// as the front vertex it mirrors, flagged; one seen edge-on takes the last well-seen point of its
// ring, and none takes the outline's pixels.
func TestLook(t *testing.T) {
	m := rectangle() // x 120 … 280, y 50 … 350: a cylinder of radius 80 about x = 200
	s := turn(t, m, 5000)
	f, err := field.NewDistance(context.Background(), m, 3)
	if err != nil {
		t.Fatal(err)
	}
	front, back := 0, 0
	seam := map[[3]float64][2]int{}
	for i, p := range s.Pos {
		l := s.Look[i]
		if d := f.SampleDist(l[0], l[1]); d < field.LookInset-0.01 {
			t.Fatalf("vertex %v looks at %v, %.2f inside the outline", p, l, d)
		}
		if p[2] > 0 && s.Back[i] || p[2] < 0 && !s.Back[i] {
			t.Fatalf("vertex %v has Back %v", p, s.Back[i])
		}
		if s.Back[i] {
			back++
		} else {
			front++
		}
		if p[2] == 0 {
			c := seam[p]
			if s.Back[i] {
				c[1]++
			} else {
				c[0]++
			}
			seam[p] = c
		}
		// On the side: the point seen where the camera sees the surface within 45° of head-on,
		// else one eased towards the camera, never past maxViewAngle, the same for the seam's
		// front and back copies.
		if math.Abs(math.Hypot(p[0]-200, p[2])-80) < 0.01 && p[1] > 50+field.LookInset && p[1] < 350-field.LookInset {
			if math.Abs(l[1]-p[1]) > 1e-6 {
				t.Fatalf("side vertex %v looks at height %v", p, l[1])
			}
			seen := math.Asin(math.Min(1, math.Abs(p[0]-200)/80)) // the view angle
			took := math.Asin(math.Min(1, math.Abs(l[0]-200)/80))
			switch {
			case (l[0]-200)*(p[0]-200) < 0:
				t.Fatalf("side vertex %v looks across the axis, at %v", p, l)
			case seen < math.Pi/4-1e-9 && math.Abs(l[0]-p[0]) > 1e-6:
				t.Fatalf("side vertex %v, well seen, looks at %v", p, l)
			case took > maxViewAngle+1e-9 || took > seen+1e-9:
				t.Fatalf("side vertex %v seen at %.1f° looks at a point seen at %.1f°", p, seen*180/math.Pi, took*180/math.Pi)
			}
			if p[2] == 0 && math.Abs(took-maxViewAngle) > 1e-6 {
				t.Fatalf("seam vertex %v looks at a point seen at %.1f°", p, took*180/math.Pi)
			}
		}
	}
	if front == 0 || back == 0 || math.Abs(float64(front-back)) > float64(len(s.Pos))/10 {
		t.Errorf("%d front and %d back vertices", front, back)
	}
	// Every point on the seam has one front and one back copy.
	for p, c := range seam {
		if c != [2]int{1, 1} {
			t.Errorf("seam point %v has %d front and %d back copies", p, c[0], c[1])
		}
	}
	if len(seam) == 0 {
		t.Error("no seam")
	}
}

// BenchmarkBuild: a 1024² vase to 20,000 triangles, the distance field made once beforehand (the
// pipeline makes it for every shape).
func BenchmarkBuild(b *testing.B) {
	m := profileMask(1024, 1024, 512, 40, 990, func(y float64) float64 {
		t := (y - 40) / 950
		return 150 + 200*math.Sin(math.Pi*t*1.2)
	})
	ctx := context.Background()
	f, err := field.NewDistance(ctx, m, 3)
	if err != nil {
		b.Fatal(err)
	}
	axis, _ := Axis(m)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Build(ctx, f, m, axis, 20000); err != nil {
			b.Fatal(err)
		}
	}
}
