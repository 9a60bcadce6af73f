package proxy

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

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
	// *Denial. credential is the one the request selected (lookups made
	// to decide use it); path is the forwarded path in its escaped form;
	// body is nil unless NeedsBody asked for it.
	Authorize(ctx context.Context, credential, method, path, rawQuery string, body []byte) error
}

// A ResponseFilter is an Authorizer that must see the answers to its key's
// requests: to learn where objects sit, and to drop search and query
// results outside the key's scope. Only its keys' answers are read whole;
// every other answer streams.
type ResponseFilter interface {
	Authorizer
	// FiltersResponse reports whether Filter must see the successful JSON
	// answer to method path.
	FiltersResponse(method, path string) bool
	// Filter returns the body to send the client in place of body.
	Filter(ctx context.Context, credential, method, path string, body []byte) ([]byte, error)
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
	// ObjectType and ObjectID name the object outside the key's scope
	// (object_out_of_scope), which is answered like Notion's own 404 for
	// an object not shared with the integration.
	ObjectType, ObjectID string
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
	err := p.Authorize(r.Context(), c.cred.name, r.Method, c.rawPath, r.URL.RawQuery, body)
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
			zap.String("object_id", d.ObjectID),
			zap.String("message", d.Message))
		return nil
	}
	if d.Reason == reasonOutOfScope {
		return c.outOfScope(d)
	}
	pe := newError(d.Reason, "client key %q: %s", c.key.name, d.Message)
	pe.capability = d.Capability
	return pe
}

// outOfScope answers exactly as Notion answers for an object not shared
// with the integration, whether or not the object exists, so a key cannot
// probe for what lies outside its scope; the hint says why when
// annotate_errors is on.
func (c *call) outOfScope(d *Denial) *proxyError {
	typ := d.ObjectType
	if typ == "" {
		typ = "object"
	}
	msg := fmt.Sprintf("Could not find %s with ID: %s. Make sure the relevant pages and databases are shared with your integration.", typ, d.ObjectID)
	if d.ObjectID == "" {
		msg = "Could not find the parent. Make sure the relevant pages and databases are shared with your integration."
	}
	if c.snap.annotate {
		msg += fmt.Sprintf(" — notion-auth-proxy: client key %q: %s", c.key.name, d.Message)
	}
	return &proxyError{reason: reasonOutOfScope, message: msg, verbatim: true}
}

// maxFilteredBody bounds the answers read whole for a ResponseFilter: a
// page of at most 100 results.
const maxFilteredBody = 32 << 20

// filterResponse hands a scoped key's successful JSON answer to its
// policy, which learns from it and may drop results.
func (h *Handler) filterResponse(resp *http.Response, c *call) error {
	f, ok := c.key.policy.(ResponseFilter)
	if !ok || resp.StatusCode/100 != 2 || !strings.Contains(resp.Header.Get("Content-Type"), "json") ||
		resp.Header.Get("Content-Encoding") != "" || !f.FiltersResponse(resp.Request.Method, c.rawPath) {
		return nil
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxFilteredBody+1))
	resp.Body.Close()
	if err != nil {
		return err
	}
	if len(b) > maxFilteredBody {
		return newError(reasonUpstreamUnreachable, "the answer is too large to filter for client key %q", c.key.name)
	}
	out, err := f.Filter(resp.Request.Context(), c.cred.name, resp.Request.Method, c.rawPath, b)
	if err != nil {
		return newError(reasonUpstreamUnreachable, "the answer could not be filtered for client key %q", c.key.name)
	}
	setBody(resp, out)
	return nil
}

func tooBigForPolicy() *proxyError {
	return newError(reasonBodyTooLarge, "a scoped client key's request body may be at most %d bytes: the proxy reads it to apply the key's policy", maxPolicyBody)
}
