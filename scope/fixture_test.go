package scope_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/notion-auth-proxy/notion-auth-proxy/internal/notiontest"
	"github.com/notion-auth-proxy/notion-auth-proxy/scope"
)

const (
	token      = "ntn_scope_test_token"
	credential = "wiki"
	current    = "2025-09-03"
)

// world is a fake Notion workspace seven levels deep, shared with token:
//
//	workspace
//	├── top (page)
//	│   ├── sub (page)
//	│   └── db (database) ── ds (data source)
//	│       └── row (page)
//	│           └── blk (block)
//	│               ├── nested (block)
//	│               └── comment, in discussion
//	└── other (page)
type world struct {
	srv                        *notiontest.Server
	top, sub, db, ds, row      string
	blk, nested                string
	comment, discussion, other string
}

func newWorld(t testing.TB) *world {
	t.Helper()
	srv := notiontest.NewServer()
	t.Cleanup(srv.Close)
	srv.AddToken(token, notiontest.Bot{ID: "7d2c9f1e-3b4a-4c5d-8e6f-0a1b2c3d4e5f", Name: "Scope test"})
	w := &world{srv: srv}
	w.top = srv.AddPage("", "Top")
	w.sub = srv.AddPage(w.top, "Sub")
	w.db, w.ds = srv.AddDatabase(w.top, "Tasks")
	w.row = srv.AddPage(w.ds, "Row")
	w.blk = srv.AddBlock(w.row, "paragraph", "A block")
	w.nested = srv.AddBlock(w.blk, "paragraph", "A nested block")
	w.comment, w.discussion = srv.AddComment(w.blk, "A comment")
	w.other = srv.AddPage("", "Other")
	srv.Share(token, "page", w.top)
	srv.Share(token, "page", w.other)
	return w
}

// call answers method and path, with body, as the fake does for token and
// Notion-Version version, and fails t unless the status is 200.
func (w *world) call(t testing.TB, version, method, path, body string) []byte {
	t.Helper()
	status, b, err := w.do(context.Background(), version, method, path, body)
	if err != nil {
		t.Fatal(err)
	}
	if status != http.StatusOK {
		t.Fatalf("%s %s: status %d: %s", method, path, status, b)
	}
	return b
}

func (w *world) do(ctx context.Context, version, method, path, body string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, w.srv.URL()+path, strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Notion-Version", version)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := w.srv.Client().Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// endpoints are the retrieve endpoints a fetch tries for each hint.
var endpoints = map[scope.ObjectType][]string{
	scope.Page:       {"pages"},
	scope.Database:   {"databases"},
	scope.DataSource: {"data_sources"},
	scope.Block:      {"blocks"},
	scope.Comment:    {"comments"},
	scope.Unknown:    {"pages", "databases", "blocks", "data_sources"},
}

// fetch is a FetchFunc as a proxy writes one: it retrieves id from the
// fake with the endpoint for hint, trying the others for Unknown, and
// reads the parent from the answer.
func (w *world) fetch(ctx context.Context, cred, id string, hint scope.ObjectType) (scope.Parent, error) {
	if cred != credential {
		return scope.Parent{}, fmt.Errorf("unexpected credential %q", cred)
	}
	for _, kind := range endpoints[hint] {
		status, body, err := w.do(ctx, current, http.MethodGet, "/v1/"+kind+"/"+id, "")
		switch {
		case err != nil:
			return scope.Parent{}, err
		case status == http.StatusNotFound:
			continue
		case status != http.StatusOK:
			return scope.Parent{}, fmt.Errorf("retrieve %s: status %d", kind, status)
		}
		return scope.ParentFromJSON(body)
	}
	return scope.Parent{}, fmt.Errorf("retrieve %s %s: %w", hint, id, scope.ErrNotFound)
}

// truth returns the parent of id as the fake has it.
func (w *world) truth(t testing.TB, id string) scope.Parent {
	t.Helper()
	p, ok := w.srv.ParentOf(id)
	if !ok {
		t.Fatalf("the fake has no object %s", id)
	}
	typ := map[string]scope.ObjectType{
		"workspace": scope.Workspace, "page_id": scope.Page, "database_id": scope.Database,
		"data_source_id": scope.DataSource, "block_id": scope.Block,
	}[p.Type]
	return scope.Parent{Type: typ, ID: p.ID}
}

func mustRoots(t testing.TB, ids ...string) scope.Roots {
	t.Helper()
	r, err := scope.NewRoots(ids...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

var errBoom = errors.New("boom")
