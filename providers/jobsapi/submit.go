package jobsapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"

	"github.com/kiln3d/kiln/providers"
	"github.com/kiln3d/kiln/providers/fsguard"
	"github.com/kiln3d/kiln/providers/httpkit"
	"github.com/kiln3d/kiln/providers/imageio"
)

// maxUpload bounds a submission's images together. The body is held in memory, so that the same
// bytes can be sent again under the same idempotency key; the server refuses larger ones
// (payload_too_large) in any case.
const maxUpload = 256 << 20

// maxIdempotencyKey is the longest idempotency key the server keeps.
const maxIdempotencyKey = 255

// Submit checks the request and its images, then posts them to /api/v1/jobs with the job's
// idempotency key, and returns the server's job id.
//
// Sent again with the same Request (the same IdempotencyKey and the same body), Submit gets the
// first answer back and the server makes no second job: the core does so after a failure in
// flight. An error that wraps providers.ErrNotSent means nothing left this computer.
func (p *Provider) Submit(ctx context.Context, req providers.Request) (providers.Remote, error) {
	caps := p.Capabilities()
	if err := providers.CheckRequest(caps, req); err != nil {
		return providers.Remote{}, err
	}
	if req.Model != "" {
		return providers.Remote{}, &providers.InputError{Reason: Title + " cannot texture an existing model"}
	}
	if err := checkIdempotencyKey(req.IdempotencyKey); err != nil {
		return providers.Remote{}, err
	}
	body, contentType, err := form(caps, req)
	if err != nil {
		return providers.Remote{}, err
	}
	op := "submit the job"
	if err := ctx.Err(); err != nil {
		return providers.Remote{}, providers.NotSent(wrapCtx(op, err))
	}
	key, err := loadKey(ctx, p.secrets)
	if err != nil {
		return providers.Remote{}, providers.NotSent(err)
	}
	var out Job
	status, err := p.do(ctx, key, call{op: op, method: http.MethodPost, route: "jobs", body: body, contentType: contentType,
		idempotencyKey: req.IdempotencyKey}, &out)
	if err != nil {
		return providers.Remote{}, scrub(err, key)
	}
	if out.ID == "" {
		return providers.Remote{}, scrub(service.Error(op, status, providers.ErrServer, "the server accepted the job but sent no job id"), key)
	}
	p.Log.Info("jobsapi submitted", "job", httpkit.Scrub(providers.Printable(out.ID), key), "status", status)
	return providers.Remote{ID: out.ID}, nil
}

// checkIdempotencyKey refuses a key the server would refuse: 1 to 255 printable ASCII characters
// (or none).
func checkIdempotencyKey(k string) error {
	if k == "" {
		return nil
	}
	if len(k) > maxIdempotencyKey || strings.ContainsFunc(k, func(r rune) bool { return r < '!' || r > '~' }) {
		return providers.NotSent(fmt.Errorf("%s: the job's idempotency key is not 1 to %d printable ASCII characters", Name, maxIdempotencyKey))
	}
	return nil
}

// form checks and reads the images and writes the /api/v1/jobs form: the settings first, then
// the images and their views in the artist's order.
func form(caps providers.Capabilities, req providers.Request) ([]byte, string, error) {
	images := make([]image, 0, len(req.Images))
	var total int64
	for _, img := range req.Images {
		info, err := imageio.Check(img.Path)
		if err != nil {
			return nil, "", err
		}
		if total += info.Bytes; total > maxUpload {
			return nil, "", &providers.InputError{Reason: fmt.Sprintf("the images are more than the %s Kiln sends to a Kiln server at once: send fewer or smaller ones",
				fsguard.Size(maxUpload))}
		}
		data, err := fsguard.ReadFile(img.Path, imageio.MaxFileBytes)
		if err != nil {
			return nil, "", &providers.InputError{File: img.Path, Reason: "could not be read for the upload: " + err.Error()}
		}
		images = append(images, image{path: img.Path, info: info, data: data})
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	// The same request must make the same bytes, so that the server, which compares a body sent
	// again under the same idempotency key with the first, finds them equal: the boundary comes
	// from the content, not from chance.
	_ = mw.SetBoundary(boundary(caps, req, images))
	field := func(name, value string) { _ = mw.WriteField(name, value) } // a bytes.Buffer cannot fail
	if provider := req.Option(caps, OptionProvider); provider != ProviderAuto {
		field("provider", provider)
	}
	field("polycount", strconv.Itoa(req.Polycount))
	if prompt := strings.TrimSpace(req.Prompt); prompt != "" {
		field("prompt", prompt)
	}
	if req.ProjectID != "" {
		field("project", req.ProjectID)
	}
	cm := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	for _, d := range []struct {
		name string
		cm   float64
	}{{"height_cm", req.Size.HeightCM}, {"width_cm", req.Size.WidthCM}, {"depth_cm", req.Size.DepthCM}} {
		if d.cm > 0 {
			field(d.name, cm(d.cm))
		}
	}
	for _, img := range images {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="image"; filename="%s"`, uploadName(img.path, img.info)))
		h.Set("Content-Type", img.info.Format.MIME())
		w, _ := mw.CreatePart(h)
		_, _ = w.Write(img.data)
	}
	if viewed(req.Images) {
		// One per image, in the same order: "" where the artist gave none.
		for _, img := range req.Images {
			field("view", img.View)
		}
	}
	_ = mw.Close()
	return buf.Bytes(), mw.FormDataContentType(), nil
}

// image is a checked reference image and its bytes.
type image struct {
	path string
	info imageio.Info
	data []byte
}

// boundary is the form's multipart boundary, the same for the same request: a hash of what it
// asks for and of the images' bytes, which no part of the form is likely to hold.
func boundary(caps providers.Capabilities, req providers.Request, images []image) string {
	h := sha256.New()
	fmt.Fprintf(h, "%q %d %q %q %v %q\n", req.Option(caps, OptionProvider), req.Polycount, strings.TrimSpace(req.Prompt),
		req.ProjectID, req.Size, req.IdempotencyKey)
	for i, img := range images {
		sum := sha256.Sum256(img.data)
		fmt.Fprintf(h, "%q %q %x\n", filepath.Base(img.path), req.Images[i].View, sum)
	}
	return "kiln-" + hex.EncodeToString(h.Sum(nil)[:20])
}

// viewed says whether any image is tagged with a view.
func viewed(images []providers.Image) bool {
	for _, img := range images {
		if img.View != "" {
			return true
		}
	}
	return false
}

// uploadName is the image's base name as a multipart header can carry it: no quote, backslash or
// control character. An image whose name has nothing left is "image" with its format's extension.
func uploadName(path string, info imageio.Info) string {
	name := strings.Map(func(r rune) rune {
		if r == '"' || r == '\\' || unicode.IsControl(r) || r == unicode.ReplacementChar {
			return '_'
		}
		return r
	}, strings.ToValidUTF8(filepath.Base(path), "_"))
	if strings.Trim(name, "._ ") == "" {
		return "image" + info.Format.Ext()
	}
	return name
}
