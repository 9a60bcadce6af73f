package proxy

import (
	"net/http"
	"strconv"
	"time"

	"go.uber.org/zap"
)

// recorder notes the status and size of the answer for the access log. It
// unwraps for http.ResponseController, so flushing reaches the connection.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 && code >= 200 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(p []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(p)
	r.bytes += int64(n)
	return n, err
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// finish writes the access log line and the request metrics.
func (h *Handler) finish(rec *recorder, r *http.Request, c *call) {
	status := rec.status
	switch {
	case c.out.status != 0:
		status = c.out.status
	case status == 0:
		status = http.StatusOK
	}
	path := r.URL.Path
	if r.Method == http.MethodConnect {
		path = r.Host // a CONNECT names a target, not a path
	}
	now := h.now()
	elapsed := now.Sub(c.start)
	cred, client := c.credentialName(), c.clientName()
	level := zap.DebugLevel // probes and scrapes would drown the log
	if !c.out.local {
		level = zap.InfoLevel
		if c.cred != nil {
			c.cred.state.metrics.requested(status, client)
			c.cred.state.metrics.duration.Observe(elapsed.Seconds())
			c.cred.state.traffic.request(now)
		} else {
			h.metrics.requests.WithLabelValues("", strconv.Itoa(status), client).Inc()
			h.metrics.duration.WithLabelValues("").Observe(elapsed.Seconds())
		}
		if c.key != nil {
			c.key.stats.requests.Add(1)
		}
	}
	if c.out.refused != "" && c.key != nil {
		c.key.stats.refusals.Add(1)
		h.metrics.denied.WithLabelValues(c.key.name, c.out.refused).Inc()
	}
	if !h.log.Core().Enabled(level) {
		return
	}
	fields := [...]zap.Field{
		zap.String("event", "request"),
		zap.String("method", r.Method),
		zap.String("path", path),
		zap.Int("status", status),
		zap.Float64("duration_ms", float64(elapsed)/float64(time.Millisecond)),
		zap.String("credential", cred),
		zap.String("workspace", c.workspace),
		zap.Int("upstream_status", c.out.upstreamStatus),
		zap.String("notion_request_id", c.out.requestID),
		zap.Int("retries", c.out.retries),
		zap.Int64("bytes", rec.bytes),
		zap.String("client", client),
	}
	n := len(fields)
	if c.snap.clientKeys == nil {
		n-- // the client field is there only when client keys are configured
	}
	h.log.Log(level, "request", fields[:n]...)
}
