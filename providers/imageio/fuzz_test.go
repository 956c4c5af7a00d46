package imageio

import (
	"bytes"
	"errors"
	"image"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/modeltest"
)

// FuzzImage feeds Check and Decode arbitrary bytes: they must answer with an image or an
// *providers.InputError, never panic, and Decode must stay within MaxDecodeBytes (and within
// the estimate it reported when it succeeds). CI runs it briefly (make test); a longer run:
// go test -run '^$' -fuzz=FuzzImage ./providers/imageio.
func FuzzImage(f *testing.F) {
	small := image.NewNRGBA(image.Rect(0, 0, 4, 3))
	deep := image.NewNRGBA64(image.Rect(0, 0, 4, 3))
	for i := range small.Pix {
		small.Pix[i], deep.Pix[i], deep.Pix[i+len(small.Pix)] = uint8(i*37), uint8(i), uint8(i*3)
	}
	var p, p16, j bytes.Buffer
	if png.Encode(&p, small) != nil || png.Encode(&p16, deep) != nil || jpeg.Encode(&j, small, nil) != nil {
		f.Fatal("encoding the seeds")
	}
	webp, err := os.ReadFile(filepath.Join("testdata", "gopher-doc.1bpp.lossless.webp"))
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range [][]byte{
		p.Bytes(), p16.Bytes(), j.Bytes(), webp,
		modeltest.PNGHeader(40000, 40000),
		pngHeader(8000, 6000, 16, 6, 1),
		insertAfterIHDR(p.Bytes(), pngChunk("acTL", []byte{0, 0, 0, 5, 0, 0, 0, 0})),
		jpegHeader(9000, 100),
		jpegSOF(0xc2, 8000, 6000, 4),
		webpVP8X(0x10, 1<<24, 1<<24),
		webpVP8X(2, 64, 48, riffChunk("ANMF", make([]byte, 16))),
		[]byte("GIF89a\x01\x00\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "image")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		var ie *providers.InputError
		info, err := Check(path)
		if err != nil && !errors.As(err, &ie) {
			t.Fatalf("Check: %T %v", err, err)
		}
		if info.DecodeBytes > 64<<20 {
			// Decoding is bounded by the estimate (TestDecodeStaysWithinEstimate), but
			// allocating and filling tens of MiB per input would only slow the search down.
			return
		}
		var img image.Image
		got := allocated(func() { img, info, err = Decode(path) })
		switch {
		case err != nil && !errors.As(err, &ie):
			t.Fatalf("Decode: %T %v", err, err)
		case got > MaxDecodeBytes:
			t.Fatalf("Decode allocated %d bytes", got)
		case err == nil && got > info.DecodeBytes:
			t.Fatalf("Decode allocated %d bytes, more than its estimate %d", got, info.DecodeBytes)
		case err == nil && img.Bounds().Size() != image.Pt(info.Width, info.Height):
			t.Fatalf("decoded %v, header said %d×%d", img.Bounds(), info.Width, info.Height)
		}
	})
}
