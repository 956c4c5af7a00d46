// Package obj writes a modelio.Model as Wavefront OBJ: the .obj, its .mtl beside it and each
// texture the materials use as its own image file, for Unity's built-in OBJ importer, Blender's
// obj_import and the many tools that read nothing newer.
//
// OBJ has no scene graph, so every mesh a node draws is baked into world space, once per node.
// What OBJ cannot say is left out: animation, skins (a skinned mesh is written as its node
// places it, as the preview's bounds measure it), morph targets, vertex colours, UV sets other
// than the one the base colour texture reads, and KHR_texture_transform (its offset, scale and
// rotation are not applied to the UVs: an atlas that relies on it will look wrong, and the .mtl
// says so in a comment on each material concerned).
package obj

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/kiln3d/kiln/app/modelio"
	"github.com/kiln3d/kiln/providers/atomicfile"
)

// Options says how the model is written.
type Options struct {
	// Up is the up axis written: "y" (OBJ's usual, glTF's own; "" means "y") or "z" (Z-up
	// tools: the model is rotated so glTF +Y becomes +Z and glTF front +Z faces −Y, as
	// Blender's Z-up convention expects).
	//
	// Importers that assume OBJ is Y-up turn it themselves: Blender's obj_import with its
	// defaults (Up Y, Forward −Z) stands a "y" file upright with its front to −Y, and lays a
	// "z" file on its back. "z" is for importers that take the axes as written, such as
	// Blender's with Up Z and Forward Y, which places a "z" file exactly as the defaults place
	// a "y" one.
	Up string
	// Scale multiplies every position: 1 for metres, 100 for centimetres (0 means 1).
	Scale float64
	// Replace allows overwriting existing files.
	Replace bool
}

// Write writes path (.obj), STEM.mtl beside it, and each texture the materials use as its own
// image file (STEM_<image>.png or .jpg); returns every file written, the .obj first.
//
// Without Replace, when any of the files exists nothing is written and the error wraps
// fs.ErrExist. Every file is written atomically and the .obj appears last, so a reader that
// waits for it finds its companions; a failed or cancelled Write leaves no file it created.
// Texture transforms (KHR_texture_transform) are not applied: see the package comment.
func Write(ctx context.Context, m *modelio.Model, path string, opt Options) ([]string, error) {
	zUp, scale, err := opt.check()
	if err != nil {
		return nil, err
	}
	dir, base := filepath.Split(path)
	stem := strings.TrimSuffix(base, filepath.Ext(base))
	if stem == "" {
		return nil, fmt.Errorf("obj: %q names no file", path)
	}
	draws := m.Draws()
	mats, err := planMaterials(ctx, m.Doc, stem, draws)
	if err != nil {
		return nil, err
	}
	mtlName := stem + ".mtl"
	companions := []file{{name: mtlName, data: mats.mtl}}
	companions = append(companions, mats.images...)
	files := []string{path}
	for _, c := range companions {
		if strings.EqualFold(c.name, base) {
			return nil, fmt.Errorf("obj: %s would be both the .obj and its %s", path, filepath.Ext(c.name))
		}
		files = append(files, filepath.Join(dir, c.name))
	}

	existed := map[string]bool{}
	for _, f := range files {
		_, err := os.Lstat(f)
		switch {
		case err == nil && !opt.Replace:
			return nil, fmt.Errorf("obj: %s: %w", f, fs.ErrExist)
		case err == nil:
			existed[f] = true
		case !errors.Is(err, fs.ErrNotExist):
			return nil, fmt.Errorf("obj: %w", err)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	publish := atomicfile.Create
	if opt.Replace {
		publish = atomicfile.Write
	}
	var created []string
	var companionErr error
	g := geometry{ctx: ctx, doc: m.Doc, zUp: zUp, scale: scale, materials: mats.names, fallback: mats.fallback}
	err = publish(path, 0o644, func(w io.Writer) error {
		// The .obj is the long part and the one a cancel interrupts: it is written in full to
		// its temporary file first, and only then do its companions appear, the .obj last.
		if err := g.write(w, mtlName, draws); err != nil {
			return err
		}
		for i, c := range companions {
			if err := publish(files[i+1], 0o644, bytesWriter(c.data)); err != nil {
				companionErr = err
				return err
			}
			if !existed[files[i+1]] {
				created = append(created, files[i+1])
			}
		}
		return nil
	})
	if err != nil {
		for _, f := range created {
			os.Remove(f)
		}
		if companionErr != nil {
			err = companionErr
		}
		return nil, fmt.Errorf("obj: %w", err)
	}
	return files, nil
}

// check validates the options and returns whether Z is up and the scale to apply.
func (o Options) check() (zUp bool, scale float64, err error) {
	switch o.Up {
	case "", "y", "Y":
	case "z", "Z":
		zUp = true
	default:
		return false, 0, fmt.Errorf("obj: up axis %q: want \"y\" or \"z\"", o.Up)
	}
	scale = o.Scale
	if scale == 0 {
		scale = 1
	}
	if !(scale > 0) || math.IsInf(scale, 0) {
		return false, 0, fmt.Errorf("obj: scale %g: want a positive number", o.Scale)
	}
	return zUp, scale, nil
}

// file is a companion of the .obj, built in memory: the .mtl or a texture image.
type file struct {
	name string
	data []byte
}

func bytesWriter(data []byte) func(io.Writer) error {
	return func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	}
}
