package credstore

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/notion-auth-proxy/notion-auth-proxy/internal/atomicfile"
)

// FileOptions configure a FileStore.
type FileOptions struct {
	// Path is the store file; "" means DefaultPath().
	Path string
	// Key is a 32-byte AES-256-GCM key (see ParseKey); nil stores
	// plaintext JSON.
	Key []byte
	// PollInterval is how often Changes looks at the file; default 1s.
	PollInterval time.Duration
}

// FileStore is a Store kept in one JSON file, for the processes of one host.
// Writes replace the file atomically under a cross-process lock on a sibling
// lock file; reads take no lock. It is safe for concurrent use by many
// goroutines and processes.
type FileStore struct {
	path     string
	dir      string
	lockPath string // held while a write reads, changes and replaces the file
	locksDir string // per-credential refresh locks
	key      []byte
	poll     time.Duration

	// fail, when set by a test, is consulted before each step of a write
	// ("create", "write", "sync", "close", "rename", "syncdir"); an error
	// makes that step fail.
	fail func(step string) error
}

var _ Store = (*FileStore)(nil)

// DefaultPath returns the default store file, credentials.json in
// StateDir().
func DefaultPath() (string, error) {
	dir, err := StateDir()
	if err != nil {
		return "", fmt.Errorf("default credential store path: %w", err)
	}
	return filepath.Join(dir, "credentials.json"), nil
}

// StateDir returns the directory that holds the proxy's state by default:
// $XDG_STATE_HOME/notion-auth-proxy, where XDG_STATE_HOME defaults to
// $HOME/.local/state, or on Windows to %LOCALAPPDATA%. Whatever is kept
// there is created with mode 0700.
func StateDir() (string, error) {
	state := os.Getenv("XDG_STATE_HOME")
	if !filepath.IsAbs(state) { // the XDG spec says to ignore relative paths
		state = defaultStateHome(runtime.GOOS)
	}
	if state == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("state directory: %w", err)
		}
		state = filepath.Join(home, ".local", "state")
	}
	return filepath.Join(state, "notion-auth-proxy"), nil
}

// defaultStateHome is where per-user state lives on goos when XDG_STATE_HOME
// is not set: on Windows the local application data folder, elsewhere ""
// (the XDG default under the home directory).
func defaultStateHome(goos string) string {
	if local := os.Getenv("LOCALAPPDATA"); goos == "windows" && filepath.IsAbs(local) {
		return local
	}
	return ""
}

// OpenFile returns the store kept in opts.Path. It creates nothing: the
// directory and file appear with the first write, and a missing file is an
// empty store. A damaged or undecryptable file is reported by the calls that
// read it, never replaced.
func OpenFile(opts FileOptions) (*FileStore, error) {
	path := opts.Path
	if path == "" {
		p, err := DefaultPath()
		if err != nil {
			return nil, err
		}
		path = p
	}
	path, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("credential store path: %w", err)
	}
	if opts.Key != nil && len(opts.Key) != keySize {
		return nil, fmt.Errorf("open credential store %s: encryption key is %d bytes, want %d", path, len(opts.Key), keySize)
	}
	poll := opts.PollInterval
	if poll <= 0 {
		poll = time.Second
	}
	dir := filepath.Dir(path)
	s := &FileStore{
		path:     path,
		dir:      dir,
		lockPath: path + ".lock",
		locksDir: filepath.Join(dir, "locks"),
		poll:     poll,
	}
	if opts.Key != nil {
		s.key = append([]byte(nil), opts.Key...)
	}
	return s, nil
}

// Path returns the store file's path.
func (s *FileStore) Path() string { return s.path }

// String names the store for messages: "file PATH".
func (s *FileStore) String() string { return "file " + s.path }

// Get returns the named credential's record, or ErrNotFound.
func (s *FileStore) Get(ctx context.Context, name string) (Record, error) {
	if err := ctx.Err(); err != nil {
		return Record{}, err
	}
	d, err := s.read()
	if err != nil {
		return Record{}, err
	}
	fr, ok := d.Credentials[name]
	if !ok {
		return Record{}, fmt.Errorf("credential %s: %w", name, ErrNotFound)
	}
	return fr.record(name), nil
}

// List returns every record, sorted by credential name.
func (s *FileStore) List(ctx context.Context) ([]Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	d, err := s.read()
	if err != nil {
		return nil, err
	}
	return d.records(), nil
}

// CompareAndSwap writes rec as the named credential's record if the stored
// record's Version equals version (0: none is stored), and returns it with
// Version set to version+1. Otherwise it returns ErrConflict. Other records
// are kept. A crash leaves the old file or the new one; an error after the
// file was replaced (syncing its directory) means the new record is visible
// but may not survive a power loss.
func (s *FileStore) CompareAndSwap(ctx context.Context, name string, version int64, rec Record) (Record, error) {
	if err := ValidName(name); err != nil {
		return Record{}, fmt.Errorf("store credential: %w", err)
	}
	if version < 0 {
		return Record{}, fmt.Errorf("store credential %s: version %d is negative", name, version)
	}
	if err := ensureDir(s.dir); err != nil {
		return Record{}, err
	}
	unlock, err := acquireFlock(ctx, s.lockPath)
	if err != nil {
		return Record{}, fmt.Errorf("lock credential store %s: %w", s.path, err)
	}
	defer unlock()

	d, err := s.read()
	if err != nil {
		return Record{}, err
	}
	if cur := d.Credentials[name].Version; cur != version {
		return Record{}, fmt.Errorf("store credential %s: stored version %d, expected %d: %w", name, cur, version, ErrConflict)
	}
	rec.Credential = name
	rec.Version = version + 1
	d.Credentials[name] = toFileRecord(rec)
	b, err := encodeFile(d, s.key)
	if err != nil {
		return Record{}, fmt.Errorf("write credential store %s: %w", s.path, err)
	}
	if err := s.writeAtomic(b); err != nil {
		return Record{}, fmt.Errorf("write credential store %s: %w", s.path, err)
	}
	return rec, nil
}

// Close releases nothing: locks are released by their unlock functions and
// Changes pollers end with their contexts. It is safe to call more than once.
func (s *FileStore) Close() error { return nil }

// read returns the stored document; a missing file is an empty store.
func (s *FileStore) read() (fileDoc, error) {
	b, err := os.ReadFile(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return newFileDoc(), nil
	}
	if err != nil {
		return fileDoc{}, fmt.Errorf("read credential store %s: %w", s.path, err)
	}
	d, err := decodeFile(b, s.key)
	if err != nil {
		return fileDoc{}, fmt.Errorf("read credential store %s: %w", s.path, err)
	}
	return d, nil
}

// ensureDir creates dir, and any missing parent, with mode 0700.
func ensureDir(dir string) error {
	if err := atomicfile.MkdirPrivate(dir); err != nil {
		return fmt.Errorf("create credential store directory: %w", err)
	}
	return nil
}

func (s *FileStore) step(name string) error {
	if s.fail == nil {
		return nil
	}
	if err := s.fail(name); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}
