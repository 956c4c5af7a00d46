package fakehttp

import (
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/kiln3d/kiln/providers/httpkit"
)

// Main runs a fake's demo command: run gets the command line's arguments, stdout, stderr and a
// channel that SIGINT and SIGTERM arrive on, and returns the exit status.
func Main(run func(args []string, stdout, stderr io.Writer, stop <-chan os.Signal) int) {
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr, stop))
}

// DemoFlags returns the flag set of the demo command name, which reports to stderr and returns
// parse errors, with the flag every fake takes: -addr, the loopback address to listen on
// (127.0.0.1:0 by default).
func DemoFlags(name string, stderr io.Writer) (fs *flag.FlagSet, addr *string) {
	fs = flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs, fs.String("addr", "127.0.0.1:0", "loopback address to listen on")
}

// CheckLoopback says whether addr is host:port on this computer, and when it is not, tells stderr
// in the words of the command name. A fake serves plain http and hands out its credentials: it
// stays on this computer.
func CheckLoopback(stderr io.Writer, name, addr string) bool {
	if host, _, err := net.SplitHostPort(addr); err == nil && httpkit.IsLoopback(host) {
		return true
	}
	fmt.Fprintf(stderr, "%s: %s is not a loopback address (127.0.0.1:PORT, [::1]:PORT, localhost:PORT)\n", name, addr)
	return false
}
