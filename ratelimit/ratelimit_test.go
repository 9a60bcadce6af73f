package ratelimit

import (
	"context"
	"sync"
	"time"
)

// pacer is the interface the proxy declares for what this package
// provides, copied exactly so that a drift breaks the build of these tests.
type pacer interface {
	Take(ctx context.Context, key string, rate float64, burst int, maxWait time.Duration) (wait time.Duration, cancel func(), ok bool)
	Pause(ctx context.Context, key string, d time.Duration)
}

var (
	_ pacer = (*Local)(nil)
	_ pacer = (*Redis)(nil)
)

// fakeClock is a clock that moves only when told to.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// forever is a max wait that refuses nothing.
const forever = time.Hour
