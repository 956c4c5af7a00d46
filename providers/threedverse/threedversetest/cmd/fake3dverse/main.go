// Command fake3dverse runs the fake 3dverse Asset API on a loopback port for demos: it prints the
// endpoint and an API key with every scope as one line of JSON on stdout, then serves until
// interrupted (SIGINT or SIGTERM).
//
//	fake3dverse [-addr 127.0.0.1:0] [-step 1s] [-shell]
//
// The line reads {"url": ..., "apiKey": ..., "folderId": ...}: the folder, "Kiln demo", is the
// app's, as if made in the console, so nobody has access to it until the API key grants it. With
// -shell it prints instead two export lines, KILN_3DVERSE_ENDPOINT and KILN_3DVERSE_API_KEY, for
// a shell to source while the fake keeps running:
//
//	fake3dverse -shell >3dverse.env & sleep 1; . ./3dverse.env
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/kiln3d/kiln/providers/providertest/fakehttp"
	"github.com/kiln3d/kiln/providers/threedverse/threedversetest"
)

// demo is what the app needs to talk to the fake: the endpoint and the key it accepts, and the
// folder made for the demo.
type demo struct {
	URL      string `json:"url"`
	APIKey   string `json:"apiKey"`
	FolderID string `json:"folderId"`
}

func main() { fakehttp.Main(run) }

func run(args []string, stdout, stderr io.Writer, stop <-chan os.Signal) int {
	fs, addr := fakehttp.DemoFlags("fake3dverse", stderr)
	step := fs.Duration("step", time.Second, "how long an upload task stays in each status (waiting, downloading, pending, converting)")
	shell := fs.Bool("shell", false, "print the endpoint and key as the KILN_3DVERSE_* variables Kiln reads, for a shell to eval")
	// The fake serves plain http and hands out its key: it stays on this computer.
	if !fakehttp.ParseDemo(fs, args, stderr, addr) {
		return 2
	}
	if *step <= 0 {
		fmt.Fprintf(stderr, "fake3dverse: a step of %v: it must be more than 0\n", *step)
		return 2
	}
	srv, err := threedversetest.Start(threedversetest.Options{Addr: *addr, Step: *step})
	if err != nil {
		fmt.Fprintln(stderr, "fake3dverse:", err)
		return 1
	}
	defer srv.Close()
	key := srv.AddAPIKey(threedversetest.KeyOptions{})
	folder := srv.CreateFolder("Kiln demo")
	if *shell {
		fmt.Fprintf(stdout, "export KILN_3DVERSE_ENDPOINT=%s\nexport KILN_3DVERSE_API_KEY=%s\n", fakehttp.ShellQuote(srv.URL()), fakehttp.ShellQuote(key))
	} else if err := json.NewEncoder(stdout).Encode(demo{URL: srv.URL(), APIKey: key, FolderID: folder.ID}); err != nil { //nolint:gosec // printing the fake's key is the command's purpose
		fmt.Fprintln(stderr, "fake3dverse:", err)
		return 1
	}
	<-stop
	return 0
}
