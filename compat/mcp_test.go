package compat_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/notion-auth-proxy/notion-auth-proxy/internal/lockedbuf"
	"github.com/notion-auth-proxy/notion-auth-proxy/internal/notiontest"
)

const (
	mcpServerPackage = "@notionhq/notion-mcp-server"
	// mcpTimeout bounds the whole MCP session, start-up included.
	mcpTimeout = 2 * time.Minute
)

// TestNotionMCPServer runs the official Notion MCP server over stdio with
// BASE_URL pointing at a proxy and no token of its own, lists its tools and
// calls every one of them on objects of the demo workspace. Each call must
// answer the fake's result (not an error result, not a proxy error), and
// every request must have reached the fake with the proxy's credential.
func TestNotionMCPServer(t *testing.T) {
	node := requirePackage(t, mcpServerPackage)
	ctx, cancel := context.WithTimeout(t.Context(), mcpTimeout)
	defer cancel()

	tokens := map[string]string{"wiki": newToken(t), "partner": newToken(t)}
	fake := notiontest.NewServer()
	t.Cleanup(fake.Close)
	fake.AddToken(tokens["wiki"], notiontest.Bot{ID: "b0000000-0000-4000-8000-000000000001", Name: wikiBotName,
		WorkspaceID: "a0000000-0000-4000-8000-000000000001", WorkspaceName: "Wiki"})
	d := fake.SeedDemo(tokens["wiki"])
	doomed := fake.AddBlock(d.Root, "paragraph", "Delete me")
	server := httptest.NewServer(newProxy(t, fake.URL(), tokens))
	t.Cleanup(server.Close)

	session, stderr := startMCPServer(ctx, t, node, server.URL)
	args := mcpArguments(d, doomed)
	called := 0
	for tool, err := range session.Tools(ctx, nil) {
		if err != nil {
			t.Fatalf("tools/list: %v\nserver stderr:\n%s", err, stderr)
		}
		a, ok := args[tool.Name]
		if !ok {
			t.Errorf("tool %s has no arguments in this test: a new tool of the MCP server? Add it to mcpArguments", tool.Name)
			continue
		}
		called++
		checkToolCall(ctx, t, session, fake, tool.Name, a, tokens["wiki"])
	}
	if called != len(args) {
		t.Errorf("called %d tools, the test knows %d: tools/list lost some", called, len(args))
	}
	t.Logf("called all %d tools of the MCP server through the proxy", called)
	checkMCPVersions(t, fake.Requests(), tokens["wiki"])
	for name, token := range tokens {
		if strings.Contains(stderr.String(), token) {
			t.Errorf("the MCP server's stderr holds credential %s's token", name)
		}
	}
}

// checkMCPVersions checks that every request reached the fake with the
// proxy's credential and the Notion-Version the server declares for it; the
// server sends none for create-a-comment, and the proxy supplies its own.
func checkMCPVersions(t *testing.T, reqs []notiontest.Request, token string) {
	t.Helper()
	for _, r := range reqs {
		if r.Token != token {
			t.Errorf("%s %s reached the fake without the proxy's credential", r.Method, r.Path)
		}
		want := "2025-09-03"
		switch {
		case strings.HasSuffix(r.Path, "/markdown"):
			want = "2026-03-11"
		case r.Method == "POST" && r.Path == "/v1/comments":
			want = proxyNotionVersion
		}
		if got := r.Header.Values("Notion-Version"); len(got) != 1 || got[0] != want {
			t.Errorf("%s %s: Notion-Version %q, want %s", r.Method, r.Path, got, want)
		}
	}
}

// startMCPServer starts the MCP server (killed on cleanup) with BASE_URL
// and without any Notion token in its environment, and connects to it.
func startMCPServer(ctx context.Context, t *testing.T, node, baseURL string) (*mcp.ClientSession, *lockedbuf.Buffer) {
	t.Helper()
	cmd := exec.CommandContext(ctx, node, filepath.Join(jsDir, "node_modules", mcpServerPackage, "bin", "cli.mjs"))
	cmd.Env = append(environWithout("NOTION_TOKEN", "OPENAPI_MCP_HEADERS", "BASE_URL", "AUTH_TOKEN"),
		"BASE_URL="+baseURL, "HOME="+t.TempDir(), "NO_COLOR=1")
	stderr := &lockedbuf.Buffer{}
	cmd.Stderr = stderr
	cmd.WaitDelay = 5 * time.Second
	client := mcp.NewClient(&mcp.Implementation{Name: "notion-auth-proxy-compat", Version: "0"}, nil)
	session, err := client.Connect(ctx, &mcp.CommandTransport{Command: cmd, TerminateDuration: 2 * time.Second}, nil)
	if err != nil {
		t.Fatalf("start the MCP server: %v\nstderr:\n%s", err, stderr)
	}
	t.Cleanup(func() { _ = session.Close() })
	return session, stderr
}

// checkToolCall calls tool with args and checks that it answered the fake's
// own result, which the fake served with token.
func checkToolCall(ctx context.Context, t *testing.T, session *mcp.ClientSession, fake *notiontest.Server, tool string, args map[string]any, token string) {
	t.Helper()
	res, err := session.CallTool(ctx, &mcp.CallToolParams{Name: tool, Arguments: args})
	if err != nil {
		t.Errorf("%s: %v", tool, err)
		return
	}
	var text string
	if len(res.Content) == 1 {
		if c, ok := res.Content[0].(*mcp.TextContent); ok {
			text = c.Text
		}
	}
	var body struct {
		Object    string `json:"object"`
		Status    any    `json:"status"`
		RequestID string `json:"request_id"`
	}
	if res.IsError || json.Unmarshal([]byte(text), &body) != nil || body.Object == "error" || body.Status == "error" {
		t.Errorf("%s answered an error: %s", tool, text)
		return
	}
	for _, r := range fake.Requests() {
		if r.RequestID == body.RequestID && body.RequestID != "" {
			if r.Token != token || r.Status/100 != 2 {
				t.Errorf("%s: the fake answered %s %s with status %d and another token", tool, r.Method, r.Path, r.Status)
			}
			return
		}
	}
	t.Errorf("%s answered %s, which the fake did not serve", tool, text)
}

// mcpArguments returns the arguments of every tool of the pinned MCP
// server, naming objects of the demo workspace d; doomed is a block to
// delete.
func mcpArguments(d notiontest.Demo, doomed string) map[string]map[string]any {
	text := func(s string) []any {
		return []any{map[string]any{"type": "text", "text": map[string]any{"content": s}}}
	}
	return map[string]map[string]any{
		"API-get-user":           {"user_id": d.Person},
		"API-get-users":          {},
		"API-get-self":           {},
		"API-post-search":        {"query": "Acme"},
		"API-get-block-children": {"block_id": d.Root, "page_size": 2},
		"API-patch-block-children": {"block_id": d.Root, "children": []any{
			map[string]any{"type": "paragraph", "paragraph": map[string]any{"rich_text": text("Added through MCP")}}}},
		"API-retrieve-a-block": {"block_id": d.Heading},
		// The tool names the block's content "type", not by the block type
		// Notion expects, so only the trash flag can be set through it.
		"API-update-a-block":           {"block_id": d.Paragraph, "archived": false},
		"API-delete-a-block":           {"block_id": doomed},
		"API-retrieve-a-page":          {"page_id": d.Root},
		"API-patch-page":               {"page_id": d.Handbook, "properties": map[string]any{"title": text("Handbook v2")}},
		"API-post-page":                {"parent": map[string]any{"page_id": d.Root}, "properties": map[string]any{"title": text("From MCP")}},
		"API-retrieve-a-page-property": {"page_id": d.Rows[0], "property_id": "title"},
		"API-retrieve-a-comment":       {"block_id": d.Root},
		"API-create-a-comment":         {"parent": map[string]any{"page_id": d.Root}, "rich_text": text("Seen by MCP")},
		// The fake applies filter and sorts, and refuses them if they
		// arrive changed into something it cannot read.
		"API-query-data-source": {"data_source_id": d.TasksSource, "page_size": 2,
			"filter": map[string]any{"property": "Done", "checkbox": map[string]any{"equals": true}},
			"sorts":  []any{map[string]any{"property": "Name", "direction": "ascending"}}},
		"API-retrieve-a-data-source": {"data_source_id": d.TasksSource},
		"API-update-a-data-source":   {"data_source_id": d.TasksSource, "properties": map[string]any{"Due": map[string]any{"date": map[string]any{}}}},
		// The tool's schema asks for a page_id parent; Notion takes a
		// database_id parent, which the server passes through.
		"API-create-a-data-source": {"parent": map[string]any{"type": "database_id", "database_id": d.Tasks},
			"title": text("Archive"), "properties": map[string]any{"Name": map[string]any{"title": map[string]any{}}}},
		"API-list-data-source-templates": {"data_source_id": d.TasksSource},
		"API-retrieve-a-database":        {"database_id": d.Tasks},
		"API-move-page":                  {"page_id": d.Handbook, "parent": map[string]any{"type": "page_id", "page_id": d.Root}},
		"API-retrieve-page-markdown":     {"page_id": d.Root},
		"API-update-page-markdown": {"page_id": d.Root, "type": "update_content", "update_content": map[string]any{
			"content_updates": []any{map[string]any{"old_str": "Welcome to Acme", "new_str": "Welcome to Acme, from MCP"}}}},
	}
}

// environWithout returns the environment without the variables named.
func environWithout(names ...string) []string {
	var out []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		drop := false
		for _, n := range names {
			drop = drop || name == n
		}
		if !drop {
			out = append(out, kv)
		}
	}
	return out
}
