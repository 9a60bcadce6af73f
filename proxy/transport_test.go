package proxy

import (
	"context"
	"crypto/x509"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/notion-auth-proxy/notion-auth-proxy/internal/eventually"
	"github.com/notion-auth-proxy/notion-auth-proxy/internal/notiontest"
)

func TestUpstreamFailures(t *testing.T) {
	t.Run("unreachable", func(t *testing.T) {
		r := newRig(t, nil)
		r.fake.Close()
		resp := r.do("GET", "/v1/users/me", nil)
		body := wantProxyError(t, resp, 502, "upstream_unreachable", "internal_server_error")
		if resp.Header.Get("X-Notion-Proxy-Credential") != "wiki" {
			t.Error("a failed forward does not name the credential it used")
		}
		if strings.Contains(body.Message, "127.0.0.1") || strings.Contains(body.Message, "dial") {
			t.Errorf("message %q carries internal error text", body.Message)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		r := newRig(t, nil)
		r.fake.SetDelay(5 * time.Second) // the rig's header timeout is 2s
		wantProxyError(t, r.do("GET", "/v1/users/me", nil), 504, "upstream_timeout", "gateway_timeout")
	})
}

func TestClientGoneIsNotAnError(t *testing.T) {
	r := newRig(t, nil)
	r.fake.SetDelay(5 * time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", r.server.URL+"/v1/users/me", nil)
	if _, err := http.DefaultClient.Do(req); err == nil {
		t.Fatal("request should have been cancelled")
	}
	eventually.Require(t, "a client_gone event", func() bool { return len(r.events("client_gone")) == 1 })
	for _, e := range r.logs.All() {
		if e.Level > zap.InfoLevel {
			t.Errorf("client going away logged at %s: %s %v", e.Level, e.Message, e.ContextMap())
		}
	}
	if e := r.events("client_gone")[0]; e.Level != zap.DebugLevel {
		t.Errorf("client_gone at %s, want debug", e.Level)
	}
}

func TestHTTP2UpstreamWithVerifiedTLS(t *testing.T) {
	fake := notiontest.NewTLSServer()
	defer fake.Close()
	fake.AddToken(wikiToken, notiontest.Bot{ID: "b1", Name: "Wiki Bot"})
	up, _ := url.Parse(fake.URL())
	pool := fake.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
	cfg := Config{Upstream: up, NotionVersion: "2025-09-03", MaxBodyBytes: 1 << 20,
		Credentials: []Credential{{Name: "wiki", Source: &source{token: wikiToken}}}}

	h, err := New(cfg, Options{Transport: NewTransport(TransportOptions{RootCAs: pool})})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	for range 5 {
		resp, err := http.Get(srv.URL + "/v1/users/me")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("status %d", resp.StatusCode)
		}
	}
	for _, req := range fake.Requests() {
		if req.Proto != "HTTP/2.0" {
			t.Errorf("upstream spoke %s, want HTTP/2.0", req.Proto)
		}
	}

	// Verification is on: the system pool does not trust the fake.
	h, _ = New(cfg, Options{Transport: NewTransport(TransportOptions{RootCAs: x509.NewCertPool()})})
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/v1/users/me", nil)
	req.Host = "127.0.0.1"
	h.ServeHTTP(rec, req)
	if rec.Code != 502 || rec.Header().Get("X-Notion-Proxy-Error") != "upstream_unreachable" {
		t.Errorf("untrusted upstream certificate: %d %s, want 502", rec.Code, rec.Header().Get("X-Notion-Proxy-Error"))
	}
}

// TestReloadKeepsInFlightConfig swaps the configuration while a request is
// upstream: it finishes with the credential it started with; the next
// request uses the new configuration.
func TestReloadKeepsInFlightConfig(t *testing.T) {
	r := newRig(t, nil)
	r.fake.SetDelay(300 * time.Millisecond)
	done := make(chan *http.Response)
	go func() {
		resp, err := http.Get(r.server.URL + "/v1/users/me")
		if err != nil {
			t.Error(err)
		}
		done <- resp
	}()
	eventually.Require(t, "the request to reach upstream", func() bool { return len(r.fake.Requests()) == 1 })

	next := r.config
	next.DefaultCredential = "partner"
	if err := r.handler.Update(next); err != nil {
		t.Fatal(err)
	}
	resp := <-done
	resp.Body.Close()
	if got := resp.Header.Get("X-Notion-Proxy-Credential"); got != "wiki" {
		t.Errorf("in-flight request finished with %q, want wiki", got)
	}
	r.fake.SetDelay(0)
	if got := r.do("GET", "/v1/users/me", nil).Header.Get("X-Notion-Proxy-Credential"); got != "partner" {
		t.Errorf("after reload the default is %q, want partner", got)
	}
	bad := next
	bad.DefaultCredential = "nope"
	if err := r.handler.Update(bad); err == nil {
		t.Error("an invalid configuration was accepted")
	}
	if got := r.do("GET", "/v1/users/me", nil).Header.Get("X-Notion-Proxy-Credential"); got != "partner" {
		t.Errorf("after a refused reload the default is %q, want partner", got)
	}
}

// TestReusesUpstreamConnections checks the pool: sequential requests share
// one upstream connection, and concurrent ones never open more than there
// are requests in flight.
func TestReusesUpstreamConnections(t *testing.T) {
	fake := notiontest.NewServer()
	defer fake.Close()
	fake.AddToken(wikiToken, notiontest.Bot{ID: "b1", Name: "Wiki Bot"})
	var conns atomic.Int64
	up := httptest.NewUnstartedServer(fake.Handler())
	up.Listener = &countingListener{Listener: up.Listener, n: &conns}
	up.Start()
	defer up.Close()
	u, _ := url.Parse(up.URL)
	h, err := New(Config{Upstream: u, NotionVersion: "2025-09-03", MaxBodyBytes: 1 << 20,
		Credentials: []Credential{{Name: "wiki", Source: &source{token: wikiToken}}}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	get := func() {
		resp, err := http.Get(srv.URL + "/v1/users/me")
		if err != nil {
			t.Error(err)
			return
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	for range 20 {
		get()
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("20 sequential requests opened %d upstream connections, want 1", n)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 10 {
				get()
			}
		})
	}
	wg.Wait()
	// A connection returns to the pool just after its response body is
	// read, so a client's next request may find none idle and dial: the
	// bound allows that race a few times, while 80 requests on as many
	// connections (no reuse) would fail it.
	if n := conns.Load(); n > 16 {
		t.Errorf("8 concurrent clients opened %d upstream connections for 80 requests, want at most 16", n)
	}
}
