//go:build unix

package process

import (
	"errors"
	"syscall"
)

// Alive asks the system whether process pid exists (known says it could tell): signal 0 checks
// without sending.
// EPERM means it exists but belongs to someone else.
func Alive(pid int) (alive, known bool) {
	err := syscall.Kill(pid, 0)
	switch {
	case err == nil, errors.Is(err, syscall.EPERM):
		return true, true
	case errors.Is(err, syscall.ESRCH):
		return false, true
	}
	return false, false
}
