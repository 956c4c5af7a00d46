package cli

import (
	"context"
	"flag"
	"fmt"

	"github.com/kiln3d/kiln/app"
)

// retexture paints a library model from one reference image with a provider that can
// (Rodin's texture-only generation): the result is a new asset that records what it came from.
func retexture(ctx context.Context, args []string, env Env) int {
	fs := flag.NewFlagSet("retexture", flag.ContinueOnError)
	provider := fs.String("provider", "", "provider to use (default: the first that can texture models)")
	key := fs.String("key", "", "the provider credential to use, by name")
	prompt := fs.String("prompt", "", "describe the look in words")
	endpoint := fs.String("endpoint", "", "the provider's address for this run (https, or http on loopback)")
	out := fs.String("out", ".", "where to save the textured model: a file path or a folder")
	asJSON := fs.Bool("json", false, "print one JSON object instead of the saved path")
	force := fs.Bool("force", false, "replace the --out file if it exists")
	options := keyValues{}
	fs.Var(options, "option", "a texturing option, KEY=VALUE (see kiln providers); repeatable")
	rest, ok := parse(fs, args, env)
	if !ok {
		return exitUsage
	}
	if len(rest) != 2 {
		fmt.Fprintln(env.Stderr, "kiln retexture: give the asset and one reference image: kiln retexture ASSET IMAGE")
		return exitUsage
	}
	k, err := env.Open(app.QueueOptions{Workers: 1})
	if err != nil {
		return fail(env, "%v", err)
	}
	defer k.Close()
	name := *provider
	if name == "" {
		for _, p := range k.Providers.All() {
			if p.Capabilities().Retexture != nil {
				name = p.Capabilities().Name
				break
			}
		}
	}
	p, err := k.Providers.Get(name)
	if err != nil {
		return fail(env, "%v", err)
	}
	caps := p.Capabilities()
	if caps.Retexture == nil {
		return fail(env, "%s cannot texture an existing model", caps.Title)
	}
	if err := setEndpoint(k, caps.Name, *endpoint); err != nil {
		return fail(env, "%v", err)
	}
	if len(options) == 0 {
		options = nil
	}
	req, err := k.RetextureRequest(rest[0], rest[1], *prompt, options)
	if err != nil {
		return fail(env, "%v", err)
	}
	plan, err := planJob(ctx, k, env, caps, *key, req)
	if err != nil {
		return fail(env, "%v", err)
	}
	bar, unsubscribe := watchJobs(k, env)
	defer unsubscribe()
	job, err := k.Jobs.Submit(ctx, caps.Name, plan.Request, append(submitOptions(plan), app.OnAsset(rest[0]))...)
	if err != nil {
		return fail(env, "%v", err)
	}
	return finishJob(ctx, k, env, bar, job, caps, *out, *force, *asJSON, &plan)
}
