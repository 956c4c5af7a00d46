package modeltest

import (
	"bufio"
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
	f, err := os.Open("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status to measure memory with")
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), key+":"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			if err != nil {
				t.Fatalf("/proc/self/status: %s %q: %v", key, rest, err)
			}
			return n
		}
	}
	t.Fatalf("/proc/self/status has no %s", key)
	return 0
}
