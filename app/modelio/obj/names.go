package obj

import (
	"strconv"
	"strings"
	"unicode"
)

// safeName makes a glTF name usable as an OBJ object or material name: readers split those
// lines on white space, and '#' starts a comment in some of them, so both become '_'.
func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || unicode.IsControl(r) || r == '#' || r == unicode.ReplacementChar {
			return '_'
		}
		return r
	}, s)
}

// maxFilePart bounds the part of a texture's file name taken from the image's name, so that
// STEM_<part>.png stays well within the 255 bytes file systems allow.
const maxFilePart = 64

// safeFilePart makes an image name usable inside a file name on every system: letters, digits,
// '-' and '_' are kept, anything else (separators, spaces, dots, what Windows forbids) is '_'.
func safeFilePart(s string) string {
	var b strings.Builder
	n := 0
	for _, r := range s {
		if n == maxFilePart {
			break
		}
		if r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
		n++
	}
	return b.String()
}

// uniquer hands out names no two alike, ignoring case: two texture files "Wood.png" and
// "wood.png" are one file on macOS and Windows, and the names it gives objects and materials
// are kept as distinct for readers that fold case.
type uniquer struct {
	taken map[string]bool
}

func newUniquer() *uniquer {
	return &uniquer{taken: map[string]bool{}}
}

// name returns want (or fallback when want is empty), followed by _2, _3… when it is taken.
func (u *uniquer) name(want, fallback string) string {
	return u.file(want, fallback, "")
}

// file is name for a file name: the suffix goes between the name and its extension ext.
func (u *uniquer) file(want, fallback, ext string) string {
	if want == "" {
		want = fallback
	}
	out := want + ext
	for i := 2; u.taken[strings.ToLower(out)]; i++ {
		out = want + "_" + strconv.Itoa(i) + ext
	}
	u.taken[strings.ToLower(out)] = true
	return out
}
