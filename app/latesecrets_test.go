package app

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kiln3d/kiln/providers/providertest"
)

// A job resumed as the queue starts may ask for its credential before main binds it: the call
// waits for the binding instead of failing, and gives up only with its context.
func TestLateSecretsWaitForTheBinding(t *testing.T) {
	k := openKiln(t, t.TempDir(), QueueOptions{}, providertest.NewFake("fake"))
	defer k.Close()
	late := NewLateSecrets("fake")

	short, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := late.Fields(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("unbound, with a deadline: %v", err)
	}

	answered := make(chan error, 1)
	go func() {
		_, err := late.Fields(context.Background())
		answered <- err
	}()
	select {
	case err := <-answered:
		t.Fatalf("answered before the binding: %v", err)
	case <-time.After(50 * time.Millisecond):
	}
	late.Bind(k.Keys)
	select {
	case err := <-answered:
		if errors.Is(err, context.DeadlineExceeded) || (err != nil && err.Error() == "") {
			t.Errorf("after the binding: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("still waiting after the binding")
	}
}
