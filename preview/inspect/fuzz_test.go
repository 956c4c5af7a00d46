package inspect

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// FuzzInspect feeds Inspect arbitrary bytes, as .glb and as .gltf: it must answer with a report
// or an error, never panic, hang or run out of memory. CI runs it briefly (make test); a longer
// run: go test -fuzz=FuzzInspect ./preview/inspect.
func FuzzInspect(f *testing.F) {
	seed := filepath.Join(f.TempDir(), "seed.glb")
	if err := saveDoc(tetra(), seed); err != nil {
		f.Fatal(err)
	}
	data, _ := os.ReadFile(seed)
	f.Add(data, true)
	// Each hostile model of the agreement test: the data pass's and the validator rules' inputs.
	for i, h := range hostileModels() {
		doc := tetra()
		h.mutate(doc)
		p := filepath.Join(f.TempDir(), fmt.Sprintf("hostile%d.glb", i))
		if err := saveDoc(doc, p); err != nil {
			f.Fatal(err)
		}
		data, _ := os.ReadFile(p)
		f.Add(data, true)
	}
	// A node with a matrix beside a translation, an undeclared extension and a rotation out of
	// range, in JSON.
	f.Add([]byte(`{"asset":{"version":"2.0"},"extensionsRequired":["KHR_materials_unlit"],"nodes":[{"matrix":[1,0,0,0,0,1,0,0,0,0,1,0,0,0,0,1],"translation":[1,2,3],"rotation":[0,0,2,1],"extensions":{"EXT_x":{}}}],"scenes":[{"nodes":[0,0]}]}`), false)
	f.Add([]byte(`{"asset":{"version":"2.0"},"buffers":[{"byteLength":8,"uri":"data:application/octet-stream;base64,AAAAAAAAAAA="}],"bufferViews":[{"buffer":0,"byteLength":8}],"accessors":[{"bufferView":0,"componentType":5123,"count":4,"type":"SCALAR"}]}`), false)
	f.Add([]byte("glTF\x02\x00\x00\x00\x20\x00\x00\x00"), true)
	// One folder per fuzzing process, left empty after each input, rather than t.TempDir per
	// input: creating and removing a folder costs several times what Inspect does, and the
	// fuzzer's minimizer runs each new interesting input's candidates by the hundred thousand
	// (removing every span of bytes: quadratic in its length) before it reports any exec.
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte, binary bool) {
		name := "model.gltf"
		if binary {
			name = "model.glb"
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		defer func() {
			if err := os.Remove(p); err != nil {
				t.Fatal(err) // the next input must find the folder empty
			}
		}()
		rep, err := Inspect(p)
		if err == nil && rep == nil {
			t.Fatal("no report and no error")
		}
	})
}
