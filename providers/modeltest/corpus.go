package modeltest

import (
	"os"
	"path/filepath"
	"testing"
)

// CorpusDir returns the folder sub (e.g. "images") of the shared test corpus: real models and
// photos that are not part of the project (see shared/corpus/MANIFEST.md). It is $KILN_CORPUS,
// else the nearest shared/corpus beside the working directory or one of its parents. Without one
// the test is skipped: a user's clone has no corpus, and the project's own tests do not need it.
func CorpusDir(t testing.TB, sub string) string {
	t.Helper()
	if d := os.Getenv("KILN_CORPUS"); d != "" {
		if _, err := os.Stat(filepath.Join(d, sub)); err != nil {
			t.Fatalf("KILN_CORPUS=%s has no %s: %v", d, sub, err)
		}
		return filepath.Join(d, sub)
	}
	if c := sharedPath(filepath.Join("corpus", sub)); c != "" {
		return c
	}
	wd, _ := os.Getwd()
	t.Skipf("no shared/corpus/%s beside %s or its parents, and KILN_CORPUS is unset", sub, wd)
	return ""
}

// sharedPath is the folder shared/rel beside the working directory or one of its parents, or ""
// when there is none.
func sharedPath(rel string) string {
	wd, err := os.Getwd()
	if err != nil {
		return ""
	}
	for d := wd; ; d = filepath.Dir(d) {
		c := filepath.Join(d, "shared", rel)
		if st, err := os.Stat(c); err == nil && st.IsDir() {
			return c
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}
