package httpkit

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/fsguard/fsguardtest"
)

// formFile writes a file of n bytes, no run of which repeats soon, into dir and returns its path
// and contents.
func formFile(t *testing.T, dir, name string, n int) (string, []byte) {
	t.Helper()
	data := make([]byte, n)
	for i := range data {
		data[i] = byte(i*31 + i/251)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path, data
}

// addFile adds the file at path to f under its own size.
func addFile(t *testing.T, f *Form, field, path, name, contentType string) {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	f.File(field, path, name, contentType, st.Size())
}

// readForm reads an opened form whole, a little at a time, checking that the progress it reports
// never goes back and never passes the files' size; it returns the body, the last count reported
// (-1 when none was), and the read's error.
func readForm(t *testing.T, f *Form) ([]byte, int64, error) {
	t.Helper()
	body, sent := f.Open()
	var out bytes.Buffer
	buf := make([]byte, 32<<10)
	last := int64(-1)
	see := func(n int64) {
		if n < last || n > f.FileBytes() {
			t.Errorf("progress %d after %d, of %d bytes", n, last, f.FileBytes())
		}
		last = n
	}
	var err error
	for {
		n, rerr := body.Read(buf)
		out.Write(buf[:n])
		select {
		case n := <-sent:
			see(n)
		default:
		}
		if rerr != nil {
			if !errors.Is(rerr, io.EOF) {
				err = rerr
			}
			break
		}
	}
	if cerr := body.Close(); err == nil && cerr != nil {
		t.Errorf("close: %v", cerr)
	}
	select {
	case n := <-sent:
		see(n)
	default:
	}
	return out.Bytes(), last, err
}

// TestFormRoundTrip: the body parses back, fields and files byte for byte, in order; its length
// is the length announced; the progress ends at the files' size; and the form can be sent again.
func TestFormRoundTrip(t *testing.T) {
	dir := t.TempDir()
	big, bigData := formFile(t, dir, "chair.glb", 3*copyChunk+123) // several chunks
	small, smallData := formFile(t, dir, "wood.png", 1000)
	empty, _ := formFile(t, dir, "empty.bin", 0)

	f := NewForm()
	f.Field("tier", "Regular")
	addFile(t, f, "files", big, "Chair (v2).glb", "model/gltf-binary")
	f.Field("prompt", "a chair, \"oak\"\r\nsecond line")
	addFile(t, f, "files", small, "textures/wood.png", "image/png")
	addFile(t, f, "files", empty, "empty.bin", "application/octet-stream")

	if f.Files() != 3 || f.FileBytes() != int64(len(bigData)+len(smallData)) {
		t.Fatalf("Files %d, FileBytes %d", f.Files(), f.FileBytes())
	}
	mt, params, err := mime.ParseMediaType(f.ContentType())
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		t.Fatalf("content type %q: %v", f.ContentType(), err)
	}
	type part struct{ field, file, contentType, data string }
	want := []part{
		{"tier", "", "", "Regular"},
		{"files", "Chair (v2).glb", "model/gltf-binary", string(bigData)},
		{"prompt", "", "", "a chair, \"oak\"\r\nsecond line"},
		{"files", "textures/wood.png", "image/png", string(smallData)},
		{"files", "empty.bin", "application/octet-stream", ""},
	}
	var first []byte
	for try := range 2 {
		data, last, err := readForm(t, f)
		if err != nil {
			t.Fatalf("sending %d: %v", try, err)
		}
		if int64(len(data)) != f.Size() {
			t.Errorf("sending %d: sent %d bytes, announced %d", try, len(data), f.Size())
		}
		if last != f.FileBytes() {
			t.Errorf("sending %d: progress ended at %d, of %d bytes", try, last, f.FileBytes())
		}
		if try == 1 && !bytes.Equal(data, first) {
			t.Errorf("the second sending differs from the first")
		}
		first = data

		mr := multipart.NewReader(bytes.NewReader(data), params["boundary"])
		var got []part
		for {
			p, err := mr.NextRawPart()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("sending %d: part %d: %v", try, len(got), err)
			}
			_, disp, err := mime.ParseMediaType(p.Header.Get("Content-Disposition"))
			if err != nil {
				t.Fatalf("sending %d: %q: %v", try, p.Header.Get("Content-Disposition"), err)
			}
			content, err := io.ReadAll(p)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, part{disp["name"], disp["filename"], p.Header.Get("Content-Type"), string(content)})
		}
		if len(got) != len(want) {
			t.Fatalf("sending %d: %d parts, want %d", try, len(got), len(want))
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("sending %d: part %d is %q %q %q (%d bytes), want %q %q %q (%d bytes)", try, i,
					got[i].field, got[i].file, got[i].contentType, len(got[i].data),
					want[i].field, want[i].file, want[i].contentType, len(want[i].data))
			}
		}
	}
}

// TestFormEmpty: a form of fields only measures and sends, and reports no progress beyond 0.
func TestFormEmpty(t *testing.T) {
	f := NewForm()
	f.Field("a", "b")
	data, _, err := readForm(t, f)
	if err != nil || int64(len(data)) != f.Size() || f.Files() != 0 || f.FileBytes() != 0 {
		t.Errorf("sent %d bytes of %d: %v", len(data), f.Size(), err)
	}
}

// refusedInput checks that err is a *providers.InputError naming path and saying reason.
func refusedInput(t *testing.T, what string, err error, path, reason string) {
	t.Helper()
	var input *providers.InputError
	if !errors.As(err, &input) || input.File != path || !strings.Contains(err.Error(), filepath.Base(path)) ||
		!strings.Contains(input.Reason, reason) {
		t.Errorf("%s: %v, want a *providers.InputError naming %s: %q", what, err, filepath.Base(path), reason)
	}
}

// TestFormChangedFile: a file that is no longer the size it was added with, or is gone, stops the
// body with an error naming it, before the announced length can be broken.
func TestFormChangedFile(t *testing.T) {
	dir := t.TempDir()
	path, _ := formFile(t, dir, "chair.png", 5000)
	f := NewForm()
	f.Field("tier", "Regular")
	addFile(t, f, "images", path, "chair.png", "image/png")

	if err := os.WriteFile(path, []byte("shorter"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err := readForm(t, f)
	refusedInput(t, "a shorter file", err, path, "changed while it was being sent: try again")
	if !errors.Is(err, providers.ErrInvalidInput) {
		t.Errorf("a shorter file: %v is not invalid input", err)
	}

	if err := os.WriteFile(path, make([]byte, 6000), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err = readForm(t, f)
	refusedInput(t, "a longer file", err, path, "changed while it was being sent: try again")

	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	_, _, err = readForm(t, f)
	refusedInput(t, "a deleted file", err, path, "could not be read for the upload: does not exist (it was moved or deleted)")
}

// TestFormFIFO: a named pipe put in place of a file is refused at once, never waited on.
func TestFormFIFO(t *testing.T) {
	dir := t.TempDir()
	path, _ := formFile(t, dir, "pipe.png", 100)
	f := NewForm()
	addFile(t, f, "images", path, "pipe.png", "image/png")
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	fsguardtest.MkFIFO(t, path)
	err := fsguardtest.Promptly(t, 5*time.Second, func() error {
		_, _, err := readForm(t, f)
		return err
	})
	refusedInput(t, "a FIFO", err, path, "could not be read for the upload: is a named pipe (FIFO), not a file")
}

// TestFormCloseEarly: closing a body half read (a request that ended) stops its writer, which
// closes the file it was reading: no goroutine is left behind.
func TestFormCloseEarly(t *testing.T) {
	path, _ := formFile(t, t.TempDir(), "chair.glb", 8*copyChunk)
	f := NewForm()
	addFile(t, f, "files", path, "chair.glb", "model/gltf-binary")
	before := runtime.NumGoroutine()
	for range 20 {
		body, sent := f.Open()
		if _, err := io.ReadFull(body, make([]byte, 2*copyChunk)); err != nil {
			t.Fatal(err)
		}
		err := fsguardtest.Promptly(t, 5*time.Second, body.Close)
		if err != nil {
			t.Errorf("close: %v", err)
		}
		select {
		case n := <-sent:
			if n < copyChunk || n > 2*copyChunk {
				t.Errorf("%d bytes reported sent of a body closed after %d", n, 2*copyChunk)
			}
		default:
			t.Error("no progress reported")
		}
		if _, err := body.Read(make([]byte, 1)); !errors.Is(err, io.ErrClosedPipe) {
			t.Errorf("a read after close: %v", err)
		}
	}
	for deadline := time.Now().Add(2 * time.Second); runtime.NumGoroutine() > before; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines left behind", runtime.NumGoroutine()-before)
		}
	}
}
