package threedversetest

// Request is one request the fake answered, for tests to assert on. It holds no credential and no
// body value: only which header carried the credential and the names of the fields sent.
type Request struct {
	// Route is the route's name (RouteUpload, ...); "" for a path the API does not have.
	Route string
	// Method is the HTTP method.
	Method string
	// Path is the path below BasePath ("/folders/ID/source-files"); for a request outside the
	// base path, the whole path.
	Path string
	// Query is the raw query string ("offset=0&limit=100").
	Query string
	// Auth is the header that carried the credential: "api_key", "user_token", "" for none, or
	// "api_key+user_token" for both (which the fake refuses).
	Auth string
	// Status is the fake's answer; 0 when none was sent (a dropped connection, a client that
	// gave up during a delay).
	Status int
	// Fields are the names of the body's fields in the order sent: a JSON object's members, or
	// every multipart part's field name ("files", "files", "note").
	Fields []string
	// Files are the names of the files an upload sent in the field "file" or "files", in order.
	Files []string
}

// Requests returns a copy of the requests answered so far, in order; with routes, only those to
// them.
func (s *Server) Requests(routes ...string) []Request { return s.requests.List(routes...) }
