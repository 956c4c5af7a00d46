// Package providertest holds what every provider's tests share: a scriptable fake provider for
// the core's and the views' tests, and the conformance suite every real provider runs.
package providertest

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/qmuntal/gltf"
	"github.com/qmuntal/gltf/modeler"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/imageio"
)

// Fake is a provider whose behaviour a test scripts. It accepts 1 to 4 images, checks them like a
// real provider, and "generates" a small valid .glb (a tetrahedron) in Steps progress steps.
type Fake struct {
	// Caps are returned by Capabilities; NewFake fills them in.
	Caps providers.Capabilities
	// Steps is the number of progress reports Collect makes before it writes the model.
	Steps int
	// Gate, when set, makes Collect wait for a value (or its closing) before each step.
	Gate chan struct{}
	// SubmitErr and CollectErr, when set, are returned by Submit and Collect.
	SubmitErr, CollectErr error
	// CollectFailures, when positive, limits CollectErr to the first so many Collect calls.
	CollectFailures int
	// AcceptThenFail makes Submit accept the work (it shows in FindSubmitted's list) and then
	// return this error, as a server that fails after reading a request does.
	AcceptThenFail error
	// ListErr is returned by FindSubmitted.
	ListErr error
	// Garbage makes Collect write a file that is not a glTF model.
	Garbage bool
	// Model writes the model Collect returns; nil writes a tetrahedron.
	Model func(path string) error
	// Note, when set, is sent with every progress report (providers.Progress.Note), as a provider
	// that repeats what it decided would.
	Note string

	submits, collects atomic.Int32
	mu                sync.Mutex
	remotes           []providers.Remote
	requests          []providers.Request
}

// NewFake returns a fake provider called name.
func NewFake(name string) *Fake {
	return &Fake{
		Caps: providers.Capabilities{Name: name, Title: "Fake " + name, MinImages: 1, MaxImages: 4,
			Polycount: providers.Range{Min: 4, Max: 100000, Default: 1000}},
		Steps: 3,
	}
}

// Capabilities implements providers.Provider.
func (f *Fake) Capabilities() providers.Capabilities { return f.Caps }

// Projects implements providers.Provider.
func (f *Fake) Projects(context.Context) ([]providers.Project, error) { return nil, nil }

// Submit implements providers.Provider.
func (f *Fake) Submit(ctx context.Context, req providers.Request) (providers.Remote, error) {
	if err := providers.CheckRequest(f.Caps, req); err != nil {
		return providers.Remote{}, err
	}
	for _, img := range req.Images {
		if _, err := imageio.Check(img.Path); err != nil {
			return providers.Remote{}, err
		}
	}
	if err := ctx.Err(); err != nil {
		return providers.Remote{}, err
	}
	n := f.submits.Add(1)
	if f.SubmitErr != nil {
		return providers.Remote{}, f.SubmitErr
	}
	r := providers.Remote{ID: fmt.Sprintf("fake-%d", n)}
	f.mu.Lock()
	f.remotes = append(f.remotes, r)
	f.requests = append(f.requests, req)
	f.mu.Unlock()
	if f.AcceptThenFail != nil {
		return providers.Remote{}, f.AcceptThenFail
	}
	return r, nil
}

// FindSubmitted implements providers.Reconciler: the newest accepted work with the same images.
func (f *Fake) FindSubmitted(ctx context.Context, req providers.Request, _, _ time.Time, taken []string) (providers.Remote, bool, error) {
	if f.ListErr != nil {
		return providers.Remote{}, false, f.ListErr
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := len(f.requests) - 1; i >= 0; i-- {
		if len(f.requests[i].Images) == len(req.Images) && f.requests[i].Polycount == req.Polycount &&
			!slices.Contains(taken, f.remotes[i].ID) {
			return f.remotes[i], true, nil
		}
	}
	return providers.Remote{}, false, ctx.Err()
}

// Requests returns the requests Submit accepted, in order.
func (f *Fake) Requests() []providers.Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]providers.Request(nil), f.requests...)
}

// Collect implements providers.Provider.
func (f *Fake) Collect(ctx context.Context, req providers.Request, r providers.Remote, dir string,
	report func(providers.Progress)) ([]providers.File, error) {
	f.collects.Add(1)
	if r.ID == "" {
		return nil, fmt.Errorf("fake: collect without a remote id")
	}
	for i := range f.Steps {
		if f.Gate != nil {
			select {
			case <-f.Gate:
			case <-ctx.Done():
				return nil, fmt.Errorf("fake: %w", ctx.Err())
			}
		}
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("fake: %w", err)
		}
		phase := providers.PhaseRunning
		if i == f.Steps-1 {
			phase = providers.PhaseDownloading
		}
		report(providers.Progress{Phase: phase, Fraction: float64(i+1) / float64(f.Steps), Message: fmt.Sprintf("step %d", i+1), Note: f.Note})
	}
	if f.CollectErr != nil && (f.CollectFailures <= 0 || int(f.collects.Load()) <= f.CollectFailures) {
		return nil, f.CollectErr
	}
	path := filepath.Join(dir, "model.glb")
	if f.Garbage {
		return []providers.File{{Path: "model.glb", Format: "glb"}}, os.WriteFile(path, []byte("not a model"), 0o644)
	}
	write := f.Model
	if write == nil {
		write = WriteTetrahedron
	}
	if err := write(path); err != nil {
		return nil, err
	}
	return []providers.File{{Path: "model.glb", Format: "glb"}}, nil
}

// Submits counts Submit calls that got past validation.
func (f *Fake) Submits() int { return int(f.submits.Load()) }

// Collects counts Collect calls.
func (f *Fake) Collects() int { return int(f.collects.Load()) }

// Tetrahedron is a valid four-triangle model, 1 m on each axis, without normals: tests write it
// as it is or break it on purpose.
func Tetrahedron() *gltf.Document {
	doc := gltf.NewDocument()
	pos := [][3]float32{{0, 0, 0}, {1, 0, 0}, {0, 1, 0}, {0, 0, 1}}
	idx := []uint16{0, 2, 1, 0, 1, 3, 0, 3, 2, 1, 2, 3}
	p := &gltf.Primitive{
		Attributes: map[string]int{gltf.POSITION: modeler.WritePosition(doc, pos)},
		Indices:    gltf.Index(modeler.WriteIndices(doc, idx)),
	}
	doc.Meshes = []*gltf.Mesh{{Name: "tetrahedron", Primitives: []*gltf.Primitive{p}}}
	doc.Nodes = []*gltf.Node{{Name: "tetrahedron", Mesh: gltf.Index(0)}}
	doc.Scenes[0].Nodes = []int{0}
	return doc
}

// WriteTetrahedron writes Tetrahedron as a .glb to path.
func WriteTetrahedron(path string) error { return gltf.SaveBinary(Tetrahedron(), path) }

// WriteSphere writes a closed UV sphere of radius 1 with about 2·rings·segments triangles, with
// normals and texture coordinates (a seam along one meridian), as a .glb.
func WriteSphere(path string, rings, segments int) error {
	doc := gltf.NewDocument()
	var pos, nor [][3]float32
	var uv [][2]float32
	for r := 0; r <= rings; r++ {
		phi := math.Pi * float64(r) / float64(rings)
		for s := 0; s <= segments; s++ {
			theta := 2 * math.Pi * float64(s) / float64(segments)
			p := [3]float32{float32(math.Sin(phi) * math.Cos(theta)), float32(math.Cos(phi)), float32(math.Sin(phi) * math.Sin(theta))}
			pos, nor = append(pos, p), append(nor, p)
			uv = append(uv, [2]float32{float32(s) / float32(segments), float32(r) / float32(rings)})
		}
	}
	var idx []uint32
	row := uint32(segments + 1)
	for r := range uint32(rings) {
		for s := range uint32(segments) {
			a, b := r*row+s, (r+1)*row+s
			if r > 0 {
				idx = append(idx, a, a+1, b)
			}
			if r < uint32(rings)-1 {
				idx = append(idx, a+1, b+1, b)
			}
		}
	}
	p := &gltf.Primitive{
		Attributes: map[string]int{
			gltf.POSITION:   modeler.WritePosition(doc, pos),
			gltf.NORMAL:     modeler.WriteNormal(doc, nor),
			gltf.TEXCOORD_0: modeler.WriteTextureCoord(doc, uv),
		},
		Indices: gltf.Index(modeler.WriteIndices(doc, idx)),
	}
	doc.Meshes = []*gltf.Mesh{{Name: "sphere", Primitives: []*gltf.Primitive{p}}}
	doc.Nodes = []*gltf.Node{{Name: "sphere", Mesh: gltf.Index(0)}}
	doc.Scenes[0].Nodes = []int{0}
	return gltf.SaveBinary(doc, path)
}
