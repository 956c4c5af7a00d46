package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/kiln3d/kiln/providers"
)

// ProviderFile is the provider of the models an artist added from disk (Library.AddModels).
const ProviderFile = "file"

// Bounds on what Add models takes from one folder: a drop of the home folder by mistake stops
// early with a clear refusal rather than copying the disk.
const (
	maxFindDepth  = 8
	maxFindModels = 1000
)

// AddRefusal is a model Add models refused, and why.
type AddRefusal struct {
	Path string
	Err  error
}

func (r AddRefusal) Error() string {
	return providers.Printable(filepath.Base(r.Path)) + ": " + r.Err.Error()
}

func (r AddRefusal) Unwrap() error { return r.Err }

// IsModelFile reports whether path names a glTF model by its extension.
func IsModelFile(path string) bool {
	ext := strings.ToLower(filepath.Ext(path))
	return ext == ".glb" || ext == ".gltf"
}

// FindModels expands paths (model files, or folders searched for .glb and .gltf files, hidden
// folders and links to folders skipped) into the models to add, in order, each once.
func FindModels(paths []string) ([]string, error) {
	var out []string
	add := func(p string) error {
		if len(out) >= maxFindModels {
			return fmt.Errorf("more than %d models: add fewer at a time", maxFindModels)
		}
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
		return nil
	}
	for _, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil {
			return nil, err
		}
		st, err := os.Stat(abs)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", providers.Printable(p), err)
		}
		if !st.IsDir() {
			if err := add(abs); err != nil {
				return nil, err
			}
			continue
		}
		found := 0
		err = filepath.WalkDir(abs, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil // an unreadable folder inside is passed over
			}
			rel, _ := filepath.Rel(abs, path)
			if d.IsDir() && path != abs && (strings.HasPrefix(d.Name(), ".") || strings.Count(rel, string(filepath.Separator)) >= maxFindDepth) {
				return filepath.SkipDir
			}
			if d.Type().IsRegular() && IsModelFile(path) {
				found++
				return add(path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if found == 0 {
			return nil, fmt.Errorf("%s holds no .glb or .gltf model", providers.Printable(p))
		}
	}
	return out, nil
}

// AddModels files the glTF models at paths (files, or folders of them) in the library, each as
// a new asset of provider ProviderFile holding a copy of the model and, for a .gltf, of the
// buffers and images beside it that it uses. Each model is checked first by the model check (the
// preview's inspection), and copied into a folder that appears complete or not at all: a model
// refused (damaged, not a model, already in the library) is named with the reason in the error
// (AddRefusal each) and leaves nothing behind. report, when not nil, hears how many models are
// done of how many.
func (l *Library) AddModels(ctx context.Context, paths []string, report func(done, total int)) ([]Asset, error) {
	models, err := FindModels(paths)
	if err != nil {
		return nil, err
	}
	var (
		added []Asset
		errs  []error
	)
	for i, m := range models {
		if err := ctx.Err(); err != nil {
			return added, errors.Join(append(errs, err)...)
		}
		if report != nil {
			report(i, len(models))
		}
		a, err := l.addModel(ctx, m)
		if err != nil {
			errs = append(errs, AddRefusal{Path: m, Err: err})
			continue
		}
		added = append(added, a)
	}
	if report != nil {
		report(len(models), len(models))
	}
	return added, errors.Join(errs...)
}

func (l *Library) addModel(ctx context.Context, path string) (Asset, error) {
	if !IsModelFile(path) {
		return Asset{}, errors.New("not a glTF model (.glb or .gltf)")
	}
	st, err := os.Stat(path)
	if err != nil {
		return Asset{}, err
	}
	if !st.Mode().IsRegular() {
		return Asset{}, errors.New("not a regular file")
	}
	info, err := ReadModelInfo(path)
	if err != nil {
		return Asset{}, err
	}
	files, err := modelFiles(path, filepath.Dir(path))
	if err != nil {
		return Asset{}, err
	}
	sum, _, err := hashFile(path)
	if err != nil {
		return Asset{}, err
	}
	if id := l.HasModel(ctx, sum); id != "" {
		if a, err := l.Get(id); err == nil && a.Err() == nil {
			return Asset{}, fmt.Errorf("already in the library as %s", providers.Printable(a.Name))
		}
	}
	now := time.Now()
	name, _ := CleanName(baseName(path))
	if name == "" {
		name = "model"
	}
	a := Asset{ID: newID(now.UTC().Format("20060102-150405")), Name: name, Provider: ProviderFile,
		Created: st.ModTime(), Finished: now, Triangles: info.Triangles, KilnVersion: Version}
	err = l.create(a.ID, func(dir string) error {
		modelName := SafeFileName(name) + strings.ToLower(filepath.Ext(path))
		rels := make([]string, len(files))
		for i, f := range files[1:] {
			rels[i+1], _ = filepath.Rel(filepath.Dir(path), f)
		}
		rels[0] = uniqueName(modelName, func(n string) bool {
			return slices.Contains(rels[1:], n) || n == sidecarName || n == "inputs"
		})
		for i, f := range files {
			rel := rels[i]
			if i > 0 && (rel == sidecarName || rel == "inputs" || strings.HasPrefix(rel, "inputs"+string(filepath.Separator))) {
				return fmt.Errorf("it uses a file named %s, which Kiln keeps its own files under", rel)
			}
			if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(rel)), 0o755); err != nil {
				return err
			}
			rec, err := storeInto(f, filepath.Join(dir, filepath.Dir(rel)), filepath.Base(rel), false)
			if err != nil {
				return err
			}
			rec.Path = rel
			if i == 0 {
				rec.Format, rec.Source = strings.TrimPrefix(strings.ToLower(filepath.Ext(path)), "."), path
				if rec.SHA256 != sum {
					return errors.New("the model changed while it was copied; add it again")
				}
			}
			a.Files = append(a.Files, rec)
		}
		// The copy is what the library keeps: it is checked again where it lies.
		if _, err := ReadModelInfo(filepath.Join(dir, rels[0])); err != nil {
			return err
		}
		return l.writeSidecar(dir, a)
	})
	if err != nil {
		return Asset{}, err
	}
	return l.Get(a.ID)
}
