package app

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kiln3d/kiln/providers/providertest"
)

// writeAsset files a sound asset id in the library at dir (a tetrahedron and one input image),
// letting edit change the sidecar before it is written, and returns it.
func writeAsset(t testing.TB, dir, id string, edit func(*Asset)) Asset {
	t.Helper()
	folder := filepath.Join(dir, id)
	if err := os.MkdirAll(filepath.Join(folder, "inputs"), 0o755); err != nil {
		t.Fatal(err)
	}
	model := filepath.Join(folder, "pot.glb")
	if err := providertest.WriteTetrahedron(model); err != nil {
		t.Fatal(err)
	}
	writePNG(t, filepath.Join(folder, "inputs"), "front.png")
	rec := func(path string) FileRecord {
		sum, n, err := hashFile(filepath.Join(folder, path))
		if err != nil {
			t.Fatal(err)
		}
		return FileRecord{Path: path, Bytes: n, SHA256: sum}
	}
	a := Asset{ID: id, Name: "pot", Provider: "local", Finished: time.Now(),
		Files: []FileRecord{rec("pot.glb")}, Inputs: []FileRecord{rec(filepath.Join("inputs", "front.png"))}}
	if edit != nil {
		edit(&a)
	}
	if err := (&Library{dir: dir}).writeSidecar(folder, a); err != nil {
		t.Fatal(err)
	}
	a.Dir = folder
	return a
}

// The sidecar is hostile input: each way it can lie gives a damaged asset with the reason, and
// never a path out of the folder.
func TestSidecarIsCheckedNotTrusted(t *testing.T) {
	dir := t.TempDir()
	outside := filepath.Join(t.TempDir(), "secret.glb")
	if err := providertest.WriteTetrahedron(outside); err != nil {
		t.Fatal(err)
	}
	writeAsset(t, dir, "sound", nil)
	path := func(p string) func(*Asset) { return func(a *Asset) { a.Files[0].Path = p } }
	cases := map[string]struct {
		edit   func(*Asset)
		after  func(folder string) // what happens to the folder after it was filed
		reason string
	}{
		"traversal": {edit: path("../../../../etc/passwd"), reason: `"../../../../etc/passwd" in asset.json leads out of the asset folder`},
		"absolute":  {edit: path(outside), reason: "leads out of the asset folder"},
		"input":     {edit: func(a *Asset) { a.Inputs[0].Path = "../sound/pot.glb" }, reason: "leads out of the asset folder"},
		"unclean":   {edit: path("inputs/../pot.glb"), reason: "leads out of the asset folder"},
		"symlink": {after: func(f string) {
			os.Remove(filepath.Join(f, "pot.glb"))
			if err := os.Symlink(outside, filepath.Join(f, "pot.glb")); err != nil {
				if runtime.GOOS != "windows" {
					t.Fatalf("symlink: %v", err)
				}
				t.Skip("making a symbolic link on Windows needs developer mode or an administrator")
			}
		}, reason: "pot.glb leads out of the asset folder"},
		"deleted":  {after: func(f string) { os.Remove(filepath.Join(f, "pot.glb")) }, reason: "pot.glb is missing"},
		"tampered": {after: tamper, reason: "pot.glb was changed after it was saved (its SHA-256 no longer matches)"},
		"shrunk": {after: func(f string) { os.WriteFile(filepath.Join(f, "pot.glb"), []byte("glTF"), 0o644) },
			reason: "pot.glb was changed after it was saved (it has 4 bytes"},
		"folder":    {after: func(f string) { os.Remove(filepath.Join(f, "pot.glb")); os.Mkdir(filepath.Join(f, "pot.glb"), 0o755) }, reason: "pot.glb is not a regular file"},
		"id":        {edit: func(a *Asset) { a.ID = "sound" }, reason: `its id "sound" is not its folder's name`},
		"size":      {edit: func(a *Asset) { a.Files[0].Bytes = -1 }, reason: "pot.glb has a negative size"},
		"hash":      {edit: func(a *Asset) { a.Files[0].SHA256 = "x" }, reason: "pot.glb has no valid SHA-256"},
		"no files":  {edit: func(a *Asset) { a.Files = nil }, reason: "asset.json lists no model"},
		"remote":    {edit: func(a *Asset) { a.Remote = &RemoteRef{Provider: "kaedim", ID: "r"} }, reason: `its remote provider "kaedim" is not its provider "local"`},
		"remote id": {edit: func(a *Asset) { a.Provider, a.Remote = "kaedim", &RemoteRef{Provider: "kaedim", ID: "r"} }, reason: "does not match its remote job"},
		"url": {edit: func(a *Asset) {
			a.ID, a.Provider = "kaedim-r", "kaedim"
			a.Remote = &RemoteRef{Provider: "kaedim", ID: "r", ImageURLs: []string{"file:///etc/passwd"}}
		}, reason: `the image address "file:///etc/passwd" is not a web address`},
		"verdict": {after: func(f string) { // the file's own verdict is ignored
			p := filepath.Join(f, sidecarName)
			data, _ := os.ReadFile(p)
			os.WriteFile(p, bytes.Replace(data, []byte("{"), []byte(`{"damaged": "forged",`), 1), 0o644)
		}},
		"sidecar": {after: func(f string) { os.Remove(filepath.Join(f, sidecarName)) }, reason: "asset.json is missing"},
		"garbage": {after: func(f string) { os.WriteFile(filepath.Join(f, sidecarName), []byte("\x1b[2J"), 0o644) },
			reason: "asset.json cannot be read: invalid character"},
	}
	for name, c := range cases {
		id := "case-" + strings.ReplaceAll(name, " ", "-")
		writeAsset(t, dir, id, func(a *Asset) {
			a.ID = id
			if c.edit != nil {
				c.edit(a)
			}
		})
		if c.after != nil {
			c.after(filepath.Join(dir, id))
		}
	}
	l, err := OpenLibrary(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	list, listErr := l.List()
	if len(list) != len(cases)+1 {
		t.Errorf("%d assets listed, want %d", len(list), len(cases)+1)
	}
	for _, a := range list {
		name := strings.ReplaceAll(strings.TrimPrefix(a.ID, "case-"), "-", " ")
		want := cases[name].reason
		if !strings.Contains(a.Damaged, want) || (want == "") != (a.Damaged == "") {
			t.Errorf("%s: damaged %q, want %q", name, a.Damaged, want)
		}
		if want != "" && (listErr == nil || !strings.Contains(listErr.Error(), "damaged asset "+a.ID+": ")) {
			t.Errorf("%s is not named in the error", a.ID)
		}
		for _, rec := range append(a.Files, a.Inputs...) {
			real, err := filepath.EvalSymlinks(filepath.Join(a.Dir, rec.Path))
			if rel, _ := filepath.Rel(dir, real); err == nil && (!filepath.IsLocal(rel) || !strings.HasPrefix(rel, a.ID)) {
				t.Errorf("%s: the path %q leads to %s", name, rec.Path, real)
			}
		}
		got, err := l.Get(a.ID)
		if err != nil || got.Damaged != a.Damaged || got.ModelPath() != a.ModelPath() {
			t.Errorf("%s: Get = %q, %v; List said %q", name, got.Damaged, err, a.Damaged)
		}
		if (want != "") != errors.Is(got.Err(), ErrDamaged) {
			t.Errorf("%s: Err() = %v", name, got.Err())
		}
	}
}

// tamper changes one byte of the model in folder f, keeping its size and modification time.
func tamper(f string) {
	p := filepath.Join(f, "pot.glb")
	st, _ := os.Stat(p)
	data, _ := os.ReadFile(p)
	data[len(data)-1] ^= 0xff
	os.WriteFile(p, data, 0o644)
	os.Chtimes(p, st.ModTime(), st.ModTime())
}

// Listing again does not hash again, but a model changed since is caught: on Linux even one
// changed in place with its modification time put back.
func TestVerifiedHashesAreRemembered(t *testing.T) {
	settleAtOnce(t)
	dir := t.TempDir()
	a := writeAsset(t, dir, "pot-1", nil)
	l, _ := OpenLibrary(dir, nil)
	if list, err := l.List(); err != nil || list[0].Damaged != "" {
		t.Fatalf("%v %v", list, err)
	}
	real, _ := filepath.EvalSymlinks(a.ModelPath())
	l.hashes.mu.Lock()
	cached, ok := l.hashes.m[real]
	l.hashes.m[real] = cachedHash{id: cached.id, sum: "remembered"}
	l.hashes.mu.Unlock()
	if got, _ := l.Get(a.ID); !ok || !strings.Contains(got.Damaged, "SHA-256 no longer matches") {
		t.Errorf("the remembered hash was not used: %q", got.Damaged)
	}
	l.hashes.mu.Lock()
	l.hashes.m[real] = cached
	l.hashes.mu.Unlock()
	if runtime.GOOS != "linux" {
		return
	}
	tamper(a.Dir)
	if got, _ := l.Get(a.ID); !strings.Contains(got.Damaged, "SHA-256 no longer matches") {
		t.Errorf("a model changed in place is not caught: %q", got.Damaged)
	}
}

// The temporary folders of dead processes are cleared when the library opens; a live process's
// never are.
func TestStaleIncomingFoldersOfDeadProcessesOnly(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("process liveness is not checked on Windows")
	}
	dir := t.TempDir()
	old := time.Now().Add(-2 * time.Hour)
	mk := func(name string, mod time.Time) string {
		p := filepath.Join(dir, name)
		os.Mkdir(p, 0o755)
		os.Chtimes(p, mod, mod)
		return p
	}
	dead := deadPID(t)
	gone := []string{mk(".incoming-"+dead+"-123", old), mk(".incoming-20260101-120000-ab12cd34-99", old)}
	kept := []string{
		mk(".incoming-"+dead+"-456", time.Now()),               // perhaps another machine's, still filling
		mk(".incoming-"+itoa(os.Getpid())+"-1", old),           // this process's
		mk(".incoming-"+itoa(os.Getppid())+"-1", old),          // a live one's
		mk(".incoming-20260101-120000-ab12cd34-7", time.Now()), // an older Kiln's, recent
	}
	if _, err := OpenLibrary(dir, nil); err != nil {
		t.Fatal(err)
	}
	for _, p := range gone {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s stays", filepath.Base(p))
		}
	}
	for _, p := range kept {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s was removed", filepath.Base(p))
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// deadPID is the process id of a process that has exited.
func deadPID(t *testing.T) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return itoa(cmd.Process.Pid)
}

// A remote asset not yet downloaded has no model to verify; its inputs are not taken for one.
func TestRemoteAssetWithoutModelIsSound(t *testing.T) {
	dir := t.TempDir()
	writeAsset(t, dir, "kaedim-r_1", func(a *Asset) {
		a.Provider, a.Files = "kaedim", nil
		a.Inputs[0].SHA256 = ""
		a.Remote = &RemoteRef{Provider: "kaedim", ID: "r/1", ImageURLs: []string{"https://example.com/a.png"}}
	})
	l, _ := OpenLibrary(dir, nil)
	if a, err := l.Get("kaedim-r_1"); err != nil || a.Damaged != "" || a.Downloaded() {
		t.Errorf("%+v, %v", a, err)
	}
}

// settleAtOnce makes files count as settled (not racy, see fileID.racy) as soon as written, for
// tests of what the library remembers of the files it has read.
func settleAtOnce(t *testing.T) {
	old := racyWindow
	racyWindow = -time.Hour
	t.Cleanup(func() { racyWindow = old })
}
