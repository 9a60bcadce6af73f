package proxy

import (
	"net/http"
	"slices"
	"strings"
	"time"
)

// StatusView is what the proxy knows for its status page (GET /status),
// limited to what the client key asking may see.
type StatusView struct {
	Started     time.Time
	Now         time.Time
	Credentials []CredentialStatus
	NotShared   []NotShared
	// ClientKeys are the configured keys with their counters: all of them
	// for a key without limits, only itself for a key limited to some
	// credentials; empty without client_keys.
	ClientKeys []ClientKeyStatus
}

// CredentialStatus is one credential on the status page.
type CredentialStatus struct {
	Name    string
	State   string
	Traffic []MinuteTraffic // the last minutes with traffic, oldest first
}

// ClientKeyStatus is one client key on the status page. It never holds the
// key.
type ClientKeyStatus struct {
	Name        string
	Credentials []string // empty: every credential
	Requests    int64
	Refusals    int64
}

// A StatusPage renders the status page; cmd supplies one that adds what
// the credential store knows (type, workspace, last refresh and error).
type StatusPage func(w http.ResponseWriter, r *http.Request, v StatusView)

// serveStatus answers GET /status with the view the client may see.
func (h *Handler) serveStatus(w http.ResponseWriter, r *http.Request, c *call) {
	if h.status == nil {
		writeError(w, newError(reasonNotFound, "no status page is configured"))
		return
	}
	now := h.now()
	v := StatusView{Started: h.started, Now: now}
	for _, cr := range c.snap.ordered {
		if c.key.allows(cr.name) {
			v.Credentials = append(v.Credentials, CredentialStatus{
				Name: cr.name, State: cr.source.State(), Traffic: cr.state.traffic.minutes(now)})
		}
	}
	v.NotShared = h.notShared.list(c.key.allows)
	for i := range c.snap.clientKeys {
		k := &c.snap.clientKeys[i]
		if c.key.credentials != nil && k != c.key {
			continue // a limited key sees its own counters only
		}
		v.ClientKeys = append(v.ClientKeys, ClientKeyStatus{Name: k.name, Credentials: slices.Clone(k.credList),
			Requests: k.stats.requests.Load(), Refusals: k.stats.refusals.Load()})
	}
	h.status(w, r, v)
}

// browserRoot reports whether r is a browser asking for the proxy's root,
// which is sent to the status page.
func browserRoot(r *http.Request) bool {
	return r.URL.Path == "/" && (r.Method == http.MethodGet || r.Method == http.MethodHead) &&
		strings.Contains(r.Header.Get("Accept"), "text/html")
}
