package local

import (
	"path/filepath"

	"github.com/kiln3d/kiln/providers/atomicfile"
)

// writeAtomic replaces dir/name with data so that a reader, or a crash at any moment, sees either
// the old file or the whole new one.
func writeAtomic(dir, name string, data []byte) error {
	return atomicfile.WriteBytes(filepath.Join(dir, name), 0o644, data)
}
