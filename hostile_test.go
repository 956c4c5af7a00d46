//go:build unix

package main

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qmuntal/gltf"

	"github.com/kiln3d/kiln/providers/fsguard/fsguardtest"
	"github.com/kiln3d/kiln/providers/modeltest"
	"github.com/kiln3d/kiln/providers/providertest"
)

// TestHostileInputsThroughTheBinary gives the built binary what a careless disk or a hostile
// file would: each gets a clear, specific error and a non-zero exit, promptly, and nothing is
// overwritten or printed raw.
func TestHostileInputsThroughTheBinary(t *testing.T) {
	bin := buildKiln(t)
	home, dir := t.TempDir(), t.TempDir()
	fifo := filepath.Join(dir, "photo.png")
	fsguardtest.MkFIFO(t, fifo)
	fifoModel := filepath.Join(dir, "model.glb")
	fsguardtest.MkFIFO(t, fifoModel)
	huge := filepath.Join(dir, "huge.glb")
	if err := modeltest.WriteTerabyteGLB(huge); err != nil {
		t.Fatal(err)
	}
	nan := filepath.Join(dir, "nan.glb")
	writeDamagedGLB(t, nan, float32(math.NaN()))
	inf := filepath.Join(dir, "inf.glb")
	writeDamagedGLB(t, inf, float32(math.Inf(-1)))
	// 870 KB whose 2,100 meshes share one accessor: 126 million vertices once read.
	shared := filepath.Join(dir, "shared.glb")
	if err := os.WriteFile(shared, modeltest.SharedAccessorGLB(2100, 60000), 0o644); err != nil {
		t.Fatal(err)
	}
	png := filepath.Join(dir, "out.png")

	for _, c := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"a FIFO as an image", []string{"generate", fifo}, 1, "named pipe"},
		{"a FIFO as a model to render", []string{"render", fifoModel, "--out", png}, 1, "named pipe"},
		{"a FIFO as a model to simplify", []string{"simplify", fifoModel, "--polycount", "10", "--out", filepath.Join(dir, "s.glb")}, 1, "named pipe"},
		{"a buffer claiming a terabyte, simplified", []string{"simplify", huge, "--polycount", "10", "--out", filepath.Join(dir, "s.glb")}, 1, "claims"},
		{"a buffer claiming a terabyte, rendered", []string{"render", huge, "--out", png}, 1, "claims"},
		{"NaN positions, rendered", []string{"render", nan, "--out", png}, 1, "not numbers (NaN or infinite)"},
		{"infinite positions, rendered", []string{"render", inf, "--out", png}, 1, "inf.glb: mesh 0 primitive 0: some positions are not numbers (NaN or infinite): the file is damaged"},
		{"meshes sharing one large accessor, rendered", []string{"render", shared, "--out", png}, 1, "more than the 60 million the preview takes"},
		{"meshes sharing one large accessor, simplified", []string{"simplify", shared, "--polycount", "10", "--out", filepath.Join(dir, "s.glb")}, 1, "more than the 100 million Kiln simplifies"},
		{"a mistyped command", []string{"serev"}, 2, `no such command "serev"`},
		{"another mistyped command", []string{"exprot", "x"}, 2, `no such command "exprot"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			r := kiln(t, bin, home, c.args...)
			if r.code != c.code || !strings.Contains(r.stderr, c.want) || strings.Count(strings.TrimSpace(r.stderr), "\n") > 0 {
				t.Errorf("exit %d, stderr %q; want %d and %q on one line", r.code, r.stderr, c.code, c.want)
			}
			if took := time.Since(start); took > 20*time.Second {
				t.Errorf("took %s", took)
			}
		})
	}
	if _, err := os.Stat(png); err == nil {
		t.Error("a refused model left a picture behind")
	}

	// A file name with a newline and an escape sequence is shown escaped, never obeyed.
	evil := filepath.Join(dir, "chair\n\x1b[31mred.png")
	data, _ := os.ReadFile(filepath.Join("assets", "samples", "lifebuoy.png"))
	os.WriteFile(evil, data, 0o644)
	out := t.TempDir()
	gen := kiln(t, bin, home, "generate", "--polycount", "800", "--out", out, evil)
	if gen.code != 0 {
		t.Fatalf("generate from an oddly named file: %d %q", gen.code, gen.stderr)
	}
	model := strings.TrimSpace(gen.stdout)
	for _, args := range [][]string{{"jobs"}, {"library"}} {
		r := kiln(t, bin, home, args...)
		if strings.Contains(r.stdout, "\x1b") || !strings.Contains(r.stdout, `chair\n\x1b[31mred`) {
			t.Errorf("kiln %s printed %q", args[0], r.stdout)
		}
	}

	// Ten saves to one folder at once: ten whole files, none overwritten. A second save to a
	// taken --out file is refused.
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			if r := kiln(t, bin, home, "simplify", model, "--polycount", "100", "--out", filepath.Join(out, "same.glb"), "--force"); r.code != 0 {
				t.Errorf("simplify --force: %d %q", r.code, r.stderr)
			}
		})
	}
	wg.Wait()
	assets := listAssets(t, bin, home)
	for range 10 {
		wg.Go(func() {
			if r := kiln(t, bin, home, "library", "download", assets[0], "--out", out+"/"); r.code != 0 {
				t.Errorf("library download: %d %q", r.code, r.stderr)
			}
		})
	}
	wg.Wait()
	entries, _ := os.ReadDir(out)
	names := map[string]bool{}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("left behind: %q", e.Name())
		}
		names[e.Name()] = true
	}
	if len(names) < 11 {
		t.Errorf("ten saves into one folder made %d files: %v", len(names), names)
	}
	for _, args := range [][]string{
		{"library", "download", assets[0], "--out", filepath.Join(out, "same.glb")},
		{"simplify", model, "--polycount", "100", "--out", filepath.Join(out, "same.glb")},
	} {
		taken := kiln(t, bin, home, args...)
		if taken.code != 1 || !strings.Contains(taken.stderr, "already exists") {
			t.Errorf("kiln %s over a taken name: %d %q", args[0], taken.code, taken.stderr)
		}
	}

	// asset.json is input: a model path leaving the asset's folder is refused, and nothing is
	// copied out.
	side := filepath.Join(home, "library", assets[0], "asset.json")
	var raw map[string]any
	b, _ := os.ReadFile(side)
	json.Unmarshal(b, &raw)
	raw["files"].([]any)[0].(map[string]any)["path"] = "../../../../etc/passwd"
	b, _ = json.Marshal(raw)
	os.WriteFile(side, b, 0o644)
	stolen := filepath.Join(t.TempDir(), "x.glb")
	r := kiln(t, bin, home, "library", "download", assets[0], "--out", stolen)
	if _, err := os.Stat(stolen); err == nil || r.code == 0 {
		t.Errorf("a tampered asset.json copied a file out: %d %q", r.code, r.stderr)
	}
	lib := kiln(t, bin, home, "library")
	if !strings.Contains(lib.stdout, "damaged: the path") || !strings.Contains(lib.stderr, "leads out of the asset folder") {
		t.Errorf("kiln library shows the tampered asset as %q / %q", lib.stdout, lib.stderr)
	}
}

func listAssets(t *testing.T, bin, home string) []string {
	t.Helper()
	r := kiln(t, bin, home, "library", "--json")
	var as []struct{ ID string }
	if err := json.Unmarshal([]byte(r.stdout), &as); err != nil || len(as) == 0 {
		t.Fatalf("library --json: %q %v", r.stdout, err)
	}
	ids := make([]string, len(as))
	for i, a := range as {
		ids[i] = a.ID
	}
	return ids
}

// writeDamagedGLB writes a tetrahedron whose first position is v (NaN, an infinity), its
// declared bounds finite.
func writeDamagedGLB(t *testing.T, path string, v float32) {
	doc := providertest.Tetrahedron()
	acc := doc.Accessors[doc.Meshes[0].Primitives[0].Attributes[gltf.POSITION]]
	bv := doc.BufferViews[*acc.BufferView]
	data := doc.Buffers[bv.Buffer].Data
	binary.LittleEndian.PutUint32(data[bv.ByteOffset+acc.ByteOffset:], math.Float32bits(v))
	if err := gltf.SaveBinary(doc, path); err != nil {
		t.Fatal(err)
	}
}
