package cli

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/kiln3d/kiln/app"
)

func keys(ctx context.Context, args []string, env Env) int {
	if len(args) == 0 {
		fmt.Fprintln(env.Stderr, "kiln keys: say list, add, remove or test (kiln help)")
		return exitUsage
	}
	sub, args := args[0], args[1:]
	switch sub {
	case "list":
		return keysList(ctx, args, env)
	case "add":
		return keysAdd(ctx, args, env)
	case "remove":
		return keysRemove(ctx, args, env)
	case "test":
		return keysTest(ctx, args, env)
	}
	fmt.Fprintf(env.Stderr, "kiln keys: unknown command %q (list, add, remove, test)\n", sub)
	return exitUsage
}

func openKeys(env Env) (*app.Kiln, int) {
	k, err := env.Open(app.QueueOptions{Workers: 1})
	if err != nil {
		return nil, fail(env, "%v", err)
	}
	return k, exitOK
}

func keysList(ctx context.Context, args []string, env Env) int {
	fs := flag.NewFlagSet("keys list", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print JSON")
	if rest, ok := parse(fs, args, env); !ok || len(rest) > 0 {
		return usageOr(env, ok, "kiln keys list takes no arguments")
	}
	k, status := openKeys(env)
	if k == nil {
		return status
	}
	defer k.Close()
	creds, err := k.Keys.List(ctx)
	if err != nil {
		return fail(env, "%v", err)
	}
	if *asJSON {
		return printJSON(env, nonNilCreds(creds))
	}
	if len(creds) == 0 {
		fmt.Fprintln(env.Stdout, "No keys yet. Add one with: kiln keys add PROVIDER --name NAME")
		return exitOK
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PROVIDER\tNAME\tKEY\tDEFAULT\tCREATED\tLAST USED\tLAST TEST")
	for _, c := range creds {
		def := ""
		if c.Default {
			def = "yes"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", c.Provider, c.Name, c.Prefix, def, day(c.Created), day(c.LastUsed), oneLine(c.LastTest, 60))
	}
	if err := tw.Flush(); err != nil {
		return fail(env, "%v", err)
	}
	return exitOK
}

func keysAdd(ctx context.Context, args []string, env Env) int {
	fs := flag.NewFlagSet("keys add", flag.ContinueOnError)
	name := fs.String("name", "", "a name for the key, e.g. Personal or Studio")
	rest, ok := parse(fs, args, env)
	if !ok || len(rest) != 1 || *name == "" {
		return usageOr(env, ok, "usage: kiln keys add PROVIDER --name NAME (the fields are then read from the terminal, or one per line from stdin)")
	}
	provider := rest[0]
	k, status := openKeys(env)
	if k == nil {
		return status
	}
	defer k.Close()
	caps, err := k.Providers.Service(provider)
	if err != nil {
		return fail(env, "%v", err)
	}
	if !caps.NeedsKey {
		return fail(env, "%s needs no key", caps.Title)
	}
	ask := env.Ask
	if ask == nil {
		ask = lineReader(env.Stdin)
	}
	values := map[string]string{}
	for _, f := range caps.KeyFields {
		label := f.Label
		if f.Optional {
			label += " (optional)"
		}
		v, err := ask(label, f.Secret)
		if err != nil {
			return fail(env, "reading %s: %v", f.Label, err)
		}
		values[f.Key] = strings.TrimSpace(v)
	}
	cred, err := k.Keys.Add(ctx, provider, *name, values)
	if err != nil {
		return fail(env, "%v", err)
	}
	fmt.Fprintf(env.Stdout, "Added %s key %q (%s) to the keychain.\n", caps.Title, cred.Name, cred.Prefix)
	return exitOK
}

func keysRemove(ctx context.Context, args []string, env Env) int {
	fs := flag.NewFlagSet("keys remove", flag.ContinueOnError)
	yes := fs.Bool("yes", false, "do not ask for confirmation")
	rest, ok := parse(fs, args, env)
	if !ok || len(rest) != 2 {
		return usageOr(env, ok, "usage: kiln keys remove PROVIDER NAME [--yes]")
	}
	if !*yes {
		if env.Ask == nil {
			return fail(env, "removing a key asks for confirmation: add --yes when not at a terminal")
		}
		answer, err := env.Ask(fmt.Sprintf("Remove the %s key %q from the keychain? [y/N]", rest[0], rest[1]), false)
		if err != nil || !strings.HasPrefix(strings.ToLower(strings.TrimSpace(answer)), "y") {
			fmt.Fprintln(env.Stderr, "kiln: nothing removed")
			return exitFailed
		}
	}
	k, status := openKeys(env)
	if k == nil {
		return status
	}
	defer k.Close()
	if err := k.Keys.Remove(ctx, rest[0], rest[1]); err != nil {
		return fail(env, "%v", err)
	}
	fmt.Fprintf(env.Stdout, "Removed the %s key %q.\n", rest[0], rest[1])
	return exitOK
}

func keysTest(ctx context.Context, args []string, env Env) int {
	fs := flag.NewFlagSet("keys test", flag.ContinueOnError)
	rest, ok := parse(fs, args, env)
	if !ok || len(rest) < 1 || len(rest) > 2 {
		return usageOr(env, ok, "usage: kiln keys test PROVIDER [NAME]")
	}
	name := ""
	if len(rest) == 2 {
		name = rest[1]
	}
	k, status := openKeys(env)
	if k == nil {
		return status
	}
	defer k.Close()
	tctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	outcome, err := k.Keys.TestKey(tctx, rest[0], name)
	if err != nil {
		return fail(env, "%v", err)
	}
	fmt.Fprintln(env.Stdout, outcome)
	return exitOK
}

// lineReader answers each question with the next line of r: for scripts that pipe the fields in.
func lineReader(r io.Reader) func(string, bool) (string, error) {
	if r == nil {
		return func(label string, _ bool) (string, error) {
			return "", fmt.Errorf("no input for %s", label)
		}
	}
	sc := bufio.NewScanner(r)
	return func(label string, _ bool) (string, error) {
		if !sc.Scan() {
			if err := sc.Err(); err != nil {
				return "", err
			}
			return "", fmt.Errorf("stdin ended before %s", label)
		}
		return sc.Text(), nil
	}
}

func day(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Local().Format("2006-01-02")
}

func nonNilCreds(c []app.Credential) []app.Credential {
	if c == nil {
		return []app.Credential{}
	}
	return c
}
