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
// attempt, replays and retries included: first for a pause the upstream
// asked for (see retryTransport), then for the credential's token bucket.
type pacingTransport struct {
	next    http.RoundTripper
	metrics *metrics
}

var _ http.RoundTripper = (*pacingTransport)(nil)

func (t *pacingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ex := exchangeFrom(req.Context())
	cred, maxWait := ex.cred, ex.snap.rateLimit.MaxWait
	now := time.Now()
	paused := cred.pausedFor(now)
	if cred.limiter == nil && paused == 0 {
		return t.next.RoundTrip(req)
	}
	var r *rate.Reservation
	wait := paused
	if cred.limiter != nil {
		// The turn is reserved for when the pause ends, so requests
		// queued behind a pause keep their order and their spacing.
		r = cred.limiter.ReserveN(now.Add(paused), 1)
		wait += r.DelayFrom(now.Add(paused))
	}
	if (r != nil && !r.OK()) || wait > maxWait {
		if r != nil {
			r.CancelAt(now)
		}
		return nil, &proxyError{
			reason:     reasonRateLimitWait,
			message:    "credential " + cred.name + " is paced (rate_limit, or a pause Notion asked for) and this request would wait longer than max_wait",
			retryAfter: wait,
		}
	}
	if err := sleep(req, wait); err != nil {
		if r != nil {
			r.Cancel() // give the turn back
		}
		return nil, err
	}
	if cred.limiter != nil {
		t.metrics.rateWait.WithLabelValues(cred.name).Observe(wait.Seconds())
	}
	return t.next.RoundTrip(req)
}
