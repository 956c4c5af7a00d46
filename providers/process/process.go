// Package process tells whether another process is still running, so that what a dead Kiln left
// behind (a temporary file, a job it was working on) is taken over at once, and a live one's never.
package process
