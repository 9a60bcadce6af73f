package proxy

import (
	"crypto/sha256"
	"crypto/subtle"
	"net"
	"net/http"
	"strings"
)

// identityHeaders carry a caller's identity. They are removed from every
// incoming request before anything else happens and never reach upstream.
var identityHeaders = []string{"Authorization", "Proxy-Authorization", "Cookie", "X-Notion-Proxy-Key"}

// presentedKey is what a client offered as a client key.
type presentedKey struct {
	key   string
	found bool
}

// takeIdentity removes the identity headers from r and returns the client
// key the caller presented: from X-Notion-Proxy-Key or a Bearer
// Authorization; on a CONNECT from Proxy-Authorization (Basic with the key
// as password, or Bearer); for the status page also from a Basic
// Authorization, as a browser's prompt sends it.
func takeIdentity(r *http.Request) presentedKey {
	h := r.Header
	var p presentedKey
	if v := h.Values("X-Notion-Proxy-Key"); len(v) == 1 {
		p = presentedKey{key: strings.TrimSpace(v[0]), found: true}
	} else if v := h.Values("Authorization"); len(v) == 1 {
		if scheme, key, ok := strings.Cut(v[0], " "); ok && strings.EqualFold(scheme, "Bearer") {
			p = presentedKey{key: strings.TrimSpace(key), found: true}
		}
	}
	switch {
	case p.found:
	case r.Method == http.MethodConnect:
		p = proxyAuthorization(r)
	case r.URL.Path == "/status":
		// A browser sends the key through its Basic-auth prompt: any
		// user name, the key as password.
		if _, key, ok := r.BasicAuth(); ok {
			p = presentedKey{key: key, found: true}
		}
	}
	for _, name := range identityHeaders {
		h.Del(name)
	}
	return p
}

// proxyAuthorization reads a client key from Proxy-Authorization: Basic
// with any user name and the key as password, or Bearer.
func proxyAuthorization(r *http.Request) presentedKey {
	v := r.Header.Values("Proxy-Authorization")
	if len(v) != 1 {
		return presentedKey{}
	}
	scheme, cred, _ := strings.Cut(v[0], " ")
	switch {
	case strings.EqualFold(scheme, "Bearer"):
		return presentedKey{key: strings.TrimSpace(cred), found: true}
	case strings.EqualFold(scheme, "Basic"):
		// http.Request.BasicAuth reads only Authorization; parse the
		// proxy's header the same way.
		probe := &http.Request{Header: http.Header{"Authorization": {"Basic " + strings.TrimSpace(cred)}}}
		if _, key, ok := probe.BasicAuth(); ok {
			return presentedKey{key: key, found: true}
		}
	}
	return presentedKey{}
}

// checkProxyForm applies the open-proxy rule to requests in proxy form:
// an absolute-form request may name only the upstream itself; CONNECT and
// requests read from a tunnel are judged by forward-proxy mode. Nothing is
// dialed for a refused request.
func (s *snapshot) checkProxyForm(r *http.Request, c *call) *proxyError {
	if c.tunnel != nil {
		return s.checkTunnelled(r, c.tunnel)
	}
	if r.Method == http.MethodConnect {
		return s.checkConnect(r)
	}
	if !r.URL.IsAbs() {
		return nil
	}
	if !strings.EqualFold(r.URL.Scheme, s.upstream.Scheme) || !strings.EqualFold(r.URL.Host, s.upstream.Host) {
		return newError(reasonForbiddenHost, "request for %s refused: this proxy only forwards to the Notion API", r.URL.Host)
	}
	return nil
}

// checkClient applies the Host (DNS rebinding) and Origin guards and, when
// client keys are configured, requires one.
func (s *snapshot) checkClient(r *http.Request, presented presentedKey, c *call) *proxyError {
	// checkProxyForm has judged the target of absolute-form and
	// tunnelled requests; the DNS-rebinding guard is for the rest.
	if !r.URL.IsAbs() && c.tunnel == nil && !s.hostAllowed(r.Host) {
		return newError(reasonForbiddenHost,
			"Host %q is not a loopback name; add it to allowed_hosts to accept it", r.Host)
	}
	if origin := r.Header.Get("Origin"); origin != "" && !s.allowedOrigins[strings.ToLower(origin)] {
		return newError(reasonForbiddenOrigin,
			"Origin %q is not in allowed_origins: web pages may not use this proxy", origin)
	}
	if len(s.clientKeys) == 0 {
		return nil
	}
	if !presented.found {
		return newError(reasonClientKeyRequired,
			"a client key is required: send it as Authorization: Bearer KEY or X-Notion-Proxy-Key")
	}
	if c.key = s.matchKey(presented.key); c.key == nil {
		return newError(reasonClientKeyRequired, "the client key is not valid")
	}
	return nil
}

// matchKey compares key with every configured key in constant time. Hashing
// first makes the comparison independent of the keys' lengths too.
func (s *snapshot) matchKey(key string) *clientKey {
	sum := sha256.Sum256([]byte(key))
	var match *clientKey
	for i := range s.clientKeys {
		if subtle.ConstantTimeCompare(sum[:], s.clientKeys[i].sum[:]) == 1 {
			match = &s.clientKeys[i]
		}
	}
	return match
}

// hostAllowed reports whether a Host value is a loopback name or address, or
// listed in allowed_hosts (with or without its port).
func (s *snapshot) hostAllowed(hostport string) bool {
	hostport = strings.ToLower(hostport)
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if host == "localhost" {
		return true
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return true
	}
	return s.allowedHosts[host] || s.allowedHosts[hostport]
}

// upstreamOnly is the last stage before the upstream transport. Rewrite
// always points requests at the upstream; this refuses, without dialing,
// any request that names another host, so no bug in routing or forward
// mode can turn the proxy into an open one.
type upstreamOnly struct {
	next http.RoundTripper
}

var _ http.RoundTripper = (*upstreamOnly)(nil)

func (t *upstreamOnly) RoundTrip(req *http.Request) (*http.Response, error) {
	up := callFrom(req.Context()).snap.upstream
	if !strings.EqualFold(req.URL.Scheme, up.Scheme) || !strings.EqualFold(req.URL.Host, up.Host) {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, newError(reasonForbiddenHost, "refused to send a request anywhere but the upstream")
	}
	return t.next.RoundTrip(req)
}
