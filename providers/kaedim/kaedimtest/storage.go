package kaedimtest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// link signs a storage path so that it works until expires, the way cloud storage signs URLs.
// The caller holds s.mu.
func (s *Server) link(path string, expires time.Time) string {
	exp := strconv.FormatInt(expires.Unix(), 10)
	return s.StorageURL + path + "?Expires=" + exp + "&Signature=" + s.sign(path, exp)
}

// imageLink is the signed link of a request's uploaded image n, ending with its file name (path
// escaped: a name may hold anything a file system allows). The caller holds s.mu.
func (s *Server) imageLink(id string, n int, name string, expires time.Time) string {
	if name == "" || name == "." || name == ".." {
		name = "image"
	}
	path := fmt.Sprintf("/%s/images/%d/%s", id, n, strings.ReplaceAll(name, "/", "_"))
	exp := strconv.FormatInt(expires.Unix(), 10)
	return s.StorageURL + (&url.URL{Path: path}).EscapedPath() + "?Expires=" + exp + "&Signature=" + s.sign(path, exp)
}

func (s *Server) sign(path, expires string) string {
	mac := hmac.New(sha256.New, s.linkKey)
	mac.Write([]byte(path + "\n" + expires))
	return hex.EncodeToString(mac.Sum(nil))
}

// serveStorage answers result and image links. It refuses a link that is expired or tampered
// with, 403 and an XML body as S3 does, and wants no credentials: a client that sends its API key
// here is leaking it (tests look at Received).
func (s *Server) serveStorage(w http.ResponseWriter, r *http.Request) {
	rec := Received{Route: "download", Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Header: r.Header.Clone()}
	sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	defer func() {
		rec.Status = sw.status
		s.record(rec)
	}()
	if !s.fault(sw, r, "download", s.serveObject) {
		s.serveObject(sw, r)
	}
}

// serveObject answers a signed link with its object.
func (s *Server) serveObject(sw http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		storageError(sw, http.StatusMethodNotAllowed, "MethodNotAllowed", "The specified method is not allowed against this resource.")
		return
	}
	q := r.URL.Query()
	exp := q.Get("Expires")
	if !hmac.Equal([]byte(q.Get("Signature")), []byte(s.sign(r.URL.Path, exp))) {
		storageError(sw, http.StatusForbidden, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.")
		return
	}
	unix, _ := strconv.ParseInt(exp, 10, 64)
	s.mu.Lock()
	expired := !s.now().Before(time.Unix(unix, 0))
	data, contentType := s.object(r.URL.Path)
	s.mu.Unlock()
	switch {
	case expired:
		storageError(sw, http.StatusForbidden, "AccessDenied", "Request has expired")
	case data == nil:
		storageError(sw, http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
	default:
		sw.Header().Set("Content-Type", contentType)
		sw.Header().Set("Content-Length", strconv.Itoa(len(data)))
		sw.WriteHeader(http.StatusOK)
		if r.Method == http.MethodGet {
			_, _ = sw.Write(data) //nolint:gosec // a fake storage serves back what it stored, under its own Content-Type
		}
	}
}

// object finds what a storage path names: /<requestID>/<iterationID>/model.<ext> or
// /<requestID>/images/<n>/<file name>, as cloud storage keys carry the uploaded file's name. The
// caller holds s.mu.
func (s *Server) object(path string) ([]byte, string) {
	parts := strings.Split(strings.TrimPrefix(path, "/"), "/")
	if len(parts) == 4 && parts[1] == "images" {
		parts = parts[:3]
	}
	if len(parts) != 3 {
		return nil, ""
	}
	req := s.requests[parts[0]]
	if req == nil {
		return nil, ""
	}
	if parts[1] == "images" {
		n, err := strconv.Atoi(parts[2])
		if err != nil || n < 0 || n >= len(req.images) || req.images[n].data == nil {
			return nil, ""
		}
		return req.images[n].data, req.images[n].contentType
	}
	for _, it := range req.iterations {
		if it.id == parts[1] {
			ext := strings.TrimPrefix(parts[2], "model.")
			if data := s.models[ext]; data != nil && strings.HasPrefix(parts[2], "model.") {
				return data, modelType(ext)
			}
		}
	}
	return nil, ""
}

func storageError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>%s</Code><Message>%s</Message></Error>\n", code, message)
}
