package kaedimtest

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/kiln3d/kiln/providers/providertest/fakehttp"
)

// link signs a storage path so that it works until expires, the way cloud storage signs URLs.
// The caller holds s.mu.
func (s *Server) link(path string, expires time.Time) string {
	exp := fakehttp.Expires(expires)
	return s.StorageURL + path + "?Expires=" + exp + "&Signature=" + s.signer.Sign(path, exp)
}

// imageLink is the signed link of a request's uploaded image n, ending with its file name (path
// escaped: a name may hold anything a file system allows). The caller holds s.mu.
func (s *Server) imageLink(id string, n int, name string, expires time.Time) string {
	if name == "" || name == "." || name == ".." {
		name = "image"
	}
	path := fmt.Sprintf("/%s/images/%d/%s", id, n, strings.ReplaceAll(name, "/", "_"))
	exp := fakehttp.Expires(expires)
	return s.StorageURL + (&url.URL{Path: path}).EscapedPath() + "?Expires=" + exp + "&Signature=" + s.signer.Sign(path, exp)
}

// serveStorage answers result and image links. It refuses a link that is expired or tampered
// with, 403 and an XML body as S3 does, and wants no credentials: a client that sends its API key
// here is leaking it (tests look at Received).
func (s *Server) serveStorage(w http.ResponseWriter, r *http.Request) {
	rec := Received{Route: "download", Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Header: r.Header.Clone()}
	s.router.Answer(w, r, "download", &rec, s.serveObject)
}

// serveObject answers a signed link with its object.
func (s *Server) serveObject(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		fakehttp.WriteS3Error(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "The specified method is not allowed against this resource.")
		return
	}
	q := r.URL.Query()
	exp := q.Get("Expires")
	if !s.signer.Verify(q.Get("Signature"), r.URL.Path, exp) {
		fakehttp.WriteS3Error(w, http.StatusForbidden, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.")
		return
	}
	s.mu.Lock()
	expired := fakehttp.Expired(exp, s.now())
	data, contentType := s.object(r.URL.Path)
	s.mu.Unlock()
	switch {
	case expired:
		fakehttp.WriteS3Error(w, http.StatusForbidden, "AccessDenied", "Request has expired")
	case data == nil:
		fakehttp.WriteS3Error(w, http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
	default:
		fakehttp.WriteObject(w, r, contentType, data)
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
