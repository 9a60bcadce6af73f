// Package atomicfile writes files so that a crash leaves the old content or
// the new, never a mix: a synced temporary file in the same directory,
// renamed (or linked) into place, and the directory synced (on Windows, which
// cannot sync a directory, the rename writes through instead). The credential
// store and the forward-proxy CA keep their secrets with it. It imports no
// other package of this project.
package atomicfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Steps of a write, in order, as a Fault sees them.
const (
	StepCreate  = "create"
	StepWrite   = "write"
	StepSync    = "sync"
	StepClose   = "close"
	StepRename  = "rename"
	StepSyncDir = "syncdir"
)

// A Fault, consulted before each step of a write, makes that step fail
// when it returns an error: tests use it to crash a write at each point.
// Nil never fails.
type Fault func(step string) error

func (f Fault) at(step string) error {
	if f == nil {
		return nil
	}
	return f(step)
}

// WriteTemp writes data to a new file in dir whose name is pattern with a
// random part for its last "*" (as os.CreateTemp), with mode perm, synced
// and closed, and returns its name. On failure nothing is left behind.
func WriteTemp(dir, pattern string, data []byte, perm fs.FileMode, fault Fault) (name string, err error) {
	if err := fault.at(StepCreate); err != nil {
		return "", err
	}
	f, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return "", err
	}
	name = f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(name)
		}
	}()
	// CreateTemp asks for 0600, but the umask may have taken bits away.
	if err := f.Chmod(perm); err != nil {
		return "", err
	}
	if err := fault.at(StepWrite); err != nil {
		return "", err
	}
	if _, err := f.Write(data); err != nil {
		return "", err
	}
	if err := fault.at(StepSync); err != nil {
		return "", err
	}
	if err := f.Sync(); err != nil {
		return "", err
	}
	if err := fault.at(StepClose); err != nil {
		return "", err
	}
	return name, f.Close()
}

// Replace puts data at path with mode perm, replacing what was there: it
// writes a temporary file in path's directory (named pattern, see
// WriteTemp), renames it over path and syncs the directory. Readers, and
// whoever looks after a crash, see the old file or the new one. A failure
// at the last step (syncing the directory) leaves the new file in place.
func Replace(path, pattern string, data []byte, perm fs.FileMode, fault Fault) error {
	dir := filepath.Dir(path)
	tmp, err := WriteTemp(dir, pattern, data, perm, fault)
	if err != nil {
		return err
	}
	if err := fault.at(StepRename); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := fault.at(StepSyncDir); err != nil {
		return err
	}
	return SyncDir(dir)
}

// MkdirPrivate creates dir, and any missing parent, with mode 0700. A
// directory that already exists is left as its owner made it.
func MkdirPrivate(dir string) error {
	if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
		return nil
	}
	if parent := filepath.Dir(dir); parent != dir {
		if err := MkdirPrivate(parent); err != nil {
			return err
		}
	}
	if err := os.Mkdir(dir, 0o700); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil
		}
		return err
	}
	// The umask may have taken bits from the mode Mkdir asked for.
	return os.Chmod(dir, 0o700)
}

// RemoveLeftovers deletes the regular files in dir whose names start with
// prefix and that were last modified before olderThan: temporary files of
// writes that crashed. A zero olderThan removes them all (the caller holds
// a lock that no write in progress could). Failing to remove one does no
// harm.
func RemoveLeftovers(dir, prefix string, olderThan time.Time) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), prefix) || !e.Type().IsRegular() {
			continue
		}
		if !olderThan.IsZero() {
			if fi, err := e.Info(); err != nil || !fi.ModTime().Before(olderThan) {
				continue
			}
		}
		os.Remove(filepath.Join(dir, e.Name()))
	}
}
