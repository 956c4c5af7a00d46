package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/kiln3d/kiln/app"
	"github.com/kiln3d/kiln/providers"
)

// The library's commands that add assets or change what the artist wrote about them. Each prints
// one line saying what it did; a failure is one line on stderr.

// libraryAdd files models from disk: kiln library add PATH... (.glb and .gltf files, or folders).
// Every model is checked first; a refused one is named with the reason and nothing of it is kept.
func libraryAdd(ctx context.Context, args []string, env Env) int {
	fs := flag.NewFlagSet("library add", flag.ContinueOnError)
	rest, ok := parse(fs, args, env)
	if !ok || len(rest) == 0 {
		return usageOr(env, ok, "usage: kiln library add PATH... (.glb or .gltf models, or folders holding them)")
	}
	k, err := env.Open(app.QueueOptions{Workers: 1})
	if err != nil {
		return fail(env, "%v", err)
	}
	defer k.Close()
	var report func(done, total int)
	drawn := false
	if env.Terminal {
		report = func(done, total int) {
			if total > 1 {
				fmt.Fprintf(env.Stderr, "\r\033[KAdding models: %d of %d", done, total)
				drawn = true
			}
		}
	}
	added, err := k.Library.AddModels(ctx, rest, report)
	if drawn {
		fmt.Fprint(env.Stderr, "\r\033[K")
	}
	for _, a := range added {
		fmt.Fprintf(env.Stdout, "Added %s, %s.\n", named(a.Name, a.ID), app.Plural(a.Triangles, "triangle"))
	}
	if err == nil {
		return exitOK
	}
	errs := []error{err}
	var joined interface{ Unwrap() []error }
	if errors.As(err, &joined) {
		errs = joined.Unwrap()
	}
	status := exitFailed
	for _, e := range errs {
		var refused app.AddRefusal
		switch {
		case errors.As(e, &refused):
			// The model check's reasons may start with the file's name: the whole path is given.
			reason := strings.TrimPrefix(refused.Err.Error(), filepath.Base(refused.Path)+": ")
			fail(env, "not added: %s: %s", refused.Path, reason)
		case errors.Is(e, context.Canceled):
			fmt.Fprintln(env.Stderr, "kiln: cancelled")
			status = exitCancelled
		default:
			fail(env, "%v", e)
		}
	}
	return status
}

// libraryRename renames an asset: kiln library rename ASSET NAME.
func libraryRename(ctx context.Context, args []string, env Env) int {
	fs := flag.NewFlagSet("library rename", flag.ContinueOnError)
	rest, ok := parse(fs, args, env)
	if !ok || len(rest) != 2 {
		return usageOr(env, ok, `usage: kiln library rename ASSET NAME (quote a name of several words: "Red mug")`)
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
	a, err := k.Library.Rename(e.ID, rest[1])
	if err != nil {
		return fail(env, "rename %s: %v", named(e.Name, e.ID), err)
	}
	fmt.Fprintf(env.Stdout, "Renamed %s to %q.\n", named(e.Name, e.ID), a.Name)
	return exitOK
}

// tagsFlag collects the tags of --add or --remove: separated by commas, the flag repeatable.
type tagsFlag []string

func (t *tagsFlag) String() string { return strings.Join(*t, ",") }

func (t *tagsFlag) Set(s string) error {
	*t = append(*t, app.ParseTags(s)...)
	return nil
}

// libraryTag adds and removes tags: kiln library tag ASSET... [--add a,b] [--remove c]. With
// neither, it prints the one ASSET's tags, one a line.
func libraryTag(ctx context.Context, args []string, env Env) int {
	fs := flag.NewFlagSet("library tag", flag.ContinueOnError)
	var add, remove tagsFlag
	fs.Var(&add, "add", "tags to add, separated by commas")
	fs.Var(&remove, "remove", "tags to remove, separated by commas (any case)")
	var set []string
	replace := false
	fs.Func("set", `the tags, replacing all (separated by commas; "" for none)`, func(s string) error {
		set, replace = app.ParseTags(s), true
		return nil
	})
	rest, ok := parse(fs, args, env)
	show := len(add) == 0 && len(remove) == 0 && !replace
	if !ok || len(rest) == 0 || (show && len(rest) > 1) || (replace && (len(add) > 0 || len(remove) > 0)) {
		return usageOr(env, ok, "usage: kiln library tag ASSET... [--add TAG,TAG] [--remove TAG,TAG] | --set TAG,TAG (or kiln library tag ASSET to print its tags)")
	}
	k, err := env.Open(app.QueueOptions{Workers: 1})
	if err != nil {
		return fail(env, "%v", err)
	}
	defer k.Close()
	entries, status := resolveAll(ctx, k, rest, env)
	if status != exitOK {
		return status // nothing is changed when one ASSET names no asset
	}
	if show {
		e := entries[0]
		if len(e.Tags) == 0 {
			fmt.Fprintf(env.Stderr, "%s has no tags.\n", named(e.Name, e.ID))
		}
		for _, t := range e.Tags {
			fmt.Fprintln(env.Stdout, providers.Printable(t))
		}
		return exitOK
	}
	ids := make([]string, len(entries))
	for i, e := range entries {
		ids[i] = e.ID
	}
	var done []app.Asset
	if replace {
		for _, id := range ids {
			var a app.Asset
			if a, err = k.Library.SetTags(id, set); err != nil {
				break
			}
			done = append(done, a)
		}
		add = set
	} else {
		done, err = k.Library.Tag(ids, add, remove)
	}
	switch {
	case len(done) == 1 && len(ids) == 1:
		if len(done[0].Tags) == 0 {
			fmt.Fprintf(env.Stdout, "%s now has no tags.\n", named(done[0].Name, done[0].ID))
		} else {
			fmt.Fprintf(env.Stdout, "%s is now tagged %s.\n", named(done[0].Name, done[0].ID), providers.Printable(strings.Join(done[0].Tags, ", ")))
		}
	case len(done) > 0:
		var what []string
		if len(add) > 0 {
			what = append(what, "added "+strings.Join(add, ", "))
		}
		if len(remove) > 0 {
			what = append(what, "removed "+strings.Join(remove, ", "))
		}
		fmt.Fprintf(env.Stdout, "Tagged %s: %s.\n", app.Plural(len(done), "model"), providers.Printable(strings.Join(what, "; ")))
	}
	if err != nil {
		return fail(env, "%v", err)
	}
	return exitOK
}

// maxNotesInput bounds what `kiln library note ASSET -` reads from stdin: far more than the notes
// may hold, so that the library's own limit is the one an artist hears of.
const maxNotesInput = 256 << 10

// libraryNote writes an asset's notes: kiln library note ASSET TEXT ("-": read from stdin; ""
// clears them). Without TEXT it prints them.
func libraryNote(ctx context.Context, args []string, env Env) int {
	fs := flag.NewFlagSet("library note", flag.ContinueOnError)
	rest, ok := parse(fs, args, env)
	if !ok || len(rest) < 1 || len(rest) > 2 {
		return usageOr(env, ok, `usage: kiln library note ASSET "TEXT" (- reads the text from stdin, "" clears the notes; without TEXT the notes are printed)`)
	}
	text := ""
	if len(rest) == 2 {
		text = rest[1]
		if text == "-" {
			if env.Stdin == nil {
				return fail(env, "no text on stdin")
			}
			data, err := io.ReadAll(io.LimitReader(env.Stdin, maxNotesInput+1))
			if err != nil {
				return fail(env, "reading the notes from stdin: %v", err)
			}
			if len(data) > maxNotesInput {
				return fail(env, "the notes on stdin are longer than %d KiB", maxNotesInput>>10)
			}
			text = string(data)
		}
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
	if len(rest) == 1 {
		a, err := k.Library.Get(e.ID)
		if err != nil {
			return fail(env, "%v", err)
		}
		if a.Notes == "" {
			fmt.Fprintf(env.Stderr, "%s has no notes.\n", named(a.Name, a.ID))
		} else {
			for _, line := range strings.Split(a.Notes, "\n") {
				fmt.Fprintln(env.Stdout, providers.Printable(line))
			}
		}
		return exitOK
	}
	a, err := k.Library.SetNotes(e.ID, text)
	if err != nil {
		return fail(env, "write the notes of %s: %v", named(e.Name, e.ID), err)
	}
	if a.Notes == "" {
		fmt.Fprintf(env.Stdout, "Cleared the notes of %s.\n", named(a.Name, a.ID))
	} else {
		fmt.Fprintf(env.Stdout, "Wrote the notes of %s (%s).\n", named(a.Name, a.ID), app.Plural(len([]rune(a.Notes)), "character"))
	}
	return exitOK
}

// libraryReindex rebuilds the library's index from its folders: kiln library reindex.
func libraryReindex(ctx context.Context, args []string, env Env) int {
	fs := flag.NewFlagSet("library reindex", flag.ContinueOnError)
	if rest, ok := parse(fs, args, env); !ok || len(rest) > 0 {
		return usageOr(env, ok, "kiln library reindex takes no arguments")
	}
	k, err := env.Open(app.QueueOptions{Workers: 1})
	if err != nil {
		return fail(env, "%v", err)
	}
	defer k.Close()
	n, err := k.Library.Reindex(ctx)
	if err != nil {
		return fail(env, "%v", err)
	}
	damaged, err := k.Library.Find(ctx, app.LibraryQuery{State: app.StateDamaged})
	if err != nil {
		return fail(env, "%v", err)
	}
	line := fmt.Sprintf("Rebuilt the library index from its folders: %s", app.Plural(n, "asset"))
	if len(damaged) > 0 {
		line += fmt.Sprintf(", %d damaged (kiln library --state damaged lists them)", len(damaged))
	}
	fmt.Fprintln(env.Stdout, line+".")
	return exitOK
}

// resolveAll finds the asset each of refs names, each once. Each one not found is reported;
// then nothing is returned.
func resolveAll(ctx context.Context, k *app.Kiln, refs []string, env Env) ([]app.Entry, int) {
	var (
		out    []app.Entry
		failed bool
	)
	seen := map[string]bool{}
	for _, ref := range refs {
		e, err := k.Library.Resolve(ctx, ref)
		if err != nil {
			fail(env, "%v", err)
			failed = true
			continue
		}
		if !seen[e.ID] {
			seen[e.ID] = true
			out = append(out, e)
		}
	}
	if failed {
		return nil, exitFailed
	}
	return out, exitOK
}
