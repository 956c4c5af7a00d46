// Package cleanlocale keeps Fyne quiet under the C locale. Fyne reads the locale while its
// packages initialise and logs "Error parsing user locale C" for LANG=C.UTF-8, the default of
// servers and containers, where `kiln generate` often runs. Under a C locale this sets LANGUAGE=en,
// which Fyne parses and which gettext ignores for C anyway.
//
// main imports it for its init side effect. Go initialises packages in import-path order once
// their imports are ready (the spec's rule since Go 1.21), so this one, needing only os and
// strings, runs before fyne.io/fyne/v2/lang, which waits for github.com/nicksnyder/go-i18n and
// golang.org/x/text. A test of main checks that the CLI's stderr stays clean.
package cleanlocale

import (
	"os"
	"strings"
)

func init() {
	if os.Getenv("LANGUAGE") != "" {
		return
	}
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		v := os.Getenv(name)
		if v == "" {
			continue
		}
		if base, _, _ := strings.Cut(v, "."); base == "C" || base == "POSIX" {
			_ = os.Setenv("LANGUAGE", "en")
		}
		return
	}
}
