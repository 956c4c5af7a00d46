package cli

import (
	"context"
	"flag"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/kiln3d/kiln/app"
	"github.com/kiln3d/kiln/providers"
)

// resume finishes, without the window, the jobs that a crashed or closed Kiln left interrupted:
// each is collected from where it was, never submitted twice. Ctrl-C stops waiting; the jobs stay
// interrupted, to be resumed later.
func resume(ctx context.Context, args []string, env Env) int {
	fs := flag.NewFlagSet("resume", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print the resumed jobs as JSON")
	if rest, ok := parse(fs, args, env); !ok || len(rest) > 0 {
		return usageOr(env, ok, "kiln resume takes no arguments")
	}
	k, err := env.Open(app.QueueOptions{Workers: 2, Resume: true, Limits: map[string]int{"local": 1}})
	if err != nil {
		return fail(env, "%v", err)
	}
	defer k.Close()

	resumed := k.Jobs.Resumed()
	if len(resumed) == 0 {
		fmt.Fprintln(env.Stderr, "No interrupted jobs.")
		if *asJSON {
			return printJSON(env, []jobJSON{})
		}
		return exitOK
	}
	var (
		mu      sync.Mutex
		events  = map[string]int{}
		changed = make(chan struct{}, 1)
	)
	bar := newProgress(env)
	unsubscribe := k.Jobs.Subscribe(func(e app.Event) {
		mu.Lock()
		events[e.Job.ID]++
		mu.Unlock()
		if !settled(e.Job) {
			bar.show(e.Job)
		}
		select {
		case changed <- struct{}{}:
		default:
		}
	})
	defer unsubscribe()
	fmt.Fprintf(env.Stderr, "Resuming %d job(s)\n", len(resumed))
	results := map[string]app.Job{}
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for len(results) < len(resumed) {
		select {
		case <-ctx.Done():
			bar.end()
			fmt.Fprintln(env.Stderr, "kiln: stopped waiting; the jobs resume next time (kiln resume, or the window)")
			return exitCancelled
		case <-changed:
		case <-tick.C:
		}
		for _, r := range resumed {
			j, err := k.Jobs.Job(ctx, r.ID)
			if err != nil {
				continue
			}
			mu.Lock()
			n := events[r.ID]
			mu.Unlock()
			// A job that was unconfirmed already is looked for again: wait for that look (an
			// event saying it is checking, then its outcome).
			if j.State.Finished() || (j.State == app.Unconfirmed && (r.State != app.Unconfirmed || n >= 2)) {
				results[r.ID] = j
			}
		}
	}
	bar.end()
	status := exitOK
	var out []jobJSON
	for _, r := range resumed {
		j := results[r.ID]
		if s := report(env, k, j); s != exitOK {
			status = s
		}
		out = append(out, jobJSON{ID: j.ID, Name: j.Name(), Provider: j.Provider, Publish: j.Publish, State: string(j.State),
			Message: j.Message, Error: j.Error, Kind: string(j.ErrorKind), RemoteID: j.Remote.ID,
			Files: nonNil(j.Files), AssetID: j.AssetID, Created: j.Created})
	}
	if *asJSON {
		slices.SortFunc(out, func(a, b jobJSON) int { return a.Created.Compare(b.Created) })
		printJSON(env, out)
	}
	return status
}

// settled reports whether a job needs nothing more from this run: finished, or unconfirmed and
// waiting for the artist.
func settled(j app.Job) bool { return j.State.Finished() || j.State == app.Unconfirmed }

// report prints how a job ended, on stderr for failures, and returns the exit status it calls for.
func report(env Env, k *app.Kiln, j app.Job) int {
	name := providers.Printable(j.Name())
	switch j.State {
	case app.Done:
		fmt.Fprintf(env.Stderr, "%s %s: done, %d triangles\n", j.ID, name, j.Triangles)
		if len(j.Files) > 0 {
			fmt.Fprintln(env.Stdout, providers.Printable(j.Files[0]))
		}
		return exitOK
	case app.Cancelled:
		fmt.Fprintf(env.Stderr, "%s %s: cancelled\n", j.ID, name)
		return exitCancelled
	case app.Unconfirmed:
		fmt.Fprintf(env.Stderr, "%s %s: unconfirmed: %s\n  kiln jobs submit-again %s | kiln jobs mark-failed %s\n",
			j.ID, name, providers.Printable(j.Message), j.ID, j.ID)
		return exitFailed
	}
	fmt.Fprintf(env.Stderr, "%s %s: failed (%s): %s\n", j.ID, name, j.ErrorKind, j.Explain(providerTitle(k, j.Provider)))
	return exitFailed
}
