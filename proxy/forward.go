package proxy

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/elazarl/goproxy"
	"go.uber.org/zap"
)

// Forward-proxy mode accepts exactly one CONNECT target: the host the Notion
// clients that cannot change their base URL call.
const (
	forwardHost   = "api.notion.com"
	forwardTarget = forwardHost + ":443"
)

// errNoDial is what goproxy gets if it ever tries to dial: it never should,
// since every request it reads from a tunnel is answered by the Handler.
var errNoDial = errors.New("forward proxy: goproxy may not dial")

// forwarder terminates CONNECT api.notion.com:443 tunnels with goproxy and
// hands every request read from a tunnel to Handler.ServeHTTP, so tunnelled
// requests take the one pipeline reverse requests take. goproxy itself never
// dials anything: its dialers and transport refuse, and its request hook
// always answers.
type forwarder struct {
	h        *Handler
	gp       *goproxy.ProxyHttpServer
	inflight *tunnelRequests
}

func newForwarder(h *Handler) *forwarder {
	gp := goproxy.NewProxyHttpServer()
	gp.Logger = &warnLog{log: h.log.With(zap.String("event", "forward_proxy"))}
	refuse := func(context.Context, string, string) (net.Conn, error) { return nil, errNoDial }
	gp.Tr = &http.Transport{Proxy: nil, DialContext: refuse, DialTLSContext: refuse}
	gp.ConnectDial = func(string, string) (net.Conn, error) { return nil, errNoDial }
	gp.ConnectDialWithReq = func(*http.Request, string, string) (net.Conn, error) { return nil, errNoDial }
	gp.NonproxyHandler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeError(w, newError(reasonNotFound, "not a forward-proxy request"))
	})
	f := &forwarder{h: h, gp: gp, inflight: newTunnelRequests()}
	gp.OnRequest().HandleConnectFunc(f.connect)
	gp.OnRequest().DoFunc(f.serveTunnelled)
	return f
}

// connectInfo travels from an accepted CONNECT to the requests read from
// its tunnel (as goproxy's UserData).
type connectInfo struct {
	ca *forwardCA
	// key is the client key given on CONNECT; it counts for every
	// request in the tunnel.
	key presentedKey
	// conn is the tunnel's connection, once goproxy has taken it over.
	conn *tunnelConn
	// server and local are the CONNECT request's http.Server context
	// values: tunnelled requests run on behalf of that server, and with
	// them httputil.ReverseProxy aborts a response whose upstream body
	// fails midway instead of ending it as if it were complete.
	server, local any
}

type connectKey struct{}

// serveConnect passes a CONNECT that checkConnect accepted to goproxy. It
// takes the raw ResponseWriter: goproxy hijacks the connection, and gets
// it wrapped so the tunnel keeps the server's timeouts (see tunnelConn).
// With client keys configured, the CONNECT must carry one, in
// Proxy-Authorization as HTTPS_PROXY=http://x:KEY@host:port sends it.
func (f *forwarder) serveConnect(w http.ResponseWriter, r *http.Request, s *snapshot, presented presentedKey) {
	if len(s.clientKeys) > 0 && (!presented.found || s.matchKey(presented.key) == nil) {
		w.Header().Set("Proxy-Authenticate", `Basic realm="notion-auth-proxy"`)
		writeError(w, newError(reasonProxyAuthRequired,
			"a client key is required on CONNECT: use HTTPS_PROXY=http://x:KEY@host:port (Proxy-Authorization: Basic, the key as password)"))
		return
	}
	ctx := r.Context()
	info := &connectInfo{ca: s.forward, key: presented,
		server: ctx.Value(http.ServerContextKey), local: ctx.Value(http.LocalAddrContextKey)}
	hw := &hijackWriter{ResponseWriter: w, info: info}
	f.gp.ServeHTTP(hw, r.WithContext(context.WithValue(ctx, connectKey{}, info)))
}

// connect is goproxy's CONNECT hook. ServeHTTP has refused every other
// target already; checking again costs nothing and keeps goproxy's default,
// a plain tunnel to wherever the client asked, out of reach.
func (f *forwarder) connect(host string, ctx *goproxy.ProxyCtx) (*goproxy.ConnectAction, string) {
	info, _ := ctx.Req.Context().Value(connectKey{}).(*connectInfo)
	if info == nil || info.ca == nil || !strings.EqualFold(host, forwardTarget) {
		return &goproxy.ConnectAction{Action: goproxy.ConnectReject}, host
	}
	ctx.UserData = info
	return &goproxy.ConnectAction{Action: goproxy.ConnectMitm, TLSConfig: info.ca.tlsConfig}, forwardTarget
}

// tunnel describes a request read from a CONNECT tunnel, as goproxy
// delivered it, for checkTunnelled.
type tunnel struct {
	key        presentedKey // the client key given on CONNECT
	viaConnect bool         // read from a tunnel this proxy accepted
	secure     bool         // the tunnel carried TLS
	host       string       // the request's Host header
	urlHost    string       // the host of its target (differs for absolute-form)
}

type tunnelKey struct{}

func tunnelFrom(ctx context.Context) *tunnel {
	t, _ := ctx.Value(tunnelKey{}).(*tunnel)
	return t
}

// serveTunnelled is goproxy's request hook for requests read from a
// tunnel. It always answers, so goproxy never sends a request itself: the
// request, turned into origin form, goes through Handler.ServeHTTP, which
// judges the tunnel in checkTunnelled.
func (f *forwarder) serveTunnelled(req *http.Request, ctx *goproxy.ProxyCtx) (*http.Request, *http.Response) {
	info, _ := ctx.UserData.(*connectInfo)
	t := &tunnel{viaConnect: info != nil, secure: req.URL.Scheme == "https", host: req.Host, urlHost: req.URL.Host}
	c := context.WithValue(req.Context(), tunnelKey{}, t)
	var conn *tunnelConn
	if info != nil {
		t.key, conn = info.key, info.conn
		conn.busy() // the request's header is in: no header deadline while it is served
		if info.server != nil {
			c = context.WithValue(c, http.ServerContextKey, info.server)
		}
		if info.local != nil {
			c = context.WithValue(c, http.LocalAddrContextKey, info.local)
		}
	}
	in := req.WithContext(c)
	in.URL = &url.URL{Path: req.URL.Path, RawPath: req.URL.RawPath, RawQuery: req.URL.RawQuery}
	in.RequestURI = in.URL.RequestURI()
	body := &consumedBody{ReadCloser: req.Body}
	in.Body = body
	f.inflight.start()
	resp := f.h.serveResponse(in)
	resp.Close = f.inflight.isDraining() // then the client leaves the tunnel after this answer
	resp.Body = &countedBody{ReadCloser: resp.Body, done: func() {
		f.inflight.done()
		// goproxy would read an unread request body to its end, however
		// long, to reach the next request; the tunnel ends instead, as
		// an http.Server connection would.
		if conn != nil && !body.consumed() {
			conn.Close()
			return
		}
		conn.idle()
	}}
	return req, resp
}

// checkConnect applies the open-proxy rule to CONNECT: only
// api.notion.com:443, and only in forward-proxy mode.
func (s *snapshot) checkConnect(r *http.Request) *proxyError {
	if s.forward == nil {
		return newError(reasonForbiddenHost, "CONNECT %s refused: this proxy is not an open proxy (forward_proxy is not enabled)", r.Host)
	}
	if !strings.EqualFold(r.URL.Host, forwardTarget) || !strings.EqualFold(r.Host, forwardTarget) {
		return newError(reasonForbiddenHost, "CONNECT %s refused: forward-proxy mode tunnels only to %s", r.Host, forwardTarget)
	}
	return nil
}

// checkTunnelled applies the open-proxy rule to a request read from a
// tunnel. goproxy would send it wherever its own Host says, so the Host
// (and an absolute target) must name api.notion.com.
func (s *snapshot) checkTunnelled(r *http.Request, t *tunnel) *proxyError {
	switch {
	case s.forward == nil || !t.viaConnect:
		return newError(reasonForbiddenHost, "tunnelled request refused: forward_proxy is not enabled")
	case r.Method == http.MethodConnect:
		return newError(reasonForbiddenHost, "CONNECT inside a tunnel refused")
	case !t.secure:
		return newError(reasonForbiddenHost, "tunnelled request refused: speak TLS to %s inside the tunnel", forwardHost)
	case !isForwardHost(t.host) || !isForwardHost(t.urlHost):
		return newError(reasonForbiddenHost, "request for %s refused: this tunnel leads only to %s", t.host, forwardHost)
	}
	return nil
}

func isForwardHost(hostport string) bool {
	return strings.EqualFold(hostport, forwardHost) || strings.EqualFold(hostport, forwardTarget)
}

// forwardCA signs the api.notion.com certificate tunnelling clients are
// shown, and keeps it until it nears expiry. It is safe for concurrent use.
type forwardCA struct {
	ca *tls.Certificate

	mu      sync.Mutex
	config  *tls.Config
	expires time.Time
}

// newForwardCA returns the snapshot's forwardCA: nil when forward mode is
// off, the previous one (with its signed certificate) while the CA stays
// the same.
func newForwardCA(ca *tls.Certificate, prev *snapshot) *forwardCA {
	switch {
	case ca == nil:
		return nil
	case prev != nil && prev.forward != nil && prev.forward.ca == ca:
		return prev.forward
	}
	return &forwardCA{ca: ca}
}

// renewBefore is how long before its expiry a signed certificate is
// replaced.
const renewBefore = 24 * time.Hour

// tlsConfig is the ConnectAction's TLSConfig hook. It signs with our own CA
// through goproxy.TLSConfigFromCA; goproxy's built-in CA, whose key is
// public, is never used.
func (c *forwardCA) tlsConfig(host string, ctx *goproxy.ProxyCtx) (*tls.Config, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.config != nil && time.Until(c.expires) > renewBefore {
		return c.config, nil
	}
	cfg, err := goproxy.TLSConfigFromCA(c.ca)(host, ctx)
	if err != nil {
		return nil, fmt.Errorf("sign certificate for %s: %w", host, err)
	}
	if len(cfg.Certificates) == 0 || cfg.Certificates[0].Leaf == nil {
		return nil, fmt.Errorf("sign certificate for %s: no certificate", host)
	}
	cfg.InsecureSkipVerify = false // a client-side setting; this config serves
	cfg.MinVersion = tls.VersionTLS12
	c.config, c.expires = cfg, cfg.Certificates[0].Leaf.NotAfter
	return cfg, nil
}

// warnLog takes goproxy's warnings (it prints nothing else unless Verbose).
// An error argument is shown only when it is of a kind that cannot echo
// what the client sent: a request that fails to parse is reported with its
// offending header line, which may hold a token.
type warnLog struct {
	log *zap.Logger
}

var _ goproxy.Logger = (*warnLog)(nil)

func (l *warnLog) Printf(format string, args ...any) {
	for i, a := range args {
		if err, ok := a.(error); ok && !plainError(err) {
			args[i] = "(details withheld)"
		}
	}
	l.log.Warn(strings.TrimSpace(fmt.Sprintf(format, args...)))
}

// plainError reports whether err is a connection, TLS or certificate error,
// whose text holds no client data.
func plainError(err error) bool {
	var (
		op      *net.OpError
		alert   tls.AlertError
		record  tls.RecordHeaderError
		verify  *tls.CertificateVerificationError
		unknown x509.UnknownAuthorityError
	)
	return errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) || errors.Is(err, errAborted) ||
		errors.As(err, &op) || errors.As(err, &alert) || errors.As(err, &record) ||
		errors.As(err, &verify) || errors.As(err, &unknown)
}
