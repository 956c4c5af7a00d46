package inspect

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"image"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/qmuntal/gltf"

	"github.com/kiln3d/kiln/providers/fsguard"
)

// Texture limits, checked from each image's header before any renderer decodes it. The
// preview halves textures to 4096 a side anyway; these bound what decoding costs first (a
// 64-megapixel 16-bit PNG decodes to 512 MiB).
const (
	// MaxTextureSide is the widest or tallest texture accepted, in pixels.
	MaxTextureSide = 16384
	// MaxTexturePixels is the largest texture accepted: 64 megapixels (8192×8192).
	MaxTexturePixels = 1 << 26
)

// resolveURI turns a glTF URI (not a data: URI) into the name of a file in the model's own
// folder (unescaped, slash-separated), for openURI. Anything else is refused: a
// network address, another scheme, an absolute path, a ".." or a symbolic link leading out of
// the folder. A missing file is an error wrapping os.ErrNotExist, for the caller to judge.
// escaped says the URI is as the file wrote it; qmuntal/gltf has already unescaped image URIs.
func resolveURI(path, what, uri string, escaped bool) (name string, err error) {
	if u, err := url.Parse(uri); err == nil && u.Scheme != "" {
		switch strings.ToLower(u.Scheme) {
		case "http", "https", "ftp":
			return "", refuse(path, CodeUnsafeFile, "%s is on the network (%s): Kiln only opens local files", what, uri)
		}
		return "", refuse(path, CodeUnsafeFile, "%s names %q, which is not a file beside the model", what, uri)
	}
	name = uri
	if escaped {
		if name, err = url.PathUnescape(uri); err != nil {
			return "", refuse(path, CodeUnsafeFile, "%s names %q, which is not a file beside the model", what, uri)
		}
	}
	name = strings.TrimPrefix(strings.ReplaceAll(name, "\\", "/"), "./")
	_, err = fsguard.Within(filepath.Dir(path), name)
	switch {
	case errors.Is(err, fsguard.ErrOutside) && strings.Contains(err.Error(), "link"):
		return "", refuse(path, CodeUnsafeFile, "%s %s is a link to a file outside the model's folder", what, uri)
	case errors.Is(err, fsguard.ErrOutside):
		return "", refuse(path, CodeUnsafeFile, "%s names %q, which is not a file beside the model", what, uri)
	case err != nil:
		return name, fmt.Errorf("%s file %s: %w", what, uri, err)
	}
	return name, nil
}

// openURI opens the external file name (as resolveURI gave it) in the model's folder, regular
// files only, through fsguard.OpenWithin: a link swapped in since resolveURI cannot lead out.
func openURI(path, what, uri, name string) (*os.File, os.FileInfo, error) {
	f, st, err := fsguard.OpenWithin(filepath.Dir(path), name)
	var ge *fsguard.Error
	switch {
	case errors.As(err, &ge):
		return nil, nil, refuse(path, CodeUnsafeFile, "its %s file %s %s", what, uri, ge.Reason)
	case err != nil:
		return nil, nil, refuse(path, "IO_ERROR", "its %s file %s cannot be read (%v)", what, uri, err)
	}
	return f, st, nil
}

// readBuffer reads an external buffer's declared length from its file, refusing a file shorter
// than the length (the allocation is bounded by the file's real size) and a length over what
// is left of the model's budget (MaxFileBytes for all its buffers together).
func readBuffer(path string, i int, uri string, length, budget int64) ([]byte, string, error) {
	what := fmt.Sprintf("buffer %d", i)
	name, err := resolveURI(path, what, uri, true)
	if errors.Is(err, os.ErrNotExist) {
		return nil, "", refuse(path, "IO_ERROR", "its buffer file %s is missing", uri)
	} else if err != nil {
		return nil, "", err
	}
	f, st, err := openURI(path, "buffer", uri, name)
	if err != nil {
		return nil, "", err
	}
	defer f.Close()
	if length > st.Size() {
		return nil, "", refuse(path, "BUFFER_BYTE_LENGTH_MISMATCH", "buffer %d claims %d bytes but %s has %d", i, length, uri, st.Size())
	}
	if length > budget {
		return nil, "", refuse(path, CodeLimit, "its buffers total more than the %d MiB Kiln previews", MaxFileBytes>>20)
	}
	data := make([]byte, length)
	if _, err := io.ReadFull(f, data); err != nil {
		return nil, "", refuse(path, "IO_ERROR", "its buffer file %s cannot be read (%v)", uri, err)
	}
	return data, name, nil
}

// imageHeader finds image i's encoded bytes (a buffer view, a data URI, or a regular file in
// the model's folder) and reads its header. It refuses a file Kiln must not open and an image
// over the texture limits; an image that is missing or cannot be identified is a warning
// (the renderer draws its material's colour alone), reported as the string.
// imageInfo is what imageHeader learns of one image.
type imageInfo struct {
	Texture
	data    []byte // the encoded bytes, when the model holds them
	file    string // the external file: its name in the model's folder
	warning string // why the image will not be drawn, when it will not
	code    string // the warning's issue code
	format  string // the format its header shows ("png", "jpeg", "webp"), when it was read
}

func imageHeader(path string, doc *gltf.Document, i int) (imageInfo, error) {
	img := doc.Images[i]
	var (
		r  io.Reader
		in = imageInfo{Texture: Texture{MIMEType: img.MimeType}}
		t  = &in.Texture
	)
	switch {
	case img.BufferView != nil:
		bv := doc.BufferViews[*img.BufferView] // in range: checkDocument
		in.data = doc.Buffers[bv.Buffer].Data[bv.ByteOffset : bv.ByteOffset+bv.ByteLength]
		r = bytes.NewReader(in.data)
	case img.IsEmbeddedResource():
		var err error
		if in.data, err = img.MarshalData(); err != nil {
			in.warning, in.code = fmt.Sprintf("texture image %d: its data URI cannot be read", i), codeImageUnrecognized
			return in, nil
		}
		r = bytes.NewReader(in.data)
	case img.URI != "":
		what := fmt.Sprintf("texture image %d", i)
		name, err := resolveURI(path, what, img.URI, false)
		if errors.Is(err, os.ErrNotExist) {
			in.warning, in.code = fmt.Sprintf("texture image %d (%s) is missing: drawn without it", i, img.URI), CodeImageMissing
			return in, nil
		} else if err != nil {
			return in, err
		}
		f, _, err := openURI(path, "texture", img.URI, name)
		if err != nil {
			return in, err
		}
		defer f.Close()
		in.file = name
		r = bufio.NewReader(f)
	default:
		in.warning, in.code = fmt.Sprintf("texture image %d has no data", i), CodeImageNoData
		return in, nil
	}
	cfg, format, err := decodeConfig(r)
	if err != nil {
		in.warning, in.code = fmt.Sprintf("texture image %d is not an image the preview can read: drawn without it", i), codeImageUnrecognized
		return in, nil
	}
	t.Width, t.Height, in.format = cfg.Width, cfg.Height, format
	if t.MIMEType == "" {
		t.MIMEType = "image/" + format
	}
	if t.Width > MaxTextureSide || t.Height > MaxTextureSide || int64(t.Width)*int64(t.Height) > MaxTexturePixels {
		return in, refuse(path, CodeLimit, "texture image %d is %d×%d pixels; the preview takes textures up to %d pixels a side and %d megapixels (scale it down)",
			i, t.Width, t.Height, MaxTextureSide, MaxTexturePixels>>20)
	}
	return in, nil
}

// decodeConfig reads an image header, turning a decoder's panic into an error.
func decodeConfig(r io.Reader) (cfg image.Config, format string, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("unreadable image header (%v)", p)
		}
	}()
	return image.DecodeConfig(r)
}

// ImageData returns the encoded bytes of image i of a document Load accepted from path, for a
// renderer to decode: only when its header is identified and within the texture limits, read
// from a regular file in the model's folder (or from the model itself). Renderers call this
// rather than opening image URIs themselves, so that they decode nothing Inspect did not check.
func ImageData(path string, doc *gltf.Document, i int) ([]byte, error) {
	if i < 0 || i >= len(doc.Images) {
		return nil, refuse(path, "UNRESOLVED_REFERENCE", "image %d does not exist", i)
	}
	in, err := imageHeader(path, doc, i)
	switch {
	case err != nil:
		return nil, err
	case in.warning != "":
		return nil, refuse(path, in.code, "%s", in.warning)
	case in.data != nil:
		return in.data, nil
	}
	// An external file, read whole now.
	data, err := fsguard.ReadFileWithin(filepath.Dir(path), in.file, MaxFileBytes)
	if err != nil {
		return nil, refuse(path, "IO_ERROR", "its texture file %s cannot be read (%v)", in.file, err)
	}
	// The file may have changed since its header was read: check again what will be decoded.
	if cfg, _, err := decodeConfig(bytes.NewReader(data)); err != nil || cfg.Width != in.Width || cfg.Height != in.Height {
		return nil, refuse(path, "IO_ERROR", "its texture file %s changed while it was read", in.file)
	}
	return data, nil
}
