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

func TestJobRunsToDoneAndLandsInLibrary(t *testing.T) {
	home, src := t.TempDir(), t.TempDir()
	fake := providertest.NewFake("fake")
	k := openKiln(t, home, QueueOptions{}, fake)
	defer k.Close()
	var rec recorder
	defer k.Jobs.Subscribe(rec.add)()

	img := writePNG(t, src, "pot.png")
	j, err := k.Jobs.Submit(context.Background(), "fake", request(img))
	if err != nil {
		t.Fatal(err)
	}
	if j.State != Queued || j.Attempt != 1 || j.Sources[0] != img {
		t.Fatalf("submitted job: %+v", j)
	}
	done := wait(t, k, j.ID)
	if done.State != Done || done.Error != "" {
		t.Fatalf("job ended %s (%q)", done.State, done.Error)
	}
	want := []State{Queued, Submitting, Running, Downloading, Done}
	if got := rec.states(j.ID); !slices.Equal(got, want) {
		t.Errorf("states seen = %v, want %v", got, want)
	}
	if done.Triangles != 4 || done.Remote.ID != "fake-1" || done.Progress != 1 {
		t.Errorf("done job: triangles %d remote %q progress %v", done.Triangles, done.Remote.ID, done.Progress)
	}
	if done.Started.IsZero() || done.Finished.Before(done.Started) {
		t.Errorf("timestamps: started %v finished %v", done.Started, done.Finished)
	}

	a, err := k.Library.Get(done.AssetID)
	if err != nil {
		t.Fatal(err)
	}
	if a.Provider != "fake" || a.JobID != j.ID || a.Triangles != 4 || a.Parameters.Polycount != 1000 {
		t.Errorf("asset provenance: %+v", a)
	}
	if a.ModelPath() != done.Files[0] || filepath.Base(a.ModelPath()) != "pot.glb" {
		t.Errorf("model path %q, job files %v", a.ModelPath(), done.Files)
	}
	sum, n, err := hashFile(a.ModelPath())
	if err != nil || sum != a.Files[0].SHA256 || n != a.Files[0].Bytes {
		t.Errorf("model hash %s/%d, sidecar says %s/%d (%v)", sum, n, a.Files[0].SHA256, a.Files[0].Bytes, err)
	}
	if len(a.Inputs) != 1 || a.Inputs[0].Source != img {
		t.Fatalf("inputs: %+v", a.Inputs)
	}
	orig, _, _ := hashFile(img)
	if a.Inputs[0].SHA256 != orig {
		t.Errorf("stored input differs from the original")
	}
	if _, err := os.Stat(done.Request.Images[0].Path); err != nil {
		t.Errorf("job's image path after done: %v", err)
	}
	if _, err := os.Stat(filepath.Join(home, "jobs", j.ID)); !os.IsNotExist(err) {
		t.Errorf("job folder left behind: %v", err)
	}
	// The database agrees with the last event.
	stored, err := k.Jobs.Job(context.Background(), j.ID)
	if err != nil || stored.State != Done || stored.AssetID != a.ID {
		t.Errorf("stored job: %+v, %v", stored, err)
	}
}

func TestJobIsSavedBeforeAnyoneHearsOfIt(t *testing.T) {
	fake := providertest.NewFake("fake")
	fake.Gate = make(chan struct{})
	k := openKiln(t, t.TempDir(), QueueOptions{}, fake)
	defer k.Close()
	defer close(fake.Gate)
	seen := make(chan error, 1)
	first := true
	unsub := k.Jobs.Subscribe(func(e Event) {
		if first {
			first = false
			_, err := k.Jobs.Job(context.Background(), e.Job.ID)
			seen <- err
		}
	})
	defer unsub()
	if _, err := k.Jobs.Submit(context.Background(), "fake", request(writePNG(t, t.TempDir(), "a.png"))); err != nil {
		t.Fatal(err)
	}
	if err := <-seen; err != nil {
		t.Fatalf("the first event's job was not in the store: %v", err)
	}
}

func TestBadInputIsRefusedBeforeAnythingIsSaved(t *testing.T) {
	home, src := t.TempDir(), t.TempDir()
	fake := providertest.NewFake("fake")
	k := openKiln(t, home, QueueOptions{}, fake)
	defer k.Close()
	notImage := filepath.Join(src, "notes.png")
	os.WriteFile(notImage, []byte("shopping list\n"), 0o644)

	cases := []struct {
		req  providers.Request
		want string
	}{
		{request(notImage), "notes.png: not a PNG, JPEG or WebP image"},
		{request(), "add a reference image"},
		{providers.Request{Polycount: 1, Images: request(writePNG(t, src, "ok.png")).Images}, "polycount 1 is outside"},
		{request(filepath.Join(src, "missing.png")), "missing.png: the file does not exist"},
	}
	for _, c := range cases {
		_, err := k.Jobs.Submit(context.Background(), "fake", c.req)
		if !errors.Is(err, providers.ErrInvalidInput) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error = %v, want one containing %q", err, c.want)
		}
	}
	if _, err := k.Jobs.Submit(context.Background(), "nope", request(writePNG(t, src, "b.png"))); err == nil ||
		!strings.Contains(err.Error(), `unknown provider "nope"`) {
		t.Errorf("unknown provider: %v", err)
	}
	jobs, _ := k.Jobs.Jobs(context.Background())
	entries, _ := os.ReadDir(filepath.Join(home, "jobs"))
	if len(jobs) != 0 || len(entries) != 0 || fake.Submits() != 0 {
		t.Errorf("refused requests left %d jobs, %d folders, %d submits", len(jobs), len(entries), fake.Submits())
	}
}

func TestCancelRunningJobThenRetry(t *testing.T) {
	fake := providertest.NewFake("fake")
	fake.Gate = make(chan struct{})
	k := openKiln(t, t.TempDir(), QueueOptions{}, fake)
	defer k.Close()
	j, err := k.Jobs.Submit(context.Background(), "fake", request(writePNG(t, t.TempDir(), "a.png")))
	if err != nil {
		t.Fatal(err)
	}
	fake.Gate <- struct{}{} // one step: the job is now running
	waitFor(t, "the job to run", func() bool {
		got, _ := k.Jobs.Job(context.Background(), j.ID)
		return got.State == Running
	})
	if err := k.Jobs.Cancel(j.ID); err != nil {
		t.Fatal(err)
	}
	got := wait(t, k, j.ID)
	if got.State != Cancelled || got.Error != "" {
		t.Fatalf("after cancel: %s %q", got.State, got.Error)
	}
	if list, _ := k.Library.List(); len(list) != 0 {
		t.Fatalf("a cancelled job reached the library")
	}

	close(fake.Gate)
	retried, err := k.Jobs.Retry(j.ID)
	if err != nil {
		t.Fatal(err)
	}
	// The provider accepted the work before the cancel: Retry collects it, never sends it again.
	if retried.State != Queued || retried.Attempt != 1 || retried.Remote.ID != "fake-1" ||
		!strings.Contains(retried.Message, "not sent again") {
		t.Fatalf("retried job: %+v", retried)
	}
	if got := wait(t, k, j.ID); got.State != Done {
		t.Fatalf("retry ended %s: %s", got.State, got.Error)
	}
	if fake.Submits() != 1 {
		t.Errorf("submits = %d, want 1: a retry of accepted work collects it", fake.Submits())
	}
	if _, err := k.Jobs.Retry(j.ID); !errors.Is(err, ErrNotRetry) {
		t.Errorf("retrying a done job: %v", err)
	}
}

func TestCancelQueuedJobNeverStarts(t *testing.T) {
	fake := providertest.NewFake("fake")
	fake.Gate = make(chan struct{})
	k := openKiln(t, t.TempDir(), QueueOptions{Workers: 1}, fake)
	defer k.Close()
	src := t.TempDir()
	first, _ := k.Jobs.Submit(context.Background(), "fake", request(writePNG(t, src, "a.png")))
	second, err := k.Jobs.Submit(context.Background(), "fake", request(writePNG(t, src, "b.png")))
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the first job to be submitted", func() bool { return fake.Submits() == 1 })
	if err := k.Jobs.Cancel(second.ID); err != nil {
		t.Fatal(err)
	}
	if got := wait(t, k, second.ID); got.State != Cancelled {
		t.Fatalf("queued job after cancel: %s", got.State)
	}
	close(fake.Gate)
	if got := wait(t, k, first.ID); got.State != Done {
		t.Fatalf("first job: %s %s", got.State, got.Error)
	}
	if fake.Submits() != 1 {
		t.Errorf("the cancelled job was submitted (submits = %d)", fake.Submits())
	}
}

func TestFailuresAreExplainedAndLibraryIsUntouched(t *testing.T) {
	home, src := t.TempDir(), t.TempDir()
	good := providertest.NewFake("good")
	broken := providertest.NewFake("broken")
	broken.CollectErr = errors.New("broken: the server said: asset creation failed")
	garbage := providertest.NewFake("garbage")
	garbage.Garbage = true
	k := openKiln(t, home, QueueOptions{}, good, broken, garbage)
	defer k.Close()

	ok, _ := k.Jobs.Submit(context.Background(), "good", request(writePNG(t, src, "keep.png")))
	kept := wait(t, k, ok.ID)
	before, _, _ := hashFile(kept.Files[0])

	for name, want := range map[string]string{
		"broken":  "broken: the server said: asset creation failed",
		"garbage": "the garbage provider returned a model Kiln cannot read",
	} {
		j, err := k.Jobs.Submit(context.Background(), name, request(writePNG(t, src, name+".png")))
		if err != nil {
			t.Fatal(err)
		}
		got := wait(t, k, j.ID)
		if got.State != Failed || !strings.Contains(got.Error, want) {
			t.Errorf("%s: state %s error %q, want failed with %q", name, got.State, got.Error, want)
		}
		if _, err := os.Stat(got.Request.Images[0].Path); err != nil {
			t.Errorf("%s: the failed job lost its input (needed to retry): %v", name, err)
		}
	}
	list, err := k.Library.List()
	if err != nil || len(list) != 1 || list[0].ID != ok.ID {
		t.Fatalf("library after failures: %d assets, %v", len(list), err)
	}
	after, _, _ := hashFile(kept.Files[0])
	if before != after {
		t.Error("an existing model changed")
	}
	entries, _ := os.ReadDir(k.Library.Dir())
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("library holds leftover %s", e.Name())
		}
	}
}

// panicky is a provider with a bug.
type panicky struct{ *providertest.Fake }

func (panicky) Collect(context.Context, providers.Request, providers.Remote, string, func(providers.Progress)) ([]providers.File, error) {
	var m map[string]int
	m["boom"]++ //nolint:staticcheck // SA5000: the nil map write is the provider bug under test
	return nil, nil
}

func TestProviderPanicFailsOnlyThatJob(t *testing.T) {
	reg, _ := providers.NewRegistry(panicky{providertest.NewFake("buggy")})
	k, err := Open(Options{Home: t.TempDir(), Providers: reg})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	j, err := k.Jobs.Submit(context.Background(), "buggy", request(writePNG(t, t.TempDir(), "a.png")))
	if err != nil {
		t.Fatal(err)
	}
	got := wait(t, k, j.ID)
	if got.State != Failed || !strings.Contains(got.Error, "internal error in the buggy provider") {
		t.Fatalf("state %s error %q", got.State, got.Error)
	}
}

func TestConcurrentJobsAllFinish(t *testing.T) {
	fake := providertest.NewFake("fake")
	k := openKiln(t, t.TempDir(), QueueOptions{Workers: 3}, fake)
	defer k.Close()
	src := t.TempDir()
	var ids []string
	for i := range 12 {
		j, err := k.Jobs.Submit(context.Background(), "fake", request(writePNG(t, src, string(rune('a'+i))+".png")))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, j.ID)
	}
	for _, id := range ids {
		if got := wait(t, k, id); got.State != Done {
			t.Errorf("%s: %s %s", id, got.State, got.Error)
		}
	}
	if list, _ := k.Library.List(); len(list) != 12 {
		t.Errorf("library holds %d assets, want 12", len(list))
	}
}

func TestProviderLimitHoldsJobsBack(t *testing.T) {
	slow := providertest.NewFake("slow")
	slow.Gate = make(chan struct{})
	quick := providertest.NewFake("quick")
	k := openKiln(t, t.TempDir(), QueueOptions{Workers: 3, Limits: map[string]int{"slow": 1}}, slow, quick)
	defer k.Close()
	src := t.TempDir()
	var slowIDs []string
	for i := range 3 {
		j, err := k.Jobs.Submit(context.Background(), "slow", request(writePNG(t, src, fmt.Sprintf("s%d.png", i))))
		if err != nil {
			t.Fatal(err)
		}
		slowIDs = append(slowIDs, j.ID)
	}
	// While one slow job runs, the others wait for its slot, and other providers are not held up.
	waitFor(t, "the first slow job", func() bool { return slow.Submits() == 1 })
	q, _ := k.Jobs.Submit(context.Background(), "quick", request(writePNG(t, src, "q.png")))
	if got := wait(t, k, q.ID); got.State != Done {
		t.Fatalf("quick job: %s", got.State)
	}
	if slow.Submits() != 1 {
		t.Fatalf("%d slow jobs started at once, limit 1", slow.Submits())
	}
	close(slow.Gate)
	for _, id := range slowIDs {
		if got := wait(t, k, id); got.State != Done {
			t.Errorf("%s: %s", id, got.State)
		}
	}
}
