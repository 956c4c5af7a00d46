// Package app is Kiln's core: jobs and their queue, the library, settings and export. It never
// imports a GUI toolkit; the window (views) and the command line both drive it.
package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/kiln3d/kiln/providers"
)

// Options configure Open.
type Options struct {
	// Home is the data directory; empty means DefaultHome().
	Home string
	// Providers are the providers jobs can use; the first is the default.
	Providers *providers.Registry
	// Queue tunes the job queue.
	Queue QueueOptions
	// Getenv reads environment variables (credential overrides); nil means os.Getenv.
	Getenv func(string) string
	// RenderThumbnail draws a model's picture into a PNG at out (main gives the GL renderer);
	// nil leaves models without thumbnails.
	RenderThumbnail func(ctx context.Context, model, out string) error
}

// Kiln is an open data directory with its job queue running.
type Kiln struct {
	Home      string
	Providers *providers.Registry
	Jobs      *Queue
	Library   *Library
	Settings  *Settings
	// Keys are the providers' credentials.
	Keys  *Credentials
	store *Store

	renderThumb func(ctx context.Context, model, out string) error
	thumbMu     sync.Mutex
	getenv      func(string) string
}

// Open opens (creating if needed) the data directory and starts the job queue.
func Open(o Options) (*Kiln, error) {
	if o.Providers == nil {
		return nil, errors.New("app: no providers")
	}
	home := o.Home
	if home == "" {
		var err error
		if home, err = DefaultHome(); err != nil {
			return nil, err
		}
	}
	l := layout{home: home}
	if err := l.create(); err != nil {
		return nil, err
	}
	store, err := OpenStore(l.database())
	if err != nil {
		return nil, err
	}
	lib, err := OpenLibrary(l.library(), store.db)
	if err != nil {
		store.Close()
		return nil, err
	}
	settings := loadSettings(l.settings())
	getenv := o.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	for _, svc := range o.Providers.Services() {
		p, _ := o.Providers.Lookup(svc.Name)
		e, ok := p.(providers.Endpointed)
		if !ok {
			continue
		}
		name := svc.Name
		// KILN_<PROVIDER>_ENDPOINT points one run elsewhere (a fake server, a staging host)
		// without touching the settings; a bad one is an error, a bad stored one is forgotten.
		if env := getenv(EndpointEnv(name)); env != "" {
			if err := e.SetEndpoint(env); err != nil {
				store.Close()
				return nil, fmt.Errorf("%s: %w", EndpointEnv(name), err)
			}
		} else if stored := settings.Endpoint(name); stored != "" && e.SetEndpoint(stored) != nil {
			_ = e.SetEndpoint("")
		}
	}
	keys := newCredentials(store, o.Providers, getenv)
	return &Kiln{
		Home:        home,
		Providers:   o.Providers,
		Jobs:        newQueue(store, lib, o.Providers, keys, l, o.Queue),
		Library:     lib,
		Settings:    settings,
		Keys:        keys,
		store:       store,
		renderThumb: o.RenderThumbnail,
		getenv:      getenv,
	}, nil
}

// Close stops the queue (unfinished jobs resume next time) and closes the database.
func (k *Kiln) Close() error {
	k.Jobs.Close()
	return k.store.Close()
}

// SaveSample writes a shipped sample image into the data directory's samples folder (once) and
// returns its path, so it can be added like any file of the artist's.
func (k *Kiln) SaveSample(file string, data []byte) (string, error) {
	dir := filepath.Join(k.Home, "samples")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("save sample: %w", err)
	}
	path := filepath.Join(dir, filepath.Base(file))
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
		return path, nil
	}
	err := WriteFileAtomic(path, 0o644, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
	return path, err
}

// Provider returns the provider called name acting with its credential called credential (""
// for the default one: the environment's when set). A provider that needs no key ignores it.
func (k *Kiln) Provider(ctx context.Context, name, credential string) (providers.Provider, error) {
	return k.Keys.Bind(ctx, name, credential)
}

// DatabasePath is the SQLite database that holds the job ledger (see OpenDatabase).
func (k *Kiln) DatabasePath() string { return layout{home: k.Home}.database() }

// SetEndpoint points provider (or a target) at a new address ("" for its default) and remembers
// it.
func (k *Kiln) SetEndpoint(provider, url string) error {
	e, err := k.endpointed(provider)
	if err != nil {
		return err
	}
	if err := e.SetEndpoint(url); err != nil {
		return err
	}
	if url == e.DefaultEndpoint() {
		url = ""
	}
	return k.Settings.SetEndpoint(provider, url)
}

// SetEndpointForRun points provider (or a target) at a new address for this process only (a
// command's --endpoint), leaving the settings as they are.
func (k *Kiln) SetEndpointForRun(provider, url string) error {
	e, err := k.endpointed(provider)
	if err != nil {
		return err
	}
	return e.SetEndpoint(url)
}

func (k *Kiln) endpointed(name string) (providers.Endpointed, error) {
	svc, err := k.Providers.Service(name)
	if err != nil {
		return nil, err
	}
	p, _ := k.Providers.Lookup(name)
	e, ok := p.(providers.Endpointed)
	if !ok {
		return nil, fmt.Errorf("%s has no address to set; leave out --endpoint", svc.Title)
	}
	return e, nil
}

// Title is the name an artist reads for the provider or target called name (name itself when
// this Kiln knows none by it: a job of a provider since removed).
func (k *Kiln) Title(name string) string {
	if svc, err := k.Providers.Service(name); err == nil {
		return svc.Title
	}
	return name
}

// EndpointEnv is the environment variable that points a provider at another address for one run.
func EndpointEnv(provider string) string { return "KILN_" + strings.ToUpper(provider) + "_ENDPOINT" }
