package scope_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/notion-auth-proxy/notion-auth-proxy/scope"
)

// BenchmarkWarmDecision decides about a block six links below the root on
// a warm tree: the cost of a scope check on the proxy's request path.
func BenchmarkWarmDecision(b *testing.B) {
	f := newFakeFetch(nil)
	tree := scope.New(scope.Options{Fetch: f.fetch})
	// block ← block ← page (row) ← data source ← database ← page ← root
	types := []scope.ObjectType{scope.Block, scope.Page, scope.DataSource, scope.Database, scope.Page, scope.Page}
	for i, typ := range types {
		if err := tree.Learn(credential, id(i), scope.Parent{Type: typ, ID: id(i + 1)}); err != nil {
			b.Fatal(err)
		}
	}
	roots := mustRoots(b, id(len(types)), id(100), id(101))
	ctx, leaf := context.Background(), id(0)
	b.ReportAllocs()
	for b.Loop() {
		if ok, err := tree.Within(ctx, credential, leaf, scope.Block, roots); !ok || err != nil {
			b.Fatalf("Within = %v, %v", ok, err)
		}
	}
	if calls, _ := f.total(); calls != 0 {
		b.Fatalf("a warm decision fetched %d times", calls)
	}
}

// searchBody returns a list of n pages, each under the page before.
func searchBody(n int) []byte {
	var sb strings.Builder
	sb.WriteString(`{"object":"list","results":[`)
	for i := range n {
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, `{"object":"page","id":%q,"parent":{"type":"page_id","page_id":%q},"properties":{"title":{"id":"title","type":"title","title":[{"type":"text","plain_text":"Page %d"}]}},"in_trash":false}`, id(i), id(i+1), i)
	}
	sb.WriteString(`],"next_cursor":"c","has_more":true,"type":"page_or_data_source","page_or_data_source":{}}`)
	return []byte(sb.String())
}

// BenchmarkLearnJSON learns from a search answer of 100 pages.
func BenchmarkLearnJSON(b *testing.B) {
	body := searchBody(100)
	tree := scope.New(scope.Options{})
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		tree.LearnJSON(credential, body)
	}
}

// BenchmarkFilterResults filters half of a search answer of 100 pages.
func BenchmarkFilterResults(b *testing.B) {
	body := searchBody(100)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := scope.FilterResults(body, func(id, _ string) bool { return id[len(id)-1]%2 == 0 }); err != nil {
			b.Fatal(err)
		}
	}
}
