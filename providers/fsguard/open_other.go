//go:build !unix

package fsguard

import "os"

// openNoBlock opens path. Outside unix there is no FIFO in the file system to block on (a
// Windows named pipe lives under \\.\pipe\, which Stat does not report as a regular file).
func openNoBlock(path string) (*os.File, error) { return os.Open(path) }

// noBlockFlags is plain reading outside unix (see openNoBlock).
const noBlockFlags = os.O_RDONLY

func restoreBlocking(*os.File) error { return nil }
