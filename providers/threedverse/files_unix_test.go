//go:build unix

package threedverse

import (
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/kiln3d/kiln/providers/threedverse/threedversetest"
)

// TestFIFO: a named pipe in place of a model or a texture is refused at once, never waited on.
func TestFIFO(t *testing.T) {
	h := setup(t, threedversetest.Options{})
	dir := t.TempDir()
	for _, name := range []string{"pipe.glb", "pipe.png"} {
		fifo := filepath.Join(dir, name)
		if err := syscall.Mkfifo(fifo, 0o644); err != nil {
			t.Fatalf("making a FIFO on a unix system: %v", err)
		}
		start := time.Now()
		files := []string{fifo}
		if name == "pipe.png" {
			files = []string{model(t, "chair.glb"), fifo}
		}
		refused(t, h, "a FIFO", fifo, files...)
		if d := time.Since(start); d > time.Second {
			t.Errorf("the FIFO held Publish %v", d)
		}
	}
}
