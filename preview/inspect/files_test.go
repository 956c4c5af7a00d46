package inspect

import (
	"bytes"
	"errors"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/qmuntal/gltf"

	"github.com/kiln3d/kiln/providers/fsguard/fsguardtest"
	"github.com/kiln3d/kiln/providers/modeltest"
)

// promptly runs f, failing the test if it waits on a named pipe instead of refusing it.
func promptly(t *testing.T, f func() error) error {
	t.Helper()
	return fsguardtest.Promptly(t, 5*time.Second, f)
}

func tinyPNG(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewNRGBA(image.Rect(0, 0, 4, 2))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// textured is the tetrahedron as model.gltf + model.bin in a fresh folder, naming one texture
// image by uri; write puts files beside it first.
func textured(t *testing.T, uri string, write func(dir string)) string {
	t.Helper()
	dir := t.TempDir()
	if write != nil {
		write(dir)
	}
	doc := tetra()
	doc.Images = []*gltf.Image{{URI: uri}}
	doc.Textures = []*gltf.Texture{{Source: gltf.Index(0)}}
	return saveGLTF(t, dir, doc)
}

func TestExternalFilesConfined(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links, named pipes and /dev/null as on unix")
	}
	outside := t.TempDir()
	secret := filepath.Join(outside, "secret.png")
	if err := os.WriteFile(secret, tinyPNG(t), 0o644); err != nil {
		t.Fatal(err)
	}
	mkfifo := func(p string) { fsguardtest.MkFIFO(t, p) }
	cases := map[string]struct {
		uri   string
		write func(dir string)
		want  string
	}{
		"parent":   {"../secret.png", nil, `texture image 0 names "../secret.png", which is not a file beside the model`},
		"absolute": {secret, nil, "which is not a file beside the model"},
		"file URL": {"file://" + secret, nil, "which is not a file beside the model"},
		"network":  {"https://example.com/t.png", nil, "texture image 0 is on the network"},
		"escaped":  {"%2e%2e/secret.png", nil, "which is not a file beside the model"},
		"symlink out": {"leak.png", func(d string) { os.Symlink(secret, filepath.Join(d, "leak.png")) },
			"texture image 0 leak.png is a link to a file outside the model's folder"},
		"device": {"zero.png", func(d string) { os.Symlink("/dev/zero", filepath.Join(d, "zero.png")) }, "outside the model's folder"},
		"fifo":   {"pipe.png", func(d string) { mkfifo(filepath.Join(d, "pipe.png")) }, "its texture file pipe.png is a named pipe (FIFO), not a file"},
		"link to fifo": {"alias.png", func(d string) {
			mkfifo(filepath.Join(d, "pipe.png"))
			os.Symlink("pipe.png", filepath.Join(d, "alias.png"))
		}, "is a named pipe (FIFO)"},
		"folder": {"sub", func(d string) { os.Mkdir(filepath.Join(d, "sub"), 0o755) }, "its texture file sub is a folder, not a file"},
	}
	for name, c := range cases {
		path := textured(t, c.uri, c.write)
		err := promptly(t, func() error { _, err := Inspect(path); return err })
		wantRefusal(t, name, err, c.want)
	}

	// The same for buffers, and for the model itself.
	dir := t.TempDir()
	mkfifo(filepath.Join(dir, "pipe.bin"))
	mkfifo(filepath.Join(dir, "pipe.glb"))
	os.Symlink(filepath.Join(outside, "secret.png"), filepath.Join(dir, "leak.bin"))
	for name, want := range map[string]string{"pipe.bin": "its buffer file pipe.bin is a named pipe (FIFO), not a file", "leak.bin": "buffer 0 leak.bin is a link to a file outside"} {
		p := filepath.Join(dir, name+".gltf")
		os.WriteFile(p, []byte(`{"asset":{"version":"2.0"},"buffers":[{"byteLength":4,"uri":"`+name+`"}]}`), 0o644)
		err := promptly(t, func() error { _, err := Inspect(p); return err })
		wantRefusal(t, name, err, want)
	}
	err := promptly(t, func() error { _, err := Inspect(filepath.Join(dir, "pipe.glb")); return err })
	wantRefusal(t, "model fifo", err, "pipe.glb: is a named pipe (FIFO), not a file")
	_, err = Inspect("/dev/null")
	wantRefusal(t, "/dev/null", err, "is a character device, not a file")
}

func TestTextureLimits(t *testing.T) {
	for name, c := range map[string]struct {
		png  []byte
		want string
	}{
		"wide":  {modeltest.PNGHeader(20000, 16), "texture image 0 is 20000×16 pixels; the preview takes textures up to 16384 pixels a side and 64 megapixels"},
		"large": {modeltest.PNGHeader(10000, 10000), "texture image 0 is 10000×10000 pixels"},
	} {
		// External, embedded in the binary chunk, and as a data URI.
		path := textured(t, "big.png", func(d string) { os.WriteFile(filepath.Join(d, "big.png"), c.png, 0o644) })
		_, err := Inspect(path)
		wantRefusal(t, name+" external", err, c.want)

		doc := tetra()
		view := len(doc.BufferViews)
		doc.BufferViews = append(doc.BufferViews, &gltf.BufferView{Buffer: 0, ByteOffset: len(doc.Buffers[0].Data), ByteLength: len(c.png)})
		doc.Buffers[0].Data = append(doc.Buffers[0].Data, c.png...)
		doc.Buffers[0].ByteLength = len(doc.Buffers[0].Data)
		doc.Images = []*gltf.Image{{BufferView: gltf.Index(view), MimeType: "image/png"}}
		_, err = Inspect(save(t, doc))
		wantRefusal(t, name+" embedded", err, c.want)

		doc = tetra()
		doc.Images = []*gltf.Image{{URI: "data:image/png;base64," + b64(c.png)}}
		_, err = Inspect(save(t, doc))
		wantRefusal(t, name+" data URI", err, c.want)
	}
}

// TestTextureWarningsAndFiles: a missing or unidentified image is only a warning; Report lists
// the files that travel with the model, and ImageData hands a renderer only checked bytes.
func TestTextureWarningsAndFiles(t *testing.T) {
	good := tinyPNG(t)
	path := textured(t, "t%20one.png", func(d string) { os.WriteFile(filepath.Join(d, "t one.png"), good, 0o644) })
	doc, rep, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rep.Files, []string{"model.bin", "t one.png"}) || rep.TextureCount != 1 || len(rep.Textures) != 1 ||
		rep.Textures[0] != (Texture{Width: 4, Height: 2, MIMEType: "image/png"}) {
		t.Errorf("report %+v", rep)
	}
	if data, err := ImageData(path, doc, 0); err != nil || !bytes.Equal(data, good) {
		t.Errorf("ImageData = %d bytes, %v", len(data), err)
	}
	for uri, want := range map[string]string{"missing.png": "texture image 0 (missing.png) is missing", "notes.png": "texture image 0 is not an image the preview can read"} {
		path := textured(t, uri, func(d string) { os.WriteFile(filepath.Join(d, "notes.png"), []byte("hello"), 0o644) })
		doc, rep, err := Load(path)
		if err != nil || !slices.ContainsFunc(rep.Warnings, func(w string) bool { return strings.HasPrefix(w, want) }) {
			t.Errorf("%s: %v, warnings %q", uri, err, rep.Warnings)
			continue
		}
		if _, err := ImageData(path, doc, 0); err == nil {
			t.Errorf("%s: ImageData gave bytes to decode", uri)
		}
	}
}

// TestBoundedByFileSize: what a file claims may not outgrow the file: an accessor without data
// (zeros, by the spec) is bounded by the model's size, and a long chain of nodes costs its
// length.
func TestBoundedByFileSize(t *testing.T) {
	doc := tetra()
	doc.Accessors[0].BufferView = nil
	doc.Accessors[0].Count = 1 << 27
	_, err := Inspect(save(t, doc))
	wantRefusal(t, "zeros", err, "accessor 0 has no data but claims 134217728 elements")

	doc = tetra()
	const chain = 100_000
	for i := range chain {
		doc.Nodes = append(doc.Nodes, &gltf.Node{Children: []int{i + 2}})
	}
	doc.Nodes = append(doc.Nodes, &gltf.Node{Mesh: gltf.Index(0)})
	doc.Scenes[0].Nodes = []int{0, 1}
	start := time.Now()
	rep, err := Inspect(save(t, doc))
	if err != nil || rep.DrawnTriangles != 8 {
		t.Errorf("chain: %v, %+v", err, rep)
	}
	// A guard against quadratic work, not a speed target: linear takes about a second (seven
	// under -race on a loaded machine), quadratic would take hours.
	if d := time.Since(start); d > 60*time.Second {
		t.Errorf("a chain of %d nodes took %v", chain, d)
	}
	doc.Nodes[len(doc.Nodes)-1].Children = []int{1} // and now a cycle
	_, err = Inspect(save(t, doc))
	wantRefusal(t, "long cycle", err, "the node hierarchy has a cycle")
	if err != nil && errors.Is(err, os.ErrNotExist) {
		t.Error(err)
	}
}
