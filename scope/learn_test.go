package scope_test

import (
	"errors"
	"net/http"
	"testing"

	"github.com/notion-auth-proxy/notion-auth-proxy/scope"
)

func page(id string) scope.Parent       { return scope.Parent{Type: scope.Page, ID: id} }
func database(id string) scope.Parent   { return scope.Parent{Type: scope.Database, ID: id} }
func dataSource(id string) scope.Parent { return scope.Parent{Type: scope.DataSource, ID: id} }
func block(id string) scope.Parent      { return scope.Parent{Type: scope.Block, ID: id} }

// TestLearnJSONFromNotionShapes learns from the bodies the fake answers
// and checks that the tree then holds exactly the links each body states,
// as the fake has them.
func TestLearnJSONFromNotionShapes(t *testing.T) {
	w := newWorld(t)
	ws := scope.TopLevel
	tests := []struct {
		name, version, method, path, body string
		want                              map[string]scope.Parent
	}{
		{"row page", current, "GET", "/v1/pages/" + w.row, "",
			map[string]scope.Parent{w.row: dataSource(w.ds), w.ds: database(w.db)}},
		{"row page, newest version", "2026-03-11", "GET", "/v1/pages/" + w.row, "",
			map[string]scope.Parent{w.row: dataSource(w.ds), w.ds: database(w.db)}},
		{"row page before data sources", "2022-06-28", "GET", "/v1/pages/" + w.row, "",
			map[string]scope.Parent{w.row: database(w.db)}},
		{"top-level page", current, "GET", "/v1/pages/" + w.top, "",
			map[string]scope.Parent{w.top: ws}},
		{"database lists its data sources", current, "GET", "/v1/databases/" + w.db, "",
			map[string]scope.Parent{w.db: page(w.top), w.ds: database(w.db)}},
		{"database before data sources", "2022-06-28", "GET", "/v1/databases/" + w.db, "",
			map[string]scope.Parent{w.db: page(w.top)}},
		{"data source names its database's parent", current, "GET", "/v1/data_sources/" + w.ds, "",
			map[string]scope.Parent{w.ds: database(w.db), w.db: page(w.top)}},
		{"block in a page", current, "GET", "/v1/blocks/" + w.blk, "",
			map[string]scope.Parent{w.blk: page(w.row)}},
		{"block in a block", current, "GET", "/v1/blocks/" + w.nested, "",
			map[string]scope.Parent{w.nested: block(w.blk)}},
		{"page retrieved as a block", current, "GET", "/v1/blocks/" + w.row, "",
			map[string]scope.Parent{w.row: dataSource(w.ds), w.ds: database(w.db)}},
		{"children of a page", current, "GET", "/v1/blocks/" + w.top + "/children", "",
			map[string]scope.Parent{w.sub: page(w.top), w.db: page(w.top)}},
		{"children of a block", current, "GET", "/v1/blocks/" + w.blk + "/children", "",
			map[string]scope.Parent{w.nested: block(w.blk)}},
		{"data source query", current, "POST", "/v1/data_sources/" + w.ds + "/query", "{}",
			map[string]scope.Parent{w.row: dataSource(w.ds), w.ds: database(w.db)}},
		{"database query before data sources", "2022-06-28", "POST", "/v1/databases/" + w.db + "/query", "{}",
			map[string]scope.Parent{w.row: database(w.db)}},
		{"search", current, "POST", "/v1/search", "{}", map[string]scope.Parent{
			w.top: ws, w.sub: page(w.top), w.row: dataSource(w.ds), w.other: ws,
			w.ds: database(w.db), w.db: page(w.top)}},
		{"search before data sources", "2022-06-28", "POST", "/v1/search", "{}", map[string]scope.Parent{
			w.top: ws, w.sub: page(w.top), w.row: database(w.db), w.other: ws, w.db: page(w.top)}},
		{"comments of a block", current, "GET", "/v1/comments?block_id=" + w.blk, "",
			map[string]scope.Parent{w.comment: block(w.blk), w.discussion: block(w.blk)}},
		{"one comment", current, "GET", "/v1/comments/" + w.comment, "",
			map[string]scope.Parent{w.comment: block(w.blk), w.discussion: block(w.blk)}},
		{"a user is no object of the tree", current, "GET", "/v1/users/me", "", map[string]scope.Parent{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tree := scope.New(scope.Options{})
			tree.LearnJSON(credential, w.call(t, tt.version, tt.method, tt.path, tt.body))
			for id, want := range tt.want {
				got, ok := tree.Lookup(credential, id)
				if !ok || got != want {
					t.Errorf("parent of %s = %v, %v; want %v", id, got, ok, want)
				}
				// The fake holds no discussions, and its rows name their data
				// source whatever the version.
				if id != w.discussion && !(tt.version < current && id == w.row) {
					if truth := w.truth(t, id); truth != want {
						t.Errorf("the test expects %v for %s, the fake has %v", want, id, truth)
					}
				}
				if _, ok := tree.Lookup("another credential", id); ok {
					t.Errorf("another credential knows the parent of %s", id)
				}
			}
			if tree.Len() != len(tt.want) {
				t.Errorf("tree holds %d links, want %d", tree.Len(), len(tt.want))
			}
		})
	}
}

// TestLearnJSONOddShapes feeds bodies a future or broken API might send:
// what can be read is learned, the rest is skipped.
func TestLearnJSONOddShapes(t *testing.T) {
	const (
		a = "1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b"
		b = "2b3c4d5e-6f70-4182-9a3b-4c5d6e7f8091"
		c = "3c4d5e6f-7081-4293-8b4c-5d6e7f8091a2"
	)
	tests := []struct {
		name, body string
		want       map[string]scope.Parent
	}{
		{"unknown members and parent fields",
			`{"object":"page","id":"` + a + `","new":{"x":[1,2]},"parent":{"type":"page_id","page_id":"` + b + `","extra":true}}`,
			map[string]scope.Parent{a: page(b)}},
		{"undashed upper-case ids",
			`{"object":"block","id":"1F2E3D4C5B6A47988A7B6C5D4E3F2A1B","parent":{"type":"block_id","block_id":"2B3C4D5E6F7041829A3B4C5D6E7F8091"}}`,
			map[string]scope.Parent{a: block(b)}},
		{"object type the package does not know",
			`{"object":"view","id":"` + a + `","parent":{"type":"database_id","database_id":"` + b + `"}}`,
			map[string]scope.Parent{a: database(b)}},
		{"unknown parent type", `{"object":"page","id":"` + a + `","parent":{"type":"team_id","team_id":"` + b + `"}}`, nil},
		{"parent type without its id", `{"object":"page","id":"` + a + `","parent":{"type":"page_id"}}`, nil},
		{"parent is null", `{"object":"page","id":"` + a + `","parent":null}`, nil},
		{"parent is a string", `{"object":"page","id":"` + a + `","parent":"` + b + `"}`, nil},
		{"id is not a Notion id", `{"object":"page","id":"title","parent":{"type":"workspace","workspace":true}}`, nil},
		{"id is a number", `{"object":"page","id":7,"parent":{"type":"workspace","workspace":true}}`, nil},
		{"error object", `{"object":"error","status":404,"code":"object_not_found","message":"no"}`, nil},
		{"not JSON", `{"object":"page",`, nil},
		{"duplicate members", `{"object":"page","id":"` + a + `","id":"` + b + `","parent":{"type":"workspace"}}`, nil},
		{"odd results are skipped, good ones learned",
			`{"object":"list","results":[1,"x",null,{"object":"list","results":[]},{"id":5},` +
				`{"object":"page","id":"` + a + `","parent":{"type":"workspace","workspace":true}}],"has_more":false}`,
			map[string]scope.Parent{a: scope.TopLevel}},
		{"nested lists are not walked",
			`{"object":"list","results":[{"object":"list","results":[{"object":"page","id":"` + a + `","parent":{"type":"workspace"}}]}]}`,
			nil},
		{"data sources of odd shape do not hide the parent",
			`{"object":"database","id":"` + a + `","data_sources":{"id":"` + c + `"},"parent":{"type":"page_id","page_id":"` + b + `"}}`,
			map[string]scope.Parent{a: page(b)}},
		{"a comment's discussion of odd shape",
			`{"object":"comment","id":"` + a + `","discussion_id":3,"parent":{"type":"page_id","page_id":"` + b + `"}}`,
			map[string]scope.Parent{a: page(b)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tree := scope.New(scope.Options{})
			tree.LearnJSON(credential, []byte(tt.body))
			for id, want := range tt.want {
				if got, ok := tree.Lookup(credential, id); !ok || got != want {
					t.Errorf("parent of %s = %v, %v; want %v", id, got, ok, want)
				}
			}
			if tree.Len() != len(tt.want) {
				t.Errorf("tree holds %d links, want %d", tree.Len(), len(tt.want))
			}
		})
	}
}

func TestParentFromJSON(t *testing.T) {
	w := newWorld(t)
	tests := []struct {
		name, path string
		want       scope.Parent
		err        error
	}{
		{"page", "/v1/pages/" + w.row, dataSource(w.ds), nil},
		{"database", "/v1/databases/" + w.db, page(w.top), nil},
		{"data source", "/v1/data_sources/" + w.ds, database(w.db), nil},
		{"block", "/v1/blocks/" + w.nested, block(w.blk), nil},
		{"comment", "/v1/comments/" + w.comment, block(w.blk), nil},
		{"top-level page", "/v1/pages/" + w.other, scope.TopLevel, nil},
		{"a list names no parent", "/v1/blocks/" + w.top + "/children", scope.Parent{}, scope.ErrNoParent},
		{"a user names no parent", "/v1/users/me", scope.Parent{}, scope.ErrNoParent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := scope.ParentFromJSON(w.call(t, current, http.MethodGet, tt.path, ""))
			if got != tt.want || !errors.Is(err, tt.err) {
				t.Errorf("ParentFromJSON = %v, %v; want %v, %v", got, err, tt.want, tt.err)
			}
		})
	}
	if _, err := scope.ParentFromJSON([]byte("{")); err == nil {
		t.Error("ParentFromJSON accepted a body that is not JSON")
	}
}
