package modelio

import (
	"fmt"
	"strconv"

	"github.com/qmuntal/gltf"
)

// Kind is a kind of named glTF object.
type Kind int

// The kinds of object Rename names, in the order it visits them.
const (
	KindNode Kind = iota
	KindMesh
	KindMaterial
	KindImage
	KindTexture
	KindAnimation
	KindSkin
	KindScene
)

// String is the kind as glTF names its array, in the singular: "node", "mesh"…
func (k Kind) String() string {
	switch k {
	case KindNode:
		return "node"
	case KindMesh:
		return "mesh"
	case KindMaterial:
		return "material"
	case KindImage:
		return "image"
	case KindTexture:
		return "texture"
	case KindAnimation:
		return "animation"
	case KindSkin:
		return "skin"
	case KindScene:
		return "scene"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Rename sets the name of every node, mesh, material, image, texture, animation, skin and scene
// to what name returns for it (its kind, its index among its kind, its name now), then makes the
// names of each kind unique: the first object keeps a name, later ones with the same name get
// "_2", "_3"… appended (skipping any suffix another object already has). An empty name stays
// empty and is never counted as a duplicate.
//
// The policy is the caller's: which characters an engine accepts, how long a name may be, what
// an unnamed object is called. Rename only applies it and guarantees uniqueness, which suffixes
// of letters, digits and "_" keep within any policy that allows those.
func (m *Model) Rename(name func(kind Kind, index int, old string) string) {
	doc := m.Doc
	byKind := map[Kind][]*string{
		KindNode:      names(doc.Nodes, func(o *gltf.Node) *string { return &o.Name }),
		KindMesh:      names(doc.Meshes, func(o *gltf.Mesh) *string { return &o.Name }),
		KindMaterial:  names(doc.Materials, func(o *gltf.Material) *string { return &o.Name }),
		KindImage:     names(doc.Images, func(o *gltf.Image) *string { return &o.Name }),
		KindTexture:   names(doc.Textures, func(o *gltf.Texture) *string { return &o.Name }),
		KindAnimation: names(doc.Animations, func(o *gltf.Animation) *string { return &o.Name }),
		KindSkin:      names(doc.Skins, func(o *gltf.Skin) *string { return &o.Name }),
		KindScene:     names(doc.Scenes, func(o *gltf.Scene) *string { return &o.Name }),
	}
	for kind := KindNode; kind <= KindScene; kind++ {
		ptrs := byKind[kind]
		renamed := make([]string, len(ptrs))
		for i, p := range ptrs {
			renamed[i] = name(kind, i, *p)
		}
		for i, n := range uniqueNames(renamed) {
			*ptrs[i] = n
		}
	}
}

// names is where each object of a list keeps its name.
func names[T any](objects []*T, name func(*T) *string) []*string {
	out := make([]*string, len(objects))
	for i, o := range objects {
		out[i] = name(o)
	}
	return out
}

// uniqueNames returns names with every repeat after the first given the first free suffix "_2",
// "_3"…: free of the names given and of the suffixes already handed out. Empty names stay empty.
func uniqueNames(names []string) []string {
	given := make(map[string]bool, len(names))
	for _, n := range names {
		given[n] = true
	}
	used := make(map[string]bool, len(names))
	next := map[string]int{} // the next suffix to try for a name
	out := make([]string, len(names))
	for i, n := range names {
		if n == "" || !used[n] {
			out[i], used[n] = n, true
			continue
		}
		k := max(next[n], 2)
		for given[fmt.Sprintf("%s_%d", n, k)] || used[fmt.Sprintf("%s_%d", n, k)] {
			k++
		}
		next[n] = k + 1
		out[i] = fmt.Sprintf("%s_%d", n, k)
		used[out[i]] = true
	}
	return out
}
