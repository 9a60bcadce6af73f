package proxy

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/notion-auth-proxy/notion-auth-proxy/internal/notiontest"
	"github.com/notion-auth-proxy/notion-auth-proxy/ratelimit"
)

// Tokens of the fake workspaces. Tests assert they never leak.
const (
	wikiToken    = "ntn_wiki_secret_token_0001"
	partnerToken = "ntn_partner_secret_token_0002"
	sharedPage   = "1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b"
	unsharedPage = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
	acmeID       = "5c1a6a0e-0d6f-4bd0-9b7a-2f8e3c4d5e6f"
)

// source is a TokenSource with a fixed answer.
type source struct {
	mu    sync.Mutex
	token string
	state string
	err   error
}

func (s *source) Token(context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.token, s.err
}

func (s *source) State() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state == "" {
		return StateReady
	}
	return s.state
}

// needsLoginErr is a credential error asking for a new login.
type needsLoginErr struct{}

func (needsLoginErr) Error() string    { return "refresh token revoked" }
func (needsLoginErr) NeedsLogin() bool { return true }

// rig is a proxy between a test client and the fake Notion.
type rig struct {
	t        *testing.T
	fake     *notiontest.Server
	handler  *Handler
	server   *httptest.Server
	logs     *observer.ObservedLogs
	wiki     *source
	partner  *source
	config   Config
	upstream *url.URL
}

// newRig starts the fake and a proxy with two credentials, wiki (the
// default) and partner, and a workspace "acme" for partner. edit adjusts the
// proxy's config before it starts.
func newRig(t *testing.T, edit func(*Config)) *rig {
	t.Helper()
	fake := notiontest.NewServer()
	t.Cleanup(fake.Close)
	fake.AddToken(wikiToken, notiontest.Bot{ID: "b1", Name: "Wiki Bot", WorkspaceID: "w1", WorkspaceName: "Wiki"})
	fake.AddToken(partnerToken, notiontest.Bot{ID: "b2", Name: "Partner Bot", WorkspaceID: acmeID, WorkspaceName: "Acme"})
	fake.Share(wikiToken, "page", sharedPage)
	fake.Share(partnerToken, "page", sharedPage)

	up, err := url.Parse(fake.URL())
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{t: t, fake: fake, upstream: up,
		wiki: &source{token: wikiToken}, partner: &source{token: partnerToken}}
	r.config = Config{
		Upstream:      up,
		NotionVersion: "2025-09-03",
		MaxBodyBytes:  1 << 20,
		Credentials: []Credential{
			{Name: "wiki", Source: r.wiki},
			{Name: "partner", Source: r.partner},
		},
		Workspaces:        []Workspace{{Name: "acme", ID: acmeID, Credential: "partner"}},
		DefaultCredential: "wiki",
	}
	if edit != nil {
		edit(&r.config)
	}
	core, logs := observer.New(zap.DebugLevel)
	r.logs = logs
	r.handler, err = New(r.config, Options{
		Logger:    zap.New(core),
		Transport: NewTransport(TransportOptions{ResponseHeaderTimeout: 2 * time.Second}),
		Pacer:     ratelimit.NewLocal(nil),
	})
	if err != nil {
		t.Fatal(err)
	}
	r.server = httptest.NewServer(r.handler)
	t.Cleanup(r.server.Close)
	t.Cleanup(func() { r.assertNoSecretsLogged() })
	return r
}

// do sends a request through the proxy with the given headers.
func (r *rig) do(method, path string, body io.Reader, header ...string) *http.Response {
	r.t.Helper()
	req, err := http.NewRequest(method, r.server.URL+path, body)
	if err != nil {
		r.t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		if strings.EqualFold(header[i], "Host") {
			req.Host = header[i+1]
			continue
		}
		req.Header.Add(header[i], header[i+1])
	}
	resp, err := noRedirects.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() { resp.Body.Close() })
	return resp
}

var noRedirects = &http.Client{
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// raw writes a literal HTTP/1.1 request, for header shapes net/http's client
// would never produce, and returns the parsed response.
func (r *rig) raw(request string) *http.Response {
	r.t.Helper()
	conn, err := net.Dial("tcp", r.server.Listener.Addr().String())
	if err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() { conn.Close() })
	if _, err := io.WriteString(conn, strings.ReplaceAll(request, "\n", "\r\n")); err != nil {
		r.t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// lastUpstream is the last request the fake received.
func (r *rig) lastUpstream() notiontest.Request {
	r.t.Helper()
	req, ok := r.fake.LastRequest()
	if !ok {
		r.t.Fatal("upstream received no request")
	}
	return req
}

// events returns the logged entries with the given event field.
func (r *rig) events(event string) []observer.LoggedEntry {
	var out []observer.LoggedEntry
	for _, e := range r.logs.All() {
		if e.ContextMap()["event"] == event {
			out = append(out, e)
		}
	}
	return out
}

// assertNoSecretsLogged checks every log line for the tokens, and that every
// line has an event field.
func (r *rig) assertNoSecretsLogged() {
	for _, e := range r.logs.All() {
		b, _ := json.Marshal(e.ContextMap())
		line := e.Message + string(b)
		if strings.Contains(line, wikiToken) || strings.Contains(line, partnerToken) {
			r.t.Errorf("a log line holds a token: %q", e.Message)
		}
		if _, ok := e.ContextMap()["event"]; !ok {
			r.t.Errorf("log line %q has no event field", e.Message)
		}
	}
}

// proxyErrorBody is the body of a proxy-made error.
type proxyErrorBody struct {
	Object  string `json:"object"`
	Status  int    `json:"status"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// wantProxyError checks that resp is a Notion-shaped proxy error.
func wantProxyError(t *testing.T, resp *http.Response, status int, reason, code string) proxyErrorBody {
	t.Helper()
	var body proxyErrorBody
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("error body is not JSON: %v", err)
	}
	if resp.StatusCode != status || resp.Header.Get("X-Notion-Proxy-Error") != reason ||
		body.Object != "error" || body.Status != status || body.Code != code ||
		!strings.HasPrefix(body.Message, "notion-auth-proxy: ") {
		t.Fatalf("got %d %q %+v, want %d %q code %q",
			resp.StatusCode, resp.Header.Get("X-Notion-Proxy-Error"), body, status, reason, code)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type = %q", ct)
	}
	return body
}

func readAll(t *testing.T, r io.Reader) string {
	t.Helper()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
