package main

import (
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/notion-auth-proxy/notion-auth-proxy/proxy"
	"github.com/notion-auth-proxy/notion-auth-proxy/scope"
)

// lookupPaths are where an object of each type is retrieved, in the order
// an object of unknown type is tried.
var lookupPaths = []struct {
	typ  scope.ObjectType
	path string
}{
	{scope.Page, "/v1/pages/"},
	{scope.Database, "/v1/databases/"},
	{scope.Block, "/v1/blocks/"},
	{scope.DataSource, "/v1/data_sources/"},
	{scope.Comment, "/v1/comments/"},
}

// newScopeTree returns the process's ancestry knowledge for object-scoped
// client keys. It outlives reloads, keyed by credential inside. Unknown
// parents are looked up with the request's credential through the proxy's
// own stages (paced like any request, logged as scope_lookup); handler is
// read when the first lookup happens, after the proxy exists.
func newScopeTree(handler func() *proxy.Handler) *scope.Tree {
	var tree *scope.Tree
	tree = scope.New(scope.Options{Fetch: func(ctx context.Context, credential, id string, hint scope.ObjectType) (scope.Parent, error) {
		h := handler()
		if h == nil {
			return scope.Parent{}, fmt.Errorf("look up %s: the proxy is not running", id)
		}
		for _, lp := range lookupPaths {
			if hint != scope.Unknown && hint != lp.typ {
				continue
			}
			resp, err := h.Probe(ctx, "scope_lookup", credential, http.MethodGet, lp.path+id)
			if err != nil {
				return scope.Parent{}, err
			}
			body, _ := io.ReadAll(resp.Body)
			switch {
			case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusBadRequest:
				continue // not that type, or not visible to the credential
			case resp.StatusCode != http.StatusOK:
				return scope.Parent{}, fmt.Errorf("look up %s: status %d", id, resp.StatusCode)
			}
			tree.LearnJSON(credential, body)
			return scope.ParentFromJSON(body)
		}
		return scope.Parent{}, fmt.Errorf("look up %s: %w", id, scope.ErrNotFound)
	}})
	return tree
}
