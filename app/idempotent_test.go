package app

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/providertest"
)

// keyedFake is a service that honours idempotency keys: a submission under a key it has seen
// answers with the first job. The answers to the first lose submissions are lost in flight, after
// the service made the job.
type keyedFake struct {
	*providertest.Fake
	lose int

	mu   sync.Mutex
	keys []string
	made map[string]providers.Remote
}

func (f *keyedFake) Capabilities() providers.Capabilities {
	c := f.Fake.Capabilities()
	c.Idempotent = true
	return c
}

func (f *keyedFake) Submit(ctx context.Context, req providers.Request) (providers.Remote, error) {
	f.mu.Lock()
	f.keys = append(f.keys, req.IdempotencyKey)
	r, seen := f.made[req.IdempotencyKey]
	lost := len(f.keys) <= f.lose
	f.mu.Unlock()
	if !seen {
		var err error
		if r, err = f.Fake.Submit(ctx, req); err != nil {
			return r, err
		}
		f.mu.Lock()
		f.made[req.IdempotencyKey] = r
		f.mu.Unlock()
	}
	if lost {
		return providers.Remote{}, errUnreachable
	}
	return r, nil
}

func (f *keyedFake) sent() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.keys)
}

// A submission whose answer was lost is sent again under the same key, and the service makes one
// job: the job is never left unconfirmed.
func TestIdempotentSubmissionSentAgain(t *testing.T) {
	fake := &keyedFake{Fake: providertest.NewFake("fake"), lose: 2, made: map[string]providers.Remote{}}
	reg, err := providers.NewRegistry(fake)
	if err != nil {
		t.Fatal(err)
	}
	k, err := Open(Options{Home: t.TempDir(), Providers: reg, Queue: QueueOptions{CollectBackoff: time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	var rec recorder
	k.Jobs.Subscribe(rec.add)
	j, err := k.Jobs.Submit(context.Background(), "fake", request(writePNG(t, t.TempDir(), "a.png")))
	if err != nil {
		t.Fatal(err)
	}
	got := wait(t, k, j.ID)
	keys := fake.sent()
	if got.State != Done || fake.Submits() != 1 || len(keys) != 3 || keys[0] == "" || keys[1] != keys[0] || keys[2] != keys[0] {
		t.Fatalf("job %s (%s); the service made %d jobs from submissions under %q", got.State, got.Error, fake.Submits(), keys)
	}
	if got.Request.IdempotencyKey != keys[0] {
		t.Errorf("the job keeps key %q, sent %q", got.Request.IdempotencyKey, keys[0])
	}
	if slices.Contains(rec.states(j.ID), Unconfirmed) {
		t.Errorf("an idempotent submission was left unconfirmed: %v", rec.states(j.ID))
	}
}

// When every try is lost, the job fails; Retry sends it under the same key (the service may have
// it), while a job the service took and could not do is sent under a new one.
func TestIdempotencyKeyAcrossRetries(t *testing.T) {
	fake := &keyedFake{Fake: providertest.NewFake("fake"), lose: 100, made: map[string]providers.Remote{}}
	reg, err := providers.NewRegistry(fake)
	if err != nil {
		t.Fatal(err)
	}
	k, err := Open(Options{Home: t.TempDir(), Providers: reg, Queue: QueueOptions{CollectRetries: 1, CollectBackoff: time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	j, _ := k.Jobs.Submit(context.Background(), "fake", request(writePNG(t, t.TempDir(), "a.png")))
	failed := wait(t, k, j.ID)
	if failed.State != Failed || failed.ErrorKind != FailNetwork || len(fake.sent()) != 2 {
		t.Fatalf("job %s %s after %d sendings", failed.State, failed.ErrorKind, len(fake.sent()))
	}
	fake.mu.Lock()
	fake.lose = 0
	fake.mu.Unlock()
	if _, err := k.Jobs.Retry(j.ID); err != nil {
		t.Fatal(err)
	}
	done := wait(t, k, j.ID)
	keys := fake.sent()
	if done.State != Done || keys[len(keys)-1] != keys[0] || fake.Submits() != 1 {
		t.Fatalf("after Retry: %s, keys %q, %d jobs made", done.State, keys, fake.Submits())
	}
}
