package scope_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"

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
