package gltfsimplify

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"github.com/qmuntal/gltf"

	"github.com/kiln3d/kiln/providers/fsguard"
)

// ErrUnreadable marks a file the glTF decoder cannot read: truncated, not glTF, or malformed
// enough to make it fail or panic.
var ErrUnreadable = errors.New("not a readable glTF model")

// ErrUnsupported marks a valid file that Kiln cannot simplify; the message says what to do.
var ErrUnsupported = errors.New("cannot simplify this model")

// unsupported wraps ErrUnsupported with the file name and the reason.
func unsupported(path, why string) error {
	return fmt.Errorf("gltfsimplify: %s: %w: %s", filepath.Base(path), ErrUnsupported, why)
}

// open decodes the file at path (.glb, or .gltf with its external buffers), turning decoder
// failures and panics into ErrUnreadable and refusing what cannot be simplified.
func open(path string) (doc *gltf.Document, err error) {
	if err := sniffGLB(path); err != nil {
		return nil, err
	}
	doc, err = decode(path)
	if err != nil {
		return nil, fmt.Errorf("gltfsimplify: %s is %w: %w", filepath.Base(path), ErrUnreadable, err)
	}
	return doc, nil
}

// simplifiable refuses a decoded model that cannot be simplified, saying what to do.
func simplifiable(path string, doc *gltf.Document) error {
	if v := doc.Asset.Version; !strings.HasPrefix(v, "2.") {
		return unsupported(path, fmt.Sprintf("it is glTF %q, and only glTF 2.0 is supported: re-export it as glTF 2.0", v))
	}
	for _, ext := range doc.ExtensionsRequired {
		switch ext {
		case "KHR_draco_mesh_compression":
			return unsupported(path, "it is Draco-compressed (KHR_draco_mesh_compression): decompress it first, e.g. with gltf-transform")
		case "EXT_meshopt_compression", "KHR_meshopt_compression":
			return unsupported(path, "it is meshopt-compressed ("+ext+"): decompress it first, e.g. with gltf-transform")
		}
	}
	if slices.Contains(doc.ExtensionsUsed, "EXT_meshopt_compression") || slices.Contains(doc.ExtensionsUsed, "KHR_meshopt_compression") {
		// Optional meshopt compression keeps a fallback buffer that may hold no data at all.
		return unsupported(path, "it uses meshopt compression: decompress it first, e.g. with gltf-transform")
	}
	for i, b := range doc.Buffers {
		if b.Data == nil {
			return unsupported(path, fmt.Sprintf("buffer %d (%q) could not be loaded: keep it beside the model", i, b.URI))
		}
	}
	return nil
}

// decode runs the third-party decoder, which can panic on malformed input.
func decode(path string) (doc *gltf.Document, err error) {
	defer func() {
		if r := recover(); r != nil {
			doc, err = nil, fmt.Errorf("the decoder failed: %v", r)
		}
	}()
	return gltf.Open(path)
}

// sniffGLB refuses a binary glTF 1.0 file (GLB version 1) with a clear message; the decoder
// would only report a bad header.
func sniffGLB(path string) error {
	f, _, err := fsguard.OpenRegular(path) // a FIFO is refused, never waited on
	if err != nil {
		return fmt.Errorf("gltfsimplify: %w", err)
	}
	defer f.Close()
	var head [8]byte
	if _, err := io.ReadFull(f, head[:]); err != nil {
		return nil // too short for a GLB header; the decoder says what is wrong
	}
	if string(head[:4]) == "glTF" {
		if v := binary.LittleEndian.Uint32(head[4:]); v != 2 {
			return unsupported(path, fmt.Sprintf("it is a glTF %d.0 binary (GLB version %d), and only glTF 2.0 is supported: re-export it as glTF 2.0", v, v))
		}
	}
	return nil
}
