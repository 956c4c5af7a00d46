package cli

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"

	"github.com/kiln3d/kiln/app"
)

// simplify brings any model to a triangle budget: kiln simplify IN.glb --polycount N --out OUT.glb.
func simplify(ctx context.Context, args []string, env Env) int {
	fs := flag.NewFlagSet("simplify", flag.ContinueOnError)
	polycount := fs.Int("polycount", 0, "the triangles wanted")
	out := fs.String("out", "", "the .glb to write")
	force := fs.Bool("force", false, "replace --out if it exists")
	rest, ok := parse(fs, args, env)
	if !ok || len(rest) != 1 || *polycount <= 0 || *out == "" {
		return usageOr(env, ok, "usage: kiln simplify IN.glb --polycount N --out OUT.glb [--force]")
	}
	bar := newProgress(env)
	last := -1
	n, err := app.SimplifyFile(ctx, rest[0], *out, *polycount, *force, func(f float64) {
		if pct := int(f * 100); pct/10 != last/10 {
			last = pct
			bar.show(app.Job{State: app.Running, Progress: f, Message: "Simplifying"})
		}
	})
	bar.end()
	if err != nil {
		if ctx.Err() != nil {
			fmt.Fprintln(env.Stderr, "kiln: cancelled")
			return exitCancelled
		}
		return fail(env, "%v", err)
	}
	abs, _ := filepath.Abs(*out)
	if n.DrawnBefore == n.Before && n.DrawnAfter == n.After {
		fmt.Fprintf(env.Stderr, "%d → %d triangles\n", n.Before, n.After)
	} else {
		// Meshes that several nodes show: the budget counts what is drawn.
		fmt.Fprintf(env.Stderr, "%d → %d triangles drawn (%d → %d unique)\n", n.DrawnBefore, n.DrawnAfter, n.Before, n.After)
	}
	fmt.Fprintln(env.Stdout, abs)
	return exitOK
}
