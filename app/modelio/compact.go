package modelio

import (
	"fmt"
	"slices"

	"github.com/qmuntal/gltf"
)

// Compact rebuilds the one buffer to hold only the buffer views something still refers to
// (accessors, sparse indices and values, images), in their order, each starting on a 4-byte
// boundary, and renumbers the references. Changes such as DownscaleTextures and tangents leave
// their old bytes behind; the writers compact first, so those never reach a file.
//
// An extension may point at buffer views where Compact cannot see (Draco does, from a primitive).
// When the document uses an extension not known to be free of such references, every view is kept
// with its index, and only the bytes between them are dropped. A buffer that meshopt compression
// reads at raw offsets is left exactly as it is.
//
// The error reports a model that breaks the Model's promise: more than one buffer, a view outside
// the buffer, a reference to a view that does not exist.
func (m *Model) Compact() error {
	return compact(m.Doc)
}

// compact is Compact on any document. It never changes an accessor, image or buffer view in
// place: it puts changed copies in doc's slices, so that a shallow copy of a document (as
// WriteGLTF makes) compacts without touching the original.
func compact(doc *gltf.Document) error {
	if len(doc.Buffers) == 0 {
		if len(doc.BufferViews) > 0 {
			return fmt.Errorf("modelio: the model has %d buffer views but no buffer", len(doc.BufferViews))
		}
		return nil
	}
	if len(doc.Buffers) > 1 {
		return fmt.Errorf("modelio: the model has %d buffers; it must be loaded with modelio.Load, which packs them into one", len(doc.Buffers))
	}
	if slices.ContainsFunc(doc.ExtensionsUsed, readsRawOffsets) {
		return nil
	}
	buf := doc.Buffers[0]
	for i, v := range doc.BufferViews {
		if v == nil || v.Buffer != 0 || v.ByteOffset < 0 || v.ByteLength < 0 || v.ByteOffset > len(buf.Data)-v.ByteLength {
			return fmt.Errorf("modelio: buffer view %d lies outside the model's one buffer", i)
		}
	}

	used := make([]bool, len(doc.BufferViews))
	use := func(what string, i int) error {
		if i < 0 || i >= len(used) {
			return fmt.Errorf("modelio: %s refers to buffer view %d, which does not exist", what, i)
		}
		used[i] = true
		return nil
	}
	for i, a := range doc.Accessors {
		if a.BufferView != nil {
			if err := use(fmt.Sprintf("accessor %d", i), *a.BufferView); err != nil {
				return err
			}
		}
		if a.Sparse != nil {
			if err := use(fmt.Sprintf("accessor %d's sparse indices", i), a.Sparse.Indices.BufferView); err != nil {
				return err
			}
			if err := use(fmt.Sprintf("accessor %d's sparse values", i), a.Sparse.Values.BufferView); err != nil {
				return err
			}
		}
	}
	for i, img := range doc.Images {
		if img.BufferView != nil {
			if err := use(fmt.Sprintf("image %d", i), *img.BufferView); err != nil {
				return err
			}
		}
	}
	if slices.ContainsFunc(doc.ExtensionsUsed, func(e string) bool { return !viewFree(e) }) {
		// An extension Compact does not know may refer to any view: all stay.
		for i := range used {
			used[i] = true
		}
	}

	renumber := make([]int, len(doc.BufferViews))
	views := make([]*gltf.BufferView, 0, len(doc.BufferViews))
	var data []byte
	for i, v := range doc.BufferViews {
		renumber[i] = -1
		if !used[i] {
			continue
		}
		// 4 is the largest component size, so a view starting on a multiple of 4 keeps every
		// accessor's offset (a multiple of its own component size) aligned.
		data = append(data, make([]byte, pad4(len(data)))...)
		nv := *v
		nv.Buffer, nv.ByteOffset = 0, len(data)
		data = append(data, buf.Data[v.ByteOffset:v.ByteOffset+v.ByteLength]...)
		renumber[i] = len(views)
		views = append(views, &nv)
	}

	for i, a := range doc.Accessors {
		if a.BufferView == nil && a.Sparse == nil {
			continue
		}
		na := *a
		if a.BufferView != nil {
			na.BufferView = gltf.Index(renumber[*a.BufferView])
		}
		if a.Sparse != nil {
			ns := *a.Sparse
			ns.Indices.BufferView = renumber[ns.Indices.BufferView]
			ns.Values.BufferView = renumber[ns.Values.BufferView]
			na.Sparse = &ns
		}
		doc.Accessors[i] = &na
	}
	for i, img := range doc.Images {
		if img.BufferView != nil {
			ni := *img
			ni.BufferView = gltf.Index(renumber[*img.BufferView])
			doc.Images[i] = &ni
		}
	}
	doc.BufferViews = views
	if len(views) == 0 {
		doc.Buffers = nil
		return nil
	}
	nb := *buf
	nb.Data, nb.ByteLength = data, len(data)
	doc.Buffers = []*gltf.Buffer{&nb}
	return nil
}

// pad4 is how many bytes bring n up to a multiple of 4.
func pad4(n int) int {
	return (4 - n%4) % 4
}

// viewFree reports whether the extension is known never to refer to a buffer view itself (it may
// refer to images, textures or accessors, which Compact follows).
func viewFree(ext string) bool {
	switch ext {
	case "KHR_materials_anisotropy", "KHR_materials_clearcoat", "KHR_materials_diffuse_transmission",
		"KHR_materials_dispersion", "KHR_materials_emissive_strength", "KHR_materials_ior",
		"KHR_materials_iridescence", "KHR_materials_pbrSpecularGlossiness", "KHR_materials_sheen",
		"KHR_materials_specular", "KHR_materials_transmission", "KHR_materials_unlit",
		"KHR_materials_variants", "KHR_materials_volume",
		"KHR_texture_transform", "KHR_texture_basisu", "EXT_texture_webp", "EXT_texture_avif", "MSFT_texture_dds",
		"KHR_lights_punctual", "EXT_lights_image_based", "KHR_mesh_quantization", "EXT_mesh_gpu_instancing",
		"KHR_animation_pointer", "KHR_node_visibility", "KHR_xmp_json_ld", "MSFT_lod":
		return true
	}
	return false
}

// readsRawOffsets reports whether the extension reads buffers at byte offsets of its own, which
// moving bytes would break.
func readsRawOffsets(ext string) bool {
	return ext == "EXT_meshopt_compression" || ext == "KHR_meshopt_compression"
}

// imageBytes is image i's encoded bytes, from its buffer view.
func imageBytes(doc *gltf.Document, i int) ([]byte, error) {
	img := doc.Images[i]
	if img.BufferView == nil || *img.BufferView < 0 || *img.BufferView >= len(doc.BufferViews) {
		return nil, fmt.Errorf("modelio: image %d %q is not embedded in the model; load it with modelio.Load", i, img.Name)
	}
	v := doc.BufferViews[*img.BufferView]
	if v.Buffer < 0 || v.Buffer >= len(doc.Buffers) {
		return nil, fmt.Errorf("modelio: image %d %q: its buffer view names buffer %d, which does not exist", i, img.Name, v.Buffer)
	}
	data := doc.Buffers[v.Buffer].Data
	if v.ByteOffset < 0 || v.ByteLength < 0 || v.ByteOffset > len(data)-v.ByteLength {
		return nil, fmt.Errorf("modelio: image %d %q: its buffer view lies outside the buffer", i, img.Name)
	}
	return data[v.ByteOffset : v.ByteOffset+v.ByteLength], nil
}
