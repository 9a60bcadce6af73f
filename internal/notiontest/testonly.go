package notiontest

import (
	"io"
	"net/http"
	"strconv"
)

// The endpoints in this file are not Notion: they exist so proxy tests can see
// exactly what reached the upstream and exercise streaming responses.

const (
	defaultChunk = 32 << 10
	maxChunk     = 16 << 20
)

// echo serves /v1/__fake/echo (any method): a JSON description of the request
// as it arrived.
func (s *Server) echo(c *call) {
	w, r := c.w, c.r
	n, err := io.Copy(io.Discard, r.Body)
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"method":         r.Method,
		"path":           r.URL.Path,
		"raw_query":      r.URL.RawQuery,
		"host":           r.Host,
		"proto":          r.Proto,
		"headers":        r.Header,
		"content_length": r.ContentLength,
		"body_bytes":     n,
		"request_id":     requestID(w),
	})
}

// download serves GET /v1/__fake/download?bytes=N&chunk=M[&length=1]: N
// bytes where byte i is 'a'+i%26, written and flushed M bytes at a time, with
// a Content-Length only when length=1.
func (s *Server) download(c *call) {
	w, r := c.w, c.r
	q := r.URL.Query()
	total, ok := queryInt(w, q.Get("bytes"), "bytes", 0, 0, 1<<62)
	if !ok {
		return
	}
	chunk, ok := queryInt(w, q.Get("chunk"), "chunk", defaultChunk, 1, maxChunk)
	if !ok {
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	if q.Get("length") == "1" {
		h.Set("Content-Length", strconv.FormatInt(total, 10))
	}
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	// Send the headers now: without a flush, net/http would add a
	// Content-Length to a small body.
	_ = rc.Flush()

	pattern := make([]byte, chunk+26)
	for i := range pattern {
		pattern[i] = 'a' + byte(i%26)
	}
	for sent := int64(0); sent < total; {
		n := min(chunk, total-sent)
		start := sent % 26
		if _, err := w.Write(pattern[start : start+n]); err != nil {
			panic(http.ErrAbortHandler)
		}
		_ = rc.Flush()
		if r.Context().Err() != nil {
			// Abort rather than end the body cleanly: a short body must
			// not look complete.
			panic(http.ErrAbortHandler)
		}
		sent += n
	}
}

// queryInt parses the query parameter name (raw value v) within [lo, hi],
// using def when it is absent; it writes Notion's validation error otherwise.
func queryInt(w http.ResponseWriter, v, name string, def, lo, hi int64) (int64, bool) {
	if v == "" {
		return def, true
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < lo || n > hi {
		WriteError(w, http.StatusBadRequest, codeValidation,
			"query failed validation: query."+name+" should be an integer between "+
				strconv.FormatInt(lo, 10)+" and "+strconv.FormatInt(hi, 10)+", instead was `"+strconv.Quote(v)+"`.")
		return 0, false
	}
	return n, true
}
