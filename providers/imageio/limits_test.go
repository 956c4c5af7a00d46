package imageio

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/color/palette"
	"image/gif"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/kiln3d/kiln/providers/fsguard/fsguardtest"
	"github.com/kiln3d/kiln/providers/modeltest"
)

// pngChunk is one PNG chunk with its CRC.
func pngChunk(kind string, data []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	body := append([]byte(kind), data...)
	b = append(b, body...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(body))
}

// pngHeader is a PNG with only its IHDR (depth, colour type, interlace as given) and IEND.
func pngHeader(w, h uint32, depth, colour, interlace byte) []byte {
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, depth, colour, 0, 0, interlace)
	b := append([]byte("\x89PNG\r\n\x1a\n"), pngChunk("IHDR", ihdr)...)
	return append(b, pngChunk("IEND", nil)...)
}

// insertAfterIHDR puts chunks into an encoded PNG right after its IHDR (8 + 25 bytes in).
func insertAfterIHDR(p []byte, chunks ...[]byte) []byte {
	out := append([]byte(nil), p[:33]...)
	for _, c := range chunks {
		out = append(out, c...)
	}
	return append(out, p[33:]...)
}

// jpegSOF is the start of a JPEG up to a frame header with the given marker (0xc0 baseline,
// 0xc2 progressive) and ncomp components at full resolution.
func jpegSOF(marker byte, w, h uint16, ncomp int) []byte {
	b := []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
	b = append(b, 0xff, marker)
	b = binary.BigEndian.AppendUint16(b, uint16(8+3*ncomp))
	b = append(b, 8)
	b = binary.BigEndian.AppendUint16(b, h)
	b = binary.BigEndian.AppendUint16(b, w)
	b = append(b, byte(ncomp))
	for i := range ncomp {
		b = append(b, byte(i+1), 0x11, 0)
	}
	return b
}

// webpVP8X is an extended WebP: a VP8X chunk (flags, canvas w×h) followed by chunks.
func webpVP8X(flags byte, w, h int, chunks ...[]byte) []byte {
	vp8x := []byte{flags, 0, 0, 0, byte(w - 1), byte((w - 1) >> 8), byte((w - 1) >> 16), byte(h - 1), byte((h - 1) >> 8), byte((h - 1) >> 16)}
	body := append([]byte("WEBP"), riffChunk("VP8X", vp8x)...)
	for _, c := range chunks {
		body = append(body, c...)
	}
	return append(binary.LittleEndian.AppendUint32([]byte("RIFF"), uint32(len(body))), body...)
}

func riffChunk(kind string, data []byte) []byte {
	b := binary.LittleEndian.AppendUint32([]byte(kind), uint32(len(data)))
	b = append(b, data...)
	if len(data)%2 == 1 {
		b = append(b, 0)
	}
	return b
}

func animatedGIF(t *testing.T, frames int) []byte {
	t.Helper()
	var g gif.GIF
	for i := range frames {
		m := image.NewPaletted(image.Rect(0, 0, 8, 8), palette.Plan9)
		m.SetColorIndex(i%8, i%8, 7)
		g.Image = append(g.Image, m)
		g.Delay = append(g.Delay, 10)
	}
	var b bytes.Buffer
	if err := gif.EncodeAll(&b, &g); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestLimitsAndAnimations: refusals that read only the header, every one before a pixel is
// decoded, each saying what is wrong in an artist's words.
func TestLimitsAndAnimations(t *testing.T) {
	still := encoded(t, func(b *bytes.Buffer, m image.Image) error { return png.Encode(b, m) })
	actl := pngChunk("acTL", []byte{0, 0, 0, 12, 0, 0, 0, 0})
	oneFrame := pngChunk("acTL", []byte{0, 0, 0, 1, 0, 0, 0, 0})
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"square.png", modeltest.PNGHeader(8000, 7000), "the image is 8000×7000 pixels (56.0 megapixels); Kiln accepts up to 50 megapixels"},
		{"square.jpg", jpegHeader(8192, 8192), "(67.1 megapixels)"},
		{"square.webp", webpVP8X(0, 8000, 8000), "(64.0 megapixels)"},
		{"cmyk.jpg", jpegSOF(0xc2, 8000, 6000, 4), "decoding this 8000×6000 JPEG would take 1118 MiB of memory; Kiln decodes up to 1024 MiB"},
		{"deep-tiny.png", pngHeader(8000, 6000, 16, 6, 1), "the PNG file is damaged (45 bytes is too small to hold a 8000×6000 image"},
		{"anim.png", insertAfterIHDR(still, actl), "is an animated PNG (12 frames); save one frame as a still PNG"},
		{"anim.webp", webpVP8X(2, 64, 48, riffChunk("ANIM", make([]byte, 6)), riffChunk("ANMF", make([]byte, 20)),
			riffChunk("ANMF", make([]byte, 21)), riffChunk("ANMF", make([]byte, 20))), "is an animated WebP (3 frames); save one frame as a still WebP or PNG"},
		{"anim.gif", animatedGIF(t, 3), "is an animated GIF (3 frames), not a PNG, JPEG or WebP image; save one frame as a PNG"},
		{"still.gif", animatedGIF(t, 1), "is a GIF image, not a PNG, JPEG or WebP image"},
	}
	for _, c := range cases {
		path := write(t, c.name, c.data)
		_, err := Check(path)
		expect(t, c.name+" Check", err, c.want)
		_, _, err = Decode(path)
		expect(t, c.name+" Decode", err, c.want)
	}
	// A one-frame APNG is a still image; 16-bit and interlaced headers within the bounds pass.
	for name, data := range map[string][]byte{
		"one-frame.png": insertAfterIHDR(still, oneFrame),
		// 768 MiB decoded: within the bound, in a file large enough to hold its rows.
		"deep.png":        insertAfterIHDR(pngHeader(8000, 6000, 16, 6, 1), pngChunk("prVt", make([]byte, 400<<10))),
		"baseline.jpg":    jpegSOF(0xc0, 8000, 6000, 3),
		"progressive.jpg": jpegSOF(0xc2, 8000, 6000, 3),
	} {
		info, err := Check(write(t, name, data))
		if err != nil || info.DecodeBytes > MaxDecodeBytes {
			t.Errorf("%s: %+v, %v", name, info, err)
		}
	}
}

// TestRefusesNonRegularFilesAtOnce: a FIFO given as an image used to hang generate until some
// writer appeared, deaf to Ctrl-C.
func TestRefusesNonRegularFilesAtOnce(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "photo.png")
	fsguardtest.MkFIFO(t, fifo)
	expect(t, "fifo Check", fsguardtest.Promptly(t, 5*time.Second, func() error { _, err := Check(fifo); return err }),
		"photo.png: is a named pipe (FIFO), not a file")
	expect(t, "fifo Decode", fsguardtest.Promptly(t, 5*time.Second, func() error { _, _, err := Decode(fifo); return err }),
		"is a named pipe (FIFO), not a file")
	if _, err := os.Stat("/dev/null"); err == nil {
		_, err := Check("/dev/null")
		expect(t, "/dev/null", err, "is a character device, not a file")
	}
}

// TestDecodeStaysWithinEstimate measures what Go's decoders allocate for real images of each
// layout against the header's estimate, less its fixed allowance for tables and buffers.
func TestDecodeStaysWithinEstimate(t *testing.T) {
	const w, h = 768, 512
	rgba := image.NewNRGBA(image.Rect(0, 0, w, h))
	deep := image.NewNRGBA64(rgba.Bounds())
	gray := image.NewGray(rgba.Bounds())
	pal := image.NewPaletted(rgba.Bounds(), palette.WebSafe)
	for i := range rgba.Pix {
		rgba.Pix[i] = uint8(i*7 + i/4096)
	}
	for y := range h {
		for x := range w {
			c := color.NRGBA{uint8(x), uint8(y), uint8(x ^ y), uint8(x + y)}
			deep.Set(x, y, c)
			gray.Set(x, y, c)
			pal.Set(x, y, c)
		}
	}
	enc := func(m image.Image, f func(*bytes.Buffer, image.Image) error) []byte {
		var b bytes.Buffer
		if err := f(&b, m); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	pngEnc := func(b *bytes.Buffer, m image.Image) error { return png.Encode(b, m) }
	jpgEnc := func(b *bytes.Buffer, m image.Image) error { return jpeg.Encode(b, m, &jpeg.Options{Quality: 90}) }
	files := map[string]string{
		"rgba.png":      write(t, "rgba.png", enc(rgba, pngEnc)),
		"deep.png":      write(t, "deep.png", enc(deep, pngEnc)),
		"gray.png":      write(t, "gray.png", enc(gray, pngEnc)),
		"pal.png":       write(t, "pal.png", enc(pal, pngEnc)),
		"color.jpg":     write(t, "color.jpg", enc(rgba, jpgEnc)),
		"gray.jpg":      write(t, "gray.jpg", enc(gray, jpgEnc)),
		"mushroom.webp": filepath.Join("testdata", "mushroom.webp"),
		// From golang.org/x/image's testdata (BSD licence, the Go Authors): lossy with a
		// lossless-compressed alpha plane, and a colour-indexed lossless image.
		"rose.webp":   filepath.Join("testdata", "yellow_rose.lossy-with-alpha.webp"),
		"gopher.webp": filepath.Join("testdata", "gopher-doc.1bpp.lossless.webp"),
	}
	if dir := corpusImages(t); dir != "" {
		real, _ := filepath.Glob(filepath.Join(dir, "*"))
		for _, f := range real {
			files[filepath.Base(f)] = f
		}
	}
	for name, path := range files {
		info, err := Check(path)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		got := allocated(func() {
			if _, _, err := Decode(path); err != nil {
				t.Errorf("%s: %v", name, err)
			}
		})
		// The pixels' share of the estimate must cover the decoder, tables and buffers aside.
		if pixels := info.DecodeBytes - decodeOverhead; got > pixels+2<<20 {
			t.Errorf("%s (%d×%d): Decode allocated %d bytes, estimate %d", name, info.Width, info.Height, got, pixels)
		} else {
			t.Logf("%s (%d×%d): allocated %.1f MiB of an estimated %.1f", name, info.Width, info.Height, float64(got)/(1<<20), float64(pixels)/(1<<20))
		}
	}
}

// corpusImages is the shared corpus's photos, or "" without it (the test then uses only its own).
func corpusImages(t *testing.T) string {
	var dir string
	t.Run("corpus", func(t *testing.T) { dir = modeltest.CorpusDir(t, "images") })
	return dir
}

func allocated(f func()) int64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return int64(after.TotalAlloc - before.TotalAlloc)
}
