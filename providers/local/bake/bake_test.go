package bake

import (
	"context"
	"image"
	"testing"

	"github.com/kiln3d/kiln/providers/local/texture"
)

// cube appends an axis-aligned cube (centre c, half side r), faces outward, two triangles each.
func cube(pos [][3]float64, idx []uint32, c [3]float64, r float64) ([][3]float64, []uint32) {
	return box(pos, idx, [3]float64{c[0] - r, c[1] - r, c[2] - r}, [3]float64{c[0] + r, c[1] + r, c[2] + r})
}

// box appends the box from lo to hi.
func box(pos [][3]float64, idx []uint32, lo, hi [3]float64) ([][3]float64, []uint32) {
	base := uint32(len(pos))
	for i := 0; i < 8; i++ {
		pos = append(pos, [3]float64{[2]float64{lo[0], hi[0]}[i&1], [2]float64{lo[1], hi[1]}[i>>1&1], [2]float64{lo[2], hi[2]}[i>>2&1]})
	}
	for _, q := range [6][4]uint32{{0, 4, 6, 2}, {1, 3, 7, 5}, {0, 1, 5, 4}, {2, 6, 7, 3}, {0, 2, 3, 1}, {4, 5, 7, 6}} {
		idx = append(idx, base+q[0], base+q[1], base+q[2], base+q[0], base+q[2], base+q[3])
	}
	return pos, idx
}

// axisView looks along dir (toward the camera), its image plane spanned by the other two axes
// at 10 pixels per unit, over a 100-pixel box centred on the origin.
func axisView(dir [3]float64, u, v int) View {
	return View{
		Dir:     dir,
		Project: func(p [3]float64) (float64, float64) { return 50 + 10*p[u], 50 - 10*p[v] },
		Box:     image.Rect(0, 0, 100, 100),
		Place:   texture.Place{Src: image.Rect(0, 0, 100, 100), Dst: image.Rect(0, 0, 100, 100), W: 100, H: 100},
	}
}

func centroidNormal(pos [][3]float64, idx []uint32, t int) [3]float64 {
	return normal(pos[idx[3*t]], pos[idx[3*t+1]], pos[idx[3*t+2]])
}

// TestChooseFacing: each face of a cube takes the view it faces most squarely; faces no view
// sees from the front take the view straight opposite them.
func TestChooseFacing(t *testing.T) {
	pos, idx := cube(nil, nil, [3]float64{}, 1)
	front := axisView([3]float64{0, 0, 1}, 0, 1)
	top := axisView([3]float64{0, 1, 0}, 0, 2)
	label, err := Choose(context.Background(), pos, idx, []View{front, top})
	if err != nil {
		t.Fatal(err)
	}
	for tri := range label {
		n := centroidNormal(pos, idx, tri)
		want := uint8(0)
		if n[1] > 0.5 || n[1] < -0.5 {
			want = 1
		}
		if n[0] > 0.5 || n[0] < -0.5 {
			continue // neither view faces the sides: either will do
		}
		if label[tri] != want {
			t.Errorf("face with normal %v takes view %d, want %d", n, label[tri], want)
		}
	}
}

// TestChooseOcclusion: a cube hidden behind another from the left camera is coloured from the
// camera that sees it, though the left one faces it more squarely.
func TestChooseOcclusion(t *testing.T) {
	// A wall in front of the left camera, hiding the cube's left face but not its top.
	pos, idx := box(nil, nil, [3]float64{-3.5, -1.5, -1.5}, [3]float64{-2.5, 0.5, 1.5})
	pos, idx = cube(pos, idx, [3]float64{0, 0, 0}, 1)
	left := axisView([3]float64{-1, 0, 0}, 2, 1)
	// A camera up and to the left, seeing the second cube's left face over the first.
	slant := View{
		Dir:     [3]float64{-0.6, 0.8, 0},
		Project: func(p [3]float64) (float64, float64) { return 50 + 10*p[2], 50 - 10*(0.6*p[1]+0.8*p[0]) },
		Box:     image.Rect(0, 0, 100, 100),
		Place:   left.Place,
	}
	label, err := Choose(context.Background(), pos, idx, []View{left, slant})
	if err != nil {
		t.Fatal(err)
	}
	for tri := range label {
		n := centroidNormal(pos, idx, tri)
		if n[0] > -0.5 {
			continue
		}
		hidden := tri >= 12
		if hidden && label[tri] != 1 || !hidden && label[tri] != 0 {
			// The first cube's left face is seen by both; the left camera faces it squarely.
			t.Errorf("left face of box %d takes view %d", tri/12, label[tri])
		}
	}
}

// TestTexturedSeams: a vertex shared by faces of two views is copied, once per view.
func TestTexturedSeams(t *testing.T) {
	pos, idx := cube(nil, nil, [3]float64{}, 1)
	views := []View{axisView([3]float64{0, 0, 1}, 0, 1), axisView([3]float64{0, 1, 0}, 0, 2)}
	label, err := Choose(context.Background(), pos, idx, views)
	if err != nil {
		t.Fatal(err)
	}
	m := Textured(pos, idx, label, views)
	if len(m.Indices) != len(idx) {
		t.Fatalf("%d indices, want %d", len(m.Indices), len(idx))
	}
	// Every corner of the cube is on a face of each view's: 16 copies of 8 corners.
	if len(m.Positions) != 16 {
		t.Errorf("%d vertices, want 16", len(m.Positions))
	}
	for i := range m.Indices {
		p := m.Positions[m.Indices[i]]
		q := pos[idx[i]]
		if p != [3]float32{float32(q[0]), float32(q[1]), float32(q[2])} {
			t.Fatalf("corner %d moved", i)
		}
	}
}

// TestSmoothSeams: a face that alone takes another view than its neighbours, when theirs sees
// it nearly as well, takes theirs; one that their view does not see keeps its own.
func TestSmoothSeams(t *testing.T) {
	// A strip of 8 triangles: quads (i, i+1) along a row, split along a diagonal.
	var idx []uint32
	for i := uint32(0); i < 4; i++ {
		a, b, c, d := i, i+1, i+6, i+5 // vertices 0..4 on the bottom row, 5..9 on the top
		idx = append(idx, a, b, c, a, c, d)
	}
	label := []uint8{0, 0, 0, 1, 0, 0, 0, 0}
	facing := make([]float32, 2*len(label))
	for tri := range label {
		facing[2*tri], facing[2*tri+1] = 0.6, 0.7
	}
	smooth(idx, label, facing, 2)
	if label[3] != 0 {
		t.Errorf("the odd face kept view 1: %v", label)
	}
	label = []uint8{0, 0, 0, 1, 0, 0, 0, 0}
	facing[2*3] = -2 // view 0 does not see face 3
	smooth(idx, label, facing, 2)
	if label[3] != 1 {
		t.Errorf("a face took a view that does not see it: %v", label)
	}
}
