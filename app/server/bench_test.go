package server

import (
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/kiln3d/kiln/providers/jobsapi"
	"github.com/kiln3d/kiln/providers/providertest"
)

// sampleImage is a shipped sample: a real subject on transparency, as an artist sends.
var sampleImage = filepath.Join("..", "..", "assets", "samples", "vase.png")

// BenchmarkJobsPerMinute measures the server's throughput with the local generator at 8k
// triangles on this machine's cores: batches of 8 jobs submitted at once, each waited for.
func BenchmarkJobsPerMinute(b *testing.B) {
	e := newTestEnv(b, Options{Burst: 1 << 20, Rate: 1 << 20})
	key := e.key(ScopeJobsRead, ScopeJobsWrite)
	f := form{images: []string{sampleImage}, fields: [][2]string{{"polycount", "8000"}}}
	const batch = 8
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		ids := make([]string, batch)
		for i := range ids {
			ids[i] = e.submit(key, f).ID
		}
		for _, id := range ids {
			if j := e.wait(key, id); j.Status != jobsapi.StatusDone || j.Triangles != 8000 {
				b.Fatalf("job %s: %s, %d triangles, %v", id, j.Status, j.Triangles, j.Error)
			}
		}
	}
	b.ReportMetric(float64(b.N*batch)/time.Since(start).Minutes(), "jobs/min")
	b.ReportMetric(float64(runtime.NumCPU()), "cores")
}

// BenchmarkPollLatency measures GET /api/v1/jobs/{id} under 100 concurrent pollers, each
// polling its own job as fast as answers come; p50 and p99 over every request.
func BenchmarkPollLatency(b *testing.B) {
	e := newTestEnv(b, Options{Burst: 1 << 20, Rate: 1 << 20}, func(f *providertest.Fake) { f.Gate = make(chan struct{}) })
	defer close(e.fake.Gate)
	key := e.key(ScopeJobsRead, ScopeJobsWrite)
	img := e.image("a.png")
	const pollers = 100
	ids := make([]string, pollers)
	for i := range ids {
		ids[i] = e.submit(key, form{images: []string{img}, fields: [][2]string{{"provider", "fake"}}}).ID
	}
	// Each poller keeps its connection, as a client polling a job does.
	e.ts.Client().Transport.(*http.Transport).MaxIdleConnsPerHost = pollers
	var (
		mu    sync.Mutex
		times []time.Duration
	)
	b.ResetTimer()
	per := max(1, b.N/pollers)
	var wg sync.WaitGroup
	for i := range pollers {
		wg.Go(func() {
			local := make([]time.Duration, 0, per)
			for range per {
				t0 := time.Now()
				resp, _ := e.do("GET", "/api/v1/jobs/"+ids[i], key, nil, "")
				if resp.StatusCode != 200 {
					b.Errorf("poll: %s", resp.Status)
					return
				}
				local = append(local, time.Since(t0))
			}
			mu.Lock()
			times = append(times, local...)
			mu.Unlock()
		})
	}
	wg.Wait()
	b.StopTimer()
	slices.Sort(times)
	if len(times) > 0 {
		b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(times[len(times)*99/100].Microseconds())/1000, "p99-ms")
	}
}

// BenchmarkQueuedJobMemory measures the memory a queued job holds in the server process: 500
// jobs wait behind a closed gate, and the live heap is compared before and after.
func BenchmarkQueuedJobMemory(b *testing.B) {
	for b.Loop() {
		func() {
			e := newTestEnv(b, Options{Burst: 1 << 20, Rate: 1 << 20}, func(f *providertest.Fake) { f.Gate = make(chan struct{}) })
			defer close(e.fake.Gate)
			key := e.key(ScopeJobsRead, ScopeJobsWrite)
			img := e.image("a.png")
			f := form{images: []string{img}, fields: [][2]string{{"provider", "fake"}}}
			e.submit(key, f) // warm up: the first job's allocations are the server's, not the job's
			before := liveHeap()
			const jobs = 500
			for range jobs {
				e.submit(key, f)
			}
			after := liveHeap()
			b.ReportMetric(float64(after-before)/jobs, "B/queued-job")
			disk := dirSize(filepath.Join(e.home, "jobs"))
			b.ReportMetric(float64(disk)/(jobs+1), "disk-B/queued-job")
		}()
	}
}

func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

func dirSize(dir string) int64 {
	var n int64
	_ = filepath.Walk(dir, func(_ string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			n += info.Size()
		}
		return nil
	})
	return n
}
