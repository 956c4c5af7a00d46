package g3n

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/kiln3d/kiln/assets"
	"github.com/kiln3d/kiln/providers/fsguard"
)

// Image-based lighting. An environment is an equirectangular Radiance .hdr (+Y up; the
// image's centre column looks toward −Z, its left and right edges toward +Z). It is turned,
// once per file and process, into what the fragment shader needs to light with it cheaply:
//
//   - diffuse: the irradiance as 9 spherical-harmonic coefficients (uniforms), already
//     convolved with the cosine lobe and divided by π, so albedo × SH(n) is the diffuse light;
//   - specular: the environment prefiltered for envLevels roughnesses, 0 to 1, each one mip
//     level of a single equirectangular texture (level k blurred by a GGX lobe of roughness
//     k/(envLevels−1)), read with textureLod at roughness × (envLevels−1);
//   - the split-sum's environment BRDF comes from Karis's analytic fit in the shader, not a
//     lookup texture: one texture fewer to make and sample.
//
// All of it is made on the CPU, where it costs a few tens of milliseconds once, rather than
// with render-to-texture passes, which would each cost llvmpipe a shader compile.

const (
	// envWidth is the widest working map: level 0 (the mirror level) is envWidth×envWidth/2.
	envWidth = 256
	// envLevels is the number of roughness levels, mip levels 0…envLevels−1.
	envLevels = 6
	// maxHDRBytes and maxHDRSide refuse environment files no studio HDRI needs.
	maxHDRBytes = 256 << 20
	maxHDRSide  = 32768
	// maxRadiance caps a texel: the half floats the texture holds end at 65504, and a sun
	// that bright would swamp every sum with rounding.
	maxRadiance = 60000
)

// envLevel is one roughness level: w×h RGB radiance, top row first.
type envLevel struct {
	w, h int
	pix  []float32
}

// environment is a prefiltered environment, ready to upload.
type environment struct {
	sh     [9][3]float32
	levels []envLevel
	// mean is the average radiance, which the tests use to check exposure.
	mean float32
}

// builtinEnvironment is Kiln's own studio environment. Its prefiltered form ships beside it
// (assets.StudioIBL, made from studio.hdr by this file's code: TestStudioIBLAsset checks it
// and -update remakes it), so that no process spends the prefilter's tens of milliseconds on
// it; the .hdr is prefiltered here only if that form cannot be read. It is made on first use,
// and early, in the background, when a renderer starts (see warmEnvironment).
var builtinEnvironment = sync.OnceValues(func() (*environment, error) {
	if env, err := decodeIBL(assets.StudioIBL); err == nil {
		return env, nil
	}
	env, err := readHDR(bytes.NewReader(assets.StudioHDR), int64(len(assets.StudioHDR)))
	if err != nil {
		return nil, fmt.Errorf("the studio environment Kiln ships: %w", err)
	}
	return env, nil
})

// iblMagic starts a prefiltered environment: then the SH coefficients as 27 little-endian
// float32, the mean, and each level's width and height (uint16) and texels as RGBE.
const iblMagic = "KILNIBL1"

// encodeIBL writes env in the shipped prefiltered form.
func encodeIBL(env *environment) []byte {
	var b bytes.Buffer
	b.WriteString(iblMagic)
	put := func(v any) { _ = binary.Write(&b, binary.LittleEndian, v) }
	put(env.sh)
	put(env.mean)
	put(uint16(len(env.levels)))
	for _, l := range env.levels {
		put([2]uint16{uint16(l.w), uint16(l.h)})
		for i := 0; i < len(l.pix); i += 3 {
			b.Write(rgbe(l.pix[i], l.pix[i+1], l.pix[i+2]))
		}
	}
	return b.Bytes()
}

// decodeIBL reads encodeIBL's form, checking every count against the data.
func decodeIBL(data []byte) (*environment, error) {
	r := bytes.NewReader(data)
	magic := make([]byte, len(iblMagic))
	if _, err := io.ReadFull(r, magic); err != nil || string(magic) != iblMagic {
		return nil, errors.New("not a prefiltered environment")
	}
	env := &environment{}
	var n uint16
	if err := binary.Read(r, binary.LittleEndian, &env.sh); err != nil {
		return nil, err
	}
	if err := binary.Read(r, binary.LittleEndian, &env.mean); err != nil {
		return nil, err
	}
	if err := binary.Read(r, binary.LittleEndian, &n); err != nil || n != envLevels {
		return nil, errors.New("a prefiltered environment with the wrong number of levels")
	}
	for k := range int(n) {
		var size [2]uint16
		if err := binary.Read(r, binary.LittleEndian, &size); err != nil {
			return nil, err
		}
		w, h := int(size[0]), int(size[1])
		if w < 1 || h < 1 || w > envWidth || h > envWidth || r.Len() < 4*w*h ||
			(k > 0 && (w != max(1, env.levels[0].w>>k) || h != max(1, env.levels[0].h>>k))) {
			return nil, errors.New("a prefiltered environment's level does not fit")
		}
		l := envLevel{w: w, h: h, pix: make([]float32, 3*w*h)}
		p := make([]byte, 4)
		for i := range w * h {
			_, _ = io.ReadFull(r, p)
			if p[3] == 0 {
				continue
			}
			f := float32(math.Ldexp(1, int(p[3])-136))
			l.pix[3*i], l.pix[3*i+1], l.pix[3*i+2] = float32(p[0])*f, float32(p[1])*f, float32(p[2])*f
		}
		env.levels = append(env.levels, l)
	}
	if r.Len() != 0 {
		return nil, errors.New("a prefiltered environment with bytes left over")
	}
	return env, nil
}

// rgbe packs a colour as Ward's shared-exponent bytes.
func rgbe(r, g, b float32) []byte {
	v := float64(max(r, g, b))
	if v < 1e-32 {
		return []byte{0, 0, 0, 0}
	}
	m, e := math.Frexp(v)
	s := m * 256 / v
	return []byte{byte(float64(r) * s), byte(float64(g) * s), byte(float64(b) * s), byte(e + 128)}
}

// warmEnvironment reads the built-in environment (shipped prefiltered) in the background, so
// that a first frame lit by it (the default) finds it ready.
func warmEnvironment() { go func() { _, _ = builtinEnvironment() }() }

// envCache holds the artists' environments, keyed by path, size and modification time: a
// file saved again is read again. A few are kept; each is about 0.5 MB.
var envCache struct {
	sync.Mutex
	entries []envEntry
}

type envEntry struct {
	key string
	env *environment
}

const envCacheSize = 4

// loadEnvironment returns the environment for path, "" for Kiln's own.
func loadEnvironment(path string) (*environment, error) {
	if path == "" {
		return builtinEnvironment()
	}
	f, st, err := fsguard.OpenRegular(path)
	if err != nil {
		return nil, fmt.Errorf("environment %s: %w", filepath.Base(path), err)
	}
	defer f.Close()
	key := fmt.Sprintf("%s\x00%d\x00%d", path, st.Size(), st.ModTime().UnixNano())
	envCache.Lock()
	for _, e := range envCache.entries {
		if e.key == key {
			envCache.Unlock()
			return e.env, nil
		}
	}
	envCache.Unlock()
	env, err := readHDR(f, st.Size())
	if err != nil {
		return nil, fmt.Errorf("environment %s: %w", filepath.Base(path), err)
	}
	envCache.Lock()
	defer envCache.Unlock()
	envCache.entries = append(envCache.entries, envEntry{key, env})
	if len(envCache.entries) > envCacheSize {
		envCache.entries = envCache.entries[1:]
	}
	return env, nil
}

// errEarlyEnd says a file stops before its pixels do.
var errEarlyEnd = errors.New("the file ends early")

// errNotHDR says a file is not a Radiance picture at all.
var errNotHDR = errors.New("not a Radiance .hdr picture (no #?RADIANCE or #?RGBE line)")

// readHDR decodes a Radiance RGBE picture of size bytes and prefilters it. It reads the
// pixels a scanline at a time into the working map's bins, so an 8K file costs one row of
// memory, not a gigabyte of floats. Every count in the file is checked before it is trusted.
func readHDR(r io.Reader, size int64) (*environment, error) {
	if size > maxHDRBytes {
		return nil, fmt.Errorf("%s is larger than the %s an environment may be", fsguard.Size(size), fsguard.Size(maxHDRBytes))
	}
	br := bufio.NewReaderSize(io.LimitReader(r, maxHDRBytes), 1<<16)
	w, h, err := readHDRHeader(br)
	if err != nil {
		return nil, err
	}
	// The working map: a power of two no wider than the picture (every bin gets a pixel).
	ww := envWidth
	for ww > 16 && (ww > w || ww/2 > h) {
		ww /= 2
	}
	if ww > w || ww/2 > h {
		return nil, fmt.Errorf("the picture is %d×%d: too small for an environment (16×8 at least)", w, h)
	}
	wh := ww / 2
	sum := make([]float64, 3*ww*wh)
	row := make([]byte, 4*w)
	for y := range h {
		if err := readScanline(br, row, w); err != nil {
			return nil, fmt.Errorf("row %d of %d: %w", y+1, h, err)
		}
		by := y * wh / h
		for x := range w {
			p := row[4*x : 4*x+4]
			if p[3] == 0 {
				continue
			}
			f := math.Ldexp(1, int(p[3])-136)
			b := 3 * (by*ww + x*ww/w)
			for c := range 3 {
				sum[b+c] += math.Min(float64(p[c])*f, maxRadiance)
			}
		}
	}
	base := envLevel{w: ww, h: wh, pix: make([]float32, 3*ww*wh)}
	for by := range wh {
		for bx := range ww {
			n := float64(countPixels(bx, ww, w) * countPixels(by, wh, h))
			for c := range 3 {
				i := 3*(by*ww+bx) + c
				base.pix[i] = float32(sum[i] / n)
			}
		}
	}
	return prefilter(base), nil
}

// countPixels counts the source pixels s (of n) with s·bins/n = b.
func countPixels(b, bins, n int) int {
	// s·bins/n = b  ⇔  b·n ≤ s·bins < (b+1)·n  ⇔  ceil(b·n/bins) ≤ s < ceil((b+1)·n/bins)
	first := (b*n + bins - 1) / bins
	end := ((b+1)*n + bins - 1) / bins
	return max(1, end-first)
}

// readHDRHeader reads the header through the resolution line and returns the size.
func readHDRHeader(br *bufio.Reader) (w, h int, err error) {
	line, err := headerLine(br)
	if err != nil || !strings.HasPrefix(line, "#?RADIANCE") && !strings.HasPrefix(line, "#?RGBE") {
		return 0, 0, errNotHDR
	}
	for lines := 0; ; lines++ {
		if lines > 1000 {
			return 0, 0, errors.New("the header does not end")
		}
		line, err = headerLine(br)
		if err != nil {
			return 0, 0, err
		}
		if line == "" {
			break
		}
		if f, ok := strings.CutPrefix(line, "FORMAT="); ok && strings.TrimSpace(f) != "32-bit_rle_rgbe" {
			return 0, 0, fmt.Errorf("pixel format %q: only 32-bit_rle_rgbe is read (not XYZE)", strings.TrimSpace(f))
		}
	}
	line, err = headerLine(br)
	if err != nil {
		return 0, 0, err
	}
	f := strings.Fields(line)
	if len(f) != 4 {
		return 0, 0, fmt.Errorf("resolution line %q is not like \"-Y 512 +X 1024\"", line)
	}
	if f[0] != "-Y" || f[2] != "+X" {
		return 0, 0, fmt.Errorf("orientation %s %s: only the usual -Y … +X (top row first) is read", f[0], f[2])
	}
	h, err1 := strconv.Atoi(f[1])
	w, err2 := strconv.Atoi(f[3])
	if err1 != nil || err2 != nil || w < 1 || h < 1 || w > maxHDRSide || h > maxHDRSide {
		return 0, 0, fmt.Errorf("resolution line %q: want sides of 1 to %d pixels", line, maxHDRSide)
	}
	return w, h, nil
}

// headerLine reads one header line of at most 4 KB.
func headerLine(br *bufio.Reader) (string, error) {
	var b []byte
	for {
		c, err := br.ReadByte()
		if err != nil {
			return "", errors.New("the header ends early")
		}
		if c == '\n' {
			return strings.TrimRight(string(b), "\r"), nil
		}
		if len(b) >= 4096 {
			return "", errors.New("a header line is over 4 KB")
		}
		b = append(b, c)
	}
}

// readScanline reads one row of w RGBE pixels into row: run-length encoded (the usual
// "new" encoding, four channels each in runs and literals) or flat.
func readScanline(br *bufio.Reader, row []byte, w int) error {
	head, err := br.Peek(4)
	if err != nil {
		return errEarlyEnd
	}
	if w < 8 || w > 0x7fff || head[0] != 2 || head[1] != 2 || head[2]&0x80 != 0 {
		if head[0] == 1 && head[1] == 1 && head[2] == 1 {
			return errors.New("old-style run-length encoding is not read (save the file again with a current tool)")
		}
		if _, err := io.ReadFull(br, row); err != nil {
			return errEarlyEnd
		}
		return nil
	}
	_, _ = br.Discard(4)
	if n := int(head[2])<<8 | int(head[3]); n != w {
		return fmt.Errorf("scanline says %d pixels, the picture is %d wide", n, w)
	}
	for c := range 4 {
		for x := 0; x < w; {
			n, err := br.ReadByte()
			if err != nil {
				return errEarlyEnd
			}
			if n > 128 { // a run of one value
				run := int(n) - 128
				if x+run > w {
					return errors.New("a run goes past the end of the row")
				}
				v, err := br.ReadByte()
				if err != nil {
					return errEarlyEnd
				}
				for ; run > 0; run-- {
					row[4*x+c] = v
					x++
				}
				continue
			}
			if n == 0 || x+int(n) > w {
				return errors.New("a literal run is empty or goes past the end of the row")
			}
			for range int(n) {
				v, err := br.ReadByte()
				if err != nil {
					return errEarlyEnd
				}
				row[4*x+c] = v
				x++
			}
		}
	}
	return nil
}

// envDir is the world direction of texel centre (x, y) of a w×h equirectangular map.
func envDir(x, y float64, w, h int) [3]float64 {
	phi := ((x+0.5)/float64(w) - 0.5) * 2 * math.Pi
	theta := (y + 0.5) / float64(h) * math.Pi
	st, ct := math.Sincos(theta)
	sp, cp := math.Sincos(phi)
	return [3]float64{st * sp, ct, -st * cp}
}

// prefilter makes the SH coefficients and the roughness levels of a working map.
func prefilter(base envLevel) *environment {
	env := &environment{levels: []envLevel{base}}
	env.sh, env.mean = irradianceSH(base)
	// Each level k is convolved from a box-filtered copy of the map whose texels are a third
	// of the lobe's reach or less: a rough level sums a few hundred texels, not the map.
	var wg sync.WaitGroup
	for k := 1; k < envLevels; k++ {
		w, h := max(1, base.w>>k), max(1, base.h>>k)
		rough := float64(k) / float64(envLevels-1)
		reach := ggxReach(rough)
		src := base
		for src.w >= 32 && 2*math.Pi/float64(src.w/2) <= reach/3 {
			src = halveEnv(src)
		}
		out := envLevel{w: w, h: h, pix: make([]float32, 3*w*h)}
		env.levels = append(env.levels, out)
		wg.Add(1)
		go func() {
			defer wg.Done()
			convolveGGX(src, out, rough, reach)
		}()
	}
	wg.Wait()
	return env
}

// halveEnv box-filters a map to half its size each way.
func halveEnv(l envLevel) envLevel {
	w, h := max(1, l.w/2), max(1, l.h/2)
	out := envLevel{w: w, h: h, pix: make([]float32, 3*w*h)}
	for y := range h {
		for x := range w {
			for c := range 3 {
				s := l.pix[3*((2*y)*l.w+2*x)+c] + l.pix[3*((2*y)*l.w+2*x+1)+c] +
					l.pix[3*((2*y+1)*l.w+2*x)+c] + l.pix[3*((2*y+1)*l.w+2*x+1)+c]
				out.pix[3*(y*w+x)+c] = s / 4
			}
		}
	}
	return out
}

// ggxD is the GGX distribution, unnormalised, for the cosine between a normal and a light
// direction when the view is along the normal (so the half vector halves their angle).
func ggxD(a2, nl float64) float64 {
	nh2 := (1 + nl) / 2 // cos² of the half angle
	d := nh2*(a2-1) + 1
	return a2 / (d * d)
}

// ggxReach is the widest angle from the normal where the lobe of the roughness still counts:
// a twentieth of its peak (the tail beyond, GGX's long one, would cost most of the sum and
// change little of a preview's reflection).
func ggxReach(rough float64) float64 {
	a2 := math.Pow(rough, 4)
	peak := ggxD(a2, 1)
	for t := 0.0; t < math.Pi/2; t += 0.005 {
		if ggxD(a2, math.Cos(t)) < peak/20 {
			return t
		}
	}
	return math.Pi / 2
}

// convolveGGX fills out with src seen through a GGX lobe of the roughness (α = roughness²),
// with the split-sum's assumption that the view is along the normal: each texel l weighs
// D(n·h)·(n·l)·dω. Only the source texels within reach of each output's lobe are visited.
func convolveGGX(src, out envLevel, rough, reach float64) {
	a2 := math.Pow(rough, 4)
	cosReach := math.Cos(reach)
	dirs := make([][3]float64, src.w*src.h)
	area := make([]float64, src.h)
	for y := range src.h {
		// A texel's solid angle: (2π/w)·(π/h)·sin θ.
		area[y] = 2 * math.Pi * math.Pi / float64(src.w*src.h) * math.Sin((float64(y)+0.5)/float64(src.h)*math.Pi)
		for x := range src.w {
			dirs[y*src.w+x] = envDir(float64(x), float64(y), src.w, src.h)
		}
	}
	rowsPerRad := float64(src.h) / math.Pi
	workers := min(runtime.GOMAXPROCS(0), out.h)
	var wg sync.WaitGroup
	for wk := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for y := wk; y < out.h; y += workers {
				theta := (float64(y) + 0.5) / float64(out.h) * math.Pi
				y0 := max(0, int((theta-reach)*rowsPerRad)-1)
				y1 := min(src.h, int((theta+reach)*rowsPerRad)+2)
				// The lobe's cone spans at most asin(sin reach / sin θ) of azimuth on a row
				// at polar angle θ; rows near a pole need the whole circle.
				half := src.w // columns each side of the centre; src.w means all
				if lo, hi := theta-reach, theta+reach; lo > 0 && hi < math.Pi {
					if sinMin := math.Min(math.Sin(lo), math.Sin(hi)); math.Sin(reach) < sinMin {
						half = int(math.Asin(math.Sin(reach)/sinMin)/(2*math.Pi)*float64(src.w)) + 2
					}
				}
				cols := src.w
				if 2*half+1 < src.w {
					cols = 2*half + 1
				} else {
					half = 0
				}
				for x := range out.w {
					n := envDir(float64(x), float64(y), out.w, out.h)
					// The source column under the output texel's centre.
					centre := int((float64(x) + 0.5) / float64(out.w) * float64(src.w))
					var r, g, b, wsum float64
					for sy := y0; sy < y1; sy++ {
						for c := range cols {
							sx := c
							if cols < src.w {
								sx = centre - half + c
								if sx < 0 {
									sx += src.w
								} else if sx >= src.w {
									sx -= src.w
								}
							}
							d := dirs[sy*src.w+sx]
							nl := n[0]*d[0] + n[1]*d[1] + n[2]*d[2]
							if nl < cosReach || nl <= 0 {
								continue
							}
							wt := ggxD(a2, nl) * nl * area[sy]
							p := src.pix[3*(sy*src.w+sx):]
							r += wt * float64(p[0])
							g += wt * float64(p[1])
							b += wt * float64(p[2])
							wsum += wt
						}
					}
					if wsum > 0 {
						o := out.pix[3*(y*out.w+x):]
						o[0], o[1], o[2] = float32(r/wsum), float32(g/wsum), float32(b/wsum)
					}
				}
			}
		}()
	}
	wg.Wait()
}

// irradianceSH projects the map on the first nine real spherical harmonics and convolves
// them with the clamped cosine (Ramamoorthi and Hanrahan), divided by π: evaluated at a
// normal, the result is the light a white Lambertian surface sends back. It also returns the
// map's mean radiance.
func irradianceSH(l envLevel) (sh [9][3]float32, mean float32) {
	var acc [9][3]float64
	var total, meanSum float64
	for y := range l.h {
		dw := 2 * math.Pi * math.Pi / float64(l.w*l.h) * math.Sin((float64(y)+0.5)/float64(l.h)*math.Pi)
		for x := range l.w {
			d := envDir(float64(x), float64(y), l.w, l.h)
			basis := shBasis(d)
			p := l.pix[3*(y*l.w+x):]
			for k := range 9 {
				for c := range 3 {
					acc[k][c] += float64(p[c]) * basis[k] * dw
				}
			}
			total += dw
			meanSum += float64(p[0]+p[1]+p[2]) / 3 * dw
		}
	}
	// Cosine-lobe convolution per band (π, 2π/3, π/4), then /π for Lambert.
	band := [9]float64{1, 2.0 / 3, 2.0 / 3, 2.0 / 3, 0.25, 0.25, 0.25, 0.25, 0.25}
	for k := range 9 {
		for c := range 3 {
			sh[k][c] = float32(acc[k][c] * band[k])
		}
	}
	return sh, float32(meanSum / total)
}

// shBasis is the nine real SH basis functions at d, in the order the shader sums them.
func shBasis(d [3]float64) [9]float64 {
	x, y, z := d[0], d[1], d[2]
	return [9]float64{
		0.282095,
		0.488603 * y, 0.488603 * z, 0.488603 * x,
		1.092548 * x * y, 1.092548 * y * z, 0.315392 * (3*z*z - 1), 1.092548 * x * z, 0.546274 * (x*x - y*y),
	}
}

// evalSH is the shader's sum, for the tests.
func (e *environment) evalSH(d [3]float64) [3]float64 {
	basis := shBasis(d)
	var out [3]float64
	for k := range 9 {
		for c := range 3 {
			out[c] += float64(e.sh[k][c]) * basis[k]
		}
	}
	return out
}
