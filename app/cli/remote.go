package cli

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"

	"github.com/kiln3d/kiln/app"
	"github.com/kiln3d/kiln/providers"
)

// libraryImport files a provider's jobs in the library: kiln library import PROVIDER [--since D] [--until D].
func libraryImport(ctx context.Context, args []string, env Env) int {
	fs := flag.NewFlagSet("library import", flag.ContinueOnError)
	since := fs.String("since", "", "first day, YYYY-MM-DD (default: from the start)")
	until := fs.String("until", "", "last day, YYYY-MM-DD (default: today)")
	rest, ok := parse(fs, args, env)
	if !ok || len(rest) != 1 {
		return usageOr(env, ok, "usage: kiln library import PROVIDER [--since YYYY-MM-DD] [--until YYYY-MM-DD]")
	}
	from, to, err := app.DayRange(*since, *until)
	if err != nil {
		return fail(env, "--since/--until: %v", err)
	}
	k, err := env.Open(app.QueueOptions{Workers: 1})
	if err != nil {
		return fail(env, "%v", err)
	}
	defer k.Close()
	found, added, err := k.Import(ctx, rest[0], from, to)
	if err != nil {
		return fail(env, "%v", err)
	}
	fmt.Fprintf(env.Stdout, "%d jobs found on %s, %d new in the library.\n", found, providers.Printable(rest[0]), added)
	return exitOK
}

// libraryDownload fetches a remote asset's model: kiln library download ID [--out PATH [--force]].
// A damaged asset is refused with its reason (Kiln.Download), so that nothing but the asset's own
// verified model is ever copied out; --out never replaces a file unless --force.
func libraryDownload(ctx context.Context, args []string, env Env) int {
	fs := flag.NewFlagSet("library download", flag.ContinueOnError)
	out := fs.String("out", "", "also save the model here: a file path or a folder")
	force := fs.Bool("force", false, "replace the --out file if it exists")
	rest, ok := parse(fs, args, env)
	if !ok || len(rest) != 1 {
		return usageOr(env, ok, "usage: kiln library download ASSET [--out PATH [--force]]")
	}
	k, err := env.Open(app.QueueOptions{Workers: 1})
	if err != nil {
		return fail(env, "%v", err)
	}
	defer k.Close()
	e, err := k.Library.Resolve(ctx, rest[0])
	if err != nil {
		return fail(env, "%v", err)
	}
	a, err := k.Download(ctx, e.ID, func(p providers.Progress) {
		if p.Message != "" {
			fmt.Fprintln(env.Stderr, providers.Printable(p.Message)) // a server's words
		}
	})
	if err != nil {
		return fail(env, "%v", err)
	}
	saved := a.ModelPath()
	if *out != "" {
		if saved, err = app.Export(a.ModelPath(), *out, *force); err != nil {
			return fail(env, "%v", err)
		}
	}
	if abs, err := filepath.Abs(saved); err == nil {
		saved = abs
	}
	fmt.Fprintln(env.Stdout, providers.Printable(saved))
	return exitOK
}
