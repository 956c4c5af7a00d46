package app

import (
	"bufio"
	"context"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/qmuntal/gltf/modeler"

	"github.com/kiln3d/kiln/app/modelio"
	"github.com/kiln3d/kiln/providers/providertest"
)

// blenderScript imports each file named after "--" into an empty scene and prints, per file, one
// line "KILNJSON {...}": the world-space box of every mesh, the area-weighted centre of its
// surface, and whether a material's Base Color is fed by an image that loaded. Debian's Blender
// 3.4 with numpy 1.24 installed needs numpy.bool, which that numpy removed, before its glTF
// importer runs.
const blenderScript = `
import sys, json
try:
    import numpy
    numpy.bool = bool
except ImportError:
    pass  # the importers then do without it
import bpy
files = sys.argv[sys.argv.index("--") + 1:]
for f in files:
    out = {"file": f}
    try:
        bpy.ops.wm.read_factory_settings(use_empty=True)
        if f.endswith(".obj"):
            bpy.ops.wm.obj_import(filepath=f)
        else:
            bpy.ops.import_scene.gltf(filepath=f)
        lo, hi = [1e30] * 3, [-1e30] * 3
        area, cx, cy, cz = 0.0, 0.0, 0.0, 0.0
        for ob in bpy.context.scene.objects:
            if ob.type != "MESH":
                continue
            m = ob.matrix_world
            vs = [m @ v.co for v in ob.data.vertices]
            for v in vs:
                for k in range(3):
                    lo[k] = min(lo[k], v[k]); hi[k] = max(hi[k], v[k])
            for p in ob.data.polygons:
                idx = list(p.vertices)
                for i in range(1, len(idx) - 1):
                    a, b, c = vs[idx[0]], vs[idx[i]], vs[idx[i + 1]]
                    s = (b - a).cross(c - a).length / 2
                    area += s
                    cx += s * (a.x + b.x + c.x) / 3; cy += s * (a.y + b.y + c.y) / 3; cz += s * (a.z + b.z + c.z) / 3
        textured = False
        for mat in bpy.data.materials:
            if not mat.use_nodes:
                continue
            for node in mat.node_tree.nodes:
                if node.type == "BSDF_PRINCIPLED":
                    for link in node.inputs["Base Color"].links:
                        n = link.from_node
                        while n.type != "TEX_IMAGE" and n.inputs and n.inputs[0].links:
                            n = n.inputs[0].links[0].from_node
                        if n.type == "TEX_IMAGE" and n.image is not None and n.image.size[0] > 0:
                            textured = True
        out.update(min=lo, max=hi, centre=[cx / max(area, 1e-12), cy / max(area, 1e-12), cz / max(area, 1e-12)], area=area, textured=textured)
    except Exception as e:
        out["error"] = str(e)
    print("KILNJSON " + json.dumps(out), flush=True)
`

// blenderImport is what Blender saw of one file.
type blenderImport struct {
	File     string     `json:"file"`
	Min, Max [3]float64 `json:"-"`
	MinS     []float64  `json:"min"`
	MaxS     []float64  `json:"max"`
	Centre   []float64  `json:"centre"`
	Area     float64    `json:"area"`
	Textured bool       `json:"textured"`
	Error    string     `json:"error"`
}

// runBlender imports files into the Blender at path, headless.
func runBlender(t *testing.T, blender string, files []string) map[string]blenderImport {
	t.Helper()
	script := filepath.Join(t.TempDir(), "import.py")
	if err := os.WriteFile(script, []byte(blenderScript), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	args := append([]string{"-b", "--factory-startup", "-noaudio", "--python", script, "--"}, files...)
	cmd := exec.CommandContext(ctx, blender, args...)
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir()) // Blender's own settings stay out of the artist's home
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("blender: %v\n%s", err, tail(string(out), 3000))
	}
	got := map[string]blenderImport{}
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		// Blender's own messages may end without a newline: the line can start with one.
		_, line, ok := strings.Cut(sc.Text(), "KILNJSON ")
		if !ok {
			continue
		}
		var b blenderImport
		if err := json.Unmarshal([]byte(line), &b); err != nil {
			t.Fatalf("blender printed %q: %v", line, err)
		}
		if len(b.MinS) == 3 && len(b.MaxS) == 3 {
			b.Min, b.Max = [3]float64(b.MinS), [3]float64(b.MaxS)
		}
		got[b.File] = b
	}
	if len(got) != len(files) {
		t.Fatalf("blender reported on %d of %d files:\n%s", len(got), len(files), tail(string(out), 3000))
	}
	return got
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// surface is the world-space box and area-weighted centre of a glTF model's triangles, in glTF
// axes.
func surface(t *testing.T, path string) (lo, hi, centre [3]float64) {
	t.Helper()
	m, err := modelio.Load(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	lo, hi, _, err = m.Bounds()
	if err != nil {
		t.Fatal(err)
	}
	var area float64
	for _, d := range m.Draws() {
		for _, p := range m.Doc.Meshes[d.Mesh].Primitives {
			pos, err := m.Positions(p)
			if err != nil || p.Indices == nil {
				t.Fatalf("%s: the test reads indexed triangles only (%v)", path, err)
			}
			idx, err := modeler.ReadIndices(m.Doc, m.Doc.Accessors[*p.Indices], nil)
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i+2 < len(idx); i += 3 {
				a, b, c := modelio.Apply(d.World, pos[idx[i]]), modelio.Apply(d.World, pos[idx[i+1]]), modelio.Apply(d.World, pos[idx[i+2]])
				u := [3]float64{b[0] - a[0], b[1] - a[1], b[2] - a[2]}
				v := [3]float64{c[0] - a[0], c[1] - a[1], c[2] - a[2]}
				x := [3]float64{u[1]*v[2] - u[2]*v[1], u[2]*v[0] - u[0]*v[2], u[0]*v[1] - u[1]*v[0]}
				s := math.Sqrt(x[0]*x[0]+x[1]*x[1]+x[2]*x[2]) / 2
				area += s
				for k := range 3 {
					centre[k] += s * (a[k] + b[k] + c[k]) / 3
				}
			}
		}
	}
	for k := range 3 {
		centre[k] /= area
	}
	return lo, hi, centre
}

// TestExportImportsIntoBlender exports the local provider's model, a textured real one, a
// simplified scan and one whose meshes are drawn several times with every preset in every format and imports each file into Blender headless (skipped only when
// Blender is absent): its size is the model's, it stands on the ground (Blender is Z-up: glTF's
// +Y becomes +Z), it faces the way it did (glTF's front, +Z, becomes Blender's −Y: the surface's
// centre lands where the conversion puts it), and the texture is connected.
func TestExportImportsIntoBlender(t *testing.T) {
	blender, err := exec.LookPath("blender")
	if err != nil {
		// The issue asks for this test to run where Blender is and be skipped where it is not;
		// CI does not install it (about 300 MB). Debian: apt install blender python3-numpy.
		t.Skip("Blender is not installed, and this test imports into it")
	}
	ctx := context.Background()
	k := openKiln(t, t.TempDir(), QueueOptions{}, providertest.NewFake("fake"))
	type exported struct {
		model, reference string // the file, and the preset's .glb it must match
		textured         bool
	}
	var all []exported
	dir := t.TempDir()
	for _, em := range exportModels {
		var a Asset
		// A corpus model skips alone; the library keeps a copy of the subtest's file.
		t.Run(em.label, func(t *testing.T) { a = addModel(t, k, em.path(t)) })
		if a.ID == "" {
			continue
		}
		for _, p := range Presets {
			ref := ""
			for _, f := range p.Formats { // every preset's first is glb: the reference

				out := filepath.Join(dir, em.label, p.Name, string(f))
				res, err := k.Export(ctx, []string{a.ID}, ExportOptions{Preset: p.Name, Format: f, Out: out}, nil)
				if err != nil {
					t.Fatalf("%s %s %s: %v", em.label, p.Name, f, err)
				}
				if ref == "" {
					ref = res[0].Files[0]
				}
				all = append(all, exported{model: res[0].Files[0], reference: ref, textured: em.label == "textured"})
			}
		}
	}
	files := make([]string, len(all))
	for i, e := range all {
		files[i] = e.model
	}
	got := runBlender(t, blender, files)
	for _, e := range all {
		b := got[e.model]
		name := strings.TrimPrefix(e.model, dir)
		if b.Error != "" {
			t.Errorf("%s: Blender could not import it: %s", name, b.Error)
			continue
		}
		lo, hi, c := surface(t, e.reference)
		// glTF (x, y, z) is Blender (x, −z, y).
		wantLo := [3]float64{lo[0], -hi[2], lo[1]}
		wantHi := [3]float64{hi[0], -lo[2], hi[1]}
		wantC := [3]float64{c[0], -c[2], c[1]}
		size := math.Max(hi[0]-lo[0], math.Max(hi[1]-lo[1], hi[2]-lo[2]))
		tol := 0.01 * size
		for k := range 3 {
			if math.Abs(b.Min[k]-wantLo[k]) > tol || math.Abs(b.Max[k]-wantHi[k]) > tol {
				t.Errorf("%s: Blender's box [%.4v .. %.4v], want [%.4v .. %.4v]", name, b.Min, b.Max, wantLo, wantHi)
				break
			}
		}
		if math.Abs(b.Min[2]) > 0.001*size {
			t.Errorf("%s: the model's lowest point is at z = %.4g in Blender, not on the ground", name, b.Min[2])
		}
		for k := range 3 {
			if len(b.Centre) != 3 || math.Abs(b.Centre[k]-wantC[k]) > tol {
				t.Errorf("%s: the surface's centre is at %.4v in Blender, want %.4v (turned or mirrored?)", name, b.Centre, wantC)
				break
			}
		}
		if e.textured && !b.Textured {
			t.Errorf("%s: no material's Base Color is fed by a loaded image in Blender", name)
		}
	}
}
