package proxy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"

	"go.uber.org/zap"
)

// Reasons for errors the proxy makes itself, sent in X-Notion-Proxy-Error.
const (
	reasonNoCredential         = "no_credential"
	reasonUnknownWorkspace     = "unknown_workspace"
	reasonWorkspaceConflict    = "workspace_conflict"
	reasonNeedsLogin           = "credential_needs_login"
	reasonClientKeyRequired    = "client_key_required"
	reasonProxyAuthRequired    = "proxy_auth_required"
	reasonForbiddenHost        = "forbidden_host"
	reasonForbiddenOrigin      = "forbidden_origin"
	reasonCredentialNotAllowed = "credential_not_allowed"
	reasonNotFound             = "not_found"
	reasonMethodNotAllowed     = "method_not_allowed"
	reasonInvalidRequest       = "invalid_request"
	reasonBodyTooLarge         = "body_too_large"
	reasonRateLimitWait        = "rate_limit_wait_exceeded"
	reasonUpstreamUnreachable  = "upstream_unreachable"
	reasonUnavailable          = "credential_unavailable"
	reasonUpstreamTimeout      = "upstream_timeout"
	reasonCapabilityDenied     = "capability_denied"
	reasonEndpointUnknown      = "endpoint_unknown"
	reasonClientCredentials    = "client_credentials_endpoint"
	reasonInvalidBody          = "invalid_body"
	reasonInvalidID            = "invalid_id"
	reasonOutOfScope           = "object_out_of_scope"
)

// refusals are the reasons that refuse a client key something it asked
// for, counted per key (notion_proxy_denied_total, the status page).
var refusals = map[string]bool{
	reasonCredentialNotAllowed: true, reasonCapabilityDenied: true, reasonEndpointUnknown: true,
	reasonClientCredentials: true, reasonInvalidBody: true, reasonInvalidID: true, reasonOutOfScope: true,
}

// errorKind is how one reason is answered: the status and the Notion error
// code, chosen from those @notionhq/client's APIErrorCode knows so SDKs raise
// an ordinary APIResponseError.
type errorKind struct {
	status int
	code   string
}

var errorKinds = map[string]errorKind{
	reasonNoCredential:         {http.StatusBadRequest, "validation_error"},
	reasonUnknownWorkspace:     {http.StatusBadRequest, "validation_error"},
	reasonWorkspaceConflict:    {http.StatusBadRequest, "validation_error"},
	reasonNeedsLogin:           {http.StatusUnauthorized, "unauthorized"},
	reasonClientKeyRequired:    {http.StatusUnauthorized, "unauthorized"},
	reasonProxyAuthRequired:    {http.StatusProxyAuthRequired, "unauthorized"},
	reasonForbiddenHost:        {http.StatusForbidden, "restricted_resource"},
	reasonForbiddenOrigin:      {http.StatusForbidden, "restricted_resource"},
	reasonCredentialNotAllowed: {http.StatusForbidden, "restricted_resource"},
	reasonNotFound:             {http.StatusNotFound, "invalid_request_url"},
	reasonMethodNotAllowed:     {http.StatusMethodNotAllowed, "invalid_request"},
	reasonInvalidRequest:       {http.StatusBadRequest, "invalid_request"},
	reasonBodyTooLarge:         {http.StatusRequestEntityTooLarge, "validation_error"},
	reasonRateLimitWait:        {http.StatusTooManyRequests, "rate_limited"},
	reasonUpstreamUnreachable:  {http.StatusBadGateway, "internal_server_error"},
	reasonUnavailable:          {http.StatusServiceUnavailable, "service_unavailable"},
	reasonUpstreamTimeout:      {http.StatusGatewayTimeout, "gateway_timeout"},
	reasonCapabilityDenied:     {http.StatusForbidden, "restricted_resource"},
	reasonEndpointUnknown:      {http.StatusForbidden, "restricted_resource"},
	reasonClientCredentials:    {http.StatusForbidden, "restricted_resource"},
	reasonInvalidBody:          {http.StatusBadRequest, "validation_error"},
	reasonInvalidID:            {http.StatusBadRequest, "validation_error"},
	// Shaped exactly like Notion's answer for a page not shared with the
	// integration, so a key cannot probe for what exists.
	reasonOutOfScope: {http.StatusNotFound, "object_not_found"},
}

// proxyError is an error the proxy answers itself. Its message is shown to
// the client, so it must never carry a secret or the text of an internal
// error.
type proxyError struct {
	reason     string
	message    string
	retryAfter time.Duration
	capability string // the capability a refused request needed, if any
	verbatim   bool   // message is Notion's own wording: no "notion-auth-proxy: " prefix
}

func (e *proxyError) Error() string { return e.reason + ": " + e.message }

func (e *proxyError) clientMessage() string {
	if e.verbatim {
		return e.message
	}
	return "notion-auth-proxy: " + e.message
}

func newError(reason, format string, args ...any) *proxyError {
	return &proxyError{reason: reason, message: fmt.Sprintf(format, args...)}
}

// errorBody is Notion's error object.
type errorBody struct {
	Object  string `json:"object"`
	Status  int    `json:"status"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// writeError answers the request with e, shaped like a Notion error.
func writeError(w http.ResponseWriter, e *proxyError) {
	kind, ok := errorKinds[e.reason]
	if !ok {
		kind = errorKinds[reasonUpstreamUnreachable]
	}
	body, _ := json.Marshal(errorBody{
		Object:  "error",
		Status:  kind.status,
		Code:    kind.code,
		Message: e.clientMessage(),
	})
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Notion-Proxy-Error", e.reason)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	if e.retryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(int((e.retryAfter+time.Second-1)/time.Second)))
	}
	if e.capability != "" {
		h.Set("X-Notion-Proxy-Required-Capability", e.capability)
	}
	w.WriteHeader(kind.status)
	_, _ = w.Write(body)
}

// credentialError is returned by the transport when a credential cannot
// supply a token. The source's error stays internal: it is logged, never sent.
type credentialError struct {
	credential string
	state      string
	err        error
}

func (e *credentialError) Error() string {
	return fmt.Sprintf("credential %s: %v", e.credential, e.err)
}

func (e *credentialError) Unwrap() error { return e.err }

// needsLogin reports whether err says a person must log in again. Credential
// sources signal it with a LoginError, so this package depends on no
// store's error types.
func needsLogin(err error) bool {
	var le LoginError
	return errors.As(err, &le) && le.NeedsLogin()
}

// statusClientClosed is logged when the client went away before an answer;
// nothing is written to it.
const statusClientClosed = 499

// handleError is the one place where a failed round trip becomes an answer.
// It is httputil.ReverseProxy's ErrorHandler.
func (h *Handler) handleError(w http.ResponseWriter, r *http.Request, err error) {
	c := callFrom(r.Context())
	var (
		pe      *proxyError
		ce      *credentialError
		tooBig  *http.MaxBytesError
		badBody *clientBodyError
		netErr  net.Error
		opError *net.OpError
	)
	switch {
	case errors.As(err, &pe):
	case errors.As(err, &tooBig):
		pe = newError(reasonBodyTooLarge, "request body is larger than max_body_bytes (%d bytes)", tooBig.Limit)
	case errors.As(err, &badBody):
		pe = newError(reasonInvalidRequest, "the request body could not be read: its framing is malformed")
	case r.Context().Err() != nil:
		h.log.Debug("client went away", zap.String("event", "client_gone"),
			zap.String("method", r.Method), zap.String("path", r.URL.Path))
		c.out.clientGone()
		return
	case errors.As(err, &ce):
		pe = credentialProblem(ce)
		h.log.Warn("credential unavailable", zap.String("event", "credential_unavailable"),
			zap.String("credential", ce.credential), zap.String("state", ce.state), zap.Error(ce.err))
	case errors.As(err, &opError) && opError.Op == "dial":
		pe = newError(reasonUpstreamUnreachable, "cannot reach the Notion API")
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		pe = newError(reasonUpstreamTimeout, "the Notion API did not answer in time")
	default:
		pe = newError(reasonUpstreamUnreachable, "the Notion API could not be reached or answered badly")
	}
	if c.cred != nil {
		w.Header().Set(headerCredential, c.cred.name)
		w.Header().Set("Server-Timing", serverTiming(c.out.pacing, c.out.upstream))
	}
	if pe.reason == reasonUpstreamUnreachable || pe.reason == reasonUpstreamTimeout {
		h.log.Warn("upstream error", zap.String("event", "upstream_error"),
			zap.String("credential", c.credentialName()), zap.Error(err))
	}
	writeError(w, pe)
}

func credentialProblem(ce *credentialError) *proxyError {
	if needsLogin(ce.err) {
		return newError(reasonNeedsLogin,
			"credential %q needs a new login: run `notion-auth-proxy login %s`", ce.credential, ce.credential)
	}
	return newError(reasonUnavailable,
		"credential %q is not available (%s); the proxy's log says why", ce.credential, ce.state)
}

// clientBody is a request body as the client sends it. A read error that
// is the client's (malformed chunked framing, a body cut short) comes back
// as a *clientBodyError, so it is answered 400, not blamed on Notion.
type clientBody struct {
	io.ReadCloser
}

func (b *clientBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	var tooBig *http.MaxBytesError
	if err != nil && err != io.EOF && !errors.As(err, &tooBig) {
		err = &clientBodyError{err: err}
	}
	return n, err
}

// clientBodyError is a failure reading the client's request body.
type clientBodyError struct{ err error }

func (e *clientBodyError) Error() string { return "read request body: " + e.err.Error() }
func (e *clientBodyError) Unwrap() error { return e.err }
