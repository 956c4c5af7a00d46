package modelio

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/qmuntal/gltf"

	"github.com/kiln3d/kiln/providers/atomicfile"
)

// EncodeGLB compacts the model and writes it to w as one binary glTF (.glb), its buffer in the
// binary chunk.
func (m *Model) EncodeGLB(w io.Writer) error {
	if err := m.Compact(); err != nil {
		return err
	}
	return m.encodeGLB(w)
}

// encodeGLB writes the model as a GLB, as it is.
func (m *Model) encodeGLB(w io.Writer) error {
	doc := *m.Doc
	if len(doc.Buffers) > 0 {
		// A GLB's first buffer is its binary chunk only when it has no URI.
		b := *doc.Buffers[0]
		b.URI = ""
		doc.Buffers = append([]*gltf.Buffer{&b}, doc.Buffers[1:]...)
	}
	// The encoder drops some write errors; ew keeps the first.
	ew := &errWriter{w: w}
	e := gltf.NewEncoder(ew)
	e.AsBinary = true
	err := e.Encode(&doc)
	if ew.err != nil {
		err = ew.err
	}
	if err != nil {
		return fmt.Errorf("modelio: write the GLB: %w", err)
	}
	return nil
}

// WriteGLB compacts the model and writes it to path as a .glb, atomically: a reader sees no file
// or the whole file. Without replace an existing file is left alone and the error wraps
// fs.ErrExist.
func (m *Model) WriteGLB(path string, replace bool) error {
	if err := m.Compact(); err != nil {
		return err
	}
	return writeFile(path, replace, m.encodeGLB)
}

// WriteGLTF compacts the model and writes it as a .gltf at path with its parts beside it: the
// buffer as STEM.bin and each image as STEM_NAME.png (or .jpg…, after its type), NAME being the
// image's name, or its index when it has none. The parts' names keep only letters, digits, "_",
// "-" and "." (anything else becomes "_", so STEM may differ from the .gltf's own), are unique
// even where case does not count, and the .gltf refers to them by relative URIs. It returns
// every file written, the .gltf first.
//
// Each file is written atomically and the .gltf last, so a reader never finds it before its
// parts. Without replace, when any of the files exists nothing is written and the error wraps
// fs.ErrExist, naming the file; should another writer take one of the names meanwhile, the parts
// already written are removed.
func (m *Model) WriteGLTF(path string, replace bool) (files []string, err error) {
	if !strings.EqualFold(filepath.Ext(path), ".gltf") {
		return nil, fmt.Errorf("modelio: %s: a glTF file's name must end in .gltf", path)
	}
	if err := m.Compact(); err != nil {
		return nil, err
	}
	parts, doc, err := m.splitGLTF(path)
	if err != nil {
		return nil, err
	}
	var text bytes.Buffer
	e := gltf.NewEncoder(&text)
	e.AsBinary = false
	e.SetJSONIndent("", "  ")
	if err := e.Encode(doc); err != nil {
		return nil, fmt.Errorf("modelio: write %s: %w", filepath.Base(path), err)
	}

	files = []string{path}
	for _, p := range parts {
		files = append(files, p.path)
	}
	if !replace {
		for _, f := range files {
			if _, err := os.Lstat(f); err == nil {
				return nil, existError(f)
			}
		}
	}
	var written []string
	for _, p := range append(parts, part{path, text.Bytes()}) {
		if err := writeFile(p.path, replace, bytesTo(p.data)); err != nil {
			if !replace {
				for _, f := range written {
					_ = os.Remove(f)
				}
			}
			return nil, err
		}
		written = append(written, p.path)
	}
	return files, nil
}

// part is one file of a .gltf's parts: where it goes and what it holds.
type part struct {
	path string
	data []byte
}

// splitGLTF makes the document a .gltf at path holds (the model's own, with the images moved out
// of the buffer to files of their own and the buffer to STEM.bin) and the parts to write beside
// it. The model itself is left as it was.
func (m *Model) splitGLTF(path string) ([]part, *gltf.Document, error) {
	dir := filepath.Dir(path)
	stem := safeFileName(strings.TrimSuffix(filepath.Base(path), filepath.Ext(path)))
	if stem == "" {
		stem = "model"
	}
	doc := *m.Doc
	doc.Accessors = slices.Clone(doc.Accessors)
	doc.BufferViews = slices.Clone(doc.BufferViews)
	doc.Buffers = slices.Clone(doc.Buffers)
	doc.Images = slices.Clone(doc.Images)

	taken := map[string]bool{strings.ToLower(stem + ".bin"): true}
	var images []part
	for i, img := range doc.Images {
		data, err := imageBytes(&doc, i)
		if err != nil {
			return nil, nil, err
		}
		ext, ok := imageExtension(img.MimeType)
		if !ok {
			return nil, nil, fmt.Errorf("modelio: image %d %q has the type %q, which a .gltf cannot name a file for; write a .glb instead", i, img.Name, img.MimeType)
		}
		name := safeFileName(img.Name)
		if name == "" {
			name = strconv.Itoa(i)
		}
		file := uniqueFileName(taken, stem+"_"+name, ext)
		ni := *img
		ni.BufferView, ni.URI = nil, file
		doc.Images[i] = &ni
		images = append(images, part{filepath.Join(dir, file), data})
	}
	if err := compact(&doc); err != nil {
		return nil, nil, err
	}
	var parts []part
	if len(doc.Buffers) > 0 {
		b := *doc.Buffers[0]
		b.URI = stem + ".bin"
		doc.Buffers = []*gltf.Buffer{&b}
		parts = append(parts, part{filepath.Join(dir, b.URI), b.Data})
	}
	return append(parts, images...), &doc, nil
}

// imageExtension is the file extension for an image of a glTF MIME type.
func imageExtension(mime string) (string, bool) {
	switch mime {
	case "image/png":
		return ".png", true
	case "image/jpeg":
		return ".jpg", true
	case "image/webp":
		return ".webp", true
	case "image/ktx2":
		return ".ktx2", true
	case "image/vnd-ms.dds":
		return ".dds", true
	case "image/avif":
		return ".avif", true
	}
	return "", false
}

// maxNameBytes bounds a part's name taken from an image, far below any file system's limit.
const maxNameBytes = 96

// safeFileName keeps what every engine's importer and every file system accepts in a name:
// ASCII letters, digits, "_", "-" and "."; any other character becomes "_". A leading "." (a
// hidden file, or "..") goes, and the name is cut to maxNameBytes.
func safeFileName(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '-', r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	name := strings.TrimLeft(b.String(), ".")
	if len(name) > maxNameBytes {
		name = name[:maxNameBytes]
	}
	return name
}

// uniqueFileName is base+ext, or base_2+ext, base_3+ext… when that is taken, comparing without
// case (Windows and macOS do not tell "Wood.png" from "wood.png"); it marks the name taken.
func uniqueFileName(taken map[string]bool, base, ext string) string {
	name := base + ext
	for k := 2; taken[strings.ToLower(name)]; k++ {
		name = base + "_" + strconv.Itoa(k) + ext
	}
	taken[strings.ToLower(name)] = true
	return name
}

// writeFile writes path atomically: replacing it, or, without replace, only when it does not
// exist.
func writeFile(path string, replace bool, write func(io.Writer) error) error {
	var err error
	if replace {
		err = atomicfile.Write(path, 0o644, write)
	} else {
		err = atomicfile.Create(path, 0o644, write)
	}
	switch {
	case errors.Is(err, fs.ErrExist):
		return existError(path)
	case err != nil:
		return fmt.Errorf("modelio: %w", err)
	}
	return nil
}

// existError says that path exists and was not replaced.
func existError(path string) error {
	return fmt.Errorf("modelio: %s already exists; export under another name, or choose to replace it: %w", path, fs.ErrExist)
}

// bytesTo writes data, for atomicfile.
func bytesTo(data []byte) func(io.Writer) error {
	return func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	}
}

// errWriter passes writes on to w until one fails, and remembers that failure.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}
