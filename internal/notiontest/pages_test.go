package notiontest_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"
)

func TestCreatePage(t *testing.T) {
	s := newFake(t)
	tests := []struct {
		name, body string
		status     int
		code       string
	}{
		{"shared page parent", `{"parent":{"page_id":"` + compact(pageID) + `"},"properties":{}}`, 200, ""},
		{"shared data source parent", `{"parent":{"type":"data_source_id","data_source_id":"` + dataSourceID + `"}}`, 200, ""},
		{"unshared parent", `{"parent":{"page_id":"` + otherID + `"}}`, 404, "object_not_found"},
		{"invalid parent id", `{"parent":{"page_id":"abc"}}`, 400, "validation_error"},
		{"no parent", `{}`, 400, "validation_error"},
		{"empty body", ``, 400, "validation_error"},
		{"parent not an object", `{"parent":"x"}`, 400, "validation_error"},
		{"array body", `[]`, 400, "validation_error"},
		{"invalid json", `{"parent":`, 400, "invalid_json"},
		{"trailing data", `{} {}`, 400, "invalid_json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := do(t, s, call{method: "POST", path: "/v1/pages", token: tokenA, version: version, body: tt.body})
			if tt.status != 200 {
				wantError(t, resp, body, tt.status, tt.code, "")
				return
			}
			var page struct{ Object, ID string }
			if err := json.Unmarshal(body, &page); err != nil || resp.StatusCode != 200 || page.Object != "page" {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			// The creator can read its new page; another token cannot.
			if resp, body := do(t, s, call{path: "/v1/pages/" + page.ID, token: tokenA, version: version}); resp.StatusCode != 200 {
				t.Errorf("GET new page: %d %s", resp.StatusCode, body)
			}
			if resp, _ := do(t, s, call{path: "/v1/pages/" + page.ID, token: tokenB, version: version}); resp.StatusCode != 404 {
				t.Errorf("GET new page with another token: %d", resp.StatusCode)
			}
		})
	}
	t.Run("unshared parent message", func(t *testing.T) {
		resp, body := do(t, s, call{method: "POST", path: "/v1/pages", token: tokenB, version: version,
			body: `{"parent":{"database_id":"` + compact(databaseID) + `"}}`})
		wantError(t, resp, body, 404, "object_not_found", "Could not find database with ID: "+databaseID+
			". Make sure the relevant pages and databases are shared with your integration.")
	})
}

func TestSearch(t *testing.T) {
	s := newFake(t)
	tests := []struct {
		token, body string
		want        []string // "object id"
	}{
		{tokenA, ``, []string{"data_source " + dataSourceID, "database " + databaseID, "page " + pageID}},
		{tokenA, `{"query":"x","filter":{"property":"object","value":"page"}}`, []string{"page " + pageID}},
		{tokenA, `{"filter":{"property":"object","value":"data_source"}}`, []string{"data_source " + dataSourceID}},
		{tokenB, `{}`, nil},
	}
	for _, tt := range tests {
		resp, body := do(t, s, call{method: "POST", path: "/v1/search", token: tt.token, version: version, body: tt.body})
		var got struct {
			Object, Type string
			Results      []struct{ Object, ID string }
			NextCursor   *string   `json:"next_cursor"`
			HasMore      bool      `json:"has_more"`
			Extra        *struct{} `json:"page_or_data_source"`
		}
		if err := json.Unmarshal(body, &got); err != nil || resp.StatusCode != 200 {
			t.Fatalf("status %d: %s", resp.StatusCode, body)
		}
		var ids []string
		for _, r := range got.Results {
			ids = append(ids, r.Object+" "+r.ID)
		}
		if got.Object != "list" || got.Type != "page_or_data_source" || got.Extra == nil ||
			got.NextCursor != nil || got.HasMore || !slices.Equal(ids, tt.want) {
			t.Errorf("search %s with %s: %s", tt.body, tt.token, body)
		}
	}
	resp, body := do(t, s, call{method: "POST", path: "/v1/search", token: tokenA, version: version,
		body: `{"filter":{"property":"object","value":"block"}}`})
	wantError(t, resp, body, 400, "validation_error", "")
}

func TestEcho(t *testing.T) {
	s := newFake(t)
	h := http.Header{"X-Custom": {"a", "b"}, "Content-Type": {"text/plain"}}
	resp, body := do(t, s, call{method: "PUT", path: "/v1/__fake/echo?x=1&y=%20", token: tokenA, version: version,
		header: h, body: "hello"})
	var got struct {
		Method, Path, Host, Proto string
		RawQuery                  string              `json:"raw_query"`
		Headers                   map[string][]string `json:"headers"`
		BodyBytes                 int64               `json:"body_bytes"`
	}
	if err := json.Unmarshal(body, &got); err != nil || resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	if got.Method != "PUT" || got.Path != "/v1/__fake/echo" || got.RawQuery != "x=1&y=%20" || got.BodyBytes != 5 ||
		got.Proto != "HTTP/1.1" || got.Host != s.URL()[len("http://"):] {
		t.Errorf("echo = %+v", got)
	}
	for k, want := range map[string][]string{
		"X-Custom": {"a", "b"}, "Authorization": {"Bearer " + tokenA}, "Notion-Version": {version},
	} {
		if !slices.Equal(got.Headers[k], want) {
			t.Errorf("header %s = %q, want %q", k, got.Headers[k], want)
		}
	}
	// Test-only endpoints still need auth and a version.
	resp, body = do(t, s, call{path: "/v1/__fake/echo", token: tokenA})
	wantError(t, resp, body, 400, "missing_version", "")
	resp, body = do(t, s, call{path: "/v1/__fake/download?bytes=1", version: version})
	wantError(t, resp, body, 401, "unauthorized", "")
}
