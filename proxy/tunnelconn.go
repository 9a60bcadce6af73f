package proxy

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Tunnel timeouts, like the http.Server's (SPEC §8): a tunnel must finish
// its TLS handshake and send its first request header within
// tunnelHeaderTimeout, and is closed after tunnelIdleTimeout without a
// request.
const (
	tunnelHeaderTimeout = 10 * time.Second
	tunnelIdleTimeout   = 120 * time.Second
)

// hijackWriter hands goproxy a tunnelConn when it hijacks a CONNECT's
// connection: once hijacked, the http.Server's timeouts no longer apply.
type hijackWriter struct {
	http.ResponseWriter
	info *connectInfo
}

var _ http.Hijacker = (*hijackWriter)(nil)

func (w *hijackWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := w.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("proxy: connection cannot be hijacked")
	}
	conn, rw, err := hj.Hijack()
	if err != nil {
		return nil, nil, err
	}
	tc := &tunnelConn{Conn: conn}
	tc.expect(tunnelHeaderTimeout)
	w.info.conn = tc
	return tc, rw, nil
}

func (w *hijackWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// tunnelConn is a hijacked CONNECT connection with read deadlines: one for
// the TLS handshake and first request header, none while a request is
// served, and the idle timeout between requests. Its methods are safe for
// concurrent use.
type tunnelConn struct {
	net.Conn
	mu sync.Mutex
}

// expect sets the read deadline d from now.
func (c *tunnelConn) expect(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	_ = c.Conn.SetReadDeadline(time.Now().Add(d))
}

// busy lifts the deadline while a request is served: its body may stream
// for as long as it takes.
func (c *tunnelConn) busy() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	_ = c.Conn.SetReadDeadline(time.Time{})
}

// idle starts the wait for the tunnel's next request.
func (c *tunnelConn) idle() {
	if c != nil {
		c.expect(tunnelIdleTimeout)
	}
}

// consumedBody notes whether a request body was read to its end.
type consumedBody struct {
	io.ReadCloser
	eof atomic.Bool
}

func (b *consumedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF {
		b.eof.Store(true)
	}
	return n, err
}

// consumed reports whether the body was read to its end (or had none).
func (b *consumedBody) consumed() bool {
	return b.eof.Load() || b.ReadCloser == nil || b.ReadCloser == http.NoBody
}
