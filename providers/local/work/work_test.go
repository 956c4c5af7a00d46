package work

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
)

func TestSplitCoversEveryIndexOnce(t *testing.T) {
	for _, n := range []int{0, 1, 63, 64, 1000, 100003} {
		seen := make([]int32, n)
		err := Split(context.Background(), n, func(lo, hi int) error {
			for i := lo; i < hi; i++ {
				atomic.AddInt32(&seen[i], 1)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for i, s := range seen {
			if s != 1 {
				t.Fatalf("n=%d: index %d visited %d times", n, i, s)
			}
		}
	}
}

func TestEachReportsTheFirstError(t *testing.T) {
	boom := errors.New("boom")
	err := Each(context.Background(), 5, func(i int) error {
		if i >= 1 {
			return boom
		}
		return nil
	})
	if !errors.Is(err, boom) {
		t.Errorf("Each: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Each(ctx, 3, func(int) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("Each on a cancelled context: %v", err)
	}
	if err := Split(ctx, 3, func(int, int) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("Split on a cancelled context: %v", err)
	}
}
