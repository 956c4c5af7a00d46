// Command fakekaedim runs the fake Kaedim API on a loopback port for `make demo`: it prints the
// endpoint and the demo account's credentials as one line of JSON on stdout, then serves until
// interrupted.
//
//	fakekaedim [-addr 127.0.0.1:0] [-base /kaedim] [-generation 20s] [-shell]
//
// The line reads {"url": ..., "devID": ..., "apiKey": ..., "refreshToken": ..., "projects": [...]}.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/kiln3d/kiln/providers/kaedim/kaedimtest"
	"github.com/kiln3d/kiln/providers/providertest/fakehttp"
)

// demo is what the app needs to talk to the fake: the endpoint and the credentials it accepts.
type demo struct {
	URL string `json:"url"`
	kaedimtest.Account
	Projects []string `json:"projects"`
}

func main() { fakehttp.Main(run) }

func run(args []string, stdout, stderr io.Writer, stop <-chan os.Signal) int {
	fs, addr := fakehttp.DemoFlags("fakekaedim", stderr)
	base := fs.String("base", "", "serve the API below this path, e.g. /kaedim")
	generation := fs.Duration("generation", 20*time.Second, "how long a request takes to finish")
	shell := fs.Bool("shell", false, "print the endpoint and credentials as the KILN_KAEDIM_* variables Kiln reads, for a shell to eval")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	// The fake serves plain http and hands out its credentials: it stays on this computer.
	if !fakehttp.CheckLoopback(stderr, "fakekaedim", *addr) {
		return 2
	}
	srv, err := kaedimtest.Start(kaedimtest.Options{Addr: *addr, BasePath: *base, Generation: *generation,
		Projects: []kaedimtest.Project{{ID: "demo-sandbox", Name: "Sandbox"}, {ID: "demo-props", Name: "Props"}}})
	if err != nil {
		fmt.Fprintln(stderr, "fakekaedim:", err)
		return 1
	}
	defer srv.Close()
	if *shell {
		fmt.Fprintf(stdout, "export KILN_KAEDIM_ENDPOINT=%q KILN_KAEDIM_DEV_ID=%q KILN_KAEDIM_API_KEY=%q KILN_KAEDIM_REFRESH_TOKEN=%q\n",
			srv.URL, srv.Account.DevID, srv.Account.APIKey, srv.Account.RefreshToken)
	} else if err := json.NewEncoder(stdout).Encode(demo{URL: srv.URL, Account: srv.Account, Projects: []string{"Sandbox", "Props"}}); err != nil {
		fmt.Fprintln(stderr, "fakekaedim:", err)
		return 1
	}
	<-stop
	return 0
}
