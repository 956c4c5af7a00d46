package app

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/qmuntal/gltf"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/providertest"
)

// openIndexed opens a library in dir with its index in the database file db (made if missing).
func openIndexed(t *testing.T, dir, db string) *Library {
	t.Helper()
	conn, err := OpenDatabase(db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	l, err := OpenLibrary(dir, conn)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func ids(entries []Entry) string {
	var out []string
	for _, e := range entries {
		out = append(out, e.ID)
	}
	return strings.Join(out, " ")
}

func find(t *testing.T, l *Library, q LibraryQuery) string {
	t.Helper()
	got, err := l.Find(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	return ids(got)
}

// threeAssets files a mug, a vase and a chair with different providers, sizes, dates, words.
func threeAssets(t *testing.T, dir string) {
	t.Helper()
	day := time.Date(2026, 11, 1, 12, 0, 0, 0, time.Local)
	writeAsset(t, dir, "a-mug", func(a *Asset) {
		a.Name, a.Provider, a.Finished, a.Triangles = "Red mug", "local", day, 500
		a.Tags, a.Notes = []string{"kitchen", "Props"}, "chipped rim, keep"
		a.Inputs[0].Source = "/home/me/refs/coffee_cup-front.png"
	})
	writeAsset(t, dir, "b-vase", func(a *Asset) {
		a.Name, a.Provider, a.Finished, a.Triangles = "Tall vase", "rodin", day.AddDate(0, 0, 10), 20000
		a.Parameters = Parameters{Prompt: "a ceramic vase with a blue glaze", ProjectID: "still-life"}
		a.Files[0].Bytes += 0 // same model as the others
		a.Published = []Publication{{Target: "3dverse", JobID: "p1", Assets: []providers.PublishedAsset{{ID: "x"}}}}
	})
	writeAsset(t, dir, "c-chair", func(a *Asset) {
		a.Name, a.Provider, a.Finished, a.Triangles = "armchair", "kaedim", day.AddDate(0, 0, 20), 3000
		a.Tags = []string{"furniture"}
		a.DerivedFrom = &Derivation{Asset: "b-vase", Operation: "reduce"}
	})
}

func TestFindSearchesFiltersAndSorts(t *testing.T) {
	dir := t.TempDir()
	threeAssets(t, dir)
	l := openIndexed(t, dir, filepath.Join(t.TempDir(), "kiln.db"))
	day := time.Date(2026, 11, 1, 0, 0, 0, 0, time.Local)
	for _, c := range []struct {
		q    LibraryQuery
		want string
	}{
		{LibraryQuery{}, "c-chair b-vase a-mug"},
		{LibraryQuery{Search: "mug"}, "a-mug"},
		{LibraryQuery{Search: "MU"}, "a-mug"},                // a prefix, any case
		{LibraryQuery{Search: "chair"}, "c-chair"},           // not "armchair"'s middle... but its id
		{LibraryQuery{Search: "arm"}, "c-chair"},             // the start of a word of the name
		{LibraryQuery{Search: "kitchen"}, "a-mug"},           // a tag
		{LibraryQuery{Search: "chipped"}, "a-mug"},           // the notes
		{LibraryQuery{Search: "glaze blue"}, "b-vase"},       // the prompt, every word
		{LibraryQuery{Search: "glaze mug"}, ""},              // every word must match
		{LibraryQuery{Search: "coffee"}, "a-mug"},            // an input's file name
		{LibraryQuery{Search: "still"}, "b-vase"},            // the project
		{LibraryQuery{Search: "rodin"}, "b-vase"},            // the provider
		{LibraryQuery{Search: `"vase*" (`}, "b-vase"},        // typed words, never FTS syntax
		{LibraryQuery{Search: "  "}, "c-chair b-vase a-mug"}, // nothing typed
		{LibraryQuery{Search: "café"}, ""},                   // no match, no error
		{LibraryQuery{Provider: "kaedim"}, "c-chair"},        //
		{LibraryQuery{Tag: "props"}, "a-mug"},                // a tag in any case
		{LibraryQuery{State: StatePublished}, "b-vase"},      //
		{LibraryQuery{State: StateRemote}, ""},               //
		{LibraryQuery{Search: "a"}, "c-chair b-vase a-mug"},  // "a ceramic vase"
		{LibraryQuery{State: StateDownloaded, Provider: "local"}, "a-mug"},
		{LibraryQuery{Since: day.AddDate(0, 0, 5)}, "c-chair b-vase"},
		{LibraryQuery{Since: day.AddDate(0, 0, 5), Until: day.AddDate(0, 0, 15)}, "b-vase"},
		{LibraryQuery{Sort: SortOldest}, "a-mug b-vase c-chair"},
		{LibraryQuery{Sort: SortName}, "c-chair a-mug b-vase"}, // armchair, Red mug, Tall vase
		{LibraryQuery{Sort: SortTriangles}, "b-vase c-chair a-mug"},
	} {
		if got := find(t, l, c.q); got != c.want {
			t.Errorf("%+v: %q, want %q", c.q, got, c.want)
		}
	}
	if _, err := l.Find(context.Background(), LibraryQuery{Sort: "colour"}); err == nil || !strings.Contains(err.Error(), "newest") {
		t.Errorf("an unknown order: %v", err)
	}
	if _, err := l.Find(context.Background(), LibraryQuery{State: "lost"}); err == nil {
		t.Error("an unknown state is accepted")
	}
	if kids, _ := l.Derived(context.Background(), "b-vase"); ids(kids) != "c-chair" {
		t.Errorf("made from the vase: %q", ids(kids))
	}
	if tags, _ := l.Tags(context.Background()); strings.Join(tags, ",") != "furniture,kitchen,Props" {
		t.Errorf("tags %q", tags)
	}
	if ps, _ := l.Providers(context.Background()); strings.Join(ps, ",") != "kaedim,local,rodin" {
		t.Errorf("providers %q", ps)
	}
	e, _ := l.Find(context.Background(), LibraryQuery{Search: "mug"})
	if len(e) != 1 || e[0].Picture != filepath.Join(dir, "a-mug", "inputs", "front.png") || e[0].Bytes == 0 ||
		e[0].State != StateDownloaded || e[0].ModelHash == "" || !slices.Equal(e[0].Tags, []string{"kitchen", "Props"}) {
		t.Errorf("the mug's entry: %+v", e)
	}
}

// The index follows what is done to the folders behind its back: it is rebuilt when lost, and a
// folder added, removed, renamed or edited by hand is seen on the next Refresh.
func TestTheIndexFollowsTheFolders(t *testing.T) {
	dir, db := t.TempDir(), filepath.Join(t.TempDir(), "kiln.db")
	threeAssets(t, dir)
	l := openIndexed(t, dir, db)
	ctx := context.Background()
	if got := find(t, l, LibraryQuery{}); got != "c-chair b-vase a-mug" {
		t.Fatalf("first listing %q", got)
	}

	// Lost: the database file is deleted; a new one is filled from the folders.
	os.Remove(db)
	os.Remove(db + "-wal")
	os.Remove(db + "-shm")
	l = openIndexed(t, dir, filepath.Join(t.TempDir(), "other.db"))
	if got := find(t, l, LibraryQuery{Search: "vase"}); got != "b-vase" {
		t.Errorf("after the index's loss: %q", got)
	}

	// Of another layout: rebuilt.
	conn, _ := OpenDatabase(db)
	defer conn.Close()
	l, _ = OpenLibrary(dir, conn)
	l.Find(ctx, LibraryQuery{})
	conn.Exec(`UPDATE library_meta SET value = '0' WHERE key = 'version'`)
	conn.Exec(`DELETE FROM library_assets`)
	l, _ = OpenLibrary(dir, conn)
	if got := find(t, l, LibraryQuery{}); got != "c-chair b-vase a-mug" {
		t.Errorf("after an old index: %q", got)
	}

	// Hand-edited: a sidecar renamed in a text editor, a folder deleted, one copied in.
	p := filepath.Join(dir, "a-mug", sidecarName)
	data, _ := os.ReadFile(p)
	os.WriteFile(p, []byte(strings.Replace(string(data), `"Red mug"`, `"Blue cup"`, 1)), 0o644)
	os.RemoveAll(filepath.Join(dir, "c-chair"))
	writeAsset(t, dir, "d-lamp", func(a *Asset) { a.Name = "desk lamp" })
	if err := l.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if got := find(t, l, LibraryQuery{Search: "cup"}); got != "a-mug" {
		t.Errorf("a name edited by hand: %q", got)
	}
	if got := find(t, l, LibraryQuery{Search: "red"}); got != "" {
		t.Errorf("the old name is still found: %q", got)
	}
	if got := find(t, l, LibraryQuery{Sort: SortName}); got != "a-mug d-lamp b-vase" {
		t.Errorf("after hand edits: %q", got)
	}

	// A model changed in place, even keeping its size and time, makes the asset damaged.
	tamper(filepath.Join(dir, "d-lamp"))
	l.Refresh(ctx)
	e, _ := l.Find(ctx, LibraryQuery{State: StateDamaged})
	if len(e) != 1 || e[0].ID != "d-lamp" || !strings.Contains(e[0].Damaged, "SHA-256 no longer matches") {
		t.Errorf("a tampered model: %+v", e)
	}
	if n, err := l.Reindex(ctx); err != nil || n != 3 {
		t.Errorf("reindex: %d, %v", n, err)
	}
}

// One folder that cannot be read is listed as damaged with the reason; the rest load.
func TestDamagedFoldersAreListedWithTheirReason(t *testing.T) {
	dir := t.TempDir()
	threeAssets(t, dir)
	os.WriteFile(filepath.Join(dir, "b-vase", sidecarName), []byte("{not json"), 0o644)
	os.Remove(filepath.Join(dir, "c-chair", "pot.glb"))
	os.Mkdir(filepath.Join(dir, "empty"), 0o755)
	l := openIndexed(t, dir, filepath.Join(t.TempDir(), "kiln.db"))
	all, err := l.Find(context.Background(), LibraryQuery{Sort: SortName})
	if err != nil {
		t.Fatal(err)
	}
	reasons := map[string]string{}
	for _, e := range all {
		reasons[e.ID] = e.Damaged
	}
	for id, want := range map[string]string{"a-mug": "", "b-vase": "cannot be read", "c-chair": "pot.glb is missing",
		"empty": "asset.json is missing"} {
		if got := reasons[id]; (want == "") != (got == "") || !strings.Contains(got, want) {
			t.Errorf("%s: %q, want %q", id, got, want)
		}
	}
	if _, err := l.List(); !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), "c-chair") {
		t.Errorf("List's error: %v", err)
	}
}

func TestRenameTagAndNotesAreKeptInTheSidecarAndFound(t *testing.T) {
	dir := t.TempDir()
	threeAssets(t, dir)
	l := openIndexed(t, dir, filepath.Join(t.TempDir(), "kiln.db"))
	if _, err := l.Rename("a-mug", "  Espresso cup "); err != nil {
		t.Fatal(err)
	}
	if _, err := l.SetNotes("a-mug", "for the café scene\r\nsecond line"); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Tag([]string{"a-mug", "c-chair"}, ParseTags("hero, kitchen , HERO"), []string{"FURNITURE"}); err != nil {
		t.Fatal(err)
	}
	a, _ := l.Get("a-mug")
	if a.Name != "Espresso cup" || a.Notes != "for the café scene\nsecond line" || strings.Join(a.Tags, ",") != "kitchen,Props,hero" {
		t.Errorf("the mug: %q %q %q", a.Name, a.Notes, a.Tags)
	}
	c, _ := l.Get("c-chair")
	if strings.Join(c.Tags, ",") != "hero,kitchen" {
		t.Errorf("the chair's tags %q", c.Tags)
	}
	// The index was updated in the same step: found at once, without a Refresh.
	for q, want := range map[string]string{"espresso": "a-mug", "cafe": "a-mug", "hero": "c-chair a-mug", "furniture": ""} {
		if got := find(t, l, LibraryQuery{Search: q}); got != want {
			t.Errorf("%q: %q, want %q", q, got, want)
		}
	}
	// A fresh process reads the same from the folders.
	l2 := openIndexed(t, dir, filepath.Join(t.TempDir(), "fresh.db"))
	if got := find(t, l2, LibraryQuery{Tag: "HERO"}); got != "c-chair a-mug" {
		t.Errorf("from the folders: %q", got)
	}
	// Another process sharing the database: its change is in the index at once, and counted.
	other, err := OpenLibrary(dir, l.idx.db)
	if err != nil {
		t.Fatal(err)
	}
	gen := l.Generation(context.Background())
	if _, err := other.SetTags("b-vase", []string{"glazed"}); err != nil {
		t.Fatal(err)
	}
	if l.Generation(context.Background()) == gen || find(t, l, LibraryQuery{Tag: "glazed"}) != "b-vase" {
		t.Error("another process's change is not seen")
	}
	for _, bad := range []string{"", "   ", "two\nlines", strings.Repeat("x", 201)} {
		if _, err := l.Rename("a-mug", bad); err == nil {
			t.Errorf("the name %q is taken", bad)
		}
	}
	if _, err := l.SetTags("a-mug", []string{strings.Repeat("t", 65)}); err == nil {
		t.Error("an overlong tag is taken")
	}
	if _, err := l.SetNotes("a-mug", "bell\a"); err == nil {
		t.Error("a control character in the notes is taken")
	}
	if _, err := l.Rename("nope", "x"); !errors.Is(err, ErrNoAsset) {
		t.Errorf("renaming a missing asset: %v", err)
	}
	// A sidecar whose words were tampered with is damaged, not trusted.
	writeAsset(t, dir, "e-bad", func(a *Asset) { a.Tags = []string{"ok", strings.Repeat("long", 20)} })
	if got, _ := l.Get("e-bad"); !strings.Contains(got.Damaged, "tag") || got.Tags != nil {
		t.Errorf("tampered tags: %q %q", got.Damaged, got.Tags)
	}
	if _, err := l.Rename("e-bad", "x"); !errors.Is(err, ErrDamaged) {
		t.Errorf("renaming a damaged asset: %v", err)
	}
}

func TestTrashRestoreAndEmpty(t *testing.T) {
	dir := t.TempDir()
	threeAssets(t, dir)
	l := openIndexed(t, dir, filepath.Join(t.TempDir(), "kiln.db"))
	ctx := context.Background()
	gone, err := l.Trash("a-mug", "b-vase")
	if err != nil || len(gone) != 2 {
		t.Fatalf("trash: %v %v", gone, err)
	}
	if got := find(t, l, LibraryQuery{}); got != "c-chair" {
		t.Errorf("after trashing: %q", got)
	}
	items, _ := l.TrashList()
	if len(items) != 2 || items[0].Damaged != "" || items[0].Name == "" {
		t.Fatalf("the trash: %+v", items)
	}
	// Nothing left the disk: the folder is whole in the trash.
	if _, err := os.Stat(filepath.Join(dir, trashDir, items[0].entry, "pot.glb")); err != nil {
		t.Error(err)
	}
	if _, err := l.Trash("a-mug"); !errors.Is(err, ErrNoAsset) {
		t.Errorf("trashing twice: %v", err)
	}
	a, err := l.Restore("a-mug")
	if err != nil || a.Name != "Red mug" || a.Damaged != "" {
		t.Fatalf("restore: %+v %v", a, err)
	}
	if got := find(t, l, LibraryQuery{Search: "kitchen"}); got != "a-mug" {
		t.Errorf("after restoring: %q", got)
	}
	if _, err := l.Restore("a-mug"); !errors.Is(err, ErrNoAsset) {
		t.Errorf("restoring twice: %v", err)
	}
	// An asset of the same id made again is not overwritten by a restore.
	writeAsset(t, dir, "b-vase", nil)
	if _, err := l.Restore("b-vase"); err == nil || !strings.Contains(err.Error(), "again") {
		t.Errorf("restoring over a new asset: %v", err)
	}
	emptied, err := l.EmptyTrash()
	if err != nil || len(emptied) != 1 || emptied[0].ID != "b-vase" {
		t.Errorf("empty: %+v %v", emptied, err)
	}
	if items, _ := l.TrashList(); len(items) != 0 {
		t.Errorf("after emptying: %+v", items)
	}
	// The trash is never listed as an asset.
	l.Refresh(ctx)
	if list, _ := l.Find(ctx, LibraryQuery{}); len(list) != 3 {
		t.Errorf("listed: %q", ids(list))
	}
	// A damaged asset can be trashed, and comes back as it was.
	os.WriteFile(filepath.Join(dir, "c-chair", sidecarName), []byte("{"), 0o644)
	if _, err := l.Trash("c-chair"); err != nil {
		t.Fatal(err)
	}
	if a, err := l.Restore("c-chair"); err != nil || a.Damaged == "" {
		t.Errorf("a damaged asset restored: %+v %v", a, err)
	}
}

func TestDuplicate(t *testing.T) {
	dir := t.TempDir()
	threeAssets(t, dir)
	l := openIndexed(t, dir, filepath.Join(t.TempDir(), "kiln.db"))
	c, err := l.Duplicate("b-vase")
	if err != nil {
		t.Fatal(err)
	}
	if c.ID == "b-vase" || c.Name != "Tall vase copy" || c.Damaged != "" || c.Published != nil ||
		c.DerivedFrom == nil || c.DerivedFrom.Asset != "b-vase" || c.Parameters.Prompt == "" || len(c.Inputs) != 1 {
		t.Errorf("the copy: %+v", c)
	}
	if kids, _ := l.Derived(context.Background(), "b-vase"); !strings.Contains(ids(kids), c.ID) {
		t.Errorf("the copy is not listed as made from the vase: %q", ids(kids))
	}
}

// writeGLTF writes a tetrahedron as a .gltf with its buffer in a .bin beside it.
func writeGLTF(t *testing.T, dir, name string) string {
	t.Helper()
	doc := providertest.Tetrahedron()
	doc.Buffers[0].URI = "parts/" + name + ".bin"
	os.MkdirAll(filepath.Join(dir, "parts"), 0o755)
	path := filepath.Join(dir, name+".gltf")
	if err := gltf.Save(doc, path); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestAddModels(t *testing.T) {
	dir := t.TempDir()
	l := openIndexed(t, dir, filepath.Join(t.TempDir(), "kiln.db"))
	ctx := context.Background()
	src := t.TempDir()
	glb := filepath.Join(src, "Hero Sword.glb")
	if err := providertest.WriteTetrahedron(glb); err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(src, "props", ".cache"), 0o755)
	gl := writeGLTF(t, filepath.Join(src, "props"), "crate")
	providertest.WriteSphere(filepath.Join(src, "props", ".cache", "hidden.glb"), 4, 6)
	os.WriteFile(filepath.Join(src, "props", "readme.txt"), []byte("hi"), 0o644)

	var reports []int
	added, err := l.AddModels(ctx, []string{glb, filepath.Join(src, "props")}, func(done, total int) { reports = append(reports, done, total) })
	if err != nil || len(added) != 2 {
		t.Fatalf("add: %v %v", added, err)
	}
	if reports[len(reports)-2] != 2 || reports[len(reports)-1] != 2 {
		t.Errorf("progress %v", reports)
	}
	sword, crate := added[0], added[1]
	if sword.Name != "Hero Sword" || sword.Provider != ProviderFile || sword.Triangles != 4 || sword.Damaged != "" ||
		sword.Files[0].Source != glb || filepath.Base(sword.ModelPath()) != "Hero Sword.glb" {
		t.Errorf("the sword: %+v", sword)
	}
	if crate.Name != "crate" || len(crate.Files) != 2 || crate.Files[1].Path != filepath.Join("parts", "crate.bin") || crate.Damaged != "" {
		t.Errorf("the crate: %+v", crate)
	}
	if info, err := ReadModelInfo(crate.ModelPath()); err != nil || info.Triangles != 4 {
		t.Errorf("the crate's copy: %v %v", info, err)
	}
	if got := find(t, l, LibraryQuery{Search: "sword"}); got != sword.ID {
		t.Errorf("found %q", got)
	}

	// The same model again, a damaged one, a text file, a FIFO: each refused with its reason,
	// nothing half-added.
	bad := filepath.Join(src, "broken.glb")
	data, _ := os.ReadFile(glb)
	os.WriteFile(bad, data[:len(data)/2], 0o644)
	txt := filepath.Join(src, "props", "readme.txt")
	paths := []string{glb, bad, txt}
	if runtime.GOOS != "windows" {
		fifo := filepath.Join(src, "pipe.glb")
		if err := syscall.Mkfifo(fifo, 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, fifo)
	}
	added, err = l.AddModels(ctx, paths, nil)
	if len(added) != 0 {
		t.Errorf("added %+v", added)
	}
	for _, want := range []string{"Hero Sword.glb: already in the library as Hero Sword", "broken.glb:", "readme.txt: not a glTF model", "pipe.glb: not a regular file"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("refusal %q missing from %v", want, err)
		}
	}
	var refusal AddRefusal
	if !errors.As(err, &refusal) || !IsModelError(errors.Join(err)) {
		t.Errorf("the refusals: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), ".") || strings.HasPrefix(e.Name(), incomingPrefix) {
			names = append(names, e.Name())
		}
	}
	if len(names) != 2 {
		t.Errorf("the library holds %q", names)
	}
	// A folder without models says so.
	if _, err := l.AddModels(ctx, []string{t.TempDir()}, nil); err == nil || !strings.Contains(err.Error(), "no .glb or .gltf") {
		t.Errorf("an empty folder: %v", err)
	}
	// A .gltf whose buffer is gone is refused by the model check.
	os.Remove(filepath.Join(src, "props", "parts", "crate.bin"))
	if _, err := l.AddModels(ctx, []string{gl}, nil); err == nil {
		t.Error("a .gltf without its buffer is added")
	}
}

// TestIndexNeverTrustsAClaimedHash: a sidecar that claims another hash for its model is damaged,
// and stays damaged when it is rewritten claiming the same hash again (the index once kept the
// claim as the model's verified hash, and the next refresh took it for the file's: the fuzzer
// found it).
func TestIndexNeverTrustsAClaimedHash(t *testing.T) {
	// The model is taken as settled at once, as one written long ago would be.
	defer func(w time.Duration) { racyWindow = w }(racyWindow)
	racyWindow = 0
	dir := t.TempDir()
	const id = "20260101-120000-ab12cd34"
	a := writeAsset(t, dir, id, nil)
	l, err := OpenLibrary(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if list, err := l.List(); err != nil || len(list) != 1 || list[0].Damaged != "" {
		t.Fatalf("the sound asset: %+v %v", list, err)
	}
	forged := strings.Repeat("ab", 32)
	for _, name := range []string{"pot", "pot, renamed"} {
		a.Name, a.Files[0].SHA256 = name, forged
		if err := l.writeSidecar(a.Dir, a); err != nil {
			t.Fatal(err)
		}
		list, _ := l.List()
		got, _ := l.read(a.Dir)
		if len(list) != 1 || list[0].Damaged == "" || got.Damaged == "" {
			t.Fatalf("sidecar %q claiming a hash its model does not have: listed %+v, read %q", name, list, got.Damaged)
		}
	}
}
