package rodin

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestNamer(t *testing.T) {
	n := newNamer()
	for _, c := range []struct{ raw, ext, want string }{
		{"base_basic_pbr.glb", ".glb", "base_basic_pbr.glb"},
		{"models/base_basic_pbr.glb", ".glb", "base_basic_pbr-2.glb"},
		{"BASE_BASIC_PBR.GLB", ".glb", "BASE_BASIC_PBR-3.GLB"},
		{"../../x.glb", ".glb", "x.glb"},
		{`..\..\Windows\y.glb`, ".glb", "y.glb"},
		{"/etc/passwd", ".glb", "passwd.glb"},
		{"..", ".glb", "model.glb"},
		{"", ".glb", "model-2.glb"},
		{"\x1b[31mred\x1b[0m.glb", ".glb", "red.glb"},
		{"\x1b]0;title\x07z.glb", ".glb", "z.glb"},
		{"a\u202egnp.glb", ".glb", "agnp.glb"},
		{"what?:*<>|.glb", ".glb", "what______.glb"},
		{"  .hidden.glb", ".glb", "hidden.glb"},
		{"CON.glb", ".glb", "model-3.glb"},
		{"preview", ".webp", "preview.webp"},
		{"bad\xff\xfeutf8.webp", ".webp", "badutf8.webp"},
		{"tab\tand space.glb", ".glb", "tab_and_space.glb"},
	} {
		fallback := modelFallback
		if c.ext == ".webp" {
			fallback = previewFallback
		}
		got := n.name(c.raw, c.ext, fallback)
		if got != c.want {
			t.Errorf("name(%q) = %q, want %q", c.raw, got, c.want)
		}
	}
	long := n.name(strings.Repeat("é", 500)+".glb", ".glb", "model.glb")
	if r := []rune(long); len(r) > maxFileName || !strings.HasSuffix(long, ".glb") || !filepath.IsLocal(long) {
		t.Errorf("a long name became %q (%d runes)", long, len(r))
	}
	again := n.name(strings.Repeat("é", 500)+".glb", ".glb", "model.glb")
	if again == long || len([]rune(again)) > maxFileName {
		t.Errorf("the same long name twice: %q, %q", long, again)
	}
}

func TestUploadName(t *testing.T) {
	for path, want := range map[string]string{
		"/photos/chair front.png":                      "chair front.png",
		"/photos/\"quoted\"\r\n.png":                   "_quoted___.png",
		"/photos/椅子.jpg":                               "椅子.jpg",
		"/photos/...":                                  "image-1.png",
		"/photos/" + strings.Repeat("a", 300) + ".png": strings.Repeat("a", maxUploadName-4) + ".png",
	} {
		if got := uploadName(path, "image-1.png"); got != want {
			t.Errorf("uploadName(%q) = %q, want %q", path, got, want)
		}
	}
}

func TestMessage(t *testing.T) {
	for body, want := range map[string]string{
		`{"error": "Not authenticated", "message": "Not authenticated"}`:         "Not authenticated",
		`{"error": "INSUFFICIENT_FUND", "message": "Insufficient funds: 1 < 2"}`: "INSUFFICIENT_FUND: Insufficient funds: 1 < 2",
		`{"error": "OK", "message": "Submitted."}`:                               "Submitted.",
		`{"error": null, "detail": "Not authenticated"}`:                         "Not authenticated",
		`{"detail": [{"loc": ["body", "tier"], "msg": "field required"}]}`:       "field required",
		`{"error": {"code": 7}}`:                                                 `{"code": 7}`,
		`{}`:                                                                     "",
	} {
		got, ok := message([]byte(body))
		if !ok || got != want {
			t.Errorf("message(%s) = %q, %v; want %q", body, got, ok, want)
		}
	}
	if _, ok := message([]byte("<html>502</html>")); ok {
		t.Error("an HTML page was read as Rodin's error")
	}
}
