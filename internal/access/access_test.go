package access_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/notion-auth-proxy/notion-auth-proxy/internal/access"
	"github.com/notion-auth-proxy/notion-auth-proxy/internal/notiontest"
	"github.com/notion-auth-proxy/notion-auth-proxy/policy"
	"github.com/notion-auth-proxy/notion-auth-proxy/proxy"
)

const token = "ntn_access_test_token_0123456789"

type source struct{}

func (source) Token(context.Context) (string, error) { return token, nil }
func (source) State() string                         { return proxy.StateReady }

// newProxy is a proxy in front of the fake Notion API with the given
// client keys.
func newProxy(t *testing.T, keys ...proxy.ClientKey) (*notiontest.Server, *httptest.Server) {
	t.Helper()
	fake := notiontest.NewServer()
	t.Cleanup(fake.Close)
	fake.AddToken(token, notiontest.Bot{ID: "b0000000-0000-4000-8000-000000000001", Name: "Bot"})
	up, _ := url.Parse(fake.URL())
	h, err := proxy.New(proxy.Config{Upstream: up, NotionVersion: "2026-03-11", MaxBodyBytes: 1 << 20,
		Credentials: []proxy.Credential{{Name: "wiki", Source: source{}}}, ClientKeys: keys}, proxy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return fake, srv
}

var param = regexp.MustCompile(`\{[a-z_]+\}`)

// concrete fills a path template: ids where Notion takes UUIDs, a plain
// word for the agent families' ids.
func concrete(path string) string {
	return param.ReplaceAllStringFunc(path, func(p string) string {
		switch p {
		case "{agent_id}", "{session_id}", "{thread_id}", "{task_id}", "{property_id}", "{query_id}", "{vault_id}":
			return "x1"
		}
		return "1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b"
	})
}

func send(t *testing.T, srv *httptest.Server, key, method, path, body string) *http.Response {
	t.Helper()
	var r *strings.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, srv.URL+path, nil)
	if r != nil {
		req, _ = http.NewRequest(method, srv.URL+path, r)
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("X-Notion-Proxy-Key", key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// Every endpoint of the table, sent by a key that lacks the capability it
// needs, is refused with nothing sent upstream; by a key that has only
// that capability, it reaches Notion.
func TestEveryEndpointNeedsItsCapability(t *testing.T) {
	for _, e := range policy.Endpoints() {
		t.Run(e.Method+" "+e.Path, func(t *testing.T) {
			path := concrete(e.Path)
			query, body := "", ""
			if e.Method == http.MethodPost || e.Method == http.MethodPatch {
				body = "{}"
			}
			if e.Name == "listComments" {
				query = "?block_id=1f2e3d4c5b6a47988a7b6c5d4e3f2a1b"
			}
			c, err := policy.Classify(e.Method, path, strings.TrimPrefix(query, "?"), []byte(body))
			switch {
			case c.Need == policy.ClientCredentials:
				fake, srv := newProxy(t, proxy.ClientKey{Name: "all", Key: "key-all-0123456789", Policy: access.New(policy.All)})
				resp := send(t, srv, "key-all-0123456789", e.Method, path+query, body)
				if resp.StatusCode != 403 || resp.Header.Get("X-Notion-Proxy-Error") != "client_credentials_endpoint" || len(fake.Requests()) != 0 {
					t.Errorf("an OAuth endpoint for a scoped key: %d %q", resp.StatusCode, resp.Header.Get("X-Notion-Proxy-Error"))
				}
				return
			case err != nil:
				t.Fatalf("the table's own endpoint does not classify: %v", err)
			}
			lacking := policy.All &^ policy.SetOf(c.Need)
			only := policy.SetOf(c.Need)
			fake, srv := newProxy(t,
				proxy.ClientKey{Name: "lacking", Key: "key-lacking-0123456789", Policy: access.New(lacking)},
				proxy.ClientKey{Name: "only", Key: "key-only-0123456789", Policy: access.New(only)})
			if c.Need != 0 {
				resp := send(t, srv, "key-lacking-0123456789", e.Method, path+query, body)
				if resp.StatusCode != 403 || resp.Header.Get("X-Notion-Proxy-Error") != "capability_denied" ||
					resp.Header.Get("X-Notion-Proxy-Required-Capability") != c.Need.String() {
					t.Errorf("without %s: %d %q %q", c.Need, resp.StatusCode, resp.Header.Get("X-Notion-Proxy-Error"),
						resp.Header.Get("X-Notion-Proxy-Required-Capability"))
				}
				if n := len(fake.Requests()); n != 0 {
					t.Errorf("without %s: upstream saw %d requests", c.Need, n)
				}
			}
			resp := send(t, srv, "key-only-0123456789", e.Method, path+query, body)
			if resp.Header.Get("X-Notion-Proxy-Error") != "" {
				t.Errorf("with %s: refused by the proxy (%d %s)", c.Need, resp.StatusCode, resp.Header.Get("X-Notion-Proxy-Error"))
			}
			if n := len(fake.Requests()); n != 1 {
				t.Errorf("with %s: upstream saw %d requests, want 1", c.Need, n)
			}
		})
	}
}
