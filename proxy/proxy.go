// Package proxy is notion-auth-proxy's data path: an http.Handler that takes
// credential-less requests from local clients, chooses a credential, strips
// whatever identity the client sent, injects the credential and forwards the
// request to the Notion API, streaming both bodies.
//
// It is built on httputil.ReverseProxy: Rewrite routes and strips, a
// RoundTripper attaches the credential, ModifyResponse diagnoses, and one
// ErrorHandler answers every failure. The handler also serves the proxy's
// local endpoints (/healthz, /readyz, /metrics, /not-shared).
//
// In forward-proxy mode (Config.ForwardCA) the same handler accepts
// CONNECT api.notion.com:443: goproxy terminates the tunnel's TLS and each
// request read from it comes back to ServeHTTP, so it is routed, stripped,
// injected, paced and diagnosed like any other.
//
// The package depends on no other part of notion-auth-proxy: credentials
// reach it through the TokenSource interface.
package proxy

import (
	"context"
	"crypto/tls"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"go.uber.org/zap"
)

// A TokenSource supplies one credential's access token. Implementations must
// be safe for concurrent use.
type TokenSource interface {
	// Token returns the token to send upstream. A LoginError that needs a
	// login makes the proxy answer 401 with a login hint; any other error
	// answers 503. Error text is logged, never sent to clients.
	Token(ctx context.Context) (string, error)
	// State reports the credential's health for /readyz and metrics:
	// "ready", or a word saying why not (needs_login, missing_secret, ...).
	State() string
}

// A Refresher is a TokenSource that can replace a token upstream rejected,
// such as an OAuth credential.
type Refresher interface {
	TokenSource
	// Refresh returns a token to use instead of rejected, refreshing the
	// credential unless someone already replaced rejected. Concurrent
	// callers share one refresh; each gives up when its ctx ends.
	Refresh(ctx context.Context, rejected string) (string, error)
}

// A LoginError is an error from TokenSource.Token or Refresher.Refresh
// that may say a person must log in again; the proxy finds it with
// errors.As anywhere in the chain.
type LoginError interface {
	error
	// NeedsLogin reports whether only a new login fixes the error.
	NeedsLogin() bool
}

// A WorkspaceReporter is a TokenSource that knows the Notion workspace its
// token belongs to, such as an OAuth credential after its token exchange.
// The workspace id then selects the credential like a configured
// workspace's id.
type WorkspaceReporter interface {
	TokenSource
	// WorkspaceID returns the workspace's id, or "" while unknown.
	WorkspaceID() string
}

// StateReady is the State of a credential that can serve requests.
const StateReady = "ready"

// Credential is a named source of tokens.
type Credential struct {
	Name   string
	Source TokenSource
}

// Workspace is an alias that selects a credential by name or Notion
// workspace id, in /w/{workspace}/ paths and the X-Notion-Workspace header.
type Workspace struct {
	Name       string
	ID         string // optional Notion workspace UUID, any case, dashes optional
	Credential string
}

// Route selects a credential by method and path prefix.
type Route struct {
	Methods    []string // empty matches every method
	PathPrefix string
	Credential string
}

// ClientKey is a key local clients present to use the proxy.
type ClientKey struct {
	Name        string
	Key         string
	Credentials []string // empty allows every credential
	// Policy, when set, limits what the key may do in Notion's terms
	// (capabilities, objects); nil lets it do whatever its credentials
	// may, at no cost per request.
	Policy Authorizer
	// Shadow logs the Policy's refusals as scope_violation and lets the
	// requests through, to roll a policy out.
	Shadow bool
}

// Config is the part of the proxy's behaviour that a configuration reload
// may change. The proxy keeps no reference to the slices it is given.
type Config struct {
	Upstream      *url.URL
	NotionVersion string
	ForceVersion  bool // send NotionVersion even when the client sent one
	// MinimumVersion sends the client's Notion-Version only when it is
	// NotionVersion or later (versions are dates), else NotionVersion.
	MinimumVersion bool
	// AnnotateErrors appends the proxy's diagnosis to the message of a
	// not-shared 404 or a capability 403 from Notion, for clients that show
	// only the body (SDKs, the MCP server, agents).
	AnnotateErrors    bool
	MaxBodyBytes      int64
	Credentials       []Credential
	Workspaces        []Workspace
	Routes            []Route
	DefaultCredential string // optional when there is exactly one credential
	AllowedHosts      []string
	AllowedOrigins    []string
	ClientKeys        []ClientKey
	RateLimit         RateLimit // per credential
	Retry             Retry
	// ForwardCA, when set, turns forward-proxy mode on: CONNECT
	// api.notion.com:443 is accepted and terminated with a certificate
	// this CA (certificate and private key) signs, and the requests read
	// from the tunnel are served like any other. Nil refuses every CONNECT.
	ForwardCA *tls.Certificate
}

// Options are the parts of the proxy fixed for its lifetime.
type Options struct {
	Logger *zap.Logger
	// Transport carries requests upstream. Default: NewTransport with
	// default options.
	Transport http.RoundTripper
	// Registry receives the proxy's metrics and is served on /metrics.
	// Default: a new registry holding Go and process metrics too.
	Registry *prometheus.Registry
	// OAuth, when set, serves /oauth/start/{credential} and
	// /oauth/callback. It is reached only from loopback connections.
	OAuth http.Handler
	// Pacer books each credential's turns (Config.RateLimit) and holds
	// the pauses Notion asks for with 429 and 529. Nil paces nothing:
	// retries still wait out Retry-After, but other requests do not.
	Pacer Pacer
	// Status, when set, renders GET /status (guarded like /metrics); nil
	// answers 404 there.
	Status StatusPage
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// Handler is the proxy. It is safe for concurrent use; Update may be called
// while requests are served.
type Handler struct {
	log       *zap.Logger
	now       func() time.Time
	current   atomic.Pointer[snapshot]
	states    credStates // per credential name, across reloads
	update    sync.Mutex // one Update at a time
	reverse   *httputil.ReverseProxy
	metrics   *metrics
	registry  *prometheus.Registry
	notShared *notSharedLog
	oauth     http.Handler
	status    StatusPage
	started   time.Time
	forward   *forwarder
}

var _ http.Handler = (*Handler)(nil)

// New returns a proxy serving cfg.
func New(cfg Config, opts Options) (*Handler, error) {
	if opts.Logger == nil {
		opts.Logger = zap.NewNop()
	}
	if opts.Transport == nil {
		opts.Transport = NewTransport(TransportOptions{})
	}
	opts.Transport = &upstreamOnly{next: opts.Transport}
	if opts.Registry == nil {
		opts.Registry = prometheus.NewRegistry()
		opts.Registry.MustRegister(collectors.NewGoCollector(),
			collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	h := &Handler{
		log:       opts.Logger,
		now:       opts.Now,
		registry:  opts.Registry,
		notShared: newNotSharedLog(notSharedCapacity),
		oauth:     opts.OAuth,
		status:    opts.Status,
		started:   opts.Now(),
	}
	m, err := newMetrics(opts.Registry, h.credentialStates)
	if err != nil {
		return nil, err
	}
	h.metrics = m
	h.states.metrics = m
	h.forward = newForwarder(h)
	h.reverse = &httputil.ReverseProxy{
		Rewrite:        h.rewrite,
		Transport:      newChain(opts, m),
		ModifyResponse: h.modifyResponse,
		ErrorHandler:   h.handleError,
		BufferPool:     newBufferPool(),
		ErrorLog:       zap.NewStdLog(h.log.With(zap.String("event", "proxy_error"))),
	}
	if err := h.Update(cfg); err != nil {
		return nil, err
	}
	return h, nil
}

// Update swaps in a new configuration, all or nothing: a configuration it
// refuses changes nothing, not even pacing. Requests already started
// finish with the configuration they started with.
func (h *Handler) Update(cfg Config) error {
	h.update.Lock()
	defer h.update.Unlock()
	s, err := newSnapshot(cfg, h.current.Load())
	if err != nil {
		return err
	}
	h.states.attach(s)
	h.current.Store(s)
	return nil
}

// ServeHTTP answers local endpoints itself and forwards /v1/ and
// /w/{workspace}/v1/ requests upstream. In forward-proxy mode it also
// accepts CONNECT api.notion.com:443; the requests read from such a tunnel
// come back here and are forwarded the same way.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s := h.current.Load()
	c := &call{routing: routing{snap: s, start: h.now(), tunnel: tunnelFrom(r.Context()), in: r}}
	rec := &recorder{ResponseWriter: w}
	defer h.finish(rec, r, c)

	// The caller's identity headers go before anything can fail, so no
	// error path can forward or echo them.
	presented := takeIdentity(r)

	if pe := s.checkProxyForm(r, c); pe != nil {
		c.reject(rec, pe)
		return
	}
	if r.Method == http.MethodConnect {
		c.out.answeredLocally() // each request in the tunnel is logged on its own
		h.forward.serveConnect(w, r, s, presented)
		return
	}
	// A tunnelled request is addressed to api.notion.com: it reaches the
	// API, never the proxy's own endpoints.
	if c.tunnel == nil && h.serveKeyless(rec, r, s) {
		c.out.answeredLocally()
		return
	}
	if c.tunnel != nil && !presented.found {
		presented = c.tunnel.key // the key given on CONNECT
	}
	if pe := s.checkClient(r, presented, c); pe != nil {
		if r.URL.Path == "/status" && pe.reason == reasonClientKeyRequired {
			// A browser asks for the key with its Basic-auth prompt.
			rec.Header().Set("WWW-Authenticate", `Basic realm="notion-auth-proxy", charset="UTF-8"`)
		}
		c.reject(rec, pe)
		return
	}
	if c.tunnel == nil && h.serveLocal(rec, r, c) {
		c.out.answeredLocally()
		return
	}
	if pe := h.prepare(r, c); pe != nil {
		c.reject(rec, pe)
		return
	}
	if r.Body != nil && r.Body != http.NoBody {
		// Bodies without a declared length are cut off while streaming;
		// the transport returns the *http.MaxBytesError to handleError.
		r.Body = &clientBody{http.MaxBytesReader(rec, r.Body, s.maxBodyBytes)}
	}
	if c.key != nil && c.key.policy != nil {
		if pe := h.authorize(r, c); pe != nil {
			c.reject(rec, pe)
			return
		}
	}
	r = r.WithContext(context.WithValue(r.Context(), callKey{}, c))
	h.reverse.ServeHTTP(rec, r)
}

// prepare routes the request: its method, the forwarded path, the body
// limit and the credential.
func (h *Handler) prepare(r *http.Request, c *call) *proxyError {
	s := c.snap
	if !forwardedMethod(r.Method) {
		return newError(reasonMethodNotAllowed, "method %s is not forwarded; the Notion API uses GET, POST, PATCH and DELETE", r.Method)
	}
	workspace, out, rawOut, ok := splitPath(r.URL)
	if !ok {
		return newError(reasonNotFound, "no such endpoint %s: the proxy serves /v1/... and /w/{workspace}/v1/...", r.URL.Path)
	}
	c.path, c.rawPath = out, rawOut
	if r.ContentLength > s.maxBodyBytes {
		return newError(reasonBodyTooLarge, "request body is larger than max_body_bytes (%d bytes)", s.maxBodyBytes)
	}
	return s.choose(r, workspace, c)
}

// forwardedMethod reports whether a method may be sent upstream. Others
// (TRACE, PROPFIND, ...) would carry the injected token to no use.
func forwardedMethod(m string) bool {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPatch,
		http.MethodPut, http.MethodDelete, http.MethodOptions:
		return true
	}
	return false
}
