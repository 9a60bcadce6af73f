package proxy

import (
	"context"
	"net/http"
	"sync"
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

// A Pacer books turns for named budgets, one per credential, and holds the
// pauses Notion asks for. The proxy's own is in-process; a shared one (see
// Options.Pacer) keeps one budget across replicas. Implementations must be
// safe for concurrent use.
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

// localPacer is the in-process Pacer: a token bucket per key. Limits are
// taken from each call, so a reload changes them without refilling a
// bucket, and a reload that is refused changes nothing.
type localPacer struct {
	now func() time.Time

	mu      sync.Mutex
	buckets map[string]*localBucket
}

type localBucket struct {
	limiter *rate.Limiter // nil until the key is first paced
	paused  time.Time     // until when Notion asked us to wait
}

var _ Pacer = (*localPacer)(nil)

func newLocalPacer(now func() time.Time) *localPacer {
	return &localPacer{now: now, buckets: make(map[string]*localBucket)}
}

func (p *localPacer) Take(_ context.Context, key string, perSecond float64, burst int, maxWait time.Duration) (time.Duration, func(), bool) {
	now := p.now()
	p.mu.Lock()
	defer p.mu.Unlock()
	b := p.buckets[key]
	if b == nil {
		b = &localBucket{}
		p.buckets[key] = b
	}
	paused := max(b.paused.Sub(now), 0)
	if perSecond <= 0 {
		return paused, func() {}, paused <= maxWait
	}
	limit, burst := rate.Limit(perSecond), max(burst, 1)
	switch {
	case b.limiter == nil:
		b.limiter = rate.NewLimiter(limit, burst)
	case b.limiter.Limit() != limit || b.limiter.Burst() != burst:
		b.limiter.SetLimitAt(now, limit)
		b.limiter.SetBurstAt(now, burst)
	}
	// The turn is reserved for when the pause ends, so requests queued
	// behind a pause keep their order and their spacing.
	at := now.Add(paused)
	r := b.limiter.ReserveN(at, 1)
	wait := paused + r.DelayFrom(at)
	if !r.OK() || wait > maxWait {
		r.CancelAt(now)
		return wait, func() {}, false
	}
	return wait, func() { r.CancelAt(p.now()) }, true
}

func (p *localPacer) Pause(_ context.Context, key string, d time.Duration) {
	until := p.now().Add(d)
	p.mu.Lock()
	defer p.mu.Unlock()
	b := p.buckets[key]
	if b == nil {
		b = &localBucket{}
		p.buckets[key] = b
	}
	if until.After(b.paused) {
		b.paused = until
	}
}

// pacingTransport waits for the credential's turn before each upstream
// attempt, replays and retries included: for a pause the upstream asked
// for (see retryTransport) and for the credential's budget.
type pacingTransport struct {
	next    http.RoundTripper
	pacer   Pacer
	metrics *metrics
	now     func() time.Time
}

var _ http.RoundTripper = (*pacingTransport)(nil)

func (t *pacingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
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
	if rl.RequestsPerSecond > 0 {
		t.metrics.rateWait.WithLabelValues(c.cred.name).Observe(wait.Seconds())
	}
	start := t.now()
	resp, err := t.next.RoundTrip(req)
	c.out.upstream += t.now().Sub(start)
	return resp, err
}
