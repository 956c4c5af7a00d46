package main

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/kiln3d/kiln/providers/modeltest"
)

// buildKiln builds the real binary once per test run.
func buildKiln(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "kiln")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

type result struct {
	code           int
	stdout, stderr string
}

func kiln(t *testing.T, bin, home string, args ...string) result {
	t.Helper()
	cmd := exec.Command(bin, args...)
	// A server's environment: no display, the C locale.
	cmd.Env = append(os.Environ(), "KILN_HOME="+home, "DISPLAY=", "WAYLAND_DISPLAY=", "LANG=C.UTF-8", "LC_ALL=", "LANGUAGE=")
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	if ee, ok := errors.AsType[*exec.ExitError](err); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{code, out.String(), errOut.String()}
}

// TestCLIEndToEnd runs the built binary: `kiln generate` gives a valid model, from a shipped
// sample always and from a real photo of the shared corpus when it is there.
func TestCLIEndToEnd(t *testing.T) {
	bin := buildKiln(t)
	home, out := t.TempDir(), t.TempDir()

	v := kiln(t, bin, home, "version")
	if v.code != 0 || !strings.HasPrefix(v.stdout, "kiln ") || v.stderr != "" {
		t.Errorf("kiln version: %d %q, stderr %q (must be silent)", v.code, v.stdout, v.stderr)
	}

	generate := func(t *testing.T, image string, polycount int) {
		r := kiln(t, bin, home, "generate", "--polycount", strconv.Itoa(polycount), "--json", "--out", out, image)
		if r.code != 0 {
			t.Fatalf("kiln generate: exit %d, stderr %q", r.code, r.stderr)
		}
		var res struct {
			Job, Provider, Status string
			Files                 []string
			Triangles             int
		}
		if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
			t.Fatalf("stdout is not JSON: %q", r.stdout)
		}
		if res.Provider != "local" || res.Status != "done" || len(res.Files) != 1 ||
			math.Abs(float64(res.Triangles-polycount)) > 0.05*float64(polycount) {
			t.Errorf("result %+v", res)
		}
		want := filepath.Join(out, strings.TrimSuffix(filepath.Base(image), filepath.Ext(image))+".glb")
		if len(res.Files) == 1 && res.Files[0] != want {
			t.Errorf("model saved to %s, want %s", res.Files[0], want)
		}
		if strings.Contains(r.stderr, "error") || strings.Contains(r.stderr, "\r") {
			t.Errorf("stderr: %q", r.stderr)
		}
		reports := modeltest.Validate(t, res.Files...)
		if len(reports) == 1 && reports[0].Triangles != res.Triangles {
			t.Errorf("validator counts %d triangles, kiln said %d", reports[0].Triangles, res.Triangles)
		}
	}
	t.Run("sample", func(t *testing.T) { generate(t, filepath.Join("assets", "samples", "lifebuoy.png"), 3000) })
	t.Run("corpus", func(t *testing.T) {
		generate(t, filepath.Join(modeltest.CorpusDir(t, "images"), "tux_Apricot_whole.png"), 8000)
	})

	lib := kiln(t, bin, home, "library")
	if lib.code != 0 || !strings.Contains(lib.stdout, "lifebuoy") {
		t.Errorf("kiln library: %d %q", lib.code, lib.stdout)
	}

	notImage := filepath.Join(t.TempDir(), "photo.png")
	os.WriteFile(notImage, []byte("GIF89a..."), 0o644)
	bad := kiln(t, bin, home, "generate", notImage)
	if bad.code != 1 || strings.Count(strings.TrimSpace(bad.stderr), "\n") != 0 ||
		!strings.Contains(bad.stderr, "photo.png: is a GIF image, not a PNG, JPEG or WebP image") {
		t.Errorf("bad input: exit %d, stderr %q", bad.code, bad.stderr)
	}
}

// TestImportDirection keeps the layers apart: the core and the providers never import the
// toolkit, and providers never import the core.
func TestImportDirection(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Deps " "}}`, "./...").Output()
	if err != nil {
		t.Fatal(err)
	}
	const mod = "github.com/kiln3d/kiln"
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, deps, _ := strings.Cut(line, " ")
		rel := strings.TrimPrefix(strings.TrimPrefix(pkg, mod), "/")
		for _, d := range strings.Fields(deps) {
			switch {
			case (strings.HasPrefix(rel, "app") || strings.HasPrefix(rel, "providers")) &&
				(strings.HasPrefix(d, "fyne.io/") || strings.HasPrefix(d, mod+"/views") || strings.HasPrefix(d, "github.com/sqweek/")):
				t.Errorf("%s depends on %s: the core and the providers stay free of the toolkit", rel, d)
			case strings.HasPrefix(rel, "providers") && strings.HasPrefix(d, mod+"/app"):
				t.Errorf("%s depends on %s: providers sit below the core", rel, d)
			case strings.HasPrefix(rel, "views") && strings.HasPrefix(d, mod+"/providers/") && !strings.HasPrefix(d, mod+"/providers/imageio") &&
				!strings.HasSuffix(rel, "_test"):
				t.Errorf("%s depends on %s: only main picks concrete providers", rel, d)
			case strings.HasPrefix(rel, "assets") && strings.HasPrefix(d, mod):
				t.Errorf("assets depends on %s: it is a leaf", d)
			}
		}
	}
}
