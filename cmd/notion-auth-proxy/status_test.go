package main

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/notion-auth-proxy/notion-auth-proxy/internal/statuspage"
)

// The running proxy serves the status page: every credential with its
// state and the fix, the not-shared object with a link into Notion, and
// the strict CSP. Never a secret.
func TestServeStatusPage(t *testing.T) {
	dir := isolate(t)
	fake := newFake(t)
	t.Setenv("WIKI_TOKEN", testToken)
	cfg := filepath.Join(dir, "c.yaml")
	writeFile(t, cfg, "upstream: "+fake.URL()+"\ndefault_credential: wiki\ncredentials:\n"+
		"  - {name: wiki, type: token, token_env: WIKI_TOKEN}\n  - {name: central, type: token}\n")
	s := startServe(t, "--config", cfg)
	s.get(t, "/v1/pages/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d") // not shared with anyone
	resp, body := s.get(t, "/status")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Security-Policy") != statuspage.ContentSecurityPolicy {
		t.Fatalf("GET /status: %d, CSP %q", resp.StatusCode, resp.Header.Get("Content-Security-Policy"))
	}
	for _, want := range []string{"wiki", "central", "missing_secret", "notion-auth-proxy set-token central",
		"https://www.notion.so/0a1b2c3d4e5f4a6b8c7d9e0f1a2b3c4d", "<svg"} {
		if !strings.Contains(body, want) {
			t.Errorf("the status page lacks %q", want)
		}
	}
	if strings.Contains(body, testToken) {
		t.Error("the status page shows a token")
	}
	req, _ := http.NewRequest("GET", s.url+"/", nil)
	req.Header.Set("Accept", "text/html")
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if resp, err := noFollow.Do(req); err != nil || resp.StatusCode != http.StatusFound {
		t.Errorf("a browser at /: %v %v", resp, err)
	}
}
