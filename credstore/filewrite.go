package credstore

import (
	"os"
	"path/filepath"
	"strings"
)

// tempPrefix starts the names of the temporary files a write goes through,
// so that a crash's leftovers can be recognised and removed.
func (s *FileStore) tempPrefix() string {
	return "." + filepath.Base(s.path) + ".tmp-"
}

// writeAtomic replaces the store file with b: it writes a temporary file in
// the same directory, syncs and closes it, renames it over the store file
// and syncs the directory. Readers see the old file or the new one, never a
// mix, and so does whoever looks after a crash. The caller holds the store
// lock, so no other write is under way.
func (s *FileStore) writeAtomic(b []byte) error {
	if err := s.step("create"); err != nil {
		return err
	}
	f, err := os.CreateTemp(s.dir, s.tempPrefix()+"*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	renamed := false
	defer func() {
		if !renamed {
			f.Close()
			os.Remove(tmp)
		}
	}()
	// CreateTemp asks for 0600, but the umask may have taken bits away.
	if err := f.Chmod(0o600); err != nil {
		return err
	}
	if err := s.step("write"); err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		return err
	}
	if err := s.step("sync"); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := s.step("close"); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := s.step("rename"); err != nil {
		return err
	}
	if err := os.Rename(tmp, s.path); err != nil {
		return err
	}
	renamed = true
	s.removeLeftovers()
	if err := s.step("syncdir"); err != nil {
		return err
	}
	return syncDir(s.dir)
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// removeLeftovers deletes temporary files that earlier writes left behind
// when they crashed. It runs under the store lock, so none of them belongs
// to a write still under way. Failing to remove one does no harm.
func (s *FileStore) removeLeftovers() {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return
	}
	prefix := s.tempPrefix()
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), prefix) && e.Type().IsRegular() {
			os.Remove(filepath.Join(s.dir, e.Name()))
		}
	}
}
