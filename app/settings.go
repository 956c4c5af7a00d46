package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
)

// Settings are the artist's choices that outlive a session. They are kept as JSON in the data
// directory; a missing or damaged file gives the defaults.
type Settings struct {
	path string
	mu   sync.Mutex
	v    settingsFile
}

type settingsFile struct {
	Provider  string            `json:"provider,omitempty"`
	Polycount map[string]int    `json:"polycount,omitempty"`
	Endpoints map[string]string `json:"endpoints,omitempty"`
}

func loadSettings(path string) *Settings {
	s := &Settings{path: path}
	if data, err := os.ReadFile(path); err == nil {
		_ = json.Unmarshal(data, &s.v) // a damaged file falls back to the defaults
	}
	return s
}

// Provider is the provider last used, or "" for the default.
func (s *Settings) Provider() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.v.Provider
}

// Polycount is the polycount last asked of provider, or 0 when never.
func (s *Settings) Polycount(provider string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.v.Polycount[provider]
}

// Remember records the provider and polycount of a submitted job and saves the settings.
func (s *Settings) Remember(provider string, polycount int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.v.Provider = provider
	if s.v.Polycount == nil {
		s.v.Polycount = map[string]int{}
	}
	s.v.Polycount[provider] = polycount
	return s.save()
}

func (s *Settings) save() error {
	if s.path == "" {
		return errors.New("settings have no file")
	}
	err := WriteFileAtomic(s.path, 0o644, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(s.v)
	})
	if err != nil {
		return fmt.Errorf("save settings: %w", err)
	}
	return nil
}

// Endpoint is the address set for provider, or "" for its default.
func (s *Settings) Endpoint(provider string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.v.Endpoints[provider]
}

// SetEndpoint records the address for provider ("" for the default) and saves the settings.
func (s *Settings) SetEndpoint(provider, url string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.v.Endpoints == nil {
		s.v.Endpoints = map[string]string{}
	}
	if url == "" {
		delete(s.v.Endpoints, provider)
	} else {
		s.v.Endpoints[provider] = url
	}
	return s.save()
}
