package app

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/providertest"
)

var (
	errUnreachable = &providers.APIError{Provider: "fake", Op: "process", Kind: providers.ErrNetwork, Message: "connection reset by peer"}
	errUnavailable = &providers.APIError{Provider: "fake", Op: "process", Status: 503, Kind: providers.ErrServer, Message: "try later"}
)

// A server that fails after reading a billable request may have the work: Kiln looks for it in the
// provider's list, finds it and collects it, and never sends it twice.
func TestSubmitFailingAfterAcceptanceIsFoundNotResent(t *testing.T) {
	fake := providertest.NewFake("fake")
	fake.AcceptThenFail = errUnavailable
	k := openKiln(t, t.TempDir(), QueueOptions{}, fake)
	defer k.Close()
	var rec recorder
	k.Jobs.Subscribe(rec.add)
	j, err := k.Jobs.Submit(context.Background(), "fake", request(writePNG(t, t.TempDir(), "a.png")))
	if err != nil {
		t.Fatal(err)
	}
	got := wait(t, k, j.ID)
	if got.State != Done || got.Remote.ID != "fake-1" || fake.Submits() != 1 {
		t.Fatalf("job %s (remote %q, %d submits): %s", got.State, got.Remote.ID, fake.Submits(), got.Error)
	}
	want := []State{Queued, Submitting, Running, Downloading, Done}
	if s := rec.states(j.ID); !equalStates(s, want) {
		t.Errorf("states %v, want %v", s, want)
	}
}

// When the provider's list does not show the work either, the job waits for the artist: it is
// never sent again on its own. Submit again sends it; Mark as failed ends it.
func TestUnconfirmedJobWaitsForTheArtist(t *testing.T) {
	fake := providertest.NewFake("fake")
	fake.SubmitErr = errUnreachable
	k := openKiln(t, t.TempDir(), QueueOptions{}, fake)
	defer k.Close()
	ctx := context.Background()
	j, err := k.Jobs.Submit(ctx, "fake", request(writePNG(t, t.TempDir(), "a.png")))
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the job to be unconfirmed", func() bool {
		got, _ := k.Jobs.Job(ctx, j.ID)
		return got.State == Unconfirmed && strings.Contains(got.Message, "Submit again")
	})
	time.Sleep(50 * time.Millisecond)
	got, _ := k.Jobs.Job(ctx, j.ID)
	if got.State != Unconfirmed || fake.Submits() != 1 || got.ErrorKind != FailNetwork {
		t.Fatalf("after an unanswered submit: %s, %d submits, kind %q", got.State, fake.Submits(), got.ErrorKind)
	}
	if !strings.Contains(got.Message, "does not show this one") {
		t.Errorf("message %q does not say the list was checked", got.Message)
	}
	if _, err := k.Jobs.Retry(j.ID); !errors.Is(err, ErrNotUnsure) {
		t.Errorf("Retry on an unconfirmed job: %v", err)
	}

	fake.SubmitErr = nil
	again, err := k.Jobs.SubmitAgain(j.ID)
	if err != nil || again.Attempt != 2 {
		t.Fatalf("submit again: %v (attempt %d)", err, again.Attempt)
	}
	if done := wait(t, k, j.ID); done.State != Done || fake.Submits() != 2 {
		t.Fatalf("after submit again: %s, %d submits", done.State, fake.Submits())
	}

	fake.SubmitErr = errUnreachable
	j2, _ := k.Jobs.Submit(ctx, "fake", request(writePNG(t, t.TempDir(), "b.png"), writePNG(t, t.TempDir(), "c.png")))
	waitFor(t, "the second job to be unconfirmed", func() bool {
		got, _ := k.Jobs.Job(ctx, j2.ID)
		return got.State == Unconfirmed && strings.Contains(got.Message, "Submit again")
	})
	failed, err := k.Jobs.MarkFailed(j2.ID)
	if err != nil || failed.State != Failed || failed.ErrorKind != FailUnconfirmed {
		t.Fatalf("mark as failed: %v, %s %q", err, failed.State, failed.ErrorKind)
	}
}

// A crash while a billable submission was in flight leaves the job submitting without an id:
// the next Kiln to start never sends it again by itself.
func TestCrashInFlightIsNeverResubmitted(t *testing.T) {
	home := t.TempDir()
	fake := providertest.NewFake("fake")
	fake.ListErr = errUnreachable
	k := openKiln(t, home, QueueOptions{}, fake)
	img := writePNG(t, t.TempDir(), "a.png")
	now := time.Now()
	j := Job{ID: "20260101-000000-dead", Provider: "fake", Request: request(img), Sources: []string{img},
		State: Submitting, Created: now, Updated: now, Submitted: now, Attempt: 1}
	if err := k.store.Insert(context.Background(), j, "dead-process", now.Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	k.Close()

	k2 := openKiln(t, home, QueueOptions{Resume: true}, fake)
	defer k2.Close()
	waitFor(t, "the job to be unconfirmed", func() bool {
		got, _ := k2.Jobs.Job(context.Background(), j.ID)
		return got.State == Unconfirmed && strings.Contains(got.Message, "could not look")
	})
	time.Sleep(50 * time.Millisecond)
	if fake.Submits() != 0 {
		t.Fatalf("the job was submitted %d times after the crash, want 0", fake.Submits())
	}
}

// The offline generator charges nothing: a job it was submitting when Kiln died simply runs.
func TestOfflineSubmissionIsRepeatedAfterACrash(t *testing.T) {
	home := t.TempDir()
	fake := providertest.NewFake("offline")
	fake.Caps.Offline = true
	k := openKiln(t, home, QueueOptions{}, fake)
	img := writePNG(t, t.TempDir(), "a.png")
	now := time.Now()
	j := Job{ID: "20260101-000000-beef", Provider: "offline", Request: request(img), Sources: []string{img},
		State: Submitting, Created: now, Updated: now, Attempt: 1}
	if err := k.store.Insert(context.Background(), j, "dead-process", now.Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	k.Close()
	k2 := openKiln(t, home, QueueOptions{Resume: true}, fake)
	defer k2.Close()
	if got := wait(t, k2, j.ID); got.State != Done || fake.Submits() != 1 {
		t.Fatalf("offline job after a crash: %s, %d submits", got.State, fake.Submits())
	}
}

// After the provider accepted the work, a network failure does not end the job: Kiln keeps
// checking and collects it.
func TestCollectKeepsCheckingAfterTransientFailures(t *testing.T) {
	fake := providertest.NewFake("fake")
	fake.CollectErr, fake.CollectFailures = errUnreachable, 2
	k := openKiln(t, t.TempDir(), QueueOptions{CollectBackoff: time.Millisecond}, fake)
	defer k.Close()
	var rec recorder
	k.Jobs.Subscribe(rec.add)
	j, _ := k.Jobs.Submit(context.Background(), "fake", request(writePNG(t, t.TempDir(), "a.png")))
	if got := wait(t, k, j.ID); got.State != Done || fake.Collects() != 3 || fake.Submits() != 1 {
		t.Fatalf("job %s after %d collects, %d submits: %s", got.State, fake.Collects(), fake.Submits(), got.Error)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	for _, e := range rec.events {
		if strings.Contains(e.Message, "accepted this job (fake-1) and it may still finish; checking again") {
			return
		}
	}
	t.Error("no event said the job was accepted and is being checked again")
}

// When Kiln gives up, the failure says the provider accepted the work and may still finish it;
// its kind is kept; Retry collects the same work. Only work the provider could not do is
// submitted anew, and the job says so.
func TestFailureAfterAcceptanceAndRetry(t *testing.T) {
	fake := providertest.NewFake("fake")
	fake.CollectErr = errUnreachable
	k := openKiln(t, t.TempDir(), QueueOptions{CollectRetries: 1, CollectBackoff: time.Millisecond}, fake)
	defer k.Close()
	j, _ := k.Jobs.Submit(context.Background(), "fake", request(writePNG(t, t.TempDir(), "a.png")))
	got := wait(t, k, j.ID)
	if got.State != Failed || got.ErrorKind != FailNetwork || fake.Collects() != 2 ||
		!strings.Contains(got.Error, "Fake fake accepted this job (fake-1) and it may still finish") {
		t.Fatalf("job %s %q after %d collects: %s", got.State, got.ErrorKind, fake.Collects(), got.Error)
	}
	fake.CollectErr = nil
	if _, err := k.Jobs.Retry(j.ID); err != nil {
		t.Fatal(err)
	}
	if got := wait(t, k, j.ID); got.State != Done || fake.Submits() != 1 {
		t.Fatalf("retry: %s with %d submits, want done with 1", got.State, fake.Submits())
	}

	fake.CollectErr = &providers.APIError{Provider: "fake", Op: "fetch", Kind: providers.ErrGenerationFailed, Message: "no object found"}
	j2, _ := k.Jobs.Submit(context.Background(), "fake", request(writePNG(t, t.TempDir(), "b.png")))
	got = wait(t, k, j2.ID)
	if got.ErrorKind != FailProvider || !strings.Contains(got.Error, "could not finish it") {
		t.Fatalf("generation failure: %q %s", got.ErrorKind, got.Error)
	}
	fake.CollectErr = nil
	retried, err := k.Jobs.Retry(j2.ID)
	if err != nil || retried.Remote.ID != "" || !strings.Contains(retried.Message, "sending it again as a new job") {
		t.Fatalf("retry of refused work: %v %+v", err, retried)
	}
	if got := wait(t, k, j2.ID); got.State != Done || fake.Submits() != 3 {
		t.Fatalf("after a fresh submission: %s, %d submits", got.State, fake.Submits())
	}
}

// A provider's refusal is not "maybe sent": the job fails at once with the refusal's kind.
func TestRefusalsFailWithTheirKind(t *testing.T) {
	for _, c := range []struct {
		err  error
		kind FailureKind
	}{
		{&providers.APIError{Provider: "fake", Op: "process", Status: 401, Kind: providers.ErrUnauthorized}, FailRefusedKey},
		{&providers.APIError{Provider: "fake", Op: "process", Status: 402, Kind: providers.ErrOutOfCredits}, FailOutOfCredits},
		{&providers.APIError{Provider: "fake", Op: "process", Status: 403, Kind: providers.ErrForbidden}, FailMissingPermission},
		{&providers.APIError{Provider: "fake", Op: "process", Status: 429, Kind: providers.ErrRateLimited}, FailRateLimited},
		{&providers.InputError{Reason: "bad"}, FailInvalidInput},
		// No connection could be made: the request never left, so it is not "maybe sent".
		{providers.NotSent(errUnreachable), FailNetwork},
	} {
		fake := providertest.NewFake("fake")
		fake.SubmitErr = c.err
		k := openKiln(t, t.TempDir(), QueueOptions{}, fake)
		j, _ := k.Jobs.Submit(context.Background(), "fake", request(writePNG(t, t.TempDir(), "a.png")))
		got := wait(t, k, j.ID)
		if got.State != Failed || got.ErrorKind != c.kind || got.Error == "" {
			t.Errorf("%v: %s %q %q", c.err, got.State, got.ErrorKind, got.Error)
		}
		if c.kind.Explain("Fake") == "" {
			t.Errorf("%s has no explanation", c.kind)
		}
		k.Close()
	}
}

func TestInterruptedJobs(t *testing.T) {
	now := time.Now()
	for _, c := range []struct {
		j    Job
		want bool
	}{
		{Job{State: Running, LeaseUntil: now.Add(-time.Second)}, true},
		{Job{State: Running, LeaseUntil: now.Add(time.Second)}, false},
		{Job{State: Done}, false},
		{Job{State: Unconfirmed}, false},
		{Job{State: Queued}, true},
	} {
		if got := c.j.Interrupted(now); got != c.want {
			t.Errorf("%s lease %v: interrupted %v", c.j.State, c.j.LeaseUntil, got)
		}
	}
}

func equalStates(a, b []State) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
