// Package gltfsimplify brings a whole glTF 2.0 model to a triangle budget: every triangle
// primitive is simplified (providers/geom/simplify) in proportion to its size, and everything
// else (nodes, materials, textures, skins, animations, morph targets, extensions it does not
// touch) is kept as it was. The result is one self-contained GLB, returned as bytes for the
// caller to write (atomically: see app.WriteFileAtomic).
package gltfsimplify

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/qmuntal/gltf"
)

// Result is a simplified model.
type Result struct {
	// GLB is the whole model as one binary glTF, textures embedded.
	GLB []byte
	// Before and After count the triangles of the meshes' triangle primitives, each mesh once
	// however many nodes show it (the Khronos validator's totalTriangleCount): what the file
	// holds.
	Before, After int
	// DrawnBefore and DrawnAfter count them once per node that draws them (see Triangles):
	// what an engine draws, and what the target counts. DrawnAfter is never above the target.
	DrawnBefore, DrawnAfter int
}

// File simplifies the model at path (.glb, or .gltf with its external files) to about target
// triangles drawn, never more: a mesh that several nodes show counts once per node, as an
// engine draws it (see Triangles). A model that draws no more than target is only repacked.
// Points and lines are kept unchanged; strips and fans become triangle lists. report, when not
// nil, is told the progress (0 to 1, never going back) from File's goroutine.
//
// A file that is not glTF 2.0, or is Draco- or meshopt-compressed, or holds invalid geometry is
// refused with an error wrapping ErrUnsupported or ErrUnreadable that says why. A target below
// what the model can come down to is refused with a *BudgetError (ErrBudget) that says the
// fewest triangles it reached.
func File(ctx context.Context, path string, target int, report func(float64)) (*Result, error) {
	doc, err := open(path)
	if err != nil {
		return nil, err
	}
	return Document(ctx, doc, path, target, report)
}

// Document is File for a model already decoded from path, its buffers loaded: a caller that
// has checked the file (app checks every model with the preview's inspection first) hands over
// the document it checked, so that what is simplified is exactly what was checked, not a file
// that may have been swapped since. External textures are read from path's folder (regular
// files inside it only). Document takes doc over: it rewrites it, and the caller must not use it
// afterwards.
func Document(ctx context.Context, doc *gltf.Document, path string, target int, report func(float64)) (res *Result, err error) {
	name := filepath.Base(path)
	defer func() {
		// The decoder and the document it builds can hide surprises; a model must never take
		// the application down.
		if r := recover(); r != nil {
			res, err = nil, fmt.Errorf("gltfsimplify: %s is %w: %v", name, ErrUnreadable, r)
		}
	}()
	if target < 0 {
		return nil, fmt.Errorf("gltfsimplify: a target of %d triangles", target)
	}
	if err := simplifiable(path, doc); err != nil {
		return nil, err
	}
	progress := monotonic(report)
	uses := meshUses(doc)
	var prims []*primitive
	before, drawnBefore := 0, 0
	for m, mesh := range doc.Meshes {
		for i, p := range mesh.Primitives {
			if triangleCount(doc, p) < 0 {
				continue
			}
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("gltfsimplify: %w", err)
			}
			pr, err := readPrimitive(doc, m, i)
			if err != nil {
				return nil, unsupported(path, err.Error())
			}
			pr.uses = uses[m]
			prims = append(prims, pr)
			before += pr.triangles
			drawnBefore += pr.triangles * pr.uses
		}
	}
	progress(0.05)

	b := newBuilder(doc)
	after, drawnAfter := before, drawnBefore
	if target < drawnBefore {
		out, err := simplifyAll(ctx, prims, target, func(d float64) { progress(0.05 + 0.85*d) })
		if err != nil {
			return nil, fmt.Errorf("gltfsimplify: %s: %w", name, err)
		}
		after, drawnAfter = 0, 0
		for i, pr := range prims {
			n := kept(pr, out[i])
			after += n
			drawnAfter += n * pr.uses
			if len(out[i]) > 0 {
				b.rewrite(pr, out[i])
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("gltfsimplify: %w", err)
	}
	progress(0.9)
	glb, err := b.pack(filepath.Dir(path))
	if err != nil {
		return nil, err
	}
	progress(1)
	return &Result{GLB: glb, Before: before, After: after, DrawnBefore: drawnBefore, DrawnAfter: drawnAfter}, nil
}

// monotonic wraps report so that progress never goes backwards.
func monotonic(report func(float64)) func(float64) {
	last := 0.0
	return func(d float64) {
		if report != nil && d >= last {
			last = d
			report(min(d, 1))
		}
	}
}
