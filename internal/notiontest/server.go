// Package notiontest is a fake Notion API for tests, benchmarks and demos.
//
// A Server is a real HTTP server on the loopback interface that models a
// Notion workspace: a tree of pages, databases, data sources, blocks and
// comments (see Add, SeedDemo), shared with tokens subtree by subtree as
// Notion shares them with integrations, plus users, file uploads and async
// tasks. It answers every endpoint of Notion's REST API with Notion's status
// codes, bodies and headers: the central ones (pages, blocks, databases,
// data sources, search, comments, users, file uploads) from that model, the
// rest (agents, sessions, threads, views, custom emojis, meeting notes) with
// plausible Notion-shaped objects. Data source queries apply their filter
// and sorts for the common property types, and refuse what the fake does
// not implement instead of ignoring it (see query.go). It checks tokens,
// Notion-Version and capabilities like Notion, can enforce a per-token rate
// limit, records every request it receives and lets a test inject faults and
// delays. All methods
// of Server are safe for concurrent use, also while requests are being
// served.
//
// Besides Notion's own endpoints the fake serves two test-only endpoints under
// /v1/__fake/ (echo and download, see Server.Handler); they are not Notion.
package notiontest

import (
	"context"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"path"
	"sync"
	"sync/atomic"
	"time"
)

// Server is a fake Notion API. Create it with NewServer or NewTLSServer and
// stop it with Close. It is safe for concurrent use.
type Server struct {
	ts      *httptest.Server // nil for New
	cancel  context.CancelFunc
	handler http.Handler
	mux     *http.ServeMux
	invalid http.Handler

	mu       sync.Mutex
	grants   map[string]*grant // by token
	records  []*record
	fault    func(http.ResponseWriter, *http.Request) bool
	failNext failure
	delay    time.Duration
	limits   rateLimits
	oauth    oauthState
	ws       workspace
}

// NewServer returns a started fake speaking HTTP/1.1 on 127.0.0.1.
func NewServer() *Server { return start(false) }

// NewTLSServer returns a started fake speaking TLS on 127.0.0.1 with HTTP/2
// enabled. Client returns a client that trusts its certificate.
func NewTLSServer() *Server { return start(true) }

// New returns a fake that is not listening: serve its Handler on a listener
// of your own (as the fakenotion command does). URL and Client are then
// empty and Close does nothing; delayed requests end with their client.
func New() *Server {
	s := newServer()
	s.cancel = func() {}
	return s
}

func start(useTLS bool) *Server {
	s := newServer()
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	ts := httptest.NewUnstartedServer(s.handler)
	// Request contexts derive from ctx so Close ends delays and downloads
	// instead of waiting for them.
	ts.Config.BaseContext = func(net.Listener) context.Context { return ctx }
	ts.Config.ErrorLog = log.New(io.Discard, "", 0)
	if useTLS {
		ts.EnableHTTP2 = true
		ts.StartTLS()
	} else {
		ts.Start()
	}
	s.ts = ts
	return s
}

func newServer() *Server {
	s := &Server{grants: make(map[string]*grant)}
	s.ws.origin = DefaultPublicOrigin
	s.invalid = s.api(invalidURL)
	s.mux = s.routes()
	s.handler = http.HandlerFunc(s.serve)
	return s
}

// URL returns the base URL of the server, like "http://127.0.0.1:41234",
// without a trailing slash; empty for a server made by New.
func (s *Server) URL() string {
	if s.ts == nil {
		return ""
	}
	return s.ts.URL
}

// Client returns an HTTP client configured for the server; for a TLS server it
// trusts the server's certificate and speaks HTTP/2. For a server made by New
// it is http.DefaultClient.
func (s *Server) Client() *http.Client {
	if s.ts == nil {
		return http.DefaultClient
	}
	return s.ts.Client()
}

// Close cancels requests in flight (delays and downloads end at once), shuts
// the server down and waits for its handlers to return.
func (s *Server) Close() {
	s.cancel()
	if s.ts != nil {
		s.ts.Close()
	}
}

// Handler returns the fake's HTTP handler, for serving the same state on
// another listener (see the fakenotion command). Besides Notion's endpoints it
// serves two test-only endpoints that are not Notion, both requiring auth and
// Notion-Version like everything else:
//
//   - /v1/__fake/echo (any method) answers JSON describing the request as it
//     arrived: method, path, raw_query, host, proto, headers (canonical key to
//     values), content_length and body_bytes (bytes of body received).
//   - GET /v1/__fake/download?bytes=N&chunk=M streams N bytes in chunks of M
//     bytes (default 32 KiB), flushing after each chunk. Byte i of the body is
//     'a'+i%26. There is no Content-Length unless length=1 is given.
func (s *Server) Handler() http.Handler { return s.handler }

// serve is the outermost handler: it records the request, assigns its request
// id, applies delay and faults, then routes it.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body := &countingBody{rc: r.Body}
	r.Body = body
	rw := &responseWriter{ResponseWriter: w, body: body}
	rid := newUUID()
	rw.status = s.record(r, body, rid)
	rw.Header().Set(RequestIDHeader, rid)

	if !s.pause(r.Context()) {
		// The client or the server went away: end the exchange without
		// pretending to answer.
		panic(http.ErrAbortHandler)
	}
	if s.injectFault(rw, r) {
		return
	}
	// ServeMux would redirect unclean paths; Notion does not.
	if r.URL.Path == "" || path.Clean(r.URL.Path) != r.URL.Path {
		s.invalid.ServeHTTP(rw, r)
		return
	}
	s.mux.ServeHTTP(rw, r)
}

// responseWriter reads the rest of the request body before the response
// starts, so a recorded BodyBytes is final by the time a client sees headers.
type responseWriter struct {
	http.ResponseWriter
	body    *countingBody
	status  *atomic.Int32 // the recorded status
	drained bool
}

func (rw *responseWriter) drain() {
	if !rw.drained {
		rw.drained = true
		_, _ = io.Copy(io.Discard, rw.body)
	}
}

// WriteHeader drains the request body, then sends the status line.
func (rw *responseWriter) WriteHeader(code int) {
	rw.drain()
	rw.status.CompareAndSwap(0, int32(code))
	rw.ResponseWriter.WriteHeader(code)
}

// Write drains the request body, then writes b.
func (rw *responseWriter) Write(b []byte) (int, error) {
	rw.drain()
	rw.status.CompareAndSwap(0, http.StatusOK)
	return rw.ResponseWriter.Write(b)
}

// Flush drains the request body, then flushes the response.
func (rw *responseWriter) Flush() {
	rw.drain()
	_ = http.NewResponseController(rw.ResponseWriter).Flush()
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (rw *responseWriter) Unwrap() http.ResponseWriter { return rw.ResponseWriter }
