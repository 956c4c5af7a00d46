// Package modeltest holds test helpers for the models Kiln writes and the images it reads: the
// Khronos glTF-Validator, mesh measurements (watertightness, triangle count, silhouettes), crafted
// image files and the shared corpus. Only tests import it.
package modeltest

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// validatorScript runs the Khronos glTF-Validator (npm gltf-validator) over the files named on its
// command line and prints one JSON report per file.
const validatorScript = `
const fs = require('fs'), path = require('path'), validator = require('gltf-validator');
(async () => {
  for (const f of process.argv.slice(1)) {
    try {
      const r = await validator.validateBytes(new Uint8Array(fs.readFileSync(f)), {
        uri: path.basename(f), maxIssues: 50,
        externalResourceFunction: (uri) => fs.promises.readFile(path.resolve(path.dirname(f), decodeURIComponent(uri))).then((b) => new Uint8Array(b)),
      });
      const errs = r.issues.messages.filter((m) => m.severity === 0).map((m) => m.code + ' ' + m.pointer + ': ' + m.message);
      const issues = r.issues.messages.map((m) => ({code: m.code, severity: m.severity, pointer: m.pointer || '', message: m.message}));
      console.log(JSON.stringify({file: f, errors: r.issues.numErrors, warnings: r.issues.numWarnings,
        triangles: (r.info && r.info.totalTriangleCount) || 0, messages: errs, issues: issues}));
    } catch (e) {
      console.log(JSON.stringify({file: f, errors: 1, rejected: true, messages: ['rejected: ' + String(e)]}));
    }
  }
})();
`

// Report is the validator's verdict on one file.
type Report struct {
	File      string   `json:"file"`
	Errors    int      `json:"errors"`
	Warnings  int      `json:"warnings"`
	Triangles int      `json:"triangles"`
	Messages  []string `json:"messages"`
	// Issues are its findings (the first 50), each with its code and severity (0 error,
	// 1 warning, 2 info, 3 hint); Rejected says it could not read the file as glTF at all.
	Issues   []ValidatorIssue `json:"issues"`
	Rejected bool             `json:"rejected"`
}

// ValidatorIssue is one finding of the validator.
type ValidatorIssue struct {
	Code     string `json:"code"`
	Severity int    `json:"severity"`
	Pointer  string `json:"pointer"`
	Message  string `json:"message"`
}

// Validate runs the Khronos glTF-Validator over files and fails t for every error it reports.
// Without node or the validator it skips, unless KILN_REQUIRE_TOOLS=1 (set by `make test`), when it
// fails: CI must never pass by not looking.
func Validate(t testing.TB, files ...string) []Report {
	t.Helper()
	reports := ValidatorReports(t, files...)
	for _, r := range reports {
		if r.Errors > 0 {
			t.Errorf("glTF-Validator: %s has %d errors: %s", filepath.Base(r.File), r.Errors, strings.Join(r.Messages, "; "))
		}
	}
	return reports
}

// ValidatorReports runs the Khronos glTF-Validator over files and returns its reports, errors
// and all, for a test that compares its verdict with another's. It skips as Validate does.
func ValidatorReports(t testing.TB, files ...string) []Report {
	t.Helper()
	if len(files) == 0 {
		return nil
	}
	dir := ToolsDir(t, filepath.Join("node_modules", "gltf-validator"))
	if dir == "" {
		return nil
	}
	node := Node(t)
	if node == "" {
		return nil
	}
	args := append([]string{"-e", validatorScript}, files...)
	cmd := exec.Command(node, args...)
	cmd.Env = append(os.Environ(), "NODE_PATH="+filepath.Join(dir, "node_modules"))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("glTF-Validator did not run: %v\n%s", err, out)
	}
	var reports []Report
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		var r Report
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("glTF-Validator printed %q: %v", line, err)
		}
		reports = append(reports, r)
	}
	if len(reports) != len(files) {
		t.Fatalf("glTF-Validator reported on %d of %d files", len(reports), len(files))
	}
	return reports
}

// ToolsDir finds the folder holding the project's installed test tools (`make deps` fills
// .tools/ at the repository's top): KILN_TOOLS, else the nearest .tools above the working
// directory that contains want. It returns "" after skipping (or failing) t when none does.
func ToolsDir(t testing.TB, want string) string {
	t.Helper()
	if d := os.Getenv("KILN_TOOLS"); d != "" {
		if _, err := os.Stat(filepath.Join(d, want)); err == nil {
			return d
		}
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, ".tools", want)); err == nil {
			return filepath.Join(d, ".tools")
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	ToolMissing(t, want+" is not installed in .tools (run make deps)")
	return ""
}

// Node finds node, the runtime of the test tools in .tools; it returns "" after skipping (or
// failing) t when there is none.
func Node(t testing.TB) string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		ToolMissing(t, "node is not installed")
		return ""
	}
	return node
}

// ToolMissing skips t for want of a test tool, or fails it under KILN_REQUIRE_TOOLS=1 (set by
// `make test`): CI must never pass by not looking.
func ToolMissing(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("KILN_REQUIRE_TOOLS") == "1" {
		t.Fatalf("%s, and KILN_REQUIRE_TOOLS=1", why)
	}
	t.Skip(why)
}
