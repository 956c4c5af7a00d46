package providers

import (
	"fmt"
	"sort"
	"strings"
)

// Registry holds the providers a Kiln process offers, by name, in the order they were added.
type Registry struct {
	list   []Provider
	byName map[string]Provider
}

// NewRegistry returns a registry of ps; the first is the default. Names must be unique.
func NewRegistry(ps ...Provider) (*Registry, error) {
	r := &Registry{byName: map[string]Provider{}}
	for _, p := range ps {
		name := p.Capabilities().Name
		if name == "" {
			return nil, fmt.Errorf("providers: a provider has no name")
		}
		if _, dup := r.byName[name]; dup {
			return nil, fmt.Errorf("providers: two providers are named %q", name)
		}
		r.byName[name] = p
		r.list = append(r.list, p)
	}
	if len(r.list) == 0 {
		return nil, fmt.Errorf("providers: no provider registered")
	}
	return r, nil
}

// Get returns the provider called name, or an error listing the known names.
func (r *Registry) Get(name string) (Provider, error) {
	if p, ok := r.byName[name]; ok {
		return p, nil
	}
	return nil, fmt.Errorf("unknown provider %q (known: %s)", name, strings.Join(r.Names(), ", "))
}

// Default returns the first provider added.
func (r *Registry) Default() Provider { return r.list[0] }

// All returns the providers in the order they were added.
func (r *Registry) All() []Provider { return append([]Provider(nil), r.list...) }

// Names returns the providers' names, sorted.
func (r *Registry) Names() []string {
	names := make([]string, 0, len(r.list))
	for _, p := range r.list {
		names = append(names, p.Capabilities().Name)
	}
	sort.Strings(names)
	return names
}
