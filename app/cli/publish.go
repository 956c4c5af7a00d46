package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/kiln3d/kiln/app"
	"github.com/kiln3d/kiln/providers"
)

// defaultFolder is the folder a model is published into when none is named.
const defaultFolder = "Kiln"

// publishResult is what `kiln publish --json` prints.
type publishResult struct {
	Job         string                     `json:"job"`
	Target      string                     `json:"target"`
	Asset       string                     `json:"asset"`
	Status      string                     `json:"status"`
	Folder      providers.Folder           `json:"folder"`
	UploadID    string                     `json:"upload_id,omitempty"`
	Assets      []providers.PublishedAsset `json:"assets"`
	Note        string                     `json:"note,omitempty"`
	Error       string                     `json:"error,omitempty"`
	Kind        string                     `json:"kind,omitempty"`
	Explanation string                     `json:"explanation,omitempty"`
}

// publish uploads a library model to a target (3dverse) and follows it there until the target
// has converted it, or lists the target's folders.
func publish(ctx context.Context, args []string, env Env) int {
	fs := flag.NewFlagSet("publish", flag.ContinueOnError)
	folder := fs.String("folder", "", "the folder to publish into, by name: made when it does not exist (default \""+defaultFolder+"\")")
	folderID := fs.String("folder-id", "", "the folder to publish into, by the target's id")
	replace := fs.Bool("replace", false, "the asset was published here before: this publication replaces it")
	add := fs.Bool("add", false, "the asset was published here before: add this publication beside it")
	folders := fs.Bool("folders", false, "list the target's folders instead of publishing")
	key := fs.String("key", "", "the target credential to use, by name")
	endpoint := fs.String("endpoint", "", "the target's address for this run (https, or http on loopback)")
	asJSON := fs.Bool("json", false, "print JSON")
	rest, ok := parse(fs, args, env)
	if !ok {
		return exitUsage
	}
	switch {
	case *folders && len(rest) != 1:
		return usageOr(env, true, "usage: kiln publish TARGET --folders [--json]")
	case !*folders && len(rest) != 2:
		return usageOr(env, true, "usage: kiln publish TARGET ASSET [--folder NAME | --folder-id ID] [--replace | --add] [--json]")
	case *replace && *add:
		return usageOr(env, true, "kiln publish: --replace and --add exclude each other")
	case *folder != "" && *folderID != "":
		return usageOr(env, true, "kiln publish: give --folder or --folder-id, not both")
	}
	k, err := env.Open(app.QueueOptions{Workers: 1})
	if err != nil {
		return fail(env, "%v", err)
	}
	defer k.Close()
	if err := setEndpoint(k, rest[0], *endpoint); err != nil {
		return fail(env, "%v", err)
	}
	if *folders {
		return listFolders(ctx, k, env, rest[0], *key, *asJSON)
	}
	target, assetID := rest[0], rest[1]
	place := providers.Folder{ID: *folderID, Name: *folder}
	if place.ID == "" && place.Name == "" {
		place.Name = defaultFolder
	}
	mode := app.PublishAsk
	switch {
	case *replace:
		mode = app.PublishReplace
	case *add:
		mode = app.PublishAdd
	}
	bar, unsubscribe := watchJobs(k, env)
	defer unsubscribe()
	job, err := k.Jobs.Publish(ctx, target, assetID, place, mode, app.WithCredential(*key))
	if errors.Is(err, app.ErrPublishedBefore) && env.Ask != nil {
		// At a terminal the artist decides now, as the window's dialog asks.
		answer, aerr := env.Ask(providers.Printable(err.Error())+"\n[r]eplace, [a]dd, or anything else to stop?", false)
		switch strings.ToLower(strings.TrimSpace(answer)) {
		case "r", "replace":
			mode = app.PublishReplace
		case "a", "add":
			mode = app.PublishAdd
		default:
			if aerr == nil {
				fmt.Fprintln(env.Stderr, "kiln: nothing published")
			}
			return exitFailed
		}
		job, err = k.Jobs.Publish(ctx, target, assetID, place, mode, app.WithCredential(*key))
	}
	if errors.Is(err, app.ErrPublishedBefore) {
		return fail(env, "%v (add --replace or --add)", err)
	}
	if err != nil {
		return fail(env, "%v", err)
	}
	done, err := waitOrCancel(ctx, k, job.ID)
	bar.end()
	if err != nil {
		return fail(env, "%v", err)
	}
	return publishReport(env, k, done, *asJSON)
}

// publishReport prints how a publishing job ended and returns the exit status.
func publishReport(env Env, k *app.Kiln, done app.Job, asJSON bool) int {
	res := publishResult{Job: done.ID, Target: done.Provider, Asset: done.Origin, Status: string(done.State),
		Assets: []providers.PublishedAsset{}}
	if done.Publish != nil {
		res.Folder = done.Publish.Folder
	}
	status := exitOK
	switch done.State {
	case app.Done:
		a, err := k.Library.Get(done.Origin)
		if err != nil {
			return fail(env, "published, but the library cannot read %s: %v", done.Origin, err)
		}
		for _, p := range a.Published {
			if p.JobID == done.ID {
				res.UploadID, res.Assets, res.Note, res.Folder = p.UploadID, p.Assets, p.Note, p.Folder
			}
		}
	case app.Cancelled:
		fmt.Fprintln(env.Stderr, "kiln: cancelled")
		status = exitCancelled
	default:
		res.Error, res.Kind = done.Error, string(done.ErrorKind)
		res.Explanation = done.Explain(k.Title(done.Provider))
		status = fail(env, "publishing failed: %s (kiln jobs shows it; retry it from the window)", res.Explanation)
	}
	if asJSON {
		if code := printJSON(env, res); code != exitOK {
			return code
		}
		return status
	}
	if status != exitOK {
		return status
	}
	fmt.Fprintf(env.Stderr, "%s\n", providers.Printable(done.Message))
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ASSET\tTYPE\tNAME")
	for _, a := range res.Assets {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", providers.Printable(a.ID), providers.Printable(a.Type), providers.Printable(a.Name))
	}
	if err := tw.Flush(); err != nil {
		return fail(env, "%v", err)
	}
	return exitOK
}

// listFolders prints the folders of target a model can be published into.
func listFolders(ctx context.Context, k *app.Kiln, env Env, target, key string, asJSON bool) int {
	folders, err := k.Folders(ctx, target, key)
	if err != nil {
		return fail(env, "%v", err)
	}
	if asJSON {
		if folders == nil {
			folders = []providers.Folder{}
		}
		return printJSON(env, folders)
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "FOLDER\tNAME")
	for _, f := range folders {
		fmt.Fprintf(tw, "%s\t%s\n", providers.Printable(f.ID), providers.Printable(f.Name))
	}
	if err := tw.Flush(); err != nil {
		return fail(env, "%v", err)
	}
	return exitOK
}
