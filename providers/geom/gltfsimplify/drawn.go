package gltfsimplify

import "github.com/qmuntal/gltf"

// Triangles counts the model's triangles the way Document's target counts them. unique counts
// each mesh's triangle primitives once, as the Khronos validator does. drawn counts them once
// per node of the shown scene that draws the mesh, as an engine draws them: the shown scene is
// the default scene, else scene 0, else (a file without scenes) the trees of every root node.
//
// A mesh that no node draws counts once in drawn as well: it is still in the file, importers
// that bring in every mesh still load it, and counting it zero would give it no share of the
// budget, so that it would be brought down to nothing while the meshes on screen kept theirs.
func Triangles(doc *gltf.Document) (unique, drawn int) {
	uses := meshUses(doc)
	for m, mesh := range doc.Meshes {
		for _, p := range mesh.Primitives {
			if n := triangleCount(doc, p); n > 0 {
				unique += n
				drawn += n * uses[m]
			}
		}
	}
	return unique, drawn
}

// meshUses is, per mesh, how many nodes of the shown scene draw it, or 1 when none does (see
// Triangles). Every node is visited once at most, however often it is listed, so a malformed
// tree (a cycle, a node with two parents) cannot make the walk endless; indices out of range
// are skipped.
func meshUses(doc *gltf.Document) []int {
	uses := make([]int, len(doc.Meshes))
	var roots []int
	switch {
	case len(doc.Scenes) > 0:
		s := 0
		if doc.Scene != nil && *doc.Scene >= 0 && *doc.Scene < len(doc.Scenes) {
			s = *doc.Scene
		}
		roots = doc.Scenes[s].Nodes
	default:
		child := make([]bool, len(doc.Nodes))
		for _, n := range doc.Nodes {
			for _, c := range n.Children {
				if c >= 0 && c < len(child) {
					child[c] = true
				}
			}
		}
		for i := range doc.Nodes {
			if !child[i] {
				roots = append(roots, i)
			}
		}
	}
	seen := make([]bool, len(doc.Nodes))
	stack := append([]int(nil), roots...)
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if i < 0 || i >= len(doc.Nodes) || seen[i] {
			continue
		}
		seen[i] = true
		n := doc.Nodes[i]
		if n.Mesh != nil && *n.Mesh >= 0 && *n.Mesh < len(uses) {
			uses[*n.Mesh]++
		}
		stack = append(stack, n.Children...)
	}
	for m, u := range uses {
		if u == 0 {
			uses[m] = 1
		}
	}
	return uses
}
