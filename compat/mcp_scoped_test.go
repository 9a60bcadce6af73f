package compat_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/notion-auth-proxy/notion-auth-proxy/credstore"
	"github.com/notion-auth-proxy/notion-auth-proxy/internal/access"
	"github.com/notion-auth-proxy/notion-auth-proxy/internal/notiontest"
	"github.com/notion-auth-proxy/notion-auth-proxy/policy"
	"github.com/notion-auth-proxy/notion-auth-proxy/proxy"
)

// TestMCPServerAsReadOnlyAgent gives the official MCP server a read-only
// client key as its token, the README's research-agent policy: its read
// tools (search and data-source queries, which are POSTs, included) work;
// every tool that writes, trashes or comments is refused by the proxy with
// a reason the agent can read, and never reaches Notion.
func TestMCPServerAsReadOnlyAgent(t *testing.T) {
	node := requirePackage(t, mcpServerPackage)
	ctx, cancel := context.WithTimeout(t.Context(), mcpTimeout)
	defer cancel()
	token := newToken(t)
	fake := notiontest.NewServer()
	t.Cleanup(fake.Close)
	fake.AddToken(token, notiontest.Bot{ID: "b0000000-0000-4000-8000-000000000001", Name: wikiBotName})
	d := fake.SeedDemo(token)
	doomed := fake.AddBlock(d.Root, "paragraph", "Delete me")
	u, _ := url.Parse(fake.URL())
	const key = "key-research-agent-0123456789"
	h, err := proxy.New(proxy.Config{Upstream: u, NotionVersion: proxyNotionVersion, MaxBodyBytes: 25 << 20,
		Credentials: []proxy.Credential{{Name: "wiki", Source: credstore.NewEnvToken("wiki", "T", func(string) (string, bool) { return token, true })}},
		ClientKeys:  []proxy.ClientKey{{Name: "research-agent", Key: key, Policy: access.New(policy.ReadOnly)}},
	}, proxy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	server := httptest.NewServer(h)
	t.Cleanup(server.Close)

	cmd := exec.CommandContext(ctx, node, filepath.Join(jsDir, "node_modules", mcpServerPackage, "bin", "cli.mjs"))
	cmd.Env = append(environWithout("NOTION_TOKEN", "OPENAPI_MCP_HEADERS", "BASE_URL", "AUTH_TOKEN"),
		"BASE_URL="+server.URL, "NOTION_TOKEN="+key, "HOME="+t.TempDir(), "NO_COLOR=1")
	cmd.WaitDelay = 5 * time.Second
	session, err := mcp.NewClient(&mcp.Implementation{Name: "compat", Version: "0"}, nil).
		Connect(ctx, &mcp.CommandTransport{Command: cmd, TerminateDuration: 2 * time.Second}, nil)
	if err != nil {
		t.Fatalf("start the MCP server: %v", err)
	}
	t.Cleanup(func() { _ = session.Close() })

	args := mcpArguments(d, doomed)
	reads := []string{"API-post-search", "API-query-data-source", "API-retrieve-a-page", "API-get-block-children",
		"API-retrieve-a-comment", "API-get-users", "API-retrieve-page-markdown"}
	writes := map[string]string{ // tool: the capability it lacks
		"API-patch-page": "update", "API-post-page": "insert", "API-patch-block-children": "insert",
		"API-delete-a-block": "delete", "API-create-a-comment": "comment_insert", "API-move-page": "update",
		"API-update-page-markdown": "update",
	}
	for _, tool := range reads {
		checkToolCall(ctx, t, session, fake, tool, args[tool], token)
	}
	before := len(fake.Requests())
	for tool, capability := range writes {
		res, err := session.CallTool(ctx, &mcp.CallToolParams{Name: tool, Arguments: args[tool]})
		if err != nil {
			t.Errorf("%s: %v", tool, err)
			continue
		}
		text := res.Content[0].(*mcp.TextContent).Text
		var body struct{ Code, Message string }
		_ = json.Unmarshal([]byte(text), &body)
		if body.Code != "restricted_resource" || !strings.Contains(body.Message, "requires the "+capability+" capability") {
			t.Errorf("%s: the agent saw %s; want a refusal naming the %s capability", tool, text, capability)
		}
	}
	if n := len(fake.Requests()) - before; n != 0 {
		t.Errorf("%d refused tool calls reached Notion", n)
	}
}
