package notiontest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/notion-auth-proxy/notion-auth-proxy/internal/notiontest"
)

// demoFake returns a fake holding the demo workspace shared with tokenA;
// tokenB is valid and sees nothing.
func demoFake(t *testing.T) (*notiontest.Server, notiontest.Demo) {
	t.Helper()
	s := notiontest.NewServer()
	t.Cleanup(s.Close)
	s.AddToken(tokenA, botA)
	s.AddToken(tokenB, notiontest.Bot{ID: "b", Name: "Bot B"})
	return s, s.SeedDemo(tokenA)
}

// object sends c and decodes the JSON answer, failing unless it has status.
func object(t *testing.T, s *notiontest.Server, c call, status int) map[string]any {
	t.Helper()
	if c.token == "" && c.header.Get("Authorization") == "" {
		c.token = tokenA
	}
	if c.version == "" {
		c.version = version
	}
	resp, body := do(t, s, c)
	var o map[string]any
	if err := json.Unmarshal(body, &o); err != nil || resp.StatusCode != status {
		t.Fatalf("%s %s: %d %s, want %d", c.method, c.path, resp.StatusCode, body, status)
	}
	return o
}

// ids returns the ids of a list's results.
func ids(o map[string]any) []string {
	var out []string
	for _, r := range o["results"].([]any) {
		out = append(out, r.(map[string]any)["id"].(string))
	}
	return out
}

func notShared(typ, id string) string {
	return "Could not find " + typ + " with ID: " + id + ". Make sure the relevant pages and databases are shared with your integration."
}

func TestSharingCoversTheSubtree(t *testing.T) {
	s, d := demoFake(t)
	tests := []struct {
		path, typ, id string
	}{
		{"/v1/pages/%s", "page", d.Root},
		{"/v1/pages/%s", "page", d.Handbook}, // grandchild
		{"/v1/pages/%s", "page", d.Rows[1]},  // row of a child database
		{"/v1/databases/%s", "database", d.Tasks},
		{"/v1/data_sources/%s", "data_source", d.TasksSource},
		{"/v1/blocks/%s", "block", d.ToDo},
		{"/v1/blocks/%s", "block", d.Onboarding}, // a page is a block
		{"/v1/comments/%s", "comment", d.Comment},
	}
	for _, tt := range tests {
		path := fmt.Sprintf(tt.path, compact(tt.id))
		t.Run(path, func(t *testing.T) {
			if o := object(t, s, call{path: path}, 200); o["id"] != tt.id {
				t.Errorf("id = %v, want %s", o["id"], tt.id)
			}
			resp, body := do(t, s, call{path: path, token: tokenB, version: version})
			wantError(t, resp, body, 404, "object_not_found", notShared(tt.typ, tt.id))
		})
	}
	resp, body := do(t, s, call{path: "/v1/pages/" + d.Private, token: tokenA, version: version})
	wantError(t, resp, body, 404, "object_not_found", notShared("page", d.Private))

	// Sharing a child alone shares only its subtree.
	s.Share(tokenB, "page", d.Onboarding)
	if resp, _ := do(t, s, call{path: "/v1/pages/" + d.Handbook, token: tokenB, version: version}); resp.StatusCode != 200 {
		t.Errorf("child of a page shared with tokenB: %d", resp.StatusCode)
	}
	if resp, _ := do(t, s, call{path: "/v1/pages/" + d.Root, token: tokenB, version: version}); resp.StatusCode != 404 {
		t.Errorf("parent of a page shared with tokenB: %d", resp.StatusCode)
	}
	s.Unshare(tokenA, d.Root)
	if resp, _ := do(t, s, call{path: "/v1/pages/" + d.Handbook, token: tokenA, version: version}); resp.StatusCode != 404 {
		t.Errorf("after Unshare: %d", resp.StatusCode)
	}
}

func TestParents(t *testing.T) {
	s, d := demoFake(t)
	ws := map[string]any{"type": "workspace", "workspace": true}
	tests := []struct {
		path, version string
		field         string // the object's field holding the parent
		want          map[string]any
	}{
		{"/v1/pages/" + d.Root, "", "parent", ws},
		{"/v1/pages/" + d.Handbook, "", "parent", map[string]any{"type": "page_id", "page_id": d.Onboarding}},
		{"/v1/pages/" + d.Rows[0], "", "parent", map[string]any{
			"type": "data_source_id", "data_source_id": d.TasksSource, "database_id": d.Tasks}},
		{"/v1/pages/" + d.Rows[0], "2022-06-28", "parent", map[string]any{"type": "database_id", "database_id": d.Tasks}},
		{"/v1/databases/" + d.Tasks, "", "parent", map[string]any{"type": "page_id", "page_id": d.Root}},
		{"/v1/data_sources/" + d.TasksSource, "", "parent", map[string]any{"type": "database_id", "database_id": d.Tasks}},
		{"/v1/data_sources/" + d.TasksSource, "", "database_parent", map[string]any{"type": "page_id", "page_id": d.Root}},
		{"/v1/blocks/" + d.ToDo, "", "parent", map[string]any{"type": "page_id", "page_id": d.Root}},
		{"/v1/comments/" + d.Comment, "", "parent", map[string]any{"type": "page_id", "page_id": d.Root}},
	}
	for _, tt := range tests {
		t.Run(tt.path+" "+tt.version, func(t *testing.T) {
			o := object(t, s, call{path: tt.path, version: tt.version}, 200)
			if got := o[tt.field]; fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("%s = %v, want %v", tt.field, got, tt.want)
			}
		})
	}
	db := object(t, s, call{path: "/v1/databases/" + d.Tasks}, 200)
	if got := fmt.Sprint(db["data_sources"]); got != fmt.Sprint([]any{map[string]any{"id": d.TasksSource, "name": "Tasks"}}) {
		t.Errorf("data_sources = %s", got)
	}
	if p, ok := s.ParentOf(compact(d.Rows[2])); !ok || p != (notiontest.Parent{Type: "data_source_id", ID: d.TasksSource}) {
		t.Errorf("ParentOf(row) = %+v, %v", p, ok)
	}
	if p, ok := s.ParentOf(d.Root); !ok || p.Type != "workspace" {
		t.Errorf("ParentOf(root) = %+v, %v", p, ok)
	}
}

func TestPagination(t *testing.T) {
	s, d := demoFake(t)
	var want []string
	for i := range 5 {
		want = append(want, s.AddBlock(d.Handbook, "bulleted_list_item", fmt.Sprint("item ", i)))
	}
	for _, tc := range []struct {
		name string
		page func(cursor string) call
	}{
		{"block children", func(cursor string) call {
			return call{path: "/v1/blocks/" + d.Handbook + "/children?page_size=2&start_cursor=" + cursor}
		}},
		{"search", func(cursor string) call {
			body := `{"page_size":2}`
			if cursor != "" {
				body = `{"page_size":2,"start_cursor":"` + cursor + `"}`
			}
			return call{method: "POST", path: "/v1/search", body: body}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			cursor, pages := "", 0
			for ; pages < 10; pages++ {
				o := object(t, s, tc.page(cursor), 200)
				got = append(got, ids(o)...)
				if len(ids(o)) > 2 || o["has_more"] != (o["next_cursor"] != nil) {
					t.Fatalf("page %d: %v", pages, o)
				}
				if o["has_more"] == false {
					break
				}
				cursor = o["next_cursor"].(string)
			}
			if tc.name == "block children" && !slices.Equal(got, want) || len(got) < 5 || pages < 2 {
				t.Errorf("walked %d pages: %v", pages+1, got)
			}
			if slices.Contains(got, d.Private) {
				t.Errorf("search listed the private page")
			}
		})
	}
	for _, q := range []string{"page_size=0", "page_size=101", "page_size=x", "start_cursor=nope"} {
		resp, body := do(t, s, call{path: "/v1/blocks/" + d.Handbook + "/children?" + q, token: tokenA, version: version})
		wantError(t, resp, body, 400, "validation_error", "")
	}
}

func TestTrash(t *testing.T) {
	s, d := demoFake(t)
	trashed := object(t, s, call{method: "PATCH", path: "/v1/pages/" + d.Onboarding, body: `{"in_trash":true}`}, 200)
	if trashed["in_trash"] != true || trashed["archived"] != true {
		t.Fatalf("trashed page: %v", trashed)
	}
	if o := object(t, s, call{path: "/v1/pages/" + d.Handbook}, 200); o["in_trash"] != false {
		t.Errorf("a child of a trashed page is itself not in the trash: %v", o["in_trash"])
	}
	kids := ids(object(t, s, call{path: "/v1/blocks/" + d.Root + "/children"}, 200))
	found := ids(object(t, s, call{method: "POST", path: "/v1/search", body: `{"query":"onboarding"}`}, 200))
	if slices.Contains(kids, d.Onboarding) || len(found) != 0 {
		t.Errorf("trashed page still listed: children %v, search %v", kids, found)
	}
	resp, body := do(t, s, call{method: "PATCH", path: "/v1/pages/" + d.Handbook, token: tokenA, version: version,
		body: `{"properties":{"title":[{"text":{"content":"x"}}]}}`})
	wantError(t, resp, body, 400, "validation_error", "Can't edit block that is archived. You must unarchive the block before editing.")
	object(t, s, call{method: "PATCH", path: "/v1/pages/" + d.Onboarding, body: `{"archived":false}`}, 200)
	object(t, s, call{method: "PATCH", path: "/v1/pages/" + d.Handbook, body: `{"properties":{"title":[{"text":{"content":"x"}}]}}`}, 200)

	deleted := object(t, s, call{method: "DELETE", path: "/v1/blocks/" + d.ToDo}, 200)
	if deleted["in_trash"] != true || deleted["type"] != "to_do" {
		t.Errorf("deleted block: %v", deleted)
	}
	resp, body = do(t, s, call{method: "DELETE", path: "/v1/blocks/" + d.ToDo, token: tokenA, version: version})
	wantError(t, resp, body, 400, "validation_error", "")
	if v := object(t, s, call{path: "/v1/pages/" + d.Root, version: "2026-03-11"}, 200); v["archived"] != nil {
		t.Errorf("2026-03-11 still answers the deprecated archived: %v", v)
	}
}

func TestMovePage(t *testing.T) {
	s, d := demoFake(t)
	moved := object(t, s, call{method: "POST", path: "/v1/pages/" + d.Handbook + "/move",
		body: `{"parent":{"type":"data_source_id","data_source_id":"` + d.TasksSource + `"}}`}, 200)
	parent := moved["parent"].(map[string]any)
	props := moved["properties"].(map[string]any)
	if parent["data_source_id"] != d.TasksSource || props["Name"] == nil || props["Done"] == nil {
		t.Errorf("page moved into a data source: parent %v, properties %v", parent, props)
	}
	rows := ids(object(t, s, call{method: "POST", path: "/v1/data_sources/" + d.TasksSource + "/query"}, 200))
	if !slices.Contains(rows, d.Handbook) {
		t.Errorf("moved page not among the rows %v", rows)
	}
	for _, body := range []string{
		`{"parent":{"page_id":"` + d.Onboarding + `"}}`, // into itself
		`{"parent":{"workspace":true}}`,
		`{}`,
	} {
		resp, b := do(t, s, call{method: "POST", path: "/v1/pages/" + d.Onboarding + "/move", token: tokenA, version: version, body: body})
		wantError(t, resp, b, 400, "validation_error", "")
	}
	resp, b := do(t, s, call{method: "POST", path: "/v1/pages/" + d.Onboarding + "/move", token: tokenA, version: version,
		body: `{"parent":{"page_id":"` + d.Private + `"}}`})
	wantError(t, resp, b, 404, "object_not_found", notShared("page", d.Private))
}

func TestAddPanicsOnBadTrees(t *testing.T) {
	s, d := demoFake(t)
	for name, o := range map[string]notiontest.Object{
		"data source at the top":  {Type: "data_source"},
		"block at the top":        {Type: "block"},
		"database in a database":  {Type: "database", Parent: d.Tasks},
		"unknown parent":          {Type: "page", Parent: "0a0a0a0a-0a0a-4a0a-8a0a-0a0a0a0a0a0a"},
		"id in use":               {Type: "page", ID: d.Root},
		"unknown row property":    {Type: "page", Parent: d.TasksSource, Properties: map[string]any{"Nope": nil}},
		"schema without a title?": {Type: "data_source", Parent: d.Tasks, Properties: map[string]any{"Name": nil}},
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("Add(%+v) did not panic", o)
				}
			}()
			s.Add(o)
		})
	}
	// A page Share made up for an unknown id can be defined later.
	s.Share(tokenB, "page", "0b0b0b0b-0b0b-4b0b-8b0b-0b0b0b0b0b0b")
	s.Add(notiontest.Object{Type: "page", ID: "0b0b0b0b0b0b4b0b8b0b0b0b0b0b0b0b", Title: "Defined"})
	o := object(t, s, call{path: "/v1/pages/0b0b0b0b-0b0b-4b0b-8b0b-0b0b0b0b0b0b", token: tokenB}, 200)
	if !strings.Contains(fmt.Sprint(o["properties"]), "Defined") {
		t.Errorf("defined page: %v", o)
	}
}

func TestRecordsAnswers(t *testing.T) {
	s, d := demoFake(t)
	resp, _ := do(t, s, call{path: "/v1/pages/" + d.Private, token: tokenA, version: version})
	last, _ := s.LastRequest()
	if last.Status != http.StatusNotFound || last.RequestID != resp.Header.Get("x-notion-request-id") {
		t.Errorf("recorded status %d, request id %q; answered 404, %q", last.Status, last.RequestID, resp.Header.Get("x-notion-request-id"))
	}
}
