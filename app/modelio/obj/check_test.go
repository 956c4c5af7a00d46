package obj_test

import (
	"context"
	"image"
	_ "image/jpeg"
	_ "image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kiln3d/kiln/app/modelio"
	"github.com/kiln3d/kiln/app/modelio/obj"
)

func load(t *testing.T, path string) *modelio.Model {
	t.Helper()
	m, err := modelio.Load(context.Background(), path)
	if err != nil {
		t.Fatalf("load %s: %v", path, err)
	}
	return m
}

// exported is what a Write wrote, read back.
type exported struct {
	dir   string
	files []string
	obj   *objFile
	mtl   map[string]mtlMaterial
}

// writeChecked writes m as model.obj in a new folder and checks what every reader relies on.
func writeChecked(t *testing.T, m *modelio.Model, opt obj.Options) *exported {
	t.Helper()
	dir := t.TempDir()
	files, err := obj.Write(context.Background(), m, filepath.Join(dir, "model.obj"), opt)
	if err != nil {
		t.Fatalf("write: %v", err)
	}
	return check(t, m, dir, files, opt)
}

// check reads back the files of a Write into dir and checks them against m: exactly the files
// returned exist, the .obj first and its .mtl second; the drawn triangles, each node's object,
// the bounds (after the axis change and scale), the faces' indices, the materials and maps, the
// normals' length, and the winding against the normals.
func check(t *testing.T, m *modelio.Model, dir string, files []string, opt obj.Options) *exported {
	t.Helper()
	if len(files) < 2 || files[0] != filepath.Join(dir, "model.obj") || files[1] != filepath.Join(dir, "model.mtl") {
		t.Fatalf("files %q: want model.obj, then model.mtl", files)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var present []string
	for _, e := range entries {
		present = append(present, filepath.Join(dir, e.Name()))
	}
	if !slices.Equal(present, slices.Sorted(slices.Values(files))) {
		t.Fatalf("the folder holds %q, Write returned %q", present, files)
	}

	o, err := readOBJ(files[0])
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(o.mtllibs, []string{"model.mtl"}) {
		t.Errorf("mtllib %q, want model.mtl", o.mtllibs)
	}
	mtl, err := readMTL(files[1])
	if err != nil {
		t.Fatal(err)
	}

	_, drawn := m.Triangles()
	if got := o.triangles(); got != drawn {
		t.Errorf("%d triangles read back, the model draws %d", got, drawn)
	}
	draws := m.Draws()
	if len(o.objects) != len(draws) || !slices.Equal(o.objects, o.groups) {
		t.Errorf("%d objects and %d groups for %d drawn meshes", len(o.objects), len(o.groups), len(draws))
	}
	seen := map[string]bool{}
	for _, name := range o.objects {
		if name == "" || strings.ContainsAny(name, " \t") || seen[name] {
			t.Errorf("object name %q: empty, spaced or repeated", name)
		}
		seen[name] = true
	}

	checkBounds(t, m, o, opt)

	for _, f := range o.faces {
		if f.object == "" {
			t.Fatalf("a face before any o statement")
		}
		if _, ok := mtl[f.material]; !ok {
			t.Fatalf("usemtl %q: not in the .mtl", f.material)
		}
	}
	for name, mat := range mtl {
		for key := range mat {
			if !strings.HasPrefix(key, "map_") && key != "norm" {
				continue
			}
			file := filepath.Join(dir, mat.mapFile(key))
			if !slices.Contains(files, file) {
				t.Errorf("material %s: %s %s is not a file Write returned", name, key, file)
				continue
			}
			if err := decodes(file); err != nil {
				t.Errorf("material %s: %s %s: %v", name, key, file, err)
			}
		}
	}

	for i, n := range o.vn {
		if l := math.Sqrt(dot(n, n)); math.Abs(l-1) > 1e-5 {
			t.Fatalf("vn %d %v has length %g", i+1, n, l)
		}
	}
	checkWinding(t, o)
	return &exported{dir: dir, files: files, obj: o, mtl: mtl}
}

// checkBounds compares the read-back vertices' box with m.Bounds(), turned and scaled as opt
// says, within 1e-4 of the box's size.
func checkBounds(t *testing.T, m *modelio.Model, o *objFile, opt obj.Options) {
	t.Helper()
	lo, hi, ok, err := m.Bounds()
	if err != nil || !ok {
		t.Fatalf("model bounds: %v %v", ok, err)
	}
	if opt.Up == "z" {
		// (x, y, z) becomes (x, −z, y): y's range is −z's.
		lo, hi = [3]float64{lo[0], -hi[2], lo[1]}, [3]float64{hi[0], -lo[2], hi[1]}
	}
	scale := opt.Scale
	if scale == 0 {
		scale = 1
	}
	glo, ghi := box(o.v)
	size := 0.0
	for k := range 3 {
		lo[k], hi[k] = lo[k]*scale, hi[k]*scale
		size = math.Max(size, hi[k]-lo[k])
	}
	for k := range 3 {
		if math.Abs(glo[k]-lo[k]) > 1e-4*size || math.Abs(ghi[k]-hi[k]) > 1e-4*size {
			t.Errorf("axis %d: read back [%g, %g], want [%g, %g]", k, glo[k], ghi[k], lo[k], hi[k])
		}
	}
}

// checkWinding checks, for each face with normals and an area, that its corners turn
// counter-clockwise about its normals (the geometric normal agrees with their mean): all but a
// few faces at creases of a smooth mesh must.
func checkWinding(t *testing.T, o *objFile) {
	t.Helper()
	agree, total := map[string]int{}, map[string]int{}
	for _, f := range o.faces {
		if f.corners[0].vn < 0 {
			continue
		}
		g := faceNormal(o, f)
		if dot(g, g) < 1e-24 {
			continue
		}
		var n [3]float64
		for _, c := range f.corners {
			n = add(n, o.vn[c.vn])
		}
		total[f.object]++
		if dot(g, n) > 0 {
			agree[f.object]++
		}
	}
	for name, n := range total {
		if frac := float64(agree[name]) / float64(n); frac < 0.95 {
			t.Errorf("object %s: %d of %d faces turn against their normals", name, n-agree[name], n)
		}
	}
}

// signedVolume is the volume a closed mesh encloses, positive when its faces turn outward.
func signedVolume(o *objFile, object string) float64 {
	v := 0.0
	for _, f := range o.faces {
		if object != "" && f.object != object {
			continue
		}
		a := o.v[f.corners[0].v]
		for i := 1; i+1 < len(f.corners); i++ {
			v += dot(a, cross(o.v[f.corners[i].v], o.v[f.corners[i+1].v])) / 6
		}
	}
	return v
}

func faceNormal(o *objFile, f face) [3]float64 {
	a, b, c := o.v[f.corners[0].v], o.v[f.corners[1].v], o.v[f.corners[2].v]
	return cross(sub(b, a), sub(c, a))
}

func box(vs [][3]float64) (lo, hi [3]float64) {
	lo = [3]float64{math.Inf(1), math.Inf(1), math.Inf(1)}
	hi = [3]float64{math.Inf(-1), math.Inf(-1), math.Inf(-1)}
	for _, v := range vs {
		for k := range 3 {
			lo[k], hi[k] = math.Min(lo[k], v[k]), math.Max(hi[k], v[k])
		}
	}
	return lo, hi
}

func decodes(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, _, err = image.Decode(f)
	return err
}

func dot(a, b [3]float64) float64 { return a[0]*b[0] + a[1]*b[1] + a[2]*b[2] }
func add(a, b [3]float64) [3]float64 {
	return [3]float64{a[0] + b[0], a[1] + b[1], a[2] + b[2]}
}
func sub(a, b [3]float64) [3]float64 {
	return [3]float64{a[0] - b[0], a[1] - b[1], a[2] - b[2]}
}
func cross(a, b [3]float64) [3]float64 {
	return [3]float64{a[1]*b[2] - a[2]*b[1], a[2]*b[0] - a[0]*b[2], a[0]*b[1] - a[1]*b[0]}
}
