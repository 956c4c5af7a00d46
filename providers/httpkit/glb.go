package httpkit

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strings"
)

// The binary glTF (glb) layout: a 12-byte header (magic, version, total length), then chunks of
// an 8-byte header (length, type) and their data; the JSON chunk first, then the optional BIN.
const (
	glbHeader      = 12
	glbChunkHeader = 8
	glbJSON        = 0x4E4F534A // "JSON", little-endian
	glbBIN         = 0x004E4942 // "BIN\x00", little-endian
)

// SniffGLB is a DownloadSpec.Sniff for glb models. A start that is not a glb at all (a portal's
// page, an error page served as 200) is a plain error, worth another try. A glb whose own numbers
// lie is Damaged, refused for good before a byte is written: a version other than 2, a total length
// other than the declared one, chunks that do not fit, or buffers that claim more bytes than the
// file holds (a "valid-looking" model whose buffer claims a terabyte, which a reader would
// allocate). Only what head holds is checked: a JSON chunk longer than SniffBytes is left to the
// model check.
func SniffGLB(head []byte, declared int64) error {
	if len(head) < glbHeader || string(head[:4]) != "glTF" {
		return fmt.Errorf("the download is not a glb model: %q", Excerpt(head[:min(len(head), 512)]))
	}
	le := binary.LittleEndian
	if v := le.Uint32(head[4:8]); v != 2 {
		return Damaged("the model is a glb of version %d; Kiln reads version 2", v)
	}
	total := int64(le.Uint32(head[8:12]))
	switch {
	case declared >= 0 && total != declared:
		return Damaged("the glb says it is %d bytes long, but the download is %d", total, declared)
	case total < glbHeader+glbChunkHeader:
		return Damaged("the glb is %d bytes long, too short for its JSON", total)
	}
	if len(head) < glbHeader+glbChunkHeader {
		return nil
	}
	jsonLen := int64(le.Uint32(head[12:16]))
	if le.Uint32(head[16:20]) != glbJSON {
		return Damaged("the glb's first chunk is not its JSON")
	}
	binStart := glbHeader + glbChunkHeader + jsonLen
	if binStart > total {
		return Damaged("the glb's JSON (%d bytes) runs past the end of the file (%d bytes)", jsonLen, total)
	}
	if int64(len(head)) < binStart {
		return nil // the JSON runs past what was sniffed
	}
	binLen := int64(0)
	if binStart+glbChunkHeader <= total {
		binLen = total - binStart - glbChunkHeader // an upper bound until the chunk header is seen
		if int64(len(head)) >= binStart+glbChunkHeader {
			if le.Uint32(head[binStart+4:binStart+8]) != glbBIN {
				binLen = 0
			} else if n := int64(le.Uint32(head[binStart : binStart+4])); n > binLen {
				return Damaged("the glb's binary chunk claims %d bytes, but %d remain", n, binLen)
			} else {
				binLen = n
			}
		}
	}
	return checkBuffers(bytes.TrimRight(head[glbHeader+glbChunkHeader:binStart], " \x00"), binLen, total)
}

// checkBuffers holds the JSON's buffers to what the file can hold: the glb's own buffer (the one
// without a uri) to the binary chunk, a data: URI to its own length. Buffers in other files are
// left to the model check.
func checkBuffers(doc []byte, binLen, total int64) error {
	var gltf struct {
		Buffers []struct {
			ByteLength int64  `json:"byteLength"`
			URI        string `json:"uri"`
		} `json:"buffers"`
	}
	if err := json.Unmarshal(doc, &gltf); err != nil {
		return Damaged("the glb's JSON does not parse: %v", err)
	}
	for i, b := range gltf.Buffers {
		limit := int64(-1)
		switch {
		case b.URI == "":
			limit = binLen
		case strings.HasPrefix(b.URI, "data:"):
			limit = int64(len(b.URI))
		}
		if b.ByteLength < 0 || (limit >= 0 && b.ByteLength > limit) {
			return Damaged("the glb's buffer %d claims %s in a file of %s", i, size(b.ByteLength), size(total))
		}
	}
	return nil
}
