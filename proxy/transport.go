package proxy

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"sync"
	"time"

	"go.uber.org/zap"
)

// TransportOptions tune the upstream transport. Zero values take defaults.
type TransportOptions struct {
	// ResponseHeaderTimeout bounds the wait for upstream response headers
	// (upstream_timeout). Default 60s.
	ResponseHeaderTimeout time.Duration
	// RootCAs verifies upstream certificates; nil means the system pool.
	// Verification is always on.
	RootCAs *x509.CertPool
}

// NewTransport returns the upstream transport: a clone of
// http.DefaultTransport with HTTP/2, certificate verification, explicit
// timeouts and a connection pool sized for one busy upstream host. Build it
// once and share it.
func NewTransport(opts TransportOptions) *http.Transport {
	if opts.ResponseHeaderTimeout <= 0 {
		opts.ResponseHeaderTimeout = 60 * time.Second
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = nil // never send Notion traffic through an environment proxy
	t.DialContext = (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	t.ForceAttemptHTTP2 = true
	t.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: opts.RootCAs}
	t.TLSHandshakeTimeout = 10 * time.Second
	t.ResponseHeaderTimeout = opts.ResponseHeaderTimeout
	t.ExpectContinueTimeout = time.Second
	t.IdleConnTimeout = 90 * time.Second
	t.MaxIdleConns = 256
	t.MaxIdleConnsPerHost = 128
	// Pass bodies through byte for byte: the client decides about gzip.
	t.DisableCompression = true
	return t
}

// credentialTransport attaches the selected credential's token, last of all
// changes to the request. It keeps a copy of small bodies (replayable) when
// the request may be sent again. When upstream rejects a token a Refresher
// can replace, it refreshes once and replays the request if its body was
// kept.
type credentialTransport struct {
	next    http.RoundTripper
	log     *zap.Logger
	metrics *metrics
}

var _ http.RoundTripper = (*credentialTransport)(nil)

// newChain builds the stages every upstream request goes through, in
// order: attach the credential (refreshing and replaying on a 401), retry
// what Notion did not process, wait for the credential's turn, and refuse
// any host but the upstream.
func newChain(opts Options, m *metrics) http.RoundTripper {
	return &credentialTransport{
		next: &retryTransport{
			next: &pacingTransport{
				next:  &upstreamOnly{next: opts.Transport},
				pacer: opts.Pacer, now: opts.Now,
			},
			pacer: opts.Pacer, log: opts.Logger, metrics: m, now: opts.Now,
		},
		log: opts.Logger, metrics: m,
	}
}

func (t *credentialTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	c := callFrom(req.Context())
	cred := c.cred
	token, err := cred.source.Token(req.Context())
	if err != nil {
		return nil, &credentialError{credential: cred.name, state: cred.source.State(), err: err}
	}
	out := req.Clone(req.Context())
	refresher, canRefresh := cred.source.(Refresher)
	replay := false
	if canRefresh || c.snap.retry.MaxAttempts > 1 {
		if replay, err = replayable(out); err != nil {
			return nil, err
		}
	}
	out.Header.Set("Authorization", "Bearer "+token)
	resp, err := t.next.RoundTrip(out)
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		return resp, err
	}
	if !canRefresh {
		t.rejected(cred, token)
		return resp, nil
	}
	fresh, err := refresher.Refresh(req.Context(), token)
	if err != nil {
		drain(resp)
		return nil, &credentialError{credential: cred.name, state: cred.source.State(), err: err}
	}
	if !replay || fresh == token {
		// Not replayable: the next request uses the new token.
		return resp, nil
	}
	drain(resp)
	again := out.Clone(req.Context())
	if again.Body, err = out.GetBody(); err != nil {
		return nil, err
	}
	again.Header.Set("Authorization", "Bearer "+fresh)
	c.out.retried()
	t.metrics.retries.WithLabelValues(cred.name, "unauthorized").Inc()
	// A second 401 is passed on: one refresh per rejected token.
	return t.next.RoundTrip(again)
}

// drain discards what is left of a response that will not be passed on, so
// its connection can be reused.
func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
}

// rejected logs token_rejected once per token upstream refuses: a static
// token that was revoked, or whose integration was removed.
func (t *credentialTransport) rejected(cred *credential, token string) {
	if last := cred.state.rejected.Load(); last != nil && *last == token {
		return
	}
	cred.state.rejected.Store(&token)
	t.log.Error("Notion rejected the credential's token: revoked, or the integration was removed",
		zap.String("event", "token_rejected"), zap.String("credential", cred.name))
}

// bufferPool lends ReverseProxy its 32 KiB copy buffers, so streaming a
// body costs no allocation per request. It pools array pointers: a slice
// converts back to one without allocating, where pooling &slice would
// allocate on every Put.
type bufferPool struct{ pool sync.Pool }

var _ httputil.BufferPool = (*bufferPool)(nil)

const copyBufferSize = 32 << 10

func newBufferPool() *bufferPool {
	return &bufferPool{pool: sync.Pool{New: func() any { return new([copyBufferSize]byte) }}}
}

func (p *bufferPool) Get() []byte { return p.pool.Get().(*[copyBufferSize]byte)[:] }

func (p *bufferPool) Put(b []byte) {
	if cap(b) == copyBufferSize {
		p.pool.Put((*[copyBufferSize]byte)(b[:copyBufferSize]))
	}
}
