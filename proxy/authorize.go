package proxy

import (
	"bytes"
	"errors"
	"io"
	"net/http"

	"go.uber.org/zap"
)

// An Authorizer decides what a client key may do, in Notion's own terms:
// which capabilities (read, insert, update, delete, ...) and which objects.
// Package policy holds Notion's endpoint table that cmd builds one from.
// Implementations must be safe for concurrent use.
type Authorizer interface {
	// NeedsBody reports whether Authorize must see the request body to
	// decide about method and path (a PATCH that may trash, a create
	// naming its parent).
	NeedsBody(method, path string) bool
	// Authorize returns nil when the key may send the request, else a
	// *Denial. path is the forwarded path in its escaped form; body is nil
	// unless NeedsBody asked for it.
	Authorize(method, path, rawQuery string, body []byte) error
}

// Denial is an Authorizer's refusal.
type Denial struct {
	// Reason is the X-Notion-Proxy-Error reason: capability_denied,
	// endpoint_unknown, or another of the reasons the README lists.
	Reason string
	// Capability is the capability the request needed, if that is why.
	Capability string
	// Message says what was refused, naming the capability and the
	// operation; it is sent to the client, so it holds no secret.
	Message string
}

func (d *Denial) Error() string { return d.Reason + ": " + d.Message }

// maxPolicyBody bounds the body a scoped key's request may have when the
// policy must read it: the same bound as the copy kept for replay.
const maxPolicyBody = maxReplayBytes

// authorize applies the client key's policy, when it has one. The body is
// read only when the policy needs it, and put back unchanged. In shadow
// mode a refusal is logged and the request goes on.
func (h *Handler) authorize(r *http.Request, c *call) *proxyError {
	p := c.key.policy
	var body []byte
	if p.NeedsBody(r.Method, c.rawPath) && r.Body != nil && r.Body != http.NoBody {
		if r.ContentLength > maxPolicyBody {
			return tooBigForPolicy()
		}
		b, err := io.ReadAll(io.LimitReader(r.Body, maxPolicyBody+1))
		if err != nil {
			return newError(reasonInvalidRequest, "the request body could not be read: its framing is malformed")
		}
		if len(b) > maxPolicyBody {
			return tooBigForPolicy()
		}
		r.Body.Close()
		r.Body, body = io.NopCloser(bytes.NewReader(b)), b
	}
	err := p.Authorize(r.Method, c.rawPath, r.URL.RawQuery, body)
	if err == nil {
		return nil
	}
	var d *Denial
	if !errors.As(err, &d) {
		d = &Denial{Reason: reasonCapabilityDenied, Message: "the key's policy refused the request"}
	}
	if !c.key.enforce {
		h.log.Warn("a client key's policy would refuse this request (shadow mode: let through)",
			zap.String("event", "scope_violation"),
			zap.String("client", c.key.name),
			zap.String("credential", c.credentialName()),
			zap.String("method", r.Method),
			zap.String("path", c.path),
			zap.String("reason", d.Reason),
			zap.String("capability", d.Capability),
			zap.String("message", d.Message))
		return nil
	}
	pe := newError(d.Reason, "client key %q: %s", c.key.name, d.Message)
	pe.capability = d.Capability
	return pe
}

func tooBigForPolicy() *proxyError {
	return newError(reasonBodyTooLarge, "a scoped client key's request body may be at most %d bytes: the proxy reads it to apply the key's policy", maxPolicyBody)
}
