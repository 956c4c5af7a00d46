package modelio

import (
	"fmt"
	"slices"

	"github.com/qmuntal/gltf"
)

// Reroot gives every scene one new root node called name, with a uniform scale and a
// translation, and makes the scene's old roots its children: a vertex drawn at w(p) is then drawn
// at scale·w(p) + offset. This is how an export moves the pivot and changes units without
// touching a vertex, and it keeps animated roots animating (their own transforms are untouched).
// scale must be positive: glTF reads a zero scale as none.
//
// A model without scenes first gets scene 0 made of its root nodes, and that scene is shown.
// Scenes listing the same roots share one new root, for a node has at most one parent; a node
// that is a root of several scenes with different roots goes under the new root of the first such
// scene (the shown one first) and leaves the others, which glTF cannot express otherwise without
// copying nodes.
func (m *Model) Reroot(name string, scale float64, offset [3]float64) {
	doc := m.Doc
	if len(doc.Scenes) == 0 {
		doc.Scenes = []*gltf.Scene{{Nodes: rootNodes(doc)}}
		doc.Scene = gltf.Index(0)
	}
	order := make([]int, 0, len(doc.Scenes))
	if doc.Scene != nil && *doc.Scene >= 0 && *doc.Scene < len(doc.Scenes) {
		order = append(order, *doc.Scene)
	}
	for i := range doc.Scenes {
		if len(order) == 0 || i != order[0] {
			order = append(order, i)
		}
	}
	adopted := map[int]bool{} // old roots given a parent so far
	made := map[string]int{}  // a scene's old root list → the new root made for it
	for _, s := range order {
		scene := doc.Scenes[s]
		key := fmt.Sprint(slices.Sorted(slices.Values(scene.Nodes)))
		if root, ok := made[key]; ok {
			scene.Nodes = []int{root}
			continue
		}
		var children []int
		for _, n := range scene.Nodes {
			if n >= 0 && n < len(doc.Nodes) && !adopted[n] && !slices.Contains(children, n) {
				children = append(children, n)
				adopted[n] = true
			}
		}
		doc.Nodes = append(doc.Nodes, &gltf.Node{
			Name:        name,
			Children:    children,
			Matrix:      gltf.DefaultMatrix,
			Rotation:    gltf.DefaultRotation,
			Scale:       [3]float64{scale, scale, scale},
			Translation: offset,
		})
		root := len(doc.Nodes) - 1
		made[key] = root
		scene.Nodes = []int{root}
	}
}

// rootNodes lists the nodes that are nobody's child, in order.
func rootNodes(doc *gltf.Document) []int {
	child := make([]bool, len(doc.Nodes))
	for _, n := range doc.Nodes {
		for _, c := range n.Children {
			if c >= 0 && c < len(child) {
				child[c] = true
			}
		}
	}
	var roots []int
	for i, c := range child {
		if !c {
			roots = append(roots, i)
		}
	}
	return roots
}
