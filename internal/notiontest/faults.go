package notiontest

import (
	"context"
	"net/http"
	"time"
)

// Every request passes through the fault knobs in this order, after it is
// recorded and given its request id and before auth: the SetDelay delay, the
// SetFault hook, then pending FailNext errors.

// failure is a pending FailNext error.
type failure struct {
	remaining int
	status    int
	code      string
	message   string
}

// SetFault installs f, called for every request after any SetDelay delay and
// before normal handling (auth included); when f returns true it has answered
// the request and the fake does nothing more. The request body is read fully
// before f's response starts. The response header already carries RequestIDHeader, so f can
// answer with WriteError. f runs without the fake's lock held and may call the
// Server's methods; it must be safe for concurrent use. A nil f removes the
// hook.
func (s *Server) SetFault(f func(w http.ResponseWriter, r *http.Request) bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fault = f
}

// FailNext makes the next n requests, whatever they are, fail with a Notion
// error of the given status, code and message. It replaces earlier FailNext
// errors still pending; n <= 0 cancels them. No Retry-After is sent; use
// SetFault for that.
func (s *Server) FailNext(n int, status int, code, message string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failNext = failure{remaining: max(n, 0), status: status, code: code, message: message}
}

// SetDelay delays every later request by d before anything is answered. A
// request whose context ends during the delay (its client went away, or the
// server closed) is aborted without a response. Zero removes the delay.
func (s *Server) SetDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}

// pause waits for the configured delay; it returns false when ctx ended first.
func (s *Server) pause(ctx context.Context) bool {
	s.mu.Lock()
	d := s.delay
	s.mu.Unlock()
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// injectFault runs the fault hook and pending FailNext errors; it reports
// whether one of them answered the request.
func (s *Server) injectFault(w http.ResponseWriter, r *http.Request) bool {
	s.mu.Lock()
	f := s.fault
	s.mu.Unlock()
	if f != nil && f(w, r) {
		return true
	}

	s.mu.Lock()
	fail := s.failNext
	if fail.remaining > 0 {
		s.failNext.remaining--
	}
	s.mu.Unlock()
	if fail.remaining > 0 {
		WriteError(w, fail.status, fail.code, fail.message)
		return true
	}
	return false
}
