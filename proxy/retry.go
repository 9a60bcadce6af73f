package proxy

import (
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"

	"go.uber.org/zap"
)

// Retry bounds the retries of requests Notion rejected without processing
// them.
type Retry struct {
	// MaxAttempts is how many times a request is sent upstream in all; 1
	// turns retries off.
	MaxAttempts int
	// MaxRetryAfter caps the upstream's Retry-After, and the backoff
	// between retries of 502/503/504 answers.
	MaxRetryAfter time.Duration
}

// statusOverloaded is the 529 Notion sends when it sheds load.
const statusOverloaded = 529

// firstBackoff is the wait before the first retry when the upstream gives
// no Retry-After; it doubles with each attempt, up to MaxRetryAfter.
const firstBackoff = 250 * time.Millisecond

// retryReason names why an answer may be retried, or returns "" when it
// must be passed on. 429 and 529 mean Notion did not process the request,
// so any method may be sent again; a 502, 503 or 504 may come from a
// request that was processed, so only GET is.
func retryReason(method string, status int) string {
	switch status {
	case http.StatusTooManyRequests:
		return "rate_limited"
	case statusOverloaded:
		return "overloaded"
	}
	if method != http.MethodGet {
		return ""
	}
	switch status {
	case http.StatusBadGateway:
		return "bad_gateway"
	case http.StatusServiceUnavailable:
		return "service_unavailable"
	case http.StatusGatewayTimeout:
		return "gateway_timeout"
	}
	return ""
}

// retryTransport sends a request again when Notion answers that it did not
// process it. A 429 or 529 pauses the credential's pacing for the
// upstream's Retry-After, so the credential's other requests wait too. Only
// requests whose body was kept (GetBody set, see replayable) are retried;
// after the last attempt the upstream's answer is passed on.
type retryTransport struct {
	next    http.RoundTripper
	pacer   Pacer
	log     *zap.Logger
	metrics *metrics
	now     func() time.Time
}

var _ http.RoundTripper = (*retryTransport)(nil)

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	c := callFrom(req.Context())
	policy := c.snap.retry
	for attempt := 1; ; attempt++ {
		resp, err := t.next.RoundTrip(req)
		if err != nil {
			return nil, err
		}
		reason := retryReason(req.Method, resp.StatusCode)
		if reason == "" {
			return resp, nil
		}
		delay := retryDelay(retryAfter(resp), attempt, policy.MaxRetryAfter, t.now())
		if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == statusOverloaded {
			// Notion asked this credential to wait, retried or not.
			if t.pacer != nil {
				t.pacer.Pause(req.Context(), c.cred.name, delay)
			}
			c.cred.state.traffic.rateLimited(t.now(), t.pacer != nil)
		}
		if attempt >= policy.MaxAttempts || req.GetBody == nil {
			return resp, nil
		}
		next := req.Clone(req.Context())
		if next.Body, err = req.GetBody(); err != nil {
			return resp, nil // pass on the answer we have
		}
		drain(resp)
		t.record(c, reason, resp.StatusCode, attempt, delay)
		if err := sleep(req, delay); err != nil {
			return nil, err
		}
		req = next
	}
}

// record counts and logs one retry.
func (t *retryTransport) record(c *call, reason string, status, attempt int, delay time.Duration) {
	c.out.retried()
	t.metrics.retries.WithLabelValues(c.cred.name, reason).Inc()
	event, msg := "upstream_retry", "Notion answered with a temporary error; retrying"
	if reason == "rate_limited" || reason == "overloaded" {
		event, msg = "rate_limited", "Notion is rate limiting the credential; pausing it and retrying"
	}
	t.log.Warn(msg,
		zap.String("event", event),
		zap.String("credential", c.cred.name),
		zap.Int("upstream_status", status),
		zap.Float64("retry_after_s", delay.Seconds()),
		zap.Int("attempt", attempt))
}

// retryAfter is the upstream's Retry-After: the header, else for a 429 the
// body's additional_data.retry_after (in seconds), which Notion sends too.
// A body read for it is put back for the client.
func retryAfter(resp *http.Response) string {
	if v := resp.Header.Get("Retry-After"); v != "" || resp.StatusCode != http.StatusTooManyRequests {
		return v
	}
	var body struct {
		AdditionalData struct {
			RetryAfter json.Number `json:"retry_after"`
		} `json:"additional_data"`
	}
	e := peekError(resp)
	if e.whole == nil || json.Unmarshal(e.whole, &body) != nil {
		return ""
	}
	return body.AdditionalData.RetryAfter.String()
}

// retryDelay is how long to wait before the next attempt: the upstream's
// Retry-After (seconds or an HTTP date) when it gave one, else an
// exponential backoff with jitter; never more than limit.
func retryDelay(header string, attempt int, limit time.Duration, now time.Time) time.Duration {
	d, ok := parseRetryAfter(header, now)
	if !ok {
		d = firstBackoff << min(attempt-1, 10)
		d = d/2 + rand.N(d/2+1) // jitter, so paused clients do not return in step
	}
	return min(d, limit)
}

// maxRetryAfterSeconds is the longest Retry-After taken as given. Longer
// values (1e19, Inf) would overflow a time.Duration into a negative wait;
// they are ignored like any other value that is not a wait.
const maxRetryAfterSeconds = 1e9

// parseRetryAfter reads a Retry-After value: a finite, non-negative number
// of seconds or an HTTP date. Anything else reports false.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil {
		if !(s >= 0 && s <= maxRetryAfterSeconds) { // also refuses NaN
			return 0, false
		}
		return time.Duration(s * float64(time.Second)), true
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(at.Sub(now), 0), true
	}
	return 0, false
}

// sleep waits d, or until the client goes away.
func sleep(req *http.Request, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-req.Context().Done():
		return req.Context().Err()
	}
}
