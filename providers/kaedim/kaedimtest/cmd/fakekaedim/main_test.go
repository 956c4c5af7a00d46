package main

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/httpkit"
	"github.com/kiln3d/kiln/providers/kaedim"
)

// TestDemo runs the command as `make demo` would and makes a model through the real client with
// the credentials it printed.
func TestDemo(t *testing.T) {
	stop := make(chan os.Signal)
	out, w := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- run([]string{"-generation", "50ms", "-base", "/kaedim"}, w, io.Discard, stop)
		w.Close()
	}()
	var d demo
	if err := json.NewDecoder(out).Decode(&d); err != nil {
		t.Fatal(err)
	}
	defer func() {
		close(stop)
		if status := <-done; status != 0 {
			t.Errorf("exit status %d", status)
		}
	}()
	if !strings.HasPrefix(d.URL, "http://127.0.0.1:") || d.DevID == "" || d.APIKey == "" || d.RefreshToken == "" {
		t.Fatalf("printed %+v", d)
	}
	p, err := kaedim.New(kaedim.Config{Endpoint: d.URL, Config: httpkit.Config{Poll: kaedim.PollConfig{First: 5 * time.Millisecond}},
		Secrets: kaedim.NewMemorySecrets(kaedim.Credentials{DevID: d.DevID, APIKey: d.APIKey, RefreshToken: d.RefreshToken})})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := p.Test(ctx); err != nil {
		t.Fatal(err)
	}
	projects, err := p.Projects(ctx)
	if err != nil || len(projects) != 2 || projects[0].Name != "Sandbox" {
		t.Fatalf("projects %v, %v", projects, err)
	}
	var b bytes.Buffer
	_ = png.Encode(&b, image.NewGray(image.Rect(0, 0, 8, 8)))
	img := filepath.Join(t.TempDir(), "demo.png")
	_ = os.WriteFile(img, b.Bytes(), 0o644)
	req := providers.Request{Images: []providers.Image{{Path: img}}, Polycount: 30000, ProjectID: projects[0].ID}
	remote, err := p.Submit(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Collect(ctx, req, remote, t.TempDir(), func(providers.Progress) {}); err != nil {
		t.Fatal(err)
	}
}

func TestRefusesRemoteAddresses(t *testing.T) {
	var errs bytes.Buffer
	if status := run([]string{"-addr", "0.0.0.0:0"}, io.Discard, &errs, nil); status != 2 || !strings.Contains(errs.String(), "not a loopback address") {
		t.Errorf("0.0.0.0: status %d, %s", status, errs.String())
	}
}
