// Package compat_test checks that official Notion clients work through
// notion-auth-proxy unchanged: they get normal results, and the proxy's own
// errors surface as the clients' ordinary API errors.
//
// The clients are pinned in compat/js and installed there by `make test`
// with npm ci: TestNotionJSSDK drives the real @notionhq/client,
// TestNotionMCPServer the official MCP server over stdio and TestNotionCLI
// the ntn CLI, each against a proxy in front of the fake Notion API.
package compat_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest"

	"github.com/notion-auth-proxy/notion-auth-proxy/credstore"
	"github.com/notion-auth-proxy/notion-auth-proxy/internal/notiontest"
	"github.com/notion-auth-proxy/notion-auth-proxy/proxy"
)

const (
	// jsDir holds the Node.js side of the test, relative to this package.
	jsDir = "js"
	// nodeTimeout bounds the whole node run, including start-up.
	nodeTimeout = 2 * time.Minute

	wikiBotName = "Wiki Bot"
	acmeBotName = "Acme Bot"
	sharedPage  = "1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b"
	// unsharedPage exists for no token: Notion answers object_not_found,
	// as it does for a page not shared with the integration.
	unsharedPage = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"

	// proxyNotionVersion is the proxy's configured Notion-Version. It
	// differs from the SDK's, so the test can tell whose value went
	// upstream: with the default policy the client's wins.
	proxyNotionVersion = "2022-06-28"
	// sdkUserAgentPrefix starts the User-Agent @notionhq/client sends.
	sdkUserAgentPrefix = "notionhq-client/"
)

// TestNotionJSSDK runs compat/js/sdk.test.mjs with node against a proxy
// holding two credentials: wiki (the default) and partner (workspace acme).
// It then checks on the fake's side that each request carried the right
// credential and the SDK's own Notion-Version.
func TestNotionJSSDK(t *testing.T) {
	node := requireNode(t)
	ctx, cancel := context.WithTimeout(t.Context(), nodeTimeout)
	defer cancel()

	tokens := map[string]string{ // credential name to token
		"wiki":    newToken(t),
		"partner": newToken(t),
	}
	fake := notiontest.NewServer()
	t.Cleanup(fake.Close)
	fake.AddToken(tokens["wiki"], notiontest.Bot{ID: "b0000000-0000-4000-8000-000000000001", Name: wikiBotName,
		WorkspaceID: "a0000000-0000-4000-8000-000000000001", WorkspaceName: "Wiki"})
	fake.AddToken(tokens["partner"], notiontest.Bot{ID: "b0000000-0000-4000-8000-000000000002", Name: acmeBotName,
		WorkspaceID: "a0000000-0000-4000-8000-000000000002", WorkspaceName: "Acme"})
	fake.Share(tokens["wiki"], "page", sharedPage)
	fake.Share(tokens["partner"], "page", sharedPage)

	server := httptest.NewServer(newProxy(t, fake.URL(), tokens))
	t.Cleanup(server.Close)

	sdkVersion := sdkNotionVersion(ctx, t, node)
	if sdkVersion == proxyNotionVersion {
		t.Fatalf("the SDK's Notion-Version equals the proxy's (%s): change proxyNotionVersion so the test can tell them apart", sdkVersion)
	}

	cmd := exec.CommandContext(ctx, node, "--test", "--test-reporter=spec")
	cmd.Dir = jsDir
	cmd.Env = append(os.Environ(),
		"PROXY_URL="+server.URL,
		"SHARED_PAGE="+sharedPage,
		"UNSHARED_PAGE="+unsharedPage,
		"BOT_NAME="+wikiBotName,
		"ACME_BOT_NAME="+acmeBotName,
		"NO_COLOR=1",
	)
	// node --test runs each file in a child process that may outlive a
	// killed parent and hold the output pipe; do not wait for it forever.
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.CombinedOutput()
	output := string(out)
	for name, token := range tokens {
		if strings.Contains(output, token) {
			output = strings.ReplaceAll(output, token, "[REDACTED]")
			t.Errorf("node's output contains credential %s's token", name)
		}
	}
	switch {
	case ctx.Err() != nil:
		t.Fatalf("node --test did not finish within %s:\n%s", nodeTimeout, output)
	case err != nil:
		t.Fatalf("node --test: %v\n%s", err, output)
	}
	t.Log("node --test passed:\n" + summary(output))

	checkUpstream(t, fake.Requests(), tokens, sdkVersion)
}

// requireNode returns the path of node, or ends the test when node or the
// installed SDK is missing (see requirePackage).
func requireNode(t *testing.T) string {
	t.Helper()
	return requirePackage(t, "@notionhq/client")
}

// requirePackage returns the path of node, or ends the test when node or the
// npm package pkg (installed in compat/js/node_modules) is missing: a failure
// on CI, which must run these tests, and a skip elsewhere.
func requirePackage(t *testing.T, pkg string) string {
	t.Helper()
	var problem string
	node, err := exec.LookPath("node")
	if err != nil {
		problem = "node is not on PATH"
	} else if _, err := os.Stat(filepath.Join(jsDir, "node_modules", pkg, "package.json")); err != nil {
		problem = pkg + " is not installed in compat/js/node_modules"
	}
	if problem == "" {
		return node
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s; CI must run the compatibility tests (make test installs them with npm ci)", problem)
	}
	t.Skipf("%s; run `make test`, which installs it with npm ci in compat/js", problem)
	return ""
}

// newToken returns a random token in Notion's internal-integration format.
// Tokens are random so that a leak cannot hide behind a fixed string.
func newToken(t *testing.T) string {
	t.Helper()
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("random token: %v", err)
	}
	return "ntn_" + hex.EncodeToString(b)
}

// newProxy returns a proxy in front of upstream with credentials wiki (the
// default) and partner (workspace acme), read from tokens through the same
// environment-token source the daemon uses.
func newProxy(t *testing.T, upstream string, tokens map[string]string) *proxy.Handler {
	t.Helper()
	u, err := url.Parse(upstream)
	if err != nil {
		t.Fatalf("parse fake URL: %v", err)
	}
	lookup := func(name string) (string, bool) {
		token, ok := tokens[strings.TrimPrefix(name, "TOKEN_")]
		return token, ok
	}
	h, err := proxy.New(proxy.Config{
		Upstream:      u,
		NotionVersion: proxyNotionVersion,
		MaxBodyBytes:  25 << 20,
		Credentials: []proxy.Credential{
			{Name: "wiki", Source: credstore.NewEnvToken("wiki", "TOKEN_wiki", lookup)},
			{Name: "partner", Source: credstore.NewEnvToken("partner", "TOKEN_partner", lookup)},
		},
		Workspaces:        []proxy.Workspace{{Name: "acme", Credential: "partner"}},
		DefaultCredential: "wiki",
	}, proxy.Options{
		Logger:    zaptest.NewLogger(t, zaptest.Level(zapcore.WarnLevel)),
		Transport: proxy.NewTransport(proxy.TransportOptions{ResponseHeaderTimeout: 10 * time.Second}),
	})
	if err != nil {
		t.Fatalf("proxy.New: %v", err)
	}
	return h
}

// sdkNotionVersion asks the installed SDK which Notion-Version it sends.
func sdkNotionVersion(ctx context.Context, t *testing.T, node string) string {
	t.Helper()
	cmd := exec.CommandContext(ctx, node, "--input-type=module", "-e",
		`import { Client } from "@notionhq/client"; console.log(Client.defaultNotionVersion);`)
	cmd.Dir = jsDir
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.Output()
	if err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			t.Fatalf("read the SDK's Notion-Version: %v\n%s", err, exit.Stderr)
		}
		t.Fatalf("read the SDK's Notion-Version: %v", err)
	}
	v := strings.TrimSpace(string(out))
	if v == "" {
		t.Fatal("the SDK reports no default Notion-Version")
	}
	return v
}

// call is an upstream request as the credential check sees it.
type call struct {
	method, path, credential string
}

// checkUpstream asserts what reached the fake: the calls sdk.test.mjs makes,
// each with the selected credential's bearer token, the SDK's Notion-Version
// and User-Agent, and nothing for the unknown workspace.
func checkUpstream(t *testing.T, reqs []notiontest.Request, tokens map[string]string, sdkVersion string) {
	t.Helper()
	credentialOf := make(map[string]string, len(tokens))
	for name, token := range tokens {
		credentialOf[token] = name
	}
	want := map[call]bool{
		{"GET", "/v1/users/me", "wiki"}:              false,
		{"GET", "/v1/pages/" + sharedPage, "wiki"}:   false,
		{"GET", "/v1/pages/" + unsharedPage, "wiki"}: false,
		{"POST", "/v1/search", "wiki"}:               false,
		{"GET", "/v1/users/me", "partner"}:           false,
	}
	for _, r := range reqs {
		// Token values stay out of messages: only credential names.
		name, ok := credentialOf[r.Token]
		if !ok {
			t.Errorf("%s %s reached Notion without a single bearer token of a configured credential", r.Method, r.Path)
			continue
		}
		c := call{r.Method, r.Path, name}
		if _, expected := want[c]; !expected {
			t.Errorf("unexpected upstream request %s %s with credential %s", r.Method, r.Path, name)
		}
		want[c] = true
		if got := r.Header.Values("Notion-Version"); len(got) != 1 || got[0] != sdkVersion {
			t.Errorf("%s %s: Notion-Version upstream = %q, want the SDK's %q (client's value wins by default)",
				r.Method, r.Path, got, sdkVersion)
		}
		if ua := r.Header.Get("User-Agent"); !strings.HasPrefix(ua, sdkUserAgentPrefix) {
			t.Errorf("%s %s: User-Agent upstream = %q, want the SDK's %s...", r.Method, r.Path, ua, sdkUserAgentPrefix)
		}
	}
	for c, seen := range want {
		if !seen {
			t.Errorf("no upstream request %s %s with credential %s", c.method, c.path, c.credential)
		}
	}
}

// summary returns the totals node's test reporter prints at the end (lines
// such as "ℹ tests 6"), or the whole output when there are none.
func summary(output string) string {
	var b strings.Builder
	sc := bufio.NewScanner(strings.NewReader(output))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "ℹ ") || strings.HasPrefix(line, "# ") {
			b.WriteString(line)
			b.WriteByte('\n')
		}
	}
	if b.Len() == 0 {
		return output
	}
	return b.String()
}
