// Package notiontest is a fake Notion API for tests, benchmarks and demos.
//
// A Server is a real HTTP server on the loopback interface. It answers the
// endpoints the proxy cares about with Notion's status codes, error bodies and
// headers, keeps per-token state (bots, shared objects, missing capabilities),
// records every request it receives and lets a test inject faults and delays.
// All methods of Server are safe for concurrent use, also while requests are
// being served.
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
	"time"
)

// Server is a fake Notion API. Create it with NewServer or NewTLSServer and
// stop it with Close. It is safe for concurrent use.
type Server struct {
	ts      *httptest.Server
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
	oauth    oauthState
}

// NewServer returns a started fake speaking HTTP/1.1 on 127.0.0.1.
func NewServer() *Server { return start(false) }

// NewTLSServer returns a started fake speaking TLS on 127.0.0.1 with HTTP/2
// enabled. Client returns a client that trusts its certificate.
func NewTLSServer() *Server { return start(true) }

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
	s.invalid = s.api(invalidURL)
	s.mux = s.routes()
	s.handler = http.HandlerFunc(s.serve)
	return s
}

// URL returns the base URL of the server, like "http://127.0.0.1:41234",
// without a trailing slash.
func (s *Server) URL() string { return s.ts.URL }

// Client returns an HTTP client configured for the server; for a TLS server it
// trusts the server's certificate and speaks HTTP/2.
func (s *Server) Client() *http.Client { return s.ts.Client() }

// Close cancels requests in flight (delays and downloads end at once), shuts
// the server down and waits for its handlers to return.
func (s *Server) Close() {
	s.cancel()
	s.ts.Close()
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

func (s *Server) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("GET /v1/users/me", s.api(s.usersMe))
	mux.Handle("POST /v1/pages", s.api(s.createPage))
	mux.Handle("GET /v1/pages/{id}", s.api(s.getObject(typePage)))
	mux.Handle("PATCH /v1/pages/{id}", s.api(s.updateObject(typePage)))
	mux.Handle("GET /v1/databases/{id}", s.api(s.getObject(typeDatabase)))
	mux.Handle("POST /v1/databases/{id}/query", s.api(s.queryObject(typeDatabase, "page_or_database")))
	mux.Handle("GET /v1/data_sources/{id}", s.api(s.getObject(typeDataSource)))
	mux.Handle("POST /v1/data_sources/{id}/query", s.api(s.queryObject(typeDataSource, "page_or_data_source")))
	mux.Handle("GET /v1/blocks/{id}", s.api(s.getObject(typeBlock)))
	mux.Handle("GET /v1/blocks/{id}/children", s.api(s.queryObject(typeBlock, "block")))
	mux.Handle("PATCH /v1/blocks/{id}/children", s.api(s.queryObject(typeBlock, "block")))
	mux.Handle("POST /v1/search", s.api(s.search))
	mux.Handle("POST /v1/file_uploads/{id}/send", s.api(s.sendFileUpload))
	mux.Handle("/v1/__fake/echo", s.api(s.echo))
	mux.Handle("GET /v1/__fake/download", s.api(s.download))
	mux.Handle("GET /v1/oauth/authorize", http.HandlerFunc(s.oauthAuthorize))
	mux.Handle("POST /v1/oauth/token", http.HandlerFunc(s.oauthToken))
	mux.Handle("/", s.invalid)
	return s.withTokenExpiry(mux)
}

// serve is the outermost handler: it records the request, assigns its request
// id, applies delay and faults, then routes it.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body := &countingBody{rc: r.Body}
	r.Body = body
	rw := &responseWriter{ResponseWriter: w, body: body}
	s.record(r, body)
	rw.Header().Set(RequestIDHeader, newUUID())

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

// apiHandler handles an authenticated request made with token.
type apiHandler func(w http.ResponseWriter, r *http.Request, token string)

// api wraps h with the checks every Notion endpoint makes, in Notion's order:
// the bearer token, then the Notion-Version header, then the capability.
func (s *Server) api(h apiHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := s.authenticate(r)
		if !ok {
			WriteError(w, http.StatusUnauthorized, codeUnauthorized, msgUnauthorized)
			return
		}
		if r.Header.Get("Notion-Version") == "" {
			WriteError(w, http.StatusBadRequest, codeMissingVersion, msgMissingVersion)
			return
		}
		if s.restricted(token, r) {
			WriteError(w, http.StatusForbidden, codeRestricted, msgRestricted)
			return
		}
		h(w, r, token)
	})
}

func invalidURL(w http.ResponseWriter, _ *http.Request, _ string) {
	WriteError(w, http.StatusBadRequest, codeInvalidURL, msgInvalidURL)
}

// responseWriter reads the rest of the request body before the response
// starts, so a recorded BodyBytes is final by the time a client sees headers.
type responseWriter struct {
	http.ResponseWriter
	body    *countingBody
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
	rw.ResponseWriter.WriteHeader(code)
}

// Write drains the request body, then writes b.
func (rw *responseWriter) Write(b []byte) (int, error) {
	rw.drain()
	return rw.ResponseWriter.Write(b)
}

// Flush drains the request body, then flushes the response.
func (rw *responseWriter) Flush() {
	rw.drain()
	_ = http.NewResponseController(rw.ResponseWriter).Flush()
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (rw *responseWriter) Unwrap() http.ResponseWriter { return rw.ResponseWriter }
