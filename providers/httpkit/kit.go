package httpkit

import (
	"context"
	"log/slog"
	"net/http"
	"time"
)

// Config is the part of a cloud provider's configuration that every client built on this package
// shares: how it sends requests, how it paces its polls, how long a download may stall, and the
// clock, timer and log it uses. A client's own Config embeds it next to its address and
// credential.
type Config struct {
	// HTTP sends the requests; nil means a client with sensible timeouts.
	HTTP *http.Client
	// Poll paces Collect; its zero fields take the provider's own defaults.
	Poll PollConfig
	// StallTimeout gives up a download (and tries again) when no byte has arrived for this long;
	// 0 means DefaultStallTimeout, a minute.
	StallTimeout time.Duration
	// Now is the clock, for tests; nil means time.Now.
	Now func() time.Time
	// Sleep waits d or until ctx ends, for tests; nil means a timer.
	Sleep func(ctx context.Context, d time.Duration) error
	// Log receives one line per request (never a header, a credential, a signed link's query or
	// a file's contents); nil discards them.
	Log *slog.Logger
}

// Kit is what a provider works with once its Config has been filled in: every field is ready to
// use, with no nil left to check. The copies a provider makes for each credential share it, and
// with it the HTTP client.
type Kit struct {
	// HTTP sends the requests; it drops the credential headers on every redirect that leaves
	// the host (NewClient).
	HTTP *http.Client
	// Poll paces Collect, with the provider's defaults in place of its zero fields.
	Poll PollConfig
	// Stall is Config.StallTimeout as given: 0 leaves Download to use DefaultStallTimeout.
	Stall time.Duration
	// Now is the clock.
	Now func() time.Time
	// Sleep waits d or until ctx ends.
	Sleep func(ctx context.Context, d time.Duration) error
	// Log receives one line per request.
	Log *slog.Logger
}

// Kit returns the Kit that c describes, with every default applied: first and most are the
// provider's own defaults for the waits between polls (PollConfig.WithDefaults), and
// credentialHeaders name the headers, beyond the standard ones, that carry the provider's
// credential and must never follow a redirect to another host (NewClient).
func (c Config) Kit(first, most time.Duration, credentialHeaders ...string) Kit {
	k := Kit{
		HTTP:  NewClient(c.HTTP, credentialHeaders...),
		Poll:  c.Poll.WithDefaults(first, most),
		Stall: c.StallTimeout,
		Now:   c.Now,
		Sleep: c.Sleep,
		Log:   c.Log,
	}
	if k.Now == nil {
		k.Now = time.Now
	}
	if k.Sleep == nil {
		k.Sleep = Sleep
	}
	if k.Log == nil {
		k.Log = slog.New(slog.DiscardHandler)
	}
	return k
}
