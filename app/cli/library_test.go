package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kiln3d/kiln/app"
	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/providertest"
)

// fakes serve the library commands, which need a provider registered but never call it.
var fakes = []*providertest.Fake{providertest.NewFake("local")}

// fileAsset files a downloaded asset in home's library by hand, as a hostile or careless hand
// could: name and model path are written as given.
func fileAsset(t *testing.T, home, id, name, modelPath string) {
	t.Helper()
	fileAssetAs(t, home, id, func(_ string, a *app.Asset) { a.Name, a.Files[0].Path = name, modelPath })
}

// fileAssetAs files a downloaded asset id (a tetrahedron, pot.glb) in home's library, letting
// edit change its sidecar, and add files to its folder dir, before the sidecar is written.
func fileAssetAs(t *testing.T, home, id string, edit func(dir string, a *app.Asset)) {
	t.Helper()
	dir := filepath.Join(home, "library", id)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := providertest.WriteTetrahedron(filepath.Join(dir, "pot.glb")); err != nil {
		t.Fatal(err)
	}
	a := app.Asset{ID: id, Name: "pot", Provider: "local", Finished: time.Now(), Triangles: 4,
		Files: []app.FileRecord{record(t, dir, "pot.glb")}}
	if edit != nil {
		edit(dir, &a)
	}
	side, _ := json.Marshal(a)
	if err := os.WriteFile(filepath.Join(dir, "asset.json"), side, 0o644); err != nil {
		t.Fatal(err)
	}
}

// record is the sidecar's record of the file at dir/path.
func record(t *testing.T, dir, path string) app.FileRecord {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, path))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	return app.FileRecord{Path: path, Bytes: int64(len(data)), SHA256: hex.EncodeToString(sum[:])}
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
	for _, want := range []string{`pot\n\x1b[31mred\x1b[0m\tx`, `damaged: the path "../../../../etc/passwd" in asset.json leads out of the asset folder`, `ctl\x1b[2J`} {
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
	// The asset named as on every library command line: by its name too.
	if r = kiln(t, ctx, home, fakes, "library", "download", "POT"); r.status != 0 || strings.TrimSpace(r.stdout) != model {
		t.Errorf("by name: %d %q %q", r.status, r.stdout, r.stderr)
	}
	if r = kiln(t, ctx, home, fakes, "library", "download", "pan"); r.status != 1 || !strings.Contains(r.stderr, `no such asset: "pan"`) {
		t.Errorf("an unknown asset: %d %q", r.status, r.stderr)
	}
}

// kilnWith runs the CLI as kiln does, with env's Stdin and Ask, against home.
func kilnWith(t *testing.T, home string, env Env, args ...string) run {
	t.Helper()
	reg, err := providers.NewRegistry(providertest.NewFake("local"))
	if err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	env.Stdout, env.Stderr = &out, &errOut
	env.Open = func(q app.QueueOptions) (*app.Kiln, error) {
		return app.Open(app.Options{Home: home, Providers: reg, Queue: q})
	}
	status := Run(context.Background(), args, env)
	return run{status, out.String(), errOut.String()}
}

// threeAssets files a mug, a vase and a chair of three providers, days, sizes and words.
func threeAssets(t *testing.T, home string) {
	t.Helper()
	day := time.Date(2026, 11, 1, 12, 0, 0, 0, time.Local)
	fileAssetAs(t, home, "a-mug", func(_ string, a *app.Asset) {
		a.Name, a.Finished, a.Triangles = "Red mug", day, 500
		a.Tags, a.Notes = []string{"kitchen", "Props"}, "chipped rim"
	})
	fileAssetAs(t, home, "b-vase", func(dir string, a *app.Asset) {
		a.Name, a.Provider, a.Finished, a.Triangles = "Tall vase", "rodin", day.AddDate(0, 0, 10), 20000
		a.Parameters.Prompt = "a ceramic vase with a blue glaze"
		a.Published = []app.Publication{{Target: "3dverse", JobID: "p1", Assets: []providers.PublishedAsset{{ID: "x"}}}}
		writePNG(t, dir, "preview.png") // the biggest asset
		a.Files = append(a.Files, record(t, dir, "preview.png"))
		a.Files[1].Role = providers.RolePreview
	})
	fileAssetAs(t, home, "c-chair", func(_ string, a *app.Asset) {
		a.Name, a.Provider, a.Finished, a.Triangles = "armchair", "kaedim", day.AddDate(0, 0, 20), 3000
		a.Tags = []string{"furniture"}
	})
}

// listed is the ids `kiln library --json ARGS...` lists, in order.
func listed(t *testing.T, home string, args ...string) string {
	t.Helper()
	r := kiln(t, context.Background(), home, fakes, append([]string{"library", "--json"}, args...)...)
	var got []assetJSON
	if err := json.Unmarshal([]byte(r.stdout), &got); r.status != 0 || err != nil {
		t.Fatalf("library --json %v: %d %v %q %q", args, r.status, err, r.stdout, r.stderr)
	}
	var ids []string
	for _, a := range got {
		ids = append(ids, a.ID)
	}
	return strings.Join(ids, " ")
}

func TestLibraryListSearchesFiltersAndSorts(t *testing.T) {
	home, ctx := t.TempDir(), context.Background()
	threeAssets(t, home)
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "c-chair b-vase a-mug"},
		{[]string{"--search", "mug"}, "a-mug"},
		{[]string{"--search", "glaze BLUE"}, "b-vase"}, // the prompt, every word
		{[]string{"--search", "chipped"}, "a-mug"},     // the notes
		{[]string{"--search", "kitch"}, "a-mug"},       // the start of a tag
		{[]string{"--search", "glaze mug"}, ""},
		{[]string{"--provider", "kaedim"}, "c-chair"},
		{[]string{"--tag", "PROPS"}, "a-mug"},
		{[]string{"--state", "published"}, "b-vase"},
		{[]string{"--state", "remote"}, ""},
		{[]string{"--since", "2026-11-05"}, "c-chair b-vase"},
		{[]string{"--since", "2026-11-05", "--until", "2026-11-11"}, "b-vase"},
		{[]string{"--until", "2026-11-01"}, "a-mug"}, // the whole last day
		{[]string{"--sort", "oldest"}, "a-mug b-vase c-chair"},
		{[]string{"--sort", "name"}, "c-chair a-mug b-vase"}, // armchair, Red mug, Tall vase
		{[]string{"--sort", "triangles"}, "b-vase c-chair a-mug"},
		{[]string{"--sort", "size"}, "b-vase c-chair a-mug"},
		{[]string{"--sort", "oldest", "--provider", "local", "--search", "red"}, "a-mug"},
	} {
		if got := listed(t, home, c.args...); got != c.want {
			t.Errorf("%v: %q, want %q", c.args, got, c.want)
		}
	}

	// The JSON says what the index knows, besides the sidecar.
	r := kiln(t, ctx, home, fakes, "library", "--json", "--sort", "oldest")
	var got []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || len(got) != 3 {
		t.Fatalf("%v: %s", err, r.stdout)
	}
	mug, vase, chair := got[0], got[1], got[2]
	if mug["state"] != "downloaded" || mug["notes"] != "chipped rim" || fmt.Sprint(mug["tags"]) != "[kitchen Props]" ||
		mug["bytes"].(float64) <= 0 || mug["model"] != filepath.Join(home, "library", "a-mug", "pot.glb") || mug["published"] != nil {
		t.Errorf("the mug: %v", mug)
	}
	if vase["bytes"].(float64) <= mug["bytes"].(float64) || vase["published"] == nil {
		t.Errorf("the vase: %v", vase)
	}
	if chair["notes"] != "" || fmt.Sprint(chair["tags"]) != "[furniture]" || chair["dir"] != filepath.Join(home, "library", "c-chair") {
		t.Errorf("the chair: %v", chair)
	}

	// For people: a table, in the order asked, with the tags and the state.
	r = kiln(t, ctx, home, fakes, "library", "--sort", "name", "--since", "2026-11-01")
	lines := strings.Split(strings.TrimRight(r.stdout, "\n"), "\n")
	if r.status != 0 || len(lines) != 4 || !strings.HasPrefix(lines[0], "NAME") {
		t.Fatalf("%d %q %q", r.status, r.stdout, r.stderr)
	}
	for i, want := range [][]string{
		{"armchair", "c-chair", "kaedim", "3000", "2026-11-21", "furniture", "downloaded"},
		{"Red mug", "a-mug", "local", "500", "2026-11-01", "kitchen, Props", "downloaded"},
		{"Tall vase", "b-vase", "rodin", "20000", "2026-11-11", "downloaded, published"},
	} {
		for _, w := range want {
			if !strings.Contains(lines[i+1], w) {
				t.Errorf("line %d lacks %q: %s", i+1, w, lines[i+1])
			}
		}
	}
	if r = kiln(t, ctx, home, fakes, "library", "--search", "nothing"); r.status != 0 || r.stdout != "No asset in the library matches.\n" {
		t.Errorf("no match: %d %q", r.status, r.stdout)
	}
	if r = kiln(t, ctx, t.TempDir(), fakes, "library"); r.status != 0 || !strings.Contains(r.stdout, "is empty") {
		t.Errorf("an empty library: %d %q", r.status, r.stdout)
	}

	// Words that are not an order, a state, a day or a command are usage errors.
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--sort", "colour"}, `--sort: "colour" is not an order (newest, oldest, name, triangles, size)`},
		{[]string{"--state", "lost"}, `--state: "lost" is not a state`},
		{[]string{"--since", "yesterday"}, `"yesterday" is not a date`},
		{[]string{"frobnicate"}, `kiln library: unknown command "frobnicate" (add, download, import,`},
		{[]string{"--json", "stray"}, "usage: kiln library [--search Q]"},
		{[]string{"--colour"}, "flag provided but not defined: -colour"},
	} {
		r := kiln(t, ctx, home, fakes, append([]string{"library"}, c.args...)...)
		if r.status != 2 || !strings.Contains(r.stderr, c.want) || r.stdout != "" {
			t.Errorf("%v: %d %q, want 2 and %q", c.args, r.status, r.stderr, c.want)
		}
	}
}

func TestLibraryAddModels(t *testing.T) {
	home, src, ctx := t.TempDir(), t.TempDir(), context.Background()
	sword := filepath.Join(src, "Hero Sword.glb")
	if err := providertest.WriteTetrahedron(sword); err != nil {
		t.Fatal(err)
	}
	props := filepath.Join(src, "props")
	os.MkdirAll(filepath.Join(props, "crates"), 0o755)
	providertest.WriteSphere(filepath.Join(props, "ball.glb"), 4, 6)
	providertest.WriteSphere(filepath.Join(props, "crates", "crate.glb"), 5, 7)
	os.WriteFile(filepath.Join(props, "readme.txt"), []byte("not a model"), 0o644)

	r := kiln(t, ctx, home, fakes, "library", "add", sword, props)
	if r.status != 0 || r.stderr != "" {
		t.Fatalf("add: %d %q %q", r.status, r.stdout, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], `Added "Hero Sword" (`) || !strings.HasSuffix(lines[0], "), 4 triangles.") ||
		!strings.HasPrefix(lines[1], `Added "ball" (`) || !strings.HasPrefix(lines[2], `Added "crate" (`) {
		t.Errorf("add printed %q", r.stdout)
	}
	if got := listed(t, home, "--provider", "file", "--sort", "name"); len(strings.Fields(got)) != 3 {
		t.Errorf("the library lists %q", got)
	}

	// A damaged model is refused with its reason, and nothing of it is added; a sound one beside
	// it is added, and the status says one was refused.
	broken := filepath.Join(src, "broken.glb")
	data, _ := os.ReadFile(sword)
	os.WriteFile(broken, data[:len(data)/2], 0o644)
	r = kiln(t, ctx, home, fakes, "library", "add", broken)
	if r.status != 1 || r.stdout != "" || !strings.HasPrefix(r.stderr, "kiln: not added: "+broken+": ") || strings.Count(r.stderr, "\n") != 1 ||
		strings.Count(r.stderr, "broken.glb") != 1 || !strings.Contains(r.stderr, "cut short") {
		t.Errorf("a damaged model: %d %q %q", r.status, r.stdout, r.stderr)
	}
	if got := listed(t, home); len(strings.Fields(got)) != 3 {
		t.Errorf("after a refusal the library lists %q", got)
	}
	cone := filepath.Join(src, "cone.glb")
	providertest.WriteSphere(cone, 3, 5)
	r = kiln(t, ctx, home, fakes, "library", "add", cone, broken, sword)
	if r.status != 1 || !strings.HasPrefix(r.stdout, `Added "cone" (`) || strings.Count(r.stdout, "\n") != 1 ||
		!strings.Contains(r.stderr, "broken.glb: ") || !strings.Contains(r.stderr, "Hero Sword.glb: already in the library as Hero Sword") {
		t.Errorf("a mixed add: %d %q %q", r.status, r.stdout, r.stderr)
	}
	if got := listed(t, home, "--search", "cone"); len(strings.Fields(got)) != 1 {
		t.Errorf("the cone: %q", got)
	}
	for _, c := range []struct {
		args   []string
		status int
		want   string
	}{
		{[]string{filepath.Join(src, "missing.glb")}, 1, "missing.glb: "},
		{[]string{t.TempDir()}, 1, "holds no .glb or .gltf model"},
		{nil, 2, "usage: kiln library add PATH..."},
	} {
		r := kiln(t, ctx, home, fakes, append([]string{"library", "add"}, c.args...)...)
		if r.status != c.status || !strings.Contains(r.stderr, c.want) {
			t.Errorf("add %v: %d %q, want %d %q", c.args, r.status, r.stderr, c.status, c.want)
		}
	}
}

func TestLibraryRenameTagAndNoteAreFound(t *testing.T) {
	home, ctx := t.TempDir(), context.Background()
	threeAssets(t, home)
	lib := func(args ...string) run { return kiln(t, ctx, home, fakes, append([]string{"library"}, args...)...) }
	check := func(r run, status int, stdout string) {
		t.Helper()
		if r.status != status || r.stdout != stdout {
			t.Errorf("%d %q (stderr %q), want %d %q", r.status, r.stdout, r.stderr, status, stdout)
		}
	}

	check(lib("rename", "RED MUG", "Espresso cup"), 0, "Renamed \"Red mug\" (a-mug) to \"Espresso cup\".\n")
	if got := listed(t, home, "--search", "espresso"); got != "a-mug" {
		t.Errorf("found by its new name: %q", got)
	}
	if got := listed(t, home, "--search", "red"); got != "" {
		t.Errorf("found by its old name: %q", got)
	}

	check(lib("tag", "a-mug", "c-chair", "--add", "hero, Blue", "--remove", "FURNITURE", "--add", "kitchen"), 0,
		"Tagged 2 models: added hero, Blue, kitchen; removed FURNITURE.\n")
	check(lib("tag", "espresso cup"), 0, "kitchen\nProps\nhero\nBlue\n")
	check(lib("tag", "c-cha", "--remove", "hero"), 0, "\"armchair\" (c-chair) is now tagged Blue, kitchen.\n")
	if got := listed(t, home, "--tag", "blue"); got != "c-chair a-mug" {
		t.Errorf("--tag blue: %q", got)
	}
	if got := listed(t, home, "--search", "hero"); got != "a-mug" {
		t.Errorf("--search hero: %q", got)
	}
	if r := lib("tag", "b-vase"); r.status != 0 || r.stdout != "" || r.stderr != "\"Tall vase\" (b-vase) has no tags.\n" {
		t.Errorf("no tags: %+v", r)
	}
	// --set replaces them all; --set "" clears them; it does not mix with --add.
	check(lib("tag", "b-vase", "--set", "glazed, tall"), 0, "\"Tall vase\" (b-vase) is now tagged glazed, tall.\n")
	check(lib("tag", "b-vase", "--set", ""), 0, "\"Tall vase\" (b-vase) now has no tags.\n")
	if r := lib("tag", "b-vase", "--set", "x", "--add", "y"); r.status != 2 {
		t.Errorf("--set with --add: %+v", r)
	}

	check(lib("note", "a-mug", "for the café scene"), 0, "Wrote the notes of \"Espresso cup\" (a-mug) (18 characters).\n")
	if got := listed(t, home, "--search", "cafe scene"); got != "a-mug" {
		t.Errorf("found by its notes: %q", got)
	}
	if got := listed(t, home, "--search", "chipped"); got != "" {
		t.Errorf("found by its old notes: %q", got)
	}
	r := kilnWith(t, home, Env{Stdin: strings.NewReader("line one\n\tline two\x1b[2J\n")}, "library", "note", "tall vase", "-")
	if r.status != 1 || !strings.Contains(r.stderr, "control character") {
		t.Errorf("notes with an escape sequence: %+v", r)
	}
	r = kilnWith(t, home, Env{Stdin: strings.NewReader("line one\r\nline two\n")}, "library", "note", "tall vase", "-")
	check(r, 0, "Wrote the notes of \"Tall vase\" (b-vase) (17 characters).\n")
	check(lib("note", "b-vase"), 0, "line one\nline two\n")
	r = kilnWith(t, home, Env{Stdin: strings.NewReader(strings.Repeat("x", 300<<10))}, "library", "note", "b-vase", "-")
	if r.status != 1 || r.stderr != "kiln: the notes on stdin are longer than 256 KiB\n" {
		t.Errorf("endless notes: %+v", r)
	}
	r = kilnWith(t, home, Env{Stdin: strings.NewReader(strings.Repeat("x", 20001))}, "library", "note", "b-vase", "-")
	if r.status != 1 || !strings.Contains(r.stderr, "longer than 20000 characters") {
		t.Errorf("long notes: %+v", r)
	}
	check(lib("note", "b-vase", ""), 0, "Cleared the notes of \"Tall vase\" (b-vase).\n")
	if got := listed(t, home, "--search", "line"); got != "" {
		t.Errorf("cleared notes found: %q", got)
	}

	// Refusals: one line each, status 1; a usage error, status 2; nothing changed.
	os.Remove(filepath.Join(home, "library", "c-chair", "pot.glb"))
	for _, c := range []struct {
		args   []string
		status int
		want   string
	}{
		{[]string{"rename", "a-mug", " "}, 1, `kiln: rename "Espresso cup" (a-mug): the name is empty`},
		{[]string{"rename", "a-mug", "two\nlines"}, 1, `the name holds a control character`},
		{[]string{"rename", "c-chair", "Sofa"}, 1, `kiln: rename "armchair" (c-chair): damaged asset c-chair: pot.glb is missing`},
		{[]string{"rename", "a-mug", "Red", "mug"}, 2, "usage: kiln library rename ASSET NAME"},
		{[]string{"tag", "a-mug", "--add", strings.Repeat("t", 65)}, 1, "is longer than 64 characters"},
		{[]string{"tag", "a-mug", "b-vase"}, 2, "usage: kiln library tag ASSET..."},
		{[]string{"tag", "a-mug", "nope", "--add", "x"}, 1, `kiln: no such asset: "nope" is neither an id, the start of one, nor an asset's name`},
		{[]string{"note", "a-mug", "two", "words"}, 2, "usage: kiln library note ASSET"},
		{[]string{"note", "nope", "x"}, 1, `"nope" is neither an id`},
	} {
		r := lib(c.args...)
		if r.status != c.status || !strings.Contains(r.stderr, c.want) || strings.Count(r.stderr, "\n") != 1 || r.stdout != "" {
			t.Errorf("%q: %d %q %q, want %d %q", c.args, r.status, r.stdout, r.stderr, c.status, c.want)
		}
	}
	if got := listed(t, home, "--tag", "x"); got != "" {
		t.Errorf("a tag added despite an unknown asset: %q", got)
	}
}

func TestLibraryTrashAndRestore(t *testing.T) {
	home, ctx := t.TempDir(), context.Background()
	threeAssets(t, home)
	lib := func(args ...string) run { return kiln(t, ctx, home, fakes, append([]string{"library"}, args...)...) }

	if r := lib("rm", "b-vase"); r.status != 0 || r.stdout != "Moved \"Tall vase\" (b-vase) to the trash: restore it with kiln library restore b-vase\n" {
		t.Errorf("rm one: %+v", r)
	}
	time.Sleep(5 * time.Millisecond) // trashed later: listed first
	os.Remove(filepath.Join(home, "library", "c-chair", "pot.glb"))
	r := lib("rm", "red mug", "nope", "armchair", "a-mug")
	if r.status != 1 || r.stdout != "Moved 2 models to the trash (a-mug, c-chair): restore with kiln library restore ID\n" ||
		r.stderr != "kiln: no such asset: \"nope\" is neither an id, the start of one, nor an asset's name\n" {
		t.Errorf("rm several, one unknown: %+v", r)
	}
	if got := listed(t, home); got != "" {
		t.Errorf("after rm the library lists %q", got)
	}
	r = lib("trash")
	lines := strings.Split(strings.TrimRight(r.stdout, "\n"), "\n")
	if r.status != 0 || len(lines) != 4 || !strings.HasPrefix(lines[0], "TRASHED") || !strings.Contains(lines[3], "b-vase") ||
		!strings.Contains(r.stdout, "damaged: pot.glb is missing") || !strings.Contains(lines[3], time.Now().Format("2006-01-02")) {
		t.Errorf("trash: %d %q %q", r.status, r.stdout, r.stderr)
	}
	r = lib("trash", "--json")
	var items []trashedJSON
	if err := json.Unmarshal([]byte(r.stdout), &items); err != nil || len(items) != 3 || items[2].ID != "b-vase" ||
		items[2].Name != "Tall vase" || !items[2].Trashed.Before(items[0].Trashed) || time.Since(items[2].Trashed) > time.Minute {
		t.Errorf("trash --json: %v %s", err, r.stdout)
	}

	if r := lib("restore", "TALL VASE"); r.status != 0 || r.stdout != "Restored \"Tall vase\" (b-vase) to the library.\n" {
		t.Errorf("restore: %+v", r)
	}
	if got := listed(t, home, "--search", "glaze"); got != "b-vase" {
		t.Errorf("restored, found: %q", got)
	}
	for _, ref := range []string{"b-vase", "nope"} {
		if r := lib("restore", ref); r.status != 1 || !strings.Contains(r.stderr, "no such asset in the trash: \""+ref+"\"") {
			t.Errorf("restore %s: %+v", ref, r)
		}
	}

	// Emptied for good: asked first at a terminal, unless --yes.
	var asked []string
	answer := func(a string) func(string, bool) (string, error) {
		return func(q string, _ bool) (string, error) { asked = append(asked, q); return a, nil }
	}
	if r := kilnWith(t, home, Env{Ask: answer("n")}, "library", "trash", "--empty"); r.status != 1 || r.stderr != "kiln: nothing deleted\n" ||
		len(asked) != 1 || asked[0] != "Delete the 2 models in the trash for good? [y/N]" {
		t.Errorf("declined: %+v %q", r, asked)
	}
	if r := lib("trash", "--json"); strings.Count(r.stdout, `"trashed"`) != 2 {
		t.Errorf("declined, yet the trash holds %s", r.stdout)
	}
	if r := kilnWith(t, home, Env{Ask: answer("y")}, "library", "trash", "--empty"); r.status != 0 || r.stdout != "Deleted the 2 models in the trash for good.\n" {
		t.Errorf("confirmed: %+v", r)
	}
	if r := lib("trash"); r.stdout != "The trash is empty.\n" {
		t.Errorf("emptied: %+v", r)
	}
	if entries, _ := os.ReadDir(filepath.Join(home, "library", ".trash")); len(entries) != 0 {
		t.Errorf("%d folders left in the trash", len(entries))
	}
	lib("rm", "b-vase")
	asked = nil
	if r := kilnWith(t, home, Env{Ask: answer("n")}, "library", "trash", "--empty", "--yes"); r.status != 0 || len(asked) != 0 ||
		r.stdout != "Deleted the 1 model in the trash for good.\n" {
		t.Errorf("--yes: %+v %q", r, asked)
	}
	if r := lib("trash", "--empty"); r.status != 0 || r.stdout != "The trash is already empty.\n" {
		t.Errorf("empty twice: %+v", r)
	}
	for _, args := range [][]string{{"rm"}, {"restore"}, {"trash", "x"}, {"trash", "--empty", "--json"}} {
		if r := lib(args...); r.status != 2 || !strings.HasPrefix(r.stderr, "usage: kiln library ") {
			t.Errorf("%q: %+v", args, r)
		}
	}
}

func TestLibraryReindex(t *testing.T) {
	home, ctx := t.TempDir(), context.Background()
	threeAssets(t, home)
	if got := listed(t, home); got != "c-chair b-vase a-mug" {
		t.Fatalf("listed %q", got)
	}
	// The index's rows lost, a sidecar edited by hand, a model deleted: reindex reads the folders.
	db, err := app.OpenDatabase(filepath.Join(home, "kiln.db"))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`DELETE FROM library_search`, `DELETE FROM library_assets`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	side := filepath.Join(home, "library", "c-chair", "asset.json")
	data, _ := os.ReadFile(side)
	os.WriteFile(side, []byte(strings.Replace(string(data), `"armchair"`, `"Club chair"`, 1)), 0o644)
	os.Remove(filepath.Join(home, "library", "a-mug", "pot.glb"))

	r := kiln(t, ctx, home, fakes, "library", "reindex")
	if r.status != 0 || r.stdout != "Rebuilt the library index from its folders: 3 assets, 1 damaged (kiln library --state damaged lists them).\n" {
		t.Errorf("reindex: %+v", r)
	}
	for q, want := range map[string]string{"club": "c-chair", "armchair": "", "vase": "b-vase"} {
		if got := listed(t, home, "--search", q); got != want {
			t.Errorf("%q: %q, want %q", q, got, want)
		}
	}
	if got := listed(t, home, "--state", "damaged"); got != "a-mug" {
		t.Errorf("damaged: %q", got)
	}
	if r := kiln(t, ctx, home, fakes, "library", "reindex", "now"); r.status != 2 {
		t.Errorf("reindex now: %+v", r)
	}
}

func TestLibraryAssetsByNameOrStartOfID(t *testing.T) {
	home, ctx := t.TempDir(), context.Background()
	fileAssetAs(t, home, "20261101-120000-aaaa1111", nil) // both named "pot"
	fileAssetAs(t, home, "20261101-120000-bbbb2222", nil)
	fileAssetAs(t, home, "20261102-090000-cccc3333", func(_ string, a *app.Asset) { a.Name = "Lamp" })
	lib := func(args ...string) run { return kiln(t, ctx, home, fakes, append([]string{"library"}, args...)...) }

	r := lib("rename", "POT", "Bowl")
	if r.status != 1 || strings.Count(r.stderr, "\n") != 1 || r.stdout != "" ||
		!strings.HasPrefix(r.stderr, `kiln: "POT" names more than one asset: `) || !strings.HasSuffix(r.stderr, "; give the id of the one you mean\n") ||
		!strings.Contains(r.stderr, "20261101-120000-aaaa1111 (pot)") || !strings.Contains(r.stderr, "20261101-120000-bbbb2222 (pot)") {
		t.Errorf("an ambiguous name: %+v", r)
	}
	if r := lib("rm", "20261101"); r.status != 1 || !strings.Contains(r.stderr, `"20261101" names more than one asset`) {
		t.Errorf("an ambiguous start of an id: %+v", r)
	}
	if r := lib("rename", "20261101-120000-b", "Bowl"); r.status != 0 || r.stdout != "Renamed \"pot\" (20261101-120000-bbbb2222) to \"Bowl\".\n" {
		t.Errorf("a start of an id: %+v", r)
	}
	if r := lib("rename", "pot", "Jug"); r.status != 0 || !strings.Contains(r.stdout, "(20261101-120000-aaaa1111)") {
		t.Errorf("a name now unique: %+v", r)
	}
	if r := lib("tag", "lamp", "--add", "light"); r.status != 0 || r.stdout != "\"Lamp\" (20261102-090000-cccc3333) is now tagged light.\n" {
		t.Errorf("a name in another case: %+v", r)
	}
	for _, ref := range []string{"2026", "202", "lam", "\x1b[2J"} {
		r := lib("rm", ref)
		if r.status != 1 || strings.Contains(r.stderr, "\x1b") || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("rm %q: %+v", ref, r)
		}
	}
	if got := listed(t, home); len(strings.Fields(got)) != 3 {
		t.Errorf("the library lists %q", got)
	}
}
