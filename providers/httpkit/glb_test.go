package httpkit

import (
	"errors"
	"strings"
	"testing"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/modeltest"
)

func TestSniffGLB(t *testing.T) {
	good := modeltest.GLB(`{"asset":{"version":"2.0"},"buffers":[{"byteLength":48}]}`, make([]byte, 48))
	if err := SniffGLB(good, int64(len(good))); err != nil {
		t.Errorf("a sound glb: %v", err)
	}
	if err := SniffGLB(good[:30], -1); err != nil {
		t.Errorf("a sound glb's start, length unknown: %v", err)
	}
	if err := SniffGLB(modeltest.GLB(`{"asset":{"version":"2.0"}}`, nil), -1); err != nil {
		t.Errorf("a glb without buffers: %v", err)
	}
	hostile := modeltest.GLB(`{"asset":{"version":"2.0"},"buffers":[{"byteLength":1000000000000}]}`, make([]byte, 48))
	version := append([]byte(nil), good...)
	version[4] = 1
	for name, c := range map[string]struct {
		head     []byte
		declared int64
		want     string
	}{
		"a terabyte buffer": {hostile, int64(len(hostile)), "the glb's buffer 0 claims 931.3 GiB in a file of"},
		"version 1":         {version, -1, "the model is a glb of version 1"},
		"length mismatch":   {good, int64(len(good)) + 1, "the glb says it is"},
		"cut in the BIN":    {modeltest.GLB(`{"buffers":[{"byteLength":8}]}`, make([]byte, 8))[:36], -1, ""},
		"broken JSON":       {modeltest.GLB(`{"buffers":[`, make([]byte, 8)), -1, "the glb's JSON does not parse"},
		"data uri too long": {modeltest.GLB(`{"buffers":[{"byteLength":99999,"uri":"data:,AAAA"}]}`, nil), -1, "claims 97.7 KiB"},
	} {
		err := SniffGLB(c.head, c.declared)
		if c.want == "" {
			if err != nil {
				t.Errorf("%s: %v", name, err)
			}
			continue
		}
		if !errors.Is(err, providers.ErrDamagedResult) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want damaged saying %q", name, err, c.want)
		}
	}
	err := SniffGLB([]byte("<html>Sign in</html>"), -1)
	if err == nil || errors.Is(err, providers.ErrDamagedResult) || err.Error() != `the download is not a glb model: "Sign in"` {
		t.Errorf("a portal page: %v", err)
	}
}
