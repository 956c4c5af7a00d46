// Package work splits the generator's loops over the machine's cores. Each worker gets its own
// contiguous range and writes only its own results, so the outcome never depends on scheduling:
// the same input gives the same bytes on any number of cores.
package work

import (
	"context"
	"runtime"
	"sync"
)

// minChunk keeps ranges from being split so finely that starting goroutines costs more than it
// saves.
const minChunk = 64

// Split runs fn over [0, n) cut into one contiguous range per core and returns the first error
// of the lowest range that failed. It honours ctx between ranges only; fn checks it inside.
func Split(ctx context.Context, n int, fn func(lo, hi int) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	workers := min(runtime.GOMAXPROCS(0), (n+minChunk-1)/minChunk)
	if workers <= 1 {
		if n == 0 {
			return nil
		}
		return fn(0, n)
	}
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		lo, hi := w*n/workers, (w+1)*n/workers
		wg.Go(func() { errs[w] = fn(lo, hi) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// Each runs fn(i) for every i in [0, n), the items spread over the cores in contiguous ranges:
// for a few big items (one per view) that Split would not bother to share out.
func Each(ctx context.Context, n int, fn func(i int) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	workers := min(runtime.GOMAXPROCS(0), n)
	errs := make([]error, max(workers, 1))
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Go(func() {
			for i := w * n / workers; i < (w+1)*n/workers && errs[w] == nil; i++ {
				errs[w] = fn(i)
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
