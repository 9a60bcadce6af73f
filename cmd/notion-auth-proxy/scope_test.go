package main

import (
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/notion-auth-proxy/notion-auth-proxy/internal/notiontest"
)

// scopeTree is a workspace of more than four levels: Root → Meetings (the
// key's one root) → a database → its data source → a row page → a block,
// with a comment on the row; and, outside the root, HR under Root.
type scopeTree struct {
	root, meetings, hr, db, source, row, block, comment string
}

func seedScopeTree(fake *notiontest.Server) scopeTree {
	var s scopeTree
	s.root = fake.AddPage("", "Acme wiki")
	s.meetings = fake.AddPage(s.root, "Meetings")
	s.hr = fake.AddPage(s.root, "HR")
	s.db, s.source = fake.AddDatabase(s.meetings, "Notes")
	s.row = fake.Add(notiontest.Object{Type: "page", Parent: s.source, Title: "Standup"})
	s.block = fake.AddBlock(s.row, "paragraph", "We shipped.")
	s.comment, _ = fake.AddComment(s.row, "Nice")
	fake.Share(testToken, "page", s.root)
	return s
}

// keyed sends a request with a client key and returns the answer.
func keyed(t *testing.T, base, key, method, path, body string) (*http.Response, string) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, base+path, rd)
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// A key limited to objects reaches its root and everything under it, and
// nothing else, though the integration sees the whole workspace: through
// the real binary, from a cold start, deciding about deep objects by
// looking their parents up.
func TestObjectScopesThroughTheBinary(t *testing.T) {
	bin := buildBinary(t)
	dir := isolate(t)
	fake := newFake(t)
	tree := seedScopeTree(fake)
	t.Setenv("WIKI_TOKEN", testToken)
	t.Setenv("KEY_MEETINGS", "key-meetings-0123456789")
	t.Setenv("KEY_SHADOW", "key-shadow-0123456789")
	cfg := filepath.Join(dir, "c.yaml")
	writeFile(t, cfg, "upstream: "+fake.URL()+"\ncredentials:\n  - {name: wiki, type: token, token_env: WIKI_TOKEN}\n"+
		"client_keys:\n  - {name: meetings, key_env: KEY_MEETINGS, objects: ["+strings.ReplaceAll(tree.meetings, "-", "")+"]}\n"+
		"  - {name: shadow, key_env: KEY_SHADOW, objects: ["+tree.meetings+"], enforce: false}\n")
	p := startProcess(t, bin, "--config", cfg)
	const key = "key-meetings-0123456789"

	// Cold: the block is five levels under the root; each is looked up.
	if resp, body := keyed(t, p.url, key, "GET", "/v1/blocks/"+tree.block, ""); resp.StatusCode != 200 {
		t.Fatalf("a block deep under the root: %d %s", resp.StatusCode, body)
	}
	// Outside the root: answered like a page not shared, nothing sent.
	before := len(fake.Requests())
	resp, body := keyed(t, p.url, key, "GET", "/v1/pages/"+tree.hr, "")
	var e struct{ Object, Code, Message string }
	json.Unmarshal([]byte(body), &e)
	if resp.StatusCode != 404 || e.Code != "object_not_found" || resp.Header.Get("X-Notion-Proxy-Error") != "object_out_of_scope" ||
		!strings.HasPrefix(e.Message, "Could not find page with ID: "+tree.hr) {
		t.Errorf("a page outside the root: %d %s", resp.StatusCode, body)
	}
	// Only the lookups of HR and its parents went upstream.
	for _, r := range fake.Requests()[before:] {
		if r.Method != "GET" || (r.Path != "/v1/pages/"+tree.hr && r.Path != "/v1/pages/"+tree.root) {
			t.Errorf("the refused request sent %s %s upstream", r.Method, r.Path)
		}
	}
	// Creating: under the data source yes, under HR or the workspace no.
	if resp, body := keyed(t, p.url, key, "POST", "/v1/pages", `{"parent":{"data_source_id":"`+tree.source+`"},"properties":{}}`); resp.StatusCode != 200 {
		t.Errorf("a row in the root's data source: %d %s", resp.StatusCode, body)
	}
	for _, parent := range []string{`{"page_id":"` + tree.hr + `"}`, `{"workspace":true}`} {
		if resp, _ := keyed(t, p.url, key, "POST", "/v1/pages", `{"parent":`+parent+`,"properties":{}}`); resp.Header.Get("X-Notion-Proxy-Error") != "object_out_of_scope" {
			t.Errorf("creating under %s: %d", parent, resp.StatusCode)
		}
	}
	// Moving a page out of the root is refused by its destination.
	if resp, _ := keyed(t, p.url, key, "POST", "/v1/pages/"+tree.row+"/move", `{"parent":{"type":"page_id","page_id":"`+tree.hr+`"}}`); resp.Header.Get("X-Notion-Proxy-Error") != "object_out_of_scope" {
		t.Errorf("moving a row out of the root: %d", resp.StatusCode)
	}
	// Comments: on the row yes, on Root no.
	if resp, _ := keyed(t, p.url, key, "GET", "/v1/comments?block_id="+tree.row, ""); resp.StatusCode != 200 {
		t.Errorf("comments on the row: %d", resp.StatusCode)
	}
	if resp, _ := keyed(t, p.url, key, "GET", "/v1/comments?block_id="+tree.root, ""); resp.Header.Get("X-Notion-Proxy-Error") != "object_out_of_scope" {
		t.Errorf("comments on Root: %d", resp.StatusCode)
	}
	// Search is filtered to the root's subtree; has_more and next_cursor stay.
	_, body = keyed(t, p.url, key, "POST", "/v1/search", `{"page_size":100}`)
	var list struct {
		Results []struct{ ID string } `json:"results"`
		HasMore *bool                 `json:"has_more"`
	}
	if err := json.Unmarshal([]byte(body), &list); err != nil || list.HasMore == nil {
		t.Fatalf("search: %v %s", err, body)
	}
	for _, r := range list.Results {
		if r.ID == tree.root || r.ID == tree.hr {
			t.Errorf("search answered %s, outside the root", r.ID)
		}
	}
	if len(list.Results) == 0 {
		t.Error("search answered nothing at all: the root's own objects are missing")
	}
	// Shadow mode: logged, naming the object, and let through.
	if resp, _ := keyed(t, p.url, "key-shadow-0123456789", "GET", "/v1/pages/"+tree.hr, ""); resp.StatusCode != 200 {
		t.Errorf("shadow mode refused: %d", resp.StatusCode)
	}
	waitLog(t, p.stderr, `"event":"scope_violation"`)
	if !strings.Contains(p.stderr.String(), `"object_id":"`+tree.hr+`"`) || !strings.Contains(p.stderr.String(), "objects ("+tree.meetings+")") ||
		!strings.Contains(p.stderr.String(), `"event":"scope_lookup"`) {
		t.Error("the log lacks the violation's object id and roots, or the lookups")
	}

	// A cold restart decides correctly about a deep object again.
	if err := p.stop(t); err != nil {
		t.Fatalf("stop: %v", err)
	}
	p = startProcess(t, bin, "--config", cfg)
	if resp, body := keyed(t, p.url, key, "GET", "/v1/blocks/"+tree.block+"/children", ""); resp.StatusCode != 200 {
		t.Errorf("after a restart, the deep block: %d %s", resp.StatusCode, body)
	}
	if resp, _ := keyed(t, p.url, key, "PATCH", "/v1/pages/"+tree.hr, `{"in_trash":true}`); resp.Header.Get("X-Notion-Proxy-Error") != "object_out_of_scope" {
		t.Errorf("after a restart, trashing HR: %d", resp.StatusCode)
	}
	checkLogs(t, p.stderr.String())
}
