package modeltest

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"testing"
)

// StatusKiB reads one of the process's memory figures from /proc/self/status, in KiB: "VmHWM"
// is the peak resident memory, "VmRSS" the resident memory now. Without /proc the test is
// skipped.
func StatusKiB(t testing.TB, key string) int {
	t.Helper()
	n, err := ReadStatusKiB(key)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skip("no /proc/self/status to measure memory with")
	}
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// ReadStatusKiB is StatusKiB for a child process with no testing.TB to report to.
func ReadStatusKiB(key string) (int, error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), key+":"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			if err != nil {
				return 0, fmt.Errorf("/proc/self/status: %s %q: %w", key, rest, err)
			}
			return n, nil
		}
	}
	return 0, fmt.Errorf("/proc/self/status has no %s", key)
}
