package proxy

import (
	"net/http"
	"time"

	"golang.org/x/time/rate"
)

// RateLimit paces requests per credential with a token bucket.
type RateLimit struct {
	// RequestsPerSecond is the steady rate; 0 turns pacing off.
	RequestsPerSecond float64
	// Burst is how many requests may go at once before pacing starts.
	Burst int
	// MaxWait is the longest a request waits for its turn; a longer wait
	// is answered 429 rate_limit_wait_exceeded at once.
	MaxWait time.Duration
}

// newLimiter returns the limiter for rl, or nil when pacing is off. A
// limiter kept from the previous configuration takes the new limits, so a
// reload does not refill every bucket.
func newLimiter(rl RateLimit, prev *rate.Limiter) *rate.Limiter {
	if rl.RequestsPerSecond <= 0 {
		return nil
	}
	burst := max(rl.Burst, 1)
	if prev == nil {
		return rate.NewLimiter(rate.Limit(rl.RequestsPerSecond), burst)
	}
	now := time.Now()
	prev.SetLimitAt(now, rate.Limit(rl.RequestsPerSecond))
	prev.SetBurstAt(now, burst)
	return prev
}

// pacingTransport waits for the credential's turn before each upstream
// attempt, replays included.
type pacingTransport struct {
	next    http.RoundTripper
	metrics *metrics
}

var _ http.RoundTripper = (*pacingTransport)(nil)

func (t *pacingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ex := exchangeFrom(req.Context())
	lim := ex.cred.limiter
	if lim == nil {
		return t.next.RoundTrip(req)
	}
	now := time.Now()
	r := lim.ReserveN(now, 1)
	wait := r.DelayFrom(now)
	if !r.OK() || wait > ex.snap.rateLimit.MaxWait {
		r.CancelAt(now)
		return nil, &proxyError{
			reason:     reasonRateLimitWait,
			message:    "credential " + ex.cred.name + " is paced by rate_limit and this request would wait longer than max_wait",
			retryAfter: wait,
		}
	}
	if wait > 0 {
		timer := time.NewTimer(wait)
		defer timer.Stop()
		select {
		case <-timer.C:
		case <-req.Context().Done():
			r.Cancel() // give the turn back
			return nil, req.Context().Err()
		}
	}
	t.metrics.rateWait.WithLabelValues(ex.cred.name).Observe(wait.Seconds())
	return t.next.RoundTrip(req)
}
