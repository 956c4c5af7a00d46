package app

import (
	"os"
	"syscall"
)

// systemIdentity adds the inode, device and change time to id.
func systemIdentity(fi os.FileInfo, id *fileID) {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		id.ino, id.dev = st.Ino, uint64(st.Dev)
		id.ctime = st.Ctim.Nano()
	}
}
