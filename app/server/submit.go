package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"maps"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/kiln3d/kiln/app"
	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/httpkit"
	"github.com/kiln3d/kiln/providers/imageio"
)

// Bounds on a submission's parts, checked as they arrive.
const (
	maxImages     = 16
	maxFieldBytes = 16 << 10 // a form value (the prompt is at most 4,000 characters)
	maxFields     = 64
)

// submission is a parsed POST /jobs or /process: the request, where its uploads were put, and a
// hash of everything in it, for the Idempotency-Key.
type submission struct {
	provider string
	req      providers.Request
	webhook  string
	timeout  string // /process only
	dir      string // the uploads' folder, removed once the job has its copies
	hash     string
}

// plainName keeps an uploaded file's name readable and safe: letters, digits, dot, dash, underscore.
var plainName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// readSubmission reads the form as it arrives, writing each image into a fresh folder under the
// data directory and hashing every part; nothing is decoded here.
func (s *Server) readSubmission(w http.ResponseWriter, r *http.Request) (sub *submission, err error) {
	mediaType, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	r.Body = http.MaxBytesReader(w, r.Body, s.opts.MaxUpload)
	sub = &submission{}
	values := url.Values{}
	var images []string
	h := sha256.New()
	switch mediaType {
	case "multipart/form-data":
		if params["boundary"] == "" {
			return nil, errorf(http.StatusBadRequest, CodeInvalidRequest, "the multipart body has no boundary")
		}
		dir, err := os.MkdirTemp(filepath.Join(s.k.Home, "jobs"), "upload-")
		if err != nil {
			return nil, fmt.Errorf("prepare the upload folder: %w", err)
		}
		sub.dir = dir
		defer func() {
			if sub == nil {
				os.RemoveAll(dir) // refused: nothing of it stays
			}
		}()
		mr := multipart.NewReader(r.Body, params["boundary"])
		fields := 0
		for {
			part, err := mr.NextPart()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return nil, bodyError(err)
			}
			name := part.FormName()
			if part.FileName() != "" || name == "image" {
				if name != "image" {
					return nil, errorf(http.StatusBadRequest, CodeInvalidRequest, "unexpected file field %q: images go in fields called image", providers.Printable(name))
				}
				if len(images) == maxImages {
					return nil, errorf(http.StatusBadRequest, CodeInvalidRequest, "at most %d images per job", maxImages)
				}
				path, err := s.saveUpload(sub.dir, len(images), part, h)
				if err != nil {
					return nil, err
				}
				images = append(images, path)
				continue
			}
			if fields++; fields > maxFields {
				return nil, errorf(http.StatusBadRequest, CodeInvalidRequest, "too many form fields (at most %d)", maxFields)
			}
			data, err := io.ReadAll(io.LimitReader(part, maxFieldBytes+1))
			if err != nil {
				return nil, bodyError(err)
			}
			if len(data) > maxFieldBytes {
				return nil, errorf(http.StatusBadRequest, CodeInvalidRequest, "the field %s is longer than %d bytes", providers.Printable(name), maxFieldBytes)
			}
			writeHashed(h, "field", name, string(data))
			values.Add(name, string(data))
		}
	case "application/x-www-form-urlencoded":
		if err := r.ParseForm(); err != nil {
			return nil, bodyError(err)
		}
		values = r.PostForm
		for _, k := range slices.Sorted(maps.Keys(values)) {
			for _, v := range values[k] {
				writeHashed(h, "field", k, v)
			}
		}
	default:
		return nil, errorf(http.StatusUnsupportedMediaType, CodeUnsupportedMediaType,
			"send the job as multipart/form-data (images) or application/x-www-form-urlencoded (a prompt alone), not %q", providers.Printable(mediaType))
	}
	sub.hash = hex.EncodeToString(h.Sum(nil))
	if err := s.fill(r.Context(), sub, values, images); err != nil {
		return nil, err
	}
	return sub, nil
}

// bodyError explains a body that could not be read: too large, or broken off.
func bodyError(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return errorf(http.StatusRequestEntityTooLarge, CodePayloadTooLarge, "the request is larger than this server takes (%s)", sizeText(tooBig.Limit))
	}
	return errorf(http.StatusBadRequest, CodeInvalidRequest, "the body could not be read: %v", err)
}

// sizeText writes a byte count for people: 64 MiB, 256 KiB, 900 bytes.
func sizeText(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

func writeHashed(h hash.Hash, parts ...string) {
	for _, p := range parts {
		fmt.Fprintf(h, "%d:%s;", len(p), p)
	}
}

// saveUpload writes the i-th image into dir under a safe form of its name, hashing its name and
// bytes, and checks its header (format, dimensions) before anything decodes it.
func (s *Server) saveUpload(dir string, i int, part *multipart.Part, h hash.Hash) (string, error) {
	name := plainName.ReplaceAllString(filepath.Base(part.FileName()), "_")
	name = strings.Trim(name, "._")
	if name == "" {
		name = "image"
	}
	if len(name) > 80 {
		name = name[len(name)-80:]
	}
	path := filepath.Join(dir, fmt.Sprintf("%02d-%s", i, name))
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", fmt.Errorf("keep the upload: %w", err)
	}
	fh := sha256.New()
	_, err = io.Copy(io.MultiWriter(f, fh), part)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", bodyError(err)
	}
	writeHashed(h, "image", part.FileName(), hex.EncodeToString(fh.Sum(nil)))
	if _, err := imageio.Check(path); err != nil {
		return "", errorf(http.StatusBadRequest, CodeInvalidImage, "image %d (%s): %s", i+1, providers.Printable(part.FileName()), imageReason(err, path))
	}
	// The job's name is the file's own, without the position that kept uploads apart.
	clean := filepath.Join(dir, fmt.Sprintf("%02d", i), name)
	if err := os.MkdirAll(filepath.Dir(clean), 0o700); err != nil {
		return "", err
	}
	return clean, os.Rename(path, clean)
}

// imageReason is imageio's complaint without the server's own paths.
func imageReason(err error, path string) string {
	var ie *providers.InputError
	if errors.As(err, &ie) {
		return ie.Reason
	}
	return strings.ReplaceAll(err.Error(), path, "the file")
}

// fill reads the form's fields into sub.
func (s *Server) fill(ctx context.Context, sub *submission, v url.Values, images []string) error {
	known := map[string]bool{"provider": true, "polycount": true, "project": true, "prompt": true, "view": true,
		"height_cm": true, "width_cm": true, "depth_cm": true, "webhookUrl": true, "timeout": true}
	for k := range v {
		if !known[k] && !strings.HasPrefix(k, "option.") {
			return errorf(http.StatusBadRequest, CodeInvalidRequest, "unknown field %q (see /api/v1/openapi)", providers.Printable(k))
		}
	}
	sub.provider = strings.TrimSpace(v.Get("provider"))
	if sub.provider == "" {
		sub.provider = s.pick(ctx, len(images) == 0 && strings.TrimSpace(v.Get("prompt")) != "")
	}
	p, err := s.k.Providers.Get(sub.provider)
	if err != nil {
		return errorf(http.StatusBadRequest, CodeUnknownProvider, "this server has no provider %q (GET /api/v1/providers lists them)", providers.Printable(sub.provider))
	}
	caps := p.Capabilities()
	req := &sub.req
	req.Prompt = v.Get("prompt")
	req.ProjectID = v.Get("project")
	req.Polycount = caps.Polycount.Default
	if pc := v.Get("polycount"); pc != "" {
		n, err := strconv.Atoi(strings.TrimSpace(pc))
		if err != nil {
			return errorf(http.StatusBadRequest, CodeInvalidRequest, "polycount must be a whole number, not %q", providers.Printable(pc))
		}
		req.Polycount = n
	}
	for _, f := range []struct {
		name string
		to   *float64
	}{{"height_cm", &req.Size.HeightCM}, {"width_cm", &req.Size.WidthCM}, {"depth_cm", &req.Size.DepthCM}} {
		if raw := v.Get(f.name); raw != "" {
			n, err := strconv.ParseFloat(strings.TrimSpace(raw), 64)
			if err != nil || n <= 0 || n > 1e5 {
				return errorf(http.StatusBadRequest, CodeInvalidRequest, "%s must be a size in centimetres above 0, not %q", f.name, providers.Printable(raw))
			}
			*f.to = n
		}
	}
	for k, vals := range v {
		if key, ok := strings.CutPrefix(k, "option."); ok {
			if req.Options == nil {
				req.Options = map[string]string{}
			}
			req.Options[key] = vals[0]
		}
	}
	views := v["view"]
	if len(views) > len(images) {
		return errorf(http.StatusBadRequest, CodeInvalidRequest, "%d views for %d images: give one view per image, in the same order", len(views), len(images))
	}
	for i, path := range images {
		img := providers.Image{Path: path}
		if i < len(views) {
			img.View = strings.ToLower(strings.TrimSpace(views[i]))
			if img.View != "" && !providers.IsView(img.View) {
				return errorf(http.StatusBadRequest, CodeInvalidRequest, "image %d: no such view %q (the views are %s)", i+1, providers.Printable(views[i]), strings.Join(providers.Views, ", "))
			}
		}
		req.Images = append(req.Images, img)
	}
	sub.timeout = v.Get("timeout")
	if hook := strings.TrimSpace(v.Get("webhookUrl")); hook != "" {
		if err := checkWebhookURL(hook); err != nil {
			return errorf(http.StatusBadRequest, CodeInvalidWebhookURL, "webhookUrl: %v", err)
		}
		sub.webhook = hook
	}
	return nil
}

// pick chooses the provider of a submission that names none: the offline generator for images,
// the first ready provider that takes prompts for a prompt alone.
func (s *Server) pick(ctx context.Context, promptOnly bool) string {
	for _, p := range s.k.Providers.All() {
		caps := p.Capabilities()
		if promptOnly && caps.Prompt && s.ready(ctx, caps) == nil {
			return caps.Name
		}
	}
	return "local"
}

// ready says why the provider cannot run jobs here, or nil when it can.
func (s *Server) ready(ctx context.Context, caps providers.Capabilities) error {
	if !caps.NeedsKey {
		return nil
	}
	if _, err := s.k.Keys.Resolve(ctx, caps.Name, ""); err != nil {
		return fmt.Errorf("the server has no %s credential", caps.Title)
	}
	return nil
}

// checkWebhookURL accepts https anywhere and http on loopback only: a webhook carries the job's
// result links, which must not cross a network in the clear.
func checkWebhookURL(raw string) error {
	if len(raw) > 2048 {
		return errors.New("longer than 2048 characters")
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("%q is not an absolute URL", providers.Printable(raw))
	}
	if u.User != nil {
		return errors.New("it must not carry a user name or password")
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if httpkit.IsLoopback(u.Hostname()) {
			return nil
		}
		return fmt.Errorf("http is allowed only on loopback (127.0.0.1, ::1, localhost); use https for %s", u.Hostname())
	}
	return fmt.Errorf("the scheme must be https, not %q", u.Scheme)
}

// submitError turns the queue's refusal of a submission into an answer.
func submitError(err error) error {
	var ie *providers.InputError
	switch {
	case errors.As(err, &ie):
		code := CodeInvalidRequest
		if ie.File != "" {
			code = CodeInvalidImage
		}
		reason := ie.Reason
		if ie.File != "" {
			reason = filepath.Base(ie.File) + ": " + reason
		}
		return errorf(http.StatusBadRequest, code, "%s", reason)
	case errors.Is(err, app.ErrNoCredential):
		return errorf(http.StatusConflict, CodeProviderNotReady, "%s", err.Error())
	case errors.Is(err, app.ErrClosed):
		return errorf(http.StatusServiceUnavailable, CodeShuttingDown, "the server is shutting down: try again shortly")
	}
	return err
}
