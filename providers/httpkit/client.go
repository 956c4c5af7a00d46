package httpkit

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// MaxRedirects bounds the redirects one request follows.
const MaxRedirects = 10

// The timeouts of a client NewClient makes.
const (
	// HeaderTimeout bounds the wait for an answer's headers once the request is sent.
	HeaderTimeout = 2 * time.Minute
	// ClientTimeout bounds a whole exchange: the largest upload or download on a slow line.
	// Callers add shorter deadlines to calls that move no file, and Download watches for stalls.
	ClientTimeout = 30 * time.Minute
)

// alwaysSecret are the standard headers that carry credentials, dropped on every redirect that
// leaves the first request's host. Go drops them itself only when the new host is not a subdomain
// of the old one, and never drops the headers a service invents (X-API-Key).
var alwaysSecret = []string{"Authorization", "Proxy-Authorization", "Cookie", "Cookie2"}

// RedirectError is a redirect the client refused to follow: to plain http on another computer, down
// from https to http, carrying a password, or one too many. Nothing was sent to its target.
type RedirectError struct {
	// Reason says why, naming the target's host but never its whole address.
	Reason string
}

func (e *RedirectError) Error() string { return "refused a redirect: " + e.Reason }

// NewClient returns a copy of c (or, for nil, a client with HeaderTimeout and ClientTimeout) whose
// redirects obey the rule endpoints obey: every target passes CheckURL, none goes from https down
// to plain http (not even to this computer), at most MaxRedirects are followed, and once a
// redirect leaves the first request's host (its name or its port) every credential header is
// dropped: Authorization, Proxy-Authorization, Cookie, Cookie2 and credentialHeaders (X-API-Key,
// refresh-token, ...). A CheckRedirect c already had runs after these checks.
func NewClient(c *http.Client, credentialHeaders ...string) *http.Client {
	if c == nil {
		var t *http.Transport
		if d, ok := http.DefaultTransport.(*http.Transport); ok {
			t = d.Clone()
		} else {
			t = &http.Transport{Proxy: http.ProxyFromEnvironment}
		}
		t.ResponseHeaderTimeout = HeaderTimeout
		c = &http.Client{Transport: t, Timeout: ClientTimeout}
	} else {
		cp := *c
		c = &cp
	}
	secret := append(slices.Clone(alwaysSecret), credentialHeaders...)
	next := c.CheckRedirect
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if err := checkRedirect(req, via, secret); err != nil {
			return err
		}
		if next != nil {
			return next(req, via)
		}
		return nil
	}
	return c
}

func checkRedirect(req *http.Request, via []*http.Request, secret []string) error {
	if len(via) >= MaxRedirects {
		return &RedirectError{Reason: fmt.Sprintf("stopped after %d redirects", MaxRedirects)}
	}
	target := req.URL
	if target.User != nil {
		return &RedirectError{Reason: "the target holds a user name or password"}
	}
	if err := CheckURL(target); err != nil {
		return &RedirectError{Reason: err.Error()}
	}
	left := false
	for _, prev := range via {
		if strings.EqualFold(prev.URL.Scheme, "https") && !strings.EqualFold(target.Scheme, "https") {
			return &RedirectError{Reason: "from https down to plain http (" + target.Hostname() + ")"}
		}
		left = left || !strings.EqualFold(prev.URL.Host, via[0].URL.Host)
	}
	// Once the chain has left the first host the credentials stay dropped, even on the way back:
	// Go copies the first request's headers onto every hop.
	if left || !strings.EqualFold(target.Host, via[0].URL.Host) {
		for _, h := range secret {
			req.Header.Del(h)
		}
	}
	return nil
}

// Sleep waits d or until ctx ends, returning ctx's error in the second case.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// IsRedirectRefused says whether err comes from a redirect NewClient's client refused.
func IsRedirectRefused(err error) bool {
	var re *RedirectError
	return errors.As(err, &re)
}
