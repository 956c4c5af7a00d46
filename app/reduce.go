package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"github.com/kiln3d/kiln/providers/atomicfile"
	"io"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/kiln3d/kiln/preview/inspect"
	"github.com/kiln3d/kiln/providers/geom/gltfsimplify"
)

// MinReduceTarget is the smallest triangle budget Reduce and SimplifyFile accept.
const MinReduceTarget = 4

// TriangleCounts are a model's triangles before and after a simplification: each mesh once
// (what the file holds, the Khronos validator's count), and once per node that draws it (what an
// engine draws, and what a budget counts; see gltfsimplify.Triangles).
type TriangleCounts struct {
	Before, After           int
	DrawnBefore, DrawnAfter int
}

// SimplifyFile brings the model at in down to about target triangles drawn, never more, and
// writes it to out (a .glb, atomically), whatever provider made it. A model that draws no more
// than target is written as it is, packed into one .glb. A target below what the model can come
// down to is refused with an error wrapping gltfsimplify.ErrBudget, and nothing is written. An
// existing out is replaced only when replace is set; otherwise the error wraps ErrExists.
func SimplifyFile(ctx context.Context, in, out string, target int, replace bool, report func(float64)) (TriangleCounts, error) {
	if target < MinReduceTarget {
		return TriangleCounts{}, fmt.Errorf("a budget of %d triangles is too small (at least %d)", target, MinReduceTarget)
	}
	if ext := strings.ToLower(filepath.Ext(out)); ext != ".glb" {
		return TriangleCounts{}, fmt.Errorf("%s: Kiln writes simplified models as .glb; name the file .glb", filepath.Base(out))
	}
	res, err := simplifyChecked(ctx, in, target, nil, report)
	if err != nil {
		return TriangleCounts{}, err
	}
	write := atomicfile.Create
	if replace {
		write = atomicfile.Write
	}
	err = write(out, 0o644, func(w io.Writer) error {
		_, err := io.Copy(w, bytes.NewReader(res.GLB))
		return err
	})
	if errors.Is(err, fs.ErrExist) {
		err = fmt.Errorf("%s %w (use --force to replace it)", out, ErrExists)
	}
	return TriangleCounts{Before: res.Before, After: res.After, DrawnBefore: res.DrawnBefore, DrawnAfter: res.DrawnAfter}, err
}

// Reduce makes a copy of a library asset brought down to about target triangles drawn, never
// more (a mesh counts once per node that draws it), and files it as a new asset that records
// where it came from; its name says the triangles drawn. The original is left as it was. A
// target the model already meets is refused, and one below what it can come down to is refused
// with an error wrapping gltfsimplify.ErrBudget.
func (k *Kiln) Reduce(ctx context.Context, assetID string, target int, report func(float64)) (Asset, error) {
	src, err := k.Library.Get(assetID)
	if err != nil {
		return Asset{}, err
	}
	if err := src.Err(); err != nil {
		return Asset{}, err
	}
	if !src.Downloaded() {
		return Asset{}, fmt.Errorf("%s: download the model before reducing it", src.Name)
	}
	// The asset's Triangles count each mesh once; what an engine draws, and the budget counts,
	// can be more.
	within := func(drawn int) error {
		if target >= drawn {
			return fmt.Errorf("%s draws %d triangles: ask for fewer to reduce it", src.Name, drawn)
		}
		return nil
	}
	res, err := simplifyChecked(ctx, src.ModelPath(), target, within, report)
	if err != nil {
		return Asset{}, err
	}
	name := fmt.Sprintf("%s (%d triangles)", src.Name, res.DrawnAfter)
	a, err := k.Library.fileDerived(src, Derivation{Asset: src.ID, Operation: "reduce", Polycount: target}, name, res.GLB)
	if err != nil {
		return Asset{}, fmt.Errorf("reduce %s: %w", src.Name, err)
	}
	return a, nil
}

// maxSimplifyElements bounds the vertices and triangle corners a simplification reads, about
// 5 GB of working memory: a 20-million-triangle scan holds about 70 million.
var maxSimplifyElements int64 = 100_000_000

// simplifyChecked simplifies the model at path after the model check, from the very document
// the check read: the file is opened once, so a file swapped after the check is never what
// gets simplified. refuse, when not nil, is given the triangles the model draws (counted as the
// target counts them) and may refuse the target before any work.
//
// What the simplifier reads is bounded too: many meshes can share one large accessor, and each is
// read whole, so an 870 KB file can mean 42 million triangles (9 GB and 90 s before this check).
func simplifyChecked(ctx context.Context, path string, target int, refuse func(drawn int) error, report func(float64)) (*gltfsimplify.Result, error) {
	doc, rep, err := inspect.Load(path)
	if err != nil {
		return nil, &ModelError{Err: err}
	}
	if n := int64(rep.Vertices) + 3*int64(rep.Triangles); n > maxSimplifyElements {
		return nil, &ModelError{Err: &inspect.Error{File: path, Reason: fmt.Sprintf(
			"its meshes hold %d million vertices and triangle corners, more than the %d million Kiln simplifies (split the model, or reduce it in Blender first)",
			n/1_000_000, maxSimplifyElements/1_000_000)}}
	}
	if refuse != nil {
		_, drawn := gltfsimplify.Triangles(doc)
		if err := refuse(drawn); err != nil {
			return nil, err
		}
	}
	return gltfsimplify.Document(ctx, doc, path, target, report)
}
