package rodin

import (
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxFileName bounds a result's file name, in runes: far below any file system's limit, with room
// for a suffix that makes it unique.
const maxFileName = 80

// escapes matches terminal escape sequences a server may put in a name: CSI (ESC [ ... or the
// one-byte C1 form), OSC (ESC ] ... ended by BEL or ESC \) and two-character escapes.
var escapes = regexp.MustCompile(`\x1b\[[0-?]*[ -/]*[@-~]|\x{9b}[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]`)

// windowsReserved are the names Windows refuses for a file, whatever the extension.
var windowsReserved = regexp.MustCompile(`(?i)^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$`)

// namer gives the files of one download names that are safe to write inside its folder, and
// unique in it.
type namer struct{ taken map[string]bool }

func newNamer() *namer { return &namer{taken: map[string]bool{}} }

// name turns a name from Rodin's download list into a file name inside the folder: its last
// path segment (Rodin's names may hold "/", a hostile one "\" or ".."), without escape sequences,
// control or invisible characters, or characters Windows refuses, at most maxFileName runes,
// ending in ext (".glb"), and unlike every name given before (case aside, for case-insensitive
// file systems). fallback ("model.glb") stands in for a name with nothing left.
func (n *namer) name(raw, ext, fallback string) string {
	s := strings.ToValidUTF8(raw, "")
	s = escapes.ReplaceAllString(s, "")
	if i := strings.LastIndexAny(s, `/\`); i >= 0 {
		s = s[i+1:]
	}
	s = strings.Map(func(r rune) rune {
		switch {
		case strings.ContainsRune(`<>:"|?*`, r), unicode.IsSpace(r):
			return '_'
		case unicode.IsControl(r), unicode.Is(unicode.Cf, r):
			return -1 // invisible: dropped
		}
		return r
	}, s)
	s = strings.Trim(s, ". _")
	if !strings.EqualFold(filepath.Ext(s), ext) {
		s += ext
	}
	stem := s[:len(s)-len(filepath.Ext(s))]
	if strings.Trim(stem, "._") == "" || windowsReserved.MatchString(s) || !filepath.IsLocal(s) {
		s = fallback
	}
	s = shorten(s, maxFileName)
	for i := 1; ; i++ {
		c := s
		if i > 1 {
			suffix, e := "-"+strconv.Itoa(i), filepath.Ext(s)
			c = shorten(strings.TrimSuffix(s, e), maxFileName-len(suffix)-utf8.RuneCountInString(e)) + suffix + e
		}
		if !n.taken[strings.ToLower(c)] {
			n.taken[strings.ToLower(c)] = true
			return c
		}
	}
}

// maxUploadName bounds an upload's file name, in runes.
const maxUploadName = 100

// uploadName is the base name of path as a multipart header can carry it and a server can store
// it: letters, digits, spaces, dots, dashes and underscores, the rest replaced by "_", at most
// maxUploadName runes with the extension kept; fallback when nothing is left.
func uploadName(path, fallback string) string {
	base := filepath.Base(path)
	if !utf8.ValidString(base) {
		base = strings.ToValidUTF8(base, "_")
	}
	safe := strings.Map(func(r rune) rune {
		switch {
		case unicode.IsLetter(r), unicode.IsDigit(r), r == '.', r == '-', r == '_', r == ' ':
			return r
		}
		return '_'
	}, base)
	safe = strings.Trim(safe, ". ")
	if strings.Trim(safe, "_") == "" {
		return fallback
	}
	return shorten(safe, maxUploadName)
}

// shorten cuts name to n runes, keeping its extension.
func shorten(name string, n int) string {
	if utf8.RuneCountInString(name) <= n {
		return name
	}
	ext := filepath.Ext(name)
	if utf8.RuneCountInString(ext) > n/2 {
		ext = ""
	}
	stem := []rune(strings.TrimSuffix(name, ext))
	return string(stem[:n-utf8.RuneCountInString(ext)]) + ext
}
