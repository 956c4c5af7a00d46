package httpkit

import (
	"strings"
	"unicode"
)

// Excerpt is the start of a body as one short printable line, to quote in a message: HTML tags
// dropped, whitespace and control characters (a terminal's escape sequences) collapsed to one
// space, at most 120 characters.
func Excerpt(data []byte) string {
	var b strings.Builder
	inTag, space := false, false
	for _, r := range string(data[:min(len(data), 2048)]) {
		switch {
		case r == '<':
			inTag = true
		case r == '>' && inTag:
			inTag, space = false, true
		case inTag:
		case unicode.IsSpace(r) || !unicode.IsPrint(r):
			space = true
		default:
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		}
	}
	return Shorten(b.String(), 120)
}

// Shorten cuts s to n characters (runes), marking the cut with an ellipsis.
func Shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
