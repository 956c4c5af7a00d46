package g3n

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"slices"

	"github.com/qmuntal/gltf"

	"github.com/kiln3d/kiln/preview/inspect"
)

// scene is a model parsed and decoded on the CPU, ready for the GPU thread to upload: the
// slow half of a load, done on the caller's goroutine so the render thread keeps drawing.
//
// It is built from qmuntal/gltf (which inspect has already vetted) rather than g3n's own glTF
// loader: that loader panics on bad input, trips checkptr under -race, draws KHR_materials_unlit
// as nothing, refuses any other material extension outright, reads interleaved vertex buffers
// wrongly and normalised UVs un-normalised, and refuses skinned meshes of several primitives.
type scene struct {
	report    *inspect.Report
	meshes    []*meshData
	materials []materialData
	textures  []*textureData
	instances []instance
	// anim plays the model's clips; nil when it has none.
	anim *animator
	// lo and hi bound the drawn scene in world space (glTF axes, metres), in the rest pose:
	// the camera frames the model on them whatever clip plays, so that the picture holds
	// still while the model moves in it (a frame that followed each pose's extent would
	// pump in and out with a walk cycle, and cost a pass over the posed vertices a frame).
	lo, hi [3]float64
	// warnings are the preview's own, added to the report.
	warnings []string
}

// instance is one mesh primitive drawn at one place.
type instance struct {
	mesh, material int // material −1 is the preview's neutral default
	node           int
	world          [16]float64
}

// mirrored says the instance's transform turns the model inside out (negative determinant):
// its front faces wind clockwise on screen.
func (in instance) mirrored() bool {
	m := in.world
	det := m[0]*(m[5]*m[10]-m[9]*m[6]) - m[4]*(m[1]*m[10]-m[9]*m[2]) + m[8]*(m[1]*m[6]-m[5]*m[2])
	return det < 0
}

// loadScene checks the model at path with inspect and builds the scene from the very document
// inspect checked: the file is read once, so nothing swapped in after the check (a FIFO, a buffer
// claiming a terabyte) ever reaches the decoder.
func loadScene(ctx context.Context, path string) (*scene, error) {
	doc, rep, err := inspect.Load(path)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s, err := buildScene(ctx, path, doc)
	if err != nil {
		return nil, err
	}
	s.report = rep
	for _, w := range s.warnings {
		rep.Warnings = append(rep.Warnings, w)
		rep.Issues = append(rep.Issues, inspect.Issue{Severity: inspect.SeverityWarning, Code: inspect.CodeLimit, Pointer: "/animations", Message: w})
	}
	return s, nil
}

// maxDrawnElements bounds the vertices (each morph target counted) and indices a scene reads for
// drawing, about two gigabytes: a 10-million-triangle scan holds about 35 million.
var maxDrawnElements int64 = 60_000_000

// drawnTotal counts what buildScene will read for drawing, before it reads anything: each
// primitive once, or once per node when the node skins or morphs it (specific).
func drawnTotal(doc *gltf.Document, worlds []*[16]float64, specific func(node int) bool) int64 {
	type key struct{ mesh, prim int }
	seen := map[key]bool{}
	var total int64
	for ni, world := range worlds {
		node := doc.Nodes[ni]
		if node.Mesh == nil || world == nil {
			continue
		}
		own := specific(ni)
		for pi, p := range doc.Meshes[*node.Mesh].Primitives {
			k := key{*node.Mesh, pi}
			if seen[k] && !own {
				continue
			}
			seen[k] = seen[k] || !own
			total += drawnElements(doc, p)
		}
	}
	return total
}

// drawnVertices is primitive p's vertex count.
func drawnVertices(doc *gltf.Document, p *gltf.Primitive) int64 {
	if pi, ok := p.Attributes[gltf.POSITION]; ok {
		return int64(doc.Accessors[pi].Count)
	}
	return 0
}

func appendOnce(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

// drawnElements is what reading primitive p for drawing holds: its vertices, once more per
// morph target, and its indices.
func drawnElements(doc *gltf.Document, p *gltf.Primitive) int64 {
	var n int64
	if pi, ok := p.Attributes[gltf.POSITION]; ok {
		n += int64(doc.Accessors[pi].Count) * int64(1+len(p.Targets))
	}
	if p.Indices != nil {
		n += int64(doc.Accessors[*p.Indices].Count)
	}
	return n
}

// buildScene flattens the default scene into instances, reads each primitive once (once per
// node when skinning or morph weights make it node-specific) and decodes the textures.
func buildScene(ctx context.Context, path string, doc *gltf.Document) (s *scene, err error) {
	defer func() {
		// qmuntal's readers return errors, but a model is untrusted input: no panic escapes.
		if r := recover(); r != nil {
			s, err = nil, fmt.Errorf("g3n: %s: cannot read the model (%v)", filepath.Base(path), r)
		}
	}()
	s = &scene{}
	worlds := inspect.WorldMatrices(doc)
	anim := newAnimator(doc, worlds)
	// A node's primitives are its own (not shared with other nodes drawing the mesh) when it
	// skins them, gives them its own morph weights, or a clip animates those weights.
	specific := func(ni int) bool {
		n := doc.Nodes[ni]
		return n.Skin != nil || len(n.Weights) > 0 || (anim != nil && anim.morphs(ni))
	}
	posed := 0 // vertices kept for re-posing
	type key struct{ mesh, prim int }
	shared := map[key]int{}
	usedTextures := map[int]int{} // glTF texture → s.textures index
	materialIndex := map[int]int{}
	// Many primitives (or skinned nodes) can read one large accessor: what will be read for
	// drawing is counted first and bounded, not only the file's size.
	if n := drawnTotal(doc, worlds, specific); n > maxDrawnElements {
		return nil, &inspect.Error{File: path, Reason: fmt.Sprintf(
			"drawing it means reading %d million vertices and indices (its meshes share large parts), more than the %d million the preview takes",
			n/1_000_000, maxDrawnElements/1_000_000)}
	}
	for ni, world := range worlds {
		node := doc.Nodes[ni]
		if node.Mesh == nil || world == nil {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		mesh := doc.Meshes[*node.Mesh]
		weights := mesh.Weights
		if len(node.Weights) > 0 {
			weights = node.Weights
		}
		var skin [][16]float64
		if node.Skin != nil {
			if skin, err = skinMatrices(doc, *node.Skin, worlds); err != nil {
				return nil, fmt.Errorf("g3n: %s: %w", filepath.Base(path), err)
			}
		}
		own := specific(ni)
		// The clips deform this node's primitives when they move its skin's joints or its
		// morph weights; its transform alone moves it otherwise.
		deformed := anim != nil && ((node.Skin != nil && anim.skinMoves(doc, *node.Skin)) || anim.morphs(ni))
		moved := anim != nil && skin == nil && anim.movesNode(ni)
		for pi, p := range mesh.Primitives {
			mat := -1
			if p.Material != nil {
				mi, ok := materialIndex[*p.Material]
				if !ok {
					mi = len(s.materials)
					s.materials = append(s.materials, readMaterial(doc, doc.Materials[*p.Material], usedTextures))
					materialIndex[*p.Material] = mi
				}
				mat = mi
			}
			uvSet := 0
			if mat >= 0 {
				uvSet = s.materials[mat].uvSet
			}
			k := key{*node.Mesh, pi}
			mi, ok := shared[k]
			if !ok || own {
				keep := deformed
				if keep && posed+int(drawnVertices(doc, p)) > maxPosedVertices {
					keep = false
					s.warnings = appendOnce(s.warnings, fmt.Sprintf(
						"animation: more than %d skinned or morphed vertices; the rest stay in their rest pose while the clips play", maxPosedVertices))
				}
				md, d, err := readPrimitive(doc, p, uvSet, weights, skin, keep)
				if err != nil {
					return nil, fmt.Errorf("g3n: %s: mesh %d primitive %d: %w", filepath.Base(path), *node.Mesh, pi, err)
				}
				if md == nil {
					continue // points, lines or no positions: nothing to shade
				}
				mi = len(s.meshes)
				s.meshes = append(s.meshes, md)
				if !own {
					shared[k] = mi
				}
				if d != nil {
					d.mesh, d.node = mi, ni
					if node.Skin != nil {
						d.skin = *node.Skin
					}
					posed += d.vertices()
					anim.deformers = append(anim.deformers, d)
				}
			}
			if moved {
				anim.rigid = append(anim.rigid, rigidPart{instance: len(s.instances), node: ni})
			}
			in := instance{mesh: mi, material: mat, node: ni, world: *world}
			if skin != nil {
				// Skinned vertices are already in world space; the node's own transform is
				// ignored, as the glTF spec says.
				in.world = inspect.Identity
			}
			s.instances = append(s.instances, in)
		}
	}
	if s.textures, err = decodeTextures(ctx, path, doc, usedTextures); err != nil {
		return nil, err
	}
	if anim != nil {
		anim.finish()
		s.anim = anim
	}
	s.bound()
	return s, nil
}

// bound sets the scene's box from each instance's transformed mesh box.
func (s *scene) bound() {
	s.lo = [3]float64{math.Inf(1), math.Inf(1), math.Inf(1)}
	s.hi = [3]float64{math.Inf(-1), math.Inf(-1), math.Inf(-1)}
	for _, in := range s.instances {
		m := s.meshes[in.mesh]
		for corner := range 8 {
			var p [3]float64
			for k := range 3 {
				p[k] = float64(m.lo[k])
				if corner&(1<<k) != 0 {
					p[k] = float64(m.hi[k])
				}
			}
			w := transform(in.world, p)
			for k := range 3 {
				s.lo[k], s.hi[k] = math.Min(s.lo[k], w[k]), math.Max(s.hi[k], w[k])
			}
		}
	}
	if len(s.instances) == 0 {
		s.lo, s.hi = [3]float64{-0.5, 0, -0.5}, [3]float64{0.5, 1, 0.5}
	}
}

// sphere is the scene's bounding sphere: the centre and half-diagonal of its box.
func (s *scene) sphere() (centre [3]float64, radius float64) {
	var d2 float64
	for k := range 3 {
		centre[k] = (s.lo[k] + s.hi[k]) / 2
		d := s.hi[k] - s.lo[k]
		d2 += d * d
	}
	radius = math.Sqrt(d2) / 2
	if !(radius > 1e-9) || math.IsInf(radius, 0) {
		radius = 1
	}
	return centre, radius
}

// transform applies the affine matrix m to point p.
func transform(m [16]float64, p [3]float64) [3]float64 {
	return [3]float64{
		m[0]*p[0] + m[4]*p[1] + m[8]*p[2] + m[12],
		m[1]*p[0] + m[5]*p[1] + m[9]*p[2] + m[13],
		m[2]*p[0] + m[6]*p[1] + m[10]*p[2] + m[14],
	}
}
