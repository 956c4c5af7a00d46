package kaedimtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kiln3d/kiln/providers/providertest/fakehttp"
)

// The limits the fake holds /process to. Kaedim documents 6 imageUrls and a polycount of up to
// 2,000,000 for game-ready assets; the upload limit is the fake's.
const (
	maxImages    = 6
	maxUpload    = 64 << 20
	minPolycount = 500
	maxPolycount = 2000000
)

// imageField matches the multipart fields of uploaded images: image-0, image-1, ...
var imageField = regexp.MustCompile(`^image-(\d+)$`)

// process: POST multipart/form-data with the images in image-N (or image) or their links in
// imageUrls, and devID, LoQ, polycount, test, projectID, studioID, height, width, depth.
// Kaedim's own sample sends the same fields as JSON, so JSON is accepted too.
func (s *Server) process(w http.ResponseWriter, r *http.Request, rec *Received) {
	if err := readForm(w, r, rec); err != nil {
		writeError(w, http.StatusBadRequest, failedDueTo(err.Error()))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.authorize(w, r, rec.Fields.Get("devID"), true)
	if !ok {
		return
	}
	req, status, problem := s.newRequest(a, rec)
	if problem != "" {
		if status == http.StatusBadRequest {
			problem = failedDueTo(problem)
		}
		writeError(w, status, problem)
		return
	}
	s.requests[req.id] = req
	s.order = append(s.order, req.id)
	writeJSON(w, http.StatusCreated, map[string]string{"status": "success", "devID": a.DevID, "requestID": req.id, "message": msgSent})
}

// readForm records the body's fields and files, whatever the encoding.
func readForm(w http.ResponseWriter, r *http.Request, rec *Received) error {
	ct, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	r.Body = http.MaxBytesReader(w, r.Body, maxUpload)
	switch {
	case ct == "multipart/form-data" && params["boundary"] != "":
		if err := r.ParseMultipartForm(8 << 20); err != nil { //nolint:gosec // r.Body is capped by MaxBytesReader above
			return fmt.Errorf("an unreadable multipart body (%w)", err)
		}
		rec.Fields = url.Values(r.MultipartForm.Value)
		for field, headers := range r.MultipartForm.File {
			for _, h := range headers {
				f, err := h.Open()
				if err != nil {
					return fmt.Errorf("an unreadable file %s", h.Filename)
				}
				data, err := io.ReadAll(f)
				_ = f.Close()
				if err != nil {
					return fmt.Errorf("an unreadable file %s", h.Filename)
				}
				rec.Files = append(rec.Files, File{Field: field, Name: h.Filename, ContentType: h.Header.Get("Content-Type"), Data: data})
			}
		}
		slices.SortFunc(rec.Files, func(a, b File) int { return fileOrder(a.Field) - fileOrder(b.Field) })
	case ct == "application/x-www-form-urlencoded":
		if err := r.ParseForm(); err != nil {
			return fmt.Errorf("an unreadable form (%w)", err)
		}
		rec.Fields = r.PostForm
	case ct == "application/json", ct == "multipart/form-data":
		// The documentation's sample posts JSON text under a multipart Content-Type.
		var raw map[string]any
		if err := json.NewDecoder(r.Body).Decode(&raw); err != nil {
			return fmt.Errorf("a body that is neither multipart nor JSON (%w)", err)
		}
		rec.Fields = flatten(raw)
	default:
		return fmt.Errorf("the Content-Type %q", ct)
	}
	return nil
}

// fileOrder puts "image" first, then image-0, image-1, ... by number, then anything else.
func fileOrder(field string) int {
	if field == "image" || field == "images" {
		return -1
	}
	if m := imageField.FindStringSubmatch(field); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	return 1 << 20
}

// newRequest validates a /process body into a request, or says why not: a status and message.
// The caller holds s.mu.
func (s *Server) newRequest(a *account, rec *Received) (*request, int, string) {
	f := rec.Fields
	now := s.now()
	req := &request{id: fakehttp.RandomHex(12) + "-" + fakehttp.RandomHex(12), devID: a.DevID, created: now, loq: f.Get("LoQ"), polycount: 30000}
	for _, file := range rec.Files {
		if file.Field != "image" && file.Field != "images" && !imageField.MatchString(file.Field) {
			continue
		}
		switch ct := http.DetectContentType(file.Data); ct {
		case "image/png", "image/jpeg", "image/webp":
			req.images = append(req.images, refImage{data: file.Data, contentType: ct, name: file.Name})
		default:
			return nil, http.StatusBadRequest, fmt.Sprintf("%s not being a PNG, JPEG or WebP image", file.Name)
		}
	}
	for _, v := range append(f["imageUrls"], f["imageUrls[]"]...) {
		urls := []string{v}
		if strings.HasPrefix(strings.TrimSpace(v), "[") && json.Unmarshal([]byte(v), &urls) != nil {
			return nil, http.StatusBadRequest, "imageUrls not being an array of links"
		}
		for _, link := range urls {
			if u, err := url.Parse(link); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
				return nil, http.StatusBadRequest, "an invalid image URL"
			}
			req.images = append(req.images, refImage{url: link})
		}
	}
	switch n := len(req.images); {
	case n == 0:
		return nil, http.StatusBadRequest, "missing images"
	case n > maxImages:
		return nil, http.StatusBadRequest, fmt.Sprintf("%d images (at most %d)", n, maxImages)
	}
	if req.loq == "" {
		req.loq = "standard" // the fake's choice: Kaedim documents no default
	}
	if !slices.Contains([]string{"standard", "high", "ultra"}, req.loq) {
		return nil, http.StatusNotAcceptable, msgBadLoQ
	}
	if v := f.Get("polycount"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < minPolycount || n > maxPolycount {
			return nil, http.StatusBadRequest, fmt.Sprintf("a polycount of %q (%d to %d)", v, minPolycount, maxPolycount)
		}
		req.polycount = n
	}
	for i, name := range []string{"height", "width", "depth"} {
		if v := f.Get(name); v != "" {
			cm, err := strconv.ParseFloat(v, 64)
			if err != nil || cm <= 0 {
				return nil, http.StatusBadRequest, fmt.Sprintf("a %s of %q", name, v)
			}
			req.size[i] = cm
		}
	}
	switch v := strings.ToLower(f.Get("test")); v {
	case "", "false":
	case "true":
		req.test = true
	default:
		return nil, http.StatusBadRequest, fmt.Sprintf("test being %q, not true or false", v)
	}
	if p := f.Get("projectID"); p != "" && p != "null" {
		if !slices.ContainsFunc(a.projects, func(pr Project) bool { return pr.ID == p }) {
			return nil, http.StatusBadRequest, "an unknown projectID"
		}
		req.projectID = p
	}
	if st := f.Get("studioID"); st != "" {
		if st != a.StudioID {
			return nil, http.StatusBadRequest, "an unknown studioID"
		}
		req.studioID = st
	}
	req.iterations = []*iteration{{id: "0", created: now}}
	return req, 0, ""
}

// errNoRequest is for lookups of requests the fake does not hold.
var errNoRequest = errors.New("kaedimtest: no such request")

// lookup returns the request id; the caller holds s.mu.
func (s *Server) lookup(id string) (*request, error) {
	if r := s.requests[id]; r != nil {
		return r, nil
	}
	return nil, fmt.Errorf("%w: %s", errNoRequest, id)
}

// startIteration adds an iteration starting now, as an edit request would. The caller holds s.mu.
func (s *Server) startIteration(r *request, now time.Time) {
	r.iterations = append(r.iterations, &iteration{id: strconv.Itoa(len(r.iterations)), created: now})
}
