package proxy

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/notion-auth-proxy/notion-auth-proxy/internal/eventually"
)

func TestPacingRefusesLongWaits(t *testing.T) {
	// One request per minute with no burst: the second must wait about a
	// minute, far beyond max_wait, so it is refused at once.
	r := newRig(t, func(c *Config) {
		c.RateLimit = RateLimit{RequestsPerSecond: 1.0 / 60, Burst: 1, MaxWait: time.Second}
	})
	if resp := r.do("GET", "/v1/users/me", nil); resp.StatusCode != 200 {
		t.Fatalf("first request: %d", resp.StatusCode)
	}
	resp := r.do("GET", "/v1/users/me", nil)
	wantProxyError(t, resp, http.StatusTooManyRequests, "rate_limit_wait_exceeded", "rate_limited")
	after, err := strconv.Atoi(resp.Header.Get("Retry-After"))
	if err != nil || after < 30 || after > 60 {
		t.Errorf("Retry-After %q, want the wait in seconds (about 60)", resp.Header.Get("Retry-After"))
	}
	if n := len(r.fake.Requests()); n != 1 {
		t.Errorf("upstream saw %d requests, want 1", n)
	}
	// Pacing is per credential: partner has its own bucket.
	if resp := r.do("GET", "/w/acme/v1/users/me", nil); resp.StatusCode != 200 {
		t.Errorf("another credential was paced too: %d", resp.StatusCode)
	}
	metrics := readAll(t, r.do("GET", "/metrics", nil).Body)
	if !strings.Contains(metrics, `notion_proxy_rate_limit_wait_seconds_count{credential="wiki"} 1`) {
		t.Errorf("metrics lack the pacing wait:\n%s", grep(metrics, "rate_limit"))
	}
}

func TestPacingWaitsWithinMaxWait(t *testing.T) {
	r := newRig(t, func(c *Config) {
		c.RateLimit = RateLimit{RequestsPerSecond: 20, Burst: 1, MaxWait: 10 * time.Second}
	})
	for range 3 {
		if resp := r.do("GET", "/v1/users/me", nil); resp.StatusCode != 200 {
			t.Fatalf("a request within max_wait was refused: %d", resp.StatusCode)
		}
	}
	if n := len(r.fake.Requests()); n != 3 {
		t.Errorf("upstream saw %d requests, want 3", n)
	}
}

func TestPacingWaitEndsWhenClientLeaves(t *testing.T) {
	r := newRig(t, func(c *Config) {
		c.RateLimit = RateLimit{RequestsPerSecond: 1.0 / 60, Burst: 1, MaxWait: time.Hour}
	})
	r.do("GET", "/v1/users/me", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", r.server.URL+"/v1/users/me", nil)
	if _, err := http.DefaultClient.Do(req); err == nil {
		t.Fatal("the paced request was answered instead of waiting")
	}
	eventually.Require(t, "a client_gone event", func() bool { return len(r.events("client_gone")) == 1 })
	if n := len(r.fake.Requests()); n != 1 {
		t.Errorf("upstream saw %d requests; the abandoned one must not be sent", n)
	}
}

func TestPacingOffAndReload(t *testing.T) {
	r := newRig(t, nil) // rate 0: pacing off
	for range 20 {
		if resp := r.do("GET", "/v1/users/me", nil); resp.StatusCode != 200 {
			t.Fatalf("unpaced request: %d", resp.StatusCode)
		}
	}
	next := r.config
	next.RateLimit = RateLimit{RequestsPerSecond: 1.0 / 60, Burst: 1, MaxWait: 0}
	if err := r.handler.Update(next); err != nil {
		t.Fatal(err)
	}
	r.do("GET", "/v1/users/me", nil)
	if resp := r.do("GET", "/v1/users/me", nil); resp.StatusCode != 429 {
		t.Errorf("pacing turned on by a reload did not apply: %d", resp.StatusCode)
	}
}
