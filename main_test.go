package main

import (
	"encoding/json"
	"errors"
	stdpng "image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kiln3d/kiln/providers/kaedim/kaedimtest"
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
	return kilnEnv(t, bin, home, nil, args...)
}

func kilnEnv(t *testing.T, bin, home string, extra []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(bin, args...)
	// A server's environment: no display, the C locale.
	cmd.Env = append(os.Environ(), "KILN_HOME="+home, "DISPLAY=", "WAYLAND_DISPLAY=", "LANG=C.UTF-8", "LC_ALL=", "LANGUAGE=")
	cmd.Env = append(cmd.Env, extra...)
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
	t.Run("render", func(t *testing.T) {
		// Headless: surfaceless EGL, no X server (DISPLAY is empty in kiln's environment).
		png := filepath.Join(t.TempDir(), "front.png")
		r := kiln(t, bin, home, "render", filepath.Join(out, "lifebuoy.glb"), "--out", png, "--size", "128", "--view", "front")
		if r.code != 0 || r.stderr != "" {
			t.Fatalf("kiln render: exit %d, stderr %q", r.code, r.stderr)
		}
		f, err := os.Open(png)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		img, err := stdpng.Decode(f)
		if err != nil || img.Bounds().Dx() != 128 {
			t.Fatalf("the render is not a 128 px PNG: %v", err)
		}
		// The lifebuoy seen from the front: a ring, so the centre shows the background and the
		// ring (left of the centre) does not.
		bg := img.At(64, 64)
		if img.At(64, 2) != bg || img.At(30, 64) == bg {
			t.Error("the front render does not show the ring with its hole")
		}
	})
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
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Deps " "}}|{{join .Imports " "}}`, "./...").Output()
	if err != nil {
		t.Fatal(err)
	}
	const mod = "github.com/kiln3d/kiln"
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, rest, _ := strings.Cut(line, " ")
		deps, imports, _ := strings.Cut(rest, "|")
		rel := strings.TrimPrefix(strings.TrimPrefix(pkg, mod), "/")
		// The views may reach providers through the core, but never pick one themselves.
		for _, d := range strings.Fields(imports) {
			if strings.HasPrefix(rel, "views") && strings.HasPrefix(d, mod+"/providers/") && !strings.HasPrefix(d, mod+"/providers/imageio") {
				t.Errorf("%s imports %s: only main picks concrete providers", rel, d)
			}
		}
		for _, d := range strings.Fields(deps) {
			switch {
			case (strings.HasPrefix(rel, "app") || strings.HasPrefix(rel, "providers")) &&
				(strings.HasPrefix(d, "fyne.io/") || strings.HasPrefix(d, mod+"/views") || strings.HasPrefix(d, "github.com/sqweek/")):
				t.Errorf("%s depends on %s: the core and the providers stay free of the toolkit", rel, d)
			case strings.HasPrefix(rel, "providers") && strings.HasPrefix(d, mod+"/app"):
				t.Errorf("%s depends on %s: providers sit below the core", rel, d)
			case strings.HasPrefix(rel, "assets") && strings.HasPrefix(d, mod):
				t.Errorf("assets depends on %s: it is a leaf", d)
			}
		}
	}
}

// TestKaedimEndToEnd runs a whole cloud job through the built binary against the fake Kaedim on
// loopback, with known secrets in the environment and no keychain at all, then looks for those
// secrets everywhere Kiln wrote or printed: they must not be there.
func TestKaedimEndToEnd(t *testing.T) {
	srv := kaedimtest.NewWith(t, kaedimtest.Options{BasePath: "/kaedim", Generation: 500 * time.Millisecond})
	bin := buildKiln(t)
	home, out := t.TempDir(), t.TempDir()
	acct := srv.Account
	env := []string{"KILN_KAEDIM_DEV_ID=" + acct.DevID, "KILN_KAEDIM_API_KEY=" + acct.APIKey,
		"KILN_KAEDIM_REFRESH_TOKEN=" + acct.RefreshToken, "DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent",
		"KILN_KAEDIM_ENDPOINT=" + srv.URL} // never the real service
	run := func(args ...string) result {
		t.Helper()
		return kilnEnv(t, bin, home, env, args...)
	}
	var printed strings.Builder
	keys := run("keys", "test", "kaedim")
	printed.WriteString(keys.stdout + keys.stderr)
	if keys.code != 0 || !strings.HasPrefix(keys.stdout, "OK") {
		t.Errorf("keys test against the fake: %d %q %q", keys.code, keys.stdout, keys.stderr)
	}
	r := run("generate", "--provider", "kaedim", "--endpoint", srv.URL, "--quality", "high", "--test",
		"--polycount", "12000", "--height-cm", "40", "--json", "--out", out, filepath.Join("assets", "samples", "vase.png"))
	printed.WriteString(r.stdout + r.stderr)
	if r.code != 0 {
		t.Fatalf("generate on kaedim: exit %d, stderr %q", r.code, r.stderr)
	}
	var res struct {
		Status string
		Files  []string
	}
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil || res.Status != "done" || len(res.Files) != 1 {
		t.Fatalf("result %q: %v", r.stdout, err)
	}
	modeltest.Validate(t, res.Files[0])
	reqs := srv.Requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests reached the fake, want 1", len(reqs))
	}
	f := srv.Received("process")[0].Fields
	got := func(k string) string { return strings.Join(f[k], ",") }
	if got("LoQ") != "high" || got("test") != "true" || got("polycount") != "12000" || got("height") != "40" {
		t.Errorf("process fields %v", f)
	}

	checkNoSecrets(t, home, printed.String(), append([]string{acct.APIKey, acct.RefreshToken}, srv.JWTs()...)...)
}

// checkNoSecrets fails t when any of secrets appears in printed (what Kiln printed) or in any file
// under home (everything Kiln wrote).
func checkNoSecrets(t *testing.T, home, printed string, secrets ...string) {
	t.Helper()
	check := func(where, text string) {
		for _, s := range secrets {
			if s != "" && strings.Contains(text, s) {
				t.Errorf("a secret (%s…) appears in %s", s[:min(4, len(s))], where)
			}
		}
	}
	check("the printed output", printed)
	err := filepath.WalkDir(home, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err == nil {
			check(p, string(data))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
