package proxy

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func TestHealthAndReadiness(t *testing.T) {
	r := newRig(t, nil)
	if resp := r.do("GET", "/healthz", nil); resp.StatusCode != 200 {
		t.Errorf("/healthz: %d", resp.StatusCode)
	}
	if resp := r.do("GET", "/readyz", nil); resp.StatusCode != 200 {
		t.Errorf("/readyz with every credential ready: %d", resp.StatusCode)
	}
	r.partner.mu.Lock()
	r.partner.state = "missing_secret"
	r.partner.mu.Unlock()
	resp := r.do("GET", "/readyz", nil)
	var body readiness
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 503 || body.Credentials["partner"] != "missing_secret" || len(body.Credentials) != 1 {
		t.Errorf("/readyz: %d %+v; want 503 naming partner only", resp.StatusCode, body)
	}
	metrics := readAll(t, r.do("GET", "/metrics", nil).Body)
	for _, want := range []string{
		`notion_proxy_credential_ready{credential="partner"} 0`,
		`notion_proxy_credential_ready{credential="wiki"} 1`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	wantProxyError(t, r.do("POST", "/healthz", nil), 405, "method_not_allowed", "invalid_request")
}

// A credential's counters are kept across a reload that keeps its name, a
// credential a reload adds has its series from the start, and a request
// refused before any credential is chosen is counted without one.
func TestRequestMetricsAcrossReload(t *testing.T) {
	r := newRig(t, nil)
	r.do("GET", "/v1/users/me", nil)
	cfg := r.config
	cfg.Credentials = append(append([]Credential(nil), cfg.Credentials...),
		Credential{Name: "fresh", Source: &source{token: wikiToken}})
	if err := r.handler.Update(cfg); err != nil {
		t.Fatal(err)
	}
	r.do("GET", "/v1/users/me", nil)
	r.do("GET", "/w/nowhere/v1/users/me", nil)
	metrics := readAll(t, r.do("GET", "/metrics", nil).Body)
	for _, want := range []string{
		`notion_proxy_requests_total{client="",credential="wiki",status="200"} 2`,
		`notion_proxy_request_duration_seconds_count{credential="wiki"} 2`,
		`notion_proxy_request_duration_seconds_count{credential="fresh"} 0`,
		`notion_proxy_requests_total{client="",credential="",status="400"} 1`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %s\n%s", want, grep(metrics, "notion_proxy_request"))
		}
	}
}

func TestRequestMetricsAndAccessLog(t *testing.T) {
	r := newRig(t, nil)
	r.do("GET", "/v1/users/me", nil)
	r.do("GET", "/w/acme/v1/pages/"+unsharedPage, nil)
	r.do("GET", "/healthz", nil)
	metrics := readAll(t, r.do("GET", "/metrics", nil).Body)
	for _, want := range []string{
		`notion_proxy_requests_total{client="",credential="wiki",status="200"} 1`,
		`notion_proxy_requests_total{client="",credential="partner",status="404"} 1`,
		`notion_proxy_request_duration_seconds_count{credential="wiki"} 1`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %s\n%s", want, grep(metrics, "notion_proxy_requests"))
		}
	}
	var lines []map[string]any
	for _, e := range r.events("request") {
		if e.Level.String() == "info" {
			lines = append(lines, e.ContextMap())
		}
	}
	if len(lines) != 2 {
		t.Fatalf("%d info request lines, want 2 (probes log at debug)", len(lines))
	}
	f := lines[1]
	for key, want := range map[string]any{
		"method": "GET", "path": "/w/acme/v1/pages/" + unsharedPage, "status": int64(404),
		"credential": "partner", "workspace": "acme", "upstream_status": int64(404), "retries": int64(0),
	} {
		if f[key] != want {
			t.Errorf("request line %s = %v (%T), want %v", key, f[key], f[key], want)
		}
	}
	for _, key := range []string{"duration_ms", "notion_request_id", "bytes"} {
		if _, ok := f[key]; !ok || f["notion_request_id"] == "" {
			t.Errorf("request line lacks %s: %v", key, f)
		}
	}
}

func TestCredentialErrors(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		state  string
		status int
		reason string
		code   string
		hint   string
	}{
		{"needs login", needsLoginErr{}, "needs_login", 401, "credential_needs_login", "unauthorized", "notion-auth-proxy login wiki"},
		{"missing secret", errors.New("environment variable X is not set"), "missing_secret", 503, "credential_unavailable", "service_unavailable", "missing_secret"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, nil)
			r.wiki.mu.Lock()
			r.wiki.err, r.wiki.state = tt.err, tt.state
			r.wiki.mu.Unlock()
			body := wantProxyError(t, r.do("GET", "/v1/users/me", nil), tt.status, tt.reason, tt.code)
			if !strings.Contains(body.Message, tt.hint) || strings.Contains(body.Message, tt.err.Error()) {
				t.Errorf("message %q: want %q and not the internal error", body.Message, tt.hint)
			}
			if n := len(r.fake.Requests()); n != 0 {
				t.Errorf("upstream saw %d requests without a credential", n)
			}
		})
	}
}

func TestOAuthEndpointsAnswerOnlyLoopback(t *testing.T) {
	called := 0
	oauth := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { called++ })
	up, _ := url.Parse("http://127.0.0.1:1")
	h, err := New(Config{Upstream: up, MaxBodyBytes: 1,
		Credentials: []Credential{{Name: "wiki", Source: &source{token: wikiToken}}},
		ClientKeys:  []ClientKey{{Name: "ci", Key: "k"}},
	}, Options{OAuth: oauth})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		remote, host string
		served       bool
	}{
		{"127.0.0.1:5000", "127.0.0.1:8700", true},
		{"[::1]:5000", "localhost:8700", true},
		{"10.1.2.3:5000", "127.0.0.1:8700", false},    // a remote peer
		{"127.0.0.1:5000", "attacker.example", false}, // DNS rebinding
	}
	for _, tt := range tests {
		for _, path := range []string{"/oauth/start/wiki", "/oauth/callback?state=x&code=y"} {
			called = 0
			req := httptest.NewRequest("GET", path, nil)
			req.RemoteAddr, req.Host = tt.remote, tt.host
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if served := called == 1; served != tt.served {
				t.Errorf("%s from %s Host %s: served %v (status %d), want %v", path, tt.remote, tt.host, served, rec.Code, tt.served)
			}
			if !tt.served && rec.Code != 403 {
				t.Errorf("%s from %s: status %d, want 403", path, tt.remote, rec.Code)
			}
		}
	}
}
