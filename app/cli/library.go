package cli

import (
	"context"
	"flag"
	"fmt"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/kiln3d/kiln/app"
	"github.com/kiln3d/kiln/providers"
)

// An ASSET on the library's command lines is an id, the start of one (app.MinIDPrefix characters
// or more) or an asset's exact name: app.Library.Resolve finds it.

// librarySubcommands are the commands of `kiln library`; without one it lists the library.
func librarySubcommands() map[string]func(context.Context, []string, Env) int {
	return map[string]func(context.Context, []string, Env) int{
		"add":      libraryAdd,
		"rename":   libraryRename,
		"tag":      libraryTag,
		"note":     libraryNote,
		"rm":       libraryRemove,
		"restore":  libraryRestore,
		"trash":    libraryTrash,
		"reindex":  libraryReindex,
		"import":   libraryImport,
		"download": libraryDownload,
	}
}

func library(ctx context.Context, args []string, env Env) int {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return libraryList(ctx, args, env)
	}
	if run, ok := librarySubcommands()[args[0]]; ok {
		return run(ctx, args[1:], env)
	}
	fmt.Fprintf(env.Stderr, "kiln library: unknown command %q (%s)\n", providers.Printable(args[0]), librarySubcommandNames())
	return exitUsage
}

func librarySubcommandNames() string {
	var names []string
	for n := range librarySubcommands() {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// assetJSON is an asset as `kiln library --json` prints it: its sidecar, where it lies, and what
// the library's index says of it.
type assetJSON struct {
	app.Asset
	Dir   string `json:"dir"`
	Model string `json:"model"`
	// State is app.StateDownloaded, app.StateRemote or app.StateDamaged.
	State string `json:"state"`
	// Bytes is the size of the asset's files.
	Bytes int64 `json:"bytes"`
	// Tags and Notes are always present, empty when the artist wrote none.
	Tags  []string `json:"tags"`
	Notes string   `json:"notes"`
}

func newAssetJSON(e app.Entry, a app.Asset) assetJSON {
	return assetJSON{Asset: a, Dir: a.Dir, Model: a.ModelPath(), State: e.State, Bytes: e.Bytes,
		Tags: nonNil(a.Tags), Notes: a.Notes}
}

// libraryList lists (and searches) the library: kiln library [--search Q] [--provider P] ...
func libraryList(ctx context.Context, args []string, env Env) int {
	fs := flag.NewFlagSet("library", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print JSON")
	var q app.LibraryQuery
	fs.StringVar(&q.Search, "search", "", "words (or starts of words) in the name, tags, notes, prompt, provider, project or input files: all must match")
	fs.StringVar(&q.Provider, "provider", "", "only the assets of this provider")
	fs.StringVar(&q.Tag, "tag", "", "only the assets with this tag")
	fs.StringVar(&q.State, "state", "", "only the assets in this state: "+strings.Join(app.LibraryStates, ", "))
	fs.StringVar(&q.Sort, "sort", app.SortNewest, "the order: "+strings.Join(app.LibrarySorts, ", "))
	since := fs.String("since", "", "only the assets finished on or after this day, YYYY-MM-DD")
	until := fs.String("until", "", "only the assets finished on or before this day, YYYY-MM-DD")
	rest, ok := parse(fs, args, env)
	if !ok || len(rest) > 0 {
		return usageOr(env, ok, "usage: kiln library [--search Q] [--provider P] [--tag T] [--state S] [--sort S] [--since DAY] [--until DAY] [--json]\n"+
			"       or kiln library COMMAND, a command being one of "+librarySubcommandNames()+" (kiln help)")
	}
	switch {
	case !slices.Contains(app.LibrarySorts, q.Sort):
		return usageOr(env, true, fmt.Sprintf("kiln library: --sort: %q is not an order (%s)", providers.Printable(q.Sort), strings.Join(app.LibrarySorts, ", ")))
	case q.State != "" && !slices.Contains(app.LibraryStates, q.State):
		return usageOr(env, true, fmt.Sprintf("kiln library: --state: %q is not a state (%s)", providers.Printable(q.State), strings.Join(app.LibraryStates, ", ")))
	}
	var err error
	if q.Since, q.Until, err = app.DayRange(*since, *until); err != nil {
		return usageOr(env, true, "kiln library: --since/--until: "+providers.Printable(err.Error()))
	}
	k, err := env.Open(app.QueueOptions{Workers: 1})
	if err != nil {
		return fail(env, "%v", err)
	}
	defer k.Close()
	entries, err := k.Library.Find(ctx, q)
	if err != nil {
		return fail(env, "%v", err)
	}
	assets, err := k.Library.FindAssets(ctx, q)
	if err != nil {
		return fail(env, "%v", err)
	}
	byID := make(map[string]app.Asset, len(assets))
	for _, a := range assets {
		byID[a.ID] = a
	}
	for _, e := range entries {
		if err := (app.Asset{ID: e.ID, Damaged: e.Damaged}).Err(); err != nil {
			// Damaged assets are listed and named, never hidden: the artist can find the folder.
			fmt.Fprintf(env.Stderr, "kiln: warning: %s\n", providers.Printable(err.Error()))
		}
	}
	// JSON keeps the values as they are: encoding/json escapes control characters itself.
	if *asJSON {
		out := make([]assetJSON, 0, len(entries))
		for _, e := range entries {
			a, ok := byID[e.ID]
			if !ok { // changed by another Kiln between the two reads: read from its folder
				if a, err = k.Library.Get(e.ID); err != nil {
					continue
				}
			}
			out = append(out, newAssetJSON(e, a))
		}
		return printJSON(env, out)
	}
	if len(entries) == 0 {
		if q != (app.LibraryQuery{Sort: q.Sort}) {
			fmt.Fprintln(env.Stdout, "No asset in the library matches.")
		} else {
			fmt.Fprintf(env.Stdout, "The library at %s is empty.\n", providers.Printable(k.Library.Dir()))
		}
		return exitOK
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tID\tPROVIDER\tTRIANGLES\tFINISHED\tTAGS\tSTATE")
	for _, e := range entries {
		// Names, tags and reasons come from file names, sidecars and servers: escaped, so that a
		// newline or an escape sequence in them is shown, never obeyed by the terminal.
		triangles := fmt.Sprint(e.Triangles)
		if e.State == app.StateRemote {
			triangles = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", oneLine(providers.Printable(e.Name), 48), providers.Printable(e.ID),
			providers.Printable(e.Provider), triangles, e.Finished.Local().Format("2006-01-02 15:04"),
			oneLine(providers.Printable(strings.Join(e.Tags, ", ")), 40), entryState(e, byID[e.ID]))
	}
	if err := tw.Flush(); err != nil {
		return fail(env, "%v", err)
	}
	return exitOK
}

// entryState says in a few words where the entry's model is, or why it cannot be used.
func entryState(e app.Entry, a app.Asset) string {
	switch e.State {
	case app.StateDamaged:
		return "damaged: " + providers.Printable(e.Damaged)
	case app.StateRemote:
		status := ""
		if a.Remote != nil && a.Remote.Status != "" {
			status = " (" + a.Remote.Status + ")"
		}
		return providers.Printable(fmt.Sprintf("on %s%s: kiln library download %s", e.Provider, status, e.ID))
	}
	if e.Published {
		return e.State + ", published"
	}
	return e.State
}

// named is how a line names an asset to the artist: its name, then its id.
func named(name, id string) string {
	return fmt.Sprintf("%q (%s)", name, providers.Printable(id))
}
