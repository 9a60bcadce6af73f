package credstore

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/notion-auth-proxy/notion-auth-proxy/internal/eventually"
)

// The lock contract every Store backend keeps, checked by each backend's
// lock test. a holds the lock on "wiki"; b is another process or replica.

// checkLockExcludes asserts that neither a (another goroutine) nor b
// (another process) can take a's held lock on "wiki", and that the lock
// does not block another credential's.
func checkLockExcludes(t *testing.T, a, b Store, wait time.Duration) {
	t.Helper()
	ctx := context.Background()
	for who, s := range map[string]Store{"another goroutine": a, "another process": b} {
		short, cancel := context.WithTimeout(ctx, wait)
		_, _, err := s.Lock(short, "wiki")
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "wiki") {
			t.Errorf("%s took a held lock: %v", who, err)
		}
	}
	_, other, err := b.Lock(ctx, "partner")
	if err != nil {
		t.Fatalf("a held lock blocked another credential's: %v", err)
	}
	other()
}

// lockWaiter starts b waiting for the lock on "wiki"; the channel reports
// how the wait ended.
func lockWaiter(b Store) <-chan error {
	done := make(chan error, 1)
	go func() {
		_, unlock, err := b.Lock(context.Background(), "wiki")
		if err == nil {
			unlock()
		}
		done <- err
	}()
	return done
}

// checkReleaseLetsWaiterIn releases a's lock twice (the second call must be
// harmless) and asserts that the waiter then takes it.
func checkReleaseLetsWaiterIn(t *testing.T, unlock func(), waiter <-chan error) {
	t.Helper()
	unlock()
	unlock()
	select {
	case err := <-waiter:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(eventually.Timeout):
		t.Fatal("a released lock was not taken")
	}
}
