package eventually

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

const never = -1

func TestWithin(t *testing.T) {
	for _, tc := range []struct {
		name       string
		readyAfter time.Duration // never: cond stays false
		deadline   time.Duration
		want       bool
		waited     time.Duration // at least, and at most one Poll more
	}{
		{"already true", 0, Timeout, true, 0},
		{"true in time", time.Second, Timeout, true, time.Second},
		{"never true", never, Timeout, false, Timeout},
		{"true too late", 3 * time.Second, 2 * time.Second, false, 2 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var ready atomic.Bool
				if tc.readyAfter != never {
					time.AfterFunc(tc.readyAfter, func() { ready.Store(true) })
				}
				synctest.Wait() // a zero delay has fired
				start := time.Now()
				got := Within(tc.deadline, ready.Load)
				waited := time.Since(start)
				if got != tc.want || waited < tc.waited || waited > tc.waited+Poll {
					t.Errorf("Within = %v after %s; want %v after %s", got, waited, tc.want, tc.waited)
				}
			})
		})
	}
}

// fatalRecorder is a testing.TB whose Fatalf records instead of ending
// the test.
type fatalRecorder struct {
	testing.TB
	fatal string
}

func (r *fatalRecorder) Helper() {}

func (r *fatalRecorder) Fatalf(format string, args ...any) { r.fatal = fmt.Sprintf(format, args...) }

func TestRequire(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := &fatalRecorder{TB: t}
		Require(r, "the thing", func() bool { return true })
		if r.fatal != "" {
			t.Errorf("a true condition failed the test: %s", r.fatal)
		}
		Require(r, "the thing", func() bool { return false })
		if !strings.Contains(r.fatal, "the thing") || !strings.Contains(r.fatal, Timeout.String()) {
			t.Errorf("a condition that stayed false: %q, want a failure naming what and how long", r.fatal)
		}
		if !True(func() bool { return true }) {
			t.Error("True of a true condition is false")
		}
	})
}
