package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/kiln3d/kiln/app"
	"github.com/kiln3d/kiln/providers/fsguard"
)

// view opens the window on a model, watching it (`kiln view MODEL`, as `f3d --watch`): the
// model is checked here first, so that a mistyped name fails at the terminal, before any
// window opens.
func view(_ context.Context, args []string, env Env) int {
	fs := flag.NewFlagSet("view", flag.ContinueOnError)
	rest, ok := parse(fs, args, env)
	if !ok || len(rest) != 1 {
		return usageOr(env, ok, "usage: kiln view MODEL")
	}
	model, err := viewable(rest[0])
	if err != nil {
		return fail(env, "%v", err)
	}
	if env.Window == nil {
		return fail(env, "this build of Kiln has no window")
	}
	return env.Window(model)
}

// viewable checks that path is a glTF model Kiln can read and returns it absolute (the window
// watches it, whatever its working folder).
func viewable(path string) (string, error) {
	if !app.IsModelFile(path) {
		return "", fmt.Errorf("%s: not a glTF model (kiln view opens .glb and .gltf files)", path)
	}
	f, _, err := fsguard.OpenRegular(path)
	switch {
	case os.IsNotExist(err):
		return "", fmt.Errorf("%s: no such file", path)
	case err != nil:
		return "", fmt.Errorf("%s: the model cannot be read (%w)", path, err)
	}
	defer f.Close()
	// Opening is not reading: a file the permissions or the disk refuse fails here, not later.
	if _, err := f.Read(make([]byte, 1)); err != nil && err != io.EOF {
		return "", fmt.Errorf("%s: the model cannot be read (%w)", path, err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	return abs, nil
}
