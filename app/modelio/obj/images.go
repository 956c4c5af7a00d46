package obj

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	_ "image/jpeg" // metal-roughness textures, read for their mean
	"image/png"
	"math"
	"strconv"

	"github.com/qmuntal/gltf"
	"github.com/qmuntal/gltf/modeler"
	"golang.org/x/image/webp"

	"github.com/kiln3d/kiln/providers/geom/gltfdoc"
)

// images gives each glTF image the materials use one file beside the .obj, written once however
// many textures and materials share it.
type images struct {
	doc   *gltf.Document
	stem  string
	names *uniquer
	// file is the file name of each image exported so far ("" for one that cannot be).
	file  map[int]string
	files []file
	// means caches the mean green and blue of metal-roughness images.
	means map[int][2]float64
}

func newImages(doc *gltf.Document, stem string) *images {
	return &images{doc: doc, stem: stem, names: newUniquer(), file: map[int]string{}, means: map[int][2]float64{}}
}

// texture returns the file name of texture ti's image, exporting it the first time: PNG and
// JPEG as they are, WebP (EXT_texture_webp) as PNG, which OBJ readers know. An image in any
// other format (KTX2) is not exported and its map is left out ("" and no error).
func (s *images) texture(ti int) (string, error) {
	src, ok := s.source(ti)
	if !ok {
		return "", nil
	}
	if f, done := s.file[src]; done {
		return f, nil
	}
	s.file[src] = ""
	img := s.doc.Images[src]
	data, err := s.data(src)
	if err != nil || data == nil {
		return "", err
	}
	var ext string
	switch {
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		ext = ".png"
	case bytes.HasPrefix(data, []byte("\xff\xd8\xff")):
		ext = ".jpg"
	case len(data) >= 12 && string(data[:4]) == "RIFF" && string(data[8:12]) == "WEBP":
		if data, err = webpToPNG(data); err != nil {
			return "", fmt.Errorf("image %d %q: %w", src, img.Name, err)
		}
		ext = ".png"
	default:
		return "", nil
	}
	part := safeFilePart(img.Name)
	if part == "" {
		part = strconv.Itoa(src)
	}
	name := s.names.file(s.stem+"_"+part, "", ext)
	s.file[src] = name
	s.files = append(s.files, file{name: name, data: data})
	return name, nil
}

// source is the image texture ti shows: its own source, else EXT_texture_webp's.
func (s *images) source(ti int) (int, bool) {
	if ti < 0 || ti >= len(s.doc.Textures) {
		return 0, false
	}
	t := s.doc.Textures[ti]
	src := t.Source
	if i, ok := gltfdoc.WebPSource(t); src == nil && ok {
		src = &i
	}
	if src == nil || *src < 0 || *src >= len(s.doc.Images) {
		return 0, false
	}
	return *src, true
}

// data is an image's bytes, from its buffer view (modelio keeps every image in one); nil when
// it has none.
func (s *images) data(src int) ([]byte, error) {
	bv := s.doc.Images[src].BufferView
	if bv == nil || *bv < 0 || *bv >= len(s.doc.BufferViews) {
		return nil, nil
	}
	data, err := modeler.ReadBufferView(s.doc, s.doc.BufferViews[*bv])
	if err != nil {
		return nil, fmt.Errorf("image %d %q: %w", src, s.doc.Images[src].Name, err)
	}
	return data, nil
}

// mean returns the mean green (roughness) and blue (metal) of texture ti's image, from 0 to 1;
// ok is false when it cannot be decoded, and the factors then stand alone.
func (s *images) mean(ti int) (g, b float64, ok bool, err error) {
	src, found := s.source(ti)
	if !found {
		return 0, 0, false, nil
	}
	if m, done := s.means[src]; done {
		return m[0], m[1], !math.IsNaN(m[0]), nil
	}
	data, err := s.data(src)
	if err != nil || data == nil {
		return 0, 0, false, err
	}
	m := channelMeans(data)
	s.means[src] = m
	return m[0], m[1], !math.IsNaN(m[0]), nil
}

// meanSamples bounds the pixels channelMeans reads along each side.
const meanSamples = 256

// channelMeans decodes an image and averages its green and blue over a grid of at most
// meanSamples² pixels; NaN when it cannot be decoded (a decoder's panic on a hostile image
// included).
func channelMeans(data []byte) (m [2]float64) {
	m = [2]float64{math.NaN(), math.NaN()}
	defer func() {
		if recover() != nil {
			m = [2]float64{math.NaN(), math.NaN()}
		}
	}()
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return m
	}
	r := img.Bounds()
	step := max(1, max(r.Dx(), r.Dy())/meanSamples)
	var g, b float64
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y += step {
		for x := r.Min.X; x < r.Max.X; x += step {
			c := color.NRGBA64Model.Convert(img.At(x, y)).(color.NRGBA64)
			g += float64(c.G)
			b += float64(c.B)
			n++
		}
	}
	if n == 0 {
		return m
	}
	return [2]float64{g / float64(n) / 0xffff, b / float64(n) / 0xffff}
}

// webpToPNG re-encodes a WebP image as PNG, which Unity's and older readers load.
func webpToPNG(data []byte) (out []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("decode WebP: %v", r)
		}
	}()
	img, err := webp.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("decode WebP: %w", err)
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return nil, fmt.Errorf("encode PNG: %w", err)
	}
	return b.Bytes(), nil
}
