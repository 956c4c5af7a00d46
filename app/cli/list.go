package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/kiln3d/kiln/app"
	"github.com/kiln3d/kiln/providers"
)

// jobJSON is a job as `kiln jobs --json` prints it.
type jobJSON struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Provider string `json:"provider"`
	// Credential names the provider credential the job runs with; Origin is the asset a
	// texturing job paints; Cost is the job's price in the provider's credits, when it has one.
	Credential string  `json:"credential,omitempty"`
	Origin     string  `json:"origin,omitempty"`
	Cost       float64 `json:"cost,omitempty"`
	Prompt     string  `json:"prompt,omitempty"`
	State      string  `json:"state"`
	Progress   float64 `json:"progress"`
	Message    string  `json:"message,omitempty"`
	Error      string  `json:"error,omitempty"`
	// Kind is the failure's stable code (app.FailureKind); Explanation says it in plain words.
	Kind        string `json:"kind,omitempty"`
	Explanation string `json:"explanation,omitempty"`
	// Interrupted says the job is unfinished and no live Kiln works on it: kiln resume finishes it.
	Interrupted bool     `json:"interrupted,omitempty"`
	RemoteID    string   `json:"remote_id,omitempty"`
	Polycount   int      `json:"polycount"`
	Triangles   int      `json:"triangles,omitempty"`
	Sources     []string `json:"sources"`
	Files       []string `json:"files"`
	AssetID     string   `json:"asset_id,omitempty"`
	// Batch is the id of the batch the job was submitted in (generate --each), if any.
	Batch string `json:"batch,omitempty"`
	// Publish is set for a publication (of the asset Origin, to the target Provider): where.
	Publish *app.PublishSpec `json:"publish,omitempty"`
	Created time.Time        `json:"created"`
	Elapsed float64          `json:"elapsed_seconds"`
}

func listJobs(ctx context.Context, args []string, env Env) int {
	if len(args) > 0 && (args[0] == "submit-again" || args[0] == "mark-failed") {
		return decideUnconfirmed(ctx, args[0], args[1:], env)
	}
	fs := flag.NewFlagSet("jobs", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print JSON")
	if rest, ok := parse(fs, args, env); !ok || len(rest) > 0 {
		return usageOr(env, ok, "kiln jobs takes no arguments")
	}
	k, err := env.Open(app.QueueOptions{Workers: 1})
	if err != nil {
		return fail(env, "%v", err)
	}
	defer k.Close()
	jobs, err := k.Jobs.Jobs(ctx)
	if err != nil {
		return fail(env, "%v", err)
	}
	now := time.Now()
	if *asJSON {
		out := make([]jobJSON, 0, len(jobs))
		for _, j := range jobs {
			jj := jobJSON{ID: j.ID, Name: j.Name(), Provider: j.Provider, Credential: j.Credential, Origin: j.Origin, Publish: j.Publish,
				Cost: j.Cost, Prompt: j.Request.Prompt, State: string(j.State),
				Progress: j.Progress, Message: j.Message, Error: j.Error, Kind: string(j.ErrorKind),
				Interrupted: j.Interrupted(now), RemoteID: j.Remote.ID, Polycount: j.Request.Polycount,
				Triangles: j.Triangles, Batch: j.Batch, Sources: nonNil(j.Sources), Files: nonNil(j.Files), AssetID: j.AssetID,
				Created: j.Created, Elapsed: j.Elapsed(now).Seconds()}
			if j.State == app.Failed {
				jj.Explanation = j.Explain(providerTitle(k, j.Provider))
			}
			out = append(out, jj)
		}
		return printJSON(env, out)
	}
	if len(jobs) == 0 {
		fmt.Fprintln(env.Stdout, "No jobs yet. Start one with: kiln generate IMAGE")
		return exitOK
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "JOB\tNAME\tPROVIDER\tSTATE\tPROGRESS\tELAPSED\tDETAIL")
	interrupted := 0
	for _, j := range jobs {
		state, detail := string(j.State), providers.Printable(j.Message)
		switch {
		case j.State == app.Failed:
			detail = j.Explain(providerTitle(k, j.Provider))
		case j.Interrupted(now):
			state, detail = "interrupted", "Kiln stopped while this job ran: kiln resume finishes it"
			interrupted++
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%.0f%%\t%s\t%s\n", j.ID, providers.Printable(j.Name()), j.Provider, state,
			max(0, j.Progress)*100, j.Elapsed(now).Round(time.Second), oneLine(detail, 100))
	}
	if err := tw.Flush(); err != nil {
		return fail(env, "%v", err)
	}
	if interrupted > 0 {
		fmt.Fprintf(env.Stderr, "%d interrupted: run kiln resume, or open the window, to finish them\n", interrupted)
	}
	return exitOK
}

// decideUnconfirmed takes the artist's word on an unconfirmed job: send it again, or end it.
func decideUnconfirmed(ctx context.Context, verb string, args []string, env Env) int {
	if len(args) != 1 {
		fmt.Fprintf(env.Stderr, "usage: kiln jobs %s JOB\n", verb)
		return exitUsage
	}
	k, err := env.Open(app.QueueOptions{Workers: 1})
	if err != nil {
		return fail(env, "%v", err)
	}
	defer k.Close()
	if verb == "mark-failed" {
		j, err := k.Jobs.MarkFailed(args[0])
		if err != nil {
			return fail(env, "%v", err)
		}
		fmt.Fprintln(env.Stdout, j.ID+": marked as failed")
		return exitOK
	}
	j, err := k.Jobs.SubmitAgain(args[0])
	if err != nil {
		return fail(env, "%v", err)
	}
	bar := newProgress(env)
	unsubscribe := k.Jobs.Subscribe(func(e app.Event) {
		if e.Job.ID == j.ID {
			bar.show(e.Job)
		}
	})
	defer unsubscribe()
	done, err := waitOrCancel(ctx, k, j.ID)
	bar.end()
	if err != nil {
		return fail(env, "%v", err)
	}
	return report(env, k, done)
}

// providerTitle is the name an artist reads for provider (or target).
func providerTitle(k *app.Kiln, provider string) string { return k.Title(provider) }

func printJSON(env Env, v any) int {
	enc := json.NewEncoder(env.Stdout)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fail(env, "%v", err)
	}
	return exitOK
}

func usageOr(env Env, parsed bool, msg string) int {
	if parsed {
		fmt.Fprintln(env.Stderr, msg)
	}
	return exitUsage
}

func oneLine(s string, limit int) string {
	r := []rune(s)
	for i, c := range r {
		if c == '\n' || c == '\r' || c == '\t' {
			r[i] = ' '
		}
	}
	if len(r) > limit {
		return string(r[:limit-1]) + "…"
	}
	return string(r)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
