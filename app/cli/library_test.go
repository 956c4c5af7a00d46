package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kiln3d/kiln/app"
	"github.com/kiln3d/kiln/providers/providertest"
)

// fakes serve the library commands, which need a provider registered but never call it.
var fakes = []*providertest.Fake{providertest.NewFake("local")}

// fileAsset files a downloaded asset in home's library by hand, as a hostile or careless hand
// could: name and model path are written as given.
func fileAsset(t *testing.T, home, id, name, modelPath string) {
	t.Helper()
	dir := filepath.Join(home, "library", id)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	model := filepath.Join(dir, "pot.glb")
	if err := providertest.WriteTetrahedron(model); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(model)
	sum := sha256.Sum256(data)
	a := app.Asset{ID: id, Name: name, Provider: "local", Finished: time.Now(), Triangles: 4,
		Files: []app.FileRecord{{Path: modelPath, Bytes: int64(len(data)), SHA256: hex.EncodeToString(sum[:])}}}
	side, _ := json.Marshal(a)
	if err := os.WriteFile(filepath.Join(dir, "asset.json"), side, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLibraryEscapesNamesAndShowsDamage(t *testing.T) {
	home, ctx := t.TempDir(), context.Background()
	fileAsset(t, home, "evil", "pot\n\x1b[31mred\x1b[0m\tx", "pot.glb")
	fileAsset(t, home, "escape", "passwd", "../../../../etc/passwd")
	fileAsset(t, home, "ctl\x1b[2J", "clear", "pot.glb")
	r := kiln(t, ctx, home, fakes, "library")
	if r.status != 0 {
		t.Fatalf("status %d: %s", r.status, r.stderr)
	}
	for _, out := range []string{r.stdout, r.stderr} {
		if strings.ContainsAny(out, "\x1b\t") {
			t.Errorf("raw control characters printed: %q", out)
		}
	}
	if lines := strings.Split(strings.TrimSpace(r.stdout), "\n"); len(lines) != 4 {
		t.Errorf("%d lines, want a header and 3 assets:\n%s", len(lines), r.stdout)
	}
	for _, want := range []string{`pot\n\x1b[31mred\x1b[0m\tx`, `(damaged: the path "../../../../etc/passwd" in asset.json leads out of the asset folder)`, `ctl\x1b[2J`} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %s:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "/etc/passwd ") || !strings.Contains(r.stderr, "kiln: warning: damaged asset escape: ") {
		t.Errorf("damage not reported:\nstdout %s\nstderr %s", r.stdout, r.stderr)
	}
	// JSON keeps the values raw (encoding/json escapes them) and says what is damaged.
	r = kiln(t, ctx, home, fakes, "library", "--json")
	var got []struct {
		ID, Name, Damaged, Model string
	}
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || len(got) != 3 {
		t.Fatalf("%v: %s", err, r.stdout)
	}
	for _, a := range got {
		if (a.ID == "escape") == (a.Damaged == "") || (a.ID == "evil" && a.Name != "pot\n\x1b[31mred\x1b[0m\tx") || strings.Contains(a.Model, "passwd") {
			t.Errorf("%+v", a)
		}
	}
}

func TestLibraryDownloadNeverCopiesOutOfTheFolder(t *testing.T) {
	home, out, ctx := t.TempDir(), t.TempDir(), context.Background()
	fileAsset(t, home, "escape", "passwd", "../../../../etc/passwd")
	fileAsset(t, home, "sound", "pot", "pot.glb")
	r := kiln(t, ctx, home, fakes, "library", "download", "escape", "--out", out)
	if r.status == 0 || !strings.Contains(r.stderr, "damaged asset escape: the path") {
		t.Errorf("status %d, stderr %q", r.status, r.stderr)
	}
	// A tampered model is refused too.
	model := filepath.Join(home, "library", "sound", "pot.glb")
	data, _ := os.ReadFile(model)
	tampered := append([]byte{}, data...)
	tampered[len(tampered)-1] ^= 1
	os.WriteFile(model, tampered, 0o644)
	r = kiln(t, ctx, home, fakes, "library", "download", "sound", "--out", out)
	if r.status == 0 || !strings.Contains(r.stderr, "pot.glb was changed after it was saved") {
		t.Errorf("status %d, stderr %q", r.status, r.stderr)
	}
	if entries, _ := os.ReadDir(out); len(entries) != 0 {
		t.Errorf("%d files copied out", len(entries))
	}
	// Sound again: --out into a folder takes a free name; onto a file, only with --force.
	os.WriteFile(model, data, 0o644)
	for _, want := range []string{"pot.glb", "pot-2.glb"} {
		r = kiln(t, ctx, home, fakes, "library", "download", "sound", "--out", out)
		if got := strings.TrimSpace(r.stdout); r.status != 0 || got != filepath.Join(out, want) {
			t.Errorf("saved %q (status %d, %s), want %s", got, r.status, r.stderr, want)
		}
	}
	dest := filepath.Join(out, "pot.glb")
	r = kiln(t, ctx, home, fakes, "library", "download", "sound", "--out", dest)
	if r.status == 0 || !strings.Contains(r.stderr, dest+" already exists (use --force to replace it)") {
		t.Errorf("status %d, stderr %q", r.status, r.stderr)
	}
	if r = kiln(t, ctx, home, fakes, "library", "download", "sound", "--out", dest, "--force"); r.status != 0 {
		t.Errorf("--force: status %d, stderr %q", r.status, r.stderr)
	}
}
