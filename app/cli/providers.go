package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/kiln3d/kiln/app"
	"github.com/kiln3d/kiln/providers"
)

// providerInfo is one provider as `kiln providers --json` prints it: everything a script needs
// to build a request with --option KEY=VALUE, and whether a key is set.
type providerInfo struct {
	Name            string          `json:"name"`
	Title           string          `json:"title"`
	Offline         bool            `json:"offline"`
	NeedsKey        bool            `json:"needs_key"`
	KeySet          bool            `json:"key_set"`
	Credentials     []string        `json:"credentials,omitempty"`
	KeyVariables    []string        `json:"key_variables,omitempty"`
	Endpoint        string          `json:"endpoint,omitempty"`
	DefaultEndpoint string          `json:"default_endpoint,omitempty"`
	Images          rangeInfo       `json:"images"`
	Prompt          bool            `json:"prompt"`
	Views           bool            `json:"views"`
	Dimensions      bool            `json:"dimensions"`
	Projects        bool            `json:"projects"`
	Polycount       rangeInfo       `json:"polycount"`
	PolycountRanges []polycountInfo `json:"polycount_ranges,omitempty"`
	Options         []optionInfo    `json:"options"`
	Retexture       *retextureInfo  `json:"retexture,omitempty"`
}

type rangeInfo struct {
	Min     int `json:"min"`
	Max     int `json:"max"`
	Default int `json:"default,omitempty"`
}

type polycountInfo struct {
	When providers.Condition `json:"when"`
	rangeInfo
	Note string `json:"note,omitempty"`
}

type optionInfo struct {
	Key      string              `json:"key"`
	Label    string              `json:"label"`
	Choices  []choiceInfo        `json:"choices,omitempty"`
	Number   *rangeInfo          `json:"number,omitempty"`
	Default  string              `json:"default,omitempty"`
	Defaults []defaultInfo       `json:"defaults,omitempty"`
	When     providers.Condition `json:"when,omitempty"`
	Help     string              `json:"help,omitempty"`
}

type choiceInfo struct {
	Value string `json:"value"`
	Label string `json:"label"`
}

type defaultInfo struct {
	When  providers.Condition `json:"when"`
	Value string              `json:"value"`
}

type retextureInfo struct {
	Title   string       `json:"title"`
	Options []optionInfo `json:"options"`
}

func listProviders(ctx context.Context, args []string, env Env) int {
	fs := flag.NewFlagSet("providers", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print a JSON array")
	rest, ok := parse(fs, args, env)
	if !ok {
		return exitUsage
	}
	if len(rest) > 0 {
		fmt.Fprintln(env.Stderr, "kiln providers: takes no arguments")
		return exitUsage
	}
	k, err := env.Open(app.QueueOptions{Workers: 1})
	if err != nil {
		return fail(env, "%v", err)
	}
	defer k.Close()
	creds, err := k.Keys.List(ctx)
	if err != nil {
		return fail(env, "%v", err)
	}
	var infos []providerInfo
	for _, p := range k.Providers.All() {
		infos = append(infos, describe(p, creds))
	}
	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(infos); err != nil {
			return fail(env, "%v", err)
		}
		return exitOK
	}
	for i, info := range infos {
		if i > 0 {
			fmt.Fprintln(env.Stdout)
		}
		printProvider(env, info)
	}
	return exitOK
}

func describe(p providers.Provider, creds []app.Credential) providerInfo {
	c := p.Capabilities()
	info := providerInfo{Name: c.Name, Title: c.Title, Offline: c.Offline, NeedsKey: c.NeedsKey,
		Images: rangeInfo{Min: c.MinImages, Max: c.MaxImages}, Prompt: c.Prompt, Views: c.Views,
		Dimensions: c.Dimensions, Projects: c.HasProjects,
		Polycount: rangeInfo{c.Polycount.Min, c.Polycount.Max, c.Polycount.Default}, Options: optionInfos(c, c.Options)}
	for _, r := range c.PolycountRanges {
		info.PolycountRanges = append(info.PolycountRanges, polycountInfo{r.When, rangeInfo{r.Min, r.Max, r.Default}, r.Note})
	}
	if c.Retexture != nil {
		info.Retexture = &retextureInfo{Title: c.Retexture.Title, Options: optionInfos(c, c.Retexture.Options)}
	}
	for _, f := range c.KeyFields {
		if !f.Optional {
			info.KeyVariables = append(info.KeyVariables, app.EnvVar(c.Name, f))
		}
	}
	for _, cr := range creds {
		if cr.Provider == c.Name {
			info.KeySet = true
			info.Credentials = append(info.Credentials, cr.Name)
		}
	}
	if e, ok := p.(providers.Endpointed); ok {
		info.Endpoint, info.DefaultEndpoint = e.Endpoint(), e.DefaultEndpoint()
	}
	return info
}

func optionInfos(c providers.Capabilities, opts []providers.Option) []optionInfo {
	out := []optionInfo{}
	for _, o := range opts {
		oi := optionInfo{Key: o.Key, Label: o.Label, When: o.When, Help: o.Help}
		for _, ch := range o.Choices {
			oi.Choices = append(oi.Choices, choiceInfo(ch))
		}
		if len(o.Choices) > 0 {
			oi.Default = o.Choices[0].Value
		}
		if o.Number != nil {
			oi.Number = &rangeInfo{Min: o.Number.Min, Max: o.Number.Max}
		}
		for _, d := range o.Defaults {
			oi.Defaults = append(oi.Defaults, defaultInfo(d))
		}
		out = append(out, oi)
	}
	return out
}

func printProvider(env Env, p providerInfo) {
	w := env.Stdout
	key := "no key needed"
	switch {
	case p.NeedsKey && p.KeySet:
		key = "key set: " + strings.Join(p.Credentials, ", ")
	case p.NeedsKey:
		key = "no key yet: kiln keys add " + p.Name + " --name NAME, or set " + strings.Join(p.KeyVariables, " and ")
	}
	fmt.Fprintf(w, "%s: %s (%s)\n", p.Name, p.Title, key)
	if p.Endpoint != "" && p.Endpoint != p.DefaultEndpoint {
		fmt.Fprintf(w, "  address: %s (default %s)\n", p.Endpoint, p.DefaultEndpoint)
	}
	images := fmt.Sprintf("%d to %d images", p.Images.Min, p.Images.Max)
	if p.Prompt {
		images += ", or --prompt TEXT alone"
	}
	fmt.Fprintf(w, "  inputs: %s\n", images)
	fmt.Fprintf(w, "  --polycount %d to %d (default %d)\n", p.Polycount.Min, p.Polycount.Max, p.Polycount.Default)
	for _, r := range p.PolycountRanges {
		fmt.Fprintf(w, "    %s: %d to %d (default %d)\n", whenText(r.When, ""), r.Min, r.Max, r.Default)
	}
	printOptions(w, "--option", p.Options)
	if p.Retexture != nil {
		fmt.Fprintf(w, "  kiln retexture (%s) options:\n", p.Retexture.Title)
		printOptions(w, "  --option", p.Retexture.Options)
	}
}

func printOptions(w io.Writer, prefix string, opts []optionInfo) {
	for _, o := range opts {
		var values string
		switch {
		case o.Number != nil:
			values = fmt.Sprintf("a whole number from %d to %d, or empty", o.Number.Min, o.Number.Max)
		default:
			vs := make([]string, 0, len(o.Choices))
			for _, c := range o.Choices {
				vs = append(vs, c.Value)
			}
			values = strings.Join(vs, "|") + " (default " + o.Default
			for _, d := range o.Defaults {
				values += "; " + d.Value + " " + whenText(d.When, "when ")
			}
			values += ")"
		}
		fmt.Fprintf(w, "  %s %s=%s  %s", prefix, o.Key, values, o.Label)
		if len(o.When) > 0 {
			fmt.Fprintf(w, " [%s]", whenText(o.When, "only when "))
		}
		fmt.Fprintln(w)
	}
}

// whenText puts a condition in words after lead: "only when tier=Gen-2.5-Low|Gen-2.5-High".
func whenText(c providers.Condition, lead string) string {
	if len(c) == 0 {
		return lead + "always"
	}
	return lead + c.String()
}
