package notiontest

import (
	"math"
	"net/http"
	"strconv"
	"time"

	"golang.org/x/time/rate"
)

// NotionRequestsPerSecond is the average request rate Notion allows an
// integration; bursts above it are allowed for a while.
const NotionRequestsPerSecond = 3

// rateLimits is the fake's rate limit; Server.mu guards it.
type rateLimits struct {
	perSecond float64 // 0: no limit
	burst     int
	byToken   map[string]*rate.Limiter
	limited   int // 429s sent
}

// SetRateLimit makes the fake limit each token to perSecond requests per
// second on average with bursts of up to burst requests, as Notion limits
// integrations (NotionRequestsPerSecond): an authenticated request beyond
// the limit gets 429 rate_limited with a Retry-After header, in whole
// seconds, and the same number in the body's additional_data.retry_after.
// Rejected requests do not use up the budget. perSecond <= 0 turns limiting
// off (the default). Each call starts every token with a full burst.
func (s *Server) SetRateLimit(perSecond float64, burst int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limits.perSecond = max(perSecond, 0)
	s.limits.burst = max(burst, 1)
	s.limits.byToken = nil
}

// RateLimited returns how many requests the fake has answered 429 because
// of SetRateLimit (not those of SetFault or FailNext).
func (s *Server) RateLimited() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.limits.limited
}

// admit takes one request from token's budget, or answers 429 and returns
// false when the budget is spent.
func (s *Server) admit(w http.ResponseWriter, token string) bool {
	now := time.Now()
	s.mu.Lock()
	l := &s.limits
	if l.perSecond <= 0 {
		s.mu.Unlock()
		return true
	}
	lim := l.byToken[token]
	if lim == nil {
		if l.byToken == nil {
			l.byToken = make(map[string]*rate.Limiter)
		}
		lim = rate.NewLimiter(rate.Limit(l.perSecond), l.burst)
		l.byToken[token] = lim
	}
	res := lim.ReserveN(now, 1)
	wait := res.DelayFrom(now)
	if wait == 0 {
		s.mu.Unlock()
		return true
	}
	res.CancelAt(now)
	l.limited++
	s.mu.Unlock()

	secs := int(math.Ceil(wait.Seconds()))
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	writeJSON(w, http.StatusTooManyRequests, map[string]any{
		"object":          "error",
		"status":          http.StatusTooManyRequests,
		"code":            codeRateLimited,
		"message":         msgRateLimited,
		"additional_data": map[string]any{"retry_after": secs},
		"request_id":      requestID(w),
	})
	return false
}
