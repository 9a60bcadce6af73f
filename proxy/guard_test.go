package proxy

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

func TestHostGuard(t *testing.T) {
	tests := []struct {
		host string
		ok   bool
	}{
		{"127.0.0.1:8700", true},
		{"localhost:8700", true},
		{"LOCALHOST", true},
		{"[::1]:8700", true},
		{"127.0.0.2", true},
		{"notion-proxy.internal:8700", true}, // in allowed_hosts without a port
		{"sidecar:9000", true},               // in allowed_hosts with this port
		{"sidecar:9001", false},
		{"attacker.example:8700", false}, // DNS rebinding
		{"localhost.attacker.example", false},
		{"10.0.0.5:8700", false},
	}
	r := newRig(t, func(c *Config) { c.AllowedHosts = []string{"notion-proxy.internal", "sidecar:9000"} })
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			resp := r.do("GET", "/v1/users/me", nil, "Host", tt.host)
			if tt.ok {
				if resp.StatusCode != 200 {
					t.Fatalf("status %d, want 200", resp.StatusCode)
				}
				return
			}
			body := wantProxyError(t, resp, http.StatusForbidden, "forbidden_host", "restricted_resource")
			if !strings.Contains(body.Message, "allowed_hosts") {
				t.Errorf("message %q should say how to allow the host", body.Message)
			}
		})
	}
	// The guard covers the proxy's own endpoints too, probes aside.
	wantProxyError(t, r.do("GET", "/not-shared", nil, "Host", "attacker.example"), 403, "forbidden_host", "restricted_resource")
	wantProxyError(t, r.do("GET", "/metrics", nil, "Host", "attacker.example"), 403, "forbidden_host", "restricted_resource")
	if resp := r.do("GET", "/healthz", nil, "Host", "10.1.2.3:8700"); resp.StatusCode != 200 {
		t.Errorf("/healthz by pod IP: %d, want 200", resp.StatusCode)
	}
}

func TestOriginGuard(t *testing.T) {
	r := newRig(t, func(c *Config) { c.AllowedOrigins = []string{"http://localhost:3000"} })
	wantProxyError(t, r.do("GET", "/v1/users/me", nil, "Origin", "https://evil.example"), 403, "forbidden_origin", "restricted_resource")
	wantProxyError(t, r.do("GET", "/v1/users/me", nil, "Origin", "null"), 403, "forbidden_origin", "restricted_resource")
	if resp := r.do("GET", "/v1/users/me", nil, "Origin", "http://localhost:3000"); resp.StatusCode != 200 {
		t.Errorf("allowed origin: status %d", resp.StatusCode)
	}
	if n := len(r.fake.Requests()); n != 1 {
		t.Errorf("upstream saw %d requests, want only the allowed one", n)
	}
}

// TestNeverAnOpenProxy checks that proxy-form requests for other hosts are
// refused without dialing them.
func TestNeverAnOpenProxy(t *testing.T) {
	var dialed, conns atomic.Int64
	other := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { dialed.Add(1) }))
	other.Listener = &countingListener{Listener: other.Listener, n: &conns}
	other.Start()
	defer other.Close()

	r := newRig(t, nil)
	otherHost := strings.TrimPrefix(other.URL, "http://")
	tests := []struct{ name, request string }{
		{"absolute-form to another host", "GET " + other.URL + "/v1/users/me HTTP/1.1\nHost: " + otherHost + "\n\n"},
		{"absolute-form with spoofed loopback Host", "GET " + other.URL + "/v1/users/me HTTP/1.1\nHost: 127.0.0.1\n\n"},
		{"CONNECT to another host", "CONNECT " + otherHost + " HTTP/1.1\nHost: " + otherHost + "\n\n"},
		{"CONNECT to the Notion API without forward mode", "CONNECT api.notion.com:443 HTTP/1.1\nHost: api.notion.com:443\n\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := r.raw(tt.request)
			wantProxyError(t, resp, http.StatusForbidden, "forbidden_host", "restricted_resource")
		})
	}
	if dialed.Load() != 0 || conns.Load() != 0 || len(r.fake.Requests()) != 0 {
		t.Errorf("refused requests reached a server: other=%d conns=%d fake=%d", dialed.Load(), conns.Load(), len(r.fake.Requests()))
	}
	// Absolute-form naming the upstream itself is forwarded as usual.
	resp := r.raw("GET " + r.upstream.String() + "/v1/users/me HTTP/1.1\nHost: " + r.upstream.Host + "\n\n")
	if resp.StatusCode != 200 || r.lastUpstream().Token != wikiToken {
		t.Errorf("absolute-form for the upstream: status %d", resp.StatusCode)
	}
}

func TestClientKeys(t *testing.T) {
	r := newRig(t, func(c *Config) {
		c.ClientKeys = []ClientKey{
			{Name: "ci", Key: "key-ci-0123456789"},
			{Name: "wiki-only", Key: "key-wiki-abcdef", Credentials: []string{"wiki"}},
			{Name: "partner-only", Key: "key-partner-xyz", Credentials: []string{"partner"}},
		}
	})
	tests := []struct {
		name    string
		path    string
		headers []string
		status  int
		reason  string
		cred    string
	}{
		{"no key", "/v1/users/me", nil, 401, "client_key_required", ""},
		{"wrong key", "/v1/users/me", []string{"X-Notion-Proxy-Key", "nope"}, 401, "client_key_required", ""},
		{"key as bearer", "/v1/users/me", []string{"Authorization", "Bearer key-ci-0123456789"}, 200, "", "wiki"},
		{"key as header", "/v1/users/me", []string{"X-Notion-Proxy-Key", "key-ci-0123456789"}, 200, "", "wiki"},
		{"key prefix is not the key", "/v1/users/me", []string{"X-Notion-Proxy-Key", "key-ci-012345678"}, 401, "client_key_required", ""},
		{"scoped key selects its credential", "/v1/users/me", []string{"X-Notion-Proxy-Key", "key-partner-xyz"}, 200, "", "partner"},
		{"scoped key may not use another", "/w/acme/v1/users/me", []string{"X-Notion-Proxy-Key", "key-wiki-abcdef"}, 403, "credential_not_allowed", ""},
		{"metrics need a key", "/metrics", nil, 401, "client_key_required", ""},
		{"not-shared needs a key", "/not-shared", nil, 401, "client_key_required", ""},
		{"metrics with a key", "/metrics", []string{"X-Notion-Proxy-Key", "key-ci-0123456789"}, 200, "", ""},
		{"healthz needs none", "/healthz", nil, 200, "", ""},
		{"readyz needs none", "/readyz", nil, 200, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := r.do("GET", tt.path, nil, tt.headers...)
			if tt.reason != "" {
				wantProxyError(t, resp, tt.status, tt.reason, map[int]string{401: "unauthorized", 403: "restricted_resource"}[tt.status])
				return
			}
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.status)
			}
			if tt.cred != "" && resp.Header.Get("X-Notion-Proxy-Credential") != tt.cred {
				t.Errorf("credential %q, want %q", resp.Header.Get("X-Notion-Proxy-Credential"), tt.cred)
			}
		})
	}
	for _, req := range r.fake.Requests() {
		if req.Header.Get("X-Notion-Proxy-Key") != "" || strings.Contains(fmt.Sprint(req.Header), "key-") {
			t.Errorf("a client key reached upstream")
		}
	}
}

func TestBodyLimit(t *testing.T) {
	r := newRig(t, func(c *Config) { c.MaxBodyBytes = 1000 })
	// Declared too large: refused before anything is sent upstream.
	resp := r.do("POST", "/v1/file_uploads/"+sharedPage+"/send", bytes.NewReader(make([]byte, 1001)))
	wantProxyError(t, resp, http.StatusRequestEntityTooLarge, "body_too_large", "validation_error")
	if n := len(r.fake.Requests()); n != 0 {
		t.Errorf("upstream saw %d requests for a declared oversize body", n)
	}
	// Undeclared length, cut off while streaming.
	resp = r.do("POST", "/v1/file_uploads/"+sharedPage+"/send", io.MultiReader(bytes.NewReader(make([]byte, 5000))))
	wantProxyError(t, resp, http.StatusRequestEntityTooLarge, "body_too_large", "validation_error")
	// At the limit passes whole.
	resp = r.do("POST", "/v1/file_uploads/"+sharedPage+"/send", io.MultiReader(bytes.NewReader(make([]byte, 1000))))
	if resp.StatusCode != 200 || r.lastUpstream().BodyBytes != 1000 {
		t.Errorf("body at the limit: status %d, upstream got %d bytes", resp.StatusCode, r.lastUpstream().BodyBytes)
	}
}

// countingListener counts accepted connections.
type countingListener struct {
	net.Listener
	n *atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.n.Add(1)
	}
	return c, err
}
