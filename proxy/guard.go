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

// takeIdentity removes the identity headers from h and returns the client
// key the caller presented, from X-Notion-Proxy-Key or a Bearer
// Authorization.
func takeIdentity(h http.Header) presentedKey {
	var p presentedKey
	if v := h.Values("X-Notion-Proxy-Key"); len(v) == 1 {
		p = presentedKey{key: strings.TrimSpace(v[0]), found: true}
	} else if v := h.Values("Authorization"); len(v) == 1 {
		if scheme, key, ok := strings.Cut(v[0], " "); ok && strings.EqualFold(scheme, "Bearer") {
			p = presentedKey{key: strings.TrimSpace(key), found: true}
		}
	}
	for _, name := range identityHeaders {
		h.Del(name)
	}
	return p
}

// checkProxyForm applies the open-proxy rule to absolute-form and CONNECT
// requests: only the upstream itself may be named, and CONNECT is never
// honoured here. Nothing is dialed for a refused request.
func (s *snapshot) checkProxyForm(r *http.Request) *proxyError {
	if r.Method == http.MethodConnect {
		return newError(reasonForbiddenHost, "CONNECT %s refused: this proxy is not an open proxy", r.Host)
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
func (s *snapshot) checkClient(r *http.Request, presented presentedKey, ex *exchange) *proxyError {
	if !r.URL.IsAbs() && !s.hostAllowed(r.Host) {
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
	if ex.clientKeyScope = s.matchKey(presented.key); ex.clientKeyScope == nil {
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
