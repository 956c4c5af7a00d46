package app

import (
	"os"
	"path/filepath"
	"sync"
)

// hashCache remembers the SHA-256 of the models the library has verified, so that listing the
// library (the window does on every visit) does not read every model again. An entry holds while
// the file's identity is unchanged: its size, modification time and, where the system has them,
// its inode, device and change time (which no program can set back). A file changed in any of
// these is hashed again.
type hashCache struct {
	mu sync.Mutex
	m  map[string]cachedHash
}

type cachedHash struct {
	id  fileID
	sum string
}

// fileID is what tells that a file may have changed without reading it.
type fileID struct {
	size, mtime int64
	ino, dev    uint64
	ctime       int64
}

// sum returns the SHA-256 of the file at path, from the cache when the file is unchanged.
func (c *hashCache) sum(path string) (string, error) {
	before, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	id := identify(before)
	c.mu.Lock()
	got, ok := c.m[path]
	c.mu.Unlock()
	if ok && got.id == id {
		return got.sum, nil
	}
	sum, _, err := hashFile(path)
	if err != nil {
		return "", err
	}
	// A file that changed while it was read, or so recently that a change to come might keep its
	// times (see fileID.racy), is not remembered: the next look reads it again.
	if after, err := os.Stat(path); err == nil && identify(after) == id && !id.racy() {
		c.mu.Lock()
		if c.m == nil {
			c.m = map[string]cachedHash{}
		}
		c.m[path] = cachedHash{id: id, sum: sum}
		c.mu.Unlock()
	}
	return sum, nil
}

func identify(fi os.FileInfo) fileID {
	id := fileID{size: fi.Size(), mtime: fi.ModTime().UnixNano()}
	systemIdentity(fi, &id)
	return id
}

// seed remembers sum as the SHA-256 of the file at path if the file's identity is still sig (as
// fileSig writes it): the index knows the hashes of models it verified in an earlier run.
func (c *hashCache) seed(path, sig, sum string) {
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return
	}
	fi, err := os.Stat(real)
	if err != nil || sig == racySig || identify(fi).String() != sig {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]cachedHash{}
	}
	c.m[real] = cachedHash{id: identify(fi), sum: sum}
}

// forget drops every remembered hash.
func (c *hashCache) forget() {
	c.mu.Lock()
	c.m = nil
	c.mu.Unlock()
}
