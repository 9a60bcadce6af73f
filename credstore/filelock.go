package credstore

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// maxNameLen keeps a lock file's name within every file system's limit.
const maxNameLen = 200

// ValidName reports whether name is a credential name, and so safe as a
// file name and in URL paths and headers: 1 to 200 characters matching
// ^[A-Za-z0-9][A-Za-z0-9_.-]*$. Its error does not repeat name. The
// configuration checks names with it, so a name it accepts is one every
// store accepts.
func ValidName(name string) error {
	if name == "" || len(name) > maxNameLen {
		return errors.New("credential name must be 1 to 200 characters")
	}
	for i, c := range []byte(name) {
		alnum := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		if !alnum && (i == 0 || c != '_' && c != '.' && c != '-') {
			return errors.New("credential name must match ^[A-Za-z0-9][A-Za-z0-9_.-]*$")
		}
	}
	return nil
}

// Lock takes the named credential's refresh lock: an exclusive flock on
// <dir>/locks/<name>.lock (see lockCredentialFile).
func (s *FileStore) Lock(ctx context.Context, name string) (context.Context, func(), error) {
	return lockCredentialFile(ctx, s.locksDir, name)
}

// lockCredentialFile takes the named credential's refresh lock: an
// exclusive flock on <locksDir>/<name>.lock, creating the directory if need
// be. Each call opens the lock file anew, so the lock excludes other
// goroutines of this process as well as other processes. It waits until the
// lock is free or ctx ends. An flock is never lost while its file is open,
// so the held context ends only with ctx or unlock. The returned unlock
// releases the lock and may be called more than once.
func lockCredentialFile(ctx context.Context, locksDir, name string) (context.Context, func(), error) {
	if err := ValidName(name); err != nil {
		return nil, nil, fmt.Errorf("lock credential: %w", err)
	}
	if err := ensureDir(locksDir); err != nil {
		return nil, nil, fmt.Errorf("lock credential %s: %w", name, err)
	}
	release, err := acquireFlock(ctx, filepath.Join(locksDir, name+".lock"))
	if err != nil {
		return nil, nil, fmt.Errorf("lock credential %s: %w", name, err)
	}
	held, cancel := context.WithCancel(ctx)
	return held, func() { cancel(); release() }, nil
}

// Lock files are polled rather than waited on with a blocking flock, which
// could not be abandoned when ctx ends.
const (
	lockMinWait = time.Millisecond
	lockMaxWait = 20 * time.Millisecond
)

// acquireFlock opens path (creating it 0600) and takes an exclusive flock on
// it, retrying with a short backoff until it succeeds or ctx ends. The lock
// files stay in place: removing one could let two holders lock different
// files of the same name.
func acquireFlock(ctx context.Context, path string) (func(), error) {
	// Read-only is enough for flock, and works even if a umask left the
	// file without its owner's write bit.
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	wait := lockMinWait
	for {
		ok, err := tryFlock(f)
		if err != nil {
			f.Close()
			return nil, err
		}
		if ok {
			break
		}
		t := time.NewTimer(wait/2 + rand.N(wait/2+1))
		select {
		case <-ctx.Done():
			t.Stop()
			f.Close()
			return nil, ctx.Err()
		case <-t.C:
		}
		wait = min(2*wait, lockMaxWait)
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			unflock(f)
			f.Close()
		})
	}, nil
}
