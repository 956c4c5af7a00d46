package fakehttp

import (
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strings"
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

// ParseDemo parses a demo command's arguments with fs (made by DemoFlags for the command name)
// and checks them: no positional argument, and the -addr flag's value (addr, read once parsed)
// on this computer (CheckLoopback). It reports a problem on stderr and returns false; the command
// then exits with status 2.
func ParseDemo(fs *flag.FlagSet, args []string, stderr io.Writer, addr *string) bool {
	if err := fs.Parse(args); err != nil {
		return false
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "%s: unexpected arguments %q\n", fs.Name(), fs.Args())
		return false
	}
	return CheckLoopback(stderr, fs.Name(), *addr)
}

// ShellQuote quotes v for a POSIX shell, for the export lines a demo command prints with -shell:
// nothing in single quotes is expanded (a base path may hold a $).
func ShellQuote(v string) string { return "'" + strings.ReplaceAll(v, "'", `'\''`) + "'" }
