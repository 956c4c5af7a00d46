// Package librarytest fills a library folder with many made-up assets, for benchmarks and tests
// of a large library: each asset is a folder with a sidecar, a small model and an input image,
// as the library writes them, with varied names, providers, tags, sizes and dates.
package librarytest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/kiln3d/kiln/app"
	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/providertest"
)

var (
	adjectives = []string{"red", "old", "tall", "mossy", "broken", "golden", "rusty", "small", "carved", "glass",
		"stone", "wooden", "painted", "worn", "tiny", "giant", "blue", "cracked", "polished", "dusty"}
	nouns = []string{"vase", "mug", "chair", "lamp", "sword", "shield", "barrel", "crate", "mushroom", "tree",
		"rock", "helmet", "boot", "bottle", "table", "statue", "coin", "lantern", "anvil", "bench"}
	tagWords  = []string{"props", "hero", "kitchen", "forest", "dungeon", "low poly", "wip", "approved", "sci-fi", "medieval"}
	providerN = []string{"local", "rodin", "kaedim", app.ProviderFile}
)

// Options shape the made-up library.
type Options struct {
	// Seed makes the same library again; 0 picks 1.
	Seed uint64
	// Remote and Damaged are the shares of assets not downloaded and with a missing model.
	Remote, Damaged float64
}

// Fill writes n assets into the library folder dir (which may hold others) and returns their
// ids, newest first. Every asset's model is a hard link to one small model (a copy where links
// are impossible), so that 10,000 assets take seconds and little disk.
func Fill(dir string, n int, o Options) ([]string, error) {
	if o.Seed == 0 {
		o.Seed = 1
	}
	r := rand.New(rand.NewPCG(o.Seed, 0x6b696c6e)) //nolint:gosec // made-up names and colours, repeatable by seed: nothing secret
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	src, err := os.MkdirTemp(dir, ".librarytest-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(src)
	model := filepath.Join(src, "model.glb")
	if err := providertest.WriteTetrahedron(model); err != nil {
		return nil, err
	}
	modelRec, err := record(model)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	ids := make([]string, n)
	for i := range n {
		name := fmt.Sprintf("%s %s %d", adjectives[r.IntN(len(adjectives))], nouns[r.IntN(len(nouns))], i)
		id := fmt.Sprintf("bench-%06d", n-i)
		finished := now.Add(-time.Duration(i) * 47 * time.Minute)
		a := app.Asset{ID: id, Name: name, Provider: providerN[r.IntN(len(providerN))], JobID: id,
			Created: finished.Add(-time.Minute), Finished: finished, Triangles: 500 + r.IntN(200000), KilnVersion: "bench",
			Parameters: app.Parameters{Polycount: 20000, Prompt: "a " + name}}
		for range r.IntN(3) {
			a.Tags = append(a.Tags, tagWords[r.IntN(len(tagWords))])
		}
		folder := filepath.Join(dir, id)
		if err := os.MkdirAll(filepath.Join(folder, "inputs"), 0o755); err != nil {
			return nil, err
		}
		input, err := writeInput(folder, r)
		if err != nil {
			return nil, err
		}
		a.Inputs = []app.FileRecord{input}
		switch x := r.Float64(); {
		case x < o.Remote:
			a.ID = id
			a.Remote = &app.RemoteRef{Provider: a.Provider, ID: id, Status: "Done", Ready: true}
		default:
			file := modelRec
			file.Path = "model.glb"
			if x >= o.Remote+o.Damaged { // a damaged one keeps its record but loses its model
				if err := os.Link(model, filepath.Join(folder, "model.glb")); err != nil {
					if err := copyFile(model, filepath.Join(folder, "model.glb")); err != nil {
						return nil, err
					}
				}
			}
			a.Files = []app.FileRecord{file}
		}
		if a.Remote != nil {
			// A remote asset's id names its provider's job (see the library's check).
			a.Provider, a.Remote.Provider = "kaedim", "kaedim"
			a.ID = "kaedim-" + id
			a.Remote.ID = id
			if err := os.Rename(folder, filepath.Join(dir, a.ID)); err != nil {
				return nil, err
			}
			folder = filepath.Join(dir, a.ID)
		}
		data, err := json.MarshalIndent(a, "", "  ")
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(folder, "asset.json"), data, 0o644); err != nil {
			return nil, err
		}
		ids[i] = a.ID
	}
	return ids, nil
}

// writeInput writes a small reference picture of a random colour, as an input image.
func writeInput(folder string, r *rand.Rand) (app.FileRecord, error) {
	img := image.NewNRGBA(image.Rect(0, 0, 64, 64))
	c := color.NRGBA{uint8(r.IntN(256)), uint8(r.IntN(256)), uint8(r.IntN(256)), 255}
	for y := 8; y < 56; y++ {
		for x := 8 + y%8; x < 56; x++ {
			img.SetNRGBA(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return app.FileRecord{}, err
	}
	path := filepath.Join("inputs", "front.png")
	if err := os.WriteFile(filepath.Join(folder, path), buf.Bytes(), 0o644); err != nil {
		return app.FileRecord{}, err
	}
	sum := sha256.Sum256(buf.Bytes())
	return app.FileRecord{Path: path, Bytes: int64(buf.Len()), SHA256: hex.EncodeToString(sum[:]), View: providers.ViewFront,
		Source: "/home/artist/refs/" + fmt.Sprint(r.IntN(1000)) + "-front.png"}, nil
}

func record(path string) (app.FileRecord, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return app.FileRecord{}, err
	}
	sum := sha256.Sum256(data)
	return app.FileRecord{Path: filepath.Base(path), Format: "glb", Bytes: int64(len(data)), SHA256: hex.EncodeToString(sum[:])}, nil
}

func copyFile(src, dst string) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, data, 0o644)
}
