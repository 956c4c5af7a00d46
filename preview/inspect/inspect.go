package inspect

import (
	"bytes"
	"fmt"
	"image"
	_ "image/jpeg" // texture headers
	_ "image/png"  // texture headers
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/qmuntal/gltf"

	_ "golang.org/x/image/webp" // texture headers (EXT_texture_webp)
)

// Report is what Inspect learns about a model.
type Report struct {
	File  string
	Bytes int64
	// Triangles counts each mesh primitive's triangles once, as the Khronos validator does;
	// DrawnTriangles counts them once per node that draws them.
	Triangles, DrawnTriangles int
	Vertices                  int
	Meshes, Primitives        int
	Materials                 int
	Textures                  []Texture
	// Min and Max bound the scene in metres, in glTF axes (+Y up).
	Min, Max [3]float64
	// MissingNormals says some primitive has no normals: the viewer computes them.
	MissingNormals bool
	// Unlit says some material is KHR_materials_unlit.
	Unlit bool
	// Unsupported lists extensions the file uses that the preview does not show.
	Unsupported []string
	Warnings    []string
}

// Texture is one image the model uses.
type Texture struct {
	Width, Height int
	MIMEType      string
}

// SizeCM is the model's width, height and depth in centimetres.
func (r *Report) SizeCM() [3]float64 {
	return [3]float64{100 * (r.Max[0] - r.Min[0]), 100 * (r.Max[1] - r.Min[1]), 100 * (r.Max[2] - r.Min[2])}
}

// shown reports whether the preview draws an extension's effect (unlit materials, by Kiln's own
// shading); the model still renders without the others, only less faithfully.
func shown(ext string) bool { return ext == "KHR_materials_unlit" }

// Inspect checks the model at path and measures it. The model is refused (an *Error) when a
// renderer could not load it safely: not glTF 2.0, lengths or indices out of range, a required
// extension it cannot decode (Draco), a node hierarchy with a cycle.
func Inspect(path string) (rep *Report, err error) {
	c, err := readContainer(path)
	if err != nil {
		return nil, err
	}
	h, err := c.checkBuffers(path)
	if err != nil {
		return nil, err
	}
	for _, ext := range h.ExtensionsRequired {
		switch ext {
		case "KHR_draco_mesh_compression":
			return nil, refuse(path, "Draco-compressed: can't preview (decompress it first, e.g. with gltf-transform)")
		case "EXT_meshopt_compression", "KHR_meshopt_compression":
			return nil, refuse(path, "meshopt-compressed: can't preview (decompress it first, e.g. with gltfpack -noq)")
		case "KHR_mesh_quantization":
			return nil, refuse(path, "quantized (KHR_mesh_quantization): can't preview yet")
		}
		if !shown(ext) {
			return nil, refuse(path, "requires the %s extension, which the preview cannot show", ext)
		}
	}
	doc, err := decode(path, c)
	if err != nil {
		return nil, err
	}
	rep = &Report{File: path, Bytes: c.size, Meshes: len(doc.Meshes), Materials: len(doc.Materials)}
	for _, ext := range h.ExtensionsUsed {
		if !shown(ext) {
			rep.Unsupported = append(rep.Unsupported, ext)
		}
	}
	if err := checkDocument(path, doc); err != nil {
		return nil, err
	}
	if err := checkData(path, doc); err != nil {
		return nil, err
	}
	measure(doc, rep)
	rep.Textures = textures(path, doc)
	rep.warn()
	return rep, nil
}

// decode runs qmuntal/gltf on the checked container, turning a panic into an error.
func decode(path string, c *container) (doc *gltf.Document, err error) {
	defer func() {
		if r := recover(); r != nil {
			doc, err = nil, refuse(path, "is not a readable glTF model (%v)", r)
		}
	}()
	dec := gltf.NewDecoderFS(bytes.NewReader(c.raw), localFS{os.DirFS(filepath.Dir(path))})
	doc = new(gltf.Document)
	if err := dec.Decode(doc); err != nil {
		return nil, refuse(path, "is not a readable glTF model (%v)", strings.TrimPrefix(err.Error(), "gltf: "))
	}
	return doc, nil
}

// localFS refuses paths that leave the model's folder: a .gltf must not make Kiln read
// /etc/passwd as a buffer.
type localFS struct{ fs.FS }

func (l localFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, fmt.Errorf("%s is outside the model's folder", name)
	}
	return l.FS.Open(name)
}

// measure fills in counts and the scene's bounds.
func measure(doc *gltf.Document, rep *Report) {
	perMesh := make([]int, len(doc.Meshes))
	for mi, m := range doc.Meshes {
		for _, p := range m.Primitives {
			rep.Primitives++
			pos, ok := p.Attributes[gltf.POSITION]
			if !ok {
				continue
			}
			nv := doc.Accessors[pos].Count
			rep.Vertices += nv
			n := nv
			if p.Indices != nil {
				n = doc.Accessors[*p.Indices].Count
			}
			switch p.Mode {
			case gltf.PrimitiveTriangles:
				perMesh[mi] += n / 3
			case gltf.PrimitiveTriangleStrip, gltf.PrimitiveTriangleFan:
				perMesh[mi] += max(0, n-2)
			}
			if _, ok := p.Attributes[gltf.NORMAL]; !ok && p.Mode >= gltf.PrimitiveTriangles {
				rep.MissingNormals = true
			}
		}
		rep.Triangles += perMesh[mi]
	}
	for _, m := range doc.Materials {
		if _, ok := m.Extensions["KHR_materials_unlit"]; ok {
			rep.Unlit = true
		}
	}
	rep.Min = [3]float64{math.Inf(1), math.Inf(1), math.Inf(1)}
	rep.Max = [3]float64{math.Inf(-1), math.Inf(-1), math.Inf(-1)}
	for i, world := range WorldMatrices(doc) {
		node := doc.Nodes[i]
		if world == nil || node.Mesh == nil {
			continue
		}
		rep.DrawnTriangles += perMesh[*node.Mesh]
		for _, p := range doc.Meshes[*node.Mesh].Primitives {
			if pos, ok := p.Attributes[gltf.POSITION]; ok {
				lo, hi := accessorBounds(doc, doc.Accessors[pos])
				growBox(rep, *world, lo, hi)
			}
		}
	}
	if math.IsInf(rep.Min[0], 1) {
		rep.Min, rep.Max = [3]float64{}, [3]float64{}
	}
}

func (r *Report) warn() {
	if r.MissingNormals {
		r.Warnings = append(r.Warnings, "some meshes have no normals: the preview computes them")
	}
	if r.Unlit {
		r.Warnings = append(r.Warnings, "unlit materials (KHR_materials_unlit): drawn without lighting")
	}
	for _, ext := range r.Unsupported {
		r.Warnings = append(r.Warnings, ext+": used by the model, not shown by the preview")
	}
	if r.Triangles == 0 {
		r.Warnings = append(r.Warnings, "the model has no triangles to draw")
	}
}

// textures reads each image's header for its size; an unreadable image is a warning's business,
// not a refusal (the renderer draws the material's colour).
func textures(path string, doc *gltf.Document) []Texture {
	var out []Texture
	for _, img := range doc.Images {
		var data []byte
		switch {
		case img.BufferView != nil:
			bv := doc.BufferViews[*img.BufferView]
			if buf := doc.Buffers[bv.Buffer].Data; bv.ByteOffset+bv.ByteLength <= len(buf) {
				data = buf[bv.ByteOffset : bv.ByteOffset+bv.ByteLength]
			}
		case img.IsEmbeddedResource():
			data, _ = img.MarshalData()
		case img.URI != "" && fs.ValidPath(img.URI):
			data, _ = os.ReadFile(filepath.Join(filepath.Dir(path), filepath.FromSlash(img.URI)))
		}
		t := Texture{MIMEType: img.MimeType}
		if cfg, format, err := image.DecodeConfig(bytes.NewReader(data)); err == nil {
			t.Width, t.Height = cfg.Width, cfg.Height
			if t.MIMEType == "" {
				t.MIMEType = "image/" + format
			}
		}
		out = append(out, t)
	}
	return slices.Clip(out)
}
