package app

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/kiln3d/kiln/app/modelio"
	"github.com/kiln3d/kiln/preview/inspect"
)

// Verdict is a pre-flight line's outcome.
type Verdict string

// The verdicts: a failed line stops the export until it is fixed; a warning is worth reading
// but the export goes ahead.
const (
	Pass Verdict = "pass"
	Warn Verdict = "warn"
	Fail Verdict = "fail"
)

// The pre-flight's lines, by stable id.
const (
	CheckStructure = "structure"
	CheckTriangles = "triangles"
	CheckTextures  = "textures"
	CheckNormals   = "normals"
	CheckEdges     = "edges"
	CheckSize      = "size"
	CheckPivot     = "pivot"
	CheckMaterials = "materials"
	CheckFolder    = "folder"
)

// Check is one line of the pre-flight.
type Check struct {
	ID      string  `json:"id"`
	Title   string  `json:"title"`
	Verdict Verdict `json:"verdict"`
	// Detail says what was found, in numbers the artist can act on.
	Detail string `json:"detail"`
	// Fix is the one-click fix, when one exists.
	Fix *Fix `json:"fix,omitempty"`
}

// FixKind names a fix.
type FixKind string

// The fixes. Each makes a new library asset derived from the checked one; the original is never
// changed.
const (
	FixReduce    FixKind = "reduce"
	FixDownscale FixKind = "downscale"
	FixRecentre  FixKind = "recentre"
	FixRescale   FixKind = "rescale"
)

// Fix is a change that resolves a pre-flight line.
type Fix struct {
	Kind  FixKind `json:"kind"`
	Label string  `json:"label"`
	// Polycount is the budget a reduction aims for (it never ends above it).
	Polycount int `json:"polycount,omitempty"`
	// MaxTexture and PowerOfTwo say what textures are brought down to.
	MaxTexture int  `json:"max_texture,omitempty"`
	PowerOfTwo bool `json:"power_of_two,omitempty"`
	// Pivot is where a recentred model's origin goes.
	Pivot Pivot `json:"pivot,omitempty"`
	// HeightCM is the height a rescaled model gets.
	HeightCM float64 `json:"height_cm,omitempty"`
}

// Preflight is the checklist for one model and one export.
type Preflight struct {
	Checks []Check `json:"checks"`
}

// Failed lists the lines that stop the export.
func (p Preflight) Failed() []Check {
	var out []Check
	for _, c := range p.Checks {
		if c.Verdict == Fail {
			out = append(out, c)
		}
	}
	return out
}

// OK reports whether no line failed.
func (p Preflight) OK() bool { return len(p.Failed()) == 0 }

// PreflightError is an export stopped by failed pre-flight lines.
type PreflightError struct {
	Name   string
	Checks []Check
}

func (e *PreflightError) Error() string {
	var lines []string
	for _, c := range e.Checks {
		lines = append(lines, c.Title+": "+c.Detail)
	}
	return fmt.Sprintf("%s is not ready for export: %s", e.Name, strings.Join(lines, "; "))
}

// CheckOptions are what a pre-flight judges a model against.
type CheckOptions struct {
	Preset Preset
	Format Format
	// Polycount is the triangle budget (what the engine draws); 0 for none.
	Polycount int
	// MaxTexture overrides the preset's largest texture side; 0 keeps the preset's.
	MaxTexture int
	// Folder is where the export goes, "" when not chosen yet.
	Folder string
	// HeightCM is the height the model was asked to have (the asset's provenance), 0 when
	// unknown.
	HeightCM float64
}

func (o CheckOptions) maxTexture() int {
	if o.MaxTexture > 0 {
		return o.MaxTexture
	}
	return o.Preset.MaxTexture
}

// Plausible sizes for a prop: anything outside is flagged as probably in the wrong unit.
const (
	minPlausibleM = 0.01
	maxPlausibleM = 20.0
)

// CheckFile runs the pre-flight on the model at path.
func CheckFile(ctx context.Context, path string, opt CheckOptions) (Preflight, error) {
	m, err := modelio.Load(ctx, path)
	if err != nil {
		var ie *inspect.Error
		if errors.As(err, &ie) {
			return Preflight{Checks: []Check{{ID: CheckStructure, Title: "Structure", Verdict: Fail, Detail: ie.Reason}}}, nil
		}
		return Preflight{}, err
	}
	return RunPreflight(ctx, m, opt)
}

// RunPreflight runs the pre-flight on a loaded model.
func RunPreflight(ctx context.Context, m *modelio.Model, opt CheckOptions) (Preflight, error) {
	var p Preflight
	add := func(c Check) { p.Checks = append(p.Checks, c) }
	rep := m.Report

	// Structure: the preview's inspection (the validator's checks) accepted it; its warnings
	// are worth reading, and its infos are counted by kind.
	st := Check{ID: CheckStructure, Title: "Structure", Verdict: Pass,
		Detail: fmt.Sprintf("valid glTF 2.0: %d meshes, %d nodes", len(m.Doc.Meshes), len(m.Doc.Nodes))}
	var notes, infos []string
	for _, is := range rep.Issues {
		switch {
		case is.Severity == inspect.SeverityWarning && is.Code != inspect.CodeNoNormals: // the normals line says it
			notes = append(notes, is.Message)
		case is.Severity == inspect.SeverityInfo && !slices.Contains(infos, is.Code):
			infos = append(infos, is.Code)
		}
	}
	if len(notes) > 0 {
		st.Verdict, st.Detail = Warn, st.Detail+"; "+strings.Join(notes, "; ")
	}
	if len(infos) > 0 {
		st.Detail += "; for information: " + strings.Join(infos, ", ")
	}
	add(st)

	// Triangles: what the engine draws, a mesh counted once per node that draws it.
	unique, drawn := m.Triangles()
	tri := Check{ID: CheckTriangles, Title: "Triangles", Verdict: Pass}
	count := fmt.Sprintf("%s drawn", Thousands(drawn))
	if unique != drawn {
		count += fmt.Sprintf(" (%s in its meshes, some drawn more than once)", Thousands(unique))
	}
	switch {
	case drawn == 0:
		tri.Verdict, tri.Detail = Fail, "the model draws no triangles"
	case opt.Polycount > 0 && drawn > opt.Polycount:
		tri.Verdict = Fail
		tri.Detail = fmt.Sprintf("%s: over the budget of %s", count, Thousands(opt.Polycount))
		if opt.Polycount >= MinReduceTarget {
			tri.Fix = &Fix{Kind: FixReduce, Label: "Reduce to " + Thousands(opt.Polycount), Polycount: opt.Polycount}
		}
	case opt.Polycount > 0:
		tri.Detail = fmt.Sprintf("%s: within the budget of %s", count, Thousands(opt.Polycount))
	default:
		tri.Detail = count + " (no budget set)"
	}
	add(tri)

	add(textureCheck(rep, opt))
	add(normalsCheck(rep))

	an, err := m.Analyze(ctx)
	if err != nil {
		return Preflight{}, err
	}
	add(edgesCheck(an))

	lo, hi, ok, err := m.Bounds()
	if err != nil {
		return Preflight{}, err
	}
	if ok {
		add(sizeCheck(lo, hi, opt))
		add(pivotCheck(lo, hi, opt))
	}
	add(materialsCheck(m))
	if opt.Folder != "" {
		add(folderCheck(opt))
	}
	return p, nil
}

func textureCheck(rep *inspect.Report, opt CheckOptions) Check {
	c := Check{ID: CheckTextures, Title: "Textures", Verdict: Pass}
	limit := opt.maxTexture()
	if len(rep.Textures) == 0 {
		c.Detail = "none"
		return c
	}
	largest, over, npot := 0, 0, 0
	for _, t := range rep.Textures {
		largest = max(largest, t.Width, t.Height)
		if t.Width > limit || t.Height > limit {
			over++
		}
		if !powerOfTwo(t.Width) || !powerOfTwo(t.Height) {
			npot++
		}
	}
	c.Detail = fmt.Sprintf("%d, the largest %d px (limit %d px)", len(rep.Textures), largest, limit)
	switch {
	case over > 0:
		c.Verdict = Fail
		c.Detail = fmt.Sprintf("%d of %d over %d px (the largest %d px): %s would shrink them on import",
			over, len(rep.Textures), limit, largest, opt.Preset.Title)
	case opt.Preset.PowerOfTwo && npot > 0:
		c.Verdict = Warn
		c.Detail = fmt.Sprintf("%d of %d not a power of two in size: %s wants powers of two for mipmaps and compression",
			npot, len(rep.Textures), opt.Preset.Title)
	}
	if c.Verdict != Pass {
		label := fmt.Sprintf("Downscale to %d px", limit)
		if opt.Preset.PowerOfTwo {
			label = fmt.Sprintf("Downscale to powers of two ≤ %d px", limit)
		}
		c.Fix = &Fix{Kind: FixDownscale, Label: label, MaxTexture: limit, PowerOfTwo: opt.Preset.PowerOfTwo}
	}
	return c
}

func powerOfTwo(n int) bool { return n > 0 && bits.OnesCount(uint(n)) == 1 }

func normalsCheck(rep *inspect.Report) Check {
	c := Check{ID: CheckNormals, Title: "Normals", Verdict: Pass, Detail: "every mesh has normals"}
	if rep.MissingNormals {
		c.Verdict, c.Detail = Warn, "some meshes have none: the engine computes flat ones, which can look faceted"
	}
	return c
}

func edgesCheck(an modelio.Analysis) Check {
	c := Check{ID: CheckEdges, Title: "Edges", Verdict: Pass, Detail: "closed: no open or non-manifold edges"}
	var parts []string
	if an.OpenEdges > 0 {
		parts = append(parts, fmt.Sprintf("%s open", Thousands(an.OpenEdges)))
	}
	if an.NonManifoldEdges > 0 {
		parts = append(parts, fmt.Sprintf("%s non-manifold", Thousands(an.NonManifoldEdges)))
	}
	if len(parts) > 0 {
		c.Verdict = Warn
		c.Detail = strings.Join(parts, ", ") + " edges: fine to draw, but lightmaps, physics and printing may need a closed mesh"
	}
	return c
}

func sizeCheck(lo, hi [3]float64, opt CheckOptions) Check {
	dims := [3]float64{hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]}
	height := dims[1]
	largest := max(dims[0], dims[1], dims[2])
	c := Check{ID: CheckSize, Title: "Size", Verdict: Pass,
		Detail: fmt.Sprintf("%s wide, %s tall, %s deep", metres(dims[0]), metres(dims[1]), metres(dims[2]))}
	switch {
	case opt.HeightCM > 0 && math.Abs(height*100-opt.HeightCM) > 0.02*opt.HeightCM:
		c.Verdict = Warn
		c.Detail += fmt.Sprintf(": %s was asked for", metres(opt.HeightCM/100))
		c.Fix = &Fix{Kind: FixRescale, Label: "Rescale to " + metres(opt.HeightCM/100), HeightCM: opt.HeightCM}
	case largest > maxPlausibleM || largest < minPlausibleM:
		c.Verdict = Warn
		c.Detail += ": implausible for most objects (is it in the wrong unit?)"
		c.Fix = &Fix{Kind: FixRescale, Label: "Rescale…"}
	}
	return c
}

func pivotCheck(lo, hi [3]float64, opt CheckOptions) Check {
	want := pivotPoint(lo, hi, opt.Preset.Pivot)
	off := math.Sqrt(want[0]*want[0] + want[1]*want[1] + want[2]*want[2])
	where := "the centre of its base"
	if opt.Preset.Pivot == PivotCentre {
		where = "the centre of its bounding box"
	}
	c := Check{ID: CheckPivot, Title: "Pivot", Verdict: Pass, Detail: "the origin is at " + where}
	diag := math.Sqrt((hi[0]-lo[0])*(hi[0]-lo[0]) + (hi[1]-lo[1])*(hi[1]-lo[1]) + (hi[2]-lo[2])*(hi[2]-lo[2]))
	if off > max(1e-4, 0.005*diag) {
		// The export moves it regardless, so the line passes; its fix, there for the artist who
		// wants it, makes the move in the library too.
		c.Detail = fmt.Sprintf("the origin is %s from %s: the export moves it there", metres(off), where)
		c.Fix = &Fix{Kind: FixRecentre, Label: "Recentre", Pivot: opt.Preset.Pivot}
	}
	return c
}

// pivotPoint is where the origin goes, in the model's own coordinates.
func pivotPoint(lo, hi [3]float64, p Pivot) [3]float64 {
	c := [3]float64{(lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2, (lo[2] + hi[2]) / 2}
	if p != PivotCentre {
		c[1] = lo[1]
	}
	return c
}

// maxMaterials is where a model's draw calls start to cost: each material is one per mesh.
const maxMaterials = 8

func materialsCheck(m *modelio.Model) Check {
	n := len(m.Doc.Materials)
	c := Check{ID: CheckMaterials, Title: "Materials", Verdict: Pass, Detail: fmt.Sprint(n)}
	switch {
	case n == 0:
		c.Verdict, c.Detail = Warn, "none: the engine shows its default material"
	case n > maxMaterials:
		c.Verdict = Warn
		c.Detail = fmt.Sprintf("%d: each is a draw call; more than %d is costly for one prop", n, maxMaterials)
	}
	return c
}

func folderCheck(opt CheckOptions) Check {
	c := Check{ID: CheckFolder, Title: "Folder", Verdict: Pass, Detail: opt.Folder}
	p := opt.Preset
	if st, err := os.Stat(opt.Folder); err != nil || !st.IsDir() {
		c.Verdict, c.Detail = Warn, opt.Folder+" does not exist yet: it will be made"
		return c
	}
	if p.Project == nil {
		return c
	}
	root := p.FindProject(opt.Folder)
	if root == "" {
		c.Verdict = Warn
		c.Detail = fmt.Sprintf("%s is not inside a %s project (no %s): the engine will not see the model there",
			opt.Folder, p.Title, filepath.Base(p.Project.Marker))
		return c
	}
	content := filepath.Join(root, p.Project.Content)
	rel, err := filepath.Rel(content, mustAbs(opt.Folder))
	if err != nil || !filepath.IsLocal(rel) && rel != "." {
		c.Verdict = Warn
		c.Detail = fmt.Sprintf("%s is outside %s, which %s imports from", opt.Folder, content, p.Title)
		return c
	}
	if p.Name == "godot" {
		c.Detail = "res://" + filepath.ToSlash(strings.TrimPrefix(rel, "."))
	}
	return c
}

func mustAbs(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

// metres says a length the way an artist reads it: mm, cm or m.
func metres(m float64) string {
	switch a := math.Abs(m); {
	case a < 0.01:
		return fmt.Sprintf("%.1f mm", m*1000)
	case a < 1:
		return fmt.Sprintf("%.1f cm", m*100)
	}
	return fmt.Sprintf("%.2f m", m)
}
