// Package imageio opens reference images safely: it identifies the format from the file's content,
// refuses files that are empty, not images, or too large before decoding them, and turns decoder
// failures into messages an artist can act on.
package imageio

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"os"
	"strings"

	"golang.org/x/image/webp"

	"github.com/kiln3d/kiln/providers"
)

// Limits on what Kiln accepts as a reference image.
const (
	// MaxSide is the largest width or height accepted, in pixels.
	MaxSide = 8192
	// MaxFileBytes is the largest file accepted.
	MaxFileBytes = 256 << 20
)

// Format is a supported image format.
type Format string

// The supported formats.
const (
	PNG  Format = "PNG"
	JPEG Format = "JPEG"
	WebP Format = "WebP"
)

// Info describes an image from its header, without decoding its pixels.
type Info struct {
	Format        Format
	Width, Height int
	Bytes         int64
}

// Check reads only the header of the file at path and reports what it is. Every refusal is a
// *providers.InputError naming the file.
func Check(path string) (Info, error) {
	f, err := os.Open(path)
	if err != nil {
		return Info{}, openError(path, err)
	}
	defer f.Close()
	info, _, err := check(path, f)
	return info, err
}

// Decode checks the file at path like Check and then decodes it.
func Decode(path string) (image.Image, Info, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, Info{}, openError(path, err)
	}
	defer f.Close()
	info, r, err := check(path, f)
	if err != nil {
		return nil, info, err
	}
	var img image.Image
	switch info.Format {
	case PNG:
		img, err = png.Decode(r)
	case JPEG:
		img, err = jpeg.Decode(r)
	case WebP:
		img, err = webp.Decode(r)
	}
	if err != nil {
		return nil, info, corrupt(path, info.Format, err)
	}
	return img, info, nil
}

func check(path string, f *os.File) (Info, io.Reader, error) {
	st, err := f.Stat()
	if err != nil {
		return Info{}, nil, openError(path, err)
	}
	if st.IsDir() {
		return Info{}, nil, &providers.InputError{File: path, Reason: "is a folder, not an image"}
	}
	info := Info{Bytes: st.Size()}
	if st.Size() == 0 {
		return info, nil, &providers.InputError{File: path, Reason: "the file is empty"}
	}
	if st.Size() > MaxFileBytes {
		return info, nil, &providers.InputError{File: path, Reason: fmt.Sprintf(
			"the file is %d MiB; Kiln accepts images up to %d MiB", st.Size()>>20, MaxFileBytes>>20)}
	}
	head := make([]byte, 32)
	n, _ := f.ReadAt(head, 0)
	format, other := sniff(head[:n])
	if format == "" {
		reason := "not a PNG, JPEG or WebP image"
		if other != "" {
			reason = fmt.Sprintf("is a %s, not a PNG, JPEG or WebP image", other)
		}
		return info, nil, &providers.InputError{File: path, Reason: reason}
	}
	info.Format = format
	// DecodeConfig reads only the header; the full decode reads the file again from its start.
	section := func() io.Reader { return bufio.NewReaderSize(io.NewSectionReader(f, 0, st.Size()), 64<<10) }
	var cfg image.Config
	switch format {
	case PNG:
		cfg, err = png.DecodeConfig(section())
	case JPEG:
		cfg, err = jpeg.DecodeConfig(section())
	case WebP:
		cfg, err = webp.DecodeConfig(section())
	}
	if err != nil {
		return info, nil, corrupt(path, format, err)
	}
	info.Width, info.Height = cfg.Width, cfg.Height
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return info, nil, &providers.InputError{File: path, Reason: fmt.Sprintf("the %s header gives no size", format)}
	}
	if cfg.Width > MaxSide || cfg.Height > MaxSide {
		return info, nil, &providers.InputError{File: path, Reason: fmt.Sprintf(
			"the image is %d×%d pixels; Kiln accepts up to %d pixels a side", cfg.Width, cfg.Height, MaxSide)}
	}
	return info, section(), nil
}

// sniff names the format from the file's first bytes: a supported Format, or a description of a
// known unsupported type.
func sniff(b []byte) (Format, string) {
	has := func(p string) bool { return bytes.HasPrefix(b, []byte(p)) }
	switch {
	case has("\x89PNG\r\n\x1a\n"):
		return PNG, ""
	case has("\xff\xd8\xff"):
		return JPEG, ""
	case has("RIFF") && len(b) >= 12 && string(b[8:12]) == "WEBP":
		return WebP, ""
	case has("GIF87a"), has("GIF89a"):
		return "", "GIF image"
	case has("BM"):
		return "", "BMP image"
	case has("II*\x00"), has("MM\x00*"):
		return "", "TIFF image"
	case len(b) >= 12 && string(b[4:8]) == "ftyp" && (string(b[8:12]) == "heic" || string(b[8:12]) == "heix" || string(b[8:12]) == "avif" || string(b[8:12]) == "mif1"):
		return "", "HEIC/AVIF image"
	case has("%PDF"):
		return "", "PDF document"
	case has("PK\x03\x04"):
		return "", "ZIP archive"
	case has("glTF"):
		return "", "glTF model"
	case has("<svg"), has("<?xml"):
		return "", "SVG or XML file"
	}
	return "", ""
}

func corrupt(path string, f Format, err error) error {
	msg := err.Error()
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || strings.Contains(msg, "not enough pixel data"):
		msg = "it ends too early, as if cut short"
	case strings.Contains(msg, "checksum"):
		msg = "its data does not match its checksum"
	default:
		// The decoders prefix their messages with their own name ("png: invalid format: ...").
		for _, p := range []string{"png: ", "jpeg: ", "webp: ", "riff: ", "vp8: ", "vp8l: "} {
			msg = strings.TrimPrefix(msg, p)
		}
	}
	return &providers.InputError{File: path, Reason: fmt.Sprintf("the %s file is damaged (%s)", f, msg)}
}

func openError(path string, err error) error {
	switch {
	case errors.Is(err, os.ErrNotExist):
		return &providers.InputError{File: path, Reason: "the file does not exist"}
	case errors.Is(err, os.ErrPermission):
		return &providers.InputError{File: path, Reason: "Kiln may not read this file (permission denied)"}
	}
	return &providers.InputError{File: path, Reason: fmt.Sprintf("cannot be read (%v)", err)}
}
