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
	"github.com/kiln3d/kiln/providers/fsguard"
)

// Limits on what Kiln accepts as a reference image.
const (
	// MaxSide is the largest width or height accepted, in pixels.
	MaxSide = 8192
	// MaxPixels is the largest image accepted, 50 megapixels: a full-frame camera's photo
	// (45 MP) fits, a hostile 8192×8192 header does not.
	MaxPixels = 50_000_000
	// MaxDecodeBytes bounds the memory Decode allocates for one image, estimated from its
	// header (bit depth, components, progressive or interlaced) before any pixel is decoded: a
	// 50 MP 16-bit RGBA PNG (400 MB) fits, a progressive CMYK JPEG as large does not.
	MaxDecodeBytes = 1 << 30
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

// MIME is the format's media type ("image/png"), for a multipart part or a glTF image.
func (f Format) MIME() string {
	switch f {
	case PNG:
		return "image/png"
	case JPEG:
		return "image/jpeg"
	case WebP:
		return "image/webp"
	}
	return "application/octet-stream"
}

// Ext is the format's usual file extension, with its dot (".jpg").
func (f Format) Ext() string {
	switch f {
	case PNG:
		return ".png"
	case JPEG:
		return ".jpg"
	case WebP:
		return ".webp"
	}
	return ""
}

// Info describes an image from its header, without decoding its pixels.
type Info struct {
	Format        Format
	Width, Height int
	Bytes         int64
	// DecodeBytes is the most memory Decode allocates for this image (at most MaxDecodeBytes).
	DecodeBytes int64
}

// Check reads only the header of the file at path and reports what it is. Every refusal is a
// *providers.InputError naming the file. Only a regular file is opened: a named pipe, a device
// or a folder is refused at once, before anything can block on it.
func Check(path string) (Info, error) {
	f, st, err := fsguard.OpenRegular(path)
	if err != nil {
		return Info{}, openError(path, err)
	}
	defer f.Close()
	info, _, err := check(path, f, st.Size())
	return info, err
}

// Decode checks the file at path like Check and then decodes it, within Info.DecodeBytes of
// memory. Animated images are refused (see Check): which frame an artist meant is a guess.
func Decode(path string) (image.Image, Info, error) {
	f, st, err := fsguard.OpenRegular(path)
	if err != nil {
		return nil, Info{}, openError(path, err)
	}
	defer f.Close()
	info, r, err := check(path, f, st.Size())
	if err != nil {
		return nil, info, err
	}
	img, err := decode(info.Format, r)
	if err != nil {
		return nil, info, corrupt(path, info.Format, err)
	}
	return img, info, nil
}

// decode runs the format's decoder, turning a panic on a hostile file into an error.
func decode(format Format, r io.Reader) (img image.Image, err error) {
	defer func() {
		if p := recover(); p != nil {
			img, err = nil, fmt.Errorf("the decoder failed: %v", p)
		}
	}()
	switch format {
	case PNG:
		return png.Decode(r)
	case JPEG:
		return jpeg.Decode(r)
	case WebP:
		return webp.Decode(r)
	}
	return nil, fmt.Errorf("unsupported format %s", format)
}

func check(path string, f io.ReaderAt, size int64) (Info, io.Reader, error) {
	info := Info{Bytes: size}
	if size == 0 {
		return info, nil, &providers.InputError{File: path, Reason: "the file is empty"}
	}
	if size > MaxFileBytes {
		return info, nil, &providers.InputError{File: path, Reason: fmt.Sprintf(
			"the file is %d MiB; Kiln accepts images up to %d MiB", size>>20, MaxFileBytes>>20)}
	}
	head := make([]byte, 32)
	n, _ := f.ReadAt(head, 0)
	format, other := sniff(head[:n])
	if format == "" {
		reason := "not a PNG, JPEG or WebP image"
		if other != "" {
			reason = fmt.Sprintf("is a %s, not a PNG, JPEG or WebP image", other)
		}
		if other == "GIF image" {
			if frames := gifFrames(io.NewSectionReader(f, 0, size)); frames > 1 {
				reason = fmt.Sprintf("is an animated GIF (%d frames), not a PNG, JPEG or WebP image; save one frame as a PNG", frames)
			}
		}
		return info, nil, &providers.InputError{File: path, Reason: reason}
	}
	info.Format = format
	// DecodeConfig reads only the header; the full decode reads the file again from its start.
	section := func() io.Reader { return bufio.NewReaderSize(io.NewSectionReader(f, 0, size), 64<<10) }
	var (
		cfg image.Config
		err error
	)
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
	if err := checkSize(path, f, &info); err != nil {
		return info, nil, err
	}
	return info, section(), nil
}

// checkSize refuses an image too large in pixels or in decoded memory, or animated, from what
// its header says; it fills in info.DecodeBytes.
func checkSize(path string, f io.ReaderAt, info *Info) error {
	w, h := info.Width, info.Height
	switch {
	case w <= 0 || h <= 0:
		return &providers.InputError{File: path, Reason: fmt.Sprintf("the %s header gives no size", info.Format)}
	case w > MaxSide || h > MaxSide:
		return &providers.InputError{File: path, Reason: fmt.Sprintf(
			"the image is %d×%d pixels; Kiln accepts up to %d pixels a side", w, h, MaxSide)}
	case int64(w)*int64(h) > MaxPixels:
		return &providers.InputError{File: path, Reason: fmt.Sprintf(
			"the image is %d×%d pixels (%.1f megapixels); Kiln accepts up to %d megapixels",
			w, h, float64(w)*float64(h)/1e6, MaxPixels/1_000_000)}
	}
	frames := 1
	switch info.Format {
	case PNG:
		var raw int64
		info.DecodeBytes, raw, frames = pngLayout(f, w, h)
		if raw > maxDeflateRatio*info.Bytes {
			return &providers.InputError{File: path, Reason: fmt.Sprintf(
				"the PNG file is damaged (%s is too small to hold a %d×%d image: it ends too early, as if cut short)",
				fsguard.Size(info.Bytes), w, h)}
		}
	case JPEG:
		info.DecodeBytes = jpegLayout(f, w, h)
	case WebP:
		info.DecodeBytes, frames = webpLayout(f, w, h)
	}
	if frames > 1 {
		still := map[Format]string{PNG: "a still PNG", WebP: "a still WebP or PNG"}[info.Format]
		return &providers.InputError{File: path, Reason: fmt.Sprintf(
			"is an animated %s (%d frames); save one frame as %s", info.Format, frames, still)}
	}
	if info.DecodeBytes > MaxDecodeBytes {
		return &providers.InputError{File: path, Reason: fmt.Sprintf(
			"decoding this %d×%d %s would take %d MiB of memory; Kiln decodes up to %d MiB (save it as an 8-bit PNG or a baseline JPEG)",
			w, h, info.Format, info.DecodeBytes>>20, MaxDecodeBytes>>20)}
	}
	return nil
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
	var ge *fsguard.Error
	switch {
	case errors.As(err, &ge) && ge.Mode.IsDir():
		return &providers.InputError{File: path, Reason: "is a folder, not an image"}
	case errors.As(err, &ge):
		return &providers.InputError{File: path, Reason: ge.Reason}
	case errors.Is(err, os.ErrNotExist):
		return &providers.InputError{File: path, Reason: "the file does not exist"}
	case errors.Is(err, os.ErrPermission):
		return &providers.InputError{File: path, Reason: "Kiln may not read this file (permission denied)"}
	}
	return &providers.InputError{File: path, Reason: fmt.Sprintf("cannot be read (%v)", err)}
}
