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

// serveKeyless answers the endpoints that need no client key: the probes
// and the OAuth login, which only connections from this machine reach.
func (h *Handler) serveKeyless(w http.ResponseWriter, r *http.Request, s *snapshot) bool {
	if h.serveProbe(w, r) {
		return true
	}
	if browserRoot(r) && s.hostAllowed(r.Host) {
		http.Redirect(w, r, "/status", http.StatusFound)
		return true
	}
	if strings.HasPrefix(r.URL.Path, "/oauth/") {
		if h.oauth == nil {
			writeError(w, newError(reasonNotFound, "no OAuth credentials are configured"))
		} else {
			loopbackOnly(w, r, s.hostAllowed, h.oauth)
		}
		return true
	}
	return false
}

// serveLocal answers the endpoints that are guarded like proxied requests.
// A client key limited to some credentials sees only theirs.
func (h *Handler) serveLocal(w http.ResponseWriter, r *http.Request, c *call) bool {
	switch r.URL.Path {
	case "/metrics":
		if localMethod(w, r) {
			promhttp.HandlerFor(h.registry, promhttp.HandlerOpts{}).ServeHTTP(w, r)
		}
	case "/not-shared":
		if localMethod(w, r) {
			writeJSON(w, http.StatusOK, h.notShared.list(c.key.allows))
		}
	case "/status":
		if localMethod(w, r) {
			h.serveStatus(w, r, c)
		}
	default:
		return false
	}
	return true
}

// LoopbackOnly wraps the OAuth login endpoints: they need no client key (a
// browser cannot send one) but answer only connections from loopback
// addresses whose Host is a loopback name or one of allowedHosts, since
// whoever completes a login binds a workspace to the credential. The proxy
// applies it to its own /oauth/ endpoints; the login command's listener
// uses it too.
func LoopbackOnly(next http.Handler, allowedHosts []string) http.Handler {
	s := &snapshot{allowedHosts: make(map[string]bool)}
	for _, host := range allowedHosts {
		s.allowedHosts[strings.ToLower(host)] = true
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		loopbackOnly(w, r, s.hostAllowed, next)
	})
}

func loopbackOnly(w http.ResponseWriter, r *http.Request, hostAllowed func(string) bool, next http.Handler) {
	switch {
	case !hostAllowed(r.Host):
		writeError(w, newError(reasonForbiddenHost,
			"Host %q is not a loopback name; add it to allowed_hosts to accept it", r.Host))
	case !loopbackPeer(r.RemoteAddr):
		writeError(w, newError(reasonForbiddenHost,
			"OAuth login answers only connections from this machine; run `notion-auth-proxy login` on the host or through a port-forward"))
	default:
		next.ServeHTTP(w, r)
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
