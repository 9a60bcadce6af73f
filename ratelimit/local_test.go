package ratelimit

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"
)

func TestLocal(t *testing.T) {
	for _, sc := range slices.Concat(sharedScenarios, localScenarios) {
		t.Run(sc.name, func(t *testing.T) {
			clock := newFakeClock()
			l := NewLocal(clock.now)
			play(t, sc, "partner", []pacer{l}, clock, time.Microsecond, func() time.Duration { return 0 })
		})
	}
}

// TestLocalKeysAreApart: each key has its own bucket and its own pause.
func TestLocalKeysAreApart(t *testing.T) {
	clock := newFakeClock()
	l := NewLocal(clock.now)
	ctx := context.Background()
	l.Pause(ctx, "paused", time.Minute)
	for range 3 {
		l.Take(ctx, "busy", 1, 1, forever)
	}
	if wait, _, ok := l.Take(ctx, "idle", 1, 1, forever); !ok || wait != 0 {
		t.Errorf("an idle key waits %s behind the others' turns and pauses", wait)
	}
}

// TestLocalConcurrent: takes, pauses and limit changes from many goroutines
// race on one Local (run with -race), and the takes of a steady key still
// get exactly the turns one caller would have had.
func TestLocalConcurrent(t *testing.T) {
	const (
		goroutines = 8
		each       = 50
		burst      = 5
	)
	clock := newFakeClock()
	l := NewLocal(clock.now)
	ctx := context.Background()
	waits := make([]time.Duration, goroutines*each)
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range each {
				w, _, _ := l.Take(ctx, "steady", 10, burst, forever)
				waits[g*each+i] = w
				// A reload changing another key's limits, a 429 on it,
				// and a client leaving.
				_, cancel, _ := l.Take(ctx, "reloaded", float64(1+(g+i)%3), 1+i%4, forever)
				l.Pause(ctx, "reloaded", time.Duration(i)*time.Millisecond)
				cancel()
			}
		})
	}
	wg.Wait()
	slices.Sort(waits)
	for i, w := range waits {
		want := time.Duration(max(i+1-burst, 0)) * 100 * time.Millisecond
		if d := w - want; d < -time.Microsecond || d > time.Microsecond {
			t.Fatalf("turn %d waits %s, want %s: turns were booked twice or lost", i+1, w, want)
		}
	}
}
