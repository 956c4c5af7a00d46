// Package fsguardtest helps tests feed Kiln files that must be refused rather than waited on:
// named pipes (FIFOs), and a bound on how long a refusal may take.
package fsguardtest

import (
	"testing"
	"time"
)

// Promptly runs f and returns its error, failing the test if f has not returned within d: a
// FIFO or device must be refused at once, never waited on.
func Promptly(t testing.TB, d time.Duration, f func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return err
	case <-time.After(d):
		t.Fatalf("still blocked after %v", d)
		return nil
	}
}
