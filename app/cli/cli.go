// Package cli is Kiln without a window: the same core as the GUI, driven from a terminal or a
// script. Every failure ends with one clear line on stderr and a non-zero exit status.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"

	"github.com/kiln3d/kiln/app"
	"github.com/kiln3d/kiln/providers"
)

// Exit statuses.
const (
	exitOK        = 0
	exitFailed    = 1
	exitUsage     = 2
	exitCancelled = 130
)

// Env is what a command runs with.
type Env struct {
	Stdout, Stderr io.Writer
	// Open opens the data directory with the given queue options.
	Open func(app.QueueOptions) (*app.Kiln, error)
	// Terminal says whether Stderr is a terminal, where progress is drawn as a bar.
	Terminal bool
	// Stdin feeds `keys add` one field per line when Ask is nil.
	Stdin io.Reader
	// Ask asks a question at the terminal, without echo when secret; nil when stdin is not one.
	Ask func(label string, secret bool) (string, error)
	// Render draws a model into a PNG without a window (main provides the GL renderer).
	Render func(ctx context.Context, r RenderRequest) error
	// Window opens Kiln's window on the model at the absolute path, in the Preview tab and
	// watching the file, and returns the exit status once the window closes (`kiln view`).
	Window func(model string) int
}

// command is one subcommand.
type command struct {
	usage string
	run   func(ctx context.Context, args []string, env Env) int
}

func commands() map[string]command {
	return map[string]command{
		"generate": {"generate [--provider NAME] [--key NAME] [--endpoint URL] [--polycount N] [--project ID] [--view VIEW=IMAGE]...\n" +
			"                [--height-cm H] [--width-cm W] [--depth-cm D] [--option KEY=VALUE]... [--quality Q] [--test]\n" +
			"                [--prompt TEXT] [--out PATH] [--force] [--json] IMAGE...\n" +
			"                | generate --each [--out FOLDER] [--json] [those options but --view] IMAGE|FOLDER...\n" +
			"                (--each: one model per image, in one batch, each named after its image)", generate},
		"retexture": {"retexture ASSET IMAGE [--provider NAME] [--key NAME] [--prompt TEXT] [--option KEY=VALUE]... [--out PATH] [--json]", retexture},
		"providers": {"providers [--json]", listProviders},
		"jobs":      {"jobs [--json] | jobs submit-again JOB | jobs mark-failed JOB", listJobs},
		"resume":    {"resume [--json]", resume},
		"keys": {"keys list [--json] | keys add PROVIDER --name NAME | keys remove PROVIDER NAME [--yes]\n" +
			"                | keys test PROVIDER [NAME]", keys},
		"library": {"library [--search Q] [--provider P] [--tag T] [--state S] [--sort newest|oldest|name|triangles|size]\n" +
			"                [--since DAY] [--until DAY] [--json]\n" +
			"                | library add PATH... | library rename ASSET NAME | library note ASSET [TEXT | -]\n" +
			"                | library tag ASSET... [--add TAG,TAG] [--remove TAG,TAG] | library tag ASSET... --set TAG,TAG\n" +
			"                | library rm ASSET...\n" +
			"                | library restore ASSET... | library trash [--json] | library trash --empty [--yes] | library reindex\n" +
			"                | library import PROVIDER [--since DAY] [--until DAY] | library download ASSET [--out PATH]\n" +
			"                (ASSET: an id, the start of one, or an asset's exact name)", library},
		"publish": {"publish TARGET ASSET [--folder NAME | --folder-id ID] [--replace | --add] [--key NAME] [--json]\n" +
			"                | publish TARGET --folders [--json]", publish},
		"view":     {"view MODEL   (opens the window on MODEL and reloads it whenever the file is saved again)", view},
		"render":   {"render MODEL --out PNG [--size 512] [--view front|back|left|right|top|iso] [--mode shaded|clay|wireframe]", render},
		"simplify": {"simplify IN.glb --polycount N --out OUT.glb [--force]", simplify},
		"mask":     {"mask IMAGE [--crop X,Y,W,H] [--tolerance T] --out PNG   (the cut-out: the object opaque, the background transparent)", maskCommand},
		"export": {"export ASSET... --preset godot|unity|unreal|blender [--format glb|gltf|obj] [--max-texture N]\n" +
			"                [--polycount N] [--out DIR] [--fix] [--force] [--json]\n" +
			"                (checks each first; --fix makes fixed copies in the library and exports those)", export},
		"check": {"check MODEL|ASSET [--preset godot|unity|unreal|blender] [--format F] [--max-texture N] [--polycount N]\n" +
			"                [--height-cm H] [--json]   (the export's pre-flight; exit 1 when a line fails)", check},
		"thumbnail": {"thumbnail MODEL OUT SIZE [--timeout 30s]\n" +
			"                (the file managers' thumbnailer: a SIZE×SIZE PNG of the model at OUT)", thumbnail},
		"serve": {"serve [--addr 127.0.0.1:3000] [--workers N] [--tls-cert PEM --tls-key PEM] [--insecure-http] [--base-url URL]\n" +
			"                | serve keys create --name NAME [--scopes jobs:read,jobs:write,keys:admin] [--json]\n" +
			"                | serve keys list [--json] | serve keys revoke KEY", serve},
		"version": {"version", version},
		"help":    {"help", help},
	}
}

// IsCommand reports whether name is a subcommand (as opposed to an image to open in the window).
func IsCommand(name string) bool {
	_, ok := commands()[name]
	return ok || name == "-h" || name == "--help" || name == "-version" || name == "--version"
}

// Run runs the subcommand named by args[0] and returns the process's exit status. Cancelling ctx
// (Ctrl-C) cancels the job being generated.
func Run(ctx context.Context, args []string, env Env) int {
	if len(args) == 0 {
		return help(ctx, nil, env)
	}
	switch args[0] {
	case "-h", "--help":
		return help(ctx, nil, env)
	case "-version", "--version":
		return version(ctx, nil, env)
	}
	c, ok := commands()[args[0]]
	if !ok {
		fmt.Fprintf(env.Stderr, "kiln: no such command %q (try kiln help)\n", providers.Printable(args[0]))
		return exitUsage
	}
	return c.run(ctx, args[1:], env)
}

func help(_ context.Context, _ []string, env Env) int {
	fmt.Fprintln(env.Stdout, "Kiln turns reference images into 3D models.")
	fmt.Fprintln(env.Stdout, "\nUsage:\n  kiln [IMAGE...]        open the window, with these images added")
	names := []string{"generate", "retexture", "providers", "jobs", "resume", "library", "publish", "keys", "export", "check", "view", "render", "thumbnail", "simplify", "mask", "serve", "version"}
	for _, n := range names {
		fmt.Fprintf(env.Stdout, "  kiln %s\n", commands()[n].usage)
	}
	fmt.Fprintf(env.Stdout, "\nData lives in $%s, or the system's data folder when unset.\n", app.HomeEnv)
	return exitOK
}

func version(_ context.Context, _ []string, env Env) int {
	fmt.Fprintf(env.Stdout, "kiln %s (%s %s/%s)\n", app.Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return exitOK
}

// parse parses flags that may come before, between or after the positional arguments, and returns
// the positional ones. A usage error has been printed when it returns false.
func parse(fs *flag.FlagSet, args []string, env Env) ([]string, bool) {
	fs.SetOutput(io.Discard)
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.SetOutput(env.Stdout)
				fs.PrintDefaults()
				return nil, false
			}
			fmt.Fprintf(env.Stderr, "kiln %s: %v\n", fs.Name(), err)
			return nil, false
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, true
		}
		if args[0] == "--" {
			return append(positional, args[1:]...), true
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

// fail prints one line for err and returns the exit status. File names and servers' words in it
// are escaped: a newline or an escape sequence is shown, never obeyed by the terminal.
func fail(env Env, format string, a ...any) int {
	msg := fmt.Sprintf(format, a...)
	fmt.Fprintln(env.Stderr, "kiln: "+providers.Printable(strings.TrimSpace(msg)))
	return exitFailed
}

// IsUnknownCommand reports whether arg, the first argument of a command line that names no
// command, reads as a mistyped command rather than an image to open: a bare word that is not a
// file ("serev", "exprot"), or an option Kiln does not have.
func IsUnknownCommand(arg string) bool {
	if IsCommand(arg) {
		return false
	}
	if strings.HasPrefix(arg, "-") {
		return true
	}
	if _, err := os.Stat(arg); err == nil {
		return false
	}
	return !strings.ContainsAny(arg, `./\`)
}
