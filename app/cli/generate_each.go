package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/kiln3d/kiln/app"
	"github.com/kiln3d/kiln/providers"
)

// batchWorkers is how many jobs of a cloud provider's batch run at once.
const batchWorkers = 4

// eachUsage says what is wrong with the arguments of `generate --each`, or returns "".
func eachUsage(positional []string, views viewFlags, force bool) string {
	switch {
	case len(views) > 0:
		return "--each makes one model of each image, and a view is one image of several that make one model: leave out --view (or --each)"
	case force:
		return "--each never replaces a file (a name already taken in --out is saved as NAME-2.glb): leave out --force"
	case len(positional) == 0:
		return "--each makes one model per image: give the images, or folders of them (kiln generate --each IMAGE|FOLDER...)"
	}
	return ""
}

// generateEach plans and submits one job per image of req as one batch, waits for them all (a
// Ctrl-C cancels the batch), saves each model into the folder out, never replacing a file, and
// prints one line per model saved (with asJSON, one array of results). The exit status is
// non-zero when any model failed.
func generateEach(ctx context.Context, k *app.Kiln, env Env, caps providers.Capabilities, key string, req providers.Request, out string, asJSON bool) int {
	plan, err := k.PlanEach(ctx, caps.Name, key, req, true)
	if err != nil {
		return fail(env, "%v", err)
	}
	printPlan(env, caps, plan)
	bar, unsubscribe := watchJobs(k, env)
	defer unsubscribe()
	jobs, err := k.Jobs.SubmitEach(ctx, caps.Name, plan.Request, submitOptions(plan)...)
	switch {
	case err != nil && ctx.Err() != nil:
		// Interrupted while the batch was being saved: SubmitEach cancelled what it had queued.
		bar.say("kiln: cancelled")
		return exitCancelled
	case err != nil:
		return fail(env, "%v", err)
	}
	bar.say("kiln: %s, one per image (batch %s)", app.Plural(len(jobs), "model"), jobs[0].Batch)
	return saveModels(ctx, k, env, bar, jobs, out, asJSON)
}

// saveModels waits for the jobs of one batch (or comparison) to end (a Ctrl-C cancels them), saves
// each model into the folder out, never replacing a file, and prints one line per model saved (with
// asJSON, one array of results). The exit status is non-zero when any model failed.
func saveModels(ctx context.Context, k *app.Kiln, env Env, bar *progress, jobs []app.Job, out string, asJSON bool) int {
	finished, err := waitBatch(ctx, k, jobs)
	bar.end()
	if err != nil {
		return fail(env, "%v", err)
	}
	// Into a folder, made when missing: Export takes the first free of NAME.glb, NAME-2.glb…
	folder := out
	if !os.IsPathSeparator(folder[len(folder)-1]) {
		folder += string(os.PathSeparator)
	}
	status := exitOK
	results := make([]generateResult, len(finished))
	for i, j := range finished {
		res := generateResult{Job: j.ID, Name: j.Name(), Batch: j.Batch, Provider: j.Provider, Status: string(j.State),
			Files: []string{}, Triangles: j.Triangles, RemoteID: j.Remote.ID}
		if len(j.Sources) > 0 {
			res.Source = j.Sources[0]
		}
		what := providers.Printable(j.Name())
		switch j.State {
		case app.Done:
			saved, err := app.Export(j.Files[0], folder, false)
			if err != nil {
				res.Error = fmt.Sprintf("the model is in the library (%s) but could not be saved: %v", j.Files[0], err)
				status = fail(env, "%s: %s", what, res.Error)
				break
			}
			if abs, err := filepath.Abs(saved); err == nil {
				saved = abs
			}
			res.Files = append(res.Files, saved)
			if !asJSON {
				fmt.Fprintln(env.Stdout, saved)
			}
		case app.Cancelled:
			if ctx.Err() == nil {
				status = max(status, exitFailed) // cancelled elsewhere (the window): not made
			}
		case app.Unconfirmed:
			res.Error = j.Message
			status = fail(env, "%s: %s (then: kiln jobs submit-again %s, or kiln jobs mark-failed %s)", what, j.Message, j.ID, j.ID)
		default:
			res.Error, res.Kind = j.Error, string(j.ErrorKind)
			title := j.Provider
			if p, err := k.Providers.Get(j.Provider); err == nil {
				title = p.Capabilities().Title
			}
			res.Explanation = j.Explain(title)
			status = fail(env, "%s: generation failed: %s", what, res.Explanation)
		}
		results[i] = res
	}
	fmt.Fprintln(env.Stderr, "kiln: "+app.SummarizeBatch(finished).String())
	if ctx.Err() != nil {
		fmt.Fprintln(env.Stderr, "kiln: cancelled")
		status = exitCancelled
	}
	if asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(results); err != nil {
			return fail(env, "%v", err)
		}
	}
	return status
}

// waitBatch waits for every job of a batch to end (or to wait for the artist's word, unconfirmed)
// and returns them in order. When ctx ends first (Ctrl-C) it cancels the batch and waits for the
// cancellations to land.
func waitBatch(ctx context.Context, k *app.Kiln, jobs []app.Job) ([]app.Job, error) {
	out := make([]app.Job, len(jobs))
	for i, j := range jobs {
		done, err := k.Jobs.Wait(ctx, j.ID)
		if ctx.Err() != nil {
			break
		}
		if err != nil {
			return nil, err
		}
		out[i] = done
	}
	if ctx.Err() == nil {
		return out, nil
	}
	if err := k.Jobs.CancelBatch(context.WithoutCancel(ctx), jobs[0].Batch); err != nil {
		return nil, err
	}
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	for i, j := range jobs {
		done, err := k.Jobs.Wait(wctx, j.ID)
		if err != nil {
			return nil, err
		}
		out[i] = done
	}
	return out, nil
}
