// Package rodin is Kiln's client for the Hyper3D Rodin API (https://api.hyper3d.com/api/v2).
//
// A Rodin task crosses the API in three steps. Submit posts the reference images (or a prompt
// alone, for text-to-3D) to /rodin as multipart/form-data and gets back the task's uuid and a
// subscription key; texturing an existing model goes to /rodin_texture_only instead. Collect then
// asks /status with the subscription key until every job of the task is Done (a task runs a few
// jobs, geometry then texture), asks /download with the task uuid for the result files' links,
// and downloads the model (a glb) and Rodin's preview.webp at once, as the links expire within
// minutes. TestKey and Balance ask /check_balance.
//
// Rodin authenticates every call with "Authorization: Bearer <API key>". It has no webhook a
// desktop app could receive and no list of the account's tasks, so Collect polls, and a submission
// whose answer was lost cannot be found again: Submit is never retried.
package rodin

import (
	"context"
	"fmt"
	"strings"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/httpkit"
)

// Name is the provider's registry key.
const Name = "rodin"

// DefaultEndpoint is Rodin's documented base URL: the origin and the API's path, before /rodin,
// /status, /download, ...
const DefaultEndpoint = "https://api.hyper3d.com/api/v2"

// apiPath is the path of Rodin's API on its hosts, added to an endpoint given without a path.
const apiPath = "/api/v2"

// PollConfig paces Collect's polling of /status: First is the wait after the first poll
// (0 means 2 s), Max the longest wait (0 means 15 s), and Jitter the share of each wait drawn at
// random.
type PollConfig = httpkit.PollConfig

// Config sets up a Provider.
type Config struct {
	// Endpoint is Rodin's base URL, DefaultEndpoint when empty. An address without a path gets
	// Rodin's /api/v2. It must use https; plain http is accepted only for loopback hosts (a fake
	// server on this computer).
	Endpoint string
	// Secrets is the credential used until WithSecrets binds another; nil leaves the provider
	// without one, so that every call asks for a key (the core binds each job's own).
	Secrets providers.Secrets
	// Config is the setup every cloud client shares: the HTTP client, the polling, the stall
	// timeout, the clock, the timer and the log.
	httpkit.Config
}

// Provider is the Rodin client. One value serves any number of concurrent jobs.
type Provider struct {
	// Kit is the HTTP client, polling, clock, timer and log, with every default applied.
	httpkit.Kit
	// secrets is the credential this value acts with: Config.Secrets, or the one WithSecrets
	// bound.
	secrets providers.Secrets
	// Address is the base URL, which every value WithSecrets makes from one New shares
	// (providers.Endpointed).
	*httpkit.Address
}

// New returns a Rodin provider, or an error when cfg.Endpoint cannot be used.
func New(cfg Config) (*Provider, error) {
	address, err := httpkit.NewAddress(DefaultEndpoint, cfg.Endpoint, checkEndpoint)
	if err != nil {
		return nil, err
	}
	p := &Provider{
		// Authorization, the only credential Rodin takes, is among the headers every redirect
		// that leaves the host drops.
		Kit:     cfg.Kit(defaultFirst, defaultMax),
		secrets: cfg.Secrets,
		Address: address,
	}
	return p, nil
}

// WithSecrets returns the provider acting with the credential s (providers.Keyed): it shares the
// address and the HTTP client with p.
func (p *Provider) WithSecrets(s providers.Secrets) providers.Provider {
	bound := *p
	bound.secrets = s
	return &bound
}

// checkEndpoint returns the base URL Kiln will send the API key to, or why it will not. Rodin's
// documentation writes its base URL with the API's path; an address pasted without one (the bare
// host, as older clients wrote it) gets that path.
func checkEndpoint(raw string) (string, error) {
	e, err := httpkit.CheckEndpoint(raw, DefaultEndpoint)
	if err != nil {
		return "", fmt.Errorf("rodin: %w", err)
	}
	if scheme, rest, ok := strings.Cut(e, "://"); ok && !strings.Contains(rest, "/") {
		e = scheme + "://" + rest + apiPath
	}
	return e, nil
}

// Projects returns nil: Rodin files tasks under no project.
func (p *Provider) Projects(context.Context) ([]providers.Project, error) { return nil, nil }
