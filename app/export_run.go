package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/kiln3d/kiln/app/modelio"
	"github.com/kiln3d/kiln/app/modelio/obj"
	"github.com/kiln3d/kiln/providers/atomicfile"
)

// ExportOptions say how library assets are exported.
type ExportOptions struct {
	// Preset names the engine (see Presets).
	Preset string `json:"preset"`
	// Format is the file format; "" takes the preset's default.
	Format Format `json:"format,omitempty"`
	// Polycount is the triangle budget (what the engine draws); 0 for none.
	Polycount int `json:"polycount,omitempty"`
	// MaxTexture overrides the preset's largest texture side; 0 keeps the preset's.
	MaxTexture int `json:"max_texture,omitempty"`
	// Out is the folder the files go into.
	Out string `json:"-"`
	// Force replaces files that exist; without it an export never overwrites one.
	Force bool `json:"-"`
}

// resolve checks the options and returns the preset and the format.
func (o ExportOptions) resolve() (Preset, Format, error) {
	p, err := FindPreset(o.Preset)
	if err != nil {
		return Preset{}, "", err
	}
	f := o.Format
	if f == "" {
		f = p.Formats[0]
	}
	if !p.Allows(f) {
		return Preset{}, "", fmt.Errorf("%s imports %s, not %s", p.Title, formatList(p.Formats), f)
	}
	if o.Polycount < 0 || o.MaxTexture < 0 {
		return Preset{}, "", errors.New("the triangle budget and the texture limit cannot be negative")
	}
	if o.MaxTexture > 0 && o.MaxTexture < 16 {
		return Preset{}, "", fmt.Errorf("a texture limit of %d px is too small (at least 16)", o.MaxTexture)
	}
	return p, f, nil
}

func formatList(fs []Format) string {
	s := ""
	for i, f := range fs {
		switch {
		case i == 0:
		case i == len(fs)-1:
			s += " or "
		default:
			s += ", "
		}
		s += string(f)
	}
	return s
}

// checkOptions are the pre-flight's view of the options, for asset a.
func (o ExportOptions) checkOptions(p Preset, f Format, a Asset) CheckOptions {
	return CheckOptions{Preset: p, Format: f, Polycount: o.Polycount, MaxTexture: o.MaxTexture,
		Folder: o.Out, HeightCM: a.Parameters.Size.HeightCM}
}

// Exported is one asset's export.
type Exported struct {
	Asset string `json:"asset"`
	Name  string `json:"name"`
	// Files are the files written, the model first, the sidecar last.
	Files     []string `json:"files"`
	Preflight []Check  `json:"preflight"`
}

// SidecarSuffix ends the name of the provenance file written beside every exported model.
const SidecarSuffix = ".kiln.json"

// CheckAsset runs the export's pre-flight on a library asset.
func (k *Kiln) CheckAsset(ctx context.Context, id string, opt ExportOptions) (Preflight, error) {
	p, f, err := opt.resolve()
	if err != nil {
		return Preflight{}, err
	}
	a, err := k.exportable(id)
	if err != nil {
		return Preflight{}, err
	}
	m, err := modelio.Load(ctx, a.ModelPath())
	if err != nil {
		return Preflight{}, &ModelError{Err: err}
	}
	return RunPreflight(ctx, m, opt.checkOptions(p, f, a))
}

func (k *Kiln) exportable(id string) (Asset, error) {
	a, err := k.Library.Get(id)
	if err != nil {
		return Asset{}, err
	}
	if err := a.Err(); err != nil {
		return Asset{}, err
	}
	if !a.Downloaded() {
		return Asset{}, fmt.Errorf("%s: download the model before exporting it", a.Name)
	}
	return a, nil
}

// Export exports library assets for an engine into opt.Out: each model in the preset's format,
// pivot, names and tangents, with a NAME.kiln.json sidecar of its provenance beside it. Each
// asset is checked first; one whose pre-flight fails is not exported (a *PreflightError says
// why) and the others still are. Two assets of the same name get distinct files (vase,
// vase_2); a file that exists is replaced only with opt.Force, and otherwise refused with an
// error wrapping ErrExists. report, when set, is told each asset's progress (0 to 1).
//
// The choices are remembered for opt.Out, so the next export into that folder starts from them.
func (k *Kiln) Export(ctx context.Context, ids []string, opt ExportOptions, report func(i int, done float64)) ([]Exported, error) {
	p, f, err := opt.resolve()
	if err != nil {
		return nil, err
	}
	if opt.Out == "" {
		return nil, errors.New("export: choose the folder to export into")
	}
	if err := os.MkdirAll(opt.Out, 0o755); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	taken := map[string]bool{}
	var out []Exported
	var errs []error
	for i, id := range ids {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		step := func(d float64) {
			if report != nil {
				report(i, d)
			}
		}
		e, err := k.exportOne(ctx, id, p, f, opt, taken, step)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, e)
	}
	if len(out) > 0 && k.Settings != nil {
		// A settings file that cannot be written loses only the memory of these choices.
		_ = k.Settings.RememberExport(opt.Out, ExportChoice{Preset: p.Name, Format: f,
			Polycount: opt.Polycount, MaxTexture: opt.MaxTexture})
	}
	return out, errors.Join(errs...)
}

func (k *Kiln) exportOne(ctx context.Context, id string, p Preset, f Format, opt ExportOptions, taken map[string]bool, report func(float64)) (Exported, error) {
	a, err := k.exportable(id)
	if err != nil {
		return Exported{}, err
	}
	report(0)
	m, err := modelio.Load(ctx, a.ModelPath())
	if err != nil {
		return Exported{}, fmt.Errorf("export %s: %w", a.Name, &ModelError{Err: err})
	}
	pf, err := RunPreflight(ctx, m, opt.checkOptions(p, f, a))
	if err != nil {
		return Exported{}, fmt.Errorf("export %s: %w", a.Name, err)
	}
	if !pf.OK() {
		return Exported{}, &PreflightError{Name: a.Name, Checks: pf.Failed()}
	}
	report(0.3)
	lo, hi, _, err := m.Bounds()
	if err != nil {
		return Exported{}, err
	}
	pivot := pivotPoint(lo, hi, p.Pivot)
	root := p.Naming.Name(modelio.KindNode, 0, a.Name)
	m.Reroot(root, 1, [3]float64{-pivot[0], -pivot[1], -pivot[2]})
	if p.Tangents && f != FormatOBJ {
		if _, err := m.AddTangents(); err != nil {
			return Exported{}, fmt.Errorf("export %s: tangents: %w", a.Name, err)
		}
	}
	m.Rename(p.Naming.Name)
	report(0.5)

	// Two assets of one name in one export get distinct files; "_" keeps the engine's style.
	stem := numberedName(p.Naming.FileStem(a.Name), "_", func(n string) bool { return taken[n] })
	taken[stem] = true
	path := filepath.Join(opt.Out, stem+"."+string(f))
	sidecar := filepath.Join(opt.Out, stem+SidecarSuffix)
	// The sidecar names the model, whatever its format: one already there for this asset (its
	// export in another format) is carried on; one of another model is replaced only with Force.
	prior, ours, err := priorSidecar(sidecar, a.ID)
	if err != nil && !opt.Force {
		return Exported{}, fmt.Errorf("export %s: %w", a.Name, err)
	}
	var files []string
	switch f {
	case FormatGLB:
		err = m.WriteGLB(path, opt.Force)
		files = []string{path}
	case FormatGLTF:
		files, err = m.WriteGLTF(path, opt.Force)
	case FormatOBJ:
		files, err = obj.Write(ctx, m, path, obj.Options{Up: p.Up, Scale: p.Scale, Replace: opt.Force})
	}
	if errors.Is(err, fs.ErrExist) {
		what := path
		if f != FormatGLB {
			what += " or a file beside it"
		}
		return Exported{}, fmt.Errorf("export %s: %s %w", a.Name, what, ErrExists)
	}
	if err != nil {
		return Exported{}, fmt.Errorf("export %s: %w", a.Name, err)
	}
	report(0.9)
	side, err := k.exportSidecar(a, p, f, opt, files, pf)
	if err != nil {
		return Exported{}, fmt.Errorf("export %s: %w", a.Name, err)
	}
	write := atomicfile.Write
	if !opt.Force && !ours {
		write = atomicfile.Create
	}
	if ours {
		for _, e := range append([]ExportedAs{prior.Export}, prior.Also...) {
			if e.Format != f {
				side.Also = append(side.Also, e)
			}
		}
	}
	if err := write(sidecar, 0o644, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(side)
	}); err != nil {
		if errors.Is(err, fs.ErrExist) {
			err = fmt.Errorf("%s %w", sidecar, ErrExists)
		}
		return Exported{}, fmt.Errorf("export %s: %w", a.Name, err)
	}
	report(1)
	return Exported{Asset: a.ID, Name: a.Name, Files: append(files, sidecar), Preflight: pf.Checks}, nil
}

// ExportSidecar is the provenance written beside an exported model (NAME.kiln.json): what made
// it, from what, and how it was exported, so that it travels with the file.
type ExportSidecar struct {
	Kiln     string    `json:"kiln"`
	Exported time.Time `json:"exported"`
	// Asset is the library asset exported.
	Asset ExportedAsset `json:"asset"`
	// Lineage is the chain of assets it was made from, nearest first.
	Lineage []Derivation `json:"lineage,omitempty"`
	// Inputs are the reference images, by file name (never the artist's folders) and hash.
	Inputs []ExportedFile `json:"inputs,omitempty"`
	// Export says how the files were written.
	Export ExportedAs `json:"export"`
	// Also are the same model's exports in other formats into the same folder, newest first.
	Also []ExportedAs `json:"also,omitempty"`
}

// maxSidecarRead bounds how much of an existing NAME.kiln.json is read: one is a few kilobytes.
const maxSidecarRead = 1 << 20

// priorSidecar reads the sidecar already at path, if any. ours says it is this asset's (an export
// in another format, whose record is carried on); err, wrapping ErrExists, says it is another
// model's, or one Kiln cannot read, which an export replaces only when told to. Nothing there is
// neither.
func priorSidecar(path, assetID string) (prior ExportSidecar, ours bool, err error) {
	exists := fmt.Errorf("%s, the record of another export, %w", path, ErrExists)
	st, statErr := os.Lstat(path)
	switch {
	case errors.Is(statErr, fs.ErrNotExist):
		return prior, false, nil
	case statErr != nil || !st.Mode().IsRegular() || st.Size() > maxSidecarRead:
		return prior, false, exists
	}
	data, readErr := os.ReadFile(path)
	if readErr != nil || json.Unmarshal(data, &prior) != nil || prior.Asset.ID != assetID || len(prior.Also) > len(Formats) {
		return ExportSidecar{}, false, exists
	}
	return prior, true, nil
}

// ExportedAsset is the library asset's provenance.
type ExportedAsset struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Provider   string     `json:"provider"`
	JobID      string     `json:"job_id,omitempty"`
	RemoteID   string     `json:"remote_id,omitempty"`
	Parameters Parameters `json:"parameters"`
	Created    time.Time  `json:"created"`
	Finished   time.Time  `json:"finished"`
	// Model is the library's model file the export was made from.
	Model ExportedFile `json:"model"`
}

// ExportedFile is a file by name, size and SHA-256.
type ExportedFile struct {
	File   string `json:"file"`
	View   string `json:"view,omitempty"`
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// ExportedAs records the export's choices and its files.
type ExportedAs struct {
	Preset     string         `json:"preset"`
	Format     Format         `json:"format"`
	Pivot      Pivot          `json:"pivot"`
	Up         string         `json:"up"`
	UnitScale  float64        `json:"unit_scale"`
	MaxTexture int            `json:"max_texture"`
	Polycount  int            `json:"polycount,omitempty"`
	Tangents   bool           `json:"tangents"`
	Files      []ExportedFile `json:"files"`
	Preflight  []Check        `json:"preflight"`
}

func (k *Kiln) exportSidecar(a Asset, p Preset, f Format, opt ExportOptions, files []string, pf Preflight) (ExportSidecar, error) {
	s := ExportSidecar{
		Kiln: "Kiln " + Version, Exported: time.Now().UTC().Truncate(time.Second),
		Asset: ExportedAsset{ID: a.ID, Name: a.Name, Provider: a.Provider, JobID: a.JobID, RemoteID: a.RemoteID,
			Parameters: a.Parameters, Created: a.Created, Finished: a.Finished,
			Model: ExportedFile{File: filepath.Base(a.Files[0].Path), Bytes: a.Files[0].Bytes, SHA256: a.Files[0].SHA256}},
		Export: ExportedAs{Preset: p.Name, Format: f, Pivot: p.Pivot, Up: "y", UnitScale: 1,
			MaxTexture: CheckOptions{Preset: p, MaxTexture: opt.MaxTexture}.maxTexture(), Polycount: opt.Polycount,
			Tangents: p.Tangents && f != FormatOBJ},
	}
	if f == FormatOBJ {
		s.Export.Up, s.Export.UnitScale = p.Up, p.Scale
	}
	for _, c := range pf.Checks {
		if c.ID != CheckFolder { // the artist's own folders stay on their machine
			s.Export.Preflight = append(s.Export.Preflight, c)
		}
	}
	// The options of a provider can name local paths; the sidecar keeps the keys and values
	// as the library has them, but never the artist's own folders.
	for _, in := range a.Inputs {
		s.Inputs = append(s.Inputs, ExportedFile{File: filepath.Base(in.Path), View: in.View, Bytes: in.Bytes, SHA256: in.SHA256})
	}
	seen := map[string]bool{a.ID: true}
	for d := a.DerivedFrom; d != nil && len(s.Lineage) < 32; {
		s.Lineage = append(s.Lineage, *d)
		if seen[d.Asset] {
			break
		}
		seen[d.Asset] = true
		parent, err := k.Library.Get(d.Asset)
		if err != nil {
			break // gone from the library: the lineage ends at its id
		}
		d = parent.DerivedFrom
	}
	for _, path := range files {
		sum, n, err := hashFile(path)
		if err != nil {
			return ExportSidecar{}, err
		}
		s.Export.Files = append(s.Export.Files, ExportedFile{File: filepath.Base(path), Bytes: n, SHA256: sum})
	}
	return s, nil
}
