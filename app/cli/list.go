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
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Provider  string    `json:"provider"`
	State     string    `json:"state"`
	Progress  float64   `json:"progress"`
	Message   string    `json:"message,omitempty"`
	Error     string    `json:"error,omitempty"`
	Polycount int       `json:"polycount"`
	Triangles int       `json:"triangles,omitempty"`
	Sources   []string  `json:"sources"`
	Files     []string  `json:"files"`
	AssetID   string    `json:"asset_id,omitempty"`
	Created   time.Time `json:"created"`
	Elapsed   float64   `json:"elapsed_seconds"`
}

func listJobs(ctx context.Context, args []string, env Env) int {
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
			out = append(out, jobJSON{ID: j.ID, Name: j.Name(), Provider: j.Provider, State: string(j.State),
				Progress: j.Progress, Message: j.Message, Error: j.Error, Polycount: j.Request.Polycount,
				Triangles: j.Triangles, Sources: nonNil(j.Sources), Files: nonNil(j.Files), AssetID: j.AssetID,
				Created: j.Created, Elapsed: j.Elapsed(now).Seconds()})
		}
		return printJSON(env, out)
	}
	if len(jobs) == 0 {
		fmt.Fprintln(env.Stdout, "No jobs yet. Start one with: kiln generate IMAGE")
		return exitOK
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "JOB\tNAME\tPROVIDER\tSTATE\tPROGRESS\tELAPSED\tDETAIL")
	for _, j := range jobs {
		detail := j.Message
		if j.State == app.Failed {
			detail = j.Error
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%.0f%%\t%s\t%s\n", j.ID, j.Name(), j.Provider, j.State,
			max(0, j.Progress)*100, j.Elapsed(now).Round(time.Second), oneLine(detail, 60))
	}
	if err := tw.Flush(); err != nil {
		return fail(env, "%v", err)
	}
	return exitOK
}

// assetJSON is an asset as `kiln library --json` prints it.
type assetJSON struct {
	app.Asset
	Dir   string `json:"dir"`
	Model string `json:"model"`
}

func listLibrary(ctx context.Context, args []string, env Env) int {
	if len(args) > 0 {
		switch args[0] {
		case "import":
			return libraryImport(ctx, args[1:], env)
		case "download":
			return libraryDownload(ctx, args[1:], env)
		}
	}
	fs := flag.NewFlagSet("library", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print JSON")
	if rest, ok := parse(fs, args, env); !ok || len(rest) > 0 {
		return usageOr(env, ok, "kiln library takes no arguments")
	}
	k, err := env.Open(app.QueueOptions{Workers: 1})
	if err != nil {
		return fail(env, "%v", err)
	}
	defer k.Close()
	assets, _ := k.Library.List() // its error names the damaged assets, warned of one by one below
	for _, a := range assets {
		if err := a.Err(); err != nil {
			// Damaged assets are listed and named, never hidden: the artist can find the folder.
			fmt.Fprintf(env.Stderr, "kiln: warning: %s\n", providers.Printable(err.Error()))
		}
	}
	// JSON keeps the values as they are: encoding/json escapes control characters itself.
	if *asJSON {
		out := make([]assetJSON, 0, len(assets))
		for _, a := range assets {
			out = append(out, assetJSON{Asset: a, Dir: a.Dir, Model: a.ModelPath()})
		}
		return printJSON(env, out)
	}
	if len(assets) == 0 {
		fmt.Fprintf(env.Stdout, "The library at %s is empty.\n", providers.Printable(k.Library.Dir()))
		return exitOK
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ASSET\tNAME\tPROVIDER\tTRIANGLES\tFINISHED\tMODEL")
	for _, a := range assets {
		// Names, paths and statuses come from file names, sidecars and servers: escaped, so that
		// a newline or an escape sequence in them is shown, never obeyed by the terminal.
		model := a.ModelPath()
		switch {
		case a.Damaged != "":
			model = "(damaged: " + a.Damaged + ")"
		case !a.Downloaded():
			model = fmt.Sprintf("(on %s, %s: kiln library download %s)", a.Provider, a.Remote.Status, a.ID)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\n", providers.Printable(a.ID), providers.Printable(a.Name),
			providers.Printable(a.Provider), a.Triangles, a.Finished.Local().Format("2006-01-02 15:04"),
			providers.Printable(model))
	}
	if err := tw.Flush(); err != nil {
		return fail(env, "%v", err)
	}
	return exitOK
}

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
