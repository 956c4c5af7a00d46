package kaedimtest

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/kiln3d/kiln/providers/providertest/fakehttp"
)

// HostileName is the reference image name a HostileNames fault lists: a newline, a colour
// escape, a screen-clearing escape and a bidirectional override.
const HostileName = "chair\n\x1b[31mred\x1b[0m\x1b[2J\u202egnp.png"

// badBody answers a download whose body misbehaves: it stalls, it declares 4 GiB, or it is a
// hostile model.
func (s *Server) badBody(w *fakehttp.StatusWriter, r *http.Request, f *Fault) {
	model := s.models["glb"]
	if f.Mode == HostileModel {
		model = s.hostile
	}
	w.Header().Set("Content-Type", modelType("glb"))
	switch f.Mode {
	case HostileModel:
		w.Header().Set("Content-Length", strconv.Itoa(len(model)))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(model)
	case HugeBody:
		w.Header().Set("Content-Length", strconv.FormatInt(HugeBodyLength, 10))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(model[:20])
	case StallBody:
		head := []byte(f.Body)
		if f.Body == "" {
			head = model[:20]
		}
		w.Header().Set("Content-Length", strconv.Itoa(max(len(model), len(head)+1)))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(head)
		fakehttp.Stall(w, r, s.servers.Closing())
	}
}

// hostileNames answers the route, then puts HostileName in every image link and tag it lists.
func (s *Server) hostileNames(w *fakehttp.StatusWriter, r *http.Request, serve http.HandlerFunc) {
	rec := httptest.NewRecorder()
	serve(rec, r)
	var body map[string]json.RawMessage
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &body) != nil {
		copyRecorded(w, rec)
		return
	}
	rename := func(raw json.RawMessage) json.RawMessage {
		var req map[string]any
		if json.Unmarshal(raw, &req) != nil {
			return raw
		}
		images, _ := req["image"].([]any)
		tags := make([]any, 0, len(images))
		for i, img := range images {
			if link, ok := img.(string); ok {
				images[i] = s.renamed(link, HostileName)
			}
			tags = append(tags, HostileName)
		}
		req["image_tags"] = tags
		out, _ := json.Marshal(req)
		return out
	}
	if raw, ok := body["assets"]; ok {
		var assets []json.RawMessage
		_ = json.Unmarshal(raw, &assets)
		for i := range assets {
			assets[i] = rename(assets[i])
		}
		body["assets"], _ = json.Marshal(assets)
		writeJSON(w, http.StatusOK, body)
		return
	}
	writeJSON(w, http.StatusOK, json.RawMessage(rename(rec.Body.Bytes())))
}

// renamed gives a storage link a new file name, signed again so that it still works.
func (s *Server) renamed(link, name string) string {
	u, err := url.Parse(link)
	if err != nil || !strings.Contains(u.Path, "/images/") {
		return link
	}
	parts := strings.Split(strings.TrimPrefix(u.Path, "/"), "/")
	if len(parts) < 3 {
		return link
	}
	n, _ := strconv.Atoi(parts[2])
	unix, _ := strconv.ParseInt(u.Query().Get("Expires"), 10, 64)
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.imageLink(parts[0], n, name, time.Unix(unix, 0))
}

// resetMidReply does the work, sends half of its answer, and cuts the connection.
func resetMidReply(w *fakehttp.StatusWriter, r *http.Request, serve http.HandlerFunc) {
	rec := httptest.NewRecorder()
	serve(rec, r)
	w.Status = rec.Code
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		copyRecorded(w, rec)
		return
	}
	defer func() { _ = conn.Close() }()
	body := rec.Body.Bytes()
	writeHead(buf, rec, len(body))
	_, _ = buf.Write(body[:len(body)/2])
	_ = buf.Flush()
}

func writeHead(buf *bufio.ReadWriter, rec *httptest.ResponseRecorder, length int) {
	fmt.Fprintf(buf, "HTTP/1.1 %d %s\r\n", rec.Code, http.StatusText(rec.Code))
	h := rec.Header().Clone()
	h.Set("Content-Length", strconv.Itoa(length))
	h.Set("Connection", "close")
	_ = h.Write(buf)
	_, _ = buf.WriteString("\r\n")
}

func copyRecorded(w http.ResponseWriter, rec *httptest.ResponseRecorder) {
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

// hostileGLB rewrites glb so that its buffer claims about a terabyte: the JSON chunk is parsed,
// buffers[0].byteLength and the first bufferView's byteLength are raised, and the chunks are laid
// out again with the format's padding and lengths.
func hostileGLB(glb []byte) ([]byte, error) {
	le := binary.LittleEndian
	if len(glb) < 20 {
		return nil, fmt.Errorf("kaedimtest: a glb of %d bytes", len(glb))
	}
	jsonLen := int(le.Uint32(glb[12:16]))
	var doc map[string]any
	if err := json.Unmarshal(glb[20:20+jsonLen], &doc); err != nil {
		return nil, fmt.Errorf("kaedimtest: the model's JSON: %w", err)
	}
	const terabyte = 1 << 40
	for _, key := range []string{"buffers", "bufferViews"} {
		if list, ok := doc[key].([]any); ok && len(list) > 0 {
			if first, ok := list[0].(map[string]any); ok {
				first["byteLength"] = terabyte
			}
		}
	}
	text, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	text = append(text, bytes.Repeat([]byte(" "), (4-len(text)%4)%4)...)
	rest := glb[20+jsonLen:] // the BIN chunk, header and all, as it was
	out := make([]byte, 0, 20+len(text)+len(rest))
	out = append(out, glb[:8]...)
	out = le.AppendUint32(out, uint32(20+len(text)+len(rest)))
	out = le.AppendUint32(out, uint32(len(text)))
	out = append(out, glb[16:20]...)
	out = append(out, text...)
	return append(out, rest...), nil
}
