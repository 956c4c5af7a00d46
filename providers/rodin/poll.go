package rodin

import "time"

// The defaults of PollConfig. Rodin makes a model in a minute or two, and Deemos's own clients
// poll every 1.5 to 5 s; frequent status calls "may be throttled", so the waits grow to 15 s.
const (
	defaultFirst = 2 * time.Second
	defaultMax   = 15 * time.Second
)

// maxRetryAfter caps how long one Retry-After can hold a job between two polls.
const maxRetryAfter = 10 * time.Minute
