package app

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/kiln3d/kiln/app/modelio"
)

// Fix applies a pre-flight fix to a library asset: it makes a new asset that records where it
// came from (and how), and leaves the original as it was. report, when set, is told the
// progress (0 to 1).
func (k *Kiln) Fix(ctx context.Context, assetID string, fix Fix, report func(float64)) (Asset, error) {
	if report == nil {
		report = func(float64) {}
	}
	if fix.Kind == FixReduce {
		return k.Reduce(ctx, assetID, fix.Polycount, report)
	}
	src, err := k.exportable(assetID)
	if err != nil {
		return Asset{}, err
	}
	report(0)
	m, err := modelio.Load(ctx, src.ModelPath())
	if err != nil {
		return Asset{}, &ModelError{Err: err}
	}
	report(0.2)
	d := Derivation{Asset: src.ID, Operation: string(fix.Kind)}
	var name string
	switch fix.Kind {
	case FixDownscale:
		if fix.MaxTexture < 16 {
			return Asset{}, fmt.Errorf("a texture limit of %d px is too small (at least 16)", fix.MaxTexture)
		}
		changed, err := m.DownscaleTextures(fix.MaxTexture, fix.PowerOfTwo)
		if err != nil {
			return Asset{}, fmt.Errorf("downscale %s: %w", src.Name, err)
		}
		if len(changed) == 0 {
			return Asset{}, fmt.Errorf("%s: every texture is already within %d px", src.Name, fix.MaxTexture)
		}
		d.MaxTexture = fix.MaxTexture
		name = fmt.Sprintf("%s (textures %d px)", src.Name, fix.MaxTexture)
	case FixRecentre:
		lo, hi, ok, err := m.Bounds()
		if err != nil || !ok {
			return Asset{}, fmt.Errorf("recentre %s: the model draws nothing to centre", src.Name)
		}
		p := pivotPoint(lo, hi, fix.Pivot)
		m.Reroot(src.Name, 1, [3]float64{-p[0], -p[1], -p[2]})
		d.Pivot = cmpOr(fix.Pivot, PivotBase)
		name = src.Name + " (pivot at the " + map[Pivot]string{PivotBase: "base", PivotCentre: "centre"}[d.Pivot] + ")"
	case FixRescale:
		if fix.HeightCM <= 0 || fix.HeightCM > 100_000 {
			return Asset{}, fmt.Errorf("rescale %s: give a height between 0 and 1 km", src.Name)
		}
		lo, hi, ok, err := m.Bounds()
		if err != nil || !ok || hi[1]-lo[1] <= 0 {
			return Asset{}, fmt.Errorf("rescale %s: the model has no height to scale", src.Name)
		}
		// Scaled about the origin, so that a model standing on its pivot stays standing there.
		s := fix.HeightCM / 100 / (hi[1] - lo[1])
		m.Reroot(src.Name, s, [3]float64{})
		d.HeightCM = fix.HeightCM
		name = fmt.Sprintf("%s (%s tall)", src.Name, metres(fix.HeightCM/100))
	default:
		return Asset{}, fmt.Errorf("no fix %q", fix.Kind)
	}
	if err := ctx.Err(); err != nil {
		return Asset{}, err
	}
	var glb bytes.Buffer
	if err := m.EncodeGLB(&glb); err != nil {
		return Asset{}, fmt.Errorf("%s %s: %w", fix.Kind, src.Name, err)
	}
	report(0.8)
	a, err := k.Library.fileDerived(src, d, name, glb.Bytes())
	if err != nil {
		return Asset{}, fmt.Errorf("%s %s: %w", fix.Kind, src.Name, err)
	}
	if fix.Kind == FixRescale {
		a.Parameters.Size.HeightCM = fix.HeightCM
	}
	report(1)
	return a, nil
}

func cmpOr(p, def Pivot) Pivot {
	if p == "" {
		return def
	}
	return p
}

// fileDerived files glb as a new asset made from src by d, named name: the model is checked
// where it lies before the asset exists, src's inputs are copied with it, and src is left as it
// was.
func (l *Library) fileDerived(src Asset, d Derivation, name string, glb []byte) (Asset, error) {
	a := src
	a.ID = newID(time.Now().UTC().Format("20060102-150405"))
	a.Name = name
	a.Created, a.Finished = time.Now(), time.Now()
	a.DerivedFrom = &d
	if d.Polycount > 0 {
		a.Parameters.Polycount = d.Polycount
	}
	if d.HeightCM > 0 {
		a.Parameters.Size.HeightCM = d.HeightCM
	}
	a.Remote, a.Files, a.Inputs, a.Published, a.KilnVersion = nil, nil, nil, nil, Version
	err := l.create(a.ID, func(dir string) error {
		model := filepath.Join(dir, SafeFileName(a.Name)+".glb")
		if err := WriteFileAtomic(model, 0o644, func(w io.Writer) error {
			_, err := io.Copy(w, bytes.NewReader(glb))
			return err
		}); err != nil {
			return err
		}
		rep, err := CheckModel(model)
		if err != nil {
			return fmt.Errorf("the new model cannot be read back: %w", err)
		}
		a.Triangles = rep.Triangles // each mesh once, as the library counts
		rec, err := storeInto(model, dir, filepath.Base(model), true)
		if err != nil {
			return err
		}
		rec.Format = "glb"
		a.Files = []FileRecord{rec}
		if len(src.Inputs) > 0 {
			if err := os.Mkdir(filepath.Join(dir, "inputs"), 0o755); err != nil {
				return err
			}
		}
		for _, in := range src.Inputs {
			rec, err := storeInto(filepath.Join(src.Dir, in.Path), filepath.Join(dir, "inputs"), filepath.Base(in.Path), false)
			if err != nil {
				return err
			}
			rec.Path, rec.Source, rec.View, rec.Role, rec.Of = filepath.Join("inputs", rec.Path), in.Source, in.View, in.Role, in.Of
			a.Inputs = append(a.Inputs, rec)
		}
		return l.writeSidecar(dir, a)
	})
	if err != nil {
		return Asset{}, err
	}
	a.Dir = filepath.Join(l.Dir(), a.ID)
	return a, nil
}
