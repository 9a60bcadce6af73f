package proxy

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/notion-auth-proxy/notion-auth-proxy/internal/eventually"
	"github.com/notion-auth-proxy/notion-auth-proxy/internal/notiontest"
)

// failFirst makes the fake answer its next n requests with status and, when
// retryAfter is not empty, that Retry-After header.
func failFirst(fake *notiontest.Server, n int, status int, retryAfter string) {
	var left atomic.Int64
	left.Store(int64(n))
	fake.SetFault(func(w http.ResponseWriter, r *http.Request) bool {
		if left.Add(-1) < 0 {
			return false
		}
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		notiontest.WriteError(w, status, "rate_limited", "upstream says no")
		return true
	})
}

func retryRig(t *testing.T, attempts int, maxRetryAfter time.Duration) *rig {
	return newRig(t, func(c *Config) {
		c.Retry = Retry{MaxAttempts: attempts, MaxRetryAfter: maxRetryAfter}
		c.RateLimit.MaxWait = time.Minute
	})
}

func TestRetryRateLimitedReplaysBody(t *testing.T) {
	for _, status := range []int{http.StatusTooManyRequests, statusOverloaded} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			r := retryRig(t, 3, 10*time.Millisecond)
			failFirst(r.fake, 2, status, "5") // capped to 10ms
			body := strings.Repeat("x", 64<<10)
			resp := r.do("POST", "/v1/__fake/echo", strings.NewReader(body))
			if resp.StatusCode != 200 {
				t.Fatalf("status %d after two %d answers, want the third attempt's 200", resp.StatusCode, status)
			}
			reqs := r.fake.Requests()
			if len(reqs) != 3 {
				t.Fatalf("upstream saw %d requests, want 3", len(reqs))
			}
			for i, req := range reqs {
				if req.BodyBytes != int64(len(body)) || req.Token != wikiToken {
					t.Errorf("attempt %d carried %d body bytes with token ok=%v", i+1, req.BodyBytes, req.Token == wikiToken)
				}
			}
			reason := map[int]string{429: "rate_limited", 529: "overloaded"}[status]
			metrics := readAll(t, r.do("GET", "/metrics", nil).Body)
			want := `notion_proxy_upstream_retries_total{credential="wiki",reason="` + reason + `"} 2`
			if !strings.Contains(metrics, want) {
				t.Errorf("metrics lack %s:\n%s", want, grep(metrics, "retries"))
			}
			events := r.events("rate_limited")
			if len(events) != 2 {
				t.Fatalf("%d rate_limited events, want 2", len(events))
			}
			f := events[1].ContextMap()
			if f["credential"] != "wiki" || f["attempt"] != int64(2) || f["retry_after_s"] != 0.01 {
				t.Errorf("rate_limited event fields %v, want credential wiki, attempt 2, retry_after_s 0.01 (capped)", f)
			}
			if got := r.events("request")[0].ContextMap()["retries"]; got != int64(2) {
				t.Errorf("access log retries = %v, want 2", got)
			}
		})
	}
}

func TestRetryGivesUpAndPassesUpstreamAnswer(t *testing.T) {
	r := retryRig(t, 3, 10*time.Millisecond)
	failFirst(r.fake, 100, http.StatusTooManyRequests, "1")
	resp := r.do("GET", "/v1/users/me", nil)
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("status %d, want upstream's 429", resp.StatusCode)
	}
	if resp.Header.Get("X-Notion-Proxy-Error") != "" || resp.Header.Get("Retry-After") != "1" {
		t.Errorf("the upstream's answer was not passed on as is: headers %v", resp.Header)
	}
	if !strings.Contains(readAll(t, resp.Body), "upstream says no") {
		t.Error("the upstream's error body was not passed on")
	}
	if n := len(r.fake.Requests()); n != 3 {
		t.Errorf("upstream saw %d requests, want max_attempts = 3", n)
	}
}

func TestRetryServerErrorsOnlyForGET(t *testing.T) {
	for _, status := range []int{http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			r := retryRig(t, 3, 10*time.Millisecond)
			failFirst(r.fake, 1, status, "")
			if resp := r.do("GET", "/v1/users/me", nil); resp.StatusCode != 200 {
				t.Errorf("GET after one %d: status %d, want the retry's 200", status, resp.StatusCode)
			}
			if n := len(r.events("upstream_retry")); n != 1 {
				t.Errorf("%d upstream_retry events, want 1", n)
			}

			r.fake.Reset()
			failFirst(r.fake, 1, status, "")
			resp := r.do("POST", "/v1/__fake/echo", strings.NewReader(`{}`))
			if resp.StatusCode != status {
				t.Errorf("POST after a %d: status %d; a request that may have been processed must not be retried", status, resp.StatusCode)
			}
			if n := len(r.fake.Requests()); n != 1 {
				t.Errorf("upstream saw %d POSTs, want 1", n)
			}
		})
	}
}

func TestRetrySkipsBodiesTooLargeToKeep(t *testing.T) {
	r := newRig(t, func(c *Config) {
		c.Retry = Retry{MaxAttempts: 3, MaxRetryAfter: 10 * time.Millisecond}
		c.MaxBodyBytes = 4 << 20
	})
	failFirst(r.fake, 1, http.StatusTooManyRequests, "")
	body := bytes.Repeat([]byte("y"), maxReplayBytes+1)
	if resp := r.do("POST", "/v1/__fake/echo", bytes.NewReader(body)); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("status %d, want upstream's 429 passed on", resp.StatusCode)
	}
	reqs := r.fake.Requests()
	if len(reqs) != 1 || reqs[0].BodyBytes != int64(len(body)) {
		t.Errorf("upstream saw %d requests; want the one, streamed whole", len(reqs))
	}
}

func TestRateLimitPausesTheCredential(t *testing.T) {
	// No retries, and a Retry-After far beyond max_wait: the credential's
	// next request is refused by the proxy without reaching Notion.
	r := newRig(t, func(c *Config) {
		c.Retry = Retry{MaxAttempts: 1, MaxRetryAfter: time.Minute}
		c.RateLimit.MaxWait = time.Second
	})
	failFirst(r.fake, 1, http.StatusTooManyRequests, "30")
	if resp := r.do("GET", "/v1/users/me", nil); resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("status %d, want upstream's 429", resp.StatusCode)
	}
	resp := r.do("GET", "/v1/users/me", nil)
	wantProxyError(t, resp, http.StatusTooManyRequests, "rate_limit_wait_exceeded", "rate_limited")
	if after, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || after < 20 || after > 30 {
		t.Errorf("Retry-After %q, want the rest of the 30 s pause", resp.Header.Get("Retry-After"))
	}
	if n := len(r.fake.Requests()); n != 1 {
		t.Errorf("upstream saw %d requests during the pause, want 1", n)
	}
	if resp := r.do("GET", "/w/acme/v1/users/me", nil); resp.StatusCode != 200 {
		t.Errorf("another credential was paused too: %d", resp.StatusCode)
	}
}

func TestRateLimitPauseHoldsOtherRequests(t *testing.T) {
	const pause = 300 * time.Millisecond
	r := newRig(t, func(c *Config) {
		c.Retry = Retry{MaxAttempts: 1, MaxRetryAfter: pause}
		c.RateLimit.MaxWait = time.Minute
	})
	failFirst(r.fake, 1, http.StatusTooManyRequests, "10") // capped to the pause
	r.do("GET", "/v1/users/me", nil)
	paused := time.Now()
	if resp := r.do("GET", "/v1/users/me", nil); resp.StatusCode != 200 {
		t.Fatalf("status %d, want 200 once the pause is over", resp.StatusCode)
	}
	// A lower bound only: the request cannot have gone before the pause
	// ended, however slow the machine.
	if waited := time.Since(paused); waited < pause/2 {
		t.Errorf("the next request went after %s; the pause was %s", waited, pause)
	}
}

func TestRetryWaitEndsWhenClientLeaves(t *testing.T) {
	r := retryRig(t, 3, time.Minute)
	failFirst(r.fake, 1, http.StatusTooManyRequests, "60")
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", r.server.URL+"/v1/users/me", nil)
	if _, err := http.DefaultClient.Do(req); err == nil {
		t.Fatal("the request was answered instead of waiting to retry")
	}
	eventually.Require(t, "a client_gone event", func() bool { return len(r.events("client_gone")) == 1 })
	if n := len(r.fake.Requests()); n != 1 {
		t.Errorf("upstream saw %d requests; the abandoned retry must not be sent", n)
	}
}

func TestRetryDelay(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tc := range []struct {
		header string
		want   time.Duration
	}{
		{"2", 2 * time.Second},
		{"0.5", 500 * time.Millisecond},
		{"120", 30 * time.Second}, // capped
		{now.Add(7 * time.Second).Format(http.TimeFormat), 7 * time.Second},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0},
	} {
		if got := retryDelay(tc.header, 1, 30*time.Second, now); got != tc.want {
			t.Errorf("Retry-After %q: delay %s, want %s", tc.header, got, tc.want)
		}
	}
	for attempt := 1; attempt <= 4; attempt++ {
		full := firstBackoff << (attempt - 1)
		for range 20 {
			got := retryDelay("soon", attempt, time.Hour, now)
			if got < full/2 || got > full {
				t.Fatalf("attempt %d: backoff %s outside [%s, %s]", attempt, got, full/2, full)
			}
		}
	}
	if got := retryDelay("", 30, time.Second, now); got != time.Second {
		t.Errorf("backoff %s, want the cap 1s", got)
	}
}
