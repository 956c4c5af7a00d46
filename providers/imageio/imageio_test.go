package imageio

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/modeltest"
)

// jpegHeader is the start of a JFIF file, up to a baseline frame header claiming w×h.
func jpegHeader(w, h uint16) []byte {
	b := []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
	b = append(b, "\xff\xc0\x00\x11\x08"...)
	b = binary.BigEndian.AppendUint16(b, h)
	b = binary.BigEndian.AppendUint16(b, w)
	return append(b, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1)
}

func encoded(t *testing.T, enc func(*bytes.Buffer, image.Image) error) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 64, 48))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 7)
	}
	var b bytes.Buffer
	if err := enc(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func write(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestDecodesSupportedFormats(t *testing.T) {
	pngData := encoded(t, func(b *bytes.Buffer, m image.Image) error { return png.Encode(b, m) })
	jpgData := encoded(t, func(b *bytes.Buffer, m image.Image) error { return jpeg.Encode(b, m, nil) })
	for _, c := range []struct {
		name   string
		data   []byte
		format Format
	}{{"a.png", pngData, PNG}, {"a.jpg", jpgData, JPEG}, {"misnamed.jpg", pngData, PNG}} {
		path := write(t, c.name, c.data)
		info, err := Check(path)
		info.DecodeBytes = 0 // TestDecodeStaysWithinEstimate checks it
		if err != nil || info != (Info{Format: c.format, Width: 64, Height: 48, Bytes: int64(len(c.data))}) {
			t.Errorf("Check(%s) = %+v, %v", c.name, info, err)
		}
		img, info, err := Decode(path)
		if err != nil || img.Bounds().Size() != image.Pt(64, 48) || info.Format != c.format {
			t.Errorf("Decode(%s) = %v, %+v, %v", c.name, img.Bounds(), info, err)
		}
	}
}

// TestRefusals checks that each kind of bad file gets an InputError naming it, with the reason an
// artist reads, from Check when the header shows the problem and from Decode in every case.
func TestRefusals(t *testing.T) {
	good := encoded(t, func(b *bytes.Buffer, m image.Image) error { return png.Encode(b, m) })
	badCRC := append([]byte(nil), good...)
	badCRC[len(badCRC)-20] ^= 0xFF // inside the last IDAT or its CRC
	cases := []struct {
		name    string
		data    []byte
		byCheck bool
		want    string
	}{
		{"empty.png", []byte{}, true, "the file is empty"},
		{"notes.png", []byte("hello, this is text\n"), true, "not a PNG, JPEG or WebP image"},
		{"anim.gif", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), true, "is a GIF image, not a PNG, JPEG or WebP image"},
		{"scan.pdf", []byte("%PDF-1.7\n"), true, "is a PDF document"},
		{"model.png", []byte("glTF\x02\x00\x00\x00"), true, "is a glTF model"},
		{"header.png", []byte("\x89PNG\r\n\x1a\n\x00\x00"), true, "the PNG file is damaged (it ends too early, as if cut short)"},
		{"half.png", good[:len(good)/2], false, "the PNG file is damaged (it ends too early, as if cut short)"},
		{"crc.png", badCRC, false, "the PNG file is damaged ("},
		{"huge.png", modeltest.PNGHeader(40000, 40000), true, "the image is 40000×40000 pixels; Kiln accepts up to 8192 pixels a side"},
		{"tall.png", modeltest.PNGHeader(100, 8193), true, "the image is 100×8193 pixels"},
		{"huge.jpg", jpegHeader(9000, 100), true, "the image is 9000×100 pixels"},
	}
	for _, c := range cases {
		path := write(t, c.name, c.data)
		_, checkErr := Check(path)
		_, _, decodeErr := Decode(path)
		if c.byCheck {
			expect(t, c.name+" Check", checkErr, c.want)
		} else if checkErr != nil {
			t.Errorf("%s: Check: %v, want the header accepted", c.name, checkErr)
		}
		expect(t, c.name+" Decode", decodeErr, c.want)
	}
	expect(t, "missing", func() error { _, err := Check(filepath.Join(t.TempDir(), "missing.png")); return err }(), "the file does not exist")
	expect(t, "folder", func() error { _, err := Check(t.TempDir()); return err }(), "is a folder, not an image")
}

func expect(t *testing.T, what string, err error, want string) {
	t.Helper()
	var ie *providers.InputError
	switch {
	case err == nil:
		t.Errorf("%s: accepted, want %q", what, want)
	case !errors.As(err, &ie) || !errors.Is(err, providers.ErrInvalidInput):
		t.Errorf("%s: %T %v is not an InputError", what, err, err)
	case ie.File == "" || !strings.Contains(err.Error(), want):
		t.Errorf("%s: %q (file %q), want it to name the file and say %q", what, err, ie.File, want)
	}
}

// TestHugeHeaderRefusedBeforeDecoding: the size limit holds before any pixel buffer exists, so a
// hostile header costs nothing (a 40000² RGBA image would need 6.4 GB).
func TestHugeHeaderRefusedBeforeDecoding(t *testing.T) {
	path := write(t, "huge.png", modeltest.PNGHeader(40000, 40000))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := 0; i < 10; i++ {
		if _, _, err := Decode(path); err == nil {
			t.Fatal("accepted")
		}
	}
	runtime.ReadMemStats(&after)
	if per := (after.TotalAlloc - before.TotalAlloc) / 10; per > 1<<20 {
		t.Errorf("refusing the header allocated %d bytes", per)
	}
}

func TestGrayJPEGDecodes(t *testing.T) {
	img := image.NewGray(image.Rect(0, 0, 8, 8))
	img.SetGray(1, 1, color.Gray{200})
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Decode(write(t, "gray.jpg", b.Bytes())); err != nil {
		t.Error(err)
	}
}

// testdata/mushroom.webp is Kiln's mushroom sample, converted to lossless WebP with ImageMagick.
func TestWebPDecodes(t *testing.T) {
	path := filepath.Join("testdata", "mushroom.webp")
	info, err := Check(path)
	if err != nil || info.Format != WebP || info.Width != 120 || info.Height != 105 {
		t.Fatalf("Check = %+v, %v", info, err)
	}
	img, _, err := Decode(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, a := img.At(0, 0).RGBA(); a != 0 {
		t.Errorf("the corner should be transparent, alpha %x", a)
	}
	if _, _, _, a := img.At(60, 40).RGBA(); a != 0xffff {
		t.Errorf("the cap should be opaque, alpha %x", a)
	}
}
