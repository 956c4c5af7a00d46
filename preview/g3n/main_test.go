package g3n

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/kiln3d/kiln/preview"
	"github.com/kiln3d/kiln/providers/modeltest"
)

// The test binary doubles as two small commands, so that benchmarks can time and measure a
// whole process the way a user runs one (start-up included, nothing shared with the test):
//
//	KILN_G3N_CHILD=render MODEL OUT    one RenderFile, as `kiln render` will do
//	KILN_G3N_CHILD=orbit MODEL FRAMES  load, then orbit for FRAMES frames; prints peak memory
func TestMain(m *testing.M) {
	switch os.Getenv("KILN_G3N_CHILD") {
	case "":
		os.Exit(m.Run())
	case "render":
		if err := RenderFile(context.Background(), os.Args[1], os.Args[2], RenderOptions{Size: 512}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	case "orbit":
		os.Exit(childOrbit(os.Args[1], os.Args[2]))
	}
	fmt.Fprintln(os.Stderr, "unknown KILN_G3N_CHILD")
	os.Exit(2)
}

// childOrbit loads a model and draws frames around it, then prints the process's peak
// resident memory in KiB.
func childOrbit(model, frames string) int {
	var n int
	if _, err := fmt.Sscan(frames, &n); err != nil {
		return 2
	}
	r, err := NewHeadless(Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer r.Close()
	ctx := context.Background()
	if _, err := r.Load(ctx, model); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	v := preview.DefaultView()
	for i := range n {
		if _, err := r.Render(ctx, 512, 512, v.Orbit(0.05*float64(i), 0)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	peak, err := modeltest.ReadStatusKiB("VmHWM")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println(peak)
	return 0
}
