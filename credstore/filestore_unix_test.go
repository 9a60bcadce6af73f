//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd

package credstore

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func TestFileStorePermissions(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state", "notion-auth-proxy")
	// A umask that takes the owner's write bit shows that the modes are
	// set, not merely requested. No test in this package runs in parallel,
	// so changing the process's umask here is safe.
	old := syscall.Umask(0o277)
	t.Cleanup(func() { syscall.Umask(old) })
	path := filepath.Join(dir, "credentials.json")
	s := openTestStore(t, path, nil)
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("OpenFile created the file: %v", err)
	}
	mustCAS(t, s, "wiki", 0, pair(oldAccess, oldRefresh))
	_, unlock, err := s.Lock(context.Background(), "wiki")
	if err != nil {
		t.Fatal(err)
	}
	unlock()
	syscall.Umask(old)

	for p, want := range map[string]os.FileMode{
		dir: os.ModeDir | 0o700, path: 0o600, filepath.Join(dir, "locks"): os.ModeDir | 0o700,
	} {
		if fi, err := os.Stat(p); err != nil {
			t.Error(err)
		} else if fi.Mode() != want {
			t.Errorf("%s has mode %v, want %v", p, fi.Mode(), want)
		}
	}
	// Lock files hold nothing, but no one else may take them.
	for _, p := range []string{filepath.Join(dir, "locks", "wiki.lock"), path + ".lock"} {
		if fi, err := os.Stat(p); err != nil {
			t.Error(err)
		} else if fi.Mode().Perm()&0o077 != 0 {
			t.Errorf("lock file %s has mode %v", p, fi.Mode())
		}
	}
}

func TestFileStoreLeavesExistingDirectoryAlone(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "shared")
	if err := os.Mkdir(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o750)
	mustCAS(t, openTestStore(t, filepath.Join(dir, "credentials.json"), nil), "wiki", 0, pair(oldAccess, oldRefresh))
	if fi, _ := os.Stat(dir); fi.Mode().Perm() != 0o750 {
		t.Errorf("an existing directory's mode changed to %v", fi.Mode().Perm())
	}
	if fi, _ := os.Stat(filepath.Join(dir, "credentials.json")); fi.Mode().Perm() != 0o600 {
		t.Errorf("file mode %v, want 0600", fi.Mode().Perm())
	}
}
