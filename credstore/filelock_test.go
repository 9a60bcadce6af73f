package credstore

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// The lock tests run in synctest bubbles: a waiting Lock sleeps on the
// bubble's clock, so when a bubble's wait ends, every Lock started before
// it has tried the held lock and is waiting to try again.

func TestFileStoreLockExcludesGoroutinesAndProcesses(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "credentials.json")
		a, b := openTestStore(t, path, nil), openTestStore(t, path, nil) // b stands for another process
		_, unlock, err := a.Lock(context.Background(), "wiki")
		if err != nil {
			t.Fatal(err)
		}
		checkLockExcludes(t, a, b, 30*time.Millisecond)
		waiter := lockWaiter(b)
		select {
		case err := <-waiter:
			t.Fatalf("Lock returned while the lock was held: %v", err)
		case <-time.After(30 * time.Millisecond):
		}
		checkReleaseLetsWaiterIn(t, unlock, waiter)
	})
}

func TestFileStoreLockHonoursCanceledContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := openTestStore(t, filepath.Join(t.TempDir(), "credentials.json"), nil)
		_, unlock, err := s.Lock(context.Background(), "wiki")
		if err != nil {
			t.Fatal(err)
		}
		defer unlock()
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			synctest.Wait() // until the Lock below is waiting for the held lock
			cancel()
		}()
		if _, _, err := s.Lock(ctx, "wiki"); !errors.Is(err, context.Canceled) {
			t.Errorf("Lock after cancel: %v, want context.Canceled", err)
		}
	})
}

// TestFileStoreLockedUpdatesLoseNothing runs the refresh pattern, Lock, Get,
// CompareAndSwap, from many goroutines of two stores on one file (two
// processes). Every update must land: versions rise one by one and the
// counter in the token ends at the number of updates.
func TestFileStoreLockedUpdatesLoseNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "credentials.json")
	stores := []*FileStore{openTestStore(t, path, nil), openTestStore(t, path, nil)}
	const workers, rounds = 12, 8
	var mu sync.Mutex
	seen := map[int64]bool{}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			s := stores[w%2]
			last := int64(0)
			for range rounds {
				v, err := lockedIncrement(s)
				if err != nil {
					t.Error(err)
					return
				}
				if v <= last {
					t.Errorf("version went from %d to %d", last, v)
				}
				last = v
				mu.Lock()
				if seen[v] {
					t.Errorf("version %d written twice", v)
				}
				seen[v] = true
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	got, err := stores[0].Get(context.Background(), "wiki")
	if err != nil || got.Version != workers*rounds || got.AccessToken.Reveal() != strconv.Itoa(workers*rounds) {
		t.Errorf("after %d updates: version %d, counter %s, %v", workers*rounds, got.Version, got.AccessToken.Reveal(), err)
	}
}

func lockedIncrement(s *FileStore) (int64, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, unlock, err := s.Lock(ctx, "wiki")
	if err != nil {
		return 0, err
	}
	defer unlock()
	cur, err := s.Get(ctx, "wiki")
	if errors.Is(err, ErrNotFound) {
		cur, err = Record{AccessToken: "0"}, nil
	}
	if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(cur.AccessToken.Reveal())
	if err != nil {
		return 0, err
	}
	next, err := s.CompareAndSwap(ctx, "wiki", cur.Version, Record{AccessToken: Secret(strconv.Itoa(n + 1))})
	if err != nil {
		return 0, fmt.Errorf("CAS under the lock: %w", err)
	}
	return next.Version, nil
}

// TestFileStoreCompareAndSwapAcrossStores has two stores on one file race
// optimistic updates without Lock. The store lock must make each
// compare-and-swap atomic: every success is one more update, none lost.
func TestFileStoreCompareAndSwapAcrossStores(t *testing.T) {
	path := filepath.Join(t.TempDir(), "credentials.json")
	stores := []*FileStore{openTestStore(t, path, testKey(1)), openTestStore(t, path, testKey(1))}
	ctx := context.Background()
	const workers, rounds = 8, 6
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			s := stores[w%2]
			for done := 0; done < rounds; {
				cur, err := s.Get(ctx, "counter")
				if errors.Is(err, ErrNotFound) {
					cur, err = Record{AccessToken: "0"}, nil
				}
				if err != nil {
					t.Error(err)
					return
				}
				n, _ := strconv.Atoi(cur.AccessToken.Reveal())
				_, err = s.CompareAndSwap(ctx, "counter", cur.Version, Record{AccessToken: Secret(strconv.Itoa(n + 1))})
				if errors.Is(err, ErrConflict) {
					continue
				}
				if err != nil {
					t.Error(err)
					return
				}
				done++
			}
		})
	}
	wg.Wait()
	got, err := stores[1].Get(ctx, "counter")
	if err != nil || got.Version != workers*rounds || got.AccessToken.Reveal() != strconv.Itoa(workers*rounds) {
		t.Errorf("after %d successful swaps: version %d, counter %s, %v", workers*rounds, got.Version, got.AccessToken.Reveal(), err)
	}
}

func TestFileStoreCompareAndSwapWaitsForStoreLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "credentials.json")
	a, b := openTestStore(t, path, nil), openTestStore(t, path, nil)
	mustCAS(t, a, "wiki", 0, pair(oldAccess, oldRefresh))
	unlock, err := acquireFlock(context.Background(), a.lockPath) // another process mid-write
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	if _, err := b.CompareAndSwap(ctx, "wiki", 1, pair(newAccess, newRefresh)); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("CAS while another writer holds the store lock: %v", err)
	}
	unlock()
	mustCAS(t, b, "wiki", 1, pair(newAccess, newRefresh))
}
