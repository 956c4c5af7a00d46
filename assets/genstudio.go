//go:build ignore

// genstudio writes studio.hdr, the environment the preview lights models with by default: a
// photographer's studio of soft boxes over a neutral grey floor, under a soft grey sky, as an
// equirectangular Radiance picture (+Y up; the centre column looks toward −Z). Kiln's
// developers made it with this program; it carries no third-party licence.
//
//	go run assets/genstudio.go assets/studio.hdr
package main

import (
	"bufio"
	"fmt"
	"math"
	"os"
)

const w, h = 256, 128

// softbox is a glowing rectangle seen from the model: its centre direction, its half-sizes
// in radians across and up, and its radiance.
type softbox struct {
	dir          [3]float64
	halfU, halfV float64
	rgb          [3]float64
}

var boxes = []softbox{
	{norm(-0.6, 0.55, 0.6), 0.32, 0.24, [3]float64{16, 15.4, 14.4}},  // key: front left, above
	{norm(0.9, 0.2, 0.35), 0.28, 0.38, [3]float64{2.6, 2.8, 3.1}},    // fill: right, a little cool
	{norm(0.25, 0.45, -0.85), 0.16, 0.42, [3]float64{6.5, 6.5, 6.5}}, // rim: behind, a strip
	{norm(-0.8, 0.3, -0.5), 0.22, 0.26, [3]float64{3, 3, 3}},         // back left, for views from behind
	{norm(0, 1, 0), 0.5, 0.12, [3]float64{4, 4, 4}},                  // overhead strip
}

func norm(x, y, z float64) [3]float64 {
	l := math.Sqrt(x*x + y*y + z*z)
	return [3]float64{x / l, y / l, z / l}
}

func dot(a, b [3]float64) float64 { return a[0]*b[0] + a[1]*b[1] + a[2]*b[2] }

func cross(a, b [3]float64) [3]float64 {
	return [3]float64{a[1]*b[2] - a[2]*b[1], a[2]*b[0] - a[0]*b[2], a[0]*b[1] - a[1]*b[0]}
}

// radiance is the studio seen in direction d.
func radiance(d [3]float64) [3]float64 {
	el := math.Asin(math.Max(-1, math.Min(1, d[1])))
	// Sky: a soft neutral grey brightening upward; floor: darker warm grey, with a soft
	// horizon between them.
	sky := 0.16 + 0.14*math.Max(0, math.Sin(el))
	floor := 0.08 - 0.03*math.Max(0, -math.Sin(el))
	t := 1 / (1 + math.Exp(-el*18))
	c := [3]float64{
		floor*1.05*(1-t) + sky*0.97*t,
		floor*1.0*(1-t) + sky*1.0*t,
		floor*0.94*(1-t) + sky*1.05*t,
	}
	for _, b := range boxes {
		if dot(d, b.dir) <= 0 {
			continue
		}
		// The box's own axes: across (horizontal) and up.
		up := [3]float64{0, 1, 0}
		if math.Abs(b.dir[1]) > 0.95 {
			up = [3]float64{0, 0, -1}
		}
		across := norm(cross(up, b.dir)[0], cross(up, b.dir)[1], cross(up, b.dir)[2])
		upv := cross(b.dir, across)
		u := math.Atan2(dot(d, across), dot(d, b.dir))
		v := math.Atan2(dot(d, upv), dot(d, b.dir))
		// A soft edge a few degrees wide, like a diffuser's.
		m := edge(math.Abs(u), b.halfU) * edge(math.Abs(v), b.halfV)
		for k := range 3 {
			c[k] += m * b.rgb[k]
		}
	}
	return c
}

func edge(x, half float64) float64 {
	const soft = 0.05
	return 1 / (1 + math.Exp((x-half)/soft*4))
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go run assets/genstudio.go OUT.hdr")
		os.Exit(2)
	}
	tmp := os.Args[1] + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bw := bufio.NewWriter(f)
	fmt.Fprintf(bw, "#?RADIANCE\n# Kiln studio environment (assets/genstudio.go)\nFORMAT=32-bit_rle_rgbe\n\n-Y %d +X %d\n", h, w)
	row := make([]byte, 4*w)
	for y := range h {
		for x := range w {
			// 4×4 samples a texel, so that the soft boxes' edges are not stair-stepped.
			var acc [3]float64
			for sy := range 4 {
				for sx := range 4 {
					phi := ((float64(x)+(float64(sx)+0.5)/4)/w - 0.5) * 2 * math.Pi
					theta := (float64(y) + (float64(sy)+0.5)/4) / h * math.Pi
					d := [3]float64{math.Sin(theta) * math.Sin(phi), math.Cos(theta), -math.Sin(theta) * math.Cos(phi)}
					c := radiance(d)
					for k := range 3 {
						acc[k] += c[k] / 16
					}
				}
			}
			copy(row[4*x:], rgbe(acc))
		}
		writeRLE(bw, row)
	}
	if err := bw.Flush(); err == nil {
		err = f.Close()
	}
	if err == nil {
		err = os.Rename(tmp, os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// rgbe packs a colour as Ward's shared-exponent bytes.
func rgbe(c [3]float64) []byte {
	v := math.Max(c[0], math.Max(c[1], c[2]))
	if v < 1e-32 {
		return []byte{0, 0, 0, 0}
	}
	m, e := math.Frexp(v)
	s := m * 256 / v
	return []byte{byte(c[0] * s), byte(c[1] * s), byte(c[2] * s), byte(e + 128)}
}

// writeRLE writes one scanline in the "new" run-length encoding: a 2,2,w marker, then each
// channel in runs (count+128, value) and literals (count, values).
func writeRLE(bw *bufio.Writer, row []byte) {
	bw.Write([]byte{2, 2, byte(w >> 8), byte(w & 255)})
	ch := make([]byte, w)
	for c := range 4 {
		for x := range w {
			ch[x] = row[4*x+c]
		}
		for x := 0; x < w; {
			run := 1
			for x+run < w && run < 127 && ch[x+run] == ch[x] {
				run++
			}
			if run >= 3 {
				bw.Write([]byte{byte(128 + run), ch[x]})
				x += run
				continue
			}
			start := x
			for x < w && x-start < 128 {
				if x+2 < w && ch[x] == ch[x+1] && ch[x] == ch[x+2] {
					break
				}
				x++
			}
			bw.WriteByte(byte(x - start))
			bw.Write(ch[start:x])
		}
	}
}
