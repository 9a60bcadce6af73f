package compat_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/notion-auth-proxy/notion-auth-proxy/internal/notiontest"
)

const (
	ntnPackage = "ntn"
	// ntnTimeout bounds one ntn run.
	ntnTimeout = 30 * time.Second
	// ntnPlaceholder is the token ntn is given: it refuses to run without
	// one, and the proxy must replace it with the real credential.
	ntnPlaceholder = "ntn_placeholder_for_the_proxy_to_strip"
	// ntnVersion is the Notion-Version ntn sends. Without one it would
	// fetch Notion's OpenAPI file from the internet to learn the latest.
	ntnVersion = "2025-09-03"
)

// ntnCall is one run of the ntn CLI and what it must print.
type ntnCall struct {
	args   []string
	stdin  string
	object string // the "object" of the JSON printed; empty: not JSON
	prints string // when set, a regular expression the output must match
	fails  string // when set, ntn must fail with this in its output
}

// TestNotionCLI runs `ntn api` (and `ntn files`) with NOTION_API_BASE_URL
// pointing at a proxy and a placeholder NOTION_API_TOKEN. Every call must
// print the fake's answer, and the fake must have seen the proxy's
// credential on every request, never the placeholder.
func TestNotionCLI(t *testing.T) {
	requirePackage(t, ntnPackage)
	ntn, err := filepath.Abs(filepath.Join(jsDir, "node_modules", ".bin", "ntn"))
	if err != nil {
		t.Fatal(err)
	}
	tokens := map[string]string{"wiki": newToken(t), "partner": newToken(t)}
	fake := notiontest.NewServer()
	t.Cleanup(fake.Close)
	fake.AddToken(tokens["wiki"], notiontest.Bot{ID: "b0000000-0000-4000-8000-000000000001", Name: wikiBotName,
		WorkspaceID: "a0000000-0000-4000-8000-000000000001", WorkspaceName: "Wiki"})
	d := fake.SeedDemo(tokens["wiki"])
	doomed := fake.AddBlock(d.Root, "paragraph", "Delete me")
	server := httptest.NewServer(newProxy(t, fake.URL(), tokens))
	t.Cleanup(server.Close)
	env := ntnEnv(t, server.URL)

	for _, c := range ntnCalls(d, doomed) {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			out, err := runNTN(t, ntn, env, c)
			for name, token := range tokens {
				if strings.Contains(out, token) {
					t.Fatalf("ntn's output holds credential %s's token", name)
				}
			}
			if c.fails != "" {
				if err == nil || !strings.Contains(out, c.fails) {
					t.Errorf("ntn %v: %v, output %s; want a failure naming %s", c.args, err, out, c.fails)
				}
				return
			}
			if err != nil {
				t.Fatalf("ntn %v: %v\n%s", c.args, err, out)
			}
			var got struct{ Object string }
			if c.object != "" && (json.Unmarshal([]byte(out), &got) != nil || got.Object != c.object) {
				t.Errorf("ntn %v printed %s, want a %s", c.args, out, c.object)
			}
			if !regexp.MustCompile(c.prints).MatchString(out) {
				t.Errorf("ntn %v printed %s, want it to match %s", c.args, out, c.prints)
			}
		})
	}
	reqs := fake.Requests()
	if len(reqs) < len(ntnCalls(d, doomed)) {
		t.Errorf("the fake saw %d requests for %d ntn runs", len(reqs), len(ntnCalls(d, doomed)))
	}
	for _, r := range reqs {
		if r.Token != tokens["wiki"] {
			t.Errorf("%s %s reached the fake without the proxy's credential (the placeholder: %v)",
				r.Method, r.Path, r.Token == ntnPlaceholder)
		}
	}
}

// ntnCalls lists the runs, on objects of the demo workspace d.
func ntnCalls(d notiontest.Demo, doomed string) []ntnCall {
	return []ntnCall{
		{args: []string{"api", "v1/users/me"}, object: "user"},
		{args: []string{"api", "v1/pages/" + d.Root}, object: "page"},
		{args: []string{"api", "v1/pages", "parent[page_id]=" + d.Root, "properties[title][0][text][content]=From ntn"}, object: "page"},
		{args: []string{"api", "v1/pages/" + d.Handbook, "-X", "PATCH", "-d", `{"properties":{"title":[{"text":{"content":"Handbook v2"}}]}}`}, object: "page"},
		{args: []string{"api", "v1/blocks/" + d.Root + "/children", "page_size==2"}, object: "list"},
		{args: []string{"api", "v1/blocks/" + d.Root + "/children", "-X", "PATCH",
			"children[0][paragraph][rich_text][0][text][content]=Added by ntn"}, object: "list"},
		{args: []string{"api", "v1/blocks/" + doomed, "-X", "DELETE"}, object: "block"},
		{args: []string{"api", "v1/search", "query=Acme"}, object: "list"},
		{args: []string{"api", "v1/data_sources/" + d.TasksSource + "/query", "-X", "POST"}, object: "list"},
		{args: []string{"api", "v1/comments", "block_id==" + d.Root}, object: "list"},
		{args: []string{"api", "v1/comments", "parent[page_id]=" + d.Root, "rich_text[0][text][content]=From ntn"}, object: "comment"},
		{args: []string{"api", "v1/pages/" + d.Root + "/markdown", "--notion-version", "2026-03-11"}, object: "page_markdown"},
		{args: []string{"api", "v1/pages/" + d.Private}, fails: "object_not_found"},
		// files create is quiet on success; files list shows the upload
		// it sent and completed.
		{args: []string{"files", "create", "--filename", "hello.txt", "--content-type", "text/plain"}, stdin: "hello from ntn\n"},
		{args: []string{"files", "list"}, prints: `hello\.txt\s+uploaded`},
	}
}

// ntnEnv returns ntn's environment: the proxy as its API, a placeholder
// token, no keychain, a home of its own, and no way to reach Notion's
// documentation site.
func ntnEnv(t *testing.T, proxyURL string) []string {
	home := t.TempDir()
	return append(environWithout("NOTION_API_TOKEN", "NOTION_API_BASE_URL", "NOTION_API_VERSION", "NOTION_ENV",
		"NOTION_WORKSPACE_ID", "NOTION_HOME", "NOTION_API_DOCS_BASE_URL", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"),
		"NOTION_API_BASE_URL="+proxyURL,
		"NOTION_API_TOKEN="+ntnPlaceholder,
		"NOTION_API_VERSION="+ntnVersion,
		"NOTION_KEYRING=0",
		"NOTION_API_DOCS_BASE_URL=http://127.0.0.1:1",
		"HOME="+home, "NOTION_HOME="+filepath.Join(home, "notion"),
		"XDG_CONFIG_HOME="+filepath.Join(home, "config"), "XDG_CACHE_HOME="+filepath.Join(home, "cache"),
		"NO_COLOR=1",
	)
}

// runNTN runs ntn once and returns its combined output.
func runNTN(t *testing.T, ntn string, env []string, c ntnCall) (string, error) {
	ctx, cancel := context.WithTimeout(t.Context(), ntnTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, ntn, c.args...)
	cmd.Env = env
	cmd.Stdin = strings.NewReader(c.stdin)
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.CombinedOutput()
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Fatalf("ntn %v did not finish within %s", c.args, ntnTimeout)
	}
	return strings.TrimSpace(string(out)), err
}
