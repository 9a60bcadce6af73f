package ratelimit

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Local books turns in this process only: one token bucket
// (golang.org/x/time/rate) and one pause per key. It is safe for
// concurrent use.
type Local struct {
	now func() time.Time

	mu   sync.Mutex
	keys map[string]*localKey
}

// localKey is one key's state, guarded by Local.mu.
type localKey struct {
	lim         *rate.Limiter // nil until the key is first paced
	pausedUntil time.Time
}

// NewLocal returns a Local that reads the time from now, or from
// time.Now when now is nil.
func NewLocal(now func() time.Time) *Local {
	if now == nil {
		now = time.Now
	}
	return &Local{now: now, keys: make(map[string]*localKey)}
}

// noop is the cancel of a Take that booked nothing.
func noop() {}

// Take books one turn for key at rate turns per second with burst, no
// earlier than the end of key's pause, and returns how long the caller
// must wait for it. A turn that would wait longer than maxWait is not
// booked: ok is false and wait says how long it would have been. rate <= 0
// means no pacing, only the pause applies; burst < 1 counts as 1. A rate or
// burst that differs from the last Take's applies at once to the tokens
// the bucket holds: it is not refilled. ctx is not used: Take never blocks.
func (l *Local) Take(_ context.Context, key string, r float64, burst int, maxWait time.Duration) (time.Duration, func(), bool) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	k := l.key(key)
	paused := max(k.pausedUntil.Sub(now), 0)
	if r <= 0 {
		return paused, noop, paused <= maxWait
	}
	// The turn is reserved for when the pause ends, so turns booked
	// behind a pause keep their order and their spacing.
	at := now.Add(paused)
	lim := k.limiter(at, rate.Limit(r), max(burst, 1))
	res := lim.ReserveN(at, 1)
	wait := paused + res.DelayFrom(at)
	if wait > maxWait {
		res.CancelAt(at) // the last booking: exactly undone
		return wait, noop, false
	}
	var once sync.Once
	cancel := func() {
		once.Do(func() {
			// Undo at the pause's end at the earliest, where the bucket's
			// clock stands, so that a cancel does not refill the pause.
			res.CancelAt(maxTime(l.now(), at))
		})
	}
	return wait, cancel, true
}

// Pause holds key's turns for d from now. A shorter pause never cuts a
// longer one short.
func (l *Local) Pause(_ context.Context, key string, d time.Duration) {
	if d <= 0 {
		return
	}
	until := l.now().Add(d)
	l.mu.Lock()
	defer l.mu.Unlock()
	if k := l.key(key); until.After(k.pausedUntil) {
		k.pausedUntil = until
	}
}

// pausedFor returns how long key is still paused at now.
func (l *Local) pausedFor(key string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if k, ok := l.keys[key]; ok {
		return max(k.pausedUntil.Sub(now), 0)
	}
	return 0
}

// key returns key's state, made on first use. l.mu must be held.
func (l *Local) key(key string) *localKey {
	k, ok := l.keys[key]
	if !ok {
		k = &localKey{}
		l.keys[key] = k
	}
	return k
}

// limiter returns k's limiter set to limit and burst at t. A limiter kept
// from earlier Takes takes the new limits in place, keeping its tokens, so
// that a reload does not refill the bucket.
func (k *localKey) limiter(t time.Time, limit rate.Limit, burst int) *rate.Limiter {
	if k.lim == nil {
		k.lim = rate.NewLimiter(limit, burst)
		return k.lim
	}
	if k.lim.Limit() != limit {
		k.lim.SetLimitAt(t, limit)
	}
	if k.lim.Burst() != burst {
		k.lim.SetBurstAt(t, burst)
	}
	return k.lim
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// Close releases nothing: Local holds no outside resources. It lets Local
// and Redis be closed alike.
func (l *Local) Close() error { return nil }
