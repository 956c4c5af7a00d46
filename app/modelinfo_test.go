package app

import (
	"context"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/providertest"
)

// writeTerabyteGLB writes a 5 KB .glb whose only buffer claims a terabyte: a decoder that
// believes it allocates until the process dies.
func writeTerabyteGLB(path string) error {
	js := []byte(`{"asset":{"version":"2.0"},"buffers":[{"byteLength":1000000000000}],` +
		`"bufferViews":[{"buffer":0,"byteLength":1000000000000}],` +
		`"accessors":[{"bufferView":0,"componentType":5126,"count":83333333333,"type":"VEC3"}],` +
		`"meshes":[{"primitives":[{"attributes":{"POSITION":0}}]}],"nodes":[{"mesh":0}],"scenes":[{"nodes":[0]}]}`)
	for len(js)%4 != 0 {
		js = append(js, ' ')
	}
	bin := make([]byte, 5000)
	total := 12 + 8 + len(js) + 8 + len(bin)
	out := make([]byte, 0, total)
	out = binary.LittleEndian.AppendUint32(out, 0x46546C67)
	out = binary.LittleEndian.AppendUint32(out, 2)
	out = binary.LittleEndian.AppendUint32(out, uint32(total))
	out = binary.LittleEndian.AppendUint32(out, uint32(len(js)))
	out = binary.LittleEndian.AppendUint32(out, 0x4E4F534A)
	out = append(out, js...)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(bin)))
	out = binary.LittleEndian.AppendUint32(out, 0x004E4942)
	out = append(out, bin...)
	return os.WriteFile(path, out, 0o644)
}

// The model check stands before every reader: a hostile download fails its job with the reason,
// as a damaged result, and leaves the library as it was; simplify refuses the same file.
func TestHostileModelIsRefusedEverywhere(t *testing.T) {
	fake := providertest.NewFake("fake")
	fake.Model = writeTerabyteGLB
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
	if err := writeTerabyteGLB(path); err != nil {
		t.Fatal(err)
	}
	_, _, err := SimplifyFile(context.Background(), path, filepath.Join(t.TempDir(), "out.glb"), 100, false, nil)
	if !IsModelError(err) || !errors.Is(err, providers.ErrDamagedResult) {
		t.Errorf("simplify of the hostile model: %v", err)
	}
}
