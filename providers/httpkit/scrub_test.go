package httpkit

import (
	"errors"
	"strings"
	"testing"

	"github.com/kiln3d/kiln/providers"
)

func TestScrub(t *testing.T) {
	for in, want := range map[string]string{
		`Get "https://api.kaedim3d.com/api/v1/fetchAll?devID=dev-42&start=01-02-2025": EOF`:              `Get "https://api.kaedim3d.com/api/v1/fetchAll?devID=[redacted]&start=01-02-2025": EOF`,
		"https://s3.example.com/m.glb?X-Amz-Credential=AK%2F1&X-Amz-Signature=abcdef&X-Amz-Expires=3600": "https://s3.example.com/m.glb?X-Amz-Credential=[redacted]&X-Amz-Signature=[redacted]&X-Amz-Expires=3600",
		"/m.glb?Expires=1&Signature=00ff#frag":                                                           "/m.glb?Expires=1&Signature=[redacted]#frag",
		"see ?api_key=k1 and &access_token=t1 and &sig=s":                                                "see ?api_key=[redacted] and &access_token=[redacted] and &sig=[redacted]",
		"?requestID=r1&polycount=3":                                                                      "?requestID=r1&polycount=3",
		"key sk-secret-value leaked; short abc stays":                                                    "key [redacted] leaked; short abc stays",
		"token sk-secret-value-longer":                                                                   "token [redacted]",
		// An excerpt that cut a secret short still shows no usable part of it.
		Shorten("invalid header: Bearer sk-secret-value-longer", 34):  "invalid header: Bearer [redacted]…",
		"a word like sk-secr… stays (seven characters are not a key)": "a word like sk-secr… stays (seven characters are not a key)",
	} {
		if got := Scrub(in, "abc", "sk-secret-value", "sk-secret-value-longer"); got != want {
			t.Errorf("Scrub(%q)\n = %q\nwant %q", in, got, want)
		}
	}
}

// wrapped wraps an error and prints it afresh, as explained errors do.
type wrapped struct{ err error }

func (w *wrapped) Error() string { return "wrapped: " + w.err.Error() }
func (w *wrapped) Unwrap() error { return w.err }

func TestScrubError(t *testing.T) {
	api := &providers.APIError{Provider: "svc", Op: "fetch ?devID=dev-1", Message: "echo key-1234", Kind: providers.ErrServer}
	var err error = &wrapped{api}
	same := ScrubError(err, "key-1234") == err //nolint:errorlint // scrubbed in place: the very same error
	if !same || strings.Contains(err.Error(), "key-1234") || strings.Contains(err.Error(), "dev-1") {
		t.Errorf("%v", err)
	}
	plain := errors.New("nothing from a server")
	if ScrubError(plain, "nothing") != plain { //nolint:errorlint // the very same error
		t.Error("a plain error changed")
	}
}
