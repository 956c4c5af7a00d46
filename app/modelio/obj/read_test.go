package obj_test

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// A small reader of what Write writes, independent of it: the tests judge the files by what a
// reader takes from them, not by how they were made.

// corner is one corner of a face, 0-based; vt and vn are −1 when absent.
type corner struct{ v, vt, vn int }

// face is one f statement and the state it was read in.
type face struct {
	corners          []corner
	object, material string
}

// objFile is what readOBJ takes from an .obj.
type objFile struct {
	v, vn   [][3]float64
	vt      [][2]float64
	faces   []face
	objects []string // o statements, in order
	groups  []string // g statements, in order
	mtllibs []string
}

// readOBJ reads v, vt, vn, f (v, v/vt, v//vn and v/vt/vn, negative indices relative), o, g,
// usemtl and mtllib, and fails on an index out of range or a statement it does not know.
func readOBJ(path string) (*objFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	o := &objFile{}
	var object, material string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		key, rest, _ := strings.Cut(line, " ")
		rest = strings.TrimSpace(rest)
		fail := func(format string, a ...any) error {
			return fmt.Errorf("%s:%d: %q: %s", filepath.Base(path), n, line, fmt.Sprintf(format, a...))
		}
		switch key {
		case "v", "vn":
			x, err := floats(rest, 3)
			if err != nil {
				return nil, fail("%v", err)
			}
			if key == "v" {
				o.v = append(o.v, [3]float64(x))
			} else {
				o.vn = append(o.vn, [3]float64(x))
			}
		case "vt":
			x, err := floats(rest, 2)
			if err != nil {
				return nil, fail("%v", err)
			}
			o.vt = append(o.vt, [2]float64(x))
		case "f":
			fc := face{object: object, material: material}
			for _, c := range strings.Fields(rest) {
				parts := strings.Split(c, "/")
				if len(parts) > 3 {
					return nil, fail("corner %q", c)
				}
				cr := corner{v: -1, vt: -1, vn: -1}
				for k, p := range parts {
					if p == "" {
						if k == 0 {
							return nil, fail("corner %q has no vertex", c)
						}
						continue
					}
					i, err := strconv.Atoi(p)
					if err != nil {
						return nil, fail("corner %q: %v", c, err)
					}
					count := [3]int{len(o.v), len(o.vt), len(o.vn)}[k]
					switch {
					case i > 0 && i <= count:
						i--
					case i < 0 && -i <= count:
						i += count
					default:
						return nil, fail("index %d out of 1..%d", i, count)
					}
					switch k {
					case 0:
						cr.v = i
					case 1:
						cr.vt = i
					default:
						cr.vn = i
					}
				}
				fc.corners = append(fc.corners, cr)
			}
			if len(fc.corners) < 3 {
				return nil, fail("a face of %d corners", len(fc.corners))
			}
			o.faces = append(o.faces, fc)
		case "o":
			object = rest
			o.objects = append(o.objects, rest)
		case "g":
			o.groups = append(o.groups, rest)
		case "usemtl":
			material = rest
		case "mtllib":
			o.mtllibs = append(o.mtllibs, rest)
		case "s":
		default:
			return nil, fail("unknown statement")
		}
	}
	return o, sc.Err()
}

// triangles counts the triangles of the faces, a polygon of n corners being n − 2.
func (o *objFile) triangles() int {
	n := 0
	for _, f := range o.faces {
		n += len(f.corners) - 2
	}
	return n
}

func floats(s string, n int) ([]float64, error) {
	fs := strings.Fields(s)
	if len(fs) != n {
		return nil, fmt.Errorf("%d numbers, want %d", len(fs), n)
	}
	out := make([]float64, n)
	for i, f := range fs {
		x, err := strconv.ParseFloat(f, 64)
		if err != nil {
			return nil, err
		}
		out[i] = x
	}
	return out, nil
}

// mtlMaterial is one newmtl: each statement's arguments by keyword (the last one wins).
type mtlMaterial map[string][]string

// number reads a one-number statement, failing the caller's check with NaN when absent.
func (m mtlMaterial) number(key string) float64 {
	a := m[key]
	if len(a) != 1 {
		return math.NaN()
	}
	x, err := strconv.ParseFloat(a[0], 64)
	if err != nil {
		return math.NaN()
	}
	return x
}

// mapFile is a map_* (or norm) statement's file: what follows its options.
func (m mtlMaterial) mapFile(key string) string {
	a := m[key]
	if len(a) == 0 {
		return ""
	}
	return a[len(a)-1]
}

// readMTL reads the materials of an .mtl by name, failing on a material named twice.
func readMTL(path string) (map[string]mtlMaterial, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	out := map[string]mtlMaterial{}
	var cur mtlMaterial
	for n, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		fs := strings.Fields(line)
		if fs[0] == "newmtl" {
			if len(fs) != 2 {
				return nil, fmt.Errorf("%s:%d: %q: a material name is one word", filepath.Base(path), n+1, line)
			}
			if _, dup := out[fs[1]]; dup {
				return nil, fmt.Errorf("%s:%d: material %q named twice", filepath.Base(path), n+1, fs[1])
			}
			cur = mtlMaterial{}
			out[fs[1]] = cur
			continue
		}
		if cur == nil {
			return nil, fmt.Errorf("%s:%d: %q before any newmtl", filepath.Base(path), n+1, line)
		}
		cur[fs[0]] = fs[1:]
	}
	return out, nil
}
