//go:build unix && !linux

package app

import (
	"os"
	"syscall"
)

// systemIdentity adds the inode and device to id (the change time's field differs by system).
func systemIdentity(fi os.FileInfo, id *fileID) {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		id.ino, id.dev = uint64(st.Ino), uint64(st.Dev)
	}
}
