package httpkit

import (
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"github.com/kiln3d/kiln/providers"
)

// makeGLB assembles a glb from its JSON and binary chunk, padded as the format asks.
func makeGLB(doc string, bin []byte) []byte {
	for len(doc)%4 != 0 {
		doc += " "
	}
	for len(bin)%4 != 0 {
		bin = append(bin, 0)
	}
	le := binary.LittleEndian
	total := 12 + 8 + len(doc)
	if bin != nil {
		total += 8 + len(bin)
	}
	out := []byte("glTF")
	out = le.AppendUint32(out, 2)
	out = le.AppendUint32(out, uint32(total))
	out = le.AppendUint32(out, uint32(len(doc)))
	out = le.AppendUint32(out, glbJSON)
	out = append(out, doc...)
	if bin != nil {
		out = le.AppendUint32(out, uint32(len(bin)))
		out = le.AppendUint32(out, glbBIN)
		out = append(out, bin...)
	}
	return out
}

func TestSniffGLB(t *testing.T) {
	good := makeGLB(`{"asset":{"version":"2.0"},"buffers":[{"byteLength":48}]}`, make([]byte, 48))
	if err := SniffGLB(good, int64(len(good))); err != nil {
		t.Errorf("a sound glb: %v", err)
	}
	if err := SniffGLB(good[:30], -1); err != nil {
		t.Errorf("a sound glb's start, length unknown: %v", err)
	}
	if err := SniffGLB(makeGLB(`{"asset":{"version":"2.0"}}`, nil), -1); err != nil {
		t.Errorf("a glb without buffers: %v", err)
	}
	hostile := makeGLB(`{"asset":{"version":"2.0"},"buffers":[{"byteLength":1000000000000}]}`, make([]byte, 48))
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
		"cut in the BIN":    {makeGLB(`{"buffers":[{"byteLength":8}]}`, make([]byte, 8))[:36], -1, ""},
		"broken JSON":       {makeGLB(`{"buffers":[`, make([]byte, 8)), -1, "the glb's JSON does not parse"},
		"data uri too long": {makeGLB(`{"buffers":[{"byteLength":99999,"uri":"data:,AAAA"}]}`, nil), -1, "claims 97.7 KiB"},
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
