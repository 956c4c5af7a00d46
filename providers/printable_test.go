package providers

import "testing"

func TestPrintable(t *testing.T) {
	for in, want := range map[string]string{
		"chair.png":           "chair.png",
		"chaise longue é.png": "chaise longue é.png",
		"evil\nname.png":      `evil\nname.png`,
		"\x1b[31mred\x1b[0m":  `\x1b[31mred\x1b[0m`,
		"tab\there\r":         `tab\there\r`,
		"bell\a del\x7f":      `bell\x07 del\x7f`,
		"gpj.\u202eexe":       `gpj.\u202eexe`,
		"c1 \u009b31m":        `c1 \u009b31m`,
		"bad \xff utf8":       `bad \xff utf8`,
		"line\u2028sep":       `line\u2028sep`,
	} {
		if got := Printable(in); got != want {
			t.Errorf("Printable(%q) = %q, want %q", in, got, want)
		}
	}
}
