package modelio_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/qmuntal/gltf"

	"github.com/kiln3d/kiln/app/modelio"
)

func TestKindString(t *testing.T) {
	var got []string
	for k := modelio.KindNode; k <= modelio.KindScene; k++ {
		got = append(got, k.String())
	}
	want := []string{"node", "mesh", "material", "image", "texture", "animation", "skin", "scene"}
	if !slices.Equal(got, want) || modelio.Kind(99).String() != "Kind(99)" {
		t.Errorf("%v, %s", got, modelio.Kind(99))
	}
}

// TestRename names every object of each model after its kind: each gets its name, unique within
// its kind, and the file stays valid.
func TestRename(t *testing.T) {
	ioModels(t, func(t *testing.T, path string) {
		m := ioLoad(t, path)
		seen := map[modelio.Kind]int{}
		m.Rename(func(kind modelio.Kind, i int, old string) string {
			if i != seen[kind] {
				t.Fatalf("%s %d asked after %d", kind, i, seen[kind])
			}
			seen[kind]++
			return kind.String()
		})
		counts := map[modelio.Kind]int{
			modelio.KindNode: len(m.Doc.Nodes), modelio.KindMesh: len(m.Doc.Meshes), modelio.KindMaterial: len(m.Doc.Materials),
			modelio.KindImage: len(m.Doc.Images), modelio.KindTexture: len(m.Doc.Textures), modelio.KindAnimation: len(m.Doc.Animations),
			modelio.KindSkin: len(m.Doc.Skins), modelio.KindScene: len(m.Doc.Scenes),
		}
		for kind, n := range counts {
			if seen[kind] != n {
				t.Errorf("%d %ss named of %d", seen[kind], kind, n)
			}
		}
		for kind, names := range ioNames(m) {
			for i, name := range names {
				want := kind.String()
				if i > 0 {
					want = fmt.Sprintf("%s_%d", kind, i+1)
				}
				if name != want {
					t.Errorf("%s %d is called %q, want %q", kind, i, name, want)
				}
			}
		}
		ioValidGLB(t, m)
	})
}

// TestRenameUnique keeps the first of equal names, gives later ones the first suffix no other
// object has, and leaves empty names empty.
func TestRenameUnique(t *testing.T) {
	m := ioLoad(t, ioCorpus(t, "khronos_BoxTextured.glb"))
	for range 6 {
		m.Doc.Nodes = append(m.Doc.Nodes, &gltf.Node{})
	}
	given := []string{"a", "a", "a_2", "", "", "a", "b"}
	var old []string
	m.Rename(func(kind modelio.Kind, i int, was string) string {
		if kind != modelio.KindNode {
			return was
		}
		old = append(old, was)
		if i < len(given) {
			return given[i]
		}
		return fmt.Sprint("other", i)
	})
	got := ioNames(m)[modelio.KindNode][:len(given)]
	want := []string{"a", "a_3", "a_2", "", "", "a_4", "b"}
	if !slices.Equal(got, want) {
		t.Errorf("names %q, want %q", got, want)
	}
	if old[len(old)-1] != "" || len(old) != len(m.Doc.Nodes) {
		t.Errorf("the old names given: %q", old)
	}
}

// ioNames lists the names of each kind of object.
func ioNames(m *modelio.Model) map[modelio.Kind][]string {
	out := map[modelio.Kind][]string{}
	add := func(k modelio.Kind, name string) { out[k] = append(out[k], name) }
	for _, o := range m.Doc.Nodes {
		add(modelio.KindNode, o.Name)
	}
	for _, o := range m.Doc.Meshes {
		add(modelio.KindMesh, o.Name)
	}
	for _, o := range m.Doc.Materials {
		add(modelio.KindMaterial, o.Name)
	}
	for _, o := range m.Doc.Images {
		add(modelio.KindImage, o.Name)
	}
	for _, o := range m.Doc.Textures {
		add(modelio.KindTexture, o.Name)
	}
	for _, o := range m.Doc.Animations {
		add(modelio.KindAnimation, o.Name)
	}
	for _, o := range m.Doc.Skins {
		add(modelio.KindSkin, o.Name)
	}
	for _, o := range m.Doc.Scenes {
		add(modelio.KindScene, o.Name)
	}
	return out
}
