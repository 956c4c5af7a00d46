package cli

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/kiln3d/kiln/app"
	"github.com/kiln3d/kiln/providers"
)

// progress shows a job's progress on stderr: a redrawn bar on a terminal, a line per change
// otherwise (logs and pipes).
type progress struct {
	env      Env
	mu       sync.Mutex
	last     string
	drawn    bool
	lastDraw time.Time
}

func newProgress(env Env) *progress { return &progress{env: env} }

// watchJobs shows the progress of every job k's queue runs, from now until unsubscribe: a
// command subscribes before it submits, so that a job that starts (or ends) before the
// submission returns is shown too. A command's queue runs only the jobs the command submitted.
func watchJobs(k *app.Kiln, env Env) (bar *progress, unsubscribe func()) {
	bar = newProgress(env)
	return bar, k.Jobs.Subscribe(func(e app.Event) { bar.show(e.Job) })
}

func (p *progress) show(j app.Job) {
	p.mu.Lock()
	defer p.mu.Unlock()
	pct := ""
	if j.Progress >= 0 && !j.State.Finished() && j.State != app.Queued {
		pct = fmt.Sprintf("%3.0f%%", j.Progress*100)
	}
	whose := ""
	if j.Batch != "" {
		// A batch runs several jobs: each line says whose it is.
		whose = providers.Printable(j.Name()) + ": "
	}
	line := whose + strings.TrimSpace(fmt.Sprintf("%-11s %4s  %s", j.State, pct, providers.Printable(j.Message)))
	if !p.env.Terminal {
		if line != p.last && !j.State.Finished() {
			fmt.Fprintln(p.env.Stderr, line)
		}
		p.last = line
		return
	}
	// Redraw at most ten times a second, but always for a change of state.
	if time.Since(p.lastDraw) < 100*time.Millisecond && strings.HasPrefix(p.last, whose+string(j.State)) {
		return
	}
	p.last, p.lastDraw, p.drawn = line, time.Now(), true
	const width = 24
	filled := int(max(0, min(1, j.Progress)) * width)
	bar := strings.Repeat("=", filled) + strings.Repeat(" ", width-filled)
	elapsed := j.Elapsed(time.Now()).Round(time.Second)
	fmt.Fprintf(p.env.Stderr, "\r\033[K[%s] %s %s", bar, line, elapsed)
}

// say writes a line on stderr while jobs may be running: under the bar's lock, so that it never
// interleaves with (or races) a progress line the queue's events draw, and on a line of its own.
func (p *progress) say(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprintln(p.env.Stderr)
		p.drawn = false
	}
	fmt.Fprintf(p.env.Stderr, format+"\n", args...)
}

// end finishes the bar's line so later output starts on a fresh one.
func (p *progress) end() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprintln(p.env.Stderr)
		p.drawn = false
	}
}
