package scope_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"testing"

	"github.com/notion-auth-proxy/notion-auth-proxy/scope"
)

// TestWithinAgainstNotion decides with a fetch that asks the fake Notion,
// as a proxy's does, and counts the requests the fake receives.
func TestWithinAgainstNotion(t *testing.T) {
	w := newWorld(t)
	tree := scope.New(scope.Options{Fetch: w.fetch})
	paths := func(from int) []string {
		var out []string
		for _, r := range w.srv.Requests()[from:] {
			out = append(out, r.Path)
		}
		return out
	}
	steps := []struct {
		name  string
		id    string
		hint  scope.ObjectType
		roots []string
		want  bool
		err   error
		paths []string
	}{
		{"nested block, cold", w.nested, scope.Block, []string{w.top}, true, nil, []string{
			"/v1/blocks/" + w.nested, "/v1/blocks/" + w.blk, "/v1/pages/" + w.row,
			"/v1/data_sources/" + w.ds, "/v1/databases/" + w.db}},
		{"nested block, warm", w.nested, scope.Block, []string{w.top}, true, nil, nil},
		{"the same block under another root", w.nested, scope.Block, []string{w.other}, false, nil, []string{
			"/v1/pages/" + w.top}},
		{"a comment on a known block", w.comment, scope.Comment, []string{w.top}, true, nil, []string{
			"/v1/comments/" + w.comment}},
		{"a discussion cannot be fetched", w.discussion, scope.Discussion, []string{w.top}, false, scope.ErrNotFound, nil},
		{"a page the credential cannot see", w.srv.AddPage("", "Private"), scope.Page, []string{w.top}, false, scope.ErrNotFound, nil},
	}
	for _, s := range steps {
		from := len(w.srv.Requests())
		got, err := tree.Within(context.Background(), credential, s.id, s.hint, mustRoots(t, s.roots...))
		if got != s.want || !errors.Is(err, s.err) || (err == nil) != (s.err == nil) {
			t.Errorf("%s: Within = %v, %v; want %v, %v", s.name, got, err, s.want, s.err)
		}
		if p := paths(from); s.paths != nil && !slices.Equal(p, s.paths) {
			t.Errorf("%s: requests %q, want %q", s.name, p, s.paths)
		}
		if s.paths == nil && s.err == nil && len(paths(from)) != 0 {
			t.Errorf("%s: requests %q, want none", s.name, paths(from))
		}
	}

	// Once the comments are listed, their discussion is known.
	tree.LearnJSON(credential, w.call(t, current, http.MethodGet, "/v1/comments?block_id="+w.blk, ""))
	if got, err := tree.Within(context.Background(), credential, w.discussion, scope.Discussion, mustRoots(t, w.top)); !got || err != nil {
		t.Errorf("discussion after listing its comments: Within = %v, %v", got, err)
	}
}

// TestWithinUnknownType: with no hint the fetch tries the endpoints in
// turn until one knows the object.
func TestWithinUnknownType(t *testing.T) {
	w := newWorld(t)
	tree := scope.New(scope.Options{Fetch: w.fetch})
	from := len(w.srv.Requests())
	if got, err := tree.Within(context.Background(), credential, w.db, scope.Unknown, mustRoots(t, w.top)); !got || err != nil {
		t.Fatalf("Within = %v, %v", got, err)
	}
	var statuses []int
	for _, r := range w.srv.Requests()[from:] {
		statuses = append(statuses, r.Status)
	}
	if want := []int{404, 200}; !slices.Equal(statuses, want) {
		t.Errorf("statuses %v, want %v (pages, then databases)", statuses, want)
	}
}

// TestLearnedResponsesSpareLookups: after a search has passed through,
// deciding about its results asks Notion nothing.
func TestLearnedResponsesSpareLookups(t *testing.T) {
	w := newWorld(t)
	tree := scope.New(scope.Options{Fetch: w.fetch})
	tree.LearnJSON(credential, w.call(t, current, http.MethodPost, "/v1/search", "{}"))
	from := len(w.srv.Requests())
	for _, tt := range []struct {
		id   string
		want bool
	}{{w.row, true}, {w.ds, true}, {w.sub, true}, {w.top, true}, {w.other, false}} {
		if got, err := tree.Within(context.Background(), credential, tt.id, scope.Page, mustRoots(t, w.top)); got != tt.want || err != nil {
			t.Errorf("Within(%s) = %v, %v; want %v", tt.id, got, err, tt.want)
		}
	}
	if n := len(w.srv.Requests()) - from; n != 0 {
		t.Errorf("%d requests to Notion, want none", n)
	}
}
