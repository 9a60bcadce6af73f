package credstore

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

// RedisOptions configure a RedisStore.
type RedisOptions struct {
	// Addr is the server's host:port; default 127.0.0.1:6379.
	Addr string
	// Password authenticates to the server; empty for none.
	Password Secret
	// DB is the database number.
	DB int
	// KeyPrefix starts every key and the notice channel, so that several
	// deployments can share one server.
	KeyPrefix string
	// Key is a 32-byte AES-256-GCM key (see ParseKey); nil stores
	// plaintext JSON.
	Key []byte
	// PollInterval is how often Changes re-reads every record's version,
	// in case a notice was missed, and checks the server; default 1s.
	PollInterval time.Duration
	// LockTTL is how long a refresh lock outlives a holder that stops
	// renewing it (a crashed process); default 10s. Holders renew it
	// every third of that while they work.
	LockTTL time.Duration
}

// RedisStore is a Store kept in Redis, shared by every replica of a
// deployment. Each record is a hash holding its version and its (possibly
// encrypted) data; writes are compare-and-swap scripts that also check the
// writer's refresh lock and publish a notice. It is safe for concurrent use
// by many goroutines and processes.
type RedisStore struct {
	rdb      *redis.Client
	addr     string
	db       int
	prefix   string
	key      []byte
	poll     time.Duration
	lockTTL  time.Duration
	namesKey string // a set of every stored credential's name
	channel  string // where writes are announced

	cas, extend, unlock *redis.Script // casScript, extendScript, unlockScript

	healthMu sync.RWMutex
	health   error // the last call's failure to reach Redis, or nil

	mu     sync.Mutex // guards closed and wg.Add
	closed bool
	done   chan struct{} // closed by Close
	wg     sync.WaitGroup
}

var (
	_ Store          = (*RedisStore)(nil)
	_ HealthReporter = (*RedisStore)(nil)
)

// OpenRedis returns the store kept in the Redis server opts.Addr. It does
// not wait for the server: a replica may start while Redis is down, and
// reports the store unavailable until it answers.
func OpenRedis(opts RedisOptions) (*RedisStore, error) {
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:6379"
	}
	if opts.Key != nil && len(opts.Key) != keySize {
		return nil, fmt.Errorf("open credential store redis %s: encryption key is %d bytes, want %d", opts.Addr, len(opts.Key), keySize)
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = time.Second
	}
	if opts.LockTTL <= 0 {
		opts.LockTTL = 10 * time.Second
	}
	s := &RedisStore{
		rdb: redis.NewClient(&redis.Options{
			Addr:     opts.Addr,
			Password: opts.Password.Reveal(),
			DB:       opts.DB,
			// Fail fast when Redis is gone: a refresh then fails closed
			// and the replica reports not ready within a poll or two.
			DialTimeout:           2 * time.Second,
			ReadTimeout:           2 * time.Second,
			WriteTimeout:          2 * time.Second,
			MaxRetries:            1,
			DialerRetries:         2,
			ContextTimeoutEnabled: true,
			DisableIdentity:       true,
			MaintNotificationsConfig: &maintnotifications.Config{
				Mode: maintnotifications.ModeDisabled,
			},
		}),
		addr:     opts.Addr,
		db:       opts.DB,
		prefix:   opts.KeyPrefix,
		poll:     opts.PollInterval,
		lockTTL:  opts.LockTTL,
		namesKey: opts.KeyPrefix + "credentials",
		channel:  opts.KeyPrefix + "changes",
		done:     make(chan struct{}),
		cas:      redis.NewScript(casScript),
		extend:   redis.NewScript(extendScript),
		unlock:   redis.NewScript(unlockScript),
	}
	if opts.Key != nil {
		s.key = append([]byte(nil), opts.Key...)
	}
	return s, nil
}

// String names the store for messages: "redis HOST:PORT db N".
func (s *RedisStore) String() string { return fmt.Sprintf("redis %s db %d", s.addr, s.db) }

// Health returns nil while Redis answers, else why it did not the last
// time it was called.
func (s *RedisStore) Health() error {
	s.healthMu.RLock()
	defer s.healthMu.RUnlock()
	return s.health
}

// Get returns the named credential's record, or ErrNotFound.
func (s *RedisStore) Get(ctx context.Context, name string) (Record, error) {
	vals, err := s.rdb.HMGet(ctx, s.recordKey(name), "v", "data").Result()
	if err = s.check(ctx, err); err != nil {
		return Record{}, fmt.Errorf("read credential %s: %w", name, err)
	}
	return s.decode(name, vals)
}

// List returns every record, sorted by credential name.
func (s *RedisStore) List(ctx context.Context) ([]Record, error) {
	names, err := s.rdb.SMembers(ctx, s.namesKey).Result()
	if err = s.check(ctx, err); err != nil {
		return nil, fmt.Errorf("list credentials: %w", err)
	}
	sort.Strings(names)
	pipe := s.rdb.Pipeline()
	cmds := make([]*redis.SliceCmd, len(names))
	for i, name := range names {
		cmds[i] = pipe.HMGet(ctx, s.recordKey(name), "v", "data")
	}
	_, err = pipe.Exec(ctx)
	if err = s.check(ctx, err); err != nil {
		return nil, fmt.Errorf("list credentials: %w", err)
	}
	out := make([]Record, 0, len(names))
	for i, name := range names {
		rec, err := s.decode(name, cmds[i].Val())
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

// casScript writes a record if its version is the expected one and, when a
// fence is given, only while that fence still holds the credential's lock.
// It announces the write on the notice channel.
//
// KEYS: record, names set, lock. ARGV: expected version, data, name,
// channel, fence ("" for none). Returns {1, new version}, {0, current
// version} on a version mismatch, or {-1, 0} when the lock is not held.
const casScript = `
if ARGV[5] ~= '' and redis.call('GET', KEYS[3]) ~= ARGV[5] then
  return {-1, 0}
end
local cur = tonumber(redis.call('HGET', KEYS[1], 'v') or '0')
if cur ~= tonumber(ARGV[1]) then
  return {0, cur}
end
redis.call('HSET', KEYS[1], 'v', cur + 1, 'data', ARGV[2])
redis.call('SADD', KEYS[2], ARGV[3])
redis.call('PUBLISH', ARGV[4], ARGV[3])
return {1, cur + 1}
`

// CompareAndSwap writes rec as the named credential's record if the stored
// record's Version equals version (0: none is stored), and returns it with
// Version set to version+1. Otherwise it returns ErrConflict. When ctx was
// returned by Lock for this credential, the write is refused with
// ErrLockLost unless that lock is still held: a holder whose lock expired
// and was taken by another process must not overwrite its work.
func (s *RedisStore) CompareAndSwap(ctx context.Context, name string, version int64, rec Record) (Record, error) {
	if err := ValidName(name); err != nil {
		return Record{}, fmt.Errorf("store credential: %w", err)
	}
	if version < 0 {
		return Record{}, fmt.Errorf("store credential %s: version %d is negative", name, version)
	}
	rec.Credential, rec.Version = name, version+1
	data, err := s.encode(rec)
	if err != nil {
		return Record{}, fmt.Errorf("store credential %s: %w", name, err)
	}
	fence, _ := ctx.Value(fenceKey{s.lockKey(name)}).(string)
	res, err := s.cas.Run(ctx, s.rdb, []string{s.recordKey(name), s.namesKey, s.lockKey(name)},
		version, data, name, s.channel, fence).Int64Slice()
	if err = s.check(ctx, err); err != nil {
		return Record{}, fmt.Errorf("store credential %s: %w", name, err)
	}
	switch {
	case len(res) != 2:
		return Record{}, fmt.Errorf("store credential %s: unexpected reply from %s", name, s)
	case res[0] == -1:
		return Record{}, fmt.Errorf("store credential %s: %w", name, ErrLockLost)
	case res[0] == 0:
		return Record{}, fmt.Errorf("store credential %s: stored version %d, expected %d: %w", name, res[1], version, ErrConflict)
	}
	return rec, nil
}

// Close stops the store's watchers and lock renewals and closes its
// connections. Locks still held expire on their own. It is safe to call
// more than once.
func (s *RedisStore) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.done)
	s.mu.Unlock()
	s.wg.Wait()
	return s.rdb.Close()
}

// spawn runs fn in a goroutine that Close waits for, unless the store is
// closed.
func (s *RedisStore) spawn(fn func()) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		fn()
	}()
	return true
}

func (s *RedisStore) recordKey(name string) string { return s.prefix + "credential:" + name }
func (s *RedisStore) lockKey(name string) string   { return s.prefix + "lock:" + name }

// check records whether Redis answered and returns err, wrapped with
// ErrUnavailable when Redis could not be reached. redis.Nil (no such key)
// is an answer; a cancelled ctx says nothing about Redis.
func (s *RedisStore) check(ctx context.Context, err error) error {
	switch {
	case err == nil || errors.Is(err, redis.Nil):
		s.setHealth(nil)
		return nil
	case ctx.Err() != nil:
		if cause := context.Cause(ctx); cause != ctx.Err() {
			return fmt.Errorf("%w: %w", ctx.Err(), cause)
		}
		return ctx.Err()
	}
	err = fmt.Errorf("%s: %w: %w", s, ErrUnavailable, err)
	s.setHealth(err)
	return err
}

func (s *RedisStore) setHealth(err error) {
	s.healthMu.Lock()
	defer s.healthMu.Unlock()
	s.health = err
}
