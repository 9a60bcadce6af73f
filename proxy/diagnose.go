package proxy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.uber.org/zap"
)

const (
	headerCredential = "X-Notion-Proxy-Credential"
	headerDiagnosis  = "X-Notion-Proxy-Diagnosis"
	headerRequestID  = "X-Notion-Request-Id"
	// errorPeekBytes bounds how much of an upstream error body is read to
	// diagnose it. Notion's error bodies are a few hundred bytes.
	errorPeekBytes = 16 << 10
)

// notFoundMessage matches Notion's object_not_found message, e.g. "Could not
// find page with ID: 1f2e.... Make sure the relevant pages ...".
var notFoundMessage = regexp.MustCompile(`Could not find (\w+) with ID: ([0-9a-fA-F-]{32,36})`)

// modifyResponse is the ReverseProxy's ModifyResponse hook: it names the
// credential used, diagnoses not-shared and missing-capability errors and
// points URLs in file-upload and task answers back through the proxy.
func (h *Handler) modifyResponse(resp *http.Response) error {
	c := callFrom(resp.Request.Context())
	c.out.upstreamStatus = resp.StatusCode
	c.out.requestID = resp.Header.Get(headerRequestID)
	resp.Header.Set(headerCredential, c.cred.name)
	resp.Header.Set("Server-Timing", serverTiming(c.out.pacing, c.out.upstream))
	switch resp.StatusCode {
	case http.StatusNotFound, http.StatusForbidden:
		body := peekError(resp)
		if c.out.requestID == "" {
			c.out.requestID = body.RequestID
		}
		var hint string
		switch body.Code {
		case "object_not_found":
			hint = h.diagnoseNotShared(resp, c, body)
		case "restricted_resource":
			hint = fmt.Sprintf("integration %q lacks a capability for %s %s: enable it in the integration's settings (Capabilities)", c.cred.name, resp.Request.Method, c.path)
			h.log.Warn("the integration lacks a capability this request needs",
				zap.String("event", "capability_missing"),
				zap.String("credential", c.cred.name),
				zap.String("method", resp.Request.Method),
				zap.String("path", c.path),
				zap.String("notion_request_id", c.out.requestID),
				zap.String("hint", hint))
		}
		if hint != "" && c.snap.annotate && body.whole != nil {
			annotate(resp, body.whole, hint)
		}
	default:
		if c.tunnel == nil && carriesURLs(c.path) {
			rewriteURLs(resp, c)
		}
	}
	if c.key != nil && c.key.policy != nil {
		return h.filterResponse(resp, c)
	}
	return nil
}

// upstreamError is the part of Notion's error body the proxy reads.
type upstreamError struct {
	Code      string `json:"code"`
	Message   string `json:"message"`
	RequestID string `json:"request_id"`
	whole     []byte // the whole body, when it fit in errorPeekBytes
}

// peekError reads a bounded prefix of an error body and puts it back, so the
// client still receives the body unchanged.
func peekError(resp *http.Response) upstreamError {
	var e upstreamError
	if !strings.Contains(resp.Header.Get("Content-Type"), "json") {
		return e
	}
	head, err := io.ReadAll(io.LimitReader(resp.Body, errorPeekBytes))
	if err == nil && len(head) < errorPeekBytes {
		resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(head))
		e.whole = head
	} else {
		resp.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(head), resp.Body), resp.Body}
	}
	if err == nil {
		_ = json.Unmarshal(head, &e)
	}
	return e
}

// diagnoseNotShared explains an object_not_found answer: Notion says "not
// found" when a page or database exists but was not shared with the
// integration.
func (h *Handler) diagnoseNotShared(resp *http.Response, c *call, body upstreamError) string {
	objectType, objectID := notSharedObject(body.Message, c.path)
	hint := fmt.Sprintf("%s %s is not shared with integration %q: open it in Notion, ••• > Connections > add the integration",
		objectType, objectID, c.cred.name)
	// Header values stay ASCII so every HTTP client reads them intact.
	resp.Header.Set(headerDiagnosis, strings.ReplaceAll(hint, "•••", "..."))
	h.notShared.record(c.cred.name, objectType, objectID, resp.Request.Method, c.path, h.now())
	h.metrics.notShared.WithLabelValues(c.cred.name).Inc()
	h.log.Warn("object not shared with the integration",
		zap.String("event", "not_shared"),
		zap.String("credential", c.cred.name),
		zap.String("workspace", c.workspace),
		zap.String("method", resp.Request.Method),
		zap.String("path", c.path),
		zap.String("object_id", objectID),
		zap.String("object_type", objectType),
		zap.String("notion_request_id", c.out.requestID),
		zap.String("hint", hint))
	return hint
}

// pathTypes maps a path segment to the object type it holds.
var pathTypes = map[string]string{
	"pages": "page", "databases": "database", "blocks": "block", "data_sources": "data_source",
	"comments": "block", "users": "user",
}

// notSharedObject names the missing object from Notion's message, or failing
// that from the request path. Ids come out dashed and lower case.
func notSharedObject(message, path string) (objectType, objectID string) {
	if m := notFoundMessage.FindStringSubmatch(message); m != nil {
		if id, ok := normalizeID(m[2]); ok {
			return m[1], id
		}
	}
	segs := strings.Split(strings.Trim(path, "/"), "/")
	for i := 1; i+1 < len(segs); i++ {
		if id, ok := normalizeID(segs[i+1]); ok {
			if t, known := pathTypes[segs[i]]; known {
				return t, id
			}
			return "object", id
		}
	}
	return "object", "unknown"
}

// serverTiming is the Server-Timing value of a proxied answer: how long
// it waited for its credential's turn and how long the upstream took to
// answer, in milliseconds.
func serverTiming(pacing, upstream time.Duration) string {
	b := make([]byte, 0, 48)
	b = append(b, "pacing;dur="...)
	b = strconv.AppendFloat(b, float64(pacing)/float64(time.Millisecond), 'f', 1, 64)
	b = append(b, ", upstream;dur="...)
	b = strconv.AppendFloat(b, float64(upstream)/float64(time.Millisecond), 'f', 1, 64)
	return string(b)
}
