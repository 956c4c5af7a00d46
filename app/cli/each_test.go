package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kiln3d/kiln/app"
	"github.com/kiln3d/kiln/assets"
	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/local"
	"github.com/kiln3d/kiln/providers/providertest"
)

// kilnOn runs the CLI against a data directory served by the providers of reg.
func kilnOn(t *testing.T, ctx context.Context, home string, reg *providers.Registry, args ...string) run {
	t.Helper()
	var out, errOut bytes.Buffer
	env := Env{Stdout: &out, Stderr: &errOut, Open: func(q app.QueueOptions) (*app.Kiln, error) {
		return app.Open(app.Options{Home: home, Providers: reg, Queue: q})
	}}
	status := Run(ctx, args, env)
	return run{status, out.String(), errOut.String()}
}

// samples writes the shipped sample images into a new folder and returns it.
func samples(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, s := range assets.Samples() {
		if err := os.WriteFile(filepath.Join(dir, s.File), s.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// `kiln generate --each` on the offline generator: a folder of samples makes one model each,
// named after its image, saved beside the artist's files without replacing any of them; a second
// batch of the same images takes the next free names.
func TestGenerateEachOnTheLocalProvider(t *testing.T) {
	reg, err := providers.NewRegistry(local.New())
	if err != nil {
		t.Fatal(err)
	}
	home, src, out := t.TempDir(), samples(t), t.TempDir()
	theirs := filepath.Join(out, "vase.glb")
	os.WriteFile(theirs, []byte("the artist's own vase"), 0o644)
	os.WriteFile(filepath.Join(src, ".hidden.png"), []byte("not looked at"), 0o644)

	r := kilnOn(t, context.Background(), home, reg, "generate", "--each", "--polycount", "2000", "--out", out, src)
	if r.status != 0 {
		t.Fatalf("status %d, stderr %q", r.status, r.stderr)
	}
	saved := strings.Fields(r.stdout)
	want := []string{filepath.Join(out, "lifebuoy.glb"), filepath.Join(out, "mushroom.glb"), filepath.Join(out, "vase-2.glb")}
	if !slices.Equal(saved, want) {
		t.Fatalf("saved %v, want %v", saved, want)
	}
	for _, p := range saved {
		if info, err := app.ReadModelInfo(p); err != nil || info.Triangles == 0 {
			t.Errorf("%s: %+v %v", p, info, err)
		}
	}
	if data, _ := os.ReadFile(theirs); string(data) != "the artist's own vase" {
		t.Error("the artist's vase.glb was overwritten")
	}
	if !strings.Contains(r.stderr, "3 models, one per image") || !strings.Contains(r.stderr, "Batch of 3 · 3 done · 0 failed") ||
		!strings.Contains(r.stderr, "mushroom: running") {
		t.Errorf("stderr %q", r.stderr)
	}

	// The same images again: the library has those names, so the models take the next ones.
	r = kilnOn(t, context.Background(), home, reg, "generate", "--each", "--json", "--out", out,
		filepath.Join(src, "vase.png"), filepath.Join(src, "mushroom.png"))
	if r.status != 0 {
		t.Fatalf("second batch: status %d, stderr %q", r.status, r.stderr)
	}
	var results []generateResult
	if err := json.Unmarshal([]byte(r.stdout), &results); err != nil || len(results) != 2 {
		t.Fatalf("stdout is not a JSON array of 2: %q (%v)", r.stdout, err)
	}
	var names, files []string
	for _, res := range results {
		if res.Status != "done" || len(res.Files) != 1 || res.Batch == "" || res.Batch != results[0].Batch {
			t.Errorf("result %+v", res)
			continue
		}
		names, files = append(names, res.Name), append(files, res.Files[0])
	}
	if !slices.Equal(names, []string{"vase-2", "mushroom-2"}) || results[0].Source != filepath.Join(src, "vase.png") {
		t.Errorf("names %v, first source %q", names, results[0].Source)
	}
	// vase-2.glb is the first batch's: the second batch's vase-2 goes beside it.
	if !slices.Equal(files, []string{filepath.Join(out, "vase-2-2.glb"), filepath.Join(out, "mushroom-2.glb")}) {
		t.Errorf("files %v", files)
	}
	entries, _ := os.ReadDir(out)
	if len(entries) != 6 {
		t.Errorf("%d files in --out, want the artist's and 5 models", len(entries))
	}

	jobs := kilnOn(t, context.Background(), home, reg, "jobs", "--json")
	var list []jobJSON
	if err := json.Unmarshal([]byte(jobs.stdout), &list); err != nil || len(list) != 5 {
		t.Fatalf("jobs --json: %q (%v)", jobs.stdout, err)
	}
	batches := map[string]int{}
	for _, j := range list {
		batches[j.Batch]++
	}
	if len(batches) != 2 || batches[results[0].Batch] != 2 {
		t.Errorf("jobs by batch: %v", batches)
	}
}

func TestGenerateEachRefusals(t *testing.T) {
	home, src := t.TempDir(), t.TempDir()
	img := writePNG(t, src, "cup.png")
	empty := t.TempDir()
	fakes := []*providertest.Fake{providertest.NewFake("local")}
	for _, c := range []struct {
		args   []string
		status int
		want   string
	}{
		{[]string{"--each", "--view", "front=" + img, img}, 2, "leave out --view"},
		{[]string{"--each", "--force", img}, 2, "--each never replaces a file"},
		{[]string{"--each"}, 2, "give the images, or folders of them"},
		{[]string{"--each", "--out", filepath.Join(src, "one.glb"), img}, 1, "--each saves one model per image: give a folder"},
		{[]string{"--each", empty}, 1, "holds no PNG, JPEG or WebP images"},
		{[]string{src}, 1, "is a folder: give --each for one model per image in it"},
	} {
		r := kiln(t, context.Background(), home, fakes, append([]string{"generate"}, c.args...)...)
		if r.status != c.status || !strings.Contains(r.stderr, c.want) || strings.Count(strings.TrimSpace(r.stderr), "\n") > 0 {
			t.Errorf("%v: status %d, stderr %q; want %d and %q on one line", c.args, r.status, r.stderr, c.status, c.want)
		}
	}
	if jobs := kiln(t, context.Background(), home, fakes, "jobs", "--json"); strings.TrimSpace(jobs.stdout) != "[]" {
		t.Errorf("a refused batch left jobs: %s", jobs.stdout)
	}
}

// One model that fails makes the exit status non-zero; the others are saved all the same.
func TestGenerateEachWithAFailure(t *testing.T) {
	fake := providertest.NewFake("local")
	fake.CollectErr, fake.CollectFailures = errors.New("no object found"), 1
	src, out := t.TempDir(), t.TempDir()
	r := kiln(t, context.Background(), t.TempDir(), []*providertest.Fake{fake}, "generate", "--each", "--out", out,
		writePNG(t, src, "a.png"), writePNG(t, src, "b.png"), writePNG(t, src, "c.png"))
	if r.status != 1 || len(strings.Fields(r.stdout)) != 2 || !strings.Contains(r.stderr, "generation failed: ") ||
		!strings.Contains(r.stderr, "Batch of 3 · 2 done · 1 failed") {
		t.Errorf("status %d, stdout %q, stderr %q", r.status, r.stdout, r.stderr)
	}
}

// Ctrl-C cancels the whole batch: the running job and those still queued.
func TestGenerateEachCancelledByInterrupt(t *testing.T) {
	fake := providertest.NewFake("local")
	fake.Caps.Offline = true // one at a time, as the offline generator
	fake.Gate = make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	home, src := t.TempDir(), t.TempDir()
	go func() {
		fake.Gate <- struct{}{} // the first job runs
		// Interrupted once the whole batch is in the ledger.
		s, err := app.OpenStore(filepath.Join(home, "kiln.db"))
		for err == nil {
			if jobs, _ := s.List(ctx); len(jobs) == 3 {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		if s != nil {
			s.Close()
		}
		cancel()
	}()
	r := kiln(t, ctx, home, []*providertest.Fake{fake}, "generate", "--each", "--out", t.TempDir(),
		writePNG(t, src, "a.png"), writePNG(t, src, "b.png"), writePNG(t, src, "c.png"))
	if r.status != 130 || !strings.Contains(r.stderr, "kiln: cancelled") || r.stdout != "" {
		t.Fatalf("status %d stdout %q stderr %q", r.status, r.stdout, r.stderr)
	}
	jobs := kiln(t, context.Background(), home, []*providertest.Fake{providertest.NewFake("local")}, "jobs", "--json")
	var list []jobJSON
	if err := json.Unmarshal([]byte(jobs.stdout), &list); err != nil || len(list) != 3 {
		t.Fatalf("jobs --json: %q (%v)", jobs.stdout, err)
	}
	for _, j := range list {
		if j.State != "cancelled" {
			t.Errorf("%s is %s", j.Name, j.State)
		}
	}
	if n := fake.Submits(); n != 1 {
		t.Errorf("%d jobs reached the provider, want the one running", n)
	}
}
