package notiontest_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/notion-auth-proxy/notion-auth-proxy/internal/notiontest"
)

const (
	tokenA  = "ntn_token_a"
	tokenB  = "ntn_token_b"
	version = "2025-09-03"

	pageID       = "1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b"
	databaseID   = "2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d"
	blockID      = "3b4c5d6e-7f8a-4b9c-8d0e-2f3a4b5c6d7e"
	dataSourceID = "4c5d6e7f-8a9b-4cad-9e0f-3a4b5c6d7e8f"
	otherID      = "9a8b7c6d-5e4f-4a3b-9c2d-1e0f2a3b4c5d"
)

var botA = notiontest.Bot{
	ID: "7d2c9f1e-3b4a-4c5d-8e6f-0a1b2c3d4e5f", Name: "Bot A",
	WorkspaceID: "5e4d3c2b-1a09-4f8e-9d7c-6b5a4f3e2d1c", WorkspaceName: "Workspace A",
}

// newFake returns a fake where tokenA (botA) can see one object of each type
// and tokenB is valid but sees nothing.
func newFake(t *testing.T) *notiontest.Server {
	t.Helper()
	s := notiontest.NewServer()
	t.Cleanup(s.Close)
	s.AddToken(tokenA, botA)
	s.AddToken(tokenB, notiontest.Bot{ID: "b", Name: "Bot B"})
	s.Share(tokenA, "page", pageID)
	s.Share(tokenA, "database", databaseID)
	s.Share(tokenA, "block", strings.ToUpper(compact(blockID)))
	s.Share(tokenA, "data_source", dataSourceID)
	return s
}

func compact(id string) string { return strings.ReplaceAll(id, "-", "") }

type call struct {
	method, path, token, version, body string
	header                             http.Header
}

// do sends c to s and returns the response with its body read.
func do(t *testing.T, s *notiontest.Server, c call) (*http.Response, []byte) {
	t.Helper()
	method := c.method
	if method == "" {
		method = http.MethodGet
	}
	req, err := http.NewRequestWithContext(t.Context(), method, s.URL()+c.path, strings.NewReader(c.body))
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range c.header {
		req.Header[k] = vs
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if c.version != "" {
		req.Header.Set("Notion-Version", c.version)
	}
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

type notionError struct {
	Object, Code, Message string
	Status                int
	RequestID             string `json:"request_id"`
}

// wantError checks that resp is exactly a Notion error with the given status
// and code (and message, when not empty), whose request_id matches the header.
func wantError(t *testing.T, resp *http.Response, body []byte, status int, code, message string) {
	t.Helper()
	var e notionError
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("error body %q: %v", body, err)
	}
	if resp.StatusCode != status || e.Status != status || e.Object != "error" || e.Code != code {
		t.Fatalf("got %d %s, want %d %s", resp.StatusCode, body, status, code)
	}
	if message != "" && e.Message != message {
		t.Errorf("message = %q, want %q", e.Message, message)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	id := resp.Header.Get("x-notion-request-id")
	if _, ok := notiontest.NormalizeID(id); !ok || e.RequestID != id {
		t.Errorf("request id header %q, body %q", id, e.RequestID)
	}
	want := fmt.Sprintf(`{"object":"error","status":%d,"code":%q,"message":%q,"request_id":%q}`,
		status, code, e.Message, id)
	if string(body) != want {
		t.Errorf("body = %s\nwant   %s", body, want)
	}
}

func TestAuth(t *testing.T) {
	s := newFake(t)
	s.AddToken("revoked", botA)
	s.RevokeToken("revoked")
	tests := []struct {
		name   string
		header http.Header
		status int
		code   string
	}{
		{"no authorization", nil, 401, "unauthorized"},
		{"unknown token", http.Header{"Authorization": {"Bearer nope"}}, 401, "unauthorized"},
		{"revoked token", http.Header{"Authorization": {"Bearer revoked"}}, 401, "unauthorized"},
		{"basic scheme", http.Header{"Authorization": {"Basic " + tokenA}}, 401, "unauthorized"},
		{"bare token", http.Header{"Authorization": {tokenA}}, 401, "unauthorized"},
		{"two authorization headers", http.Header{"Authorization": {"Bearer " + tokenA, "Bearer " + tokenB}}, 401, "unauthorized"},
		{"lower-case scheme", http.Header{"Authorization": {"bearer " + tokenA}}, 200, ""},
		{"valid", http.Header{"Authorization": {"Bearer " + tokenA}}, 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := do(t, s, call{path: "/v1/users/me", header: tt.header, version: version})
			if tt.status == 200 {
				if resp.StatusCode != 200 {
					t.Fatalf("status %d: %s", resp.StatusCode, body)
				}
				return
			}
			wantError(t, resp, body, tt.status, tt.code, "API token is invalid.")
		})
	}
}

func TestAuthBeforeVersion(t *testing.T) {
	s := newFake(t)
	resp, body := do(t, s, call{path: "/v1/users/me", token: "nope"})
	wantError(t, resp, body, 401, "unauthorized", "API token is invalid.")

	resp, body = do(t, s, call{path: "/v1/users/me", token: tokenA})
	wantError(t, resp, body, 400, "missing_version",
		"Notion-Version header failed validation: Notion-Version header should be defined, instead was `undefined`.")
}

func TestRevokeAndReAdd(t *testing.T) {
	s := newFake(t)
	s.RevokeToken(tokenA)
	resp, body := do(t, s, call{path: "/v1/pages/" + pageID, token: tokenA, version: version})
	wantError(t, resp, body, 401, "unauthorized", "API token is invalid.")
	s.AddToken(tokenA, botA)
	if resp, body := do(t, s, call{path: "/v1/pages/" + pageID, token: tokenA, version: version}); resp.StatusCode != 200 {
		t.Fatalf("after AddToken: %d %s", resp.StatusCode, body)
	}
}

func TestUsersMe(t *testing.T) {
	s := newFake(t)
	resp, body := do(t, s, call{path: "/v1/users/me", token: tokenA, version: version})
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	var got map[string]any
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"object": "user", "id": botA.ID, "name": botA.Name, "avatar_url": nil, "type": "bot",
		"bot": map[string]any{
			"owner":          map[string]any{"type": "workspace", "workspace": true},
			"workspace_name": botA.WorkspaceName, "workspace_id": botA.WorkspaceID,
		},
		"request_id": resp.Header.Get("x-notion-request-id"),
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got  %v\nwant %v", got, want)
	}
}

func TestObjects(t *testing.T) {
	s := newFake(t)
	tests := []struct {
		method, path string // path has %s for the id
		id           string // shared with tokenA
		typ          string // in not-found messages
		object       string // "object" of a 200 answer
	}{
		{"GET", "/v1/pages/%s", pageID, "page", "page"},
		{"PATCH", "/v1/pages/%s", pageID, "page", "page"},
		{"GET", "/v1/databases/%s", databaseID, "database", "database"},
		{"POST", "/v1/databases/%s/query", databaseID, "database", "list"},
		{"GET", "/v1/data_sources/%s", dataSourceID, "data_source", "data_source"},
		{"POST", "/v1/data_sources/%s/query", dataSourceID, "data_source", "list"},
		{"GET", "/v1/blocks/%s", blockID, "block", "block"},
		{"GET", "/v1/blocks/%s/children", blockID, "block", "list"},
		{"PATCH", "/v1/blocks/%s/children", blockID, "block", "list"},
		{"GET", "/v1/blocks/%s", pageID, "block", "block"}, // a page is a block
	}
	for _, tt := range tests {
		path := fmt.Sprintf(tt.path, "{id}")
		ids := map[string]string{
			"dashed": tt.id, "compact": compact(tt.id), "upper dashed": strings.ToUpper(tt.id),
			"upper compact": strings.ToUpper(compact(tt.id)),
		}
		for form, id := range ids {
			t.Run(tt.method+" "+path+" shared "+form, func(t *testing.T) {
				resp, body := do(t, s, call{method: tt.method, path: fmt.Sprintf(tt.path, id), token: tokenA, version: version})
				var got struct{ Object, ID, RequestID string }
				if err := json.Unmarshal(body, &got); err != nil || resp.StatusCode != 200 {
					t.Fatalf("status %d: %s (%v)", resp.StatusCode, body, err)
				}
				if got.Object != tt.object || (tt.object != "list" && got.ID != tt.id) {
					t.Errorf("got object %q id %q, want %q %q", got.Object, got.ID, tt.object, tt.id)
				}
			})
		}
		t.Run(tt.method+" "+path+" not shared", func(t *testing.T) {
			resp, body := do(t, s, call{method: tt.method, path: fmt.Sprintf(tt.path, compact(tt.id)), token: tokenB, version: version})
			wantError(t, resp, body, 404, "object_not_found", "Could not find "+tt.typ+" with ID: "+tt.id+
				". Make sure the relevant pages and databases are shared with your integration.")
		})
		t.Run(tt.method+" "+path+" invalid id", func(t *testing.T) {
			resp, body := do(t, s, call{method: tt.method, path: fmt.Sprintf(tt.path, "not-an-id"), token: tokenA, version: version})
			wantError(t, resp, body, 400, "validation_error", "")
		})
	}
}

func TestSharedWithOneTypeOnly(t *testing.T) {
	s := newFake(t)
	// The database id is shared as a database, not as a page.
	resp, body := do(t, s, call{path: "/v1/pages/" + databaseID, token: tokenA, version: version})
	wantError(t, resp, body, 404, "object_not_found", "")
}

func TestInvalidRequestURL(t *testing.T) {
	s := newFake(t)
	for _, c := range []call{
		{path: "/"},
		{path: "/v1/nope"},
		{path: "/v2/pages/" + pageID},
		{method: "DELETE", path: "/v1/pages/" + pageID},
		{method: "POST", path: "/v1/users/me"},
		{path: "/v1/pages/" + pageID + "/"},
		{path: "/v1//users/me"},
		{path: "/v1/x/../users/me"},
	} {
		t.Run(c.method+" "+c.path, func(t *testing.T) {
			c.token, c.version = tokenA, version
			resp, body := do(t, s, c)
			wantError(t, resp, body, 400, "invalid_request_url", "Invalid request URL.")
		})
	}
}

func TestRestrict(t *testing.T) {
	s := newFake(t)
	s.Restrict(tokenA, "patch", "/v1/pages/")
	resp, body := do(t, s, call{method: "PATCH", path: "/v1/pages/" + pageID, token: tokenA, version: version})
	wantError(t, resp, body, 403, "restricted_resource", "Insufficient permissions for this endpoint.")
	if resp, _ := do(t, s, call{path: "/v1/pages/" + pageID, token: tokenA, version: version}); resp.StatusCode != 200 {
		t.Errorf("GET of a PATCH-restricted page: %d", resp.StatusCode)
	}
	s.Restrict(tokenA, "", "/v1/users")
	resp, body = do(t, s, call{path: "/v1/users/me", token: tokenA, version: version})
	wantError(t, resp, body, 403, "restricted_resource", "")
}

func TestRequestIDs(t *testing.T) {
	s := newFake(t)
	seen := map[string]bool{}
	for _, c := range []call{
		{path: "/v1/users/me", token: tokenA, version: version},
		{path: "/v1/pages/" + pageID, token: tokenA, version: version},
		{method: "POST", path: "/v1/search", token: tokenA, version: version},
		{path: "/v1/pages/" + pageID, token: tokenB, version: version},
		{path: "/v1/users/me"},
	} {
		resp, body := do(t, s, c)
		id := resp.Header.Get("x-notion-request-id")
		var got struct {
			RequestID string `json:"request_id"`
		}
		if err := json.Unmarshal(body, &got); err != nil || got.RequestID != id || id == "" || seen[id] {
			t.Errorf("%s: header %q, body %s", c.path, id, body)
		}
		seen[id] = true
	}
}

func TestNormalizeID(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{pageID, pageID, true},
		{compact(pageID), pageID, true},
		{strings.ToUpper(pageID), pageID, true},
		{strings.ToUpper(compact(pageID)), pageID, true},
		{"", "", false},
		{pageID[:35], "", false},
		{compact(pageID) + "0", "", false},
		{"1f2e3d4c5b6a-4798-8a7b-6c5d4e3f2a1b", "", false},
		{"1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1g", "", false},
		{"1f2e3d4c-5b6a-4798-8a7b+6c5d4e3f2a1b", "", false},
	}
	for _, tt := range tests {
		got, ok := notiontest.NormalizeID(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("NormalizeID(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// A body of the wrong type is answered as Notion words it: the JSON name
// of the field, never a Go name, and the kind in JSON's terms.
func TestTypeErrorsNameTheJSONField(t *testing.T) {
	s := notiontest.NewServer()
	defer s.Close()
	s.AddToken("ntn_type_error_token_0123456789", notiontest.Bot{ID: "b1", Name: "Bot"})
	req, _ := http.NewRequest("POST", s.URL()+"/v1/search", strings.NewReader(`{"page_size":"x"}`))
	req.Header.Set("Authorization", "Bearer ntn_type_error_token_0123456789")
	req.Header.Set("Notion-Version", "2025-09-03")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 400 || !strings.Contains(string(b), "body.page_size should be a number") {
		t.Errorf("%d %s", resp.StatusCode, b)
	}
}
