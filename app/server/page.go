package server

import (
	_ "embed"
	"net/http"
)

// indexHTML is the admin page: one self-contained file (inline style and script, nothing fetched
// from elsewhere) that asks for a key and does everything else through the API.
//
//go:embed web/index.html
var indexHTML []byte

// pageCSP lets the page run its own inline script and style and call its own origin, and nothing
// else: no other origin, no plug-in, no framing, no form submitted anywhere (its forms are
// handled by script, so a key is never sent in a URL).
const pageCSP = "default-src 'self'; img-src 'self' blob: data:; style-src 'self' 'unsafe-inline'; " +
	"script-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// page is GET /: the admin page. It holds no data: it asks for a key and calls the API.
func (s *Server) page(w http.ResponseWriter, _ *http.Request, _ Key) error {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Security-Policy", pageCSP)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Referrer-Policy", "no-referrer")
	_, _ = w.Write(indexHTML)
	return nil
}
