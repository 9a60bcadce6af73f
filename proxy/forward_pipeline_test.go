package proxy

import (
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/notion-auth-proxy/notion-auth-proxy/internal/eventually"
	"github.com/notion-auth-proxy/notion-auth-proxy/internal/notiontest"
)

// TestForwardProxyWarningsHideClientBytes sends a request whose header line
// goproxy cannot parse, and which holds a token: the warning is logged, the
// token is not.
func TestForwardProxyWarningsHideClientBytes(t *testing.T) {
	const leaked = "ntn_client_sent_this_secret_42"
	f := newForwardRig(t, nil)
	tc, _ := f.tunnel()
	io.WriteString(tc, "GET /v1/users/me HTTP/1.1\r\nHost: api.notion.com\r\nAuthorization Bearer "+leaked+"\r\n\r\n")
	eventually.Require(t, "a forward_proxy warning for an unreadable request", func() bool { return len(f.events("forward_proxy")) > 0 })
	for _, e := range f.logs.All() {
		b, _ := json.Marshal(e.ContextMap())
		if strings.Contains(e.Message+string(b), leaked) {
			t.Errorf("a log line holds what the client sent: %q", e.Message)
		}
	}
	if len(f.fake.Requests()) != 0 {
		t.Error("an unreadable request reached upstream")
	}
}

// TestForwardProxyRefreshesAndReplays checks that a tunnelled request whose
// token upstream rejects is refreshed and replayed like a reverse one.
func TestForwardProxyRefreshesAndReplays(t *testing.T) {
	src := &refreshing{source: source{token: wikiToken}, next: freshToken}
	f := newForwardRig(t, func(c *Config) { c.Credentials[0].Source = src })
	f.fake.AddToken(freshToken, notiontest.Bot{ID: "b1", Name: "Wiki Bot"})
	f.fake.RevokeToken(wikiToken)
	body := `{"query":"roadmap"}`
	resp, err := f.client().Post("https://api.notion.com/v1/search", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	reqs := f.fake.Requests()
	if resp.StatusCode != 200 || len(reqs) != 2 || reqs[1].Token != freshToken || reqs[1].BodyBytes != int64(len(body)) {
		t.Fatalf("status %d; upstream saw %d requests, want the rejected one and the replay", resp.StatusCode, len(reqs))
	}
}
