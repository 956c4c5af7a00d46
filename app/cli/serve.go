package cli

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/kiln3d/kiln/app"
	"github.com/kiln3d/kiln/app/server"
	"github.com/kiln3d/kiln/providers/httpkit"
)

// drainFor bounds how long `kiln serve` waits, after SIGTERM, for requests in flight; it stays
// under main's grace period, so a drain is never cut short.
const drainFor = 8 * time.Second

func serve(ctx context.Context, args []string, env Env) int {
	if len(args) > 0 && args[0] == "keys" {
		return serveKeys(ctx, args[1:], env)
	}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:3000", "address to listen on (host:port; port 0 picks a free one)")
	workers := fs.Int("workers", 2, "jobs run at once")
	certFile := fs.String("tls-cert", "", "TLS certificate (PEM); with --tls-key, serve https")
	keyFile := fs.String("tls-key", "", "TLS private key (PEM)")
	insecure := fs.Bool("insecure-http", false, "allow plain http on an address other than loopback")
	baseURL := fs.String("base-url", "", "the address clients reach the server at, for the URLs in answers and webhooks")
	rate := fs.Float64("rate", 10, "requests per second a key may make on average")
	burst := fs.Int("burst", 60, "requests a key may make at once")
	maxUpload := fs.Int64("max-upload-mb", 64, "largest request body, in MiB")
	if rest, ok := parse(fs, args, env); !ok || len(rest) > 0 {
		return usageOr(env, ok, "kiln serve takes no arguments (kiln serve keys ... manages keys)")
	}
	if *workers < 1 || *workers > 64 {
		return usageOr(env, true, "kiln serve: --workers must be from 1 to 64")
	}
	if (*certFile == "") != (*keyFile == "") {
		return usageOr(env, true, "kiln serve: give both --tls-cert and --tls-key, or neither")
	}
	host, _, err := net.SplitHostPort(*addr)
	if err != nil {
		return usageOr(env, true, fmt.Sprintf("kiln serve: --addr %q is not host:port", *addr))
	}
	k, err := env.Open(app.QueueOptions{Workers: *workers, Resume: true})
	if err != nil {
		return fail(env, "%v", err)
	}
	defer k.Close()
	log := slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	srv, err := server.New(ctx, k, server.Options{Rate: *rate, Burst: *burst, MaxUpload: *maxUpload << 20,
		BaseURL: *baseURL, Logger: log})
	if err != nil {
		return fail(env, "%v", err)
	}
	defer srv.Close()
	active, err := srv.Keys.Count(ctx)
	if err != nil {
		return fail(env, "%v", err)
	}
	if !httpkit.IsLoopback(host) {
		// Beyond this computer, keys and models cross a network: only with keys, and only
		// encrypted unless the operator says otherwise.
		if active == 0 {
			return fail(env, "refusing to listen on %s: no API key exists, so anyone could use it; make one first: kiln serve keys create --name admin --scopes keys:admin,jobs:read,jobs:write", *addr)
		}
		if *certFile == "" && !*insecure {
			return fail(env, "refusing to listen on %s without TLS: give --tls-cert and --tls-key, or --insecure-http to send keys and models over plain http", *addr)
		}
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fail(env, "listen on %s: %v", *addr, err)
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	scheme := "http"
	if *certFile != "" {
		scheme = "https"
		hs.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	url := scheme + "://" + ln.Addr().String()
	fmt.Fprintf(env.Stderr, "kiln serve: listening on %s (admin page %s/, API %s/api/v1, %d active keys)\n", url, url, url, active)
	if active == 0 {
		fmt.Fprintln(env.Stderr, "kiln serve: no API keys yet: make one with kiln serve keys create --name admin --scopes keys:admin,jobs:read,jobs:write")
	}
	served := make(chan error, 1)
	go func() {
		if *certFile != "" {
			served <- hs.ServeTLS(ln, *certFile, *keyFile)
		} else {
			served <- hs.Serve(ln)
		}
	}()
	select {
	case err := <-served:
		return fail(env, "serve: %v", err)
	case <-ctx.Done():
	}
	// SIGTERM or Ctrl-C: take no more jobs, answer what is in flight, then stop. Queued and
	// running jobs stay in the ledger and resume when the server starts again.
	fmt.Fprintln(env.Stderr, "kiln serve: stopping: no new jobs; unfinished ones resume at the next start")
	srv.Drain()
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), drainFor)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return fail(env, "stop: %v", err)
	}
	return exitOK
}

func serveKeys(ctx context.Context, args []string, env Env) int {
	if len(args) == 0 {
		fmt.Fprintln(env.Stderr, "kiln serve keys: say create, list or revoke (kiln help)")
		return exitUsage
	}
	sub, args := args[0], args[1:]
	fs := flag.NewFlagSet("serve keys "+sub, flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print JSON")
	var name, scopes *string
	switch sub {
	case "create":
		name = fs.String("name", "", "what the key is for (\"web shop\", \"ci\")")
		scopes = fs.String("scopes", "jobs:read,jobs:write", "comma-separated: jobs:read, jobs:write, keys:admin")
	case "list", "revoke":
	default:
		fmt.Fprintf(env.Stderr, "kiln serve keys: unknown command %q (create, list, revoke)\n", sub)
		return exitUsage
	}
	rest, ok := parse(fs, args, env)
	if !ok {
		return exitUsage
	}
	if (sub == "revoke") != (len(rest) == 1) || (sub != "revoke" && len(rest) > 0) {
		return usageOr(env, true, "usage: kiln "+commands()["serve"].usage)
	}
	var sc []server.Scope
	if sub == "create" {
		var err error
		if sc, err = server.ParseScopes(*scopes); err != nil {
			return usageOr(env, true, "kiln serve keys create: "+err.Error())
		}
		if strings.TrimSpace(*name) == "" {
			return usageOr(env, true, "kiln serve keys create: give the key a --name (what it is for)")
		}
	}
	k, status := openKeys(env)
	if k == nil {
		return status
	}
	defer k.Close()
	ks, err := server.OpenKeys(ctx, k)
	if err != nil {
		return fail(env, "%v", err)
	}
	defer ks.Close()
	switch sub {
	case "create":
		nk, err := ks.Create(ctx, *name, sc)
		if err != nil {
			return fail(env, "%v", err)
		}
		if *asJSON {
			return printJSON(env, nk.JSON())
		}
		fmt.Fprintf(env.Stdout, "Made the key %q (%s), with %s.\n\n", nk.Name, nk.Prefix(), strings.Join(scopeStrings(nk.Scopes), ", "))
		fmt.Fprintf(env.Stdout, "  API key:        %s\n  Webhook secret: %s\n\n", nk.Secret, nk.WebhookSecret)
		fmt.Fprintln(env.Stdout, "Copy them now: they are not shown again (only a hash of the key is kept).")
		return exitOK
	case "revoke":
		key, err := ks.Revoke(ctx, rest[0])
		if err != nil {
			return fail(env, "%v", err)
		}
		if *asJSON {
			return printJSON(env, key.JSON())
		}
		fmt.Fprintf(env.Stdout, "Revoked %s (%s): it fails from now on.\n", key.Prefix(), key.Name)
		return exitOK
	}
	list, err := ks.List(ctx)
	if err != nil {
		return fail(env, "%v", err)
	}
	if *asJSON {
		out := make([]server.KeyJSON, len(list))
		for i, key := range list {
			out[i] = key.JSON()
		}
		return printJSON(env, out)
	}
	if len(list) == 0 {
		fmt.Fprintln(env.Stdout, "No API keys. Make one with: kiln serve keys create --name NAME --scopes jobs:read,jobs:write")
		return exitOK
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KEY PREFIX\tNAME\tSCOPES\tCREATED\tLAST USED\tSTATUS")
	for _, key := range list {
		used := "never"
		if !key.LastUsed.IsZero() {
			used = key.LastUsed.Local().Format("2006-01-02 15:04")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", key.Prefix(), key.Name, strings.Join(scopeStrings(key.Scopes), ","),
			key.Created.Local().Format("2006-01-02 15:04"), used, key.Status())
	}
	_ = tw.Flush()
	return exitOK
}

func scopeStrings(sc []server.Scope) []string {
	out := make([]string, len(sc))
	for i, s := range sc {
		out[i] = string(s)
	}
	return out
}
