// Package jobsapi is Kiln's client for the jobs API that `kiln serve` answers: another Kiln, on
// this computer or on a studio's server, that makes models for the artists who send it work.
//
// A job crosses the API in two steps. Submit posts the reference images (or a prompt) to
// /api/v1/jobs as multipart/form-data, naming which of the server's providers makes the model,
// and gets back the job's id. Collect then asks /api/v1/jobs/{id} until the job is done, and
// downloads the files the job lists (the model first) from the same server. TestKey asks for the
// key's newest job, the cheapest call a key can make.
//
// Every call carries the API key in an x-api-key header, and nothing is ever sent with it to any
// host but the server's. Every submission also carries the job's idempotency key
// (providers.Request.IdempotencyKey) in an Idempotency-Key header: the server answers the same
// submission sent again with the first answer, so this is the one cloud provider whose Submit the
// core may send again after a failure in flight. The server's rate limits are honoured: an answer
// that says no request is left makes the next call wait until the bucket fills again.
package jobsapi

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/httpkit"
)

// Name is the provider's registry key.
const Name = "jobsapi"

// Title is the provider's name in the picker and in messages.
const Title = "Kiln server"

// DefaultEndpoint is where `kiln serve` listens unless told otherwise: this computer, port 3000.
// Plain http is accepted there because nothing crosses a network; any other host needs https.
const DefaultEndpoint = "http://127.0.0.1:3000"

// apiPath is the API's path on the server, which every route starts with.
const apiPath = "/api/v1"

// The defaults of PollConfig. A local job takes seconds to a minute, a cloud one a few minutes;
// the server answers a poll from memory, so Collect starts quickly and slows to 10 s.
const (
	defaultFirst = time.Second
	defaultMax   = 10 * time.Second
)

// PollConfig paces Collect's polling of a job: First is the wait after the first poll (0 means
// 1 s), Max the longest wait (0 means 10 s), and Jitter the share of each wait drawn at random.
type PollConfig = httpkit.PollConfig

// Config sets up a Provider.
type Config struct {
	// Endpoint is the server's address, DefaultEndpoint when empty: the origin (and any path a
	// reverse proxy puts before /api/v1). It must use https; plain http is accepted only for
	// loopback hosts.
	Endpoint string
	// Secrets is the credential used until WithSecrets binds another; nil leaves the provider
	// without one, so that every call asks for a key (the core binds each job's own).
	Secrets providers.Secrets
	// Config is the setup every cloud client shares: the HTTP client, the polling, the stall
	// timeout, the clock, the timer and the log.
	httpkit.Config
}

// Provider is the jobs API client. One value serves any number of concurrent jobs.
type Provider struct {
	// Kit is the HTTP client, polling, clock, timer and log, with every default applied.
	httpkit.Kit
	// secrets is the credential this value acts with: Config.Secrets, or the one WithSecrets
	// bound.
	secrets providers.Secrets
	// limits are the server's rate limits as its last answers stated them, shared by every value
	// WithSecrets makes from one New: two jobs under one key draw on one bucket.
	limits *httpkit.Limits
	// Address is the server's address, which every value WithSecrets makes from one New shares
	// (providers.Endpointed).
	*httpkit.Address
}

// New returns a jobs API provider, or an error when cfg.Endpoint cannot be used.
func New(cfg Config) (*Provider, error) {
	address, err := httpkit.NewAddress(DefaultEndpoint, cfg.Endpoint, checkEndpoint)
	if err != nil {
		return nil, err
	}
	p := &Provider{
		// x-api-key is dropped, like Authorization, by every redirect that leaves the host.
		Kit:     cfg.Kit(defaultFirst, defaultMax, headerKey),
		secrets: cfg.Secrets,
		limits:  httpkit.NewLimits(maxRateWait),
		Address: address,
	}
	return p, nil
}

// WithSecrets returns the provider acting with the credential s (providers.Keyed): it shares the
// address, the HTTP client and the rate limits with p.
func (p *Provider) WithSecrets(s providers.Secrets) providers.Provider {
	bound := *p
	bound.secrets = s
	return &bound
}

// checkEndpoint returns the address Kiln will send the API key to, or why it will not. An address
// pasted with the API's own path (".../api/v1", as the server's pages write its routes) loses it:
// every route adds it again.
func checkEndpoint(raw string) (string, error) {
	e, err := httpkit.CheckEndpoint(raw, DefaultEndpoint)
	if err != nil {
		return "", fmt.Errorf("%s: %w", Name, err)
	}
	return strings.TrimSuffix(e, apiPath), nil
}

// Projects returns nil: the server files jobs under no project Kiln can list.
func (p *Provider) Projects(context.Context) ([]providers.Project, error) { return nil, nil }

// OptionProvider is the Options key naming which of the server's providers makes the model.
const OptionProvider = "provider"

// The server's providers, as OptionProvider names them.
const (
	// ProviderAuto sends no provider: the server picks its offline generator for images, and
	// its first ready provider that takes prompts for a prompt alone.
	ProviderAuto   = "auto"
	ProviderLocal  = "local"
	ProviderKaedim = "kaedim"
	ProviderRodin  = "rodin"
)

// Capabilities describes the jobs API. The server checks a request again against the provider
// it names, and refuses what that provider cannot do (a prompt to one that takes none).
func (p *Provider) Capabilities() providers.Capabilities {
	return providers.Capabilities{
		Name:  Name,
		Title: Title,
		// Up to the most any of the server's providers takes (Kaedim's six); the server refuses
		// more than the chosen one takes.
		MinImages: 1,
		MaxImages: 6,
		// The local generator's range, which the server's default provider keeps.
		Polycount:  providers.Range{Min: 500, Max: 200000, Default: 8000},
		NeedsKey:   true,
		KeyFields:  KeyFields(),
		Views:      true,
		Dimensions: true,
		// The server refuses a prompt when its provider takes none.
		Prompt: true,
		// Idempotent: this is the one provider whose Submit may safely be sent again. Every
		// submission carries Request.IdempotencyKey as its Idempotency-Key header, which the core
		// saves with the job before the request leaves; the server answers the same key with the
		// first answer and never makes a second job.
		Idempotent: true,
		Options: []providers.Option{{
			Key:   OptionProvider,
			Label: "Server provider",
			Choices: []providers.Choice{
				{Value: ProviderAuto, Label: "The server's choice"},
				{Value: ProviderLocal, Label: "Offline generator"},
				{Value: ProviderKaedim, Label: "Kaedim"},
				{Value: ProviderRodin, Label: "Hyper3D Rodin"},
			},
			Help: "Which of the server's providers makes the model. It must be set up and ready on the server " +
				"(the server's page lists which are).",
		}},
	}
}
