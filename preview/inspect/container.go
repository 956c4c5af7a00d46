// Package inspect checks a glTF model before anything renders it, by the Khronos glTF
// validator's rules and codes (Report.Issues: errors refuse the model, warnings and infos are
// shown beside it), and measures it for the stats panel: triangles, vertices, meshes,
// materials, textures, size, and what a viewer should warn about. It never touches OpenGL, and no input crashes it: g3n's loader
// panics, or allocates without bound, on files this package refuses first.
package inspect

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"github.com/kiln3d/kiln/providers/fsguard"
)

// MaxFileBytes bounds the model files Kiln opens.
const MaxFileBytes = 1 << 30

// Error says why a file cannot be previewed, in words a person can act on: Reason is the first
// error found (and how many more there are). Issues is the whole report of the check, errors,
// warnings and infos, for a caller that shows it (Issues[i].Code names each, as the Khronos
// validator does).
type Error struct {
	File   string
	Reason string
	Issues []Issue
}

func (e *Error) Error() string { return filepath.Base(e.File) + ": " + e.Reason }

// refuse is a refusal for one error, code naming it (the validator's code, or one of Kiln's).
func refuse(path, code, format string, a ...any) error {
	return refuseCode(path, code, "", format, a...)
}

// container is a model file split into its JSON and its binary chunk (GLB), checked against the
// file's real size so that no length inside it can make a reader allocate more than the file.
type container struct {
	raw  []byte
	json []byte
	bin  []byte // the GLB binary chunk, nil for .gltf
	size int64
	// external holds the external buffers, by buffer index, read by checkBuffers; external
	// counts their bytes.
	external      map[int][]byte
	externalBytes int64
	// files lists the external files the model names (buffers here, images by Inspect).
	files []string
}

const (
	glbMagic     = 0x46546C67 // "glTF"
	chunkJSON    = 0x4E4F534A // "JSON"
	chunkBIN     = 0x004E4942 // "BIN\0"
	glbHeaderLen = 12
)

func readContainer(path string) (*container, error) {
	// Regular files only: os.Open on a named pipe would wait for a writer, deaf to Ctrl-C.
	f, st, err := fsguard.OpenRegular(path)
	var ge *fsguard.Error
	switch {
	case errors.As(err, &ge) && ge.Mode.IsDir():
		return nil, refuse(path, CodeUnsafeFile, "is a folder, not a model")
	case errors.As(err, &ge):
		return nil, refuse(path, CodeUnsafeFile, "%s", ge.Reason)
	case err != nil:
		return nil, refuse(path, "IO_ERROR", "cannot be opened (%v)", err)
	}
	defer f.Close()
	if st.Size() == 0 {
		return nil, refuse(path, CodeUnreadable, "the file is empty")
	}
	if st.Size() > MaxFileBytes {
		return nil, refuse(path, CodeLimit, "the file is %d MiB; Kiln previews models up to %d MiB", st.Size()>>20, MaxFileBytes>>20)
	}
	// The opened file's size bounds the read, even if the file grows meanwhile; read into one
	// buffer of that size (growing one as io.ReadAll does copies a large model several times).
	data := make([]byte, st.Size())
	n, err := io.ReadFull(f, data)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, refuse(path, "IO_ERROR", "cannot be read (%v)", err)
	}
	data = data[:n] // shorter if it shrank meanwhile
	return parseContainer(path, data)
}

// parseContainer splits data into JSON and binary chunk, refusing lengths that do not fit.
func parseContainer(path string, data []byte) (*container, error) {
	c := &container{raw: data, size: int64(len(data))}
	if len(data) < 4 || binary.LittleEndian.Uint32(data) != glbMagic {
		trimmed := bytes.TrimLeft(data, " \t\r\n\xef\xbb\xbf")
		if len(trimmed) == 0 || trimmed[0] != '{' {
			return nil, refuse(path, CodeUnreadable, "not a glTF model (neither a .glb nor glTF JSON)")
		}
		c.json = data
		return c, nil
	}
	if len(data) < glbHeaderLen+8 {
		return nil, refuse(path, "GLB_UNEXPECTED_END_OF_HEADER", "the GLB file is cut short (%d bytes)", len(data))
	}
	version := binary.LittleEndian.Uint32(data[4:])
	if version != 2 {
		return nil, refuse(path, "GLB_INVALID_VERSION", "a glTF %d.0 binary: Kiln previews glTF 2.0 (convert it, e.g. with gltf-pipeline)", version)
	}
	total := binary.LittleEndian.Uint32(data[8:])
	if total < glbHeaderLen+8 {
		return nil, refuse(path, "GLB_LENGTH_TOO_SMALL", "the GLB header claims only %d bytes: the file is damaged", total)
	}
	if int64(total) > int64(len(data)) {
		return nil, refuse(path, "GLB_LENGTH_MISMATCH", "the GLB header claims %d bytes but the file has %d: it is cut short", total, len(data))
	}
	rest := data[glbHeaderLen:total]
	for i := 0; len(rest) > 0; i++ {
		if len(rest) < 8 {
			return nil, refuse(path, "GLB_UNEXPECTED_END_OF_CHUNK_HEADER", "a GLB chunk header is cut short")
		}
		n, kind := binary.LittleEndian.Uint32(rest), binary.LittleEndian.Uint32(rest[4:])
		if int64(n) > int64(len(rest)-8) {
			return nil, refuse(path, "GLB_CHUNK_TOO_BIG", "a GLB chunk claims %d bytes but only %d remain", n, len(rest)-8)
		}
		body := rest[8 : 8+n]
		switch {
		case i == 0 && kind != chunkJSON:
			return nil, refuse(path, "GLB_UNEXPECTED_FIRST_CHUNK", "the GLB file does not start with its JSON chunk")
		case i == 0:
			c.json = body
		case i == 1 && kind == chunkBIN:
			c.bin = body
		}
		rest = rest[8+n:]
	}
	return c, nil
}

// header is the part of the JSON checked before the full decode: the buffers' declared sizes.
type header struct {
	Asset struct {
		Version string `json:"version"`
	} `json:"asset"`
	Buffers []struct {
		ByteLength int64  `json:"byteLength"`
		URI        string `json:"uri"`
	} `json:"buffers"`
	ExtensionsRequired []string `json:"extensionsRequired"`
	ExtensionsUsed     []string `json:"extensionsUsed"`
	// Nodes is kept raw for checkNodes, which needs to know which transforms the JSON spells out.
	Nodes json.RawMessage `json:"nodes"`
}

// checkBuffers refuses buffers whose declared length exceeds what can back them, and reads
// external buffers (from regular files in the model's folder only) up to their declared length.
func (c *container) checkBuffers(path string) (*header, error) {
	var h header
	if err := json.Unmarshal(c.json, &h); err != nil {
		return nil, refuse(path, jsonCode(err), "its JSON is malformed (%v)", err)
	}
	if !strings.HasPrefix(h.Asset.Version, "2.") {
		return nil, refuse(path, "UNKNOWN_ASSET_MAJOR_VERSION", "asset.version is %q: Kiln previews glTF 2.0", h.Asset.Version)
	}
	c.external = map[int][]byte{}
	for i, b := range h.Buffers {
		if b.ByteLength <= 0 {
			return nil, refuse(path, "UNDEFINED_PROPERTY", "buffer %d has no length", i)
		}
		switch {
		case b.URI == "" && i == 0 && c.bin != nil:
			if b.ByteLength > int64(len(c.bin)) {
				return nil, refuse(path, "BUFFER_BYTE_LENGTH_MISMATCH", "buffer 0 claims %d bytes but the binary chunk has %d", b.ByteLength, len(c.bin))
			}
		case b.URI == "":
			return nil, refuse(path, "BUFFER_MISSING_GLB_DATA", "buffer %d has no data (no uri and no binary chunk)", i)
		case strings.HasPrefix(b.URI, "data:"):
			if b.ByteLength > int64(len(b.URI)) {
				return nil, refuse(path, "BUFFER_BYTE_LENGTH_MISMATCH", "buffer %d claims %d bytes, more than its data URI holds", i, b.ByteLength)
			}
		default:
			data, name, err := readBuffer(path, i, b.URI, b.ByteLength, MaxFileBytes-c.externalBytes)
			if err != nil {
				return nil, err
			}
			c.external[i] = data
			c.externalBytes += b.ByteLength
			if !slices.Contains(c.files, name) {
				c.files = append(c.files, name)
			}
		}
	}
	return &h, nil
}

// jsonCode is the validator's code for a JSON decoding error: a value of the wrong type is its
// TYPE_MISMATCH, anything else INVALID_JSON.
func jsonCode(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return "TYPE_MISMATCH"
	}
	return "INVALID_JSON"
}
