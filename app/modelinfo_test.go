package app

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/modeltest"
	"github.com/kiln3d/kiln/providers/providertest"
)

// The model check stands before every reader: a hostile download fails its job with the reason,
// as a damaged result, and leaves the library as it was; simplify refuses the same file.
func TestHostileModelIsRefusedEverywhere(t *testing.T) {
	fake := providertest.NewFake("fake")
	fake.Model = modeltest.WriteTerabyteGLB
	k := openKiln(t, t.TempDir(), QueueOptions{}, fake)
	defer k.Close()
	j, _ := k.Jobs.Submit(context.Background(), "fake", request(writePNG(t, t.TempDir(), "a.png")))
	got := wait(t, k, j.ID)
	if got.State != Failed || got.ErrorKind != FailDamagedResult || !strings.Contains(got.Error, "buffer 0 claims") {
		t.Fatalf("hostile model: %s %q %s", got.State, got.ErrorKind, got.Error)
	}
	if list, _ := k.Library.List(); len(list) != 0 {
		t.Errorf("the hostile model reached the library: %+v", list)
	}

	path := filepath.Join(t.TempDir(), "huge.glb")
	if err := modeltest.WriteTerabyteGLB(path); err != nil {
		t.Fatal(err)
	}
	_, err := SimplifyFile(context.Background(), path, filepath.Join(t.TempDir(), "out.glb"), 100, false, nil)
	if !IsModelError(err) || !errors.Is(err, providers.ErrDamagedResult) {
		t.Errorf("simplify of the hostile model: %v", err)
	}
}
