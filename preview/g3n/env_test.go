package g3n

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kiln3d/kiln/assets"
	"github.com/kiln3d/kiln/providers/fsguard/fsguardtest"
)

// TestStudioEnvironment: Kiln's own HDR decodes and prefilters; its softboxes are far
// brighter than its sky, the key (front left, above) lights a normal facing it more than one
// facing away, and each rougher level is smoother than the one before.
func TestStudioEnvironment(t *testing.T) {
	env, err := builtinEnvironment()
	if err != nil {
		t.Fatal(err)
	}
	if len(env.levels) != envLevels || env.levels[0].w != envWidth || env.levels[0].h != envWidth/2 {
		t.Fatalf("levels: %d, level 0 %d×%d", len(env.levels), env.levels[0].w, env.levels[0].h)
	}
	l0 := env.levels[0]
	var peak float32
	for _, v := range l0.pix {
		peak = max(peak, v)
	}
	if peak < 5 || env.mean > 2 || env.mean < 0.2 {
		t.Errorf("peak %.2f, mean %.2f: want bright boxes over a dim studio", peak, env.mean)
	}
	key := env.evalSH(unit(-0.6, 0.55, 0.6))
	away := env.evalSH(unit(0.6, -0.55, -0.6))
	if key[1] < 2*away[1] {
		t.Errorf("irradiance toward the key %.2f, away from it %.2f", key[1], away[1])
	}
	// Each level is blurrier: its brightest texel is no brighter than the sharper level's,
	// and at roughness 1 the soft boxes have spread into a broad glow.
	prev := peak
	for k, l := range env.levels[1:] {
		var p float32
		for _, v := range l.pix {
			p = max(p, v)
		}
		if p > prev*1.001 || p <= 0 {
			t.Errorf("level %d peaks at %.2f, level %d at %.2f", k+1, p, k, prev)
		}
		prev = p
	}
	if prev > peak/3 {
		t.Errorf("the roughest level peaks at %.2f, the mirror level at %.2f: not blurred", prev, peak)
	}
}

func unit(x, y, z float64) [3]float64 {
	l := math.Sqrt(x*x + y*y + z*z)
	return [3]float64{x / l, y / l, z / l}
}

// TestHostileHDR: damaged and hostile environment files are refused with the reason,
// promptly; the header and every run are checked before they are trusted.
func TestHostileHDR(t *testing.T) {
	good := assets.StudioHDR
	header := "#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y 128 +X 256\n"
	cases := map[string]struct {
		data []byte
		want string
	}{
		"empty":       {nil, "not a Radiance"},
		"png":         {[]byte("\x89PNG\r\n\x1a\n...."), "not a Radiance"},
		"truncated":   {good[:len(good)/2], "ends early"},
		"no pixels":   {[]byte(header), "row 1 of 128"},
		"xyze":        {[]byte("#?RADIANCE\nFORMAT=32-bit_rle_xyze\n\n-Y 8 +X 16\n"), "only 32-bit_rle_rgbe"},
		"huge":        {[]byte("#?RADIANCE\n\n-Y 99999999 +X 99999999\n"), "want sides of 1 to"},
		"negative":    {[]byte("#?RADIANCE\n\n-Y -5 +X 16\n"), "want sides of 1 to"},
		"rotated":     {[]byte("#?RADIANCE\n\n+X 16 -Y 8\n"), "orientation"},
		"tiny":        {[]byte("#?RADIANCE\n\n-Y 2 +X 4\n" + strings.Repeat("\x80\x80\x80\x81", 8)), "too small"},
		"endless":     {[]byte("#?RADIANCE\n" + strings.Repeat("X=1\n", 2000)), "does not end"},
		"long line":   {[]byte("#?RADIANCE\n" + strings.Repeat("x", 10000)), "over 4 KB"},
		"bad run":     {[]byte("#?RADIANCE\n\n-Y 8 +X 16\n\x02\x02\x00\x10\xff\x07"), "past the end of the row"},
		"zero run":    {append([]byte(header), 2, 2, 1, 0, 0), "empty"},
		"wrong width": {append([]byte(header), 2, 2, 0, 200), "says 200 pixels"},
		"old rle":     {append([]byte(header), 1, 1, 1, 5), "old-style"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := readHDR(bytes.NewReader(c.data), int64(len(c.data)))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one saying %q", err, c.want)
			}
		})
	}
	if _, err := readHDR(bytes.NewReader(nil), maxHDRBytes+1); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("an oversized file: %v", err)
	}
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe.hdr")
	fsguardtest.MkFIFO(t, fifo)
	if err := fsguardtest.Promptly(t, 5*time.Second, func() error { _, err := loadEnvironment(fifo); return err }); err == nil {
		t.Error("a FIFO was read as an environment")
	}
	if _, err := loadEnvironment(filepath.Join(dir, "none.hdr")); err == nil || !strings.Contains(err.Error(), "none.hdr") {
		t.Errorf("a missing file: %v", err)
	}
}

// TestEnvironmentCache: a file is prefiltered once; saved again, it is read again.
func TestEnvironmentCache(t *testing.T) {
	path := filepath.Join(t.TempDir(), "studio.hdr")
	if err := os.WriteFile(path, assets.StudioHDR, 0o644); err != nil {
		t.Fatal(err)
	}
	a, err := loadEnvironment(path)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := loadEnvironment(path); b != a {
		t.Error("the same file was prefiltered twice")
	}
	later := time.Now().Add(time.Minute)
	if err := os.Chtimes(path, later, later); err != nil {
		t.Fatal(err)
	}
	if c, _ := loadEnvironment(path); c == a {
		t.Error("a file saved again was not read again")
	}
}

func BenchmarkPrefilter(b *testing.B) {
	for b.Loop() {
		if _, err := readHDR(bytes.NewReader(assets.StudioHDR), int64(len(assets.StudioHDR))); err != nil {
			b.Fatal(err)
		}
	}
}

// TestUniformEnvironment: an evenly lit world of radiance L, in a flat (not run-length)
// file of an odd size, comes out as L in every texel of every level, and a white
// Lambertian surface facing any way sends back L: the binning, the prefilter and the SH
// convolution keep energy.
func TestUniformEnvironment(t *testing.T) {
	const w, h = 301, 149
	var b bytes.Buffer
	b.WriteString("#?RGBE\nFORMAT=32-bit_rle_rgbe\nEXPOSURE=1\n\n-Y 149 +X 301\n")
	for range w * h {
		b.Write([]byte{128, 128, 128, 130}) // 0.5 × 2² = 2
	}
	env, err := readHDR(&b, int64(b.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if env.levels[0].w != 256 || env.levels[0].h != 128 {
		t.Errorf("a 301×149 picture works at %d×%d, want 256×128 (the widest power of two it covers)", env.levels[0].w, env.levels[0].h)
	}
	for k, l := range env.levels {
		for i, v := range l.pix {
			if math.Abs(float64(v)-2) > 1e-3 {
				t.Fatalf("level %d texel %d is %v, want 2", k, i/3, v)
			}
		}
	}
	for _, d := range [][3]float64{{0, 1, 0}, {0, -1, 0}, unit(1, 1, 1), unit(-0.3, 0.1, -0.9)} {
		if e := env.evalSH(d); math.Abs(e[0]-2) > 0.02 || math.Abs(e[2]-2) > 0.02 {
			t.Errorf("irradiance ÷ π toward %v is %v, want 2", d, e)
		}
	}
}

// FuzzReadHDR: whatever the bytes, readHDR returns (never panics, never hangs), and what it
// accepts is finite, non-negative light.
func FuzzReadHDR(f *testing.F) {
	f.Add(assets.StudioHDR[:200])
	f.Add([]byte("#?RADIANCE\n\n-Y 8 +X 16\n\x02\x02\x00\x10\xff\x07"))
	f.Add(append([]byte("#?RADIANCE\n\n-Y 8 +X 16\n"), bytes.Repeat([]byte{1, 2, 3, 200}, 128)...))
	f.Fuzz(func(t *testing.T, data []byte) {
		env, err := readHDR(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		for _, l := range env.levels {
			for _, v := range l.pix {
				if !(v >= 0) || math.IsInf(float64(v), 0) {
					t.Fatalf("texel %v", v)
				}
			}
		}
	})
}

// TestStudioIBLAsset: the prefiltered studio environment Kiln ships (assets/studio.ibl) is
// what this code makes of assets/studio.hdr, to RGBE's precision; -update remakes it.
func TestStudioIBLAsset(t *testing.T) {
	fresh, err := readHDR(bytes.NewReader(assets.StudioHDR), int64(len(assets.StudioHDR)))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("..", "..", "assets", "studio.ibl")
	if *updatePictures {
		tmp := path + ".tmp"
		if err := os.WriteFile(tmp, encodeIBL(fresh), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, path); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s rewritten", path)
		return
	}
	shipped, err := decodeIBL(assets.StudioIBL)
	if err != nil {
		t.Fatalf("assets/studio.ibl: %v (remake it: go test ./preview/g3n -run TestStudioIBLAsset -update)", err)
	}
	if shipped.sh != fresh.sh || shipped.mean != fresh.mean {
		t.Errorf("assets/studio.ibl's irradiance is not studio.hdr's: remake it with -update")
	}
	for k, l := range fresh.levels {
		s := shipped.levels[k]
		if s.w != l.w || s.h != l.h {
			t.Fatalf("level %d is %d×%d in the asset, %d×%d made now", k, s.w, s.h, l.w, l.h)
		}
		for i := 0; i < len(l.pix); i += 3 {
			peak := max(l.pix[i], l.pix[i+1], l.pix[i+2])
			for c := range 3 {
				if d := math.Abs(float64(s.pix[i+c] - l.pix[i+c])); d > float64(peak)/100+1e-6 {
					t.Fatalf("level %d texel %d: %v in the asset, %v made now: remake it with -update", k, i/3, s.pix[i:i+3], l.pix[i:i+3])
				}
			}
		}
	}
	// Hostile forms of it are refused, not trusted.
	for _, bad := range [][]byte{nil, []byte(iblMagic), assets.StudioIBL[:len(assets.StudioIBL)-1], append(append([]byte{}, assets.StudioIBL...), 0)} {
		if _, err := decodeIBL(bad); err == nil {
			t.Errorf("a damaged prefiltered environment of %d bytes was read", len(bad))
		}
	}
}
