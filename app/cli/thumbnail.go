package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"time"
)

// Thumbnail sizes: the freedesktop thumbnail spec's folders run from normal (128) to xx-large
// (1024); a file manager asks for one of those, or a small icon.
const (
	thumbnailMinSize = 16
	thumbnailMaxSize = 1024
	// thumbnailTimeout bounds one thumbnail: a file manager waits on it.
	thumbnailTimeout = 30 * time.Second
)

const thumbnailUsage = "usage: kiln thumbnail MODEL OUT SIZE [--timeout 30s]"

// thumbnail is the freedesktop thumbnailer (share/thumbnailers/kiln.thumbnailer runs
// `kiln thumbnail %i %o %s`): the model drawn from the render's default three-quarter view into a
// SIZE×SIZE PNG at OUT, which needs no .png extension (file managers pass temporary names).
// It prints nothing on success; OUT is written whole or not at all.
func thumbnail(ctx context.Context, args []string, env Env) int {
	fs := flag.NewFlagSet("thumbnail", flag.ContinueOnError)
	timeout := fs.Duration("timeout", thumbnailTimeout, "give up after this long")
	rest, ok := parse(fs, args, env)
	if !ok || len(rest) != 3 {
		return usageOr(env, ok, thumbnailUsage)
	}
	req := RenderRequest{Model: rest[0], Out: rest[1]}
	size, err := strconv.Atoi(rest[2])
	if err != nil || size < thumbnailMinSize || size > thumbnailMaxSize {
		return fail(env, "thumbnail size %q: give %d to %d pixels", rest[2], thumbnailMinSize, thumbnailMaxSize)
	}
	req.Size = size
	if *timeout <= 0 {
		return fail(env, "--timeout %s: give a positive duration", *timeout)
	}
	if info, err := os.Stat(req.Model); err != nil {
		return fail(env, "%s: the model cannot be read (%v)", req.Model, err)
	} else if info.IsDir() {
		return fail(env, "%s: the model is a folder", req.Model)
	}
	if req.Out == "" {
		return fail(env, "no output file")
	}
	if env.Render == nil {
		return fail(env, "this build of Kiln has no renderer")
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	// The renderer honours ctx; waiting here as well keeps the promise should it not (a GL
	// driver stuck in a call): the command returns, and the process with it.
	done := make(chan error, 1)
	go func() { done <- env.Render(ctx, req) }()
	select {
	case err = <-done:
	case <-ctx.Done():
		err = ctx.Err()
	}
	if err != nil {
		switch {
		case errors.Is(ctx.Err(), context.DeadlineExceeded):
			return fail(env, "%s: no thumbnail after %s (gave up)", req.Model, *timeout)
		case ctx.Err() != nil:
			fmt.Fprintln(env.Stderr, "kiln: cancelled")
			return exitCancelled
		}
		return fail(env, "no thumbnail: %v", err)
	}
	return exitOK
}
