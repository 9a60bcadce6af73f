package proxy

import (
	"encoding/json"
	"net"
	"net/http"
	"strings"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// serveProbe answers /healthz and /readyz. Probes need no client key and
// pass the Host guard: orchestrators address them by pod IP, and they reveal
// nothing but credential names and states.
func (h *Handler) serveProbe(w http.ResponseWriter, r *http.Request) bool {
	switch r.URL.Path {
	case "/healthz":
		if localMethod(w, r) {
			writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
		}
	case "/readyz":
		if localMethod(w, r) {
			h.serveReady(w)
		}
	default:
		return false
	}
	return true
}

// servePublic answers the endpoints that need no client key: the probes
// and the OAuth login.
func (h *Handler) servePublic(w http.ResponseWriter, r *http.Request, s *snapshot) bool {
	if h.serveProbe(w, r) {
		return true
	}
	if strings.HasPrefix(r.URL.Path, "/oauth/") {
		h.serveOAuth(w, r, s)
		return true
	}
	return false
}

// serveLocal answers the endpoints that are guarded like proxied requests.
func (h *Handler) serveLocal(w http.ResponseWriter, r *http.Request) bool {
	switch r.URL.Path {
	case "/metrics":
		if localMethod(w, r) {
			promhttp.HandlerFor(h.registry, promhttp.HandlerOpts{}).ServeHTTP(w, r)
		}
	case "/not-shared":
		if localMethod(w, r) {
			writeJSON(w, http.StatusOK, h.notShared.list())
		}
	default:
		return false
	}
	return true
}

// serveOAuth passes the OAuth login endpoints to their handler. They need
// no client key (a browser cannot send one) but answer only connections
// from loopback addresses: whoever completes a login binds a workspace to
// the credential.
func (h *Handler) serveOAuth(w http.ResponseWriter, r *http.Request, s *snapshot) {
	switch {
	case h.oauth == nil:
		writeError(w, newError(reasonNotFound, "no OAuth credentials are configured"))
	case !s.hostAllowed(r.Host):
		writeError(w, newError(reasonForbiddenHost,
			"Host %q is not a loopback name; add it to allowed_hosts to accept it", r.Host))
	case !loopbackPeer(r.RemoteAddr):
		writeError(w, newError(reasonForbiddenHost,
			"OAuth login answers only connections from this machine; run `notion-auth-proxy login` on the host or through a port-forward"))
	default:
		h.oauth.ServeHTTP(w, r)
	}
}

func loopbackPeer(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func localMethod(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return true
	}
	w.Header().Set("Allow", "GET, HEAD")
	writeError(w, newError(reasonMethodNotAllowed, "%s %s: only GET and HEAD are served", r.Method, r.URL.Path))
	return false
}

// readiness is the body of /readyz.
type readiness struct {
	Status      string            `json:"status"`
	Credentials map[string]string `json:"credentials,omitempty"` // the ones not ready
}

func (h *Handler) serveReady(w http.ResponseWriter) {
	notReady := h.credentialStates()
	for name, state := range notReady {
		if state == StateReady {
			delete(notReady, name)
		}
	}
	if len(notReady) > 0 {
		writeJSON(w, http.StatusServiceUnavailable, readiness{Status: "not_ready", Credentials: notReady})
		return
	}
	writeJSON(w, http.StatusOK, readiness{Status: StateReady})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
