package providers

import (
	"fmt"
	"sort"
	"strings"
)

// Registry holds the providers a Kiln process offers, and the targets it publishes to, by name, in
// the order they were added. A provider and a target never share a name: credentials, settings
// and environment variables are keyed by it.
type Registry struct {
	list    []Provider
	byName  map[string]Provider
	targets []Target
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

// AddTargets adds the targets models can be published to. Their names must be unique among the
// providers' and the targets'.
func (r *Registry) AddTargets(ts ...Target) error {
	for _, t := range ts {
		name := t.Describe().Name
		if name == "" {
			return fmt.Errorf("providers: a target has no name")
		}
		if _, err := r.Service(name); err == nil {
			return fmt.Errorf("providers: two providers or targets are named %q", name)
		}
		r.targets = append(r.targets, t)
	}
	return nil
}

// Target returns the target called name, or an error listing the known ones.
func (r *Registry) Target(name string) (Target, error) {
	var names []string
	for _, t := range r.targets {
		if t.Describe().Name == name {
			return t, nil
		}
		names = append(names, t.Describe().Name)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("unknown target %q (this Kiln publishes nowhere)", name)
	}
	sort.Strings(names)
	return nil, fmt.Errorf("unknown target %q (known: %s)", name, strings.Join(names, ", "))
}

// Targets returns the targets in the order they were added.
func (r *Registry) Targets() []Target { return append([]Target(nil), r.targets...) }

// Service describes the provider or target called name to the credentials and settings.
func (r *Registry) Service(name string) (Service, error) {
	if p, ok := r.byName[name]; ok {
		return p.Capabilities().Service(), nil
	}
	for _, t := range r.targets {
		if info := t.Describe(); info.Name == name {
			return info.Service(), nil
		}
	}
	return Service{}, fmt.Errorf("unknown provider %q (known: %s)", name, strings.Join(r.serviceNames(), ", "))
}

// Services describes every provider, then every target, in the order they were added.
func (r *Registry) Services() []Service {
	out := make([]Service, 0, len(r.list)+len(r.targets))
	for _, p := range r.list {
		out = append(out, p.Capabilities().Service())
	}
	for _, t := range r.targets {
		out = append(out, t.Describe().Service())
	}
	return out
}

// Lookup returns the provider or target called name, for its optional interfaces (Endpointed,
// KeyTester).
func (r *Registry) Lookup(name string) (any, bool) {
	if p, ok := r.byName[name]; ok {
		return p, true
	}
	t, err := r.Target(name)
	return t, err == nil
}

func (r *Registry) serviceNames() []string {
	names := r.Names()
	for _, t := range r.targets {
		names = append(names, t.Describe().Name)
	}
	sort.Strings(names)
	return names
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
