package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/providertest"
)

// submitEach submits one job per image and fails t on an error.
func submitEach(t *testing.T, k *Kiln, provider string, paths ...string) []Job {
	t.Helper()
	jobs, err := k.Jobs.SubmitEach(context.Background(), provider, request(paths...))
	if err != nil {
		t.Fatalf("submit each: %v", err)
	}
	return jobs
}

func jobNames(jobs []Job) []string {
	names := make([]string, len(jobs))
	for i, j := range jobs {
		names[i] = j.Name()
	}
	return names
}

// A batch's jobs share its id, each takes one image and is named after it, and all of it is still
// there when the ledger is opened again.
func TestBatchIsKeptAcrossReopen(t *testing.T) {
	home, src := t.TempDir(), t.TempDir()
	os.Mkdir(filepath.Join(src, "shelf"), 0o755)
	images := []string{writePNG(t, src, "vase.png"), writePNG(t, src, "chair.png"), writePNG(t, filepath.Join(src, "shelf"), "vase.png")}
	k := openKiln(t, home, QueueOptions{}, providertest.NewFake("fake"))
	req := request(images...)
	req.Images[0].View = providers.ViewFront                   // one image per model: a view means nothing
	req.Images[1].Mask = writePNG(t, src, "chair cut-out.png") // but a corrected cut-out does
	req.Polycount = 700
	jobs, err := k.Jobs.SubmitEach(context.Background(), "fake", req)
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 3 {
		t.Fatalf("%d jobs, want 3", len(jobs))
	}
	batch := jobs[0].Batch
	if !strings.HasPrefix(batch, "batch-") {
		t.Errorf("batch id %q", batch)
	}
	for i, j := range jobs {
		if j.Batch != batch || len(j.Request.Images) != 1 || j.Sources[0] != images[i] || j.Request.Polycount != 700 ||
			j.Request.Images[0].View != "" {
			t.Errorf("job %d: batch %q, sources %v, polycount %d, images %+v", i, j.Batch, j.Sources, j.Request.Polycount, j.Request.Images)
		}
		if hasMask := j.Request.Images[0].Mask != ""; hasMask != (i == 1) {
			t.Errorf("job %d: cut-out %q", i, j.Request.Images[0].Mask)
		}
	}
	if got, want := jobNames(jobs), []string{"vase", "chair", "vase-2"}; !slices.Equal(got, want) {
		t.Errorf("names %v, want %v", got, want)
	}
	for _, j := range jobs {
		if done := wait(t, k, j.ID); done.State != Done {
			t.Fatalf("job %s: %s %s", j.Name(), done.State, done.Error)
		}
	}
	k.Close()

	k = openKiln(t, home, QueueOptions{}, providertest.NewFake("fake"))
	defer k.Close()
	again, err := k.Jobs.Batch(context.Background(), batch)
	if err != nil {
		t.Fatal(err)
	}
	if got := jobNames(again); !slices.Equal(got, []string{"vase", "chair", "vase-2"}) {
		t.Fatalf("reopened batch: %v", got)
	}
	for i, j := range again {
		if j.ID != jobs[i].ID || j.Batch != batch || j.AssetName != jobs[i].AssetName || j.State != Done {
			t.Errorf("reopened job %d: %+v", i, j)
		}
		a, err := k.Library.Get(j.AssetID)
		if err != nil || a.Name != j.Name() || filepath.Base(a.ModelPath()) != j.Name()+".glb" {
			t.Errorf("asset of %s: name %q, model %q (%v)", j.Name(), a.Name, a.ModelPath(), err)
		}
	}
	if p := SummarizeBatch(again); p.String() != "Batch of 3 · 3 done · 0 failed" || p.Share != 1 || !p.Finished() {
		t.Errorf("summary %q, share %v", p, p.Share)
	}
}

// A database written before batches existed opens: its jobs are lone jobs, named as before.
func TestLedgerBeforeBatchesOpens(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kiln.db")
	db, err := OpenDatabase(path)
	if err != nil {
		t.Fatal(err)
	}
	const before = 5 // the migrations before batches
	for _, m := range schema[:before] {
		if _, err := db.Exec(m); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Exec(fmt.Sprintf(`PRAGMA user_version = %d`, before)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO jobs (id, provider, request, sources, state, created, updated)
		VALUES ('old', 'fake', '{"polycount":1000}', '["/art/lamp.png"]', 'done', 1, 1)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	s, err := OpenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	j, err := s.Get(context.Background(), "old")
	if err != nil || j.Batch != "" || j.AssetName != "" || j.Name() != "lamp" {
		t.Fatalf("old job: batch %q, name %q (%v)", j.Batch, j.Name(), err)
	}
	j.Batch, j.AssetName = "batch-x", "lamp-2"
	if err := s.Update(context.Background(), j); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Batch(context.Background(), "batch-x"); err != nil || len(got) != 1 || got[0].Name() != "lamp-2" {
		t.Fatalf("batch after update: %v (%v)", got, err)
	}
}

// Names never take one the library has (in any case), one an unfinished job will give its model,
// or one given earlier in the batch.
func TestBatchNamesAreUnique(t *testing.T) {
	fake := providertest.NewFake("fake")
	k := openKiln(t, t.TempDir(), QueueOptions{}, fake)
	defer k.Close()
	ctx := context.Background()
	a, b, c := t.TempDir(), t.TempDir(), t.TempDir()
	lone, err := k.Jobs.Submit(ctx, "fake", request(writePNG(t, a, "vase.png")))
	if err != nil {
		t.Fatal(err)
	}
	if done := wait(t, k, lone.ID); done.State != Done {
		t.Fatal(done.Error)
	}
	// A vase-2 already in the library pushes the next one on.
	two, err := k.Jobs.Submit(ctx, "fake", request(writePNG(t, b, "VASE-2.png")))
	if err != nil {
		t.Fatal(err)
	}
	wait(t, k, two.ID)

	fake.Gate = make(chan struct{}) // the next jobs stay unfinished
	defer close(fake.Gate)
	first := submitEach(t, k, "fake", writePNG(t, c, "vase.png"), writePNG(t, c, "lamp.png"), writePNG(t, b, "vase.png"))
	if got, want := jobNames(first), []string{"vase-3", "lamp", "vase-4"}; !slices.Equal(got, want) {
		t.Errorf("names %v, want %v", got, want)
	}
	second := submitEach(t, k, "fake", writePNG(t, t.TempDir(), "lamp.png"), writePNG(t, t.TempDir(), ".png"))
	if got, want := jobNames(second), []string{"lamp-2", "model"}; !slices.Equal(got, want) {
		t.Errorf("a batch while another runs: names %v, want %v", got, want)
	}
	if first[0].Batch == second[0].Batch {
		t.Error("two batches share an id")
	}
}

// A bad image fails the whole batch before anything is saved; so does no image.
func TestBatchWithABadImageSubmitsNothing(t *testing.T) {
	k := openKiln(t, t.TempDir(), QueueOptions{}, providertest.NewFake("fake"))
	defer k.Close()
	src := t.TempDir()
	bad := filepath.Join(src, "notes.png")
	os.WriteFile(bad, []byte("not an image"), 0o644)
	_, err := k.Jobs.SubmitEach(context.Background(), "fake", request(writePNG(t, src, "a.png"), bad))
	var ie *providers.InputError
	if !errors.As(err, &ie) || ie.File != bad {
		t.Fatalf("err = %v, want an InputError naming %s", err, bad)
	}
	if _, err := k.Jobs.SubmitEach(context.Background(), "fake", request()); !errors.Is(err, ErrEmptyBatch) {
		t.Errorf("no images: %v", err)
	}
	if jobs, _ := k.Jobs.Jobs(context.Background()); len(jobs) != 0 {
		t.Errorf("%d jobs saved", len(jobs))
	}
}

// Cancelling a batch stops its running job and keeps the queued ones from starting.
func TestCancelBatch(t *testing.T) {
	fake := providertest.NewFake("fake")
	fake.Gate = make(chan struct{})
	k := openKiln(t, t.TempDir(), QueueOptions{Workers: 1}, fake)
	defer k.Close()
	src := t.TempDir()
	jobs := submitEach(t, k, "fake", writePNG(t, src, "a.png"), writePNG(t, src, "b.png"), writePNG(t, src, "c.png"))
	fake.Gate <- struct{}{} // the first one runs
	if err := k.Jobs.CancelBatch(context.Background(), jobs[0].Batch); err != nil {
		t.Fatal(err)
	}
	for _, j := range jobs {
		if got := wait(t, k, j.ID); got.State != Cancelled {
			t.Errorf("%s: %s", j.Name(), got.State)
		}
	}
	if n := fake.Submits(); n != 1 {
		t.Errorf("%d jobs reached the provider, want the one running", n)
	}
	p := SummarizeBatch(jobs)
	if p.Jobs != 3 {
		t.Errorf("summary of the queued batch: %+v", p)
	}
	if err := k.Jobs.CancelBatch(context.Background(), "batch-none"); !errors.Is(err, ErrNoJob) {
		t.Errorf("unknown batch: %v", err)
	}
}

func TestSummarizeBatch(t *testing.T) {
	jobs := []Job{
		{State: Done, Progress: 1},
		{State: Failed},
		{State: Running, Progress: 0.5},
		{State: Queued},
	}
	p := SummarizeBatch(jobs)
	want := (1 + 1 + (0.05 + 0.85*0.5) + 0) / 4
	if p.Jobs != 4 || p.Done != 1 || p.Failed != 1 || p.Finished() || p.Share < want-1e-9 || p.Share > want+1e-9 {
		t.Errorf("summary %+v, share want %v", p, want)
	}
	if s := p.String(); s != "Batch of 4 · 1 done · 1 failed" {
		t.Errorf("%q", s)
	}
	jobs[3].State = Cancelled
	jobs[2].State = Done
	if p := SummarizeBatch(jobs); !p.Finished() || p.String() != "Batch of 4 · 2 done · 1 failed · 1 cancelled" {
		t.Errorf("finished %v %q", p.Finished(), p)
	}
}

func TestLooksLikeSeparateObjects(t *testing.T) {
	cases := []struct {
		images []string
		want   bool
	}{
		{[]string{"mug.png"}, false},
		{nil, false},
		{[]string{"mug.png", "chair.png"}, true},
		{[]string{"/a/vase.png", "/a/mushroom.png", "/a/lifebuoy.png"}, true},
		{[]string{"mug_front.png", "mug_left.png", "mug-back.jpg"}, false},
		{[]string{"Mug Front.png", "mug_LEFT.webp", "mug.png"}, false},
		{[]string{"mugFront.png", "mugLeft.png"}, false},
		{[]string{"front.png", "back.png", "left.png"}, false},
		{[]string{"IMG_0041.jpg", "IMG_0042.jpg", "IMG_0050.jpg"}, false},
		{[]string{"chair_1.png", "chair_2.png"}, false},
		{[]string{"frontier.png", "leftover.png"}, true},
		{[]string{"/one/mug.png", "/two/mug.png"}, false},
		// A name with a view word is a view of an object, whatever else the others are.
		{[]string{"chair_front.png", "table_front.png"}, false},
		{[]string{"mug_front.png", "mug_side.png", "lamp.png"}, false},
		{[]string{"mug_front.png", "mug_left.png", "chair.png", "table.png"}, true},
		{[]string{"1.png", "2.png"}, false},
	}
	for _, c := range cases {
		if got := LooksLikeSeparateObjects(c.images); got != c.want {
			t.Errorf("LooksLikeSeparateObjects(%v) = %v, want %v", c.images, got, c.want)
		}
	}
}

func TestFolderImages(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"b.png", "a.JPG", ".hidden.png", "notes.txt", "c.webp"} {
		os.WriteFile(filepath.Join(dir, n), []byte("x"), 0o644)
	}
	os.MkdirAll(filepath.Join(dir, "sub.png"), 0o755)
	os.WriteFile(filepath.Join(dir, "sub.png", "d.png"), []byte("x"), 0o644)
	images, total, err := FolderImages(dir)
	want := []string{filepath.Join(dir, "a.JPG"), filepath.Join(dir, "b.png"), filepath.Join(dir, "c.webp")}
	if err != nil || total != 3 || !slices.Equal(images, want) {
		t.Errorf("images %v (total %d, %v), want %v", images, total, err, want)
	}
	if _, _, err := FolderImages(filepath.Join(dir, "missing")); err == nil || !strings.Contains(err.Error(), "cannot read the folder missing") {
		t.Errorf("missing folder: %v", err)
	}

	many := t.TempDir()
	for i := range MaxBatch + 5 {
		os.WriteFile(filepath.Join(many, fmt.Sprintf("obj%03d.png", i)), []byte("x"), 0o644)
	}
	images, total, _ = FolderImages(many)
	if len(images) != MaxBatch || total != MaxBatch+5 {
		t.Errorf("%d images of %d, want %d of %d", len(images), total, MaxBatch, MaxBatch+5)
	}
	if _, err := BatchImages([]string{many}); err == nil || !strings.Contains(err.Error(), "at most 200") {
		t.Errorf("too many: %v", err)
	}
	empty := t.TempDir()
	if _, err := BatchImages([]string{empty}); err == nil || !strings.Contains(err.Error(), "holds no PNG") {
		t.Errorf("empty folder: %v", err)
	}
	got, err := BatchImages([]string{filepath.Join(dir, "b.png"), dir})
	if err != nil || !slices.Equal(got, []string{want[1], want[0], want[2]}) {
		t.Errorf("files and a folder: %v (%v)", got, err)
	}
}

func TestPlanEachPricesEveryModel(t *testing.T) {
	balance := 1.0
	p := Plan{Models: 3, Price: &providers.Price{Credits: 0.5}, Balance: &balance}
	if !p.Short() || p.Total() != 1.5 {
		t.Errorf("short %v, total %v", p.Short(), p.Total())
	}
	if s := p.Summary(); !strings.HasPrefix(s, "Cost 1.5 credits (3 models at 0.5 credits each); the balance is only 1 credit") {
		t.Errorf("summary %q", s)
	}

	k := openKiln(t, t.TempDir(), QueueOptions{}, providertest.NewFake("fake"))
	defer k.Close()
	src := t.TempDir()
	req := request(writePNG(t, src, "a_front.png"), writePNG(t, src, "b.png"))
	req.Images[0].View = providers.ViewFront
	req.Polycount = 1 << 30
	plan, err := k.PlanEach(context.Background(), "fake", "", req, false)
	if err != nil {
		t.Fatal(err)
	}
	if plan.Models != 2 || len(plan.Request.Images) != 2 || plan.Request.Images[0].View != "" || plan.Request.Polycount != 100000 {
		t.Errorf("plan: %d models, request %+v", plan.Models, plan.Request)
	}
}
