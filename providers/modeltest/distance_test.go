package modeltest

import (
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"
)

func TestDistanceToItself(t *testing.T) {
	m := torus(0.36, 0.14, 64, 16)
	if r := Distance(m, m, 5000); r.Max > 1e-9 {
		t.Errorf("a torus is %+v from itself", r)
	}
	// Another size and place is fitted away: the model is scaled to the truth's height and
	// centred on it.
	moved := &Model{Triangles: m.Triangles}
	for _, p := range m.Positions {
		moved.Positions = append(moved.Positions, [3]float64{3*p[0] + 7, 3*p[1] - 2, 3*p[2] + 0.5})
	}
	if r := Distance(m, moved, 5000); r.Max > 1e-9 {
		t.Errorf("a torus is %+v from itself made 3 times larger elsewhere", r)
	}
}

// TestDistanceWorkedOut compares the measure with a case worked out by hand: the truth cylinder
// (radius 0.3, height 1) against one 10% wider. The truth's caps lie inside the model's, and
// its side is 0.03 from the model's but within 0.03 of either end, where the model's cap is
// nearer (1 − y away). The model's side is 0.03 from the truth's and its caps reach past the
// truth's by up to 0.03. By area: truth to model 0.022386, model to truth 0.023213, so the
// mean is 0.0228 of the diagonal √1.72, and most distances are 0.03.
func TestDistanceWorkedOut(t *testing.T) {
	truth, err := Truth("cylinder")
	if err != nil {
		t.Fatal(err)
	}
	wide := &Model{Triangles: truth.Triangles}
	for _, p := range truth.Positions {
		wide.Positions = append(wide.Positions, [3]float64{1.1 * p[0], p[1], 1.1 * p[2]})
	}
	r := Distance(truth, wide, 10000)
	diag := math.Sqrt(1.72)
	for _, c := range []struct {
		what      string
		got, want float64
	}{
		{"mean", r.Mean, (0.022386 + 0.023213) / 2 / diag},
		{"truth to model", r.TruthToModel, 0.022386 / diag},
		{"model to truth", r.ModelToTruth, 0.023213 / diag},
		{"p95", r.P95, 0.03 / diag},
		{"max", r.Max, 0.03 / diag},
	} {
		if math.Abs(c.got-c.want) > 0.015*c.want {
			t.Errorf("%s %.6f, want %.6f", c.what, c.got, c.want)
		}
	}
}

func TestDistanceRefusesWhatCannotBeMeasured(t *testing.T) {
	m, _ := Truth("sphere")
	flat := &Model{Positions: [][3]float64{{0, 0, 0}, {1, 0, 0}, {0, 0, 1}}, Triangles: [][3]int{{0, 1, 2}}}
	for what, r := range map[string]DistanceReport{
		"an empty model": Distance(m, &Model{}, 100),
		"a nil truth":    Distance(nil, m, 100),
		"no samples":     Distance(m, m, 0),
		"a flat model":   Distance(m, flat, 100),
		"a flat truth":   Distance(flat, m, 100),
		"a bad index":    Distance(m, &Model{Positions: flat.Positions, Triangles: [][3]int{{0, 1, 3}}}, 100),
	} {
		if !math.IsInf(r.Mean, 1) || !math.IsInf(r.P95, 1) || !math.IsInf(r.Max, 1) {
			t.Errorf("%s measured %+v, want +Inf so that no bound passes", what, r)
		}
	}
}

// TestNearestMatchesBruteForce checks the hierarchy's pruning: the nearest triangle it finds is
// the nearest of all, for points inside, on and far outside a coarse torus.
func TestNearestMatchesBruteForce(t *testing.T) {
	s := newSurface(torus(0.36, 0.14, 40, 12))
	tree := newBVH(s.tris)
	rng := rand.New(rand.NewPCG(3, 4))
	for range 500 {
		p := [3]float64{rng.Float64()*3 - 1.5, rng.Float64()*3 - 1, rng.Float64()*3 - 1.5}
		want := math.Inf(1)
		for _, tr := range s.tris {
			want = math.Min(want, triDist2(p, tr, math.Inf(1)))
		}
		if got := tree.nearest2(p); math.Abs(got-want) > 1e-12 {
			t.Fatalf("nearest² from %v: %g, brute force %g", p, got, want)
		}
	}
}

// TestTriangleDistance checks the point-to-triangle distance against a dense search over the
// triangle's points, for points beside each corner, edge and face.
func TestTriangleDistance(t *testing.T) {
	tr := triangle{{0, 0, 0}, {2, 0, 0}, {0.5, 1.5, 0.3}}
	rng := rand.New(rand.NewPCG(5, 6))
	for range 200 {
		p := [3]float64{rng.Float64()*5 - 1.5, rng.Float64()*5 - 1.5, rng.Float64()*2 - 1}
		want := math.Inf(1)
		const n = 300
		for i := 0; i <= n; i++ {
			for j := 0; i+j <= n; j++ {
				u, v := float64(i)/n, float64(j)/n
				q := [3]float64{}
				for a := range 3 {
					q[a] = tr[0][a] + u*(tr[1][a]-tr[0][a]) + v*(tr[2][a]-tr[0][a])
				}
				want = math.Min(want, math.Sqrt(dist2(p, q)))
			}
		}
		got := math.Sqrt(triDist2(p, tr, math.Inf(1)))
		// The grid's points are at most a step apart: the search can only overestimate.
		if got > want+1e-12 || want-got > 0.01 {
			t.Fatalf("distance from %v: %g, dense search %g", p, got, want)
		}
	}
}

func TestSlivers(t *testing.T) {
	m := &Model{
		Positions: [][3]float64{
			{0, 0, 0}, {1, 0, 0}, {0.5, 0.866, 0}, // equilateral
			{0, 0, 1}, {1, 0, 1}, {0, 1, 1}, // right-angled: ratio 2
			{0, 0, 2}, {1, 0, 2}, {0.5, 0.01, 2}, // a needle: ratio 100
			{0, 0, 3}, {1, 0, 3}, {2, 0, 3}, // collinear: no area, not a sliver
		},
		Triangles: [][3]int{{0, 1, 2}, {3, 4, 5}, {6, 7, 8}, {9, 10, 11}},
	}
	if got := m.Slivers(); got != 0.25 {
		t.Errorf("slivers %g, want 0.25 (one needle among four)", got)
	}
	m.Triangles = append(m.Triangles, [3]int{0, 1, 99})
	if got := m.Slivers(); got != 0.2 {
		t.Errorf("slivers %g, want 0.2 (a triangle indexing past the vertices is not one)", got)
	}
	if got := (&Model{}).Slivers(); got != 0 {
		t.Errorf("an empty model has %g slivers", got)
	}
}

// TestAgreesWithMeshcheck: the measures agree with the independent checker's within 5%, so that
// figures from the tests and from `meshcheck` can be compared.
func TestAgreesWithMeshcheck(t *testing.T) {
	tool := Meshcheck(t)
	if tool == "" {
		t.Skip("no meshcheck: neither KILN_MESHCHECK nor shared/tools/meshcheck beside the checkout (CI has it)")
	}
	dir := t.TempDir()
	write := func(name string, m *Model) string {
		p := filepath.Join(dir, name+".glb")
		if err := m.WriteGLB(p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	near := func(what string, got, want float64) {
		t.Helper()
		if math.Abs(got-want) > 0.05*want {
			t.Errorf("%s: %.5f here, %.5f by meshcheck", what, got, want)
		}
	}
	// A truth with flat faces and sharp rims, and one with a hole, each against itself made
	// wider, shallower, smaller and moved: close, as a generated model is, and at another size
	// and place for the fit to undo. (Each takes the checker seconds.)
	for _, name := range []string{"cylinder", "torus"} {
		truth, _ := Truth(name)
		model, _ := Truth(name)
		for i, p := range model.Positions {
			model.Positions[i] = [3]float64{0.44*p[0] - 1, 0.4*p[1] + 2, 0.37 * p[2]}
		}
		var mc struct{ Mean, P95, Hausdorff float64 }
		RunMeshcheck(t, tool, &mc, "distance", write(name, truth), write(name+"-squashed", model), "10000")
		r := Distance(truth, model, 10000)
		near(name+" mean", r.Mean, mc.Mean)
		near(name+" p95", r.P95, mc.P95)
		near(name+" max", r.Max, mc.Hausdorff)
	}
	// Random triangles: their shapes spread evenly across the sliver threshold, so that a
	// difference in rounding there moves the share by a triangle or two, not a whole ring.
	rng := rand.New(rand.NewPCG(7, 8))
	soup := &Model{}
	for i := range 3000 {
		a := [3]float64{rng.Float64(), rng.Float64(), rng.Float64()}
		b := [3]float64{rng.Float64(), rng.Float64(), rng.Float64()}
		// The third corner strays from the middle of ab by up to a third of its length.
		off := rng.Float64() / 3 * math.Sqrt(dist2(a, b))
		c := [3]float64{(a[0]+b[0])/2 + off*(rng.Float64()-0.5), (a[1]+b[1])/2 + off*(rng.Float64()-0.5), (a[2]+b[2])/2 + off*(rng.Float64()-0.5)}
		soup.Positions = append(soup.Positions, a, b, c)
		soup.Triangles = append(soup.Triangles, [3]int{3 * i, 3*i + 1, 3*i + 2})
	}
	var q struct {
		Slivers float64 `json:"sliver_share"`
	}
	RunMeshcheck(t, tool, &q, "quality", write("soup", soup))
	if q.Slivers < 0.05 || q.Slivers > 0.95 {
		t.Fatalf("the random triangles have a sliver share of %g: too few or too many to compare", q.Slivers)
	}
	near("sliver share", soup.Slivers(), q.Slivers)
}
