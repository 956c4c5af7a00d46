package cli

import (
	"context"
	"flag"
	"fmt"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"

	"github.com/kiln3d/kiln/app"
	"github.com/kiln3d/kiln/providers/atomicfile"
)

const maskUsage = "usage: kiln mask IMAGE [--crop X,Y,W,H] [--tolerance T] --out PNG"

// maskCommand writes an image's cut-out, the object opaque and the background transparent, so
// that an artist or a pipeline can check what Kiln will take as the object: found as the local
// generator finds it, or with --crop by a graph cut inside a rectangle.
func maskCommand(ctx context.Context, args []string, env Env) int {
	fs := flag.NewFlagSet("mask", flag.ContinueOnError)
	out := fs.String("out", "", "the PNG to write (replaced if it exists)")
	var crops cropFlags
	fs.Var(&crops, "crop", "X,Y,W,H: a rectangle around the object, in the image's pixels; inside it Kiln separates the object from the background (GrabCut), outside it all is background")
	tolerance := fs.Float64("tolerance", 0.5, "with --crop, 0 to 1: how readily colours between the object's and the background's go to the object")
	rest, ok := parse(fs, args, env)
	if !ok || len(rest) != 1 || *out == "" {
		return usageOr(env, ok, maskUsage)
	}
	if len(crops) > 1 {
		return fail(env, "--crop is given %d times: kiln mask takes one rectangle", len(crops))
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	if math.IsNaN(*tolerance) || *tolerance < 0 || *tolerance > 1 {
		return fail(env, "--tolerance %v: give 0 to 1", *tolerance)
	}
	var opt app.CutOptions
	if len(crops) == 1 {
		if crops[0].image != "" {
			return fail(env, "--crop %s: kiln mask takes one image: give X,Y,W,H alone", crops[0].given)
		}
		opt.Rect = crops[0].rect
		// CutOptions reads a tolerance of 0 as "not given" (0.5): the smallest tolerance above
		// it is the same cut as 0.
		opt.Tolerance = max(*tolerance, math.SmallestNonzeroFloat64)
	} else if given["tolerance"] {
		return fail(env, "--tolerance goes with --crop: without a rectangle the object is found by the image's transparency or its backdrop")
	}
	if sameFile(rest[0], *out) {
		return fail(env, "--out %s is the image itself: give another file", *out)
	}
	if st, err := os.Stat(filepath.Dir(*out)); err != nil || !st.IsDir() {
		return fail(env, "--out %s: the folder %s does not exist", *out, filepath.Dir(*out))
	}
	img, err := app.CutOut(ctx, rest[0], opt)
	if err != nil {
		if ctx.Err() != nil {
			fmt.Fprintln(env.Stderr, "kiln: cancelled")
			return exitCancelled
		}
		return fail(env, "%v", err)
	}
	if err := atomicfile.Write(*out, 0o644, func(w io.Writer) error { return png.Encode(w, img) }); err != nil {
		return fail(env, "--out %s: %v", *out, err)
	}
	abs, err := filepath.Abs(*out)
	if err != nil {
		abs = *out
	}
	fmt.Fprintln(env.Stdout, abs)
	return exitOK
}

// sameFile reports whether the two paths name one existing file.
func sameFile(a, b string) bool {
	sa, err := os.Stat(a)
	if err != nil {
		return false
	}
	sb, err := os.Stat(b)
	return err == nil && os.SameFile(sa, sb)
}
