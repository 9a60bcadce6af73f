package scope_test

import (
	"context"
	"errors"
	"testing"

	"github.com/notion-auth-proxy/notion-auth-proxy/scope"
)

// chain is a workspace as a fakeFetch knows it:
//
//	workspace ── root (page) ── db ── ds ── row (page) ── blk ── cmt (comment)
//	workspace ── out (page)
//	orphan: not visible (404)
var (
	root, db, ds, row, blk, cmt = id(1), id(2), id(3), id(4), id(5), id(6)
	out, orphan                 = id(7), id(8)
)

func chainParents() map[string]scope.Parent {
	return map[string]scope.Parent{
		root: scope.TopLevel, db: page(root), ds: database(db), row: dataSource(ds),
		blk: page(row), cmt: block(blk), out: scope.TopLevel,
	}
}

// TestWithinCold decides on an empty tree: each unknown level is fetched
// once, with the type its child named, and the second decision fetches
// nothing.
func TestWithinCold(t *testing.T) {
	tests := []struct {
		name    string
		id      string
		hint    scope.ObjectType
		roots   []string
		want    bool
		err     error
		fetched []string
	}{
		{"comment under the root", cmt, scope.Comment, []string{root}, true, nil, []string{cmt, blk, row, ds, db}},
		{"a root itself, unknown", root, scope.Page, []string{root}, true, nil, nil},
		{"a root given undashed in upper case", db, scope.Database, []string{"00000000000040008000000000000001"}, true, nil, []string{db}},
		{"row under a data source root", row, scope.Page, []string{ds}, true, nil, []string{row}},
		{"one of several roots", blk, scope.Block, []string{out, ds}, true, nil, []string{blk, row}},
		{"page outside", out, scope.Page, []string{root}, false, nil, []string{out}},
		{"database above a data source root", db, scope.Database, []string{ds}, false, nil, []string{db, root}},
		{"no roots", blk, scope.Block, nil, false, nil, []string{blk, row, ds, db, root}},
		{"not visible", orphan, scope.Page, []string{root}, false, scope.ErrNotFound, []string{orphan}},
		{"workspace", "", scope.Workspace, []string{root}, false, nil, nil},
		{"not a Notion id", "title", scope.Page, []string{root}, false, scope.ErrInvalidID, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeFetch(chainParents())
			tree := scope.New(scope.Options{Fetch: f.fetch})
			roots := mustRoots(t, tt.roots...)
			for round := range 2 {
				got, err := tree.Within(context.Background(), credential, tt.id, tt.hint, roots)
				if got != tt.want || !errors.Is(err, tt.err) || (tt.err == nil) != (err == nil) {
					t.Fatalf("round %d: Within = %v, %v; want %v, %v", round, got, err, tt.want, tt.err)
				}
			}
			perRound := 1
			if tt.err != nil {
				perRound = 2 // errors are not cached
			}
			calls, _ := f.total()
			if calls != perRound*len(tt.fetched) {
				t.Errorf("fetched %d times, want %d", calls, perRound*len(tt.fetched))
			}
			want := chainParents()
			for _, id := range tt.fetched {
				if f.callsOf(id) != perRound {
					t.Errorf("fetched %s %d times, want %d", id, f.callsOf(id), perRound)
				}
				if p, ok := want[id]; ok {
					if got, _ := tree.Lookup(credential, id); got != p {
						t.Errorf("learned parent of %s = %v, want %v", id, got, p)
					}
				}
			}
		})
	}
}

// TestWithinPassesHints checks that each fetch is told the type the child
// named its parent with.
func TestWithinPassesHints(t *testing.T) {
	f := newFakeFetch(chainParents())
	tree := scope.New(scope.Options{Fetch: f.fetch})
	if _, err := tree.Within(context.Background(), credential, cmt, scope.Comment, scope.Roots{}); err != nil {
		t.Fatal(err)
	}
	want := map[string]scope.ObjectType{
		cmt: scope.Comment, blk: scope.Block, row: scope.Page, ds: scope.DataSource,
		db: scope.Database, root: scope.Page,
	}
	for id, hint := range want {
		if f.hints[id] != hint {
			t.Errorf("fetch of %s had hint %v, want %v", id, f.hints[id], hint)
		}
	}
}

// TestWithinWarm decides on links learned beforehand: nothing is fetched.
func TestWithinWarm(t *testing.T) {
	f := newFakeFetch(nil)
	tree := scope.New(scope.Options{Fetch: f.fetch})
	for id, p := range chainParents() {
		if err := tree.Learn(credential, id, p); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct {
		id    string
		roots []string
		want  bool
	}{
		{cmt, []string{root}, true},
		{cmt, []string{db}, true},
		{cmt, []string{out}, false},
		{db, []string{ds}, false},
	} {
		got, err := tree.Within(context.Background(), credential, tt.id, scope.Unknown, mustRoots(t, tt.roots...))
		if got != tt.want || err != nil {
			t.Errorf("Within(%s, %v) = %v, %v; want %v", tt.id, tt.roots, got, err, tt.want)
		}
	}
	if calls, _ := f.total(); calls != 0 {
		t.Errorf("a warm tree fetched %d times", calls)
	}
}

// TestWithinPerCredential: one credential's links do not vouch for
// another's objects.
func TestWithinPerCredential(t *testing.T) {
	f := newFakeFetch(map[string]scope.Parent{blk: scope.TopLevel})
	tree := scope.New(scope.Options{Fetch: f.fetch})
	if err := tree.Learn("other", blk, page(root)); err != nil {
		t.Fatal(err)
	}
	got, err := tree.Within(context.Background(), credential, blk, scope.Block, mustRoots(t, root))
	if got || err != nil || f.callsOf(blk) != 1 {
		t.Errorf("Within = %v, %v after %d fetches; want false, nil after 1", got, err, f.callsOf(blk))
	}
}

// TestWithinFetchErrors: whatever goes wrong with a lookup, the object is
// not within, and the next decision asks again.
func TestWithinFetchErrors(t *testing.T) {
	tests := []struct {
		name   string
		answer func(string) (scope.Parent, error)
		err    error
	}{
		{"not found", func(string) (scope.Parent, error) { return scope.Parent{}, scope.ErrNotFound }, scope.ErrNotFound},
		{"upstream failure", func(string) (scope.Parent, error) { return scope.Parent{}, errBoom }, errBoom},
		{"parent of unknown type", func(string) (scope.Parent, error) { return scope.Parent{}, nil }, scope.ErrNoParent},
		{"a comment as parent", func(string) (scope.Parent, error) { return scope.Parent{Type: scope.Comment, ID: root}, nil }, scope.ErrNoParent},
		{"parent id not a Notion id", func(string) (scope.Parent, error) { return page("x"), nil }, scope.ErrInvalidID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeFetch(nil)
			f.next = tt.answer
			tree := scope.New(scope.Options{Fetch: f.fetch})
			for round := 1; round <= 2; round++ {
				got, err := tree.Within(context.Background(), credential, blk, scope.Block, mustRoots(t, root))
				if got || !errors.Is(err, tt.err) {
					t.Fatalf("Within = %v, %v; want false, %v", got, err, tt.err)
				}
				if f.callsOf(blk) != round {
					t.Fatalf("after %d decisions %d fetches", round, f.callsOf(blk))
				}
			}
		})
	}
	t.Run("no fetch function", func(t *testing.T) {
		tree := scope.New(scope.Options{})
		got, err := tree.Within(context.Background(), credential, blk, scope.Block, mustRoots(t, root))
		if got || !errors.Is(err, scope.ErrNotFound) {
			t.Errorf("Within = %v, %v; want false, ErrNotFound", got, err)
		}
	})
}

// TestWithinBoundsDepth: cycles and endless chains end with ErrTooDeep
// after at most MaxDepth links.
func TestWithinBoundsDepth(t *testing.T) {
	const depth = 8
	tests := []struct {
		name    string
		learned map[string]scope.Parent
		endless bool // every unknown id has a new parent
		want    bool
		err     error
		fetches int
	}{
		{"cycle of two", map[string]scope.Parent{id(0): page(id(1)), id(1): page(id(0))}, false, false, scope.ErrTooDeep, 0},
		{"cycle of one", map[string]scope.Parent{id(0): page(id(0))}, false, false, scope.ErrTooDeep, 0},
		{"endless chain", nil, true, false, scope.ErrTooDeep, depth},
		{"root at the depth limit", chainTo(depth), false, true, nil, 0},
		{"root past the depth limit", chainTo(depth + 1), false, false, scope.ErrTooDeep, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeFetch(nil)
			if tt.endless {
				n := 1000
				f.next = func(string) (scope.Parent, error) { n++; return page(id(n)), nil }
			}
			tree := scope.New(scope.Options{Fetch: f.fetch, MaxDepth: depth})
			for id, p := range tt.learned {
				if err := tree.Learn(credential, id, p); err != nil {
					t.Fatal(err)
				}
			}
			got, err := tree.Within(context.Background(), credential, id(0), scope.Page, mustRoots(t, id(999)))
			if got != tt.want || !errors.Is(err, tt.err) || (err == nil) != (tt.err == nil) {
				t.Errorf("Within = %v, %v; want %v, %v", got, err, tt.want, tt.err)
			}
			if calls, _ := f.total(); calls != tt.fetches {
				t.Errorf("fetched %d times, want %d", calls, tt.fetches)
			}
		})
	}
}

// chainTo returns links from id(0) up through n pages to the root id(999).
func chainTo(n int) map[string]scope.Parent {
	m := map[string]scope.Parent{}
	for i := range n - 1 {
		m[id(i)] = page(id(i + 1))
	}
	m[id(n-1)] = page(id(999))
	return m
}

func TestMovedAndForget(t *testing.T) {
	f := newFakeFetch(chainParents())
	tree := scope.New(scope.Options{Fetch: f.fetch})
	roots := mustRoots(t, root)
	decide := func(id string) bool {
		t.Helper()
		got, err := tree.Within(context.Background(), credential, id, scope.Block, roots)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	if !decide(cmt) {
		t.Fatal("comment under the root is out of scope")
	}
	calls, _ := f.total()

	// The row's block moves to the page outside: it and its comment leave.
	if err := tree.Moved(credential, blk, page(out)); err != nil {
		t.Fatal(err)
	}
	if decide(cmt) || decide(blk) {
		t.Error("moved out, still in scope")
	}
	if !decide(row) {
		t.Error("the row the block left is out of scope")
	}
	// Forgotten, the block's parent is fetched again: the fake still has
	// it in the row.
	tree.Forget(credential, blk)
	if !decide(cmt) {
		t.Error("forgotten and fetched again, out of scope")
	}
	if after, _ := f.total(); after != calls+2 || f.callsOf(blk) != 2 {
		t.Errorf("fetched %d times (the block %d), want %d (2)", after, f.callsOf(blk), calls+2)
	}
}

func TestLearnRejects(t *testing.T) {
	tree := scope.New(scope.Options{})
	tests := []struct {
		name   string
		id     string
		parent scope.Parent
		err    error
	}{
		{"id not a Notion id", "x", page(root), scope.ErrInvalidID},
		{"parent id not a Notion id", blk, page("x"), scope.ErrInvalidID},
		{"parent of unknown type", blk, scope.Parent{ID: root}, scope.ErrNoParent},
		{"a comment as parent", blk, scope.Parent{Type: scope.Comment, ID: root}, scope.ErrNoParent},
	}
	for _, tt := range tests {
		if err := tree.Learn(credential, tt.id, tt.parent); !errors.Is(err, tt.err) {
			t.Errorf("%s: Learn = %v, want %v", tt.name, err, tt.err)
		}
	}
	if tree.Len() != 0 {
		t.Errorf("rejected links were kept: %d", tree.Len())
	}
	// The workspace carries no id, whatever the caller gave.
	if err := tree.Learn(credential, blk, scope.Parent{Type: scope.Workspace, ID: "x"}); err != nil {
		t.Fatal(err)
	}
	if p, _ := tree.Lookup(credential, blk); p != scope.TopLevel {
		t.Errorf("parent = %v, want the workspace", p)
	}
}

func TestNewRoots(t *testing.T) {
	r := mustRoots(t, "1F2E3D4C5B6A47988A7B6C5D4E3F2A1B", "2b3c4d5e-6f70-4182-9a3b-4c5d6e7f8091")
	for _, in := range []string{"1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b", "2b3c4d5e6f7041829a3b4c5d6e7f8091"} {
		if !r.Contains(in) {
			t.Errorf("roots do not contain %s", in)
		}
	}
	if r.Contains(root) || r.Len() != 2 {
		t.Errorf("roots hold %d, contain %s: %v", r.Len(), root, r.Contains(root))
	}
	if _, err := scope.NewRoots(root, "not-an-id"); !errors.Is(err, scope.ErrInvalidID) {
		t.Errorf("NewRoots = %v, want ErrInvalidID", err)
	}
}

func TestParseObjectType(t *testing.T) {
	for _, typ := range []scope.ObjectType{scope.Workspace, scope.Page, scope.Database, scope.DataSource,
		scope.Block, scope.Comment, scope.Discussion} {
		if got := scope.ParseObjectType(typ.String()); got != typ {
			t.Errorf("ParseObjectType(%q) = %v", typ.String(), got)
		}
	}
	for _, s := range []string{"", "user", "page_id", "Page"} {
		if got := scope.ParseObjectType(s); got != scope.Unknown {
			t.Errorf("ParseObjectType(%q) = %v, want unknown", s, got)
		}
	}
	if s := scope.DataSource.String(); s != "data_source" {
		t.Errorf("DataSource = %q, want Notion's spelling", s)
	}
}
