package credstore

import (
	"context"
	"crypto/rand"
	"fmt"
	mrand "math/rand/v2"
	"sync"
	"time"
)

// How often a waiter tries a held Redis lock again, with jitter.
const (
	redisLockMinWait = 5 * time.Millisecond
	redisLockMaxWait = 100 * time.Millisecond
	// releaseTimeout bounds the release of a lock whose holder's context
	// has ended.
	releaseTimeout = 5 * time.Second
)

// fenceKey finds, in a context returned by RedisStore.Lock, the token that
// holds the lock key.
type fenceKey struct{ lockKey string }

// extendScript renews a lock if it still holds the caller's token;
// unlockScript deletes it on the same condition. Neither touches a lock
// that expired and was taken by another holder.
const (
	extendScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
`
	unlockScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`
)

// Lock takes the named credential's refresh lock: a key set, only if
// absent, to a random token that expires after LockTTL. While held, it is
// renewed every third of LockTTL; if renewal finds the token gone, or
// cannot reach Redis before the lock would expire, the held context ends
// with ErrLockLost. A CompareAndSwap made with the held context is fenced:
// Redis applies it only while the key still holds this token. Lock waits
// until the lock is free or ctx ends, and fails at once, wrapping
// ErrUnavailable, when Redis cannot be reached: a refresh must not run
// unlocked. The returned unlock may be called more than once.
func (s *RedisStore) Lock(ctx context.Context, name string) (context.Context, func(), error) {
	if err := ValidName(name); err != nil {
		return nil, nil, fmt.Errorf("lock credential: %w", err)
	}
	key, token := s.lockKey(name), rand.Text()
	if err := s.acquire(ctx, key, token); err != nil {
		return nil, nil, fmt.Errorf("lock credential %s: %w", name, err)
	}
	held, lost := context.WithCancelCause(context.WithValue(ctx, fenceKey{key}, token))
	stop := make(chan struct{})
	if !s.spawn(func() { s.keepAlive(held, lost, key, token, stop) }) {
		lost(ErrLockLost) // the store is closed: nothing renews the lock
	}
	var once sync.Once
	unlock := func() {
		once.Do(func() {
			close(stop)
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
			defer cancel()
			err := s.unlock.Run(rctx, s.rdb, []string{key}, token).Err()
			_ = s.check(rctx, err) // an unreleased lock expires by itself
			lost(context.Canceled)
		})
	}
	return held, unlock, nil
}

// acquire sets key to token if it is absent, trying again with a jittered
// backoff while another holder has it.
func (s *RedisStore) acquire(ctx context.Context, key, token string) error {
	wait := redisLockMinWait
	for {
		ok, err := s.rdb.SetNX(ctx, key, token, s.lockTTL).Result()
		if err = s.check(ctx, err); err != nil {
			return err
		}
		if ok {
			return nil
		}
		t := time.NewTimer(wait/2 + mrand.N(wait/2+1))
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-s.done:
			t.Stop()
			return fmt.Errorf("%s is closed: %w", s, ErrUnavailable)
		case <-t.C:
		}
		wait = min(2*wait, redisLockMaxWait)
	}
}

// keepAlive renews the lock until stop is closed or held ends. It declares
// the lock lost when the token is gone, or when Redis stays unreachable
// so long that the lock may expire before the next renewal.
func (s *RedisStore) keepAlive(held context.Context, lost context.CancelCauseFunc, key, token string, stop <-chan struct{}) {
	every := s.lockTTL / 3
	t := time.NewTicker(every)
	defer t.Stop()
	expires := time.Now().Add(s.lockTTL)
	for {
		select {
		case <-stop:
			return
		case <-held.Done():
			return
		case <-s.done:
			lost(ErrLockLost)
			return
		case <-t.C:
		}
		start := time.Now()
		rctx, cancel := context.WithTimeout(context.WithoutCancel(held), every)
		n, err := s.extend.Run(rctx, s.rdb, []string{key}, token, s.lockTTL.Milliseconds()).Int()
		cancel()
		switch {
		case s.check(rctx, err) == nil && n == 1:
			expires = start.Add(s.lockTTL)
		case err == nil:
			lost(ErrLockLost) // expired and maybe taken by another holder
			return
		case !time.Now().Add(every).Before(expires):
			lost(ErrLockLost) // the next renewal could come too late
			return
		}
	}
}
