package ratelimit

import (
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"
)

// health decides whether a call goes to Redis: always while Redis answers;
// once per interval while it does not, so that an outage costs one
// request a timeout per interval rather than every request. It logs each
// change once. It is safe for concurrent use.
type health struct {
	log      *zap.Logger
	now      func() time.Time
	interval time.Duration
	replicas int

	degraded atomic.Bool // read without mu on every call

	mu        sync.Mutex
	nextProbe time.Time // while degraded, when the next call may try Redis
}

// try reports whether a call should go to Redis now.
func (h *health) try() bool {
	if !h.degraded.Load() {
		return true
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.degraded.Load() {
		return true
	}
	now := h.now()
	if now.Before(h.nextProbe) {
		return false
	}
	// This call is the probe; the others keep pacing locally meanwhile.
	h.nextProbe = now.Add(h.interval)
	return true
}

// failed records that a call for key did not reach Redis, because of err.
func (h *health) failed(key string, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.nextProbe = h.now().Add(h.interval)
	if h.degraded.Swap(true) {
		return
	}
	// go-redis errors name the address and the failure, never the password.
	h.log.Warn("Redis cannot be reached; pacing locally at this replica's share of each rate limit",
		zap.String("event", "rate_limit_degraded"),
		zap.String("key", key),
		zap.String("error", err.Error()),
		zap.Int("replicas", h.replicas))
}

// answered records that Redis answered a call for key.
func (h *health) answered(key string) {
	if !h.degraded.Load() {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.degraded.Swap(false) {
		return
	}
	h.log.Info("Redis answers again; pacing with the shared rate limit budget",
		zap.String("event", "rate_limit_restored"),
		zap.String("key", key))
}
