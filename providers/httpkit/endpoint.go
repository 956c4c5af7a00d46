// Package httpkit is the HTTP plumbing every cloud provider shares: where an endpoint or a link is
// checked (https, or plain http on this computer only), where a redirect is held to the same rule
// and loses the credentials when it leaves the host, where an answer that is not a success becomes
// a *providers.APIError carrying the service's own words, where Retry-After and rate-limit headers
// are read, where a network failure is classified, where secrets are scrubbed from anything
// printable, and where result files are downloaded: capped, watched for stalls, written atomically
// and fetched again through a fresh link when the old one has expired.
//
// A provider describes itself once with a Service and calls these helpers; it keeps only what is
// its own (how its error JSON reads, which link holds its model).
package httpkit

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"sync"
)

// CheckEndpoint returns the origin (and path) a provider will send its credentials to, or why it
// will not: anything but this computer needs https. raw "" gives def. The address is never echoed
// back, as a pasted one may hold a password; errors carry no provider name, so callers prefix it.
func CheckEndpoint(raw, def string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return def, nil
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil || u.Host == "" || u.Opaque != "":
		return "", fmt.Errorf("the address is not a URL like %s", def)
	case u.User != nil:
		return "", errors.New("the address must not hold a user name or password")
	case u.RawQuery != "" || u.Fragment != "" || u.ForceQuery:
		return "", errors.New("the address must end with its path, with no ?query or #fragment")
	}
	if err := CheckURL(u); err != nil {
		return "", err
	}
	return u.Scheme + "://" + u.Host + strings.TrimRight(u.EscapedPath(), "/"), nil
}

// CheckURL holds an address Kiln is about to send a request to (an endpoint, a download link, a
// redirect's target) to one rule: https anywhere, plain http only on loopback hosts, where nothing
// crosses a network. The error names the host, never the whole address.
func CheckURL(u *url.URL) error {
	if u == nil || u.Host == "" {
		return errors.New("the address has no host")
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		return nil
	case "http":
		if IsLoopback(u.Hostname()) {
			return nil
		}
		return fmt.Errorf("plain http is accepted only for this computer (127.0.0.1, ::1, localhost); use https for %s", u.Hostname())
	}
	return fmt.Errorf("the address must start with https://, not %s://", u.Scheme)
}

// IsLoopback says whether host (a name or an IP, without a port) is this computer. Only the name
// "localhost" itself counts, not names below it, which a resolver may send anywhere.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Address is a provider's service address (providers.Endpointed), checked on every change and
// safe for concurrent use. A provider embeds a *Address, which the copies it makes for each
// credential (providers.Keyed) share: the address is set once for all of them.
type Address struct {
	def   string
	check func(raw string) (string, error)

	mu  sync.Mutex
	cur string
}

// NewAddress returns the address initial ("" for def), checked by check, which returns the address
// to use or why it cannot be used (and turns "" into def).
func NewAddress(def, initial string, check func(raw string) (string, error)) (*Address, error) {
	a := &Address{def: def, check: check}
	if err := a.SetEndpoint(initial); err != nil {
		return nil, err
	}
	return a, nil
}

// Endpoint is the address in use.
func (a *Address) Endpoint() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.cur
}

// DefaultEndpoint is the provider's documented address.
func (a *Address) DefaultEndpoint() string { return a.def }

// SetEndpoint checks and takes a new address, "" for the default. Calls already under way finish
// with the old one; a refused address leaves the old one in place.
func (a *Address) SetEndpoint(raw string) error {
	e, err := a.check(raw)
	if err != nil {
		return err
	}
	a.mu.Lock()
	a.cur = e
	a.mu.Unlock()
	return nil
}
