package access_test

import (
	"context"
	"testing"

	"github.com/notion-auth-proxy/notion-auth-proxy/internal/access"
	"github.com/notion-auth-proxy/notion-auth-proxy/policy"
	"github.com/notion-auth-proxy/notion-auth-proxy/scope"
)

// BenchmarkWarmScopedDecision is the whole decision for an object-scoped
// key on a warm ancestry cache: classify GET /v1/blocks/{id}, check the
// capability, walk six levels up to the root. Target: under 5 µs and no
// upstream call (the Fetch fails the benchmark if it is called).
func BenchmarkWarmScopedDecision(b *testing.B) {
	ids := []string{
		"00000000-0000-4000-8000-000000000001", // root page
		"00000000-0000-4000-8000-000000000002", // database
		"00000000-0000-4000-8000-000000000003", // data source
		"00000000-0000-4000-8000-000000000004", // row
		"00000000-0000-4000-8000-000000000005", // block
		"00000000-0000-4000-8000-000000000006", // nested block
	}
	tree := scope.New(scope.Options{Fetch: func(context.Context, string, string, scope.ObjectType) (scope.Parent, error) {
		b.Fatal("a warm decision fetched")
		return scope.Parent{}, nil
	}})
	parents := []scope.Parent{scope.TopLevel, {Type: scope.Page, ID: ids[0]}, {Type: scope.Database, ID: ids[1]},
		{Type: scope.DataSource, ID: ids[2]}, {Type: scope.Page, ID: ids[3]}, {Type: scope.Block, ID: ids[4]}}
	for i, id := range ids {
		if err := tree.Learn("wiki", id, parents[i]); err != nil {
			b.Fatal(err)
		}
	}
	k, err := access.NewScoped(policy.ReadOnly, []string{ids[0]}, tree)
	if err != nil {
		b.Fatal(err)
	}
	path := "/v1/blocks/" + ids[5]
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := k.Authorize(ctx, "wiki", "GET", path, "", nil); err != nil {
			b.Fatal(err)
		}
	}
}
