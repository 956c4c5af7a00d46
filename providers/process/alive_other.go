//go:build !unix

package process

// Alive cannot tell on this system: known is false, and callers fall back on age or leases.
func Alive(int) (alive, known bool) { return false, false }
