package app

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/kiln3d/kiln/providers/atomicfile"
)

// incomingPrefix starts the temporary folder an Add fills before renaming it into place:
// ".incoming-<pid>-<random>". The process id tells a dead process's leftover from the folder a
// live one (another window, a CLI run) is filling right now.
const incomingPrefix = ".incoming-"

// downloadPrefix starts the folder a download fills inside the asset's folder, named the same way.
const downloadPrefix = ".download-"

// tempDir makes a new temporary folder "<prefix><pid>-<random>" in dir.
func tempDir(dir, prefix string) (string, error) {
	return os.MkdirTemp(dir, fmt.Sprintf("%s%d-", prefix, os.Getpid()))
}

// removeStale deletes the temporary folders in dir named with prefix whose process has died
// (see atomicfile.Stale), never a live process's.
func removeStale(dir, prefix string, now time.Time) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), prefix)
		if !ok || !e.IsDir() {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		pid, ok := incomingPID(rest)
		if ok && !atomicfile.Stale(pid, info.ModTime(), now) {
			continue
		}
		// An older Kiln's ".incoming-<asset id>-<random>" or ".download-<random>" names no
		// process: an hour is longer than any Add.
		if !ok && now.Sub(info.ModTime()) < time.Hour {
			continue
		}
		_ = os.RemoveAll(filepath.Join(dir, e.Name()))
	}
}

// incomingPID reads "<pid>-<random digits>"; asset ids always hold a '-', so an older Kiln's
// names never read as one.
func incomingPID(rest string) (int, bool) {
	p, r, ok := strings.Cut(rest, "-")
	if !ok || r == "" || strings.Trim(r, "0123456789") != "" {
		return 0, false
	}
	pid, err := strconv.Atoi(p)
	return pid, err == nil && pid > 0
}
