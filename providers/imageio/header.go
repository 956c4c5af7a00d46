package imageio

import (
	"bufio"
	"encoding/binary"
	"io"
)

// The decoders' memory, estimated from the header before any pixel is decoded. Each estimate is
// an upper bound on what Go's decoder for that layout allocates (measured in
// TestDecodeStaysWithinEstimate), so that Decode can promise MaxDecodeBytes.

// decodeOverhead covers what a decoder allocates besides its pixels: row buffers, Huffman
// tables, the input buffer, and the compressed VP8 partitions that x/image/webp reads whole
// (it caps them at 16 MiB).
const decodeOverhead = 20 << 20

// maxChunks bounds how many chunk or segment headers a scan reads before giving up: real files
// have a few dozen before their pixels, and each costs a read.
const maxChunks = 4096

// maxDeflateRatio is the most deflate can compress (1032:1, a run of zeros), with a margin: a
// PNG smaller than its rows divided by this cannot hold them, and is refused before the decoder
// allocates the image for them.
const maxDeflateRatio = 1100

// pngLayout reads the IHDR and the chunks before the first IDAT: the decoded size, the size of
// the filtered rows the compressed data must inflate to, and the frame count of an animated PNG
// (acTL). Go decodes 16-bit samples to 8 bytes a pixel and
// 8-bit colour, or grey with a transparent colour, to 4; an interlaced image is decoded pass by
// pass into images as large as the whole, then copied into it.
func pngLayout(r io.ReaderAt, w, h int) (decode, raw int64, frames int) {
	var ihdr [13]byte
	if _, err := r.ReadAt(ihdr[:], 16); err != nil {
		return worst(w, h), 0, 1
	}
	depth, colour, interlaced := ihdr[8], ihdr[9], ihdr[12] == 1
	channels := map[byte]int64{0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[colour]
	raw = int64(h) * (1 + (int64(w)*channels*int64(depth)+7)/8)
	bpp := int64(4)
	switch {
	case depth == 16:
		bpp = 8
	case colour == 3: // paletted
		bpp = 1
	}
	decode = int64(w) * int64(h) * bpp
	if interlaced {
		decode *= 2
	}
	frames = 1
	off := int64(8)
	for range maxChunks {
		var head [12]byte
		if _, err := r.ReadAt(head[:], off); err != nil {
			break
		}
		n, kind := binary.BigEndian.Uint32(head[:4]), string(head[4:8])
		if kind == "IDAT" || kind == "IEND" {
			break
		}
		if kind == "acTL" && n >= 8 {
			frames = int(binary.BigEndian.Uint32(head[8:12]))
			break
		}
		off += 12 + int64(n)
	}
	return decode + decodeOverhead, raw, frames
}

// jpegLayout finds the frame header (SOFn) and estimates what Go's decoder allocates: one byte
// per sample of each component's blocks, four more per sample for a progressive image's
// coefficients (kept whole until the last scan), and 4 bytes a pixel for the RGBA or CMYK image
// that three- and four-component images are converted into. Without a readable SOF, the worst
// case: four full-resolution components, progressive.
func jpegLayout(r io.ReaderAt, w, h int) int64 {
	ncomp, progressive, sampling := 4, true, [][2]int{{1, 1}, {1, 1}, {1, 1}, {1, 1}}
	if sof, ok := findSOF(r); ok {
		ncomp, progressive, sampling = sof.ncomp, sof.progressive, sof.sampling
	}
	hmax, vmax := 1, 1
	for _, s := range sampling {
		hmax, vmax = max(hmax, s[0]), max(vmax, s[1])
	}
	mxx := int64((w + 8*hmax - 1) / (8 * hmax))
	myy := int64((h + 8*vmax - 1) / (8 * vmax))
	var blocks int64
	for _, s := range sampling {
		blocks += mxx * myy * int64(s[0]*s[1])
	}
	decode := blocks * 64
	if progressive {
		decode += blocks * 64 * 4
	}
	if ncomp >= 3 {
		decode += 4 * int64(w) * int64(h)
	}
	return decode + decodeOverhead
}

type sof struct {
	ncomp       int
	progressive bool
	sampling    [][2]int
}

// findSOF walks the JPEG's marker segments to its frame header.
func findSOF(r io.ReaderAt) (sof, bool) {
	off := int64(2) // after SOI
	for range maxChunks {
		var m [2]byte
		if _, err := r.ReadAt(m[:], off); err != nil || m[0] != 0xff {
			return sof{}, false
		}
		switch marker := m[1]; {
		case marker == 0xff: // fill byte
			off++
			continue
		case marker == 0x01 || marker >= 0xd0 && marker <= 0xd8: // no length
			off += 2
			continue
		case marker == 0xda || marker == 0xd9: // a scan or the end before any frame
			return sof{}, false
		case marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc:
			var b [8]byte
			if _, err := r.ReadAt(b[:], off+2); err != nil {
				return sof{}, false
			}
			s := sof{ncomp: int(b[7]), progressive: marker == 0xc2 || marker == 0xc6 || marker == 0xca || marker == 0xce}
			if s.ncomp < 1 || s.ncomp > 4 {
				return sof{}, false
			}
			comps := make([]byte, 3*s.ncomp)
			if _, err := r.ReadAt(comps, off+10); err != nil {
				return sof{}, false
			}
			for i := range s.ncomp {
				hv := comps[3*i+1]
				sh, sv := clamp4(int(hv>>4)), clamp4(int(hv&15))
				if s.ncomp == 1 { // Go ignores a single component's sampling factors
					sh, sv = 1, 1
				}
				s.sampling = append(s.sampling, [2]int{sh, sv})
			}
			return s, true
		}
		var l [2]byte
		if _, err := r.ReadAt(l[:], off+2); err != nil {
			return sof{}, false
		}
		off += 2 + int64(binary.BigEndian.Uint16(l[:]))
	}
	return sof{}, false
}

func clamp4(v int) int { return min(4, max(1, v)) }

// webpLayout reads the first chunk: lossy VP8 decodes to 4:2:0 YCbCr (1.5 bytes a pixel),
// lossless VP8L to 4 bytes a pixel plus as much again for a colour-indexed image, and an extended
// file (VP8X) may hold either, with an alpha plane that may itself be lossless-compressed. An
// animated WebP (VP8X's animation flag) counts its ANMF frames.
func webpLayout(r io.ReaderAt, w, h int) (decode int64, frames int) {
	px := int64(w) * int64(h)
	var head [21]byte
	if _, err := r.ReadAt(head[:], 0); err != nil {
		return worst(w, h), 1
	}
	switch string(head[12:16]) {
	case "VP8 ":
		// The planes cover whole 16×16 macroblocks.
		mb := int64((w+15)/16) * int64((h+15)/16)
		return mb*256*3/2 + mb*64 + decodeOverhead, 1
	case "VP8L":
		return 8*px + decodeOverhead, 1
	}
	const animation = 1 << 1
	if head[20]&animation == 0 {
		mb := int64((w+15)/16) * int64((h+15)/16)
		return mb*256*3/2 + mb*64 + 9*px + decodeOverhead, 1
	}
	frames = 0
	off := int64(12)
	for range maxChunks {
		var c [8]byte
		if _, err := r.ReadAt(c[:], off); err != nil {
			break
		}
		if string(c[:4]) == "ANMF" {
			frames++
		}
		n := int64(binary.LittleEndian.Uint32(c[4:]))
		off += 8 + n + n&1
	}
	return worst(w, h), max(frames, 2)
}

// worst is the largest estimate of any layout: the one used when a header cannot be read.
func worst(w, h int) int64 { return 24*int64(w)*int64(h) + decodeOverhead }

// gifFrames counts a GIF's images, reading its blocks without decoding them (at most the
// file, which is bounded by MaxFileBytes; it stops counting at maxChunks).
func gifFrames(r io.Reader) int {
	br := bufio.NewReaderSize(r, 64<<10)
	var lsd [13]byte
	if _, err := io.ReadFull(br, lsd[:]); err != nil {
		return 0
	}
	if lsd[10]&0x80 != 0 { // global colour table
		if _, err := br.Discard(3 << (lsd[10]&7 + 1)); err != nil {
			return 0
		}
	}
	skipBlocks := func() bool {
		for {
			n, err := br.ReadByte()
			if err != nil {
				return false
			}
			if n == 0 {
				return true
			}
			if _, err := br.Discard(int(n)); err != nil {
				return false
			}
		}
	}
	frames := 0
	for frames < maxChunks {
		kind, err := br.ReadByte()
		if err != nil {
			return frames
		}
		switch kind {
		case 0x2c: // image descriptor
			var d [9]byte
			if _, err := io.ReadFull(br, d[:]); err != nil {
				return frames
			}
			frames++
			if d[8]&0x80 != 0 { // local colour table
				if _, err := br.Discard(3 << (d[8]&7 + 1)); err != nil {
					return frames
				}
			}
			if _, err := br.ReadByte(); err != nil { // LZW minimum code size
				return frames
			}
			if !skipBlocks() {
				return frames
			}
		case 0x21: // extension: a label, then sub-blocks
			if _, err := br.ReadByte(); err != nil || !skipBlocks() {
				return frames
			}
		default: // the trailer, or damage
			return frames
		}
	}
	return frames
}
