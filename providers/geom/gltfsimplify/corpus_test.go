package gltfsimplify

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/qmuntal/gltf"

	"github.com/kiln3d/kiln/providers/fsguard/fsguardtest"
	"github.com/kiln3d/kiln/providers/modeltest"
)

// TestFileOnTheCorpus simplifies the shared corpus's real models: the output must pass the
// Khronos validator, hold the triangles File reports (the validator's own count, and drawn as
// Triangles counts them in the output), never draw more than the request, land within 5% of it
// wherever the model can come down that far, and keep its nodes, materials, textures, skins and
// animations.
func TestFileOnTheCorpus(t *testing.T) {
	models := modeltest.CorpusDir(t, "models")
	files := []string{
		"khronos_BoxTextured.glb",
		"khronos_BoxTextured_external/BoxTextured.gltf",
		"webxr_valve-index_right.glb",
		"webxr_generic-hand_left.glb",
		"khronos_AnimatedMorphCube/AnimatedMorphCube.gltf",
		"khronos_2CylinderEngine.glb",
		"stanford_bunny_69k.glb",
		"cge_knight/knight.gltf",
	}
	if testing.Short() {
		files = files[:5]
	}
	dir := t.TempDir()
	var outputs []string
	var claimed []int
	for _, f := range files {
		in := filepath.Join(models, f)
		if _, err := os.Stat(in); err != nil {
			t.Logf("%s is not in the corpus", f)
			continue
		}
		src, err := gltf.Open(in)
		if err != nil {
			t.Fatal(err)
		}
		want := countContents(src)
		_, drawn := Triangles(src)
		least := floorOf(t, in)
		for _, ratio := range []float64{0.5, 0.25, 0.1} {
			target := int(float64(drawn) * ratio)
			name := fmt.Sprintf("%s at %.0f%%", f, ratio*100)
			res, err := File(context.Background(), in, target, nil)
			if err != nil {
				if errors.Is(err, ErrBudget) && target < least {
					t.Logf("%s: %d drawn, asked %d, floor %d: %v", name, drawn, target, least, err)
					continue
				}
				t.Fatalf("%s: %v", name, err)
			}
			switch {
			case res.DrawnAfter > target:
				t.Errorf("%s: %d → %d triangles drawn, above the %d asked", name, res.DrawnBefore, res.DrawnAfter, target)
			case least <= target*95/100 && res.DrawnAfter < target*95/100:
				t.Errorf("%s: %d → %d triangles drawn, want %d − 5%% at least (it can go down to %d)", name, res.DrawnBefore, res.DrawnAfter, target, least)
			}
			t.Logf("%s: %d → %d triangles, %d → %d drawn (asked %d, floor %d)", name, res.Before, res.After, res.DrawnBefore, res.DrawnAfter, target, least)
			out := writeResult(t, res, filepath.Join(dir, fmt.Sprintf("%02d-%s.glb", len(outputs), filepath.Base(f))))
			outputs, claimed = append(outputs, out), append(claimed, res.After)
			doc, err := gltf.Open(out)
			if err != nil {
				t.Fatal(err)
			}
			if got := countContents(doc); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s: contents changed:\n got %+v\nwant %+v", name, got, want)
			}
			if u, d := Triangles(doc); u != res.After || d != res.DrawnAfter {
				t.Errorf("%s: the output holds %d triangles, %d drawn; File said %d, %d", name, u, d, res.After, res.DrawnAfter)
			}
		}
	}
	for i, r := range modeltest.Validate(t, outputs...) {
		if r.Triangles != claimed[i] {
			t.Errorf("%s: the validator counts %d triangles, File said %d", filepath.Base(r.File), r.Triangles, claimed[i])
		}
	}
}

// floorOf is the fewest triangles drawn the model at path comes down to: what File's
// *BudgetError says when asked for none.
func floorOf(t testing.TB, path string) int {
	t.Helper()
	_, err := File(context.Background(), path, 0, nil)
	var be *BudgetError
	if !errors.As(err, &be) || !errors.Is(err, ErrBudget) || be.Target != 0 {
		t.Fatalf("%s with a budget of 0: %v, want a *BudgetError", filepath.Base(path), err)
	}
	return be.Least
}

// TestFileRefusesWhatItCannotRead: the corpus's Draco model and invalid files, and broken files
// made here, are refused with a message that says why, never a panic.
func TestFileRefusesWhatItCannotRead(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := saveGLB(t, testDocument(t), filepath.Join(dir, "good.glb"))
	whole, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	type refusal struct {
		path string
		is   error
		says []string
	}
	cases := map[string]refusal{
		"truncated": {write("truncated.glb", whole[:len(whole)/2]), ErrUnreadable, []string{"not a readable glTF model"}},
		"not glTF":  {write("text.gltf", []byte("this is not JSON")), ErrUnreadable, []string{"not a readable glTF model"}},
		"glTF 1.0":  {write("v1.gltf", []byte(`{"asset":{"version":"1.0"}}`)), ErrUnsupported, []string{"glTF 2.0"}},
		"meshopt":   {write("meshopt.gltf", []byte(`{"asset":{"version":"2.0"},"extensionsUsed":["EXT_meshopt_compression"],"extensionsRequired":["EXT_meshopt_compression"]}`)), ErrUnsupported, []string{"meshopt-compressed", "decompress"}},
		"missing":   {filepath.Join(dir, "absent.glb"), os.ErrNotExist, nil},
		// A buffer so long that the decoder's make panics (a GLB, whose header check truncates it).
		"decoder panic": {write("panic.glb", panicGLB()), ErrUnreadable, []string{"not a readable glTF model"}},
		"index out of range": {write("oob.gltf", []byte(`{"asset":{"version":"2.0"},"buffers":[{"byteLength":42,"uri":"data:application/octet-stream;base64,`+
			`AAAAAAAAAAAAAAAAAACAPwAAAAAAAAAAAAAAAAAAgD8AAAAAAAABAAkA"}],`+
			`"bufferViews":[{"buffer":0,"byteLength":36},{"buffer":0,"byteOffset":36,"byteLength":6}],`+
			`"accessors":[{"bufferView":0,"componentType":5126,"count":3,"type":"VEC3","min":[0,0,0],"max":[1,1,0]},{"bufferView":1,"componentType":5123,"count":3,"type":"SCALAR"}],`+
			`"meshes":[{"primitives":[{"attributes":{"POSITION":0},"indices":1}]}]}`)), ErrUnsupported, []string{"past the 3 vertices"}},
	}
	if corpus := corpusRoot(t); corpus != "" {
		cases["Draco"] = refusal{filepath.Join(corpus, "models", "DRACO_khronos_2CylinderEngine", "2CylinderEngine.gltf"), ErrUnsupported, []string{"Draco-compressed", "decompress it first", "gltf-transform"}}
		cases["GLB version 1"] = refusal{filepath.Join(corpus, "invalid", "gltf1_BoxTextured_v1.glb"), ErrUnsupported, []string{"glTF 1.0", "glTF 2.0"}}
		cases["bad normals"] = refusal{filepath.Join(corpus, "invalid", "BoxBadNormals.glb"), ErrUnsupported, []string{"NORMAL", "not 1", "not valid glTF"}}
		cases["corpus index out of range"] = refusal{filepath.Join(corpus, "invalid", "IndexOutOfRange", "IndexOutOfRange.gltf"), ErrUnsupported, []string{"past the"}}
	}
	for name, c := range cases {
		res, err := File(context.Background(), c.path, 10, nil)
		if err == nil {
			t.Errorf("%s: accepted (%d → %d triangles)", name, res.Before, res.After)
			continue
		}
		if !errors.Is(err, c.is) {
			t.Errorf("%s: %v does not wrap %v", name, err, c.is)
		}
		for _, s := range c.says {
			if !strings.Contains(err.Error(), s) {
				t.Errorf("%s: %q does not say %q", name, err, s)
			}
		}
		t.Logf("%s: %v", name, err)
	}
}

// corpusRoot is the shared corpus, or "" (the Draco and invalid cases are then skipped).
func corpusRoot(t *testing.T) string {
	var root string
	t.Run("corpus", func(t *testing.T) { root = filepath.Dir(modeltest.CorpusDir(t, "models")) })
	if root == "." {
		return ""
	}
	return root
}

// panicGLB is a GLB whose buffer claims 2⁴⁹ bytes: the decoder checks the length truncated to
// 32 bits (zero) against the BIN chunk, then asks make for the full length, which panics.
func panicGLB() []byte {
	js := []byte(`{"asset":{"version":"2.0"},"buffers":[{"byteLength":562949953421312}]}`)
	for len(js)%4 != 0 {
		js = append(js, ' ')
	}
	le := binary.LittleEndian
	var b []byte
	b = append(b, "glTF"...)
	b = le.AppendUint32(b, 2)
	b = le.AppendUint32(b, uint32(12+8+len(js)+8))
	b = le.AppendUint32(b, uint32(len(js)))
	b = append(b, "JSON"...)
	b = append(b, js...)
	b = le.AppendUint32(b, 0)
	b = append(b, "BIN\x00"...)
	return b
}

// A texture is embedded in the output only from a regular file inside the model's folder: a link
// out of it (a model must not copy /etc/passwd into a GLB) and a FIFO are refused, promptly.
func TestFileEmbedsOnlyTexturesInsideTheFolder(t *testing.T) {
	dir := t.TempDir()
	path := saveGLTF(t, testDocument(t), dir)
	tex := filepath.Join(dir, "checker texture.png")
	secret := filepath.Join(t.TempDir(), "secret.png")
	if err := os.Rename(tex, secret); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(secret, tex); err != nil {
		t.Fatal(err)
	}
	if _, err := File(context.Background(), path, 2000, nil); err == nil || !strings.Contains(err.Error(), "outside the model's folder") {
		t.Errorf("a texture linked out of the folder: %v", err)
	}
	if err := os.Remove(tex); err != nil {
		t.Fatal(err)
	}
	fsguardtest.MkFIFO(t, tex)
	err := fsguardtest.Promptly(t, 10*time.Second, func() error { _, err := File(context.Background(), path, 2000, nil); return err })
	if err == nil || !strings.Contains(err.Error(), "named pipe") {
		t.Errorf("a FIFO as the texture: %v", err)
	}
}
