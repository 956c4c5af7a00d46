// Command fakerodin runs the fake Hyper3D Rodin API on a loopback port for demos: it prints the
// endpoint and the demo account's API key as one line of JSON on stdout, then serves until
// interrupted (SIGINT or SIGTERM).
//
//	fakerodin [-addr 127.0.0.1:0] [-base /api/v2] [-generation 20s] [-balance 25] [-shell]
//
// The line reads {"url": ..., "apiKey": ..., "storageURL": ..., "balance": ...}. With -shell it
// prints instead two export lines, KILN_RODIN_ENDPOINT and KILN_RODIN_API_KEY, for a shell to
// source while the fake keeps running:
//
//	fakerodin -shell >rodin.env & sleep 1; . ./rodin.env
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/kiln3d/kiln/providers/providertest/fakehttp"
	"github.com/kiln3d/kiln/providers/rodin/rodintest"
)

// demo is what the app needs to talk to the fake: the endpoint and the key it accepts.
type demo struct {
	URL        string  `json:"url"`
	APIKey     string  `json:"apiKey"`
	StorageURL string  `json:"storageURL"`
	Balance    float64 `json:"balance"`
}

func main() { fakehttp.Main(run) }

func run(args []string, stdout, stderr io.Writer, stop <-chan os.Signal) int {
	fs, addr := fakehttp.DemoFlags("fakerodin", stderr)
	base := fs.String("base", rodintest.DefaultBasePath, "serve the API below this path")
	generation := fs.Duration("generation", 20*time.Second, "how long a task takes to finish")
	balance := fs.Float64("balance", 25, "the account's credit")
	shell := fs.Bool("shell", false, "print the endpoint and key as the KILN_RODIN_* variables Kiln reads, for a shell to eval")
	// The fake serves plain http and hands out its key: it stays on this computer.
	if !fakehttp.ParseDemo(fs, args, stderr, addr) {
		return 2
	}
	if *balance < 0 {
		fmt.Fprintf(stderr, "fakerodin: a balance of %g credits: it cannot be negative\n", *balance)
		return 2
	}
	srv, err := rodintest.Start(rodintest.Options{Addr: *addr, BasePath: *base, Generation: *generation})
	if err != nil {
		fmt.Fprintln(stderr, "fakerodin:", err)
		return 1
	}
	defer srv.Close()
	srv.SetBalance(*balance) // Options.Balance would read 0 as the default
	if *shell {
		fmt.Fprintf(stdout, "export KILN_RODIN_ENDPOINT=%s\nexport KILN_RODIN_API_KEY=%s\n", fakehttp.ShellQuote(srv.URL), fakehttp.ShellQuote(srv.Key))
	} else if err := json.NewEncoder(stdout).Encode(demo{URL: srv.URL, APIKey: srv.Key, StorageURL: srv.StorageURL, Balance: *balance}); err != nil { //nolint:gosec // printing the fake account's key is the command's purpose
		fmt.Fprintln(stderr, "fakerodin:", err)
		return 1
	}
	<-stop
	return 0
}
