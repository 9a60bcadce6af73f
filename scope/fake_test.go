package scope_test

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/notion-auth-proxy/notion-auth-proxy/scope"
)

// id returns a distinct canonical Notion id for n.
func id(n int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012x", n) }

// fakeFetch is a FetchFunc over a map of parents that counts its calls.
// With gate set, every call waits for a value from it.
type fakeFetch struct {
	parents map[string]scope.Parent
	// next, when set, answers for ids parents does not hold.
	next func(id string) (scope.Parent, error)
	gate chan struct{}

	mu       sync.Mutex
	calls    map[string]int
	hints    map[string]scope.ObjectType
	inFlight int
}

func newFakeFetch(parents map[string]scope.Parent) *fakeFetch {
	return &fakeFetch{parents: parents, calls: map[string]int{}, hints: map[string]scope.ObjectType{}}
}

func (f *fakeFetch) fetch(ctx context.Context, _, id string, hint scope.ObjectType) (scope.Parent, error) {
	f.mu.Lock()
	f.calls[id]++
	f.hints[id] = hint
	f.inFlight++
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.inFlight--
		f.mu.Unlock()
	}()
	if f.gate != nil {
		select {
		case <-f.gate:
		case <-ctx.Done():
			return scope.Parent{}, ctx.Err()
		}
	}
	if p, ok := f.parents[id]; ok {
		return p, nil
	}
	if f.next != nil {
		return f.next(id)
	}
	return scope.Parent{}, fmt.Errorf("retrieve %s: %w", id, scope.ErrNotFound)
}

// total returns the number of calls so far and how many are running.
func (f *fakeFetch) total() (calls, inFlight int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, n := range f.calls {
		calls += n
	}
	return calls, f.inFlight
}

func (f *fakeFetch) callsOf(id string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[id]
}

// clock is a settable clock for Options.Now.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}
