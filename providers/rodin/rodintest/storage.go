package rodintest

import (
	"fmt"
	"net/http"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/kiln3d/kiln/providers/providertest/fakehttp"
)

// listedFile is one entry of a download list: the name shown, and the storage object its link
// serves.
type listedFile struct {
	name, object string
}

// The file names of a finished task. The documentation's sample shows base_basic_pbr.glb and
// preview.webp; the rest of the pattern (base_basic_shaded, base_basic_none, base_high_* for a
// texture-only task at High resolution, texture_diffuse.png) is the fake's choice.
const (
	PreviewName = "preview.webp"
	TextureName = "texture_diffuse.png"
)

// listed is what /download lists for t now: nothing before its first job is Done, the preview
// once it is, and the models (with the texture for PBR) once every job is. The caller holds s.mu.
func (t *task) listed(now time.Time) []listedFile {
	done := t.done(now)
	var out []listedFile
	if done == len(t.jobs) {
		out = t.modelFiles()
	}
	if done > 0 {
		out = append(out, listedFile{PreviewName, PreviewName})
	}
	return out
}

// modelFiles names a finished task's models, one per material (two for All), and its texture.
func (t *task) modelFiles() []listedFile {
	pack := "basic"
	if t.resolution == "High" {
		pack = "high"
	}
	var mats []string
	switch t.material {
	case "All":
		mats = []string{"pbr", "shaded"}
	default:
		mats = []string{strings.ToLower(t.material)}
	}
	var out []listedFile
	for _, m := range mats {
		out = append(out, listedFile{fmt.Sprintf("base_%s_%s.%s", pack, m, t.format), fmt.Sprintf("model_%s.%s", m, t.format)})
	}
	if t.material == "PBR" || t.material == "All" {
		out = append(out, listedFile{TextureName, TextureName})
	}
	return out
}

// object builds (once) and returns the storage object name of t, with its content type; nil
// when t has no such object. The caller holds s.mu.
func (t *task) object(name string) ([]byte, string, error) {
	ext := strings.TrimPrefix(path.Ext(name), ".")
	if data, ok := t.objects[name]; ok {
		return data, contentType(ext), nil
	}
	var data []byte
	var err error
	switch {
	case name == PreviewName:
		data = previewWebP
	case name == TextureName:
		data = texturePNG(t.texture)
	case slices.ContainsFunc(t.modelFiles(), func(f listedFile) bool { return f.object == name }):
		mat := strings.TrimSuffix(strings.TrimPrefix(name, "model_"), "."+ext)
		switch ext {
		case "glb":
			data, err = buildGLB(texturePNG(t.texture), mat, t.extent)
		case "obj":
			data, err = buildOBJ(t.extent)
		case "stl":
			data, err = buildSTL(t.extent)
		default:
			data = []byte(standIns[ext])
		}
	default:
		return nil, "", nil
	}
	if err != nil {
		return nil, "", err
	}
	if t.objects == nil {
		t.objects = map[string][]byte{}
	}
	t.objects[name] = data
	return data, contentType(ext), nil
}

// link signs a storage path so that it works until expires, the way cloud storage signs URLs.
// Each link is new (its Id is random, and signed), even for the same file at the same moment, so
// that a test can tell a fresh link from one a client kept.
func (s *Server) link(p string, expires time.Time) string {
	exp, id := fakehttp.Expires(expires), fakehttp.RandomHex(16)
	return s.StorageURL + p + "?Expires=" + exp + "&Id=" + id + "&Signature=" + s.signer.Sign(p, exp, id)
}

// serveStorage answers download links as S3 would: 403 and an XML body for a link expired or
// tampered with. It wants no credentials: a request that carries an Authorization header as well
// as a signed link gets S3's 400 (a client that sends the API key here is leaking it).
func (s *Server) serveStorage(w http.ResponseWriter, r *http.Request) {
	rec := Received{Route: RouteStorage, Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Header: r.Header.Clone()}
	s.router.Answer(w, r, RouteStorage, &rec, s.serveObject)
}

// serveObject answers a signed link with its object.
func (s *Server) serveObject(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		fakehttp.WriteS3Error(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "The specified method is not allowed against this resource.")
		return
	}
	if r.Header.Get("Authorization") != "" {
		fakehttp.WriteS3Error(w, http.StatusBadRequest, "InvalidArgument",
			"Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified")
		return
	}
	q := r.URL.Query()
	exp := q.Get("Expires")
	if q.Get("Signature") == "" || exp == "" {
		fakehttp.WriteS3Error(w, http.StatusForbidden, "AccessDenied", "Access Denied")
		return
	}
	if !s.signer.Verify(q.Get("Signature"), r.URL.Path, exp, q.Get("Id")) {
		fakehttp.WriteS3Error(w, http.StatusForbidden, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.")
		return
	}
	s.mu.Lock()
	expired := fakehttp.Expired(exp, s.now())
	var data []byte
	var ct string
	var err error
	taskID, name, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	if t := s.tasks[taskID]; t != nil && !expired {
		data, ct, err = t.object(name)
	}
	s.mu.Unlock()
	switch {
	case expired:
		fakehttp.WriteS3Error(w, http.StatusForbidden, "AccessDenied", "Request has expired")
	case err != nil:
		fakehttp.WriteS3Error(w, http.StatusInternalServerError, "InternalError", err.Error())
	case data == nil:
		fakehttp.WriteS3Error(w, http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
	default:
		fakehttp.WriteObject(w, r, ct, data)
	}
}
