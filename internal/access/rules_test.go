package access_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/notion-auth-proxy/notion-auth-proxy/internal/access"
	"github.com/notion-auth-proxy/notion-auth-proxy/internal/notiontest"
	"github.com/notion-auth-proxy/notion-auth-proxy/policy"
	"github.com/notion-auth-proxy/notion-auth-proxy/proxy"
)

const page = "1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b"

// agentRig has a read-only research agent, a shadow-mode key, an unscoped
// key and a CI key that may only insert.
func agentRig(t *testing.T) (*notiontest.Server, *httptest.Server, *observer.ObservedLogs) {
	t.Helper()
	fake := notiontest.NewServer()
	t.Cleanup(fake.Close)
	fake.AddToken(token, notiontest.Bot{ID: "b0000000-0000-4000-8000-000000000001", Name: "Bot"})
	fake.Share(token, "page", page)
	up, _ := url.Parse(fake.URL())
	core, logs := observer.New(zap.DebugLevel)
	h, err := proxy.New(proxy.Config{Upstream: up, NotionVersion: "2026-03-11", MaxBodyBytes: 25 << 20,
		Credentials: []proxy.Credential{{Name: "wiki", Source: source{}}},
		ClientKeys: []proxy.ClientKey{
			{Name: "research-agent", Key: "key-agent-0123456789", Policy: access.New(policy.ReadOnly)},
			{Name: "rollout", Key: "key-rollout-0123456789", Policy: access.New(policy.ReadOnly), Shadow: true},
			{Name: "admin", Key: "key-admin-0123456789"},
			{Name: "ci", Key: "key-ci-0123456789", Policy: access.New(policy.SetOf(policy.Insert))},
		}}, proxy.Options{Logger: zap.New(core)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return fake, srv, logs
}

func do(t *testing.T, srv *httptest.Server, key, method, path, body string) (*http.Response, string) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, srv.URL+path, rd)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// A method-based read-only mode gets Notion wrong: search is a POST,
// appending blocks a PATCH, trashing a PATCH with in_trash. The policy
// judges what the request does.
func TestReadOnlyAgentByWhatRequestsDo(t *testing.T) {
	fake, srv, _ := agentRig(t)
	tests := []struct {
		name, method, path, body string
		refused                  string // required capability, "" when allowed
	}{
		{"search is a read", "POST", "/v1/search", `{"query":"x"}`, ""},
		{"a data source query is a read", "POST", "/v1/data_sources/" + page + "/query", `{}`, ""},
		{"reading a page", "GET", "/v1/pages/" + page, "", ""},
		{"who am I", "GET", "/v1/users/me", "", ""},
		{"trashing is a delete", "PATCH", "/v1/pages/" + page, `{"in_trash":true}`, "delete"},
		{"archiving is a delete", "PATCH", "/v1/pages/" + page, `{"archived":true}`, "delete"},
		{"editing properties is an update", "PATCH", "/v1/pages/" + page, `{"properties":{}}`, "update"},
		{"appending children is an insert", "PATCH", "/v1/blocks/" + page + "/children", `{"children":[]}`, "insert"},
		{"erasing markdown is a delete", "PATCH", "/v1/pages/" + page + "/markdown", `{"type":"replace_content","replace_content":{"new_str":"x"}}`, "delete"},
		{"deleting a block", "DELETE", "/v1/blocks/" + page, "", "delete"},
		{"commenting", "POST", "/v1/comments", `{"parent":{"page_id":"` + page + `"},"rich_text":[]}`, "comment_insert"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake.Reset()
			resp, body := do(t, srv, "key-agent-0123456789", tt.method, tt.path, tt.body)
			if tt.refused == "" {
				if resp.Header.Get("X-Notion-Proxy-Error") != "" || len(fake.Requests()) != 1 {
					t.Errorf("allowed request: %d %s", resp.StatusCode, body)
				}
				return
			}
			if resp.StatusCode != 403 || resp.Header.Get("X-Notion-Proxy-Error") != "capability_denied" ||
				resp.Header.Get("X-Notion-Proxy-Required-Capability") != tt.refused {
				t.Errorf("%d %q %q %s", resp.StatusCode, resp.Header.Get("X-Notion-Proxy-Error"),
					resp.Header.Get("X-Notion-Proxy-Required-Capability"), body)
			}
			if !strings.Contains(body, `"code":"restricted_resource"`) || !strings.Contains(body, "research-agent") ||
				!strings.Contains(body, tt.refused+" capability") {
				t.Errorf("the message does not name the key and the capability: %s", body)
			}
			if n := len(fake.Requests()); n != 0 {
				t.Errorf("upstream saw %d requests", n)
			}
		})
	}
}

// A CI job that may only append: it can add blocks but not read them.
func TestInsertOnlyKey(t *testing.T) {
	fake, srv, _ := agentRig(t)
	if resp, _ := do(t, srv, "key-ci-0123456789", "PATCH", "/v1/blocks/"+page+"/children", `{"children":[]}`); resp.Header.Get("X-Notion-Proxy-Error") != "" {
		t.Errorf("append: %d", resp.StatusCode)
	}
	if resp, _ := do(t, srv, "key-ci-0123456789", "GET", "/v1/pages/"+page, ""); resp.Header.Get("X-Notion-Proxy-Required-Capability") != "read" {
		t.Errorf("read by an insert-only key: %d %q", resp.StatusCode, resp.Header.Get("X-Notion-Proxy-Error"))
	}
	if n := len(fake.Requests()); n != 1 {
		t.Errorf("upstream saw %d requests, want only the append", n)
	}
}

// Shadow mode logs what the policy would refuse and lets it through.
func TestShadowModeLogsAndForwards(t *testing.T) {
	fake, srv, logs := agentRig(t)
	resp, _ := do(t, srv, "key-rollout-0123456789", "PATCH", "/v1/pages/"+page, `{"in_trash":true}`)
	if resp.Header.Get("X-Notion-Proxy-Error") != "" || len(fake.Requests()) != 1 {
		t.Fatalf("shadow mode refused: %d", resp.StatusCode)
	}
	v := logs.FilterField(zap.String("event", "scope_violation")).All()
	if len(v) != 1 {
		t.Fatalf("%d scope_violation lines, want 1", len(v))
	}
	f := v[0].ContextMap()
	if f["client"] != "rollout" || f["capability"] != "delete" || f["reason"] != "capability_denied" || f["method"] != "PATCH" || v[0].Level != zap.WarnLevel {
		t.Errorf("scope_violation fields: %v", f)
	}
}

// Keys without allow are as before: unknown endpoints go through. A scoped
// key's unknown endpoint is refused; its oversized body too.
func TestUnknownEndpointsAndBodies(t *testing.T) {
	fake, srv, logs := agentRig(t)
	if resp, _ := do(t, srv, "key-admin-0123456789", "GET", "/v1/not_an_endpoint", ""); resp.Header.Get("X-Notion-Proxy-Error") != "" || len(fake.Requests()) != 1 {
		t.Errorf("an unscoped key's unknown endpoint: %d %q", resp.StatusCode, resp.Header.Get("X-Notion-Proxy-Error"))
	}
	if resp, _ := do(t, srv, "key-agent-0123456789", "GET", "/v1/not_an_endpoint", ""); resp.StatusCode != 403 || resp.Header.Get("X-Notion-Proxy-Error") != "endpoint_unknown" {
		t.Errorf("a scoped key's unknown endpoint: %d %q", resp.StatusCode, resp.Header.Get("X-Notion-Proxy-Error"))
	}
	big := `{"properties":{},"x":"` + strings.Repeat("a", 1<<20) + `"}`
	if resp, _ := do(t, srv, "key-agent-0123456789", "PATCH", "/v1/pages/"+page, big); resp.StatusCode != 413 {
		t.Errorf("a 1 MiB body for a scoped PATCH: %d", resp.StatusCode)
	}
	if resp, _ := do(t, srv, "key-admin-0123456789", "PATCH", "/v1/pages/"+page, big); resp.StatusCode == 413 {
		t.Error("an unscoped key's large body was refused")
	}
	// Every request line names its client key; refusals are counted.
	for _, e := range logs.FilterField(zap.String("event", "request")).All() {
		if c, _ := e.ContextMap()["client"].(string); c == "" {
			t.Errorf("a request line without client: %v", e.ContextMap())
		}
	}
}

// The body the policy read is forwarded whole.
func TestPolicyForwardsTheBodyItRead(t *testing.T) {
	fake, srv, _ := agentRig(t)
	body := `{"properties":{},"icon":null}`
	do(t, srv, "key-rollout-0123456789", "PATCH", "/v1/pages/"+page, body)
	if up, ok := fake.LastRequest(); !ok || up.BodyBytes != int64(len(body)) {
		t.Errorf("upstream got %d body bytes, want %d", up.BodyBytes, len(body))
	}
}
