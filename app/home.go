package app

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
)

// Version is Kiln's version, set at build time with -ldflags "-X .../app.Version=...".
var Version = "dev"

// HomeEnv overrides the data directory.
const HomeEnv = "KILN_HOME"

// DefaultHome returns Kiln's data directory: $KILN_HOME when set, else the operating system's
// per-user data directory ($XDG_DATA_HOME/kiln or ~/.local/share/kiln on Linux,
// ~/Library/Application Support/Kiln on macOS, %LocalAppData%\Kiln on Windows).
func DefaultHome() (string, error) {
	if h := os.Getenv(HomeEnv); h != "" {
		return filepath.Abs(h)
	}
	switch runtime.GOOS {
	case "windows":
		if d := os.Getenv("LocalAppData"); d != "" {
			return filepath.Join(d, "Kiln"), nil
		}
	case "darwin":
		if h, err := os.UserHomeDir(); err == nil {
			return filepath.Join(h, "Library", "Application Support", "Kiln"), nil
		}
	default:
		if d := os.Getenv("XDG_DATA_HOME"); d != "" && filepath.IsAbs(d) {
			return filepath.Join(d, "kiln"), nil
		}
		if h, err := os.UserHomeDir(); err == nil {
			return filepath.Join(h, ".local", "share", "kiln"), nil
		}
	}
	return "", errors.New("cannot find a data directory for Kiln: set " + HomeEnv)
}

// layout names the parts of the data directory.
type layout struct{ home string }

func (l layout) database() string        { return filepath.Join(l.home, "kiln.db") }
func (l layout) library() string         { return filepath.Join(l.home, "library") }
func (l layout) settings() string        { return filepath.Join(l.home, "settings.json") }
func (l layout) jobs() string            { return filepath.Join(l.home, "jobs") }
func (l layout) jobDir(id string) string { return filepath.Join(l.jobs(), id) }
func (l layout) inputs(id string) string { return filepath.Join(l.jobDir(id), "inputs") }
func (l layout) work(id string) string   { return filepath.Join(l.jobDir(id), "work") }

func (l layout) create() error {
	for _, d := range []string{l.home, l.library(), l.jobs()} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return fmt.Errorf("create data directory: %w", err)
		}
	}
	return nil
}
