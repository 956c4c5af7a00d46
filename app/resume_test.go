package app

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/providertest"
)

// A job interrupted by quitting Kiln resumes at the next start by collecting again from the
// provider, without a second submission.
func TestJobResumesAfterRestartWithoutResubmitting(t *testing.T) {
	home := t.TempDir()
	first := providertest.NewFake("fake")
	first.Gate = make(chan struct{})
	k := openKiln(t, home, QueueOptions{}, first)
	var rec recorder
	k.Jobs.Subscribe(rec.add)
	j, err := k.Jobs.Submit(context.Background(), "fake", request(writePNG(t, t.TempDir(), "a.png")))
	if err != nil {
		t.Fatal(err)
	}
	first.Gate <- struct{}{}
	waitFor(t, "the job to report progress", func() bool {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		return len(rec.events) > 0 && rec.events[len(rec.events)-1].Progress > 0
	})
	if err := k.Close(); err != nil {
		t.Fatal(err)
	}
	if got, _ := openKilnStore(t, home).Get(context.Background(), j.ID); got.State != Running || got.Progress == 0 {
		t.Fatalf("after quitting, the job was saved as %s at %v", got.State, got.Progress)
	}

	second := providertest.NewFake("fake")
	k2 := openKiln(t, home, QueueOptions{Resume: true}, second)
	defer k2.Close()
	got := wait(t, k2, j.ID)
	if got.State != Done {
		t.Fatalf("resumed job ended %s: %s", got.State, got.Error)
	}
	if first.Submits() != 1 || second.Submits() != 0 || second.Collects() != 1 {
		t.Errorf("submits %d then %d, collects after restart %d: want 1, 0, 1",
			first.Submits(), second.Submits(), second.Collects())
	}
	if got.Remote.ID != "fake-1" {
		t.Errorf("remote after resume = %q", got.Remote.ID)
	}
}

// crashedJob writes a job as a killed process leaves it: unfinished, its lease run out.
func crashedJob(t *testing.T, home string, state State, remote string, leaseUntil time.Time) Job {
	t.Helper()
	l := layout{home: home}
	if err := l.create(); err != nil {
		t.Fatal(err)
	}
	store, err := OpenStore(l.database())
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	id := newID("crashed")
	os.MkdirAll(l.inputs(id), 0o755)
	img := writePNG(t, l.inputs(id), "a.png")
	now := time.Now()
	j := Job{ID: id, Provider: "fake", State: state, Progress: 0.4, Message: "step 1",
		Request: request(img), Sources: []string{"/somewhere/a.png"}, Remote: providers.Remote{ID: remote},
		Created: now, Updated: now, Started: now, Attempt: 1}
	if err := store.Insert(context.Background(), j, "dead-process", leaseUntil); err != nil {
		t.Fatal(err)
	}
	return j
}

func TestCrashedJobsResume(t *testing.T) {
	home := t.TempDir()
	expired := time.Now().Add(-time.Minute)
	running := crashedJob(t, home, Running, "remote-7", expired)
	downloading := crashedJob(t, home, Downloading, "remote-8", expired)
	queued := crashedJob(t, home, Queued, "", expired)
	// A job another live process holds must be left alone.
	held := crashedJob(t, home, Running, "remote-9", time.Now().Add(time.Hour))
	// The folder of a job that finished just before the crash is cleaned up.
	os.MkdirAll(filepath.Join(home, "jobs", "orphan"), 0o755)
	old := time.Now().Add(-2 * time.Hour)
	os.Chtimes(filepath.Join(home, "jobs", "orphan"), old, old)

	fake := providertest.NewFake("fake")
	k := openKiln(t, home, QueueOptions{Resume: true}, fake)
	defer k.Close()
	for _, j := range []Job{running, downloading, queued} {
		if got := wait(t, k, j.ID); got.State != Done {
			t.Errorf("%s (%s before the crash) ended %s: %s", j.ID, j.State, got.State, got.Error)
		}
	}
	if fake.Submits() != 1 {
		t.Errorf("submits = %d: only the queued job should be submitted", fake.Submits())
	}
	got, _ := k.Jobs.Job(context.Background(), held.ID)
	if got.State != Running {
		t.Errorf("a job leased by a live process was touched: %s", got.State)
	}
	if err := k.Jobs.Cancel(held.ID); err == nil {
		t.Error("cancelled a job another process holds")
	}
	if _, err := os.Stat(filepath.Join(home, "jobs", "orphan")); !os.IsNotExist(err) {
		t.Error("an orphaned job folder was left")
	}
}

func TestOneOffQueueLeavesOtherJobsAlone(t *testing.T) {
	home := t.TempDir()
	j := crashedJob(t, home, Running, "remote-1", time.Now().Add(-time.Minute))
	fake := providertest.NewFake("fake")
	k := openKiln(t, home, QueueOptions{Resume: false}, fake)
	time.Sleep(50 * time.Millisecond)
	got, _ := k.Jobs.Job(context.Background(), j.ID)
	k.Close()
	if got.State != Running || fake.Collects() != 0 {
		t.Errorf("a queue without Resume took over a job: %s, %d collects", got.State, fake.Collects())
	}
}

func TestStoreRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kiln.db")
	s, err := OpenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	s.db.Exec(`PRAGMA user_version = 99`)
	s.Close()
	if _, err := OpenStore(path); err == nil {
		t.Fatal("opened a database from a newer Kiln")
	}
}

func openKilnStore(t *testing.T, home string) *Store {
	t.Helper()
	s, err := OpenStore(layout{home: home}.database())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
