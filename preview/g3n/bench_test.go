package g3n

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kiln3d/kiln/preview"
	"github.com/kiln3d/kiln/providers/modeltest"
)

// BenchmarkFirstFrame times a model file to its first finished 512×512 frame, per corpus
// model and the 1.1M-triangle bunny (modeltest.SubdividedBunny), and Debian's f3d doing the same in the same run (f3d --output out.png --resolution
// 512,512 MODEL, under an X server: $DISPLAY, else an Xvfb the benchmark starts).
//
// What each figure includes:
//   - ns/op: RenderFile in this process: a new surfaceless EGL context, shader compile,
//     inspect, parse, texture decode, upload, one frame with 4× multisampling, read back,
//     PNG written atomically, everything released. No process start.
//   - proc-ms: the same as a whole process (this test binary re-run as a one-shot command),
//     so process start-up is in it as it is in f3d's figure. The fair comparison.
//   - f3d-ms: f3d's whole process: start (VTK's libraries), X connection and window,
//     context, load, first frame, PNG. f3d draws without anti-aliasing.
//
// Both sides use Mesa's on-disk shader cache, warm after their first run. Figures are
// medians of 3 process runs.
func BenchmarkFirstFrame(b *testing.B) {
	models := slices.DeleteFunc(corpusModels(b, "models"), func(p string) bool { return strings.Contains(p, "DRACO") })
	const bunny = "bunny-1m.glb" // made when its benchmark runs
	models = append(models, bunny)
	display := xDisplay(b)
	for _, model := range models {
		name := strings.TrimSuffix(filepath.Base(model), filepath.Ext(model))
		b.Run(name, func(b *testing.B) {
			if model == bunny {
				model, _ = modeltest.SubdividedBunny(b, b.TempDir())
			}
			out := filepath.Join(b.TempDir(), "out.png")
			for b.Loop() {
				if err := RenderFile(context.Background(), model, out, RenderOptions{Size: 512}); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			proc := median(3, func() time.Duration { return runSelf(b, model, out) })
			b.ReportMetric(ms(proc), "proc-ms")
			if display == "" {
				return
			}
			f3d := median(3, func() time.Duration { return runF3D(b, display, model, out) })
			b.ReportMetric(ms(f3d), "f3d-ms")
			b.ReportMetric(float64(proc)/float64(f3d), "proc/f3d")
		})
	}
}

// BenchmarkThumbnails times one 256 px thumbnail per corpus model with one long-lived
// renderer, as the thumbnail cache will make them: parse, upload, frame, PNG; no context or
// shader start-up.
func BenchmarkThumbnails(b *testing.B) {
	models := slices.DeleteFunc(corpusModels(b, "models"), func(p string) bool { return strings.Contains(p, "DRACO") })
	r := newRenderer(b, 4)
	out := filepath.Join(b.TempDir(), "thumb.png")
	for _, model := range models {
		name := strings.TrimSuffix(filepath.Base(model), filepath.Ext(model))
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if err := r.RenderFile(context.Background(), model, out, RenderOptions{Size: 256}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkOrbit1M times frames of a 1.1M-triangle scan (the corpus bunny, subdivided) at
// the window's 1100×720 as the renderer draws them while orbiting: still (4× multisampling,
// what follows a release), aliased (the whole model at full size without multisampling),
// moving-noproxy (View.Moving without a proxy: the whole model, aliased, at half size) and
// moving (View.Moving: the proxy, aliased, at half size). proxy-ms is how long the proxy took
// to be ready after the first frame. peak-memory is a separate process that loads
// the model and draws 30 frames around it at 512 px (TestMain's orbit child): its peak resident
// memory (the benchmark's own process also holds the generator's garbage). The viewport's
// BenchmarkOrbit measures the window's case, proxy and multisampling included.
func BenchmarkOrbit1M(b *testing.B) {
	model, _ := modeltest.SubdividedBunny(b, b.TempDir())
	const w, h = 1100, 720
	for _, c := range []struct {
		name            string
		samples         int
		moving, noProxy bool
	}{{"still", 4, false, false}, {"aliased", 0, false, false}, {"moving-noproxy", 4, true, true}, {"moving", 4, true, false}} {
		b.Run(c.name, func(b *testing.B) {
			if c.noProxy {
				above := proxyAbove
				proxyAbove = math.MaxInt
				b.Cleanup(func() { proxyAbove = above })
			}
			r := newRenderer(b, c.samples)
			load(b, r, model)
			v := preview.DefaultView()
			if _, err := r.Render(context.Background(), w, h, v); err != nil {
				b.Fatal(err)
			}
			var proxy time.Duration
			if c.moving && !c.noProxy {
				proxy = waitProxy(b, r)
			}
			v.Moving = c.moving
			// The first moving frame uploads the proxy: not what orbiting costs.
			if _, err := r.Render(context.Background(), w, h, v.Orbit(0.01, 0)); err != nil {
				b.Fatal(err)
			}
			i := 0
			for b.Loop() {
				i++
				if _, err := r.Render(context.Background(), w, h, v.Orbit(0.02*float64(i), 0.01)); err != nil {
					b.Fatal(err)
				}
			}
			if proxy > 0 {
				b.ReportMetric(ms(proxy), "proxy-ms")
			}
		})
	}
	// ns/op here is the whole child: start, load, 30 frames.
	b.Run("peak-memory", func(b *testing.B) {
		var kib int
		for b.Loop() {
			cmd := exec.Command(os.Args[0], model, "30")
			cmd.Env = append(os.Environ(), "KILN_G3N_CHILD=orbit")
			outb, err := cmd.Output()
			if err != nil {
				b.Fatalf("orbit child: %v", err)
			}
			kib, _ = strconv.Atoi(strings.TrimSpace(string(outb)))
		}
		b.ReportMetric(float64(kib)/1024, "peak-RSS-MB")
	})
}

// waitProxy waits for the renderer's proxy of its model and returns how long it took.
func waitProxy(t testing.TB, r *Renderer) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		var ready, building bool
		if err := r.do(context.Background(), func(e *engine) error {
			e.useProxy(false)
			ready, building = e.proxy.model != nil, e.proxy.build != nil
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if ready {
			return time.Since(start)
		}
		if !building {
			t.Fatal("the renderer makes no proxy of the model")
		}
		if time.Since(start) > time.Minute {
			t.Fatal("no proxy after a minute")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func median(n int, f func() time.Duration) time.Duration {
	ds := make([]time.Duration, n)
	for i := range ds {
		ds[i] = f()
	}
	slices.Sort(ds)
	return ds[n/2]
}

// runSelf times this test binary rendering model as a one-shot command.
func runSelf(b *testing.B, model, out string) time.Duration {
	cmd := exec.Command(os.Args[0], model, out)
	cmd.Env = append(os.Environ(), "KILN_G3N_CHILD=render")
	start := time.Now()
	if msg, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("render child: %v: %s", err, msg)
	}
	return time.Since(start)
}

// runF3D times f3d rendering model.
func runF3D(b *testing.B, display, model, out string) time.Duration {
	cmd := exec.Command("f3d", "--output", out, "--resolution", "512,512", model)
	cmd.Env = append(os.Environ(), "DISPLAY="+display)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		b.Fatalf("f3d: %v: %s", err, stderr.String())
	}
	return time.Since(start)
}

// xDisplay finds an X server for f3d (which crashes without one): $DISPLAY, or an Xvfb
// started for the benchmark and stopped after it. Without f3d or any X server it returns ""
// and the comparison is left out.
func xDisplay(b *testing.B) string {
	if _, err := exec.LookPath("f3d"); err != nil {
		b.Log("no f3d: the comparison with it is left out")
		return ""
	}
	if d := os.Getenv("DISPLAY"); d != "" {
		return d
	}
	xvfb, err := exec.LookPath("Xvfb")
	if err != nil {
		b.Log("no X server and no Xvfb: the comparison with f3d is left out")
		return ""
	}
	for n := 90; n < 120; n++ {
		sock := fmt.Sprintf("/tmp/.X11-unix/X%d", n)
		if _, err := os.Stat(sock); err == nil {
			continue
		}
		cmd := exec.Command(xvfb, fmt.Sprintf(":%d", n), "-screen", "0", "1280x1024x24", "-nolisten", "tcp")
		if err := cmd.Start(); err != nil {
			b.Logf("Xvfb: %v: the comparison with f3d is left out", err)
			return ""
		}
		b.Cleanup(func() {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		})
		for range 100 {
			if _, err := os.Stat(sock); err == nil {
				return fmt.Sprintf(":%d", n)
			}
			time.Sleep(20 * time.Millisecond)
		}
		b.Log("Xvfb did not start: the comparison with f3d is left out")
		return ""
	}
	return ""
}
