//go:build !unix

package inspect

import "errors"

// mkfifo: no named pipes in the file system here; the FIFO tests skip.
func mkfifo(string) error { return errors.ErrUnsupported }
