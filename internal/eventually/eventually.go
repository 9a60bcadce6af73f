// Package eventually waits, in tests, for a condition that another
// goroutine or process makes true: a log line, a served token, a
// subscription.
//
// Every polling wait in the tests goes through True or Require, so all of
// them share one deadline, long enough for a loaded machine running the
// race detector, and a short poll, so that a wait ends soon after its
// event. Inside a testing/synctest bubble the waits run on the bubble's
// fake clock.
//
// A condition must only look; a wait that a test needs in order to pass
// (for a goroutine to get somewhere) belongs in the condition, never in a
// sleep before it.
package eventually

import (
	"testing"
	"time"
)

const (
	// Timeout is how long True and Require wait for a condition.
	Timeout = 15 * time.Second
	// Poll is how long they wait between two calls of the condition.
	Poll = 10 * time.Millisecond
)

// True calls cond every Poll until it returns true, and reports whether it
// did so within Timeout. cond is called at least once.
func True(cond func() bool) bool { return Within(Timeout, cond) }

// Within is True with the deadline d in place of Timeout, for a test whose
// deadline is what it checks ("within 2 s of the change").
func Within(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for !cond() {
		if !time.Now().Before(deadline) {
			return false
		}
		time.Sleep(Poll)
	}
	return true
}

// Require waits like True and, if cond never returned true, ends the test
// with a message naming what it waited for. Like t.Fatal, it must be called
// from the goroutine running the test.
func Require(t testing.TB, what string, cond func() bool) {
	t.Helper()
	if !True(cond) {
		t.Fatalf("gave up after %s waiting for %s", Timeout, what)
	}
}
