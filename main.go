// Kiln turns reference images into 3D models. This is its composition root: it picks the
// providers, opens the data directory and hands over to the command line or the window.
package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"golang.org/x/term"

	"github.com/kiln3d/kiln/app"
	"github.com/kiln3d/kiln/app/cli"
	"github.com/kiln3d/kiln/preview"
	"github.com/kiln3d/kiln/preview/g3n"
	"github.com/kiln3d/kiln/preview/g3n/glfwctx"
	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/jobsapi"
	"github.com/kiln3d/kiln/providers/kaedim"
	"github.com/kiln3d/kiln/providers/local"
	"github.com/kiln3d/kiln/providers/rodin"
	"github.com/kiln3d/kiln/providers/threedverse"
	"github.com/kiln3d/kiln/views"
	_ "github.com/kiln3d/kiln/views/cleanlocale" // before Fyne's init reads the locale
	"github.com/kiln3d/kiln/views/nativedialog"
)

func main() { os.Exit(run(os.Args[1:])) }

func run(args []string) (status int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(os.Stderr, "kiln: internal error: %v\n", r)
			status = 70
		}
	}()
	// Providers hold no credential: the core binds each job's own (providers.Keyed).
	kd, err := kaedim.New(kaedim.Config{})
	if err != nil {
		return failed(err)
	}
	rd, err := rodin.New(rodin.Config{})
	if err != nil {
		return failed(err)
	}
	ks, err := jobsapi.New(jobsapi.Config{})
	if err != nil {
		return failed(err)
	}
	reg, err := providers.NewRegistry(local.New(), kd, rd, ks)
	if err != nil {
		return failed(err)
	}
	// Where finished models are published, beside the providers that make them.
	verse, err := threedverse.New(threedverse.Config{})
	if err != nil {
		return failed(err)
	}
	if err := reg.AddTargets(verse); err != nil {
		return failed(err)
	}
	// Model thumbnails share one headless renderer, started the first time one is needed.
	thumbs := g3n.NewLazy(g3n.Options{Supersample: 2})
	defer func() { _ = thumbs.Close() }()
	renderThumb := func(ctx context.Context, model, out string) error {
		return thumbs.RenderFile(ctx, model, out, g3n.RenderOptions{Size: 256})
	}
	open := func(q app.QueueOptions) (*app.Kiln, error) {
		return app.Open(app.Options{Providers: reg, Queue: q, RenderThumbnail: renderThumb})
	}
	if len(args) > 0 && cli.IsUnknownCommand(args[0]) {
		// "kiln serve" on a Kiln without it: say so, rather than open a window on an image
		// called serve.
		fmt.Fprintf(os.Stderr, "kiln: no such command %q (try kiln help)\n", providers.Printable(args[0]))
		return 2
	}
	window := func(files []string) int {
		k, err := open(app.QueueOptions{Workers: 4, Resume: true, Limits: map[string]int{local.Name: 1}})
		if err != nil {
			return failed(err)
		}
		defer k.Close()
		views.Run(k, views.Options{Dialogs: nativedialog.Dialogs{}, Files: files, Renderer: func() preview.Renderer {
			// The preview's GL context is a hidden GLFW window beside Fyne's (see preview/g3n).
			return g3n.Start(glfwctx.New(), g3n.Options{Samples: 4})
		}})
		return 0
	}
	if len(args) > 0 && args[0] == "view" {
		// A window, not a command: Ctrl-C ends it at once, as it ends `kiln MODEL`.
		env := cli.Env{Stdout: os.Stdout, Stderr: os.Stderr,
			Window: func(model string) int { return window([]string{model}) }}
		return cli.Run(context.Background(), args, env)
	}
	if len(args) > 0 && cli.IsCommand(args[0]) {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		go stopPromptly(ctx, stop)
		env := cli.Env{Stdout: os.Stdout, Stderr: os.Stderr, Stdin: os.Stdin, Open: open, Render: renderFile,
			Terminal: term.IsTerminal(int(os.Stderr.Fd()))}
		if term.IsTerminal(int(os.Stdin.Fd())) {
			env.Ask = askTerminal
		}
		return cli.Run(ctx, args, env)
	}
	return window(args)
}

// stopPromptly makes Ctrl-C and SIGTERM end any command: the first cancels the command's work
// (a job is cancelled, unfinished ones resume next time); a second, or a command still busy after
// a grace period, ends the process at once.
func stopPromptly(ctx context.Context, stop context.CancelFunc) {
	<-ctx.Done()
	stop() // a second signal now takes the default action: the process ends
	t := time.NewTimer(stopGrace)
	defer t.Stop()
	<-t.C
	fmt.Fprintf(os.Stderr, "kiln: still stopping after %s: quitting now (unfinished jobs resume next time)\n", stopGrace)
	os.Exit(130)
}

// stopGrace is how long a command may take to wind down after Ctrl-C or SIGTERM.
const stopGrace = 10 * time.Second

func failed(err error) int {
	fmt.Fprintln(os.Stderr, "kiln:", err)
	return 1
}

// askTerminal asks a question on the terminal; a secret is typed without echo.
func askTerminal(label string, secret bool) (string, error) {
	fmt.Fprintf(os.Stderr, "%s: ", label)
	if secret {
		b, err := term.ReadPassword(int(os.Stdin.Fd()))
		fmt.Fprintln(os.Stderr)
		return string(b), err
	}
	line, err := bufio.NewReader(os.Stdin).ReadString('\n')
	return strings.TrimRight(line, "\r\n"), err
}

// renderFile draws one picture headless (surfaceless EGL: no X server needed).
func renderFile(ctx context.Context, r cli.RenderRequest) error {
	return g3n.RenderFile(ctx, r.Model, r.Out, g3n.RenderOptions{Size: r.Size, View: r.View, Mode: r.Mode,
		Background: r.Background, Grid: r.Grid, Light: r.Light, EnvironmentFile: r.Env, Exposure: r.Exposure,
		ToneMap: r.ToneMap, Transparent: r.Transparent, Clip: r.Clip, Time: r.Time})
}
