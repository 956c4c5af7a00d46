// Package kaedim is Kiln's client for Kaedim's web API (https://api.kaedim3d.com/api/v1/): it sends
// reference images to /process, follows the request with /fetchRequest until Kaedim has made the
// model, and downloads the glb. It also lists the account's projects and requests, and tests keys.
//
// Kaedim authenticates with a developer ID, an API key and a refresh token. The refresh token buys a
// JWT that lasts 12 hours, and only one JWT is valid at a time: every refresh invalidates the last.
// A desktop app has no address for Kaedim's webhook, so Collect polls instead.
package kaedim

import (
	"fmt"
	"sync"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/httpkit"
)

// Name is the provider's registry key.
const Name = "kaedim"

// DefaultEndpoint is the origin Kaedim's documentation writes before /api/v1/.
const DefaultEndpoint = "https://api.kaedim3d.com"

// ModelFile is the name of the model Collect and Download write.
const ModelFile = "model.glb"

// The Options keys of a Request.
const (
	OptionQuality = "quality"
	OptionTest    = "test"
)

// PollConfig paces Collect's polling of /fetchRequest: First is the wait after the first poll
// (0 means 5 s), Max the longest wait (0 means 1 min), and Jitter the share of each wait drawn at
// random.
type PollConfig = httpkit.PollConfig

// Config sets up a Provider.
type Config struct {
	// Endpoint is the origin before /api/v1/, DefaultEndpoint when empty. It must use https;
	// plain http is accepted only for loopback hosts (a fake server on this computer).
	Endpoint string
	// Secrets gives the credentials and keeps the JWT. Without it every call fails asking for a
	// key; TestKey works regardless.
	Secrets Secrets
	// Config is the setup every cloud client shares: the HTTP client, the polling, the stall
	// timeout (of a model download), the clock, the timer and the log.
	httpkit.Config
}

// Provider is the Kaedim client. One value serves any number of concurrent jobs: they share one
// JWT, and only one refresh runs at a time.
type Provider struct {
	// Kit is the HTTP client, polling, clock, timer and log, with every default applied.
	httpkit.Kit

	// refreshing holds a token while a JWT refresh runs: a refresh invalidates the previous
	// JWT, so two racing refreshes would break each other's.
	refreshing chan struct{}
	// main is the credential this value acts with: Config.Secrets, or the one WithSecrets bound.
	main *session
	// Address is the origin, and shared the JWTs: every value WithSecrets makes from one New
	// shares both.
	*httpkit.Address
	shared *shared
}

// shared is the state of one Kaedim client that all its credentials share.
type shared struct {
	mu   sync.Mutex
	jwts []string // recent JWTs, to redact
	// caches hold each credential's JWT, by the credential's fingerprint: jobs that use the same
	// account share one JWT, since a refresh invalidates the previous one.
	caches map[[32]byte]*jwtCache
}

// WithSecrets returns the provider acting with the credential s (providers.Keyed): it shares the
// address, the HTTP client and the JWTs with p.
func (p *Provider) WithSecrets(s providers.Secrets) providers.Provider {
	bound := *p
	bound.main = bound.session(FromFields(s))
	return &bound
}

// New returns a Kaedim provider, or an error when cfg.Endpoint cannot be used.
func New(cfg Config) (*Provider, error) {
	address, err := httpkit.NewAddress(DefaultEndpoint, cfg.Endpoint, checkEndpoint)
	if err != nil {
		return nil, err
	}
	p := &Provider{
		Address:    address,
		Kit:        cfg.Kit(defaultFirst, defaultMax, "X-API-Key", "Refresh-Token"),
		refreshing: make(chan struct{}, 1),
		shared:     &shared{caches: map[[32]byte]*jwtCache{}},
	}
	p.main = p.session(cfg.Secrets)
	return p, nil
}

// checkEndpoint returns the origin Kiln will send the API key and the JWT to, or why it will not.
func checkEndpoint(raw string) (string, error) {
	e, err := httpkit.CheckEndpoint(raw, DefaultEndpoint)
	if err != nil {
		return "", fmt.Errorf("kaedim: %w", err)
	}
	return e, nil
}

// Capabilities describes Kaedim.
func (p *Provider) Capabilities() providers.Capabilities {
	return providers.Capabilities{
		Name:  Name,
		Title: "Kaedim",
		// imageUrls takes up to 6 images; Kaedim documents no other limit for uploaded files.
		MinImages: 1,
		MaxImages: 6,
		// Kaedim's range is 500 to 300,000 for prototype assets and up to 2,000,000 only for
		// game-ready ones, which the API cannot ask for: the prototype range is the one every
		// account accepts. 30,000 is Kaedim's own default.
		Polycount:   providers.Range{Min: 500, Max: 300000, Default: 30000},
		HasProjects: true,
		NeedsKey:    true,
		KeyFields:   KeyFields(),
		Dimensions:  true,
		Options: []providers.Option{
			{Key: OptionQuality, Label: "Level of quality", Choices: []providers.Choice{
				{Value: "standard", Label: "Standard"}, {Value: "high", Label: "High"}, {Value: "ultra", Label: "Ultra"},
			}},
			{Key: OptionTest, Label: "Test request (no charge)", Choices: []providers.Choice{
				{Value: "off", Label: "Off"}, {Value: "on", Label: "On"},
			}},
		},
	}
}
