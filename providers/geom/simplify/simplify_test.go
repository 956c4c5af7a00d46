package simplify

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"testing"
)

func testMeshes() []*testMesh {
	return []*testMesh{uvSphere(64, 32), torus(64, 32, [3]float64{}), cube(12), openGrid(40), twoParts()}
}

func TestGeneratedMeshesAreValid(t *testing.T) {
	// The checks must hold for the inputs themselves, or they prove nothing about the outputs.
	for _, m := range testMeshes() {
		checkMesh(t, m, m.idx)
	}
}

func TestSimplifyReachesTargetAndKeepsTheMeshValid(t *testing.T) {
	for _, m := range testMeshes() {
		for _, withAttr := range []bool{false, true} {
			for _, ratio := range []float64{0.5, 0.25, 0.1} {
				name := fmt.Sprintf("%s/attr=%v/%.0f%%", m.name, withAttr, ratio*100)
				t.Run(name, func(t *testing.T) {
					before := len(m.idx) / 3
					target := int(math.Round(float64(before) * ratio))
					var opts Options
					if withAttr {
						opts.Attributes, opts.Weights = m.attributes()
					}
					out, err := Simplify(context.Background(), m.pos, m.idx, target, opts)
					if err != nil {
						t.Fatal(err)
					}
					got := len(out) / 3
					if math.Abs(float64(got-target)) > 0.05*float64(target) {
						// Only acceptable when the rules allow no further collapse.
						least, err := Simplify(context.Background(), m.pos, m.idx, 0, opts)
						if err != nil {
							t.Fatal(err)
						}
						if floor := len(least) / 3; got > floor*21/20 || floor < target*21/20 {
							t.Errorf("%d → %d triangles, want %d ± 5%% (it can go down to %d)", before, got, target, floor)
						} else {
							t.Logf("%d → %d triangles for %d: the least it can reach is %d", before, got, target, floor)
						}
					}
					checkMesh(t, m, out)
				})
			}
		}
	}
}

func TestSimplifyKeepsSeamsOnTheSeam(t *testing.T) {
	m := uvSphere(64, 32)
	a, w := m.attributes()
	out, err := Simplify(context.Background(), m.pos, m.idx, len(m.idx)/3/10, Options{Attributes: a, Weights: w})
	if err != nil {
		t.Fatal(err)
	}
	// A vertex on the seam meridian (z = 0, x ≥ 0) must keep u = 0 on one side and u = 1 on
	// the other: the triangles on the seam use only seam wedges, never a vertex from inside the
	// texture, and the seam is still there, from pole to pole.
	onSeam := func(p [3]float32) bool { return p[2] == 0 && p[0] >= 0 }
	seen := map[float32]int{}
	for _, v := range out {
		p := m.pos[v]
		if onSeam(p) && math.Abs(float64(p[1])) < 1 {
			u := m.uv[v][0]
			if u != 0 && u != 1 {
				t.Fatalf("vertex %d on the seam has u = %v", v, u)
			}
			seen[u]++
		}
	}
	if seen[0] == 0 || seen[1] == 0 {
		t.Errorf("the seam lost a side: %v", seen)
	}
}

func TestSimplifyKeepsBorderCornersAndCanLockTheBorder(t *testing.T) {
	m := openGrid(30)
	out, err := Simplify(context.Background(), m.pos, m.idx, len(m.idx)/3/10, Options{})
	if err != nil {
		t.Fatal(err)
	}
	rep := checkMesh(t, m, out)
	corners := 0
	for v := range rep.vertices {
		p := m.pos[v]
		if (p[0] == 0 || p[0] == 1) && (p[1] == 0 || p[1] == 1) {
			corners++
		}
	}
	if corners != 4 {
		t.Errorf("%d of the 4 corners are left", corners)
	}

	out, err = Simplify(context.Background(), m.pos, m.idx, len(m.idx)/3/10, Options{LockBorder: true})
	if err != nil {
		t.Fatal(err)
	}
	rep = checkMesh(t, m, out)
	for v, p := range m.pos {
		if m.onBorder(p) && !rep.vertices[uint32(v)] {
			t.Fatalf("border vertex %d at %v was collapsed despite LockBorder", v, p)
		}
	}
	if rep.triangles >= len(m.idx)/3/2 {
		t.Errorf("with a locked border it kept %d of %d triangles", rep.triangles, len(m.idx)/3)
	}
}

func TestSimplifyStopsAtTheSmallestValidMesh(t *testing.T) {
	for _, m := range []*testMesh{uvSphere(16, 8), cube(3), openGrid(6)} {
		out, err := Simplify(context.Background(), m.pos, m.idx, 0, Options{})
		if err != nil {
			t.Fatal(err)
		}
		checkMesh(t, m, out)
		if len(out) == 0 {
			t.Errorf("%s: everything collapsed", m.name)
		}
		t.Logf("%s: %d → %d triangles", m.name, len(m.idx)/3, len(out)/3)
	}
	// The cube's corners and edges are locked seams: it can come down to 12 triangles exactly.
	c := cube(6)
	out, _ := Simplify(context.Background(), c.pos, c.idx, 12, Options{})
	if len(out)/3 != 12 {
		t.Errorf("cube: %d triangles, want 12", len(out)/3)
	}
}

func TestSimplifyReportsProgressAndIsDeterministic(t *testing.T) {
	m := torus(48, 24, [3]float64{})
	var seen []float64
	opts := Options{Report: func(d float64) { seen = append(seen, d) }}
	a, err := Simplify(context.Background(), m.pos, m.idx, 200, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) < 10 || seen[len(seen)-1] != 1 || !slices.IsSorted(seen) || seen[0] < 0 {
		t.Errorf("progress %v", seen)
	}
	b, _ := Simplify(context.Background(), m.pos, m.idx, 200, Options{})
	if !slices.Equal(a, b) {
		t.Error("two runs differ")
	}
}

func TestSimplifyHonoursCancellation(t *testing.T) {
	m := torus(96, 48, [3]float64{})
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	_, err := Simplify(ctx, m.pos, m.idx, 10, Options{Report: func(float64) {
		if calls++; calls == 3 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	cancel()
	if _, err := Simplify(ctx, m.pos, m.idx, 10, Options{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("already cancelled: err = %v", err)
	}
}

func TestSimplifyRefusesBadInput(t *testing.T) {
	pos := [][3]float32{{0, 0, 0}, {1, 0, 0}, {0, 1, 0}}
	nan := float32(math.NaN())
	for name, tc := range map[string]struct {
		pos  [][3]float32
		idx  []uint32
		opts Options
	}{
		"index past the end": {pos, []uint32{0, 1, 3}, Options{}},
		"partial triangle":   {pos, []uint32{0, 1}, Options{}},
		"NaN position":       {[][3]float32{{0, 0, 0}, {nan, 0, 0}, {0, 1, 0}}, []uint32{0, 1, 2}, Options{}},
		"attributes count":   {pos, []uint32{0, 1, 2}, Options{Attributes: [][]float32{{1}}, Weights: []float32{1}}},
		"attribute length":   {pos, []uint32{0, 1, 2}, Options{Attributes: [][]float32{{1}, {1}, {1, 2}}, Weights: []float32{1}}},
	} {
		if _, err := Simplify(context.Background(), tc.pos, tc.idx, 0, tc.opts); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestSimplifyWithinBudgetCopies(t *testing.T) {
	m := cube(2)
	out, err := Simplify(context.Background(), m.pos, m.idx, len(m.idx)/3, Options{})
	if err != nil || !slices.Equal(out, m.idx) {
		t.Fatalf("err %v, equal %v", err, slices.Equal(out, m.idx))
	}
	out[0] = 99
	if m.idx[0] == 99 {
		t.Error("the result shares the caller's slice")
	}
}

func TestSimplifyInTwoHalvesKeepsTheMeshValid(t *testing.T) {
	// Large meshes are cut in two halves simplified at once; force that on small ones (and let
	// the race detector watch the two workers).
	for _, m := range testMeshes() {
		for _, ratio := range []float64{0.5, 0.1} {
			target := int(float64(len(m.idx)/3) * ratio)
			a, w := m.attributes()
			out, err := simplify(context.Background(), m.pos, m.idx, target, Options{Attributes: a, Weights: w}, 1)
			if err != nil {
				t.Fatal(err)
			}
			if got := len(out) / 3; math.Abs(float64(got-target)) > 0.05*float64(target) {
				t.Errorf("%s: %d → %d triangles, want %d ± 5%%", m.name, len(m.idx)/3, got, target)
			}
			checkMesh(t, m, out)
			again, _ := simplify(context.Background(), m.pos, m.idx, target, Options{Attributes: a, Weights: w}, 1)
			if !slices.Equal(out, again) {
				t.Errorf("%s: two runs differ", m.name)
			}
		}
	}
}

func TestSimplifyIgnoresUnusedCopiesOfVertices(t *testing.T) {
	// Copies of every vertex that no triangle uses (as a non-indexed mesh leaves behind once
	// its indices are welded) must not count as seams: they would lock the whole mesh.
	m := torus(48, 24, [3]float64{})
	n := len(m.pos)
	m.pos, m.uv, m.nor = append(m.pos, m.pos...), append(m.uv, m.uv...), append(m.nor, m.nor...)
	out, err := Simplify(context.Background(), m.pos, m.idx, len(m.idx)/3/10, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(out)/3, len(m.idx)/3/10; math.Abs(float64(got-want)) > 0.05*float64(want) {
		t.Errorf("%d triangles, want %d", got, want)
	}
	for _, v := range out {
		if int(v) >= n {
			t.Fatalf("the result uses unused copy %d", v)
		}
	}
	checkMesh(t, m, out)
}
