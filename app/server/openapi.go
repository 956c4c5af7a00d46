package server

import (
	_ "embed"
	"net/http"
)

//go:embed openapi.json
var openapiJSON []byte

// openapi is GET /api/v1/openapi: the API's OpenAPI 3.1 document.
func (s *Server) openapi(w http.ResponseWriter, _ *http.Request, _ Key) error {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(openapiJSON)
	return nil
}

// postman is GET /api/v1/postman: a Postman collection of the API.
func (s *Server) postman(w http.ResponseWriter, r *http.Request, _ Key) error {
	writeJSON(w, http.StatusOK, map[string]any{})
	return nil
}
