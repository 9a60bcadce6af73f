package notiontest

import (
	"io"
	"net/http"
	"sync/atomic"
)

// maxRecorded is how many recent requests the fake keeps, so that long
// benchmarks do not grow without bound.
const maxRecorded = 1 << 16

// Request is a request as the fake received it.
type Request struct {
	Method   string
	Path     string // r.URL.Path
	RawQuery string
	Proto    string // "HTTP/1.1", "HTTP/2.0"
	// Header is a copy of the request headers (canonical keys). Host is not
	// among them, as in net/http.
	Header http.Header
	// BodyBytes is the number of body bytes read. The fake reads every body
	// fully before its response starts, so once a client has the response
	// headers it is the full body size.
	BodyBytes int64
	// Token is the bearer token presented, valid or not; empty when the
	// request had no (single) "Authorization: Bearer" header.
	Token string
	// RequestID is the x-notion-request-id the fake answered with, also
	// the request_id of its JSON body.
	RequestID string
	// Status is the status code answered; 0 while the response has not
	// started or when the request was aborted without one.
	Status int
}

// record is a request being or having been received.
type record struct {
	req    Request
	body   *countingBody
	status atomic.Int32
}

// countingBody counts the bytes read from a request body.
type countingBody struct {
	rc io.ReadCloser
	n  atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	b.n.Add(int64(n))
	return n, err
}

func (b *countingBody) Close() error { return b.rc.Close() }

// record appends r, answered with request id rid, to the recorded
// requests; body counts its bytes. It returns where to record the status.
func (s *Server) record(r *http.Request, body *countingBody, rid string) *atomic.Int32 {
	rec := &record{
		req: Request{
			Method:    r.Method,
			Path:      r.URL.Path,
			RawQuery:  r.URL.RawQuery,
			Proto:     r.Proto,
			Header:    r.Header.Clone(),
			Token:     bearerToken(r),
			RequestID: rid,
		},
		body: body,
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.records) >= 2*maxRecorded {
		// Trim in bulk so appending stays amortised O(1).
		n := copy(s.records, s.records[len(s.records)-maxRecorded:])
		clear(s.records[n:])
		s.records = s.records[:n]
	}
	s.records = append(s.records, rec)
	return &rec.status
}

// snapshot returns a copy of rec safe to hand out.
func (rec *record) snapshot() Request {
	req := rec.req
	req.Header = req.Header.Clone()
	req.BodyBytes = rec.body.n.Load()
	req.Status = int(rec.status.Load())
	return req
}

// Requests returns copies of the recorded requests (at most the most recent
// 65536), oldest first. Every request is recorded when it arrives, also those
// rejected by auth, version checks or faults.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	recs := s.records[max(0, len(s.records)-maxRecorded):]
	out := make([]Request, len(recs))
	for i, rec := range recs {
		out[i] = rec.snapshot()
	}
	return out
}

// LastRequest returns a copy of the most recently received request, or false
// when none was recorded.
func (s *Server) LastRequest() (Request, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.records) == 0 {
		return Request{}, false
	}
	return s.records[len(s.records)-1].snapshot(), true
}

// Reset forgets the recorded requests and clears every fault: the SetFault
// hook, pending FailNext errors and the SetDelay delay. Tokens, shares,
// restrictions, the workspace and the rate limit stay.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.records = nil
	s.fault = nil
	s.failNext = failure{}
	s.delay = 0
}
