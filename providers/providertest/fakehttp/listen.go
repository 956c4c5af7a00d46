// Package fakehttp is what the fake provider services (kaedimtest, rodintest) share: loopback
// servers, a clock a test moves on, the record of the requests answered, a queue of faults and the
// helpers that make them, links signed the way cloud storage signs them, and the flags of their
// demo commands. Each fake keeps its own API, routes and error shapes; only what is the same in
// all of them is here.
package fakehttp

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
)

// Listen returns a server for h listening on addr, not yet started: "" means a free port on
// 127.0.0.1.
func Listen(addr string, h http.Handler) (*httptest.Server, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	srv := httptest.NewUnstartedServer(h)
	_ = srv.Listener.Close()
	srv.Listener = l
	return srv, nil
}

// Pair is a fake's two servers: its API, and the storage its signed links point at, on another
// port of the same host, the way a cloud service keeps its files on another origin.
type Pair struct {
	// API and Storage are the two servers.
	API, Storage *httptest.Server

	closing   chan struct{}
	closeOnce sync.Once
}

// ListenPair listens for api on addr ("" means a free port on 127.0.0.1) and for storage on a free
// port of addr's host. Neither serves until Start, so that what their handlers read (the URLs) can
// be set first.
func ListenPair(addr string, api, storage http.Handler) (*Pair, error) {
	host := "127.0.0.1"
	if addr != "" {
		if h, _, err := net.SplitHostPort(addr); err == nil && h != "" {
			host = h
		}
	}
	p := &Pair{closing: make(chan struct{})}
	var err error
	if p.API, err = Listen(addr, api); err != nil {
		return nil, err
	}
	if p.Storage, err = Listen(net.JoinHostPort(host, "0"), storage); err != nil {
		_ = p.API.Listener.Close()
		return nil, err
	}
	return p, nil
}

// APIOrigin is the API's origin, "http://host:port".
func (p *Pair) APIOrigin() string { return "http://" + p.API.Listener.Addr().String() }

// StorageOrigin is the storage's origin, "http://host:port".
func (p *Pair) StorageOrigin() string { return "http://" + p.Storage.Listener.Addr().String() }

// Start starts both servers.
func (p *Pair) Start() {
	p.API.Start()
	p.Storage.Start()
}

// Closing is closed when Close begins: answers a fault holds (stalled, delayed) wait on it, so
// that Close does not wait for them.
func (p *Pair) Closing() <-chan struct{} { return p.closing }

// Close closes Closing, then both servers, waiting for the answers in progress. It may be called
// more than once.
func (p *Pair) Close() {
	p.closeOnce.Do(func() { close(p.closing) })
	p.API.Close()
	p.Storage.Close()
}
