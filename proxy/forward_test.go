package proxy

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/elazarl/goproxy"

	"github.com/notion-auth-proxy/notion-auth-proxy/internal/ca"
	"github.com/notion-auth-proxy/notion-auth-proxy/ratelimit"
)

// dialLog records every address a transport or goproxy tried to dial.
type dialLog struct {
	mu    sync.Mutex
	addrs []string
}

func (d *dialLog) add(addr string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.addrs = append(d.addrs, addr)
}

func (d *dialLog) list() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.addrs...)
}

// forwardRig is a rig in forward-proxy mode whose upstream transport and
// goproxy record what they dial.
type forwardRig struct {
	*rig
	authority *ca.Authority
	roots     *x509.CertPool // trusts the rig's CA only
	dials     *dialLog       // upstream transport dials
	gpDials   *dialLog       // goproxy dial attempts (always refused)
}

func newForwardRig(t *testing.T, edit func(*Config)) *forwardRig {
	t.Helper()
	authority, _, err := ca.Generate(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	f := &forwardRig{authority: authority, roots: x509.NewCertPool(), dials: &dialLog{}, gpDials: &dialLog{}}
	f.roots.AddCert(authority.Certificate().Leaf)
	f.rig = newRig(t, func(c *Config) {
		c.ForwardCA = authority.Certificate()
		if edit != nil {
			edit(c)
		}
	})
	// Rebuild the handler around a recording transport, keeping the rig's
	// configuration, logger and server.
	tr := NewTransport(TransportOptions{ResponseHeaderTimeout: 5 * time.Second})
	dial := tr.DialContext
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		f.dials.add(addr)
		return dial(ctx, network, addr)
	}
	h, err := New(f.config, Options{Logger: f.handler.log, Transport: tr, Pacer: ratelimit.NewLocal(nil)})
	if err != nil {
		t.Fatal(err)
	}
	gp := h.forward.gp
	gp.Tr.DialContext = func(_ context.Context, _, addr string) (net.Conn, error) {
		f.gpDials.add(addr)
		return nil, errNoDial
	}
	gp.ConnectDial = func(_, addr string) (net.Conn, error) { f.gpDials.add(addr); return nil, errNoDial }
	gp.ConnectDialWithReq = func(_ *http.Request, _, addr string) (net.Conn, error) {
		f.gpDials.add(addr)
		return nil, errNoDial
	}
	f.handler = h
	f.server = httptest.NewServer(h)
	t.Cleanup(f.server.Close)
	return f
}

// client returns an HTTP client configured like an app with HTTPS_PROXY
// pointing at the proxy and the proxy's CA trusted.
func (f *forwardRig) client() *http.Client {
	proxyURL, _ := url.Parse(f.server.URL)
	tr := &http.Transport{
		Proxy:           http.ProxyURL(proxyURL),
		TLSClientConfig: &tls.Config{RootCAs: f.roots},
	}
	f.t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 20 * time.Second}
}

// onlyUpstreamDialed fails the test if the upstream transport dialed
// anything but the fake, or goproxy tried to dial at all.
func (f *forwardRig) onlyUpstreamDialed() {
	f.t.Helper()
	for _, a := range f.dials.list() {
		if a != f.upstream.Host {
			f.t.Errorf("the upstream transport dialed %s", a)
		}
	}
	if d := f.gpDials.list(); len(d) > 0 {
		f.t.Errorf("goproxy tried to dial %v", d)
	}
}

// tunnel opens CONNECT api.notion.com:443 by hand and returns the TLS
// connection inside it, for requests no well-behaved client would send.
func (f *forwardRig) tunnel() (*tls.Conn, *bufio.Reader) {
	f.t.Helper()
	conn, err := net.Dial("tcp", f.server.Listener.Addr().String())
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(func() { conn.Close() })
	if _, err := io.WriteString(conn, "CONNECT api.notion.com:443 HTTP/1.1\r\nHost: api.notion.com:443\r\n\r\n"); err != nil {
		f.t.Fatal(err)
	}
	// The proxy says nothing more until the client speaks TLS, so this
	// reader buffers no part of the handshake.
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil || resp.StatusCode != http.StatusOK {
		f.t.Fatalf("CONNECT: %v %v", resp, err)
	}
	tc := tls.Client(conn, &tls.Config{RootCAs: f.roots, ServerName: forwardHost})
	if err := tc.Handshake(); err != nil {
		f.t.Fatal(err)
	}
	return tc, bufio.NewReader(tc)
}

// send writes a literal request into a tunnel and reads the answer.
func send(t *testing.T, tc *tls.Conn, br *bufio.Reader, request string) *http.Response {
	t.Helper()
	if _, err := io.WriteString(tc, strings.ReplaceAll(request, "\n", "\r\n")); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func TestForwardProxyInjectsTheCredential(t *testing.T) {
	f := newForwardRig(t, nil)
	c := f.client()
	req, _ := http.NewRequest("GET", "https://api.notion.com/v1/__fake/echo?x=1", nil)
	req.Header.Set("Authorization", "Bearer client-sent-this")
	req.Header.Set("Cookie", "session=client")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var echo struct {
		Path     string      `json:"path"`
		RawQuery string      `json:"raw_query"`
		Host     string      `json:"host"`
		Headers  http.Header `json:"headers"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&echo); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || resp.Header.Get(headerCredential) != "wiki" {
		t.Fatalf("status %d, credential %q", resp.StatusCode, resp.Header.Get(headerCredential))
	}
	if up := f.lastUpstream(); up.Token != wikiToken {
		t.Errorf("upstream token is not the credential's")
	}
	if got := echo.Headers.Values("Authorization"); len(got) != 1 || got[0] != "Bearer "+wikiToken {
		t.Errorf("upstream Authorization has %d values; the client's must be replaced", len(got))
	}
	if echo.Headers.Get("Cookie") != "" || echo.Headers.Get("Notion-Version") != "2025-09-03" {
		t.Errorf("upstream headers: Cookie %q, Notion-Version %q", echo.Headers.Get("Cookie"), echo.Headers.Get("Notion-Version"))
	}
	if echo.Path != "/v1/__fake/echo" || echo.RawQuery != "x=1" || echo.Host != f.upstream.Host {
		t.Errorf("upstream saw %s?%s on Host %s", echo.Path, echo.RawQuery, echo.Host)
	}
	// Selection works as for reverse requests.
	req, _ = http.NewRequest("GET", "https://api.notion.com/v1/users/me", nil)
	req.Header.Set("X-Notion-Workspace", "acme")
	resp2, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp2.Body.Close()
	if resp2.Header.Get(headerCredential) != "partner" || f.lastUpstream().Token != partnerToken {
		t.Errorf("X-Notion-Workspace in a tunnel chose %q", resp2.Header.Get(headerCredential))
	}
	// The access log and metrics count tunnelled requests like any other.
	logged := 0
	for _, e := range f.events("request") {
		if m := e.ContextMap(); m["path"] == "/v1/__fake/echo" && m["credential"] == "wiki" && m["status"] == int64(200) {
			logged++
		}
	}
	if logged != 1 {
		t.Errorf("%d access log lines for the tunnelled request, want 1", logged)
	}
	metrics := readAll(t, f.do("GET", "/metrics", nil).Body)
	if !strings.Contains(metrics, `notion_proxy_requests_total{client="",credential="wiki",status="200"} 1`) {
		t.Error("the tunnelled request is not counted in notion_proxy_requests_total")
	}
	f.onlyUpstreamDialed()
}

func TestForwardProxyPresentsItsOwnCA(t *testing.T) {
	f := newForwardRig(t, nil)
	tc, _ := f.tunnel()
	chain := tc.ConnectionState().PeerCertificates
	leaf := chain[0]
	if err := leaf.VerifyHostname(forwardHost); err != nil {
		t.Error(err)
	}
	if leaf.Issuer.String() != f.authority.Certificate().Leaf.Subject.String() {
		t.Errorf("issuer %q is not the configured CA", leaf.Issuer)
	}
	builtin := x509.NewCertPool()
	gpCA, err := x509.ParseCertificate(goproxy.GoproxyCa.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	builtin.AddCert(gpCA)
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: builtin, DNSName: forwardHost}); err == nil {
		t.Error("the certificate verifies against goproxy's public built-in CA")
	}
}

// TestForwardProxyIsNeverAnOpenProxy sends each kind of request that would
// make the proxy reach another host, and checks each is refused with a
// Notion-shaped 403 and that nothing was dialed.
func TestForwardProxyIsNeverAnOpenProxy(t *testing.T) {
	var conns atomic.Int64
	other := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	other.Listener = &countingListener{Listener: other.Listener, n: &conns}
	other.Start()
	defer other.Close()
	otherHost := other.Listener.Addr().String()

	f := newForwardRig(t, nil)
	plain := []struct{ name, request string }{
		{"CONNECT to another host", "CONNECT " + otherHost + " HTTP/1.1\nHost: " + otherHost + "\n\n"},
		{"CONNECT to the Notion API on port 80", "CONNECT api.notion.com:80 HTTP/1.1\nHost: api.notion.com:80\n\n"},
		{"CONNECT to the Notion API on another port", "CONNECT api.notion.com:8443 HTTP/1.1\nHost: api.notion.com:8443\n\n"},
		{"CONNECT without a port", "CONNECT api.notion.com HTTP/1.1\nHost: api.notion.com\n\n"},
		{"absolute-form to another host", "GET http://" + otherHost + "/v1/users/me HTTP/1.1\nHost: " + otherHost + "\n\n"},
		{"absolute-form plain HTTP to the Notion API", "GET http://api.notion.com/v1/users/me HTTP/1.1\nHost: api.notion.com\n\n"},
	}
	for _, tt := range plain {
		t.Run(tt.name, func(t *testing.T) {
			wantProxyError(t, f.raw(tt.request), http.StatusForbidden, "forbidden_host", "restricted_resource")
		})
	}
	tunnelled := []struct{ name, request string }{
		{"inner Host of another host", "GET /v1/users/me HTTP/1.1\nHost: " + otherHost + "\n\n"},
		{"inner Host of the Notion API on another port", "GET /v1/users/me HTTP/1.1\nHost: api.notion.com:8443\n\n"},
		{"inner absolute-form to another host", "GET https://" + otherHost + "/v1/users/me HTTP/1.1\nHost: api.notion.com\n\n"},
		{"CONNECT inside the tunnel", "CONNECT " + otherHost + " HTTP/1.1\nHost: api.notion.com\n\n"},
	}
	for _, tt := range tunnelled {
		t.Run(tt.name, func(t *testing.T) {
			tc, br := f.tunnel()
			wantProxyError(t, send(t, tc, br, tt.request), http.StatusForbidden, "forbidden_host", "restricted_resource")
		})
	}
	if conns.Load() != 0 || len(f.fake.Requests()) != 0 || len(f.dials.list()) != 0 {
		t.Errorf("refused requests reached a server: other %d conns, fake %d requests, dials %v",
			conns.Load(), len(f.fake.Requests()), f.dials.list())
	}
	f.onlyUpstreamDialed()
}

func TestForwardProxyRefusesPlaintextInTheTunnel(t *testing.T) {
	f := newForwardRig(t, nil)
	conn, err := net.Dial("tcp", f.server.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "CONNECT api.notion.com:443 HTTP/1.1\r\nHost: api.notion.com:443\r\n\r\n")
	br := bufio.NewReader(conn)
	if resp, err := http.ReadResponse(br, nil); err != nil || resp.StatusCode != 200 {
		t.Fatalf("CONNECT: %v", err)
	}
	io.WriteString(conn, "GET /v1/users/me HTTP/1.1\r\nHost: api.notion.com\r\n\r\n")
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	wantProxyError(t, resp, http.StatusForbidden, "forbidden_host", "restricted_resource")
	if len(f.fake.Requests()) != 0 {
		t.Error("a plaintext request in the tunnel reached upstream")
	}
}

func TestForwardProxyTunnelServesOnlyTheAPI(t *testing.T) {
	f := newForwardRig(t, nil)
	c := f.client()
	for _, path := range []string{"/healthz", "/metrics", "/not-shared", "/oauth/start/wiki", "/"} {
		resp, err := c.Get("https://api.notion.com" + path)
		if err != nil {
			t.Fatal(err)
		}
		wantProxyError(t, resp, http.StatusNotFound, "not_found", "invalid_request_url")
		resp.Body.Close()
	}
}

func TestForwardProxyFollowsReloads(t *testing.T) {
	f := newForwardRig(t, nil)
	tc, br := f.tunnel()
	if resp := send(t, tc, br, "GET /v1/users/me HTTP/1.1\nHost: api.notion.com\n\n"); resp.StatusCode != 200 {
		t.Fatalf("before the reload: %d", resp.StatusCode)
	} else {
		io.Copy(io.Discard, resp.Body)
	}
	off := f.config
	off.ForwardCA = nil
	if err := f.handler.Update(off); err != nil {
		t.Fatal(err)
	}
	// The open tunnel carries no more requests, and no new one opens.
	wantProxyError(t, send(t, tc, br, "GET /v1/users/me HTTP/1.1\nHost: api.notion.com\n\n"),
		http.StatusForbidden, "forbidden_host", "restricted_resource")
	wantProxyError(t, f.raw("CONNECT api.notion.com:443 HTTP/1.1\nHost: api.notion.com:443\n\n"),
		http.StatusForbidden, "forbidden_host", "restricted_resource")
	if n := len(f.fake.Requests()); n != 1 {
		t.Errorf("upstream saw %d requests, want 1", n)
	}
}

// With client keys, a tunnel is opened only for a key: a CONNECT without
// one is answered 407 with a Basic challenge, as HTTPS_PROXY clients expect,
// and nothing is tunnelled.
func TestConnectWithoutClientKeyIsRefused(t *testing.T) {
	f := newForwardRig(t, func(c *Config) { c.ClientKeys = []ClientKey{{Name: "ci", Key: "key-ci-0123456789"}} })
	for _, auth := range []string{"", "Proxy-Authorization: Basic " + basic("x", "wrong-key") + "\n"} {
		resp := f.raw("CONNECT api.notion.com:443 HTTP/1.1\nHost: api.notion.com:443\n" + auth + "\n")
		wantProxyError(t, resp, http.StatusProxyAuthRequired, "proxy_auth_required", "unauthorized")
		if got := resp.Header.Get("Proxy-Authenticate"); got != `Basic realm="notion-auth-proxy"` {
			t.Errorf("Proxy-Authenticate %q", got)
		}
	}
	// A client whose transport has no key for the proxy fails to connect.
	if _, err := f.client().Get("https://api.notion.com/v1/users/me"); err == nil {
		t.Error("a tunnel opened without a client key")
	}
	if n := len(f.fake.Requests()); n != 0 {
		t.Errorf("upstream saw %d requests, want none", n)
	}
}

// The key given as HTTPS_PROXY's password (or as Bearer) counts for every
// request in the tunnel, which need not carry one themselves.
func TestConnectKeyCountsForTheTunnel(t *testing.T) {
	f := newForwardRig(t, func(c *Config) {
		c.ClientKeys = []ClientKey{{Name: "ci", Key: "key-ci-0123456789", Credentials: []string{"partner"}}}
	})
	proxyURL, _ := url.Parse(f.server.URL)
	proxyURL.User = url.UserPassword("x", "key-ci-0123456789")
	tr := &http.Transport{Proxy: http.ProxyURL(proxyURL), TLSClientConfig: &tls.Config{RootCAs: f.roots}}
	t.Cleanup(tr.CloseIdleConnections)
	resp, err := (&http.Client{Transport: tr, Timeout: 20 * time.Second}).Get("https://api.notion.com/v1/users/me")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	// The key is scoped to partner alone, so it selects partner.
	if resp.StatusCode != 200 || f.lastUpstream().Token != partnerToken {
		t.Errorf("with the CONNECT key: %d, token %q", resp.StatusCode, f.lastUpstream().Token)
	}
	resp = f.raw("CONNECT api.notion.com:443 HTTP/1.1\nHost: api.notion.com:443\nProxy-Authorization: Bearer key-ci-0123456789\n\n")
	if resp.StatusCode != 200 {
		t.Errorf("CONNECT with a Bearer key: %d", resp.StatusCode)
	}
}

func basic(user, password string) string {
	return base64.StdEncoding.EncodeToString([]byte(user + ":" + password))
}

// A CONNECT whose client never starts TLS is closed after the header
// timeout, like any slow connection: sockets cannot be hoarded.
func TestSilentTunnelIsClosed(t *testing.T) {
	f := newForwardRig(t, nil)
	conn, err := net.Dial("tcp", f.server.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "CONNECT api.notion.com:443 HTTP/1.1\r\nHost: api.notion.com:443\r\n\r\n")
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("CONNECT: %v %v", resp, err)
	}
	// Say nothing. The proxy must hang up within its header timeout; the
	// test's own deadline is far beyond it.
	conn.SetReadDeadline(time.Now().Add(tunnelHeaderTimeout + 20*time.Second))
	_, err = br.ReadByte()
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("the proxy kept a silent tunnel open past %s", tunnelHeaderTimeout)
	}
	if err == nil {
		t.Fatal("the proxy sent bytes on a silent tunnel")
	}
}

// After a 413 inside a tunnel the rest of the body is not read: the
// tunnel is closed instead, so a client cannot make the proxy read an
// endless body.
func TestTunnelClosedAfterUnreadBody(t *testing.T) {
	f := newForwardRig(t, func(c *Config) { c.MaxBodyBytes = 1024 })
	tc, br := f.tunnel()
	head := "POST /v1/pages HTTP/1.1\r\nHost: api.notion.com\r\nContent-Length: 100000000\r\n\r\n"
	if _, err := io.WriteString(tc, head); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	wantProxyError(t, resp, http.StatusRequestEntityTooLarge, "body_too_large", "validation_error")
	// Keep writing: the proxy must close the tunnel rather than drain.
	chunk := make([]byte, 64<<10)
	tc.SetWriteDeadline(time.Now().Add(30 * time.Second))
	for written := 0; written < 100000000; written += len(chunk) {
		if _, err := tc.Write(chunk); err != nil {
			return // closed: the proxy stopped reading
		}
	}
	t.Fatal("the proxy read a 100 MB body it had refused")
}

func TestUpstreamOnlyRefusesOtherHosts(t *testing.T) {
	up, _ := url.Parse("https://api.notion.com")
	called := false
	rt := &upstreamOnly{next: roundTripFunc(func(*http.Request) (*http.Response, error) {
		called = true
		return &http.Response{StatusCode: 200, Body: http.NoBody}, nil
	})}
	ex := &call{routing: routing{snap: &snapshot{upstream: up}}}
	for _, target := range []string{"https://example.com/v1/users/me", "http://api.notion.com/v1/users/me", "https://api.notion.com:8443/"} {
		req := httptest.NewRequest("GET", target, nil)
		req = req.WithContext(context.WithValue(req.Context(), callKey{}, ex))
		_, err := rt.RoundTrip(req)
		var pe *proxyError
		if !errors.As(err, &pe) || pe.reason != reasonForbiddenHost || called {
			t.Errorf("%s: error %v, sent %v", target, err, called)
		}
	}
	req := httptest.NewRequest("GET", "https://api.notion.com/v1/users/me", nil)
	req = req.WithContext(context.WithValue(req.Context(), callKey{}, ex))
	if _, err := rt.RoundTrip(req); err != nil || !called {
		t.Errorf("the upstream itself: %v, sent %v", err, called)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
