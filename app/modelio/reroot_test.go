package modelio_test

import (
	"math"
	"testing"

	"github.com/qmuntal/gltf"

	"github.com/kiln3d/kiln/app/modelio"
)

// TestReroot puts every model under a new root that scales to centimetres and moves the pivot:
// the bounds follow exactly, each scene has the one root, and the file written is valid.
func TestReroot(t *testing.T) {
	ioModels(t, func(t *testing.T, path string) {
		m := ioLoad(t, path)
		lo, hi, _, err := m.Bounds()
		if err != nil {
			t.Fatal(err)
		}
		nodes := len(m.Doc.Nodes)
		const scale = 100
		offset := [3]float64{0.5, -2, 3}
		m.Reroot("Root", scale, offset)
		if len(m.Doc.Scenes) == 1 && len(m.Doc.Nodes) != nodes+1 {
			t.Errorf("%d nodes after rerooting %d", len(m.Doc.Nodes), nodes)
		}
		for s, scene := range m.Doc.Scenes {
			if len(scene.Nodes) != 1 || m.Doc.Nodes[scene.Nodes[0]].Name != "Root" {
				t.Errorf("scene %d has the roots %v", s, scene.Nodes)
			}
		}
		ioCheckBounds(t, m, lo, hi, scale, offset)
		ioValidGLB(t, m)
	})
}

// TestRerootNoScene makes scene 0 of a model's root nodes when it has no scene.
func TestRerootNoScene(t *testing.T) {
	m := ioLoad(t, ioCorpus(t, "khronos_BoxTextured.glb"))
	lo, hi, _, err := m.Bounds()
	if err != nil {
		t.Fatal(err)
	}
	m.Doc.Scenes, m.Doc.Scene = nil, nil
	m.Reroot("Pivot", 2, [3]float64{0, 1, 0})
	if m.Doc.Scene == nil || *m.Doc.Scene != 0 || len(m.Doc.Scenes) != 1 || len(m.Doc.Scenes[0].Nodes) != 1 {
		t.Fatalf("scene %v, scenes %d", m.Doc.Scene, len(m.Doc.Scenes))
	}
	root := m.Doc.Nodes[m.Doc.Scenes[0].Nodes[0]]
	if root.Name != "Pivot" || len(root.Children) == 0 {
		t.Errorf("the new root %+v", root)
	}
	ioCheckBounds(t, m, lo, hi, 2, [3]float64{0, 1, 0})
	ioValidGLB(t, m)
}

// TestRerootSharedScenes gives scenes with the same roots one new root between them (a node has
// one parent), and a scene of its own roots a root of its own.
func TestRerootSharedScenes(t *testing.T) {
	m := ioLoad(t, ioCorpus(t, "khronos_BoxTextured.glb"))
	roots := m.Doc.Scenes[0].Nodes
	m.Doc.Nodes = append(m.Doc.Nodes, &gltf.Node{Name: "lamp"})
	lamp := len(m.Doc.Nodes) - 1
	m.Doc.Scenes = append(m.Doc.Scenes,
		&gltf.Scene{Name: "again", Nodes: append([]int(nil), roots...)},
		&gltf.Scene{Name: "lamp", Nodes: []int{lamp}})
	m.Reroot("Root", 1, [3]float64{})
	s := m.Doc.Scenes
	if s[0].Nodes[0] != s[1].Nodes[0] || s[2].Nodes[0] == s[0].Nodes[0] {
		t.Errorf("scene roots %v %v %v", s[0].Nodes, s[1].Nodes, s[2].Nodes)
	}
	if c := m.Doc.Nodes[s[2].Nodes[0]].Children; len(c) != 1 || c[0] != lamp {
		t.Errorf("the lamp scene's root has the children %v", c)
	}
	ioValidGLB(t, m)
}

// ioCheckBounds checks that the model's bounds are scale·[lo, hi] + offset.
func ioCheckBounds(t *testing.T, m *modelio.Model, lo, hi [3]float64, scale float64, offset [3]float64) {
	t.Helper()
	nlo, nhi, ok, err := m.Bounds()
	if err != nil || !ok {
		t.Fatalf("bounds: %v %v", ok, err)
	}
	for k := range 3 {
		wantLo, wantHi := scale*lo[k]+offset[k], scale*hi[k]+offset[k]
		tol := 1e-9 * (1 + math.Abs(wantLo) + math.Abs(wantHi))
		if math.Abs(nlo[k]-wantLo) > tol || math.Abs(nhi[k]-wantHi) > tol {
			t.Errorf("axis %d: [%g, %g], want [%g, %g]", k, nlo[k], nhi[k], wantLo, wantHi)
		}
	}
}
