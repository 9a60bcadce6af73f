package scope_test

import (
	"context"
	"testing"
	"time"

	"github.com/notion-auth-proxy/notion-auth-proxy/scope"
)

// TestTTL: links are believed for the TTL from when they were learned or
// fetched, then fetched again.
func TestTTL(t *testing.T) {
	for _, tt := range []struct {
		name string
		ttl  time.Duration
		want time.Duration
	}{
		{"default", 0, 10 * time.Minute},
		{"option", time.Minute, time.Minute},
	} {
		t.Run(tt.name, func(t *testing.T) {
			clk := newClock()
			f := newFakeFetch(chainParents())
			tree := scope.New(scope.Options{Fetch: f.fetch, TTL: tt.ttl, Now: clk.Now})
			roots := mustRoots(t, root)
			if err := tree.Learn(credential, blk, page(row)); err != nil {
				t.Fatal(err)
			}
			decide := func() {
				t.Helper()
				if ok, err := tree.Within(context.Background(), credential, blk, scope.Block, roots); !ok || err != nil {
					t.Fatalf("Within = %v, %v", ok, err)
				}
			}
			clk.advance(time.Nanosecond)
			decide() // fetches row, ds and db, a nanosecond after the block was learned
			clk.advance(tt.want - 2*time.Nanosecond)
			decide()
			if f.callsOf(blk) != 0 || f.callsOf(row) != 1 {
				t.Fatalf("before the TTL: fetched the block %d times, the row %d", f.callsOf(blk), f.callsOf(row))
			}
			clk.advance(time.Nanosecond)
			if _, ok := tree.Lookup(credential, blk); ok {
				t.Error("a link is believed at its TTL")
			}
			decide()
			if f.callsOf(blk) != 1 || f.callsOf(row) != 1 {
				t.Errorf("at the TTL: fetched the block %d times, the row %d; want 1, 1",
					f.callsOf(blk), f.callsOf(row))
			}
			// The row, fetched later, expires later.
			clk.advance(time.Nanosecond)
			decide()
			if f.callsOf(row) != 2 || f.callsOf(blk) != 1 {
				t.Errorf("fetched the row %d times, the block %d; want 2, 1", f.callsOf(row), f.callsOf(blk))
			}
		})
	}
}

// TestEviction: at the bound the least recently used link goes.
func TestEviction(t *testing.T) {
	tree := scope.New(scope.Options{Size: 3})
	for i := range 3 {
		if err := tree.Learn(credential, id(i), scope.TopLevel); err != nil {
			t.Fatal(err)
		}
	}
	if _, ok := tree.Lookup(credential, id(0)); !ok { // id(1) is now the oldest
		t.Fatal("lost a link below the bound")
	}
	if err := tree.Learn(credential, id(3), scope.TopLevel); err != nil {
		t.Fatal(err)
	}
	if tree.Len() != 3 {
		t.Errorf("tree holds %d links, bound 3", tree.Len())
	}
	for i, want := range []bool{true, false, true, true} {
		if _, ok := tree.Lookup(credential, id(i)); ok != want {
			t.Errorf("link %d kept: %v, want %v", i, ok, want)
		}
	}
}

// TestDefaultSize: the default bound holds 100 000 links.
func TestDefaultSize(t *testing.T) {
	tree := scope.New(scope.Options{})
	for i := range scope.DefaultSize + 1 {
		if err := tree.Learn(credential, id(i), scope.TopLevel); err != nil {
			t.Fatal(err)
		}
	}
	if tree.Len() != scope.DefaultSize {
		t.Errorf("tree holds %d links, want %d", tree.Len(), scope.DefaultSize)
	}
	if _, ok := tree.Lookup(credential, id(0)); ok {
		t.Error("the oldest link survived the bound")
	}
}
