package scope_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/notion-auth-proxy/notion-auth-proxy/scope"
)

// TestWithinSharesFetches starts many decisions about one unknown chain at
// once: each level is fetched once, by one of them, while the others wait.
func TestWithinSharesFetches(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const callers = 8
		f := newFakeFetch(chainParents())
		f.gate = make(chan struct{})
		tree := scope.New(scope.Options{Fetch: f.fetch})
		roots := mustRoots(t, root)
		results := make(chan error, callers)
		for range callers {
			go func() {
				ok, err := tree.Within(context.Background(), credential, cmt, scope.Comment, roots)
				if err == nil && !ok {
					err = errors.New("out of scope")
				}
				results <- err
			}()
		}
		levels := []string{cmt, blk, row, ds, db}
		for i, id := range levels {
			synctest.Wait() // every caller waits for the one fetch
			calls, inFlight := f.total()
			if calls != i+1 || inFlight != 1 || f.callsOf(id) != 1 {
				t.Fatalf("level %d: %d fetches, %d in flight, %d of %s; want %d, 1, 1",
					i, calls, inFlight, f.callsOf(id), id, i+1)
			}
			f.gate <- struct{}{}
		}
		for range callers {
			if err := <-results; err != nil {
				t.Error(err)
			}
		}
		if calls, _ := f.total(); calls != len(levels) {
			t.Errorf("%d fetches for %d levels", calls, len(levels))
		}
	})
}

// TestWithinWaiterGivesUp: a caller whose context ends stops waiting, and
// the fetch it started still completes for the tree and the others.
func TestWithinWaiterGivesUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFakeFetch(chainParents())
		f.gate = make(chan struct{})
		tree := scope.New(scope.Options{Fetch: f.fetch})
		roots := mustRoots(t, root)
		ctx, cancel := context.WithCancel(context.Background())
		gaveUp := make(chan error, 1)
		go func() {
			_, err := tree.Within(ctx, credential, db, scope.Database, roots)
			gaveUp <- err
		}()
		synctest.Wait() // the caller who will give up started the fetch
		var wg sync.WaitGroup
		var patient bool
		wg.Go(func() {
			patient, _ = tree.Within(context.Background(), credential, db, scope.Database, roots)
		})
		synctest.Wait()
		cancel()
		if err := <-gaveUp; !errors.Is(err, context.Canceled) {
			t.Errorf("the caller who gave up got %v, want context.Canceled", err)
		}
		f.gate <- struct{}{}
		wg.Wait()
		if !patient {
			t.Error("the caller who waited got out of scope")
		}
		if p, ok := tree.Lookup(credential, db); !ok || p != page(root) {
			t.Errorf("learned %v, %v; want the fetched parent", p, ok)
		}
		if f.callsOf(db) != 1 {
			t.Errorf("%d fetches, want 1", f.callsOf(db))
		}
	})
}

// TestMoveDuringFetch: a move learned while a lookup of the same object
// runs is fresher than the lookup's answer, and wins.
func TestMoveDuringFetch(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFakeFetch(chainParents()) // the block is still in the row
		f.gate = make(chan struct{})
		tree := scope.New(scope.Options{Fetch: f.fetch})
		for id, p := range chainParents() {
			if id != blk {
				if err := tree.Learn(credential, id, p); err != nil {
					t.Fatal(err)
				}
			}
		}
		type result struct {
			ok  bool
			err error
		}
		done := make(chan result, 1)
		go func() {
			ok, err := tree.Within(context.Background(), credential, blk, scope.Block, mustRoots(t, root))
			done <- result{ok, err}
		}()
		synctest.Wait()
		if err := tree.Moved(credential, blk, page(out)); err != nil {
			t.Fatal(err)
		}
		f.gate <- struct{}{}
		if r := <-done; r.ok || r.err != nil {
			t.Errorf("Within = %v, %v; want false: the block moved out", r.ok, r.err)
		}
		if p, _ := tree.Lookup(credential, blk); p != page(out) {
			t.Errorf("parent = %v, want the page it moved to", p)
		}
	})
}

// TestFetchTimeout: a lookup that hangs ends after Options.FetchTimeout,
// with the object out of scope.
func TestFetchTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFakeFetch(chainParents())
		f.gate = make(chan struct{}) // never opened
		tree := scope.New(scope.Options{Fetch: f.fetch, FetchTimeout: time.Second})
		start := time.Now()
		ok, err := tree.Within(context.Background(), credential, blk, scope.Block, mustRoots(t, root))
		if ok || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Within = %v, %v; want false, context.DeadlineExceeded", ok, err)
		}
		if waited := time.Since(start); waited != time.Second {
			t.Errorf("waited %v, want the fetch timeout", waited)
		}
	})
}

// TestConcurrentUse runs learning, forgetting, filtering and decisions at
// once, for the race detector.
func TestConcurrentUse(t *testing.T) {
	f := newFakeFetch(chainParents())
	tree := scope.New(scope.Options{Fetch: f.fetch, Size: 4})
	roots := mustRoots(t, root)
	body := []byte(`{"object":"list","results":[{"object":"block","id":"` + blk + `","parent":{"type":"page_id","page_id":"` + row + `"}}]}`)
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			for range 200 {
				switch i {
				case 0:
					tree.LearnJSON(credential, body)
				case 1:
					tree.Forget(credential, row)
				default:
					if ok, err := tree.Within(context.Background(), credential, cmt, scope.Comment, roots); !ok || err != nil {
						t.Errorf("Within = %v, %v", ok, err)
						return
					}
				}
			}
		})
	}
	wg.Wait()
}
