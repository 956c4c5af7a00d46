package inspect

import (
	"bytes"
	"fmt"
	_ "image/jpeg" // texture headers
	_ "image/png"  // texture headers
	"math"
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
	// Textures describes each image the model holds or names (len(Textures) counts images);
	// TextureCount is the number of glTF textures (an image with a sampler) materials can use.
	Textures     []Texture
	TextureCount int
	// Files lists the external files the model names (buffers and images), unescaped,
	// slash-separated and relative to its folder: what must travel with a .gltf when copied.
	Files []string
	// Min and Max bound the scene in metres, in glTF axes (+Y up).
	Min, Max [3]float64
	// MissingNormals says some primitive has no normals: the viewer computes them.
	MissingNormals bool
	// Unlit says some material is KHR_materials_unlit.
	Unlit bool
	// Unsupported lists extensions the file uses that the preview does not show.
	Unsupported []string
	Warnings    []string
	// Animations lists the model's clips in file order.
	Animations []Animation
	// Issues is the validator-style report of the check: a model with an issue of
	// SeverityError is refused (Load returns an *Error with its reason); warnings and infos
	// are shown beside the preview.
	Issues []Issue
}

// Animation is one clip of the model.
type Animation struct {
	Name     string  // the file's name for it, or "Animation N" (1-based) when it has none
	Duration float64 // seconds, the latest keyframe time of its samplers
	Channels int
	// What it moves: node transforms (translation, rotation, scale), morph target weights,
	// and whether any node it moves is a skin's joint.
	Transforms, Morphs, Skins bool
}

// Severity ranks an Issue as the Khronos glTF validator does.
type Severity int

const (
	SeverityError Severity = iota
	SeverityWarning
	SeverityInfo
)

func (s Severity) String() string {
	switch s {
	case SeverityError:
		return "error"
	case SeverityWarning:
		return "warning"
	}
	return "info"
}

// Issue is one finding of the check, as the validator reports it: a code (the validator's own
// where one matches, e.g. ACCESSOR_INDEX_OOB), a JSON pointer to where it is, and a message
// for the artist.
type Issue struct {
	Severity Severity
	Code     string
	Pointer  string
	Message  string
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

// shown reports whether the preview draws an extension's effect (unlit materials, emissive
// strength and texture transforms, by Kiln's own shading); the model still renders without the
// others, only less faithfully.
func shown(ext string) bool {
	switch ext {
	case "KHR_materials_unlit", "KHR_materials_emissive_strength", "KHR_texture_transform":
		return true
	}
	return false
}

// Inspect checks the model at path and measures it, as the Khronos glTF validator would judge
// it: the model is refused (an *Error) when the check finds an error (Report.Issues lists
// errors, warnings and infos with the validator's codes), and when a renderer could not load it
// safely or the preview cannot show it: not glTF 2.0, lengths or indices out of range, a
// required extension it cannot decode (Draco), a node hierarchy with a cycle, non-finite
// positions, normals or transforms, a texture over the texture limits, or a file that is not a
// regular file in the model's folder. It reads the model and its external files once, and
// allocates no more than their real size allows.
func Inspect(path string) (*Report, error) {
	_, rep, err := Load(path)
	return rep, err
}

// Load is Inspect that also returns the checked document, its buffers loaded: a caller that
// goes on to read the model (render, simplify) uses this document rather than opening the
// file again, so that it reads exactly what was checked.
func Load(path string) (*gltf.Document, *Report, error) {
	c, err := readContainer(path)
	if err != nil {
		return nil, nil, err
	}
	h, err := c.checkBuffers(path)
	if err != nil {
		return nil, nil, err
	}
	for _, ext := range h.ExtensionsRequired {
		switch ext {
		case "KHR_draco_mesh_compression":
			return nil, nil, refuse(path, CodeUnsupported, "Draco-compressed: can't preview (decompress it first, e.g. with gltf-transform)")
		case "EXT_meshopt_compression", "KHR_meshopt_compression":
			return nil, nil, refuse(path, CodeUnsupported, "meshopt-compressed: can't preview (decompress it first, e.g. with gltfpack -noq)")
		case "KHR_mesh_quantization":
			return nil, nil, refuse(path, CodeUnsupported, "quantized (KHR_mesh_quantization): can't preview yet")
		}
		if !shown(ext) {
			return nil, nil, refuse(path, CodeUnsupported, "requires the %s extension, which the preview cannot show", ext)
		}
	}
	doc, err := decode(path, c)
	if err != nil {
		return nil, nil, err
	}
	rep := &Report{File: path, Bytes: c.size, Meshes: len(doc.Meshes), Materials: len(doc.Materials), TextureCount: len(doc.Textures)}
	ch := &checker{path: path}
	for i, ext := range h.ExtensionsUsed {
		if !shown(ext) {
			rep.Unsupported = append(rep.Unsupported, ext)
			ch.warnf("UNSUPPORTED_EXTENSION", fmt.Sprintf("/extensionsUsed/%d", i), "%s: used by the model, not shown by the preview", ext)
		}
	}
	checkExtensions(ch, doc)
	checkDocument(ch, doc, c.size+c.externalBytes, h.Nodes)
	if !ch.fatal {
		checkData(ch, doc)
		checkSkinning(ch, doc)
		// The clips, and their channels' issues (animation.go): errors among them refuse the
		// model like any other.
		animations(doc, rep)
		for _, is := range rep.Issues {
			ch.add(is.Severity, is.Code, is.Pointer, "%s", is.Message)
		}
	}
	rep.Files = slices.Clone(c.files)
	if !ch.fatal {
		if err := textures(path, doc, rep, ch); err != nil {
			return nil, nil, err
		}
	}
	if ch.errors > 0 {
		return nil, nil, ch.refusal()
	}
	measure(doc, rep)
	if !finite(rep.Min[:]) || !finite(rep.Max[:]) {
		// Valid numbers, but node transforms scale them past the largest float: nothing can
		// frame or draw it.
		ch.errorf(CodeUnsupported, "/nodes", "its node transforms put it at infinity (its scales multiply past the largest number)")
		return nil, nil, ch.refusal()
	}
	rep.warn(ch)
	unused(ch, doc)
	rep.Issues = slices.Clip(ch.issues)
	rep.Warnings = warnings(rep.Issues)
	return doc, rep, nil
}

// decode runs qmuntal/gltf on the checked container, turning a panic into an error. It opens
// no file: checkBuffers has read the external buffers, within their files' real sizes.
func decode(path string, c *container) (doc *gltf.Document, err error) {
	defer func() {
		if r := recover(); r != nil {
			doc, err = nil, refuse(path, CodeUnreadable, "is not a readable glTF model (%v)", r)
		}
	}()
	dec := gltf.NewDecoderFS(bytes.NewReader(c.raw), nil)
	doc = new(gltf.Document)
	if err := dec.Decode(doc); err != nil {
		code := CodeUnreadable
		if c := jsonCode(err); c == "TYPE_MISMATCH" {
			code = c
		}
		return nil, refuse(path, code, "is not a readable glTF model (%v)", strings.TrimPrefix(err.Error(), "gltf: "))
	}
	if len(doc.Buffers) != len(c.external)+countInternal(doc) {
		return nil, refuse(path, CodeUnreadable, "its buffers could not all be read")
	}
	for i, data := range c.external {
		if i >= len(doc.Buffers) {
			return nil, refuse(path, CodeUnreadable, "its buffers could not all be read")
		}
		doc.Buffers[i].Data = data
	}
	return doc, nil
}

// countInternal counts the buffers held in the model itself (the GLB chunk, data URIs).
func countInternal(doc *gltf.Document) int {
	n := 0
	for i, b := range doc.Buffers {
		if b.IsEmbeddedResource() || (i == 0 && b.URI == "") {
			n++
		}
	}
	return n
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
				lo, hi := accessorBounds(doc.Accessors[pos])
				growBox(rep, *world, lo, hi)
			}
		}
	}
	if math.IsInf(rep.Min[0], 1) {
		rep.Min, rep.Max = [3]float64{}, [3]float64{}
	}
}

// warn adds the preview's own warnings about how it draws the model.
func (r *Report) warn(c *checker) {
	if r.MissingNormals {
		c.warnf(CodeNoNormals, "", "some meshes have no normals: the preview computes them")
	}
	if r.Unlit {
		c.warnf(CodeUnlit, "", "unlit materials (KHR_materials_unlit): drawn without lighting")
	}
	if r.Triangles == 0 {
		c.warnf(CodeNoTriangles, "", "the model has no triangles to draw")
	}
}

// textures reads each image's header for its size, refusing what must not be opened or is over
// the texture limits; an image that cannot be identified is only a warning (the renderer draws
// the material's colour).
func textures(path string, doc *gltf.Document, rep *Report, c *checker) error {
	for i := range doc.Images {
		in, err := imageHeader(path, doc, i)
		if err != nil {
			return err
		}
		at := fmt.Sprintf("/images/%d", i)
		if in.warning != "" {
			c.warnf(in.code, at, "%s", in.warning)
		}
		if declared := doc.Images[i].MimeType; declared != "" && in.format != "" && declared != "image/"+in.format {
			c.errorf("IMAGE_MIME_TYPE_INVALID", at+"/mimeType", "texture image %d says it is %s but is image/%s", i, declared, in.format)
		}
		if w, h := in.Width, in.Height; w > 0 && h > 0 && (w&(w-1) != 0 || h&(h-1) != 0) {
			c.infof("IMAGE_NPOT_DIMENSIONS", at, "texture image %d is %d×%d, not a power of two a side (some engines scale it)", i, w, h)
		}
		if in.file != "" && !slices.Contains(rep.Files, in.file) {
			rep.Files = append(rep.Files, in.file)
		}
		rep.Textures = append(rep.Textures, in.Texture)
	}
	rep.Textures = slices.Clip(rep.Textures)
	return nil
}
