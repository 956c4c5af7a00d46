package app

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/local"
	"github.com/kiln3d/kiln/providers/providertest"
)

// compareVariants are two variants of fake "a" and one of fake "b".
func compareVariants() []Variant {
	return []Variant{{Provider: "a", Polycount: 500}, {Provider: "a", Polycount: 2000}, {Provider: "b", Polycount: 900}}
}

// A comparison sends one set of references to each variant once: its jobs share one batch marked
// as a comparison, which the ledger keeps across a restart, and each model lands in the library
// named after the references and its variant, tagged with the group.
func TestCompareSubmitsEachVariantOnce(t *testing.T) {
	home, src := t.TempDir(), t.TempDir()
	a, b := providertest.NewFake("a"), providertest.NewFake("b")
	a.Caps.Offline, a.Caps.Views = true, true
	k := openKiln(t, home, QueueOptions{}, a, b)
	req := request(writePNG(t, src, "vase.png"), writePNG(t, src, "vase_back.png"))
	req.Images[1].View = providers.ViewBack
	req.Polycount = 12345 // each variant's own replaces it
	req.Size = providers.Dimensions{HeightCM: 30}
	jobs, err := k.SubmitCompare(context.Background(), req, compareVariants())
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 3 {
		t.Fatalf("%d jobs, want 3", len(jobs))
	}
	group := jobs[0].Batch
	if !strings.HasPrefix(group, "compare-") {
		t.Errorf("group id %q", group)
	}
	wantNames := []string{"vase (Fake a 500)", "vase (Fake a 2,000)", "vase (Fake b 900)"}
	if got := jobNames(jobs); !slices.Equal(got, wantNames) {
		t.Errorf("names %v, want %v", got, wantNames)
	}
	for i, j := range jobs {
		view := providers.ViewBack
		if j.Provider == "b" {
			view = "" // b takes no views
		}
		if j.Batch != group || !j.Compare || j.Request.Polycount != compareVariants()[i].Polycount ||
			len(j.Request.Images) != 2 || j.Request.Images[1].View != view || j.Request.Size.HeightCM != 30 {
			t.Errorf("job %d: batch %q compare %v polycount %d images %+v size %+v", i, j.Batch, j.Compare,
				j.Request.Polycount, j.Request.Images, j.Request.Size)
		}
	}
	for _, j := range jobs {
		if got := wait(t, k, j.ID); got.State != Done {
			t.Fatalf("job %s: %s (%s)", got.Name(), got.State, got.Error)
		}
	}
	if a.Submits() != 2 || b.Submits() != 1 {
		t.Errorf("submits: a %d, b %d; want 2 and 1", a.Submits(), b.Submits())
	}
	k.Close()

	// The ledger keeps the group, and the library the tag.
	k = openKiln(t, home, QueueOptions{}, a, b)
	defer k.Close()
	again, err := k.Jobs.Batch(context.Background(), group)
	if err != nil || len(again) != 3 {
		t.Fatalf("group after reopen: %d jobs, %v", len(again), err)
	}
	sum := SummarizeBatch(again)
	if !sum.Compare || !sum.Finished() || sum.String() != "Comparison of 3 · 3 done · 0 failed" {
		t.Errorf("summary %+v: %q", sum, sum.String())
	}
	tag := CompareTag(group)
	if tag != "compare:"+group[len(group)-8:] {
		t.Errorf("tag %q for group %q", tag, group)
	}
	for i, j := range again {
		if !j.Compare || j.ID != jobs[i].ID {
			t.Errorf("job %d after reopen: %s compare %v", i, j.ID, j.Compare)
		}
		asset, err := k.Library.Get(j.AssetID)
		if err != nil || asset.Name != wantNames[i] || !slices.Equal(asset.Tags, []string{tag}) {
			t.Errorf("asset %d: %q tags %v (%v)", i, asset.Name, asset.Tags, err)
		}
	}
	if a.Submits() != 2 || b.Submits() != 1 {
		t.Errorf("a reopened Kiln sent again: a %d, b %d", a.Submits(), b.Submits())
	}

	// A second comparison of the same references does not take the first one's names.
	more, err := k.SubmitCompare(context.Background(), req, compareVariants()[:2])
	if err != nil {
		t.Fatal(err)
	}
	if got := jobNames(more); !slices.Equal(got, []string{"vase (Fake a 500) 2", "vase (Fake a 2,000) 2"}) {
		t.Errorf("second comparison's names %v", got)
	}
}

// A comparison is checked whole before anything is saved: too few or too many variants, an unknown
// provider, a bad image, plans that send different references; nothing is submitted then.
func TestCompareRefusesBeforeSaving(t *testing.T) {
	src := t.TempDir()
	a, b := providertest.NewFake("a"), providertest.NewFake("b")
	k := openKiln(t, t.TempDir(), QueueOptions{}, a, b)
	defer k.Close()
	ctx := context.Background()
	good := request(writePNG(t, src, "vase.png"))
	bad := request(writePNG(t, src, "vase.png"), src+"/missing.png")
	cases := []struct {
		name     string
		req      providers.Request
		variants []Variant
		want     string
	}{
		{"one", good, compareVariants()[:1], "a comparison makes 2 to 4"},
		{"five", good, slices.Repeat(compareVariants()[:1], 5), "a comparison makes 2 to 4"},
		{"unknown provider", good, []Variant{{Provider: "a"}, {Provider: "zz"}}, "model 2 of the comparison (zz)"},
		{"bad image", bad, compareVariants(), "missing.png"},
	}
	for _, c := range cases {
		_, err := k.SubmitCompare(ctx, c.req, c.variants)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
	plans, err := k.PlanCompare(ctx, good, compareVariants()[:2], false)
	if err != nil {
		t.Fatal(err)
	}
	plans[1].Request.Images = []providers.Image{{Path: writePNG(t, src, "chair.png")}}
	if _, err := k.Jobs.SubmitCompare(ctx, plans); err == nil || !strings.Contains(err.Error(), "one set") {
		t.Errorf("different references: %v", err)
	}
	if jobs, _ := k.Jobs.Jobs(ctx); len(jobs) != 0 || a.Submits()+b.Submits() != 0 {
		t.Errorf("%d jobs saved, %d submits after refusals", len(jobs), a.Submits()+b.Submits())
	}
}

// The polycount of each variant is brought into its provider's range, as for a single job.
func TestComparePlansEachVariant(t *testing.T) {
	a, b := providertest.NewFake("a"), providertest.NewFake("b")
	b.Caps.Polycount = providers.Range{Min: 100, Max: 800, Default: 400}
	k := openKiln(t, t.TempDir(), QueueOptions{}, a, b)
	defer k.Close()
	plans, err := k.PlanCompare(context.Background(), request(writePNG(t, t.TempDir(), "pot.png")),
		[]Variant{{Provider: "a", Polycount: 5000}, {Provider: "b", Polycount: 5000}, {Provider: "b"}}, false)
	if err != nil {
		t.Fatal(err)
	}
	if plans[0].Request.Polycount != 5000 || plans[1].Request.Polycount != 800 || plans[2].Request.Polycount != 400 {
		t.Errorf("polycounts %d, %d, %d; want 5000, 800, 400", plans[0].Request.Polycount, plans[1].Request.Polycount, plans[2].Request.Polycount)
	}
	if len(plans[1].Notes) != 1 || !strings.Contains(plans[1].Notes[0], "800 will be asked for") {
		t.Errorf("notes %v", plans[1].Notes)
	}
}

// Cancelling the group stops the unfinished jobs; the finished one stays done.
func TestCancelComparison(t *testing.T) {
	a, b := providertest.NewFake("a"), providertest.NewFake("b")
	b.Gate = make(chan struct{})
	k := openKiln(t, t.TempDir(), QueueOptions{}, a, b)
	defer k.Close()
	jobs, err := k.SubmitCompare(context.Background(), request(writePNG(t, t.TempDir(), "pot.png")),
		[]Variant{{Provider: "a"}, {Provider: "b"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := wait(t, k, jobs[0].ID); got.State != Done {
		t.Fatalf("first: %s", got.State)
	}
	if err := k.Jobs.CancelBatch(context.Background(), jobs[0].Batch); err != nil {
		t.Fatal(err)
	}
	if got := wait(t, k, jobs[1].ID); got.State != Cancelled {
		t.Errorf("second: %s", got.State)
	}
	group, _ := k.Jobs.Batch(context.Background(), jobs[0].Batch)
	if s := SummarizeBatch(group); s.Done != 1 || s.Cancelled != 1 || !s.Finished() {
		t.Errorf("summary %+v", s)
	}
}

// finishedComparison submits a comparison and waits for its models.
func finishedComparison(t *testing.T, k *Kiln, req providers.Request, variants []Variant) []Job {
	t.Helper()
	jobs, err := k.SubmitCompare(context.Background(), req, variants)
	if err != nil {
		t.Fatal(err)
	}
	for i, j := range jobs {
		if jobs[i] = wait(t, k, j.ID); jobs[i].State != Done {
			t.Fatalf("job %s: %s (%s)", j.Name(), jobs[i].State, jobs[i].Error)
		}
	}
	return jobs
}

// Keep files the chosen model under the references' name and out of the group; the others stay,
// tagged. Keeping another later puts the first back in the group under its own name.
func TestKeepFilesOneModel(t *testing.T) {
	k := openKiln(t, t.TempDir(), QueueOptions{}, providertest.NewFake("a"), providertest.NewFake("b"))
	defer k.Close()
	jobs := finishedComparison(t, k, request(writePNG(t, t.TempDir(), "vase.png")), compareVariants())
	tag := CompareTag(jobs[0].Batch)
	ctx := context.Background()
	asset := func(i int) Asset {
		t.Helper()
		a, err := k.Library.Get(jobs[i].AssetID)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}

	kept, err := k.Keep(ctx, jobs[1].AssetID)
	if err != nil {
		t.Fatal(err)
	}
	if kept.Name != "vase" || hasTag(kept.Tags, tag) || asset(1).Name != "vase" {
		t.Errorf("kept: %q tags %v", kept.Name, kept.Tags)
	}
	for _, i := range []int{0, 2} {
		if a := asset(i); a.Name != jobs[i].AssetName || !hasTag(a.Tags, tag) {
			t.Errorf("other %d: %q tags %v", i, a.Name, a.Tags)
		}
	}
	if found, _ := k.Library.Find(ctx, LibraryQuery{Tag: tag}); len(found) != 2 {
		t.Errorf("%d models with the group's tag, want 2", len(found))
	}

	// The artist changes their mind.
	if kept, err = k.Keep(ctx, jobs[2].AssetID); err != nil || kept.Name != "vase" {
		t.Fatalf("keep the third: %q, %v", kept.Name, err)
	}
	if a := asset(1); a.Name != jobs[1].AssetName || !hasTag(a.Tags, tag) {
		t.Errorf("the first kept, after keeping another: %q tags %v", a.Name, a.Tags)
	}

	// A model the artist renamed keeps its name when it goes back to the group.
	if _, err := k.Library.Rename(jobs[2].AssetID, "vase final"); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Keep(ctx, jobs[0].AssetID); err != nil {
		t.Fatal(err)
	}
	if a := asset(2); a.Name != "vase final" || !hasTag(a.Tags, tag) {
		t.Errorf("renamed one back in the group: %q tags %v", a.Name, a.Tags)
	}

	// A model made alone is not a comparison's.
	single, err := k.Jobs.Submit(ctx, "a", request(writePNG(t, t.TempDir(), "cup.png")))
	if err != nil {
		t.Fatal(err)
	}
	single = wait(t, k, single.ID)
	if _, err := k.Keep(ctx, single.AssetID); !errors.Is(err, ErrNotCompared) {
		t.Errorf("keep a single model: %v", err)
	}
	if _, err := k.Keep(ctx, "../nope"); !errors.Is(err, ErrNoAsset) {
		t.Errorf("keep an unknown model: %v", err)
	}
}

// The stats of a comparison, from the local provider at two polycounts and a priced fake: drawn
// triangles follow the polycount, the local one is free, the priced one costs what the plan said,
// and every model lists the same lines in the same order.
func TestCompareStats(t *testing.T) {
	priced := providertest.NewFake("paid")
	reg := mustRegistry(t, local.New(), priced)
	k, err := Open(Options{Home: t.TempDir(), Providers: reg})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	ctx := context.Background()
	req := request(writePNG(t, t.TempDir(), "ball.png"))
	plans, err := k.PlanCompare(ctx, req, []Variant{{Provider: "local", Polycount: 500}, {Provider: "local", Polycount: 1500}, {Provider: "paid"}}, false)
	if err != nil {
		t.Fatal(err)
	}
	plans[2].Price = &providers.Price{Credits: 1.5}
	start := time.Now()
	jobs, err := k.Jobs.SubmitCompare(ctx, plans)
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(jobs))
	for i, j := range jobs {
		done := wait(t, k, j.ID)
		if done.State != Done {
			t.Fatalf("%s: %s %s", done.Name(), done.State, done.Error)
		}
		ids[i] = done.AssetID
	}
	took := time.Since(start)
	stats, err := k.CompareStats(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	if stats[0].Triangles != 500 || stats[1].Triangles != 1500 || stats[2].Triangles != 4 {
		t.Errorf("triangles %d, %d, %d; want 500, 1500, 4", stats[0].Triangles, stats[1].Triangles, stats[2].Triangles)
	}
	if !stats[0].Free || stats[2].Free || stats[2].Cost != 1.5 || stats[0].Provider != "Local (offline)" || stats[0].Asset.Name != "ball (Local 500)" {
		t.Errorf("cost: %+v / %+v", stats[0], stats[2])
	}
	if stats[0].Textures == 0 || stats[0].Largest[0] == 0 || stats[0].FileBytes <= 0 || stats[0].SizeCM[1] <= 0 {
		t.Errorf("local model's measures: %+v", stats[0])
	}
	for i, s := range stats {
		if s.Took <= 0 || s.Took > took || s.Group != jobs[0].Batch {
			t.Errorf("model %d took %v (the whole comparison %v), group %q", i, s.Took, took, s.Group)
		}
	}
	var labels [][]string
	for _, s := range stats {
		var l []string
		for _, line := range s.Lines() {
			l = append(l, line.Label)
		}
		labels = append(labels, l)
	}
	want := []string{"Provider", "Triangles", "Textures", "Size", "File", "Cost", "Time"}
	for i, l := range labels {
		if !slices.Equal(l, want) {
			t.Errorf("model %d's lines %v, want %v", i, l, want)
		}
	}
	lines := stats[2].Lines()
	if lines[1].Value != "4 (asked 1,000)" || lines[2].Value != "none" || lines[5].Value != "1.5 credits" {
		t.Errorf("priced model's lines %+v", lines)
	}
	if v := stats[0].Lines()[5].Value; v != "free" {
		t.Errorf("local cost %q", v)
	}

	// Any 2 to 4 library models compare; a model added from disk has no job: its time is unknown.
	if _, err := k.CompareStats(ctx, ids[:1]); err == nil {
		t.Error("one model compared")
	}
	if _, err := k.CompareStats(ctx, []string{ids[0], ids[0]}); err == nil {
		t.Error("a model compared with itself")
	}
	if _, err := k.CompareStats(ctx, []string{ids[0], "nope"}); !errors.Is(err, ErrNoAsset) {
		t.Errorf("an unknown model: %v", err)
	}
	copied := filepath.Join(t.TempDir(), "tetra.glb")
	if err := CopyFileAtomic(stats[2].Asset.ModelPath(), copied); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Library.Trash(ids[2]); err != nil { // else the copy is refused as already there
		t.Fatal(err)
	}
	added, err := k.Library.AddModels(ctx, []string{copied}, nil)
	if err != nil {
		t.Fatal(err)
	}
	other, err := k.CompareStats(ctx, []string{ids[0], added[0].ID})
	if err != nil || other[1].Took != 0 || other[1].Group != "" || other[1].Lines()[6].Value != "—" || other[1].Lines()[5].Value != "unknown" {
		t.Errorf("a model from disk: %+v, %v", other[1], err)
	}
}

// A comparison interrupted by quitting Kiln resumes at the next start: the unfinished model is
// collected again, never sent twice, and lands in the library with the group's tag.
func TestComparisonResumesWithoutResubmitting(t *testing.T) {
	home := t.TempDir()
	a, b := providertest.NewFake("a"), providertest.NewFake("b")
	b.Gate = make(chan struct{})
	k := openKiln(t, home, QueueOptions{}, a, b)
	var rec recorder
	k.Jobs.Subscribe(rec.add)
	jobs, err := k.SubmitCompare(context.Background(), request(writePNG(t, t.TempDir(), "pot.png")),
		[]Variant{{Provider: "a"}, {Provider: "b"}})
	if err != nil {
		t.Fatal(err)
	}
	b.Gate <- struct{}{}
	waitFor(t, "b's job to report progress", func() bool {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		return slices.ContainsFunc(rec.events, func(j Job) bool { return j.ID == jobs[1].ID && j.Progress > 0 })
	})
	if got := wait(t, k, jobs[0].ID); got.State != Done {
		t.Fatalf("a's job: %s", got.State)
	}
	if err := k.Close(); err != nil {
		t.Fatal(err)
	}

	b2 := providertest.NewFake("b")
	k2 := openKiln(t, home, QueueOptions{Resume: true}, a, b2)
	defer k2.Close()
	got := wait(t, k2, jobs[1].ID)
	if got.State != Done || !got.Compare || got.Batch != jobs[0].Batch {
		t.Fatalf("resumed: %s, compare %v, group %q (%s)", got.State, got.Compare, got.Batch, got.Error)
	}
	if a.Submits() != 1 || b.Submits() != 1 || b2.Submits() != 0 {
		t.Errorf("submits a %d, b %d then %d; want 1, 1, 0", a.Submits(), b.Submits(), b2.Submits())
	}
	asset, err := k2.Library.Get(got.AssetID)
	if err != nil || !slices.Equal(asset.Tags, []string{CompareTag(got.Batch)}) {
		t.Errorf("resumed model's tags %v (%v)", asset.Tags, err)
	}
}
