package credstore

import (
	"path/filepath"
	"time"

	"github.com/notion-auth-proxy/notion-auth-proxy/internal/atomicfile"
)

// tempPrefix starts the names of the temporary files a write goes through,
// so that a crash's leftovers can be recognised and removed.
func (s *FileStore) tempPrefix() string {
	return "." + filepath.Base(s.path) + ".tmp-"
}

// writeAtomic replaces the store file with b (see atomicfile.Replace):
// readers see the old file or the new one, never a mix, and so does
// whoever looks after a crash. The caller holds the store lock, so no other
// write is under way and every temporary file a crashed write left behind
// can be removed.
func (s *FileStore) writeAtomic(b []byte) error {
	err := atomicfile.Replace(s.path, s.tempPrefix()+"*", b, 0o600, s.step)
	atomicfile.RemoveLeftovers(s.dir, s.tempPrefix(), time.Time{})
	return err
}
