package app

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/kiln3d/kiln/app/modelio"
)

// Format is a file format Kiln exports to.
type Format string

// The formats. A .gltf is written with its .bin and its textures as separate files; an OBJ with
// its .mtl and its textures.
const (
	FormatGLB  Format = "glb"
	FormatGLTF Format = "gltf"
	FormatOBJ  Format = "obj"
)

// Formats lists every format in the order pickers show them.
var Formats = []Format{FormatGLB, FormatGLTF, FormatOBJ}

// Pivot is where an exported model's origin goes.
type Pivot string

// The pivots: the centre of the base (props stand on the floor where they are dropped) or the
// centre of the bounding box (things that spin or hang).
const (
	PivotBase   Pivot = "base"
	PivotCentre Pivot = "centre"
)

// Preset is an engine's set of export choices: the format and the conventions its importer
// expects. An artist sees it before exporting and can change the format, the texture limit and
// the triangle budget; Kiln remembers the choices per project folder.
type Preset struct {
	// Name is the stable key ("godot"); Title is what the artist reads ("Godot 4").
	Name, Title string
	// Formats are the formats the engine imports well, the default first.
	Formats []Format
	// Importer says what reads the file in the engine, per format.
	Importer map[Format]string
	// Pivot is where the model's origin goes.
	Pivot Pivot
	// Up ("y" or "z") and Scale (1 for metres, 100 for centimetres) apply to OBJ, which has no
	// units of its own; glTF is always +Y up in metres, and every engine's importer converts it.
	Up    string
	Scale float64
	// MaxTexture is the largest texture side the engine takes without shrinking it on import;
	// PowerOfTwo says it wants sides that are powers of two (for mipmaps and compression).
	MaxTexture int
	PowerOfTwo bool
	// Tangents says whether tangents are written (engines otherwise compute their own, which
	// can disagree with the normal map's baker).
	Tangents bool
	// Naming names files, nodes, meshes, materials and textures the engine's way.
	Naming Naming
	// Project describes the engine's project folder, to tell the artist whether the model lands
	// where the engine will see it; nil when the file can go anywhere.
	Project *ProjectLayout
}

// ProjectLayout says how to recognise an engine's project folder.
type ProjectLayout struct {
	// Marker is a file in the project's root (project.godot, *.uproject).
	Marker string
	// Content is the folder inside the project that the engine imports from ("" for the whole
	// project; "Assets" for Unity).
	Content string
}

// Naming is an engine's naming convention.
type Naming string

// The conventions.
const (
	// NamingSnake: lower_snake_case, Godot's style; names that end in one of Godot's import
	// hints ("-col", "_noimp"…) are given another ending, so Godot never turns a mesh into a
	// collision shape or drops it.
	NamingSnake Naming = "snake"
	// NamingPascal: PascalCase, Unity's style.
	NamingPascal Naming = "pascal"
	// NamingUnreal: PascalCase with Unreal's prefixes: SM_ for meshes and the file, M_ for
	// materials, T_ for textures.
	NamingUnreal Naming = "unreal"
	// NamingWords: the artist's words joined by underscores, case kept: Blender's outliner.
	NamingWords Naming = "words"
)

// Presets are the engines Kiln exports for, in the order pickers show them.
var Presets = []Preset{
	{
		Name: "godot", Title: "Godot 4", Formats: []Format{FormatGLB, FormatGLTF},
		Importer: map[Format]string{FormatGLB: "Godot's glTF importer", FormatGLTF: "Godot's glTF importer"},
		Pivot:    PivotBase, Up: "y", Scale: 1, MaxTexture: 4096, Tangents: true, Naming: NamingSnake,
		Project: &ProjectLayout{Marker: "project.godot"},
	},
	{
		Name: "unity", Title: "Unity", Formats: []Format{FormatGLB, FormatOBJ},
		Importer: map[Format]string{FormatGLB: "glTFast", FormatOBJ: "Unity's built-in OBJ importer"},
		Pivot:    PivotBase, Up: "y", Scale: 1, MaxTexture: 2048, PowerOfTwo: true, Tangents: true, Naming: NamingPascal,
		Project: &ProjectLayout{Marker: filepath.Join("ProjectSettings", "ProjectVersion.txt"), Content: "Assets"},
	},
	{
		Name: "unreal", Title: "Unreal Engine 5", Formats: []Format{FormatGLB},
		Importer: map[Format]string{FormatGLB: "the Interchange glTF importer"},
		Pivot:    PivotBase, Up: "y", Scale: 1, MaxTexture: 4096, PowerOfTwo: true, Tangents: true, Naming: NamingUnreal,
	},
	{
		Name: "blender", Title: "Blender", Formats: []Format{FormatGLB, FormatGLTF, FormatOBJ},
		Importer: map[Format]string{FormatGLB: "Blender's glTF importer", FormatGLTF: "Blender's glTF importer", FormatOBJ: "Blender's OBJ importer"},
		Pivot:    PivotBase, Up: "y", Scale: 1, MaxTexture: 8192, Naming: NamingWords,
	},
}

// PresetNames lists the presets' keys.
func PresetNames() []string {
	names := make([]string, len(Presets))
	for i, p := range Presets {
		names[i] = p.Name
	}
	return names
}

// FindPreset returns the preset called name (its key or its title, in any case).
func FindPreset(name string) (Preset, error) {
	for _, p := range Presets {
		if strings.EqualFold(name, p.Name) || strings.EqualFold(name, p.Title) {
			return p, nil
		}
	}
	return Preset{}, fmt.Errorf("no export preset %q (choose %s)", name, strings.Join(PresetNames(), ", "))
}

// ParseFormat reads a format's name ("glb", ".GLTF").
func ParseFormat(s string) (Format, error) {
	f := Format(strings.ToLower(strings.TrimPrefix(strings.TrimSpace(s), ".")))
	if !slices.Contains(Formats, f) {
		return "", fmt.Errorf("no export format %q (choose glb, gltf or obj)", s)
	}
	return f, nil
}

// Allows reports whether the preset exports to f.
func (p Preset) Allows(f Format) bool { return slices.Contains(p.Formats, f) }

// FindProject looks for the engine's project around dir: dir itself and the folders above it.
// It returns the project's root, or "" when dir is in none (or the preset has no project).
func (p Preset) FindProject(dir string) string {
	if p.Project == nil {
		return ""
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	for d := abs; ; d = filepath.Dir(d) {
		if st, err := os.Stat(filepath.Join(d, p.Project.Marker)); err == nil && st.Mode().IsRegular() {
			return d
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}

// GuessPreset names the engine whose project holds dir (Godot, Unity, or Unreal by a .uproject
// beside it or above it), or "" when none does.
func GuessPreset(dir string) string {
	for _, p := range Presets {
		if p.FindProject(dir) != "" {
			return p.Name
		}
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	for d := abs; ; d = filepath.Dir(d) {
		if m, _ := filepath.Glob(filepath.Join(d, "*.uproject")); len(m) > 0 {
			return "unreal"
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}

// FileStem is the file name (without extension) an asset called name is exported under.
func (n Naming) FileStem(name string) string {
	if n == NamingUnreal {
		return n.Name(modelio.KindMesh, 0, name)
	}
	return n.Name(modelio.KindNode, 0, name)
}

// Name is what an object called old is named in the engine: ASCII letters, digits and
// underscores only (no spaces, dots or characters an importer rejects), in the engine's style.
// An object without a usable name is named after its kind and index.
func (n Naming) Name(kind modelio.Kind, index int, old string) string {
	words := nameWords(old)
	if len(words) == 0 {
		words = []string{kind.String(), fmt.Sprint(index + 1)}
	}
	var s string
	switch n {
	case NamingSnake:
		for i := range words {
			words[i] = strings.ToLower(words[i])
		}
		s = strings.Join(words, "_")
		s = avoidGodotHints(s)
	case NamingPascal, NamingUnreal:
		for i, w := range words {
			words[i] = strings.ToUpper(w[:1]) + w[1:]
		}
		s = strings.Join(words, "")
		if n == NamingUnreal {
			if prefix := unrealPrefix(kind); prefix != "" && !strings.HasPrefix(s, prefix) {
				s = prefix + s
			}
		}
	default:
		s = strings.Join(words, "_")
	}
	if s[0] >= '0' && s[0] <= '9' {
		// Engines take a leading digit badly (Unreal, C#-generated names).
		s = "_" + s
	}
	return s
}

// unrealPrefix is Unreal's asset-type prefix for an object of kind.
func unrealPrefix(kind modelio.Kind) string {
	switch kind {
	case modelio.KindMesh:
		return "SM_"
	case modelio.KindMaterial:
		return "M_"
	case modelio.KindImage, modelio.KindTexture:
		return "T_"
	case modelio.KindSkin:
		return "SK_"
	case modelio.KindAnimation:
		return "A_"
	}
	return ""
}

// godotHints are the name endings Godot's scene importer acts on (it makes collision shapes,
// navigation meshes or occluders of such nodes, or drops them, or loops the animation).
var godotHints = []string{"col", "colonly", "convcol", "convcolonly", "navmesh", "occ", "occonly",
	"rigid", "vehicle", "wheel", "noimp", "loop", "cycle"}

func avoidGodotHints(s string) string {
	for _, h := range godotHints {
		if s == h || strings.HasSuffix(s, "_"+h) {
			return s + "_part"
		}
	}
	return s
}

// nameWords splits a name into ASCII words: accents are removed ("Café" → "Cafe"), other
// letters and every separator split words, and camelCase stays as it is.
func nameWords(name string) []string {
	var words []string
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			words = append(words, cur.String())
			cur.Reset()
		}
	}
	var prev rune
	for _, r := range norm.NFD.String(name) {
		if unicode.Is(unicode.Mn, r) {
			continue // a combining accent: dropped, the letter it sat on kept
		}
		switch {
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if unicode.IsUpper(r) && prev != 0 && !unicode.IsUpper(prev) {
				flush() // camelCase: a word starts at each capital after a small letter
			}
			cur.WriteRune(r)
		default:
			flush()
		}
		prev = r
		if len(words) >= 12 {
			break
		}
	}
	flush()
	if len(words) > 12 {
		words = words[:12]
	}
	return words
}

// Summary says in one line what the preset does to a model exported in format f, for the artist
// to read before exporting.
func (p Preset) Summary(f Format) string {
	parts := []string{"the origin at the centre of its base"}
	if p.Pivot == PivotCentre {
		parts[0] = "the origin at the centre of its box"
	}
	names := map[Naming]string{NamingSnake: "names in snake_case", NamingPascal: "names in PascalCase",
		NamingUnreal: "names with SM_, M_ and T_ prefixes", NamingWords: "names without spaces"}[p.Naming]
	parts = append(parts, names)
	if f == FormatOBJ {
		unit := "metres"
		if p.Scale == 100 {
			unit = "centimetres"
		}
		parts = append(parts, fmt.Sprintf("+%s up in %s", strings.ToUpper(p.Up), unit))
	} else if p.Tangents {
		parts = append(parts, "tangents written")
	}
	limit := fmt.Sprintf("textures up to %d px", p.MaxTexture)
	if p.PowerOfTwo {
		limit += ", powers of two"
	}
	parts = append(parts, limit)
	return fmt.Sprintf("%s, read by %s: %s.", p.Title, p.Importer[f], strings.Join(parts, ", "))
}
