package proxy

import (
	"errors"
	"io"
	"net/http"
	"strconv"

	"go.uber.org/zap"
)

// errAborted ends a tunnelled response whose handler stopped midway, so
// that goproxy breaks the connection instead of ending the body cleanly.
var errAborted = errors.New("proxy: response aborted")

// serveResponse runs ServeHTTP for req and returns its answer as an
// *http.Response, the form goproxy writes back into a tunnel. It returns as
// soon as the status and headers are written; the body streams from the
// handler through a pipe, so neither body is ever held whole. Closing the
// response body makes the handler's further writes fail, which ends it.
func (h *Handler) serveResponse(req *http.Request) *http.Response {
	pr, pw := io.Pipe()
	w := &pipeWriter{header: make(http.Header), body: pw, ready: make(chan struct{})}
	go h.serveInto(w, req)
	<-w.ready
	return &http.Response{
		Status:        strconv.Itoa(w.status) + " " + http.StatusText(w.status),
		StatusCode:    w.status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        w.sent,
		Body:          pr,
		ContentLength: contentLength(w.sent),
		Request:       req,
	}
}

// serveInto runs the handler and ends the body. Like http.Server it
// recovers a panic: http.ErrAbortHandler, which ReverseProxy raises when a
// body copy fails, quietly; anything else is logged.
func (h *Handler) serveInto(w *pipeWriter, req *http.Request) {
	defer func() {
		v := recover()
		if v != nil && v != http.ErrAbortHandler {
			h.log.Error("panic serving a tunnelled request", zap.String("event", "panic"),
				zap.String("method", req.Method), zap.String("path", req.URL.Path), zap.Any("panic", v), zap.Stack("stack"))
		}
		w.finish(v != nil)
	}()
	h.ServeHTTP(w, req)
}

// contentLength is the declared body length, or -1 for unknown.
func contentLength(h http.Header) int64 {
	n, err := strconv.ParseInt(h.Get("Content-Length"), 10, 64)
	if err != nil || n < 0 {
		return -1
	}
	return n
}

// pipeWriter is the http.ResponseWriter a tunnelled request is served
// into. The status and a copy of the headers are taken at WriteHeader and
// ready is closed; the body goes into the pipe. It is used by the one
// handler goroutine, and read by serveResponse only after ready.
type pipeWriter struct {
	header      http.Header
	sent        http.Header
	status      int
	wroteHeader bool
	body        *io.PipeWriter
	ready       chan struct{}
}

var (
	_ http.ResponseWriter = (*pipeWriter)(nil)
	_ http.Flusher        = (*pipeWriter)(nil)
)

func (w *pipeWriter) Header() http.Header { return w.header }

// WriteHeader takes the status. Informational (1xx) answers are not
// relayed: the tunnel's reader expects one final response.
func (w *pipeWriter) WriteHeader(code int) {
	if w.wroteHeader || code < http.StatusOK {
		return
	}
	w.wroteHeader, w.status, w.sent = true, code, w.header.Clone()
	close(w.ready)
}

// Write sends p to the response body; it blocks until goproxy has taken it.
func (w *pipeWriter) Write(p []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	return w.body.Write(p)
}

// Flush does nothing: every Write already reached the reader.
func (w *pipeWriter) Flush() {}

// finish ends the response once the handler returned. An aborted handler
// that sent no status yet answers 502; one that had started the body
// breaks it off.
func (w *pipeWriter) finish(aborted bool) {
	if !w.wroteHeader {
		if aborted {
			writeError(w, newError(reasonUpstreamUnreachable, "the Notion API could not be reached or answered badly"))
		} else {
			w.WriteHeader(http.StatusOK)
		}
	}
	if aborted {
		w.body.CloseWithError(errAborted)
		return
	}
	w.body.Close()
}
