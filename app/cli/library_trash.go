package cli

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/kiln3d/kiln/app"
	"github.com/kiln3d/kiln/providers"
)

// The library's trash on the command line: rm moves assets there, restore brings one back, trash
// lists it or empties it for good.

// libraryRemove moves assets to the trash: kiln library rm ASSET... Each one that can be moved
// is; each that cannot is reported, and the status is 1.
func libraryRemove(ctx context.Context, args []string, env Env) int {
	fs := flag.NewFlagSet("library rm", flag.ContinueOnError)
	rest, ok := parse(fs, args, env)
	if !ok || len(rest) == 0 {
		return usageOr(env, ok, "usage: kiln library rm ASSET... (to the trash: kiln library restore ASSET brings one back)")
	}
	k, err := env.Open(app.QueueOptions{Workers: 1})
	if err != nil {
		return fail(env, "%v", err)
	}
	defer k.Close()
	// Every ASSET is looked up before any is moved: "mug a-mug" names one asset, once.
	status := exitOK
	var todo []app.Entry
	seen := map[string]bool{}
	for _, ref := range rest {
		e, err := k.Library.Resolve(ctx, ref)
		switch {
		case err != nil:
			status = fail(env, "%v", err)
		case !seen[e.ID]:
			seen[e.ID] = true
			todo = append(todo, e)
		}
	}
	var moved []app.Asset
	for _, e := range todo {
		done, err := k.Library.Trash(e.ID)
		if err != nil {
			status = fail(env, "%v", err)
			continue
		}
		moved = append(moved, done...)
	}
	switch len(moved) {
	case 0:
	case 1:
		fmt.Fprintf(env.Stdout, "Moved %s to the trash: restore it with kiln library restore %s\n",
			named(moved[0].Name, moved[0].ID), providers.Printable(moved[0].ID))
	default:
		ids := make([]string, len(moved))
		for i, a := range moved {
			ids[i] = providers.Printable(a.ID)
		}
		fmt.Fprintf(env.Stdout, "Moved %d models to the trash (%s): restore with kiln library restore ID\n", len(moved), strings.Join(ids, ", "))
	}
	return status
}

// libraryRestore brings assets back from the trash: kiln library restore ASSET..., each named
// as it is in the trash.
func libraryRestore(_ context.Context, args []string, env Env) int {
	fs := flag.NewFlagSet("library restore", flag.ContinueOnError)
	rest, ok := parse(fs, args, env)
	if !ok || len(rest) == 0 {
		return usageOr(env, ok, "usage: kiln library restore ASSET... (kiln library trash lists what is in the trash)")
	}
	k, err := env.Open(app.QueueOptions{Workers: 1})
	if err != nil {
		return fail(env, "%v", err)
	}
	defer k.Close()
	status := exitOK
	for _, ref := range rest {
		t, err := k.Library.ResolveTrashed(ref)
		if err != nil {
			status = fail(env, "%v", err)
			continue
		}
		a, err := k.Library.Restore(t.ID)
		if err != nil {
			status = fail(env, "%v", err)
			continue
		}
		fmt.Fprintf(env.Stdout, "Restored %s to the library.\n", named(a.Name, a.ID))
	}
	return status
}

// trashedJSON is an asset in the trash as `kiln library trash --json` prints it.
type trashedJSON struct {
	app.Asset
	Dir     string    `json:"dir"`
	Trashed time.Time `json:"trashed"`
}

// libraryTrash lists the trash, most recently trashed first (kiln library trash [--json]), or
// deletes what it holds for good (kiln library trash --empty [--yes]).
func libraryTrash(_ context.Context, args []string, env Env) int {
	fs := flag.NewFlagSet("library trash", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print JSON")
	empty := fs.Bool("empty", false, "delete everything in the trash for good")
	yes := fs.Bool("yes", false, "empty the trash without asking")
	rest, ok := parse(fs, args, env)
	if !ok || len(rest) > 0 || (*empty && *asJSON) {
		return usageOr(env, ok, "usage: kiln library trash [--json] | kiln library trash --empty [--yes]")
	}
	k, err := env.Open(app.QueueOptions{Workers: 1})
	if err != nil {
		return fail(env, "%v", err)
	}
	defer k.Close()
	items, err := k.Library.TrashList()
	if err != nil {
		return fail(env, "%v", err)
	}
	if *empty {
		return emptyTrash(k, items, *yes, env)
	}
	if *asJSON {
		out := make([]trashedJSON, 0, len(items))
		for _, t := range items {
			out = append(out, trashedJSON{Asset: t.Asset, Dir: t.Dir, Trashed: t.Trashed})
		}
		return printJSON(env, out)
	}
	if len(items) == 0 {
		fmt.Fprintln(env.Stdout, "The trash is empty.")
		return exitOK
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TRASHED\tNAME\tID\tPROVIDER\tTRIANGLES\tSTATE")
	for _, t := range items {
		state := app.StateDownloaded
		switch {
		case t.Damaged != "":
			state = "damaged: " + t.Damaged
		case !t.Downloaded():
			state = app.StateRemote
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\n", t.Trashed.Local().Format("2006-01-02 15:04"),
			oneLine(providers.Printable(t.Name), 48), providers.Printable(t.ID), providers.Printable(t.Provider),
			t.Triangles, providers.Printable(state))
	}
	if err := tw.Flush(); err != nil {
		return fail(env, "%v", err)
	}
	return exitOK
}

// emptyTrash deletes items, the trash's contents, for good; at a terminal it asks first unless yes.
func emptyTrash(k *app.Kiln, items []app.Trashed, yes bool, env Env) int {
	if len(items) == 0 {
		fmt.Fprintln(env.Stdout, "The trash is already empty.")
		return exitOK
	}
	if !yes && env.Ask != nil {
		answer, err := env.Ask(fmt.Sprintf("Delete the %s in the trash for good? [y/N]", app.Plural(len(items), "model")), false)
		if err != nil || !strings.HasPrefix(strings.ToLower(strings.TrimSpace(answer)), "y") {
			fmt.Fprintln(env.Stderr, "kiln: nothing deleted")
			return exitFailed
		}
	}
	gone, err := k.EmptyTrash()
	if len(gone) > 0 {
		fmt.Fprintf(env.Stdout, "Deleted the %s in the trash for good.\n", app.Plural(len(gone), "model"))
	}
	if err != nil {
		return fail(env, "%v", err)
	}
	return exitOK
}
