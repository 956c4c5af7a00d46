package modeltest

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Meshcheck returns the independent checker (shared/tools/meshcheck): $KILN_MESHCHECK when set,
// else built from its source beside the corpus (found as CorpusDir finds the corpus) into a
// folder of tb's. It returns "" when neither is there (a user's clone has no shared/; CI has
// it), and fails tb when the source does not build.
func Meshcheck(tb testing.TB) string {
	tb.Helper()
	if p := os.Getenv("KILN_MESHCHECK"); p != "" {
		return p
	}
	src := sharedPath("tools/meshcheck")
	if src == "" {
		return ""
	}
	bin := filepath.Join(tb.TempDir(), "meshcheck")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = src
	build.Env = append(os.Environ(), "GOWORK=off")
	if out, err := build.CombinedOutput(); err != nil {
		tb.Fatalf("building meshcheck: %v\n%s", err, out)
	}
	return bin
}

// RunMeshcheck runs the checker at tool with args and decodes the JSON it prints into into.
func RunMeshcheck(tb testing.TB, tool string, into any, args ...string) {
	tb.Helper()
	out, err := exec.Command(tool, args...).Output()
	if err != nil {
		tb.Fatalf("meshcheck %s: %v", strings.Join(args, " "), err)
	}
	if err := json.Unmarshal(out, into); err != nil {
		tb.Fatalf("meshcheck %s printed %q: %v", strings.Join(args, " "), out, err)
	}
}
