package httpkit

import (
	"errors"
	"regexp"
	"slices"
	"strings"

	"github.com/kiln3d/kiln/providers"
)

// Redacted replaces whatever Scrub removes.
const Redacted = "[redacted]"

// minSecret is the shortest secret Scrub replaces: shorter ones would redact ordinary words.
const minSecret = 4

// minCut is the shortest start of a secret Scrub replaces where an excerpt was cut (at "…"):
// shorter starts are common words.
const minCut = 8

// sensitiveParam matches a query parameter whose value is a credential or a signature, wherever a
// URL or a query string stands in a text: ?devID=..., &X-Amz-Signature=..., &api_key=...
// Its name ends in one of the words below (token, secret, key, signature, ...), or is one of the
// short names services use (sig, jwt, code). The value runs to the next separator.
var sensitiveParam = regexp.MustCompile(`(?i)([?&;](?:[a-z0-9_.\-]*(?:token|secret|signature|password|passwd|credential|credentials|key|apikey|devid|jwt|auth|authorization|session|sessionid)|sig|code|pwd)=)[^&;#\s"'<>\\]*`)

// Scrub returns text with every secret (of at least four characters) and the value of every
// sensitive query parameter in it replaced by Redacted, so that what is printed or logged holds
// no credential and no usable signed link. Secrets are replaced longest first, so that a secret
// containing another is not half-replaced. A secret that an excerpt cut short (Excerpt, Shorten:
// its first characters, then "…") is replaced too, from its first eight characters.
func Scrub(text string, secrets ...string) string {
	if len(secrets) > 1 {
		secrets = slices.Clone(secrets)
		slices.SortFunc(secrets, func(a, b string) int { return len(b) - len(a) })
	}
	for _, s := range secrets {
		if len(s) >= minSecret {
			text = strings.ReplaceAll(text, s, Redacted)
		}
	}
	if strings.Contains(text, "…") {
		for _, s := range secrets {
			for n := len(s) - 1; n >= minCut; n-- {
				text = strings.ReplaceAll(text, s[:n]+"…", Redacted+"…")
			}
		}
	}
	return sensitiveParam.ReplaceAllString(text, "${1}"+Redacted)
}

// ScrubError scrubs the printable parts of err's *providers.APIError (its message and its op) in
// place, and returns err. A provider's APIErrors are made afresh for every call, so no one else
// holds the one it changes. Scrub before wrapping: fmt.Errorf keeps the text it was made with.
// An error of another type is returned as it is: it holds no text from a server.
func ScrubError(err error, secrets ...string) error {
	var api *providers.APIError
	if errors.As(err, &api) {
		api.Message = Scrub(api.Message, secrets...)
		api.Op = Scrub(api.Op, secrets...)
	}
	return err
}
