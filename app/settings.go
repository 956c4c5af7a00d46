package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"
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
	// Exports are the export choices last made for each folder exported into, by absolute
	// path; ExportFolder is the folder last exported into.
	Exports      map[string]ExportChoice `json:"exports,omitempty"`
	ExportFolder string                  `json:"export_folder,omitempty"`
	// HeightCM is the height a model gets when the artist gives no size; 0 for DefaultHeightCM.
	HeightCM float64 `json:"height_cm,omitempty"`
}

// DefaultHeightCM is the height of a model made without a size until the artist changes it in
// Settings: 1 m.
const DefaultHeightCM = 100

// Heights the default may be set to: 1 mm to 1 km, what the size fields accept.
const (
	minHeightCM = 0.1
	maxHeightCM = 100000
)

// ExportChoice is what an artist chose for an export into one folder.
type ExportChoice struct {
	Preset     string    `json:"preset"`
	Format     Format    `json:"format,omitempty"`
	Polycount  int       `json:"polycount,omitempty"`
	MaxTexture int       `json:"max_texture,omitempty"`
	Used       time.Time `json:"used"`
}

// maxExportFolders bounds how many folders' choices are remembered; the oldest go first.
const maxExportFolders = 64

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

// HeightCM is the height a model gets when the artist gives no size. A damaged or out-of-range
// value in the file gives the default.
func (s *Settings) HeightCM() float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if h := s.v.HeightCM; h >= minHeightCM && h <= maxHeightCM {
		return h
	}
	return DefaultHeightCM
}

// SetHeightCM sets the height a model gets when the artist gives no size, and saves the settings.
func (s *Settings) SetHeightCM(cm float64) error {
	if !(cm >= minHeightCM && cm <= maxHeightCM) {
		return fmt.Errorf("a default height must be between %g cm and %g cm", float64(minHeightCM), float64(maxHeightCM))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.v.HeightCM = cm
	return s.save()
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

// ExportChoice is the choice last made for an export into folder, and whether there is one.
func (s *Settings) ExportChoice(folder string) (ExportChoice, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.v.Exports[absFolder(folder)]
	return c, ok
}

// ExportFolder is the folder last exported into, or "".
func (s *Settings) ExportFolder() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.v.ExportFolder
}

// RememberExport records the choice made for an export into folder and saves the settings.
func (s *Settings) RememberExport(folder string, c ExportChoice) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	folder = absFolder(folder)
	if s.v.Exports == nil {
		s.v.Exports = map[string]ExportChoice{}
	}
	c.Used = time.Now().UTC().Truncate(time.Second)
	s.v.Exports[folder] = c
	s.v.ExportFolder = folder
	for len(s.v.Exports) > maxExportFolders {
		oldest := ""
		for f, e := range s.v.Exports {
			if oldest == "" || e.Used.Before(s.v.Exports[oldest].Used) {
				oldest = f
			}
		}
		delete(s.v.Exports, oldest)
	}
	return s.save()
}

func absFolder(folder string) string {
	if abs, err := filepath.Abs(folder); err == nil {
		return abs
	}
	return filepath.Clean(folder)
}
