package modeltest

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
)

// GLB assembles a binary glTF from its JSON and binary chunk, each padded to 4 bytes as the
// format asks; a nil bin leaves the binary chunk out. Tests build broken files with it.
func GLB(doc string, bin []byte) []byte {
	for len(doc)%4 != 0 {
		doc += " "
	}
	for len(bin)%4 != 0 {
		bin = append(bin, 0)
	}
	le := binary.LittleEndian
	total := 12 + 8 + len(doc)
	if bin != nil {
		total += 8 + len(bin)
	}
	out := le.AppendUint32([]byte("glTF"), 2)
	out = le.AppendUint32(out, uint32(total))
	out = le.AppendUint32(out, uint32(len(doc)))
	out = append(append(out, "JSON"...), doc...)
	if bin != nil {
		out = le.AppendUint32(out, uint32(len(bin)))
		out = append(append(out, "BIN\x00"...), bin...)
	}
	return out
}

// TerabyteJSON is a model whose one buffer, view and accessor claim a terabyte (2^40 bytes)
// behind a few kilobytes of data: a reader that believes the declared lengths allocates until the
// process dies.
const TerabyteJSON = `{"asset":{"version":"2.0"},"buffers":[{"byteLength":1099511627776}],` +
	`"bufferViews":[{"buffer":0,"byteLength":1099511627776}],` +
	`"accessors":[{"bufferView":0,"componentType":5126,"count":91625968981,"type":"VEC3","min":[0,0,0],"max":[1,1,1]}],` +
	`"meshes":[{"primitives":[{"attributes":{"POSITION":0}}]}],"nodes":[{"mesh":0}],"scenes":[{"nodes":[0]}],"scene":0}`

// WriteTerabyteGLB writes a 5 KB .glb of TerabyteJSON to path.
func WriteTerabyteGLB(path string) error {
	return os.WriteFile(path, GLB(TerabyteJSON, make([]byte, 5000)), 0o644)
}

// SharedAccessorGLB is a small GLB whose meshes, each drawn by its own node, all read one
// accessor of verts positions (a triangle list): a file of verts×12 bytes that holds
// meshes×verts vertices once every mesh is read, the way a renderer or simplifier reads it.
func SharedAccessorGLB(meshes, verts int) []byte {
	le := binary.LittleEndian
	bin := make([]byte, 0, verts*12)
	for i := range verts {
		for _, c := range [3]int{i % 7, i % 5, i % 3} {
			bin = le.AppendUint32(bin, math.Float32bits(float32(c)))
		}
	}
	var nodes, ms, roots []string
	for i := range meshes {
		ms = append(ms, `{"primitives":[{"attributes":{"POSITION":0}}]}`)
		nodes = append(nodes, fmt.Sprintf(`{"mesh":%d}`, i))
		roots = append(roots, strconv.Itoa(i))
	}
	doc := fmt.Sprintf(`{"asset":{"version":"2.0"},"scene":0,"scenes":[{"nodes":[%s]}],"nodes":[%s],"meshes":[%s],`+
		`"buffers":[{"byteLength":%d}],"bufferViews":[{"buffer":0,"byteLength":%d}],`+
		`"accessors":[{"bufferView":0,"componentType":5126,"count":%d,"type":"VEC3","min":[0,0,0],"max":[6,4,2]}]}`,
		strings.Join(roots, ","), strings.Join(nodes, ","), strings.Join(ms, ","), len(bin), len(bin), verts)
	return GLB(doc, bin)
}
