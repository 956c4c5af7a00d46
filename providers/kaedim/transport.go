package kaedim

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// checkEndpoint returns the origin Kiln will send the API key and the JWT to, or why it will not:
// anything but this computer needs https. The address is never echoed back, as a pasted one may
// hold a password.
func checkEndpoint(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return DefaultEndpoint, nil
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil || u.Host == "" || u.Opaque != "":
		return "", fmt.Errorf("kaedim: the address is not a URL like %s", DefaultEndpoint)
	case u.User != nil:
		return "", errors.New("kaedim: the address must not hold a user name or password")
	case u.RawQuery != "" || u.Fragment != "" || u.ForceQuery:
		return "", errors.New("kaedim: the address must end before /api/v1/, with no ?query or #fragment")
	}
	if err := checkScheme(u); err != nil {
		return "", fmt.Errorf("kaedim: %w", err)
	}
	return u.Scheme + "://" + u.Host + strings.TrimRight(u.EscapedPath(), "/"), nil
}

// checkScheme allows https anywhere and plain http only on loopback hosts, where nothing crosses a
// network. Download links from Kaedim are held to the same rule.
func checkScheme(u *url.URL) error {
	switch strings.ToLower(u.Scheme) {
	case "https":
		return nil
	case "http":
		if isLoopback(u.Hostname()) {
			return nil
		}
		return fmt.Errorf("plain http is accepted only for this computer (127.0.0.1, ::1, localhost); use https for %s", u.Hostname())
	}
	return fmt.Errorf("the address must start with https://, not %s://", u.Scheme)
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// httpClient returns a copy of c (or a client with timeouts when c is nil) that never carries the
// credentials to another host or down to plain http on a redirect. Go drops Authorization on a
// cross-host redirect by itself, but not X-API-Key or refresh-token.
func httpClient(c *http.Client) *http.Client {
	if c == nil {
		var t *http.Transport
		if d, ok := http.DefaultTransport.(*http.Transport); ok {
			t = d.Clone()
		} else {
			t = &http.Transport{Proxy: http.ProxyFromEnvironment}
		}
		t.ResponseHeaderTimeout = 2 * time.Minute
		// The overall limit covers the largest upload or download on a slow line; every call
		// also carries its own, shorter deadline when it moves no file.
		c = &http.Client{Transport: t, Timeout: 30 * time.Minute}
	} else {
		cp := *c
		c = &cp
	}
	next := c.CheckRedirect
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		first := via[0].URL
		if err := checkScheme(req.URL); err != nil && first.Scheme == "https" {
			return errors.New("refused a redirect from https to plain http")
		}
		if !strings.EqualFold(req.URL.Host, first.Host) {
			for _, h := range []string{"X-API-Key", "refresh-token", "Authorization"} {
				req.Header.Del(h)
			}
		}
		if next != nil {
			return next(req, via)
		}
		return nil
	}
	return c
}

// sleepTimer waits d or until ctx ends.
func sleepTimer(ctx context.Context, d time.Duration) error {
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
