package proxy

import (
	"context"
	"net/http"
	"time"
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

// A Pacer books turns for named budgets, one per credential, and holds the
// pauses Notion asks for: in process, or shared by every replica through
// Redis (package ratelimit has both). Implementations must be safe for
// concurrent use.
type Pacer interface {
	// Take books one turn for key, at rate turns per second with burst,
	// and returns how long the caller must wait before using it, counting
	// any pause set for key. When that wait would be longer than maxWait,
	// nothing is booked, ok is false and wait says how long it would have
	// been. cancel gives a booked turn back (the client left while
	// waiting); it is never nil. rate <= 0 means no pacing: only pauses
	// apply.
	Take(ctx context.Context, key string, rate float64, burst int, maxWait time.Duration) (wait time.Duration, cancel func(), ok bool)
	// Pause holds key's turns for d from now, as Notion asked with a 429
	// or 529 Retry-After. A shorter pause never cuts a longer one short.
	Pause(ctx context.Context, key string, d time.Duration)
}

// pacingTransport waits for the credential's turn before each upstream
// attempt, replays and retries included: for a pause the upstream asked
// for (see retryTransport) and for the credential's budget.
type pacingTransport struct {
	next  http.RoundTripper
	pacer Pacer
	now   func() time.Time
}

var _ http.RoundTripper = (*pacingTransport)(nil)

func (t *pacingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.pacer == nil {
		return t.timed(req)
	}
	c := callFrom(req.Context())
	rl := c.snap.rateLimit
	wait, cancel, ok := t.pacer.Take(req.Context(), c.cred.name, rl.RequestsPerSecond, rl.Burst, rl.MaxWait)
	if !ok {
		return nil, &proxyError{
			reason:     reasonRateLimitWait,
			message:    "credential " + c.cred.name + " is paced (rate_limit, or a pause Notion asked for) and this request would wait longer than max_wait",
			retryAfter: wait,
		}
	}
	if err := sleep(req, wait); err != nil {
		cancel() // give the turn back
		return nil, err
	}
	c.out.paced(wait)
	if wait > 0 {
		c.cred.state.traffic.paced(t.now(), wait)
	}
	if rl.RequestsPerSecond > 0 {
		c.cred.state.metrics.rateWait.Observe(wait.Seconds())
	}
	return t.timed(req)
}

// timed sends req on and adds the time to its response headers to the
// request's upstream time, for Server-Timing.
func (t *pacingTransport) timed(req *http.Request) (*http.Response, error) {
	start := t.now()
	resp, err := t.next.RoundTrip(req)
	callFrom(req.Context()).out.upstream += t.now().Sub(start)
	return resp, err
}
