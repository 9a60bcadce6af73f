package credstore

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/zalando/go-keyring"
)

// KeychainService is the service the keychain store's items are kept
// under unless KeychainOptions.Service says otherwise.
const KeychainService = "notion-auth-proxy"

// KeychainOptions configure a KeychainStore.
type KeychainOptions struct {
	// Service names the items' service; default KeychainService.
	Service string
	// LockDir holds the store's lock files: keychain.lock, held while a
	// write reads and changes items, and locks/<name>.lock, the refresh
	// locks. Default StateDir(); it is created with the first write.
	LockDir string
	// Key is a 32-byte AES-256-GCM key (see ParseKey); nil stores
	// plaintext JSON in each item.
	Key []byte
	// PollInterval is how often Changes reads the index item; default 1s.
	PollInterval time.Duration
	// Timeout bounds each keychain call, which go-keyring cannot cancel;
	// default 15s, time enough to answer a prompt of the keychain. A call
	// not answered in time fails with ErrUnavailable, and so do the calls
	// after it until it returns. A write given up on may still land; the
	// write lock is held until it has returned, so it cannot land over a
	// later write.
	Timeout time.Duration
}

// KeychainStore is a Store kept in the OS keychain through go-keyring: the
// macOS Keychain, the Windows Credential Manager, or the Secret Service
// (over D-Bus) on Linux and the BSDs. It is for the processes of one
// user's session.
//
// Each credential is one item, user = its name, holding its version and
// the record the file store keeps (sealed with Key when one is set). The
// keychain cannot list items, so one more item, user ".index", holds the
// names written and a count of writes (see CompareAndSwap for why this
// survives a crash). Writes take a lock file in LockDir, so that reading,
// comparing and writing an item is atomic across processes; refresh locks
// are lock files there too, as in FileStore. It is safe for concurrent use
// by many goroutines and processes.
type KeychainStore struct {
	service  string
	lockPath string // held while a write reads and changes items
	locksDir string // per-credential refresh locks
	key      []byte
	poll     time.Duration
	timeout  time.Duration

	healthMu sync.RWMutex
	health   error // the last call's failure to reach the keychain, or nil

	stuckMu sync.Mutex
	stuck   <-chan struct{} // the done channel of the last call given up on

	// fail, when set by a test, is consulted before each write of a
	// CompareAndSwap ("index": adding the name, "item", "count": raising
	// the count of writes); an error makes that write fail, as a crash
	// there would leave it undone.
	fail func(step string) error
}

var (
	_ Store          = (*KeychainStore)(nil)
	_ HealthReporter = (*KeychainStore)(nil)
)

// OpenKeychain returns the store kept in the keychain under opts.Service.
// It neither creates nor reads anything: a keychain that cannot be reached
// is reported by the calls that need it, as ErrUnavailable.
func OpenKeychain(opts KeychainOptions) (*KeychainStore, error) {
	if opts.Service == "" {
		opts.Service = KeychainService
	}
	if opts.Key != nil && len(opts.Key) != keySize {
		return nil, fmt.Errorf("open credential store keychain: encryption key is %d bytes, want %d", len(opts.Key), keySize)
	}
	dir := opts.LockDir
	if dir == "" {
		d, err := StateDir()
		if err != nil {
			return nil, fmt.Errorf("open credential store keychain: %w", err)
		}
		dir = d
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("open credential store keychain: lock directory: %w", err)
	}
	s := &KeychainStore{
		service:  opts.Service,
		lockPath: filepath.Join(dir, "keychain.lock"),
		locksDir: filepath.Join(dir, "locks"),
		poll:     opts.PollInterval,
		timeout:  opts.Timeout,
	}
	if s.poll <= 0 {
		s.poll = time.Second
	}
	if s.timeout <= 0 {
		s.timeout = 15 * time.Second
	}
	if opts.Key != nil {
		s.key = append([]byte(nil), opts.Key...)
	}
	return s, nil
}

// String names the store for messages: "the keychain (service SERVICE)".
func (s *KeychainStore) String() string { return "the keychain (service " + s.service + ")" }

// Get returns the named credential's record, or ErrNotFound.
func (s *KeychainStore) Get(ctx context.Context, name string) (Record, error) {
	if err := ValidName(name); err != nil {
		return Record{}, fmt.Errorf("read credential: %w: %w", err, ErrNotFound)
	}
	data, err := s.get(ctx, name)
	if errors.Is(err, keyring.ErrNotFound) {
		return Record{}, fmt.Errorf("credential %s: %w", name, ErrNotFound)
	}
	if err != nil {
		return Record{}, fmt.Errorf("read credential %s: %w", name, err)
	}
	return s.decodeItem(name, data)
}

// List returns every record, sorted by credential name: those the index
// names. A name without an item (a write that crashed, an item deleted in
// a keychain app) is skipped.
func (s *KeychainStore) List(ctx context.Context) ([]Record, error) {
	idx, err := s.readIndex(ctx)
	if err != nil {
		return nil, fmt.Errorf("list credentials: %w", err)
	}
	out := make([]Record, 0, len(idx.Names))
	for _, name := range idx.Names {
		rec, err := s.Get(ctx, name)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, rec)
	}
	return out, nil
}

// CompareAndSwap writes rec as the named credential's record if the stored
// record's Version equals version (0: none is stored), and returns it with
// Version set to version+1. Otherwise it returns ErrConflict. The item is
// written in one keychain call, so a crash leaves the old record or the
// new one.
//
// The index is written around it, under the same lock: a new name is added
// before its item is written, so that a crash can leave a name without an
// item (List skips it) but never an item List cannot find; the count of
// writes is raised after the item is written, so that a watcher that sees
// it finds the new item. Failing to raise it does not fail the write,
// which has landed; watchers then find it by their periodic full read.
func (s *KeychainStore) CompareAndSwap(ctx context.Context, name string, version int64, rec Record) (Record, error) {
	if err := ValidName(name); err != nil {
		return Record{}, fmt.Errorf("store credential: %w", err)
	}
	if version < 0 {
		return Record{}, fmt.Errorf("store credential %s: version %d is negative", name, version)
	}
	if err := ensureDir(filepath.Dir(s.lockPath)); err != nil {
		return Record{}, fmt.Errorf("store credential %s: %w", name, err)
	}
	unlock, err := acquireFlock(ctx, s.lockPath)
	if err != nil {
		return Record{}, fmt.Errorf("lock credential store %s: %w", s, err)
	}
	w := &keychainWrite{s: s, ctx: ctx}
	defer w.release(unlock)

	cur, err := s.storedVersion(ctx, name)
	if err != nil {
		return Record{}, fmt.Errorf("store credential %s: %w", name, err)
	}
	if cur != version {
		return Record{}, fmt.Errorf("store credential %s: stored version %d, expected %d: %w", name, cur, version, ErrConflict)
	}
	idx, err := s.readIndex(ctx)
	if err != nil {
		return Record{}, fmt.Errorf("store credential %s: %w", name, err)
	}
	if !slices.Contains(idx.Names, name) {
		idx.Names = append(idx.Names, name)
		slices.Sort(idx.Names)
		idx.Writes++
		if err := w.setIndex("index", idx); err != nil {
			return Record{}, fmt.Errorf("store credential %s: %w", name, err)
		}
	}
	rec.Credential, rec.Version = name, version+1
	data, err := s.encodeItem(rec)
	if err != nil {
		return Record{}, fmt.Errorf("store credential %s: %w", name, err)
	}
	if err := w.set("item", name, data); err != nil {
		return Record{}, fmt.Errorf("store credential %s: %w", name, err)
	}
	idx.Writes++
	_ = w.setIndex("count", idx) // see above: the record is stored either way
	return rec, nil
}

// Lock takes the named credential's refresh lock: an exclusive flock on
// LockDir/locks/<name>.lock, as FileStore.Lock does.
func (s *KeychainStore) Lock(ctx context.Context, name string) (context.Context, func(), error) {
	return lockCredentialFile(ctx, s.locksDir, name)
}

// Close releases nothing: locks are released by their unlock functions and
// Changes pollers end with their contexts. It is safe to call more than once.
func (s *KeychainStore) Close() error { return nil }

// storedVersion returns the version of the named credential's item, 0 if
// there is none.
func (s *KeychainStore) storedVersion(ctx context.Context, name string) (int64, error) {
	data, err := s.get(ctx, name)
	if errors.Is(err, keyring.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	item, err := s.parseItem(name, data)
	return item.Version, err
}

// readIndex returns the index item; none is an empty index.
func (s *KeychainStore) readIndex(ctx context.Context) (keychainIndex, error) {
	data, err := s.get(ctx, keychainIndexUser)
	if errors.Is(err, keyring.ErrNotFound) {
		return keychainIndex{}, nil
	}
	if err != nil {
		return keychainIndex{}, err
	}
	return s.decodeIndex(data)
}

// keychainWrite is the writes of one CompareAndSwap, made under the store's
// write lock.
type keychainWrite struct {
	s       *KeychainStore
	ctx     context.Context
	pending <-chan struct{} // closed when the last write has returned
}

func (w *keychainWrite) set(step, user, data string) error {
	if w.s.fail != nil {
		if err := w.s.fail(step); err != nil {
			return fmt.Errorf("%s: %w", step, err)
		}
	}
	done, err := w.s.set(w.ctx, user, data)
	w.pending = done
	return err
}

func (w *keychainWrite) setIndex(step string, idx keychainIndex) error {
	data, err := encodeIndex(idx)
	if err != nil {
		return err
	}
	return w.set(step, keychainIndexUser, data)
}

// release unlocks the store once the last write has returned. A write
// given up on may still land; holding the lock until it does keeps it
// from landing over a later writer's.
func (w *keychainWrite) release(unlock func()) {
	if w.pending == nil {
		unlock()
		return
	}
	select {
	case <-w.pending:
		unlock()
	default:
		go func() {
			<-w.pending
			unlock()
		}()
	}
}
