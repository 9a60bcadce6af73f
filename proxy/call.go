package proxy

import (
	"context"
	"net/http"
	"time"
)

// call is the state one request carries through the stages of the proxy:
// what routing decided (set once, before the reverse proxy runs) and what
// happened to it (recorded by the stages, read by the access log).
type call struct {
	routing
	out outcome
}

// routing is what ServeHTTP decided about a request. It is written while
// the request is routed and only read once the reverse proxy runs.
type routing struct {
	snap          *snapshot
	start         time.Time
	path, rawPath string // forwarded path
	cred          *credential
	workspace     string
	key           *clientKey    // the client key presented, when keys are configured
	tunnel        *tunnel       // set for a request read from a CONNECT tunnel
	in            *http.Request // the request as the client sent it
}

// outcome is what happened to a request, for the access log and metrics.
// The stages of one request run one after another, so it needs no lock.
type outcome struct {
	status         int // set when no response is written (client gone)
	upstreamStatus int
	requestID      string
	retries        int
	local          bool          // answered by the proxy itself: logged at debug level
	refused        string        // the reason a client key was refused something, if it was
	pacing         time.Duration // waited for the credential's turn
	upstream       time.Duration // spent in upstream round trips
}

// retried counts one more upstream attempt for the same request.
func (o *outcome) retried() { o.retries++ }

// answeredLocally marks a request the proxy answered itself.
func (o *outcome) answeredLocally() { o.local = true }

// paced adds a wait for the credential's turn.
func (o *outcome) paced(d time.Duration) { o.pacing += d }

// clientGone records that the client left before an answer.
func (o *outcome) clientGone() { o.status = statusClientClosed }

// reject answers the request with pe, noting a refusal of the client
// key's request for the key's counters.
func (c *call) reject(w http.ResponseWriter, pe *proxyError) {
	if refusals[pe.reason] {
		c.out.refused = pe.reason
	}
	if c.cred != nil {
		w.Header().Set(headerCredential, c.cred.name)
	}
	writeError(w, pe)
}

// credentialName is the selected credential's name, or "".
func (c *call) credentialName() string {
	if c.cred == nil {
		return ""
	}
	return c.cred.name
}

// clientName is the presented client key's name, or "".
func (c *call) clientName() string {
	if c.key == nil {
		return ""
	}
	return c.key.name
}

type callKey struct{}

// callFrom returns the request's call. ServeHTTP sets it before the reverse
// proxy runs, so the hooks and transports always find one.
func callFrom(ctx context.Context) *call {
	return ctx.Value(callKey{}).(*call)
}
