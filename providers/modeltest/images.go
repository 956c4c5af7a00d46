package modeltest

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// PNGHeader is a PNG holding only a valid header (signature, IHDR with a correct CRC, IEND) that
// claims a w×h 8-bit RGBA image: a file that must be refused before anything is decoded.
func PNGHeader(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(kind string, data []byte) {
		_ = binary.Write(&b, binary.BigEndian, uint32(len(data)))
		body := append([]byte(kind), data...)
		b.Write(body)
		_ = binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(body))
	}
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 6, 0, 0, 0) // 8-bit RGBA, deflate, no filter, no interlace
	chunk("IHDR", ihdr)
	chunk("IEND", nil)
	return b.Bytes()
}

// WriteImage encodes img into dir/name, as JPEG (quality 85) when the name ends in .jpg or .jpeg
// and as PNG otherwise, and returns the file's path.
func WriteImage(t testing.TB, dir, name string, img image.Image) string {
	t.Helper()
	var b bytes.Buffer
	var err error
	switch strings.ToLower(filepath.Ext(name)) {
	case ".jpg", ".jpeg":
		err = jpeg.Encode(&b, img, &jpeg.Options{Quality: 85})
	default:
		err = png.Encode(&b, img)
	}
	if err != nil {
		t.Fatal(err)
	}
	return WriteFile(t, dir, name, b.Bytes())
}

// DiscPhoto is an opaque 120×100 picture a cut-out is tried on: a red disc of radius 30 centred at
// (70, 55) on a white backdrop, with a blue square in the top-left corner (0 to 20 each way) that
// a rectangle around the disc leaves out.
func DiscPhoto() *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, 120, 100))
	for y := range 100 {
		for x := range 120 {
			c := color.NRGBA{255, 255, 255, 255}
			switch {
			case (x-70)*(x-70)+(y-55)*(y-55) < 30*30:
				c = color.NRGBA{200, 40, 30, 255}
			case x < 20 && y < 20:
				c = color.NRGBA{30, 40, 200, 255}
			}
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}

// WriteFile writes data to dir/name and returns the file's path.
func WriteFile(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// Pattern is a 16×16 image whose pixels follow seed: images of two seeds differ in every byte's
// hash, so a test can tell uploads apart by their contents.
func Pattern(seed int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, 16, 16))
	for i := range img.Pix {
		img.Pix[i] = uint8(i*7 + seed*31)
	}
	return img
}

// NoFiles fails the test when dir holds anything: what a refused download must leave behind.
func NoFiles(t testing.TB, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Errorf("left %s in the folder", e.Name())
	}
}
