package assets

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// TestStudioHDRIsReproducible: the shipped studio.hdr is exactly what genstudio.go writes, so
// the environment can be changed by changing the program and running it again.
func TestStudioHDRIsReproducible(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skip("the picture was made on amd64; another architecture may round a float differently")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to run the generator with")
	}
	out := filepath.Join(t.TempDir(), "studio.hdr")
	cmd := exec.Command(gobin, "run", "genstudio.go", out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go run genstudio.go: %v\n%s", err, msg)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, StudioHDR) {
		t.Errorf("genstudio.go writes %d bytes unlike the shipped studio.hdr (%d bytes): run go run assets/genstudio.go assets/studio.hdr", len(got), len(StudioHDR))
	}
}
