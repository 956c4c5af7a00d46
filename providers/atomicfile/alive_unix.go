//go:build unix

package atomicfile

import (
	"errors"
	"syscall"
)

// processAlive asks the system whether process pid exists: signal 0 checks without sending.
// EPERM means it exists but belongs to someone else.
func processAlive(pid int) (alive, known bool) {
	err := syscall.Kill(pid, 0)
	switch {
	case err == nil, errors.Is(err, syscall.EPERM):
		return true, true
	case errors.Is(err, syscall.ESRCH):
		return false, true
	}
	return false, false
}
