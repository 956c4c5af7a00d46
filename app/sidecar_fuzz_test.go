package app

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzSidecar feeds arbitrary bytes to the library as an asset's asset.json, beside a real model,
// a link out of the folder and a file outside it. Whatever the bytes, the library does not panic,
// lists the asset (sound or damaged with a reason, and then named in List's error), and never
// returns a path that leads out of the asset's folder; a sound asset's model is the one saved.
//
//	go test -run '^$' -fuzz=FuzzSidecar -fuzztime=10s ./app
func FuzzSidecar(f *testing.F) {
	dir := f.TempDir()
	const id = "20260101-120000-ab12cd34"
	sound := writeAsset(f, dir, id, nil)
	folder := sound.Dir
	outside := filepath.Join(f.TempDir(), "secret.glb")
	if err := os.WriteFile(outside, []byte("secret"), 0o644); err != nil {
		f.Fatal(err)
	}
	_ = os.Symlink(outside, filepath.Join(folder, "link.glb"))
	_ = os.Symlink("..", filepath.Join(folder, "up"))
	good, err := os.ReadFile(filepath.Join(folder, sidecarName))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	for _, s := range []string{
		`../../../../etc/passwd`, outside, `link.glb`, `up/` + id + `/pot.glb`, `inputs/../pot.glb`, `inputs`, ``, `.`,
		`pot.glb/`, `C:\\Windows\\win.ini`, `\\\\server\\share\\x.glb`, "pot.glb\x00.png",
	} {
		f.Add([]byte(strings.Replace(string(good), `"path": "pot.glb"`, `"path": `+quote(s), 1)))
	}
	f.Add([]byte(strings.Replace(string(good), `"id": "`+id, `"id": "other`, 1)))
	f.Add([]byte(`{"id":"` + id + `","provider":"kaedim","remote":{"provider":"kaedim","id":"x","image_urls":["file:///etc/passwd"]}}`))
	f.Add([]byte(`{"id":"` + id + `","files":[{"path":"pot.glb","bytes":-1}],"damaged":"x"}`))
	f.Add([]byte(`[[[[[[[[[[[[[[[[[[[[`))
	f.Add([]byte("\x1b[31m\n"))

	l, err := OpenLibrary(dir, nil)
	if err != nil {
		f.Fatal(err)
	}
	if a, _ := l.read(folder); a.Damaged != "" {
		f.Fatalf("the sound seed is damaged: %s", a.Damaged)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(filepath.Join(folder, sidecarName), data, 0o644); err != nil {
			t.Fatal(err)
		}
		a, err := l.read(folder)
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		list, listErr := l.List()
		if len(list) != 1 || list[0].Damaged != a.Damaged || list[0].ID != id || a.ID != id {
			t.Fatalf("List = %+v; read gave %q, %q", list, a.ID, a.Damaged)
		}
		if (a.Damaged == "") != (listErr == nil) || (listErr != nil && (!errors.Is(listErr, ErrDamaged) || !strings.Contains(listErr.Error(), id))) {
			t.Fatalf("damaged %q, List's error %v", a.Damaged, listErr)
		}
		root, _ := filepath.EvalSymlinks(folder)
		for _, rec := range append(append([]FileRecord{}, a.Files...), a.Inputs...) {
			if !filepath.IsLocal(rec.Path) {
				t.Fatalf("the path %q is returned", rec.Path)
			}
			real, err := filepath.EvalSymlinks(filepath.Join(folder, rec.Path))
			if err != nil {
				continue // missing: the asset says so
			}
			if rel, err := filepath.Rel(root, real); err != nil || !filepath.IsLocal(rel) {
				t.Fatalf("the path %q leads to %s", rec.Path, real)
			}
		}
		if a.Damaged != "" {
			if strings.TrimSpace(a.Damaged) == "" {
				t.Fatalf("a damaged asset without a reason")
			}
			return
		}
		sum, _, err := hashFile(a.ModelPath())
		if err != nil || sum != strings.ToLower(a.Files[0].SHA256) {
			t.Fatalf("a sound asset's model %q: %v", a.ModelPath(), err)
		}
	})
}

func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20:
			b.WriteString(`\u00`)
			b.WriteByte("0123456789abcdef"[r>>4])
			b.WriteByte("0123456789abcdef"[r&15])
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
