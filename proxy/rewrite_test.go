package proxy

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func TestForwardsWithCredentialAndVersion(t *testing.T) {
	r := newRig(t, nil)
	resp := r.do("GET", "/v1/users/me", nil)
	var user struct {
		Name string `json:"name"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&user); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || user.Name != "Wiki Bot" {
		t.Fatalf("got %d %q, want 200 from Wiki Bot", resp.StatusCode, user.Name)
	}
	if got := resp.Header.Get("X-Notion-Proxy-Credential"); got != "wiki" {
		t.Errorf("X-Notion-Proxy-Credential = %q, want wiki", got)
	}
	if resp.Header.Get("X-Notion-Request-Id") == "" {
		t.Error("upstream headers were not passed to the client")
	}
	up := r.lastUpstream()
	if got := up.Header.Values("Authorization"); len(got) != 1 || got[0] != "Bearer "+wikiToken {
		t.Errorf("upstream Authorization = %d values, want exactly the wiki token", len(got))
	}
	if got := up.Header.Get("Notion-Version"); got != "2025-09-03" {
		t.Errorf("upstream Notion-Version = %q", got)
	}
	if up.Path != "/v1/users/me" {
		t.Errorf("upstream path = %q", up.Path)
	}
}

func TestNotionVersionPolicy(t *testing.T) {
	tests := []struct {
		name   string
		force  bool
		client string
		want   string
	}{
		{"default policy, client sends none", false, "", "2025-09-03"},
		{"default policy, client's wins", false, "2022-06-28", "2022-06-28"},
		{"force policy overrides client", true, "2022-06-28", "2025-09-03"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, func(c *Config) { c.ForceVersion = tt.force })
			var h []string
			if tt.client != "" {
				h = []string{"Notion-Version", tt.client}
			}
			r.do("GET", "/v1/users/me", nil, h...)
			if got := r.lastUpstream().Header.Values("Notion-Version"); len(got) != 1 || got[0] != tt.want {
				t.Errorf("upstream Notion-Version = %q, want [%s]", got, tt.want)
			}
		})
	}
}

// TestSpoofing sends literal requests carrying identity a client must not be
// able to pass upstream. Upstream must see exactly the proxy's credential.
func TestSpoofing(t *testing.T) {
	tests := []struct {
		name    string
		headers string
		absent  []string
	}{
		{"client Authorization", "Authorization: Bearer ntn_attacker\n", nil},
		{"Connection: Authorization drops client value, not ours",
			"Authorization: Bearer ntn_attacker\nConnection: Authorization\n", nil},
		{"duplicate Authorization", "Authorization: Bearer ntn_a\nAuthorization: Bearer ntn_b\n", nil},
		{"mixed-case Authorization", "aUtHoRiZaTiOn: Bearer ntn_attacker\n", nil},
		{"lower-case Authorization after a valid one", "Authorization: Bearer x\nauthorization: Bearer ntn_attacker\n", nil},
		{"Proxy-Authorization and Cookie", "Proxy-Authorization: Basic Zm9vOmJhcg==\nCookie: session=1\n",
			[]string{"Proxy-Authorization", "Cookie"}},
		{"X-Forwarded-* and Forwarded", "X-Forwarded-For: 10.0.0.1\nX-Forwarded-Host: evil\nX-Forwarded-Proto: https\nX-Forwarded-Whatever: 1\nForwarded: for=10.0.0.1\nX-Real-IP: 10.0.0.1\n",
			[]string{"X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Forwarded-Whatever", "Forwarded", "X-Real-Ip"}},
		{"hop-by-hop headers", "Connection: X-Secret-Hop\nX-Secret-Hop: 1\nTe: trailers\nUpgrade: h2c\n",
			[]string{"X-Secret-Hop", "Upgrade"}},
		{"X-Notion-Workspace is not forwarded", "X-Notion-Workspace: acme\n", []string{"X-Notion-Workspace"}},
		{"mixed-case X-Notion-Workspace is not forwarded", "x-notion-WORKSPACE: acme\n", []string{"X-Notion-Workspace"}},
		{"X-Notion-Proxy-Key is not forwarded", "X-Notion-Proxy-Key: k\n", []string{"X-Notion-Proxy-Key"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, nil)
			resp := r.raw("GET /v1/users/me HTTP/1.1\nHost: 127.0.0.1\n" + tt.headers + "\n")
			if resp.StatusCode != 200 {
				t.Fatalf("status %d: %s", resp.StatusCode, readAll(t, resp.Body))
			}
			up := r.lastUpstream()
			want := "Bearer " + wikiToken
			if strings.Contains(tt.headers, "acme") {
				want = "Bearer " + partnerToken
			}
			if got := up.Header.Values("Authorization"); len(got) != 1 || got[0] != want {
				t.Errorf("upstream Authorization has %d values, want exactly the proxy's", len(got))
			}
			for _, h := range tt.absent {
				if v := up.Header.Values(h); len(v) > 0 {
					t.Errorf("upstream received %s: %q", h, v)
				}
			}
		})
	}
}

func TestOtherHeadersPass(t *testing.T) {
	r := newRig(t, nil)
	r.do("POST", "/v1/search", strings.NewReader(`{}`),
		"Content-Type", "application/json", "Accept", "application/json", "User-Agent", "notionhq-client/5", "X-Custom", "kept")
	up := r.lastUpstream()
	for h, want := range map[string]string{
		"Content-Type": "application/json", "Accept": "application/json",
		"User-Agent": "notionhq-client/5", "X-Custom": "kept",
	} {
		if got := up.Header.Get(h); got != want {
			t.Errorf("upstream %s = %q, want %q", h, got, want)
		}
	}
}

func TestPathsAndQueries(t *testing.T) {
	r := newRig(t, nil)
	r.do("GET", "/w/acme/v1/blocks/"+strings.ReplaceAll(sharedPage, "-", "")+"/children?page_size=10", nil)
	up := r.lastUpstream()
	if up.Path != "/v1/blocks/"+strings.ReplaceAll(sharedPage, "-", "")+"/children" || up.RawQuery != "page_size=10" {
		t.Errorf("upstream got %s?%s", up.Path, up.RawQuery)
	}
	for _, path := range []string{"/", "/v2/users", "/v1x", "/w/acme/v2/x", "/w//v1/users/me", "/v1/../healthz", "/v1//users", "/w/acme"} {
		resp := r.do("GET", path, nil)
		body := wantProxyError(t, resp, http.StatusNotFound, "not_found", "invalid_request_url")
		if !strings.Contains(body.Message, "/v1/") {
			t.Errorf("%s: message %q does not say what is served", path, body.Message)
		}
	}
}

func TestRedirectsPassThrough(t *testing.T) {
	r := newRig(t, nil)
	r.fake.SetFault(func(w http.ResponseWriter, req *http.Request) bool {
		http.Redirect(w, req, "https://example.invalid/elsewhere", http.StatusFound)
		return true
	})
	resp := r.do("GET", "/v1/users/me", nil)
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "https://example.invalid/elsewhere" {
		t.Fatalf("got %d Location %q, want the upstream's 302", resp.StatusCode, resp.Header.Get("Location"))
	}
	if n := len(r.fake.Requests()); n != 1 {
		t.Errorf("upstream saw %d requests, want 1 (redirect not followed)", n)
	}
}
