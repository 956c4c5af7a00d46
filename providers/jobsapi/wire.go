package jobsapi

import "time"

// The API's wire format, in one place: what `kiln serve` (app/server) writes and this client
// reads. The server's OpenAPI document describes the same shapes.

// The statuses of a job. Every state between queued and done is running.
const (
	StatusQueued    = "queued"
	StatusRunning   = "running"
	StatusDone      = "done"
	StatusFailed    = "failed"
	StatusCancelled = "cancelled"
)

// Job is a job as the API shows it: GET /api/v1/jobs/{id}, and every answer that names a job.
type Job struct {
	ID        string     `json:"id"`
	URL       string     `json:"url"`
	Status    string     `json:"status"`
	Provider  string     `json:"provider"`
	Progress  float64    `json:"progress"`
	Message   string     `json:"message"`
	Created   time.Time  `json:"created"`
	Updated   time.Time  `json:"updated"`
	Started   *time.Time `json:"started,omitempty"`
	Finished  *time.Time `json:"finished,omitempty"`
	Polycount int        `json:"polycount"`
	Prompt    string     `json:"prompt,omitempty"`
	Triangles int        `json:"triangles,omitempty"`
	// Files are a finished job's files, the model first.
	Files []File `json:"files,omitempty"`
	// Error says why a failed job failed.
	Error *Failure `json:"error,omitempty"`
}

// File is one result file of a finished job.
type File struct {
	Name   string `json:"name"`
	Format string `json:"format"`
	Size   int64  `json:"size"`
	URL    string `json:"url"`
}

// Failure is a code and words: every refusal's, and a failed job's.
type Failure struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// ErrorBody is the shape of every refusal: {"error": {"code": ..., "message": ...}}.
type ErrorBody struct {
	Error *Failure `json:"error"`
}
